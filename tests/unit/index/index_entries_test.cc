// Index entries: which items an index holds (sparse indexes: every key attribute present with its
// declared type), how entry keys sort (DynamoDB's index order: by partition, then the RANGE
// attributes in KeySchema order, then the table's key; numbers numerically, strings and binaries by
// unsigned bytes; several HASH attributes never run together), what each projection keeps, and
// the batch operations AddIndexUpdates() stages for a change: put the new entry, delete the old
// one when its key changed, nothing when the entry stays the same.
#include "index/index_entries.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "storage/engine.h"
#include "types/binary_codec.h"

namespace cairn::index {
namespace {

using storage::Column;
using storage::IndexInfo;
using storage::KeyElement;
using storage::TableInfo;
using storage::WriteBatch;

constexpr uint32_t kByStatus = 20, kByScore = 21, kMulti = 22, kByBlob = 23;

AttributeValue S(std::string v) { return AttributeValue::String(std::move(v)); }
AttributeValue N(std::string v) { return AttributeValue::Num(std::move(v)); }
AttributeValue B(std::string v) { return AttributeValue::Binary(std::move(v)); }

// pk S / sk N, with:
//   byStatus  GSI  status S / when N              KEYS_ONLY
//   byScore   LSI  pk S / score N                 INCLUDE note
//   multi     GSI  (region S, city S) / (tier N, name S)   ALL
//   byBlob    GSI  blob B                          INCLUDE note, missing
TableInfo Table() {
  TableInfo t;
  t.id = 10;
  t.name = "tbl";
  t.hash = {"pk", AttributeType::kS};
  t.range = KeyElement{"sk", AttributeType::kN};
  IndexInfo by_status;
  by_status.id = kByStatus;
  by_status.name = "byStatus";
  by_status.hash = {{"status", AttributeType::kS}};
  by_status.range = {{"when", AttributeType::kN}};
  by_status.projection = IndexInfo::Projection::kKeysOnly;
  IndexInfo by_score;
  by_score.id = kByScore;
  by_score.name = "byScore";
  by_score.global = false;
  by_score.hash = {{"pk", AttributeType::kS}};
  by_score.range = {{"score", AttributeType::kN}};
  by_score.projection = IndexInfo::Projection::kInclude;
  by_score.non_key_attributes = {"note"};
  IndexInfo multi;
  multi.id = kMulti;
  multi.name = "multi";
  multi.hash = {{"region", AttributeType::kS}, {"city", AttributeType::kS}};
  multi.range = {{"tier", AttributeType::kN}, {"name", AttributeType::kS}};
  IndexInfo by_blob;
  by_blob.id = kByBlob;
  by_blob.name = "byBlob";
  by_blob.hash = {{"blob", AttributeType::kB}};
  by_blob.projection = IndexInfo::Projection::kInclude;
  by_blob.non_key_attributes = {"note", "missing"};
  t.indexes = {by_status, by_score, multi, by_blob};
  return t;
}

const IndexInfo& Index(const TableInfo& t, uint32_t id) {
  for (const IndexInfo& x : t.indexes)
    if (x.id == id) return x;
  static IndexInfo none;
  ADD_FAILURE() << "no index " << id;
  return none;
}

Item Base(std::string pk, std::string sk) {
  return Item{{"pk", S(std::move(pk))}, {"sk", N(std::move(sk))}};
}

std::string EntryKey(const IndexInfo& x, const TableInfo& t, const Item& item) {
  std::string key;
  AppendEntryKey(&key, x, t, item);
  return key;
}

std::string Encoded(const Item& item) {
  std::string out;
  EncodeItem(item, &out);
  return out;
}

std::string BigEndian32(uint32_t v) {
  return {char(v >> 24), char((v >> 16) & 0xFF), char((v >> 8) & 0xFF), char(v & 0xFF)};
}

std::unique_ptr<storage::Engine> OpenInMemory() {
  storage::Options o;
  o.in_memory = true;
  o.block_cache_bytes = 8 << 20;
  Result<std::unique_ptr<storage::Engine>> r = storage::OpenRocksDBEngine(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

// The projected items of index `id`, in entry-key order.
std::vector<Item> Scan(storage::Engine* engine, uint32_t id) {
  storage::ReadOptions ro;
  ro.lower_bound = BigEndian32(id);
  ro.upper_bound = BigEndian32(id + 1);
  std::vector<Item> out;
  auto it = engine->NewIterator(Column::kIndex, ro);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Result<Item> item = DecodeItem(it->value());
    EXPECT_TRUE(item.ok()) << item.status().ToString();
    if (item.ok()) out.push_back(*item);
  }
  EXPECT_TRUE(it->status().ok());
  return out;
}

// Writes `items` (in a shuffled order) as new items, index entries only.
void Insert(storage::Engine* engine, const TableInfo& t, std::vector<Item> items) {
  std::mt19937 rng(42);
  std::shuffle(items.begin(), items.end(), rng);
  for (const Item& item : items) {
    WriteBatch batch;
    AddIndexUpdates(t, nullptr, &item, &batch);
    ASSERT_TRUE(engine->Write(batch).ok());
  }
}

std::string Describe(const WriteBatch::Op& op) {
  return std::string(op.type == WriteBatch::OpType::kPut ? "put " : "delete ") +
         std::to_string(uint8_t(op.column)) + " " + std::to_string(op.key.size());
}

// ---------------------------------------------------------------------------------------------
// IsIndexed: sparse indexes and types.

TEST(IndexEntriesTest, IsIndexedNeedsEveryKeyAttributeWithItsType) {
  TableInfo t = Table();
  const IndexInfo& by_status = Index(t, kByStatus);
  Item item = Base("a", "1");
  EXPECT_FALSE(IsIndexed(by_status, item));  // neither attribute
  item["status"] = S("open");
  EXPECT_FALSE(IsIndexed(by_status, item));  // no RANGE attribute
  item["when"] = N("5");
  EXPECT_TRUE(IsIndexed(by_status, item));
  item["when"] = S("5");
  EXPECT_FALSE(IsIndexed(by_status, item));  // S where N is declared
  item["when"] = N("5");
  item["status"] = AttributeValue::Set(AttributeType::kSS, {"open"});
  EXPECT_FALSE(IsIndexed(by_status, item));  // SS where S is declared
  item["status"] = AttributeValue::Null();
  EXPECT_FALSE(IsIndexed(by_status, item));
  item["status"] = B("open");
  EXPECT_FALSE(IsIndexed(by_status, item));

  const IndexInfo& multi = Index(t, kMulti);
  Item m = Base("a", "1");
  m["region"] = S("eu");
  m["city"] = S("Paris");
  m["tier"] = N("1");
  EXPECT_FALSE(IsIndexed(multi, m));  // the second RANGE attribute is missing
  m["name"] = S("x");
  EXPECT_TRUE(IsIndexed(multi, m));
  m.erase("city");
  EXPECT_FALSE(IsIndexed(multi, m));  // the second HASH attribute is missing
  m["city"] = N("1");
  EXPECT_FALSE(IsIndexed(multi, m));

  const IndexInfo& by_blob = Index(t, kByBlob);
  Item b = Base("a", "1");
  EXPECT_FALSE(IsIndexed(by_blob, b));
  b["blob"] = B(std::string("\x00", 1));
  EXPECT_TRUE(IsIndexed(by_blob, b));
  b["blob"] = S("x");
  EXPECT_FALSE(IsIndexed(by_blob, b));
}

// Values no write may give an index key (empty, over the key size limits) are not indexed: only a
// GSI backfill meets them, and DynamoDB's leaves such items out.
TEST(IndexEntriesTest, IsIndexedNeedsKeysWithinDynamoDBsLimits) {
  TableInfo t = Table();
  const IndexInfo& multi = Index(t, kMulti);
  Item m = Base("a", "1");
  m["region"] = S(std::string(2048, 'r'));
  m["city"] = S(std::string(2048, 'c'));
  m["tier"] = N("1");
  m["name"] = S(std::string(1024, 'n'));  // with tier (an N, no bytes counted): 1024 together
  EXPECT_TRUE(IsIndexed(multi, m));
  m["region"] = S(std::string(2049, 'r'));  // each HASH attribute at most 2048 bytes
  EXPECT_FALSE(IsIndexed(multi, m));
  m["region"] = S("");
  EXPECT_FALSE(IsIndexed(multi, m));
  m["region"] = S("eu");
  m["name"] = S(std::string(1025, 'n'));  // the RANGE attributes at most 1024 bytes together
  EXPECT_FALSE(IsIndexed(multi, m));
  m["name"] = S("");
  EXPECT_FALSE(IsIndexed(multi, m));

  const IndexInfo& by_blob = Index(t, kByBlob);
  Item b = Base("a", "1");
  b["blob"] = B("");
  EXPECT_FALSE(IsIndexed(by_blob, b));
  b["blob"] = B(std::string(2048, '\0'));
  EXPECT_TRUE(IsIndexed(by_blob, b));
  b["blob"] = B(std::string(2049, '\0'));
  EXPECT_FALSE(IsIndexed(by_blob, b));
}

// ---------------------------------------------------------------------------------------------
// Entry keys.

TEST(IndexEntriesTest, EntryKeyStartsWithTheIndexIdAndPartitionPrefix) {
  TableInfo t = Table();
  const IndexInfo& x = Index(t, kByStatus);
  Item item = Base("a", "1");
  item["status"] = S("open");
  item["when"] = N("5");
  std::string key = EntryKey(x, t, item);
  EXPECT_EQ(key.substr(0, 4), BigEndian32(kByStatus));
  std::string prefix = PartitionPrefix(x, {&item.at("status")});
  EXPECT_TRUE(key.starts_with(prefix));
  // index id | hash u64 | len u16 | "open"
  EXPECT_EQ(prefix.size(), 4u + 8 + 2 + 4);
  EXPECT_EQ(prefix.substr(12), std::string("\x00\x04open", 6));
  AttributeValue closed = S("closed");
  EXPECT_FALSE(key.starts_with(PartitionPrefix(x, {&closed})));
}

TEST(IndexEntriesTest, EntriesSortByRangeKeyNumerically) {
  TableInfo t = Table();
  auto engine = OpenInMemory();
  std::vector<Item> items;
  const char* whens[] = {
      "-100", "-1.5", "-1", "0", "0.001", "1", "2", "10", "100000000000000000000"};
  for (int i = 0; i < 9; ++i) {
    Item item = Base("p" + std::to_string(i), "1");
    item["status"] = S("open");
    item["when"] = N(whens[i]);
    items.push_back(item);
  }
  Insert(engine.get(), t, items);
  std::vector<Item> got = Scan(engine.get(), kByStatus);
  ASSERT_EQ(got.size(), items.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].at("when").s, whens[i]) << i;
}

TEST(IndexEntriesTest, EqualIndexKeysSortByTableKey) {
  TableInfo t = Table();
  auto engine = OpenInMemory();
  // Same status and when: the order is the table's key order, pk (bytes) then sk (numeric).
  std::vector<std::pair<std::string, std::string>> keys = {
      {"a", "-3"}, {"a", "2"}, {"a", "10"}, {"ab", "-7"}, {"b", "0"}, {"\xc3\xa9", "1"}};
  std::vector<Item> items;
  for (const auto& [pk, sk] : keys) {
    Item item = Base(pk, sk);
    item["status"] = S("open");
    item["when"] = N("5");
    items.push_back(item);
  }
  Insert(engine.get(), t, items);
  std::vector<Item> got = Scan(engine.get(), kByStatus);
  ASSERT_EQ(got.size(), keys.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].at("pk").s, keys[i].first) << i;
    EXPECT_EQ(got[i].at("sk").s, keys[i].second) << i;
  }
}

