// GsiOutbox's encodings (storage/rados/gsi_outbox.h): versions as 20 digits order as numbers
// (the GSI guards compare them bytewise), a stored GSI value is a tombstone or the entry, outbox
// entries round-trip and one item's entries list in version order, versions grow; and an LSI
// entry's key falls in its item's shard (which is why it can live in the item's shard object).
// No cluster needed.
#include "storage/rados/gsi_outbox.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "storage/key_encoding.h"
#include "storage/rados/rados_layout.h"
#include "storage/rados/shard_map.h"
#include "types/attribute_value.h"
#include "util/big_endian.h"

namespace cairn::storage::rados {
namespace {

TEST(GsiOutbox, VersionDigitsOrderAsNumbers) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    const uint64_t a = rng() >> (rng() % 64), b = rng() >> (rng() % 64);
    EXPECT_EQ(a < b, VersionDigits(a) < VersionDigits(b)) << a << " " << b;
    EXPECT_EQ(VersionDigits(a).size(), kVersionDigits);
    EXPECT_EQ(VersionOf(VersionDigits(a) + "rest"), a);
    // Every byte below 0x80: the OSD's signed byte comparison agrees.
    for (char c : VersionDigits(a)) EXPECT_GE(c, 0);
  }
  EXPECT_EQ(VersionOf("123"), 0u);                    // too short
  EXPECT_EQ(VersionOf("0000000000000000001x"), 0u);   // not digits
  // An absent entry ("") is older than any stored value: the first put passes its guard.
  EXPECT_LT(std::string(), VersionDigits(0) + "~");
}

TEST(GsiOutbox, StoredGsiValueIsTheEntryOrATombstone) {
  std::string v;
  EXPECT_TRUE(GsiValue(VersionDigits(5) + "projected", &v));
  EXPECT_EQ(v, "projected");
  EXPECT_FALSE(GsiValue(VersionDigits(5) + "~", &v));
  EXPECT_FALSE(GsiValue("short", &v));
  // A newer tombstone refuses an older put, and a newer put replaces an older tombstone.
  EXPECT_LT(VersionDigits(5) + "projected", VersionDigits(6) + "~");
  EXPECT_LT(VersionDigits(6) + "~", VersionDigits(7) + "\x01projected");
}

TEST(GsiOutbox, EntriesRoundTripAndListInVersionOrder) {
  std::vector<GsiChange> changes = {{"key1", std::string("value\0with nul", 14)},
                                    {"key2", std::nullopt},
                                    {std::string("\0\xff", 2), std::string()}};
  const std::string e = EncodeOutboxEntry(42, changes);
  uint64_t version = 0;
  std::vector<GsiChange> back;
  ASSERT_TRUE(DecodeOutboxEntry(e, &version, &back));
  EXPECT_EQ(version, 42u);
  ASSERT_EQ(back.size(), changes.size());
  for (size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].key, changes[i].key);
    EXPECT_EQ(back[i].value, changes[i].value);
  }
  for (size_t cut = 0; cut < e.size(); ++cut)
    EXPECT_FALSE(DecodeOutboxEntry(e.substr(0, cut), &version, &back)) << cut;
  EXPECT_FALSE(DecodeOutboxEntry(e + "x", &version, &back));
  // One item's entries: key order is version order; they sort after its item key's other keys
  // only by the 0x10 byte, never mixing with another item's.
  EXPECT_LT(OutboxKey("item", 9), OutboxKey("item", 10));
  EXPECT_EQ(OutboxKey("item", 9)[0], kOutboxByte);
}

TEST(GsiOutbox, VersionsGrowPastTheOldOneAndTheClock) {
  uint64_t last = 0;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t v = NextVersion(0);
    EXPECT_GT(v, last);
    last = v;
  }
  const uint64_t future = last + 1000000000;  // another server's clock ahead of ours
  EXPECT_EQ(NextVersion(future), future + 1);
  EXPECT_GT(NextVersion(0), future + 1);  // never back below a version this server gave
}

TEST(GsiOutbox, AnLsiEntryIsInItsItemsShard) {
  std::mt19937_64 rng(3);
  for (int bits = 0; bits <= 4; ++bits) {
    // Whatever the splits (shard_map.h): the same hash, the same live shard.
    ShardMap map(bits);
    for (int split = 0; split < 20; ++split) {
      const auto live = map.Live();
      ASSERT_TRUE(map.Split(live[rng() % live.size()]));
    }
    for (int i = 0; i < 200; ++i) {
      const std::string pk = "pk" + std::to_string(rng());
      std::string item;
      AppendItemKey(&item, 7, AttributeValue::String(pk), nullptr);
      // index/index_entries.h: index id | PartitionHash(partition bytes) | len | bytes | ...
      std::string entry;
      AppendBigEndian32(&entry, 9);
      AppendBigEndian64(&entry, PartitionHash(pk));
      AppendBigEndian16(&entry, uint16_t(pk.size()));
      entry += pk + "sort";
      EXPECT_EQ(map.Find(HashOf(entry)), map.Find(HashOf(item)));
    }
  }
}

}  // namespace
}  // namespace cairn::storage::rados
