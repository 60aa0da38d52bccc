// The kBackup column's layout (storage/backup_keys.h): backup item keys map to and from table item
// keys; change records sort by time, then sequence; their values decode back, and malformed ones
// are refused rather than read past their end.
#include "storage/backup_keys.h"

#include <gtest/gtest.h>

#include <string>

namespace cairn::storage {
namespace {

TEST(BackupKeysTest, BackupItemKeysMapBothWays) {
  std::string item;
  AppendItemKey(&item, 7, AttributeValue::String("pk"), nullptr);
  const std::string b = BackupItemKey(900, item);
  EXPECT_EQ(b.substr(0, 4), TablePrefix(900));
  EXPECT_EQ(b.substr(4), item.substr(4));
  EXPECT_EQ(ItemKeyFromBackup(7, b), item);
  EXPECT_EQ(ItemKeyFromBackup(8, b).substr(0, 4), TablePrefix(8));
}

TEST(BackupKeysTest, ChangeRecordsSortByTimeThenSequence) {
  EXPECT_LT(ChangeRecordKey(5, 100, 9), ChangeRecordKey(5, 101, 0));
  EXPECT_LT(ChangeRecordKey(5, 100, 1), ChangeRecordKey(5, 100, 2));
  EXPECT_LT(ChangeRecordKey(5, uint64_t(1) << 40, 0), ChangeRecordKey(5, uint64_t(1) << 41, 0));
  EXPECT_LE(ChangeRecordBound(5, 100), ChangeRecordKey(5, 100, 0));
  EXPECT_GT(ChangeRecordBound(5, 101), ChangeRecordKey(5, 100, ~uint64_t(0)));
  EXPECT_LT(ChangeRecordKey(5, ~uint64_t(0), ~uint64_t(0)), TableEnd(5));
  EXPECT_GE(ChangeRecordKey(5, 0, 0), TablePrefix(5));
}

TEST(BackupKeysTest, ChangeRecordValuesRoundTrip) {
  const std::string old = "old item bytes";
  // The decoded record views the value: keep it alive.
  const std::string with_value = ChangeRecordValue("key", &old);
  auto with = DecodeChangeRecord(with_value);
  ASSERT_TRUE(with);
  EXPECT_EQ(with->item_key, "key");
  ASSERT_TRUE(with->old_bytes);
  EXPECT_EQ(*with->old_bytes, old);
  const std::string k("k\0y", 3);
  const std::string without_value = ChangeRecordValue(k, nullptr);
  auto without = DecodeChangeRecord(without_value);
  ASSERT_TRUE(without);
  EXPECT_EQ(without->item_key, k);
  EXPECT_FALSE(without->old_bytes);
  // An empty old item (an item of no attributes cannot exist, but the format allows it).
  const std::string empty;
  const std::string empty_value = ChangeRecordValue(k, &empty);
  auto e = DecodeChangeRecord(empty_value);
  ASSERT_TRUE(e && e->old_bytes);
  EXPECT_TRUE(e->old_bytes->empty());
}

TEST(BackupKeysTest, MalformedChangeRecordsAreRefused) {
  const std::string old = "abc";
  const std::string v = ChangeRecordValue("key", &old);
  for (size_t cut = 0; cut < 8; ++cut)  // shorter than the header and the key
    EXPECT_FALSE(DecodeChangeRecord(v.substr(0, cut))) << cut;
  std::string bad_flag = v;
  bad_flag[0] = 2;
  EXPECT_FALSE(DecodeChangeRecord(bad_flag));
  std::string huge = v;
  huge[1] = '\xff';
  EXPECT_FALSE(DecodeChangeRecord(huge));
}

}  // namespace
}  // namespace cairn::storage
