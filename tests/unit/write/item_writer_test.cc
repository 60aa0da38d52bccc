// ItemWriter: the one write path. Checked on an in-memory engine with a real catalog, lock table
// and stream log: an item, its index entries and its stream record commit together or not at all;
// a refused decision writes nothing; a blind write reads only what the table must maintain; a
// multi-item write is all or nothing and asks every item; a transaction holding an item makes
// other writers Busy; a dropped table is NotFound; concurrent read-modify-writes lose no update;
// the backfill entry point writes one index only. RequestTokens: ClientRequestToken's claims.
#include "write/item_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "storage/key_encoding.h"
#include "storage/rocksdb_engine.h"
#include "types/number.h"

namespace cairn::write {
namespace {

using storage::Column;
using storage::TableInfo;

class ItemWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::Options o;
    o.in_memory = true;
    o.block_cache_bytes = 8 << 20;
    auto e = storage::OpenRocksDBEngine(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    catalog_ = std::make_unique<storage::Catalog>(engine_.get());
    ASSERT_TRUE(catalog_->Load().ok());
    locks_ = std::make_unique<txn::LockTable>();
    streams_ = std::make_unique<streams::StreamLog>(engine_.get(), 86400);
    ASSERT_TRUE(streams_->Load().ok());
    ItemWriter::Options wo;
    wo.conflict_wait = std::chrono::milliseconds(20);
    writer_ = std::make_unique<ItemWriter>(engine_.get(), catalog_.get(), locks_.get(),
                                           streams_.get(), wo);
  }

  // A table `name` with pk (S); optionally a GSI "by_g" on attribute g (S) and a stream.
  std::shared_ptr<const TableInfo> MakeTable(const std::string& name, bool gsi, bool stream) {
    TableInfo t;
    t.ns = "ns";
    t.name = name;
    t.region = "us-east-1";
    t.hash = {"pk", AttributeType::kS};
    t.attribute_definitions = {t.hash};
    if (gsi) {
      storage::IndexInfo x;
      x.name = "by_g";
      x.global = true;
      x.hash = {{"g", AttributeType::kS}};
      t.indexes.push_back(x);
    }
    auto created = catalog_->Create(t);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    auto table = *created;
    if (stream) {
      auto id = catalog_->AllocateId();
      EXPECT_TRUE(id.ok());
      uint32_t stream_id = *id;
      EXPECT_TRUE(catalog_
                      ->Modify("ns", name, table->id,
                               [&](TableInfo& cur) {
                                 cur.stream_id = stream_id;
                                 cur.stream_enabled = true;
                                 cur.stream_view_type = "NEW_AND_OLD_IMAGES";
                                 cur.stream_label = "2026-11-30T00:00:00.000";
                                 return Status::OK();
                               })
                      .ok());
      table = catalog_->Find("ns", name);
    }
    return table;
  }

  static std::string Key(const TableInfo& t, const std::string& pk) {
    std::string k;
    storage::AppendItemKey(&k, t.id, AttributeValue::String(pk), nullptr);
    return k;
  }

  static Item MakeItem(const std::string& pk, const std::string& g, int n = 0) {
    Item item;
    item.emplace("pk", AttributeValue::String(pk));
    if (!g.empty()) item.emplace("g", AttributeValue::String(g));
    item.emplace("n", AttributeValue::Num(std::to_string(n)));
    return item;
  }

  size_t Count(Column c) {
    auto it = engine_->NewIterator(c, storage::ReadOptions());
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    return n;
  }

