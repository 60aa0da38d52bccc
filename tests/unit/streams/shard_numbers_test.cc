// ShardNumbers (streams/shard_numbers.h): shard codes order parents before children, ShardIds have
// DynamoDB's shape, SequenceNumbers are 30 digits that order as (number, shard) and read back,
// malformed ones are refused, and an iterator at another shard's number starts at the right record.
#include "streams/shard_numbers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

namespace cairn::streams {
namespace {

TEST(ShardNumbersTest, CodesOfStorageShards) {
  EXPECT_EQ(StorageShardCode("2-0"), 2u << 24);
  EXPECT_EQ(StorageShardCode("2-3"), (2u << 24) | 3);
  EXPECT_EQ(StorageShardCode("3-7"), (3u << 24) | 7);
  EXPECT_EQ(StorageShardCode("16-ffff"), (16u << 24) | 0xffff);
  for (const char* bad : {"", "2", "2-", "-1", "2-4", "x-1", "2-g", "25-0", "100-1", "2-0000001"})
    EXPECT_EQ(StorageShardCode(bad), UINT32_MAX) << bad;
}

TEST(ShardNumbersTest, ShardIdsHaveDynamoDBsShapeAndOrderParentsFirst) {
  const std::regex shape("shardId-[0-9]{20}-[0-9a-f]{8}");
  std::vector<std::string> ids;
  for (const char* s : {"3-3", "2-1", "3-2", "2-0", "2-3", "2-2"}) {
    ids.push_back(ShardIdText(1764547200123, StorageShardCode(s)));
    EXPECT_TRUE(std::regex_match(ids.back(), shape)) << ids.back();
  }
  EXPECT_EQ(ids[3], "shardId-00000001764547200123-02000000");
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<std::string>{ids[3], ids[1], ids[5], ids[4], ids[2], ids[0]}));
  EXPECT_EQ(ShardIdText(5, 0xabcdef01), "shardId-00000000000000000005-abcdef01");
}

TEST(ShardNumbersTest, SequenceNumbersAre30DigitsInStreamOrderAndReadBack) {
  const uint32_t a = StorageShardCode("2-0"), b = StorageShardCode("2-3");
  const std::string x = ShardSequenceText(1764547200123456, a);
  EXPECT_EQ(x, "00001764547200123456" "0033554432");
  EXPECT_EQ(x.size(), 30u);
  // The order of the stream: number first, then shard; as text (same length) and as numbers.
  std::vector<std::string> v = {ShardSequenceText(7, b), ShardSequenceText(7, a),
                                ShardSequenceText(8, a), ShardSequenceText(6, b)};
  std::sort(v.begin(), v.end());
  EXPECT_EQ(v, (std::vector<std::string>{ShardSequenceText(6, b), ShardSequenceText(7, a),
                                         ShardSequenceText(7, b), ShardSequenceText(8, a)}));
  uint64_t seq = 0;
  uint32_t code = 0;
  ASSERT_TRUE(ParseShardSequence(x, &seq, &code));
  EXPECT_EQ(seq, 1764547200123456u);
  EXPECT_EQ(code, a);
  ASSERT_TRUE(ParseShardSequence(ShardSequenceText(UINT64_MAX, UINT32_MAX), &seq, &code));
  EXPECT_EQ(seq, UINT64_MAX);
  EXPECT_EQ(code, UINT32_MAX);
  ASSERT_TRUE(ParseShardSequence("10000000001", &seq, &code));  // 11 digits: seq 1, code 1
  EXPECT_EQ(seq, 1u);
  EXPECT_EQ(code, 1u);
  for (const char* bad : {"", "1234567890", "0000000000000000000a0000000000",
                          "000000000000000000000000000000000", "184467440737095516160000000000",
                          "000000000000000000014294967296"})
    EXPECT_FALSE(ParseShardSequence(bad, &seq, &code)) << bad;
}

TEST(ShardNumbersTest, IteratorPositionFollowsTheStreamOrder) {
  const uint32_t low = 10, mid = 20, high = 30;
  // In the record's own shard: AT is the record, AFTER the next number.
  EXPECT_EQ(IteratorPosition(100, mid, mid, true), 100u);
  EXPECT_EQ(IteratorPosition(100, mid, mid, false), 101u);
  // A shard ordered before the record's: its number 100 comes before the record: skipped by both.
  EXPECT_EQ(IteratorPosition(100, mid, low, true), 101u);
  EXPECT_EQ(IteratorPosition(100, mid, low, false), 101u);
  // A shard ordered after it: its number 100 comes after the record: kept by both.
  EXPECT_EQ(IteratorPosition(100, mid, high, true), 100u);
  EXPECT_EQ(IteratorPosition(100, mid, high, false), 100u);
}

}  // namespace
}  // namespace cairn::streams
