// The pure parts of the RADOS transaction protocol and the per-shard batch (rados_txn_record.h,
// rados_batch.h): the record's "ops" and "intents" round-trip and refuse damaged input, intent
// keys pair with data keys, a transaction's intents cover every item it writes or read, ids and
// ledgers are stable and spread, the decision commits only when every prepare held, and a batch
// shard's op guards every value read and every item on "no intent". No cluster needed.
#include "storage/rados/rados_txn_record.h"
#include "storage/rados/rados_batch.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace cairn::storage::rados {
namespace {

std::string Data(std::string_view key) {
  std::string k(1, char(kDataByte));
  k.append(key.data(), key.size());
  return k;
}

Changes Sample() {
  Changes c;
  c["t7.2-0"].keys[Data("a")] = std::string("00000000000000000001value");
  c["t7.2-0"].keys[Data("b")] = std::nullopt;
  c["t7.2-0"].keys[std::string("\x10") + "a" + "0001"] = std::string("outbox\0entry", 12);
  c["t7.2-3"].keys[Data(std::string("k\0z", 3))] = std::string();  // empty value, NUL in key
  c["s9"].keys["\x03rec"] = std::string(1000, 'x');
  return c;
}

TEST(RadosTxnRecord, OpsRoundTrip) {
  const Changes c = Sample();
  Changes back;
  ASSERT_TRUE(DecodeOps(EncodeOps(c), &back));
  EXPECT_EQ(back, c);
  Changes empty;
  ASSERT_TRUE(DecodeOps(EncodeOps({}), &empty));
  EXPECT_TRUE(empty.empty());
}

TEST(RadosTxnRecord, OpsRefuseTruncatedOrTrailingInput) {
  const std::string enc = EncodeOps(Sample());
  for (size_t n = 0; n < enc.size(); ++n) {
    Changes out;
    EXPECT_FALSE(DecodeOps(std::string_view(enc).substr(0, n), &out)) << n;
  }
  Changes out;
  EXPECT_FALSE(DecodeOps(enc + "x", &out));
  // A length past the end.
  std::string bad = enc;
  bad[4] = '\x7f';
  EXPECT_FALSE(DecodeOps(bad, &out));
}

TEST(RadosTxnRecord, IntentsRoundTripAndRefuseDamage) {
  IntentsByObject m;
  m["t1.2-0"] = {IntentKey(Data("a")), IntentKey(Data("b"))};
  m["t1.2-1"] = {IntentKey(Data(std::string("\0\xff", 2)))};
  const std::string enc = EncodeIntents(m);
  IntentsByObject back;
  ASSERT_TRUE(DecodeIntents(enc, &back));
  EXPECT_EQ(back, m);
  for (size_t n = 0; n < enc.size(); ++n) {
    IntentsByObject out;
    EXPECT_FALSE(DecodeIntents(std::string_view(enc).substr(0, n), &out)) << n;
  }
  IntentsByObject out;
  EXPECT_FALSE(DecodeIntents(enc + '\0', &out));
}

TEST(RadosTxnRecord, IntentKeysPairWithDataKeys) {
  const std::string d = Data(std::string("\x00\x00\x00\x07item", 8));
  const std::string i = IntentKey(d);
  EXPECT_EQ(uint8_t(i[0]), kIntentByte);
  EXPECT_EQ(i.substr(1), d.substr(1));
  EXPECT_EQ(DataKeyOf(i), d);
  EXPECT_TRUE(IsDataKey(d));
  EXPECT_FALSE(IsDataKey(i));
  EXPECT_FALSE(IsDataKey(""));
  EXPECT_FALSE(IsDataKey(std::string("\x02lsi")));
  // Intents sort apart from items, LSI entries (0x02) and outbox entries (0x10) of the object.
  EXPECT_GT(i, std::string("\x10\xff\xff"));
}

TEST(RadosTxnRecord, IntentsCoverItemsWrittenAndRead) {
  Changes c;
  c["t1.2-0"].keys[Data("w")] = std::string("v");
  c["t1.2-0"].keys["\x02lsi-entry"] = std::string("e");  // not an item: no intent
  c["s4"].keys["\x03record"] = std::string("r");          // a stream record: no intent
  Reads r;
  r["t1.2-1"][Data("checked")] = std::nullopt;  // a ConditionCheck's item, only read
  r["t1.2-0"][Data("w")] = std::string("old");
  const IntentsByObject m = IntentsOf(c, r);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.at("t1.2-0"), std::set<std::string>{IntentKey(Data("w"))});
  EXPECT_EQ(m.at("t1.2-1"), std::set<std::string>{IntentKey(Data("checked"))});
}