  Status Put(const TableInfo& t, const Item& item, ReadOld read = ReadOld::kAlways) {
    std::optional<Item> old;
    return writer_->Write(t, Key(t, item.at("pk").s), read, &old,
                          [&](const TableInfo&, const Item*, Change* c) {
                            c->kind = Change::Kind::kPut;
                            c->new_item = &item;
                            return true;
                          });
  }

  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<storage::Catalog> catalog_;
  std::unique_ptr<txn::LockTable> locks_;
  std::unique_ptr<streams::StreamLog> streams_;
  std::unique_ptr<ItemWriter> writer_;
};

TEST_F(ItemWriterTest, PutWritesItemIndexEntryAndStreamRecordTogether) {
  auto t = MakeTable("t", /*gsi=*/true, /*stream=*/true);
  ASSERT_TRUE(Put(*t, MakeItem("a", "x")).ok());
  auto read = ReadItem(*engine_, Key(*t, "a"));
  ASSERT_TRUE(read.ok());
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ(**read, MakeItem("a", "x"));
  EXPECT_EQ(Count(Column::kIndex), 1u);
  EXPECT_EQ(Count(Column::kStream), 1u);
  // Moving the index key replaces the entry; the stream gets a MODIFY record.
  ASSERT_TRUE(Put(*t, MakeItem("a", "y")).ok());
  EXPECT_EQ(Count(Column::kIndex), 1u);
  EXPECT_EQ(Count(Column::kStream), 2u);
  // Writing the same item again changes nothing: no stream record.
  ASSERT_TRUE(Put(*t, MakeItem("a", "y")).ok());
  EXPECT_EQ(Count(Column::kStream), 2u);
}

TEST_F(ItemWriterTest, RefusedDecisionWritesNothingAndSeesTheOldItem) {
  auto t = MakeTable("t", true, true);
  ASSERT_TRUE(Put(*t, MakeItem("a", "x", 1)).ok());
  std::optional<Item> old;
  Item replacement = MakeItem("a", "z", 2);
  const Item* seen = nullptr;
  Status s = writer_->Write(*t, Key(*t, "a"), ReadOld::kAlways, &old,
                            [&](const TableInfo&, const Item* o, Change* c) {
                              seen = o;
                              c->kind = Change::Kind::kPut;
                              c->new_item = &replacement;
                              return false;
                            });
  EXPECT_TRUE(s.IsAborted()) << s.ToString();
  ASSERT_NE(seen, nullptr);
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(*old, MakeItem("a", "x", 1));
  auto read = ReadItem(*engine_, Key(*t, "a"));
  EXPECT_EQ(**read, MakeItem("a", "x", 1));
  EXPECT_EQ(Count(Column::kStream), 1u);
}

TEST_F(ItemWriterTest, BlindWriteReadsOnlyWhatTheTableMaintains) {
  auto plain = MakeTable("plain", false, false);
  auto indexed = MakeTable("indexed", true, false);
  for (const auto& t : {plain, indexed}) {
    ASSERT_TRUE(Put(*t, MakeItem("a", "x")).ok());
    std::optional<Item> old;
    bool saw_old = false;
    Status s = writer_->Write(*t, Key(*t, "a"), ReadOld::kIfMaintained, &old,
                              [&](const TableInfo&, const Item* o, Change* c) {
                                saw_old = o != nullptr;
                                c->kind = Change::Kind::kDelete;
                                return true;
                              });
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(saw_old, t == indexed) << t->name;
    EXPECT_FALSE(ReadItem(*engine_, Key(*t, "a"))->has_value());
  }
  EXPECT_EQ(Count(Column::kIndex), 0u);  // the indexed table's entry went with its item
}

TEST_F(ItemWriterTest, DeleteOfAbsentItemWritesNoStreamRecord) {
  auto t = MakeTable("t", false, true);
  std::optional<Item> old;
  Status s = writer_->Write(*t, Key(*t, "nothing"), ReadOld::kAlways, &old,
                            [&](const TableInfo&, const Item*, Change* c) {
                              c->kind = Change::Kind::kDelete;
                              return true;
                            });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(Count(Column::kStream), 0u);
}

TEST_F(ItemWriterTest, DroppedTableIsNotFound) {
  auto t = MakeTable("t", false, false);
  ASSERT_TRUE(catalog_->Drop("ns", "t", t->id).ok());
  EXPECT_TRUE(Put(*t, MakeItem("a", "")).IsNotFound());
  // A table re-created under the same name is another table.
  auto again = MakeTable("t", false, false);
  EXPECT_TRUE(Put(*t, MakeItem("a", "")).IsNotFound());
  EXPECT_TRUE(Put(*again, MakeItem("a", "")).ok());
}

TEST_F(ItemWriterTest, WriteManyIsAllOrNothingAndAsksEveryItem) {
  auto t = MakeTable("t", true, true);
  std::vector<Target> targets;
  std::vector<Item> items;
  for (int i = 0; i < 5; ++i) {
    items.push_back(MakeItem("k" + std::to_string(i), "g"));
    targets.push_back({t, Key(*t, "k" + std::to_string(i))});
  }
  std::vector<std::optional<Item>> olds;
  std::vector<size_t> asked;
  Status s = writer_->WriteMany(targets, Waiting::kTransaction, ReadOld::kAlways, &olds,
                                [&](size_t k, const TableInfo&, const Item*, Change* c) {
                                  asked.push_back(k);
                                  c->kind = Change::Kind::kPut;
                                  c->new_item = &items[k];
                                  return k != 1;  // the second one refuses
                                });
  EXPECT_TRUE(s.IsAborted());
  EXPECT_EQ(asked, (std::vector<size_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(Count(Column::kData), 0u);
  EXPECT_EQ(Count(Column::kIndex), 0u);
  EXPECT_EQ(Count(Column::kStream), 0u);

  s = writer_->WriteMany(targets, Waiting::kBatch, ReadOld::kAlways, &olds,
                         [&](size_t k, const TableInfo&, const Item*, Change* c) {
                           c->kind = Change::Kind::kPut;
                           c->new_item = &items[k];
                           return true;
                         });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Count(Column::kData), 5u);
  EXPECT_EQ(Count(Column::kIndex), 5u);
  EXPECT_EQ(Count(Column::kStream), 5u);
}

TEST_F(ItemWriterTest, TransactionHoldingAnItemMakesOtherWritersBusy) {
  auto t = MakeTable("t", false, false);
  const std::string key = Key(*t, "a");
  auto held = locks_->TryLockMany({ItemWriter::LockHash(key)},
                                  txn::LockTable::Holder::kTransaction,
                                  std::chrono::milliseconds(10));
  ASSERT_TRUE(held.has_value());
  std::atomic<bool> busy_single{false}, busy_txn{false}, busy_snapshot{false};
  std::thread other([&] {  // locks are per thread: the writers run on another one
    busy_single = Put(*t, MakeItem("a", "")).IsBusy();
    std::vector<std::optional<Item>> olds;
    Item item = MakeItem("a", "");
    size_t stripe = 0;
    Status s = writer_->WriteMany({{t, key}}, Waiting::kTransaction, ReadOld::kAlways, &olds,
                                  [&](size_t, const TableInfo&, const Item*, Change* c) {
                                    c->kind = Change::Kind::kPut;
                                    c->new_item = &item;
                                    return true;
                                  },
                                  &stripe);
    busy_txn = s.IsBusy() && stripe == txn::LockTable::StripeOf(ItemWriter::LockHash(key));
    busy_snapshot = writer_->SnapshotOf({{t, key}}, &stripe).status().IsBusy();
  });
  other.join();
  EXPECT_TRUE(busy_single);
  EXPECT_TRUE(busy_txn);
  EXPECT_TRUE(busy_snapshot);
  EXPECT_EQ(Count(Column::kData), 0u);
  held.reset();
  EXPECT_TRUE(Put(*t, MakeItem("a", "")).ok());
}

TEST_F(ItemWriterTest, ConcurrentReadModifyWritesLoseNoUpdate) {
  auto t = MakeTable("t", true, true);
  const std::string key = Key(*t, "counter");
  constexpr int kThreads = 8, kEach = 200;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < kEach; ++j) {
        Item next;
        std::optional<Item> old;
        Status s = writer_->Write(*t, key, ReadOld::kAlways, &old,
                                  [&](const TableInfo&, const Item* o, Change* c) {
                                    int n = o ? std::stoi(o->at("n").s) : 0;
                                    next = MakeItem("counter", "g", n + 1);
                                    c->kind = Change::Kind::kPut;
                                    c->new_item = &next;
                                    return true;
                                  });
        ASSERT_TRUE(s.ok()) << s.ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  auto read = ReadItem(*engine_, key);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->at("n").s, std::to_string(kThreads * kEach));
  EXPECT_EQ(Count(Column::kStream), size_t(kThreads * kEach));
  EXPECT_EQ(Count(Column::kIndex), 1u);
}

TEST_F(ItemWriterTest, IndexItemWritesTheNamedIndexOnly) {
  auto t = MakeTable("t", true, false);
  ASSERT_TRUE(Put(*t, MakeItem("a", "x")).ok());
  // Clear the index column as if the index were new, then backfill the item.
  storage::WriteBatch clear;
  clear.DeleteRange(Column::kIndex, storage::TablePrefix(0), storage::TableEnd(UINT32_MAX - 1));
  ASSERT_TRUE(engine_->Write(clear).ok());
  ASSERT_EQ(Count(Column::kIndex), 0u);
  ASSERT_TRUE(writer_->IndexItem(*t, t->indexes[0].id, Key(*t, "a")).ok());
  EXPECT_EQ(Count(Column::kIndex), 1u);
  EXPECT_TRUE(writer_->IndexItem(*t, t->indexes[0].id, Key(*t, "gone")).ok());
  // An index or a table dropped meanwhile: NotFound, nothing written.
  EXPECT_TRUE(writer_->IndexItem(*t, /*index_id=*/999999, Key(*t, "a")).IsNotFound());
  EXPECT_EQ(Count(Column::kIndex), 1u);
  ASSERT_TRUE(catalog_->Drop("ns", "t", t->id).ok());
  EXPECT_TRUE(writer_->IndexItem(*t, t->indexes[0].id, Key(*t, "a")).IsNotFound());
}

TEST(RequestTokensTest, ClaimsMismatchesProgressAndAnswers) {
  RequestTokens tokens;
  std::string answer;
  EXPECT_EQ(tokens.Try("k", "req", &answer), RequestTokens::Claim::kClaimed);
  EXPECT_EQ(tokens.Try("k", "req", &answer), RequestTokens::Claim::kInProgress);
  EXPECT_EQ(tokens.Try("k", "other", &answer), RequestTokens::Claim::kMismatch);
  tokens.Finish("k", "{\"ok\":1}");
  EXPECT_EQ(tokens.Try("k", "req", &answer), RequestTokens::Claim::kDone);
  EXPECT_EQ(answer, "{\"ok\":1}");
  EXPECT_EQ(tokens.Try("k", "other", &answer), RequestTokens::Claim::kMismatch);
  tokens.Release("k");  // a finished token stays
  EXPECT_EQ(tokens.Try("k", "req", &answer), RequestTokens::Claim::kDone);
  // A released claim lets a retry run.
  EXPECT_EQ(tokens.Try("j", "req", &answer), RequestTokens::Claim::kClaimed);
  tokens.Release("j");
  EXPECT_EQ(tokens.Try("j", "req", &answer), RequestTokens::Claim::kClaimed);
}

}  // namespace
}  // namespace cairn::write