TEST(IndexEntriesTest, LocalIndexSortsEachPartitionByItsRangeKey) {
  TableInfo t = Table();
  auto engine = OpenInMemory();
  std::vector<Item> items;
  for (int sk = 0; sk < 6; ++sk) {
    Item item = Base("same", std::to_string(sk));
    item["score"] = N(std::to_string(50 - sk * 10));  // 50, 40, ..., 0: reverse of sk
    items.push_back(item);
  }
  Insert(engine.get(), t, items);
  std::vector<Item> got = Scan(engine.get(), kByScore);
  ASSERT_EQ(got.size(), 6u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].at("sk").s, std::to_string(5 - i));
}

TEST(IndexEntriesTest, MultiAttributeKeysSortAsTuples) {
  TableInfo t = Table();
  const IndexInfo& x = Index(t, kMulti);
  auto engine = OpenInMemory();
  // One partition (eu, Paris); RANGE (tier N, name S) in DynamoDB's order: tier first, then name
  // by bytes ("a" before "a\0" before "ab": a value sorts before its extensions).
  std::vector<std::pair<std::string, std::string>> ranges = {
      {"-2", "z"}, {"1", "a"},        {"1", std::string("a\0", 2)},
      {"1", "ab"}, {"1", "b"},        {"9", "a"},
      {"10", "a"}, {"10", "\xc3\xa9"}};
  std::vector<Item> items;
  for (size_t i = 0; i < ranges.size(); ++i) {
    Item item = Base("p" + std::to_string(i), "1");
    item["region"] = S("eu");
    item["city"] = S("Paris");
    item["tier"] = N(ranges[i].first);
    item["name"] = S(ranges[i].second);
    items.push_back(item);
  }
  Insert(engine.get(), t, items);
  AttributeValue eu = S("eu"), paris = S("Paris");
  std::string prefix = PartitionPrefix(x, {&eu, &paris});
  std::vector<Item> got = Scan(engine.get(), kMulti);
  ASSERT_EQ(got.size(), ranges.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].at("tier").s, ranges[i].first) << i;
    EXPECT_EQ(got[i].at("name").s, ranges[i].second) << i;
    EXPECT_TRUE(EntryKey(x, t, got[i]).starts_with(prefix));
  }
}

