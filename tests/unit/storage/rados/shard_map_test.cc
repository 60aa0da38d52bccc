// ShardMap and the shard names (docs/rados.md section 3): a shard's name and its hash range are
// one and the same (Name/Parse round trip, canonical only); parent and children are computed
// from the name; a map starts as today's fixed layout, and after any sequence of splits its live
// shards are disjoint and cover every hash, Find agrees with Covering, and a map that learns the
// splits in another order (or a deeper split first) ends equal. The layout places keys by the
// map, and a retired object's range is exactly its children's.
#include "storage/rados/shard_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/key_encoding.h"
#include "storage/rados/rados_layout.h"
#include "util/big_endian.h"

namespace cairn::storage::rados {
namespace {

TEST(ShardTest, NamesRoundTripAndAreCanonical) {
  EXPECT_EQ((Shard{2, 3}).Name(), "2-3");
  EXPECT_EQ((Shard{0, 0}).Name(), "0-0");
  EXPECT_EQ((Shard{13, 0x1abc}).Name(), "13-1abc");
  for (const char* ok : {"0-0", "2-0", "2-3", "3-6", "13-1abc", "40-ffffffffff"}) {
    Shard s;
    ASSERT_TRUE(Shard::Parse(ok, &s)) << ok;
    EXPECT_EQ(s.Name(), ok);
  }
  for (const char* bad : {"", "-", "2-", "-3", "2-4", "0-1", "2-03", "02-3", "2-A", "2-3x",
                          "64-0", "2_3", "1-2", "100-0"}) {
    Shard s{7, 7};
    EXPECT_FALSE(Shard::Parse(bad, &s)) << bad;
    EXPECT_EQ(s.depth, 7) << bad;  // untouched
  }
}

TEST(ShardTest, RangesParentAndChildren) {
  const Shard s{2, 3};
  EXPECT_EQ(s.First(), 3ull << 62);
  EXPECT_EQ(s.Last(), ~0ull);
  EXPECT_EQ((Shard{0, 0}).First(), 0u);
  EXPECT_EQ((Shard{0, 0}).Last(), ~0ull);
  const auto [low, high] = s.Children();
  EXPECT_EQ(low.Name(), "3-6");
  EXPECT_EQ(high.Name(), "3-7");
  EXPECT_EQ(low.Parent(), s);
  EXPECT_EQ(high.Parent(), s);
  EXPECT_EQ(low.First(), s.First());
  EXPECT_EQ(high.Last(), s.Last());
  EXPECT_EQ(low.Last() + 1, high.First());
  EXPECT_TRUE(s.Contains(~0ull));
  EXPECT_FALSE(s.Contains((3ull << 62) - 1));
  EXPECT_EQ((Shard{2, 1}).Parent().Name(), "1-0");
}

TEST(ShardMapTest, StartsAsTheFixedLayout) {
  ShardMap m(2);
  EXPECT_EQ(m.epoch(), 0u);
  ASSERT_EQ(m.Live().size(), 4u);
  for (uint64_t p = 0; p < 4; ++p) EXPECT_EQ(m.Live()[p].Name(), "2-" + std::to_string(p));
  EXPECT_EQ(m.Find(0).Name(), "2-0");
  EXPECT_EQ(m.Find(~0ull).Name(), "2-3");
  EXPECT_EQ(m.Find(1ull << 62).Name(), "2-1");
  EXPECT_EQ(m.AllShards().size(), 4u);
}

TEST(ShardMapTest, SplitMovesOnlyThatShard) {
  ShardMap m(2);
  ASSERT_TRUE(m.Split({2, 3}));
  EXPECT_FALSE(m.Split({2, 3}));  // retired now
  EXPECT_FALSE(m.Split({3, 2}));  // never live
  EXPECT_EQ(m.epoch(), 1u);
  EXPECT_TRUE(m.IsRetired({2, 3}));
  EXPECT_TRUE(m.IsLive({3, 7}));
  EXPECT_EQ(m.Find(~0ull).Name(), "3-7");
  EXPECT_EQ(m.Find(3ull << 62).Name(), "3-6");
  EXPECT_EQ(m.Find(0).Name(), "2-0");
  // Every shard ever: parents before children, in hash order.
  std::vector<std::string> all;
  for (const Shard& s : m.AllShards()) all.push_back(s.Name());
  EXPECT_EQ(all, (std::vector<std::string>{"2-0", "2-1", "2-2", "2-3", "3-6", "3-7"}));
  const auto covering = m.Covering(2ull << 62, (3ull << 62) + 5);
  ASSERT_EQ(covering.size(), 2u);
  EXPECT_EQ(covering[0].Name(), "2-2");
  EXPECT_EQ(covering[1].Name(), "3-6");
  EXPECT_TRUE(m.Covering(5, 4).empty());
}

// Random splits: the live shards tile the hash space, Find and Covering agree, and a map that
// learns the same retired shards in a shuffled order (each possibly before its parent) is equal.
TEST(ShardMapTest, RandomSplitsTileTheHashSpaceAndLearnInAnyOrder) {
  std::mt19937_64 rng(20);
  for (int trial = 0; trial < 50; ++trial) {
    ShardMap m(2);
    const int splits = int(rng() % 60);
    for (int i = 0; i < splits; ++i) {
      const std::vector<Shard> live = m.Live();
      ASSERT_TRUE(m.Split(live[rng() % live.size()]));
    }
    EXPECT_EQ(m.epoch(), uint64_t(splits));
    const std::vector<Shard> live = m.Live();
    EXPECT_EQ(live.size(), 4u + splits);
    EXPECT_EQ(live.front().First(), 0u);
    EXPECT_EQ(live.back().Last(), ~0ull);
    for (size_t i = 1; i < live.size(); ++i) EXPECT_EQ(live[i - 1].Last() + 1, live[i].First());
    for (int probe = 0; probe < 200; ++probe) {
      const uint64_t h = rng();
      const Shard s = m.Find(h);
      EXPECT_TRUE(s.Contains(h));
      EXPECT_TRUE(m.IsLive(s));
      const auto c = m.Covering(h, h);
      ASSERT_EQ(c.size(), 1u);
      EXPECT_EQ(c[0], s);
    }
    std::vector<Shard> retired(m.retired().begin(), m.retired().end());
    std::shuffle(retired.begin(), retired.end(), rng);
    ShardMap learnt(2);
    for (const Shard& s : retired) learnt.Learn(s);
    EXPECT_EQ(learnt.retired(), m.retired());
    EXPECT_EQ(learnt.Live(), m.Live());
    for (const Shard& s : retired) EXPECT_FALSE(learnt.Learn(s));  // idempotent
    EXPECT_EQ(m.AllShards().size(), live.size() + retired.size());
  }
}

TEST(ShardMapTest, LearningADeepSplitSplitsItsAncestors) {
  ShardMap m(2);
  ASSERT_TRUE(m.Learn({4, 0xd}));  // 2-3 -> 3-6 -> 4-d
  EXPECT_TRUE(m.IsRetired({2, 3}));
  EXPECT_TRUE(m.IsRetired({3, 6}));
  EXPECT_TRUE(m.IsRetired({4, 0xd}));
  EXPECT_TRUE(m.IsLive({3, 7}));
  EXPECT_TRUE(m.IsLive({4, 0xc}));
  EXPECT_TRUE(m.IsLive({5, 0x1a}));
  EXPECT_TRUE(m.IsLive({5, 0x1b}));
  EXPECT_EQ(m.epoch(), 3u);
  EXPECT_FALSE(m.Learn({1, 0}));  // above the initial depth: ignored
}

std::string KeyWithHash(uint32_t id, uint64_t hash) {
  std::string k = TablePrefix(id);
  AppendBigEndian64(&k, hash);
  return k + "x";
}

TEST(ShardMapTest, LayoutPlacesKeysByTheMapAndChildrenCoverTheParent) {
  auto map = std::make_shared<ShardMap>(2);
  ASSERT_TRUE(map->Split({2, 1}));
  ASSERT_TRUE(map->Split({3, 3}));
  Layout layout(
      2, [](Column c, uint32_t id) { return std::string(c == Column::kData ? "t" : "i") + std::to_string(id); },
      [map](const std::string& owner) -> std::shared_ptr<const ShardMap> {
        if (owner == "t42") return map;
        return std::make_shared<const ShardMap>(2);
      });
  EXPECT_EQ(layout.ObjectOf(Column::kData, KeyWithHash(42, 1ull << 62)).name, "t42.3-2");
  EXPECT_EQ(layout.ObjectOf(Column::kData, KeyWithHash(42, (1ull << 62) | (1ull << 61))).name,
            "t42.4-6");
  EXPECT_EQ(layout.ObjectOf(Column::kData, KeyWithHash(42, ~0ull >> 1)).name, "t42.4-7");
  EXPECT_EQ(layout.ObjectOf(Column::kIndex, KeyWithHash(42, 1ull << 62)).name, "i42.2-1");
  // The whole table: the live objects in key order, ranges touching.
  const auto objects = layout.Objects(Column::kData, TablePrefix(42), TableEnd(42), {42});
  std::vector<std::string> names;
  for (const auto& o : objects) names.push_back(o.name);
  EXPECT_EQ(names, (std::vector<std::string>{"t42.2-0", "t42.3-2", "t42.4-6", "t42.4-7",
                                             "t42.2-2", "t42.2-3"}));
  for (size_t i = 1; i < objects.size(); ++i) EXPECT_EQ(objects[i - 1].end, objects[i].start);
  EXPECT_EQ(objects.back().end, TablePrefix(43));
  // A retired object's children: its range, split in two, named as the layout names them.
  const ObjectRef parent = Layout::Object("t42", 42, Shard{2, 1});
  const auto children = Layout::Children(parent);
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children[0].name, "t42.3-2");
  EXPECT_EQ(children[1].name, "t42.3-3");
  EXPECT_EQ(children[0].start, parent.start);
  EXPECT_EQ(children[0].end, children[1].start);
  EXPECT_EQ(children[1].end, parent.end);
  EXPECT_TRUE(Layout::Children(ObjectRef{"cairn.catalog", "", ""}).empty());
  std::string owner;
  Shard s;
  EXPECT_TRUE(ParseShardObject("t42.3-3", &owner, &s));
  EXPECT_EQ(owner, "t42");
  EXPECT_EQ(s.Name(), "3-3");
  EXPECT_FALSE(ParseShardObject("cairn.shards.t42", &owner, &s));
  EXPECT_FALSE(ParseShardObject("x.12.3", &owner, &s));
  EXPECT_FALSE(ParseShardObject("s9", &owner, &s));
}

}  // namespace
}  // namespace cairn::storage::rados
