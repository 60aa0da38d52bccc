// Stream shards on RADOS (storage/rados/stream_shard.h), the pure parts: the omap keys of records,
// counters and horizons (text, no NUL byte, ordered as their numbers), the pending records a
// batch carries and the cls_lua input they become, Ceph's encoding of the eval_bufferlist
// argument, shard names and their parents. No cluster needed (tests/rados runs the script).
#include "storage/rados/stream_shard.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/big_endian.h"

namespace cairn::storage::rados {
namespace {

uint32_t Le32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | uint8_t(s[at + size_t(i)]);
  return v;
}

TEST(StreamShardTest, RecordKeysRoundTripAndSortByStreamThenNumber) {
  const std::string k = RecordOmapKey(7, 1234567890123456ull);
  EXPECT_EQ(k.size(), 31u);
  EXPECT_EQ(uint8_t(k[0]), kStreamRecordByte);
  EXPECT_EQ(k.find('\0'), std::string::npos);  // cls_lua keys are C strings
  uint32_t id = 0;
  uint64_t seq = 0;
  ASSERT_TRUE(ParseRecordOmapKey(k, &id, &seq));
  EXPECT_EQ(id, 7u);
  EXPECT_EQ(seq, 1234567890123456ull);
  EXPECT_LT(RecordOmapKey(7, 9), RecordOmapKey(7, 10));
  EXPECT_LT(RecordOmapKey(7, UINT64_MAX / 2), RecordOmapKey(8, 1));
  EXPECT_LT(RecordOmapKey(UINT32_MAX - 1, 5), RecordOmapKey(UINT32_MAX, 0));
  EXPECT_FALSE(ParseRecordOmapKey(k.substr(0, 30), &id, &seq));
  EXPECT_FALSE(ParseRecordOmapKey(CounterOmapKey(7), &id, &seq));
  std::string bad = k;
  bad[12] = 'x';
  EXPECT_FALSE(ParseRecordOmapKey(bad, &id, &seq));
  // Not a record of this column byte (an item key, say).
  bad = k;
  bad[0] = 0x01;
  EXPECT_FALSE(ParseRecordOmapKey(bad, &id, &seq));
}

TEST(StreamShardTest, CounterAndHorizonKeysAndValues) {
  EXPECT_EQ(CounterOmapKey(42), std::string("\x13") + "0000000042");
  EXPECT_EQ(HorizonOmapKey(42), CounterOmapKey(42) + "h");
  uint64_t seq = 1, ms = 1;
  ASSERT_TRUE(ParseCounter("0000000000000000001700000000000000001234", &seq, &ms));
  EXPECT_EQ(seq, 17u);
  EXPECT_EQ(ms, 1234u);
  EXPECT_FALSE(ParseCounter("17", &seq, &ms));
  EXPECT_EQ(seq, 0u);
  EXPECT_FALSE(ParseCounter(std::string(39, '0') + "x", &seq, &ms));
}

TEST(StreamShardTest, PendingRecordsBecomeTheScriptInputInBatchOrder) {
  std::map<std::string, std::optional<std::string>> keys;
  keys["\x01item"] = "value";  // not a record: left out
  const std::string a = std::string(8, '\0') + "first", b = std::string(8, '\x01') + "second";
  keys[PendingRecordKey(5, 1000, 1)] = b;
  keys[PendingRecordKey(5, 1000, 0)] = a;
  EXPECT_TRUE(IsPendingRecord(PendingRecordKey(5, 1000, 0)));
  EXPECT_FALSE(IsPendingRecord("\x01item"));
  EXPECT_FALSE(IsPendingRecord(RecordOmapKey(5, 1)));
  const std::string in = PendingRecordsInput(keys);
  std::string want = "0000000005" + std::string("00000000000000001000");
  std::string first = want, second = want;
  AppendBigEndian32(&first, uint32_t(a.size()));
  first += a;
  AppendBigEndian32(&second, uint32_t(b.size()));
  second += b;
  EXPECT_EQ(in, first + second);
  keys.erase(PendingRecordKey(5, 1000, 0));
  keys.erase(PendingRecordKey(5, 1000, 1));
  EXPECT_EQ(PendingRecordsInput(keys), "");
}

TEST(StreamShardTest, LuaEvalArgumentIsCephsVersionedEncoding) {
  const std::string out = EncodeLuaEval("script", "append", std::string("in\0put", 6));
  ASSERT_GE(out.size(), 6u);
  EXPECT_EQ(out[0], 1);  // struct_v
  EXPECT_EQ(out[1], 1);  // struct_compat
  EXPECT_EQ(Le32(out, 2), out.size() - 6);
  size_t at = 6;
  for (std::string want : {std::string("script"), std::string("append"), std::string("in\0put", 6)}) {
    ASSERT_LE(at + 4, out.size());
    const uint32_t n = Le32(out, at);
    EXPECT_EQ(out.substr(at + 4, n), want);
    at += 4 + n;
  }
  EXPECT_EQ(at, out.size());
  EXPECT_NE(std::string(AppendScript()).find("cls.register(append)"), std::string::npos);
}

TEST(StreamShardTest, ShardNamesAndParents) {
  EXPECT_EQ(ShardName(2, 3), "2-3");
  EXPECT_EQ(ShardName(5, 0x1f), "5-1f");
  int d = 0;
  uint32_t p = 0;
  ASSERT_TRUE(ParseShardName("5-1f", &d, &p));
  EXPECT_EQ(d, 5);
  EXPECT_EQ(p, 0x1fu);
  for (const char* bad : {"", "2", "2-", "-1", "2-4", "2-01", "x-1", "2-g", "1-1f", "33-0"})
    EXPECT_FALSE(ParseShardName(bad, &d, &p)) << bad;
  EXPECT_EQ(ParentShardName("3-5"), "2-2");
  EXPECT_EQ(ParentShardName("3-4"), "2-2");
  EXPECT_EQ(ParentShardName("1-1"), "0-0");
  EXPECT_EQ(ParentShardName("0-0"), "");
  EXPECT_EQ(ParentShardName("junk"), "");
}

TEST(StreamShardTest, ParentsOnlyWhenListedAndParentsFirst) {
  // Today's tables: 4 shards, no parents.
  auto flat = WithParents({"2-3", "2-1", "2-0", "2-2"});
  ASSERT_EQ(flat.size(), 4u);
  for (size_t i = 0; i < flat.size(); ++i) {
    EXPECT_EQ(flat[i].name, ShardName(2, uint32_t(i)));
    EXPECT_EQ(flat[i].parent, "");
  }
  // After a split of 2-1 into 3-2 and 3-3 (the parent kept for its records).
  auto split = WithParents({"2-0", "3-3", "2-1", "3-2", "2-2", "2-3", "4-f"});
  std::vector<std::string> names, parents;
  for (const auto& s : split) {
    names.push_back(s.name);
    parents.push_back(s.parent);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"2-0", "2-1", "2-2", "2-3", "3-2", "3-3", "4-f"}));
  // 4-f's parent 3-7 is not listed: no ParentShardId.
  EXPECT_EQ(parents, (std::vector<std::string>{"", "", "", "", "2-1", "2-1", ""}));
}

}  // namespace
}  // namespace cairn::storage::rados