TEST(IndexEntriesTest, MultiAttributePartitionsNeverRunTogether) {
  TableInfo t = Table();
  const IndexInfo& x = Index(t, kMulti);
  AttributeValue a = S("a"), bc = S("bc"), ab = S("ab"), c = S("c");
  std::string p1 = PartitionPrefix(x, {&a, &bc});
  std::string p2 = PartitionPrefix(x, {&ab, &c});
  EXPECT_NE(p1, p2);
  // Each HASH value is length-prefixed: ("a","bc") is 00 01 'a' 00 02 'b' 'c' after the header.
  EXPECT_EQ(p1.substr(12), (std::string{0, 7, 0, 1, 'a', 0, 2, 'b', 'c'}));
  Item item = Base("k", "1");
  item["region"] = S("ab");
  item["city"] = S("c");
  item["tier"] = N("1");
  item["name"] = S("n");
  std::string key = EntryKey(x, t, item);
  EXPECT_TRUE(key.starts_with(p2));
  EXPECT_FALSE(key.starts_with(p1));
}

// ---------------------------------------------------------------------------------------------
// Projections.

TEST(IndexEntriesTest, ProjectionsKeepWhatTheyDeclare) {
  TableInfo t = Table();
  Item item = Base("a", "1");
  item["status"] = S("open");
  item["when"] = N("5");
  item["score"] = N("7");
  item["note"] = S("hello");
  item["other"] = S("dropped");
  item["region"] = S("eu");
  item["city"] = S("Paris");
  item["tier"] = N("1");
  item["name"] = S("n");

  // ALL: everything.
  EXPECT_EQ(Project(Index(t, kMulti), t, item), item);
  EXPECT_TRUE(Projects(Index(t, kMulti), t, "other"));

  // KEYS_ONLY: the table's and the index's keys.
  Item keys_only = Base("a", "1");
  keys_only["status"] = S("open");
  keys_only["when"] = N("5");
  EXPECT_EQ(Project(Index(t, kByStatus), t, item), keys_only);
  EXPECT_TRUE(Projects(Index(t, kByStatus), t, "pk"));
  EXPECT_TRUE(Projects(Index(t, kByStatus), t, "when"));
  EXPECT_FALSE(Projects(Index(t, kByStatus), t, "note"));

  // INCLUDE: keys plus the NonKeyAttributes the item has.
  Item include = Base("a", "1");
  include["score"] = N("7");
  include["note"] = S("hello");
  EXPECT_EQ(Project(Index(t, kByScore), t, item), include);
  EXPECT_TRUE(Projects(Index(t, kByScore), t, "note"));
  EXPECT_FALSE(Projects(Index(t, kByScore), t, "other"));
  EXPECT_FALSE(Projects(Index(t, kByScore), t, "status"));

  // INCLUDE of an attribute the item lacks ("missing"): nothing appears for it.
  Item blob = item;
  blob["blob"] = B("xyz");
  Item expected = Base("a", "1");
  expected["blob"] = B("xyz");
  expected["note"] = S("hello");
  EXPECT_EQ(Project(Index(t, kByBlob), t, blob), expected);
  EXPECT_TRUE(Projects(Index(t, kByBlob), t, "missing"));
}

