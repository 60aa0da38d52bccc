// RadosLayout: every key maps to one object named as docs/rados.md says; objects hold disjoint,
// ordered key ranges; Objects() of a range returns, in key order, every object that can hold a
// key of the range (checked against ObjectOf for random keys and ranges, the bounds included).
// No cluster needed: the layout is pure.
#include "storage/rados/rados_layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "storage/key_encoding.h"
#include "types/attribute_value.h"
#include "util/big_endian.h"

namespace cairn::storage::rados {
namespace {

std::string ItemKey(uint32_t table, const std::string& pk) {
  std::string k;
  AppendItemKey(&k, table, AttributeValue::String(pk), nullptr);
  return k;
}

std::string KeyWithHash(uint32_t id, uint64_t hash, const std::string& rest = "x") {
  std::string k = TablePrefix(id);
  AppendBigEndian64(&k, hash);
  return k + rest;
}

TEST(RadosLayout, ObjectNamesFollowTheDesign) {
  Layout layout(2);
  EXPECT_EQ(layout.ObjectOf(Column::kMeta, "anything").name, "cairn.catalog");
  EXPECT_EQ(layout.ObjectOf(Column::kData, KeyWithHash(42, 0)).name, "t42.2-0");
  EXPECT_EQ(layout.ObjectOf(Column::kData, KeyWithHash(42, ~0ull)).name, "t42.2-3");
  EXPECT_EQ(layout.ObjectOf(Column::kData, KeyWithHash(42, 1ull << 62)).name, "t42.2-1");
  EXPECT_EQ(layout.ObjectOf(Column::kIndex, KeyWithHash(7, 2ull << 62)).name, "i7.2-2");
  EXPECT_EQ(layout.ObjectOf(Column::kStream, KeyWithHash(9, ~0ull)).name, "s9");
  EXPECT_EQ(layout.ObjectOf(Column::kBackup, KeyWithHash(9, ~0ull)).name, "b9");
  EXPECT_EQ(Layout(0).ObjectOf(Column::kData, KeyWithHash(5, ~0ull)).name, "t5.0-0");
}

TEST(RadosLayout, AKeyIsInsideItsObjectsRange) {
  Layout layout(2);
  for (Column c : {Column::kData, Column::kIndex, Column::kStream, Column::kBackup}) {
    for (uint64_t h : {0ull, 1ull, (1ull << 62) - 1, 1ull << 62, ~0ull}) {
      const std::string k = KeyWithHash(3, h);
      const ObjectRef o = layout.ObjectOf(c, k);
      EXPECT_LE(o.start, k);
      EXPECT_LT(k, o.end);
    }
  }
}

TEST(RadosLayout, IdRangeExcludesAnUpperBoundThatIsAnIdPrefix) {
  uint32_t first = 0, last = 0;
  ASSERT_TRUE(Layout::IdRange(TablePrefix(4), TableEnd(4), &first, &last));
  EXPECT_EQ(first, 4u);
  EXPECT_EQ(last, 4u);
  ASSERT_TRUE(Layout::IdRange("", "", &first, &last));
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(last, UINT32_MAX);
  ASSERT_TRUE(Layout::IdRange(TablePrefix(4), TablePrefix(5) + '\0', &first, &last));
  EXPECT_EQ(last, 5u);  // keys of id 5 below TablePrefix(5) + "\0" exist (TablePrefix(5) itself)
  EXPECT_FALSE(Layout::IdRange("", TablePrefix(0), &first, &last));
  EXPECT_FALSE(Layout::IdRange(TablePrefix(6), TablePrefix(6), &first, &last));
}

// Every key in [lower, upper) lies in an object Objects() returns, and they come in key order.
TEST(RadosLayout, ObjectsOfARangeCoverEveryKeyInOrder) {
  Layout layout(2);
  std::mt19937_64 rng(20);
  const std::vector<uint32_t> ids = {1, 2, 5, 9};
  std::vector<std::string> keys;
  for (uint32_t id : ids)
    for (int i = 0; i < 40; ++i) keys.push_back(ItemKey(id, "pk" + std::to_string(rng())));
  for (uint32_t id : ids) {  // the edges of each shard
    for (uint64_t s = 0; s < 4; ++s) {
      keys.push_back(KeyWithHash(id, s << 62, ""));
      keys.push_back(KeyWithHash(id, (s << 62) | ((1ull << 62) - 1)));
    }
  }
  std::sort(keys.begin(), keys.end());
  for (Column c : {Column::kData, Column::kIndex, Column::kStream}) {
    for (int trial = 0; trial < 300; ++trial) {
      std::string lower, upper;
      switch (trial % 4) {
        case 0: {  // one table
          const uint32_t id = ids[rng() % ids.size()];
          lower = TablePrefix(id);
          upper = TableEnd(id);
          break;
        }
        case 1:  // between two existing keys
          lower = keys[rng() % keys.size()];
          upper = keys[rng() % keys.size()];
          if (upper < lower) std::swap(lower, upper);
          break;
        case 2:  // unbounded on one side
          lower = rng() % 2 ? keys[rng() % keys.size()] : "";
          break;
        default:  // a Scan segment
          lower = SegmentRange(ids[rng() % ids.size()], trial % 7, 7).first;
          upper = SegmentRange(ids[rng() % ids.size()], trial % 7, 7).second;
          if (upper < lower) std::swap(lower, upper);
      }
      uint32_t first = 0, last = 0;
      std::vector<ObjectRef> objects;
      if (Layout::IdRange(lower, upper, &first, &last)) {
        std::vector<uint32_t> in;
        for (uint32_t id : ids)
          if (id >= first && id <= last) in.push_back(id);
        objects = layout.Objects(c, lower, upper, in);
      }
      for (size_t i = 1; i < objects.size(); ++i)
        ASSERT_LE(objects[i - 1].end, objects[i].start) << objects[i].name;
      for (const std::string& k : keys) {
        if (k < lower || (!upper.empty() && k >= upper)) continue;
        const std::string name = layout.ObjectOf(c, k).name;
        ASSERT_TRUE(std::any_of(objects.begin(), objects.end(),
                                [&](const ObjectRef& o) { return o.name == name; }))
            << "trial " << trial << ": " << name << " missing";
      }
    }
  }
}

}  // namespace
}  // namespace cairn::storage::rados