TEST(RadosTxnRecord, IdsAndLedgers) {
  EXPECT_EQ(TxnId("4157", 1700000000123456, 9), "4157.1700000000123456.9");
  EXPECT_EQ(RecordObject("4157.1.2"), "x.4157.1.2");
  // Stable, in range, and spread over all 16 ledgers.
  std::set<std::string> ledgers;
  for (uint64_t n = 0; n < 400; ++n) {
    // (FNV-1a's low bits depend on the low bits of the characters only: ids whose digits move
    // together, as 1000 + n beside n, reach only half the ledgers; real ids' times do not.)
    const std::string id = TxnId("77", 1764570000000000 + n * 7919, n);
    const std::string l = LedgerOf(id);
    EXPECT_EQ(l, LedgerOf(id));
    ASSERT_EQ(l.rfind("xlog.", 0), 0u);
    const int k = std::stoi(l.substr(5));
    EXPECT_GE(k, 0);
    EXPECT_LT(k, kLedgers);
    ledgers.insert(l);
  }
  EXPECT_EQ(ledgers.size(), size_t(kLedgers));
  EXPECT_EQ(LedgerOf(""), "xlog." + std::to_string(2166136261u % kLedgers));
}

TEST(RadosTxnRecord, DecisionCommitsOnlyWhenEveryPrepareHeld) {
  EXPECT_STREQ(Decision(std::vector<int>{0, 0, 0}), kCommitted);
  EXPECT_STREQ(Decision(std::vector<int>{}), kCommitted);  // nothing to hold
  EXPECT_STREQ(Decision(std::vector<int>{0, -125, 0}), kCancelled);  // -ECANCELED: a guard
  EXPECT_STREQ(Decision(std::vector<int>{-2}), kCancelled);           // -ENOENT
  EXPECT_STREQ(Decision(std::vector<int>{0, -110}), kCancelled);      // -ETIMEDOUT
}

TEST(RadosBatch, ShardGuardsCoverEveryValueReadAndEveryItem) {
  ObjectChange ch;
  ch.keys[Data("put")] = std::string("new");
  ch.keys[Data("deleted")] = std::nullopt;
  ch.keys["\x02lsi"] = std::string("e");
  ch.keys[std::string("\x10") + "put" + "v"] = std::string("outbox");
  Reads r;
  r["t1.2-0"][Data("put")] = std::string("old");
  r["t1.2-0"][Data("deleted")] = std::string("was");
  r["t1.2-0"][Data("absent")] = std::nullopt;  // read as absent: guarded as ""
  r["t1.2-3"][Data("elsewhere")] = std::string("x");  // another shard's: not this op's
  const ShardGuards g = GuardsOf("t1.2-0", ch, r);
  EXPECT_EQ(g.items,
            (std::set<std::string>{Data("put"), Data("deleted"), Data("absent")}));
  const std::map<std::string, std::string> want = {
      {Data("put"), "old"},
      {Data("deleted"), "was"},
      {Data("absent"), ""},
      {IntentKey(Data("put")), ""},
      {IntentKey(Data("deleted")), ""},
      {IntentKey(Data("absent")), ""}};
  EXPECT_EQ(g.eq, want);
  // A blind write (nothing read): only the "no intent" guards.
  const ShardGuards blind = GuardsOf("t1.2-0", ch, Reads{});
  EXPECT_EQ(blind.eq, (std::map<std::string, std::string>{{IntentKey(Data("put")), ""},
                                                          {IntentKey(Data("deleted")), ""}}));
}

}  // namespace
}  // namespace cairn::storage::rados