// ---------------------------------------------------------------------------------------------
// AddIndexUpdates: the batch operations of a change.

class IndexUpdatesTest : public ::testing::Test {
 protected:
  // A table with only index `id`, so that the batch holds only its operations.
  static TableInfo Only(uint32_t id) {
    TableInfo t = Table();
    TableInfo only = t;
    only.indexes = {Index(t, id)};
    return only;
  }

  static WriteBatch Updates(const TableInfo& t, const Item* old_item, const Item* new_item) {
    WriteBatch batch;
    AddIndexUpdates(t, old_item, new_item, &batch);
    return batch;
  }

  static void ExpectPut(const WriteBatch::Op& op, const TableInfo& t, const Item& item) {
    const IndexInfo& x = t.indexes.front();
    EXPECT_EQ(op.type, WriteBatch::OpType::kPut) << Describe(op);
    EXPECT_EQ(op.column, Column::kIndex);
    EXPECT_EQ(op.key, EntryKey(x, t, item));
    EXPECT_EQ(op.value, Encoded(Project(x, t, item)));
  }

  static void ExpectDelete(const WriteBatch::Op& op, const TableInfo& t, const Item& item) {
    EXPECT_EQ(op.type, WriteBatch::OpType::kDelete) << Describe(op);
    EXPECT_EQ(op.column, Column::kIndex);
    EXPECT_EQ(op.key, EntryKey(t.indexes.front(), t, item));
  }
};

TEST_F(IndexUpdatesTest, InsertPutsTheEntryOfAnIndexedItem) {
  TableInfo t = Only(kByStatus);
  Item item = Base("a", "1");
  item["status"] = S("open");
  item["when"] = N("5");
  item["other"] = S("x");
  WriteBatch b = Updates(t, nullptr, &item);
  ASSERT_EQ(b.ops().size(), 1u);
  ExpectPut(b.ops()[0], t, item);
}

TEST_F(IndexUpdatesTest, SparseItemsHaveNoEntry) {
  TableInfo t = Only(kByStatus);
  Item item = Base("a", "1");
  item["status"] = S("open");  // no "when"
  EXPECT_TRUE(Updates(t, nullptr, &item).empty());
  EXPECT_TRUE(Updates(t, &item, nullptr).empty());
  Item other = item;
  other["x"] = S("y");
  EXPECT_TRUE(Updates(t, &item, &other).empty());
  item["when"] = S("5");  // wrong type
  EXPECT_TRUE(Updates(t, nullptr, &item).empty());
}

TEST_F(IndexUpdatesTest, DeleteRemovesTheEntry) {
  TableInfo t = Only(kByStatus);
  Item item = Base("a", "1");
  item["status"] = S("open");
  item["when"] = N("5");
  WriteBatch b = Updates(t, &item, nullptr);
  ASSERT_EQ(b.ops().size(), 1u);
  ExpectDelete(b.ops()[0], t, item);
}

TEST_F(IndexUpdatesTest, ChangedIndexKeyDeletesTheOldEntryAndPutsTheNew) {
  TableInfo t = Only(kByStatus);
  Item before = Base("a", "1");
  before["status"] = S("open");
  before["when"] = N("5");
  Item after = before;
  after["status"] = S("closed");
  WriteBatch b = Updates(t, &before, &after);
  ASSERT_EQ(b.ops().size(), 2u);
  ExpectDelete(b.ops()[0], t, before);
  ExpectPut(b.ops()[1], t, after);

  after = before;
  after["when"] = N("6");  // the RANGE attribute
  b = Updates(t, &before, &after);
  ASSERT_EQ(b.ops().size(), 2u);
  ExpectDelete(b.ops()[0], t, before);
  ExpectPut(b.ops()[1], t, after);
}

TEST_F(IndexUpdatesTest, LeavingTheIndexDeletesTheEntry) {
  TableInfo t = Only(kByStatus);
  Item before = Base("a", "1");
  before["status"] = S("open");
  before["when"] = N("5");
  Item removed = before;
  removed.erase("when");
  WriteBatch b = Updates(t, &before, &removed);
  ASSERT_EQ(b.ops().size(), 1u);
  ExpectDelete(b.ops()[0], t, before);

  Item retyped = before;
  retyped["status"] = N("1");
  b = Updates(t, &before, &retyped);
  ASSERT_EQ(b.ops().size(), 1u);
  ExpectDelete(b.ops()[0], t, before);

  // And entering it (the attribute set) puts the entry, deleting nothing.
  b = Updates(t, &removed, &before);
  ASSERT_EQ(b.ops().size(), 1u);
  ExpectPut(b.ops()[0], t, before);
}

TEST_F(IndexUpdatesTest, UnchangedEntriesAreSkipped) {
  // KEYS_ONLY: a change of a non-key attribute changes no entry.
  TableInfo keys_only = Only(kByStatus);
  Item before = Base("a", "1");
  before["status"] = S("open");
  before["when"] = N("5");
  before["note"] = S("one");
  Item after = before;
  after["note"] = S("two");
  after["new"] = N("1");
  EXPECT_TRUE(Updates(keys_only, &before, &after).empty());

  // INCLUDE: only the included attributes matter.
  TableInfo include = Only(kByScore);
  before["score"] = N("7");
  after = before;
  after["other"] = S("x");
  EXPECT_TRUE(Updates(include, &before, &after).empty());
  after["note"] = S("three");
  WriteBatch b = Updates(include, &before, &after);
  ASSERT_EQ(b.ops().size(), 1u);  // same key: a put over the old entry, no delete
  ExpectPut(b.ops()[0], include, after);

  // ALL: any change of the item rewrites the entry; an identical item writes nothing.
  TableInfo all = Only(kMulti);
  before["region"] = S("eu");
  before["city"] = S("Paris");
  before["tier"] = N("1");
  before["name"] = S("n");
  EXPECT_TRUE(Updates(all, &before, &before).empty());
  after = before;
  after["other"] = S("x");
  b = Updates(all, &before, &after);
  ASSERT_EQ(b.ops().size(), 1u);
  ExpectPut(b.ops()[0], all, after);
}

TEST_F(IndexUpdatesTest, EveryIndexOfTheTableIsMaintained) {
  TableInfo t = Table();
  Item item = Base("a", "1");
  item["status"] = S("open");
  item["when"] = N("5");
  item["score"] = N("3");
  item["blob"] = B("b");  // byStatus, byScore and byBlob; not multi
  WriteBatch b = Updates(t, nullptr, &item);
  ASSERT_EQ(b.ops().size(), 3u);
  std::vector<std::string> prefixes;
  for (const auto& op : b.ops()) {
    EXPECT_EQ(op.type, WriteBatch::OpType::kPut);
    EXPECT_EQ(op.column, Column::kIndex);
    prefixes.push_back(op.key.substr(0, 4));
  }
  EXPECT_EQ(prefixes, (std::vector<std::string>{BigEndian32(kByStatus), BigEndian32(kByScore),
                                                BigEndian32(kByBlob)}));

  // Through an engine: the entries are there, and a delete removes every one.
  auto engine = OpenInMemory();
  ASSERT_TRUE(engine->Write(b).ok());
  EXPECT_EQ(Scan(engine.get(), kByStatus).size(), 1u);
  EXPECT_EQ(Scan(engine.get(), kByBlob).size(), 1u);
  WriteBatch del = Updates(t, &item, nullptr);
  EXPECT_EQ(del.ops().size(), 3u);
  ASSERT_TRUE(engine->Write(del).ok());
  for (uint32_t id : {kByStatus, kByScore, kMulti, kByBlob})
    EXPECT_TRUE(Scan(engine.get(), id).empty()) << id;
}

}  // namespace
}  // namespace cairn::index
