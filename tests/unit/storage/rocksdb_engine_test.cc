// RocksDBEngine: the Engine contract (engine.h) on RocksDB, on disk and in memory: point reads and
// writes per column, atomic batches, bounded iteration both ways, snapshots, persistence across
// reopen, nothing kept in memory mode, and the directory lock.
#include "storage/rocksdb_engine.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace cairn::storage {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cairn_engine_XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::unique_ptr<Engine> MustOpen(const Options& options) {
  Result<std::unique_ptr<Engine>> r = OpenRocksDBEngine(options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

std::unique_ptr<Engine> OpenInMemory() {
  Options o;
  o.in_memory = true;
  o.block_cache_bytes = 8 << 20;
  return MustOpen(o);
}

void Put(Engine* e, Column c, std::string_view k, std::string_view v) {
  WriteBatch b;
  b.Put(c, k, v);
  ASSERT_TRUE(e->Write(b).ok());
}

// "value" or "<absent>"; other errors fail the test.
std::string GetOrAbsent(Engine* e, Column c, std::string_view k,
                        const Snapshot* snapshot = nullptr) {
  std::string v;
  Status s = e->Get(c, k, &v, snapshot);
  if (s.IsNotFound()) return "<absent>";
  EXPECT_TRUE(s.ok()) << s.ToString();
  return v;
}

std::vector<std::string> Forward(Iterator* it) {
  std::vector<std::string> out;
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace_back(it->key());
  EXPECT_TRUE(it->status().ok());
  return out;
}

std::vector<std::string> Backward(Iterator* it) {
  std::vector<std::string> out;
  for (it->SeekToLast(); it->Valid(); it->Prev()) out.emplace_back(it->key());
  EXPECT_TRUE(it->status().ok());
  return out;
}

std::string K(int i) {
  char buf[8];
  snprintf(buf, sizeof(buf), "k%02d", i);
  return buf;
}

TEST(RocksDBEngineTest, PutGetDeletePerColumn) {
  auto e = OpenInMemory();
  ASSERT_NE(e, nullptr);
  std::string v;
  Status s = e->Get(Column::kData, "a", &v);
  EXPECT_EQ(s.code(), Status::Code::kNotFound);

  Put(e.get(), Column::kData, "a", "data-a");
  Put(e.get(), Column::kMeta, "a", "meta-a");
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "a"), "data-a");
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kMeta, "a"), "meta-a");
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kIndex, "a"), "<absent>");
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kStream, "a"), "<absent>");

  Put(e.get(), Column::kData, "a", "data-a2");  // overwrite
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "a"), "data-a2");

  WriteBatch del;
  del.Delete(Column::kData, "a");
  ASSERT_TRUE(e->Write(del).ok());
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "a"), "<absent>");
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kMeta, "a"), "meta-a");

  // Binary keys and values, including zero bytes, round-trip exactly.
  const std::string bk("\x00\xff\x00", 3), bv("\x00\x01\x02\x00", 4);
  Put(e.get(), Column::kIndex, bk, bv);
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kIndex, bk), bv);
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kIndex, std::string("\x00\xff", 2)), "<absent>");

  EXPECT_TRUE(e->Write(WriteBatch()).ok());  // an empty batch is a no-op
}

TEST(RocksDBEngineTest, DeleteRangeRemovesExactlyTheHalfOpenRange) {
  auto e = OpenInMemory();
  for (int i = 0; i < 10; ++i) Put(e.get(), Column::kData, K(i), "v");
  Put(e.get(), Column::kIndex, K(5), "other column");
  WriteBatch b;
  b.DeleteRange(Column::kData, K(3), K(7));
  ASSERT_TRUE(e->Write(b).ok());
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, K(i)), (i >= 3 && i < 7) ? "<absent>" : "v") << i;
  }
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kIndex, K(5)), "other column");
  auto it = e->NewIterator(Column::kData, {});
  EXPECT_EQ(Forward(it.get()), (std::vector<std::string>{K(0), K(1), K(2), K(7), K(8), K(9)}));
  // A key written after the range deletion is visible again.
  Put(e.get(), Column::kData, K(4), "new");
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, K(4)), "new");
}

TEST(RocksDBEngineTest, BatchAppliesAllOpsTogether) {
  auto e = OpenInMemory();
  Put(e.get(), Column::kData, "old", "1");
  WriteBatch b;
  b.Put(Column::kData, "item", "v1");
  b.Put(Column::kIndex, "entry", "v1");
  b.Put(Column::kStream, "record", "v1");
  b.Delete(Column::kData, "old");
  ASSERT_TRUE(e->Write(b).ok());
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "item"), "v1");
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kIndex, "entry"), "v1");
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kStream, "record"), "v1");
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "old"), "<absent>");

  // Readers never see half a batch: a writer keeps "x" (data) and "y" (index) equal; readers read
  // both from one snapshot.
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 2000; ++i) {
      WriteBatch w;
      w.Put(Column::kData, "x", std::to_string(i));
      w.Put(Column::kIndex, "y", std::to_string(i));
      ASSERT_TRUE(e->Write(w).ok());
    }
    done = true;
  });
  int mismatches = 0;
  int reads = 0;
  while (!done.load() && reads < 1000000) {
    auto snap = e->GetSnapshot();
    if (GetOrAbsent(e.get(), Column::kData, "x", snap.get()) !=
        GetOrAbsent(e.get(), Column::kIndex, "y", snap.get())) {
      ++mismatches;
    }
    ++reads;
  }
  writer.join();
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "x"), "1999");
}

TEST(RocksDBEngineTest, FailedBatchWritesNothing) {
  auto e = OpenInMemory();
  WriteBatch b;
  b.Put(Column::kData, "a", "1");
  b.DeleteRange(Column::kData, "z", "b");  // begin > end: RocksDB rejects the whole batch
  Status s = e->Write(b);
  EXPECT_EQ(s.code(), Status::Code::kIOError) << s.ToString();
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "a"), "<absent>");
}

class BoundedIteratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    e_ = OpenInMemory();
    for (int i = 0; i < 20; ++i)
      Put(e_.get(), Column::kData, K(i), std::string("v").append(std::to_string(i)));
    Put(e_.get(), Column::kMeta, "k10", "meta");  // another column: never seen
  }
  std::unique_ptr<Iterator> Bounded(std::string lower, std::string upper) {
    ReadOptions o;  // dies before the iterator is used: the iterator must keep its own bounds
    o.lower_bound = std::move(lower);
    o.upper_bound = std::move(upper);
    return e_->NewIterator(Column::kData, o);
  }
  std::vector<std::string> Keys(int from, int to) {  // [from, to)
    std::vector<std::string> out;
    for (int i = from; i < to; ++i) out.push_back(K(i));
    return out;
  }
  std::unique_ptr<Engine> e_;
};

TEST_F(BoundedIteratorTest, BothBounds) {
  auto it = Bounded(K(5), K(15));
  EXPECT_EQ(Forward(it.get()), Keys(5, 15));
  std::vector<std::string> back = Keys(5, 15);
  std::reverse(back.begin(), back.end());
  EXPECT_EQ(Backward(it.get()), back);

  it->Seek("a");  // below the lower bound: clamped
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), K(5));
  EXPECT_EQ(it->value(), "v5");
  it->Seek("k10");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "k10");
  it->Seek("k10x");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "k11");
  it->Seek(K(15));  // the upper bound is exclusive
  EXPECT_FALSE(it->Valid());

  it->SeekForPrev("z");  // above the upper bound: the last key inside
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), K(14));
  it->SeekForPrev("k10x");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "k10");
  it->SeekForPrev("k10");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "k10");
  it->SeekForPrev(K(4));  // below the lower bound
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST_F(BoundedIteratorTest, LowerOnlyUpperOnlyAndNone) {
  auto lower = Bounded(K(17), "");
  EXPECT_EQ(Forward(lower.get()), Keys(17, 20));
  EXPECT_EQ(Backward(lower.get()), (std::vector<std::string>{K(19), K(18), K(17)}));

  auto upper = Bounded("", K(2));
  EXPECT_EQ(Forward(upper.get()), Keys(0, 2));
  EXPECT_EQ(Backward(upper.get()), (std::vector<std::string>{K(1), K(0)}));

  auto all = Bounded("", "");
  EXPECT_EQ(Forward(all.get()), Keys(0, 20));

  auto empty = Bounded("k05x", "k06");  // no key inside
  EXPECT_TRUE(Forward(empty.get()).empty());
  EXPECT_TRUE(Backward(empty.get()).empty());
}

TEST(RocksDBEngineTest, SnapshotIsolation) {
  auto e = OpenInMemory();
  Put(e.get(), Column::kData, "a", "1");
  Put(e.get(), Column::kData, "b", "1");
  auto snap = e->GetSnapshot();
  Put(e.get(), Column::kData, "a", "2");
  Put(e.get(), Column::kData, "c", "2");
  WriteBatch d;
  d.Delete(Column::kData, "b");
  d.DeleteRange(Column::kData, "a", "b");
  ASSERT_TRUE(e->Write(d).ok());

  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "a", snap.get()), "1");
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "b", snap.get()), "1");
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "c", snap.get()), "<absent>");
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "a"), "<absent>");
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "b"), "<absent>");
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "c"), "2");

  ReadOptions o;
  o.snapshot = snap.get();
  auto old_view = e->NewIterator(Column::kData, o);
  EXPECT_EQ(Forward(old_view.get()), (std::vector<std::string>{"a", "b"}));
  old_view->Seek("a");
  ASSERT_TRUE(old_view->Valid());
  EXPECT_EQ(old_view->value(), "1");
  auto new_view = e->NewIterator(Column::kData, {});
  EXPECT_EQ(Forward(new_view.get()), (std::vector<std::string>{"c"}));
  old_view.reset();
  snap.reset();  // released before the engine
}

TEST(RocksDBEngineTest, ReopenOnDiskKeepsDataAndCreatesColumns) {
  TempDir tmp;
  Options o;
  o.data_dir = tmp.path() + "/nested/dir";  // parents are created
  o.block_cache_bytes = 8 << 20;
  for (bool sync : {false, true}) {
    o.sync = sync;
    {
      auto e = MustOpen(o);
      ASSERT_NE(e, nullptr);
      Put(e.get(), Column::kData, "item", sync ? "synced" : "logged");
      Put(e.get(), Column::kStream, "rec", "r");
      WriteBatch b;
      b.Put(Column::kMeta, "gone", "x");
      b.Delete(Column::kMeta, "gone");
      ASSERT_TRUE(e->Write(b).ok());
    }
    auto e = MustOpen(o);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "item"), sync ? "synced" : "logged");
    EXPECT_EQ(GetOrAbsent(e.get(), Column::kStream, "rec"), "r");
    EXPECT_EQ(GetOrAbsent(e.get(), Column::kMeta, "gone"), "<absent>");
  }
  std::vector<std::string> families;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), o.data_dir, &families).ok());
  std::sort(families.begin(), families.end());
  EXPECT_EQ(families, (std::vector<std::string>{"backup", "data", "default", "index", "meta",
                                                "stream"}));
}

// On disk without sync the WAL waits in the process until FlushLog (the server calls it before
// answers leave): a process killed after FlushLog keeps what it wrote before, and loses what
// came after (never answered). A clean close writes it out. With sync, or in memory, nothing
// waits. The kill is a child process that ends with _exit (no destructor, no flush).
TEST(RocksDBEngineTest, OnDiskTheLogReachesItsFileAtFlushLogOrAtClose) {
  TempDir tmp;
  Options o;
  o.data_dir = tmp.path() + "/db";
  o.block_cache_bytes = 8 << 20;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto e = OpenRocksDBEngine(o);
    if (!e.ok() || !(*e)->BuffersLog()) _exit(2);
    WriteBatch b;
    b.Put(Column::kData, "told", "1");
    if (!(*e)->Write(b).ok() || !(*e)->FlushLog().ok()) _exit(3);
    WriteBatch later;
    later.Put(Column::kData, "untold", "2");
    if (!(*e)->Write(later).ok()) _exit(4);
    _exit(0);  // as kill -9 would: the engine is not closed
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  {
    auto e = MustOpen(o);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "told"), "1");
    EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "untold"), "<absent>");
    Put(e.get(), Column::kData, "closed", "3");  // no FlushLog: the close writes it
  }
  auto e = MustOpen(o);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "closed"), "3");
  e.reset();
  o.sync = true;
  EXPECT_FALSE(MustOpen(o)->BuffersLog());
  EXPECT_FALSE(OpenInMemory()->BuffersLog());
}

TEST(RocksDBEngineTest, InMemoryKeepsNothingBetweenOpens) {
  {
    auto e = OpenInMemory();
    Put(e.get(), Column::kData, "a", "1");
    // A second in-memory engine at the same time is independent.
    auto other = OpenInMemory();
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(GetOrAbsent(other.get(), Column::kData, "a"), "<absent>");
  }
  auto e = OpenInMemory();
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "a"), "<absent>");
  EXPECT_FALSE(std::filesystem::exists("/cairn-in-memory"));
}

TEST(RocksDBEngineTest, SecondOpenOfSameDirectoryIsIOError) {
  TempDir tmp;
  Options o;
  o.data_dir = tmp.path();
  o.block_cache_bytes = 8 << 20;
  auto first = MustOpen(o);
  ASSERT_NE(first, nullptr);
  Result<std::unique_ptr<Engine>> second = OpenRocksDBEngine(o);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kIOError) << second.status().ToString();
  first.reset();
  auto third = MustOpen(o);  // the lock is released on close
  EXPECT_NE(third, nullptr);
}

TEST(RocksDBEngineTest, UnusableDirectoryIsIOError) {
  TempDir tmp;
  const std::string file = tmp.path() + "/file";
  FILE* f = fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fclose(f);
  Options o;
  o.data_dir = file + "/db";  // a parent is a regular file
  Result<std::unique_ptr<Engine>> r = OpenRocksDBEngine(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kIOError);
}

TEST(RocksDBEngineTest, CompactRangeAfterDeleteRangeKeepsTheRest) {
  TempDir tmp;
  Options o;
  o.data_dir = tmp.path();
  o.block_cache_bytes = 8 << 20;
  {
    auto e = MustOpen(o);
    for (int t = 0; t < 4; ++t) {
      WriteBatch b;
      for (int i = 0; i < 500; ++i)
        b.Put(Column::kData, std::string("t").append(std::to_string(t)).append(K(i)), "v");
      ASSERT_TRUE(e->Write(b).ok());
    }
    WriteBatch d;
    d.DeleteRange(Column::kData, "t1", "t3");
    ASSERT_TRUE(e->Write(d).ok());
    e->CompactRange(Column::kData, "t1", "t3");
    for (int i = 0; i < 200; ++i) e->CompactRange(Column::kIndex, K(i), K(i + 1));  // queue
    e->CompactRange(Column::kData, "", "");                                         // whole column
    // Destroyed with requests queued or running: must neither hang nor touch a closed database.
  }
  auto e = MustOpen(o);
  auto it = e->NewIterator(Column::kData, {});
  std::vector<std::string> keys = Forward(it.get());
  ASSERT_EQ(keys.size(), 1000u);
  EXPECT_EQ(keys.front(), std::string("t0").append(K(0)));
  EXPECT_EQ(keys[500], std::string("t3").append(K(0)));
}

// Stats(): RocksDB's figures through the seam, without RocksDB types. On disk: the block cache
// and the write-ahead log.
TEST(RocksDBEngineTest, StatsReportMemtablesCacheAndLog) {
  TempDir tmp;
  Options o;
  o.data_dir = tmp.path();
  o.block_cache_bytes = 8 << 20;
  auto e = MustOpen(o);
  ASSERT_NE(e, nullptr);
  const EngineStats before = e->Stats();
  EXPECT_EQ(before.block_cache_capacity_bytes, 8 << 20);
  EXPECT_GE(before.block_cache_usage_bytes, 0);
  EXPECT_GE(before.pending_compaction_bytes, 0);
  EXPECT_EQ(before.running_compactions, 0);
  EXPECT_GE(before.sst_bytes, 0);
  const std::string value(1000, 'v');
  for (int i = 0; i < 50; ++i) Put(e.get(), Column::kData, K(i), value);
  ASSERT_TRUE(e->FlushLog().ok());  // the log reaches its files when the server answers
  const EngineStats after = e->Stats();
  EXPECT_GT(after.memtable_bytes, before.memtable_bytes + 40 * 1000);
  EXPECT_GT(after.wal_bytes, before.wal_bytes + 40 * 1000);
}

// In memory the data is held once: no write-ahead log (nothing would replay it) and no block
// cache (the table files are memory already), whatever block_cache_bytes says. Flushed data still
// reads back (from the table file in memory, uncompressed).
TEST(RocksDBEngineTest, InMemoryHasNoLogAndNoBlockCache) {
  auto e = OpenInMemory();
  ASSERT_NE(e, nullptr);
  const std::string value(1000, 'v');
  for (int i = 0; i < 50; ++i) Put(e.get(), Column::kData, K(i), value);
  const EngineStats stats = e->Stats();
  EXPECT_GT(stats.memtable_bytes, 40 * 1000);
  EXPECT_EQ(stats.wal_bytes, 0);
  EXPECT_EQ(stats.block_cache_capacity_bytes, -1);
  EXPECT_EQ(stats.block_cache_usage_bytes, -1);
  // 20 MB through 16 MB memtables: at least one flush to a table file, read back without a cache.
  const std::string big(20000, 'b');
  for (int i = 0; i < 1000; ++i) Put(e.get(), Column::kData, "big" + K(i), big);
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, K(7)), value);
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "big" + K(3)), big);
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "big" + K(999)), big);
  EXPECT_EQ(GetOrAbsent(e.get(), Column::kData, "absent"), "<absent>");
}

// Iterators whose bounds lie inside one partition (the first 12 bytes: table or index id and
// partition hash, as a Query's) use RocksDB's prefix filters; others iterate in total order. Both
// must see exactly the keys in range, whatever files and memtables they are spread over: here a
// partition's keys lie in three table files (one per open: recovery flushes the log) and the
// memtable, with deletions in later files, beside neighbouring partitions and short keys.
TEST(RocksDBEngineTest, PartitionBoundedIteratorsSeeKeysInEveryFileAndMemtable) {
  TempDir tmp;
  Options o;
  o.data_dir = tmp.path();
  o.block_cache_bytes = 8 << 20;
  auto partition = [](uint32_t id, uint64_t hash) {
    std::string p;
    for (int i = 3; i >= 0; --i) p.push_back(char(id >> (8 * i)));
    for (int i = 7; i >= 0; --i) p.push_back(char(hash >> (8 * i)));
    return p;
  };
  const uint64_t hashes[] = {0, 0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL};
  std::map<std::string, std::string> expected;
  for (int round = 0; round < 4; ++round) {
    auto e = MustOpen(o);
    WriteBatch b;
    for (uint32_t id : {7u, 8u})
      for (uint64_t h : hashes)
        for (int i = round; i < 40; i += 4) {
          std::string k = partition(id, h) + K(i);
          b.Put(Column::kData, k, std::to_string(round));
          expected[k] = std::to_string(round);
        }
    if (round == 3)  // deletions of keys written to table files by earlier rounds
      for (int i = 0; i < 40; i += 5) {
        std::string k = partition(7, hashes[2]) + K(i);
        b.Delete(Column::kData, k);
        expected.erase(k);
      }
    b.Put(Column::kData, "short", "x");  // outside the prefix domain
    ASSERT_TRUE(e->Write(b).ok());
    if (round < 3) continue;
    int table_files = 0;
    for (const auto& f : std::filesystem::recursive_directory_iterator(tmp.path()))
      table_files += f.path().extension() == ".sst";
    ASSERT_GE(table_files, 3);  // else this test does not test what it says
    auto in_range = [&](const std::string& lo, const std::string& hi) {
      std::vector<std::string> out;
      for (auto it = expected.lower_bound(lo); it != expected.end() && (hi.empty() || it->first < hi);
           ++it)
        out.push_back(it->first);
      return out;
    };
    for (uint32_t id : {7u, 8u, 9u})
      for (uint64_t h : hashes) {
        const std::string p = partition(id, h);
        for (auto [lo, hi] : {std::pair{p, p + "\xff"}, std::pair{p + K(10), p + K(30)},
                              std::pair{p + "k", p + "k~"}}) {
          ReadOptions ro;
          ro.lower_bound = lo;
          ro.upper_bound = hi;
          auto it = e->NewIterator(Column::kData, ro);
          std::vector<std::string> want = in_range(lo, hi);
          EXPECT_EQ(Forward(it.get()), want) << id << " " << h;
          std::reverse(want.begin(), want.end());
          EXPECT_EQ(Backward(it.get()), want) << id << " " << h;
          it->Seek(p + K(13));
          auto next = expected.lower_bound(std::max(lo, p + K(13)));
          if (next != expected.end() && next->first < hi) {
            ASSERT_TRUE(it->Valid());
            EXPECT_EQ(it->key(), next->first);
            EXPECT_EQ(it->value(), next->second);
          } else {
            EXPECT_FALSE(it->Valid());
          }
          it->SeekForPrev(p + K(13));
          auto prev = expected.upper_bound(p + K(13));
          if (prev != expected.begin() && (--prev)->first >= lo && prev->first < hi) {
            ASSERT_TRUE(it->Valid());
            EXPECT_EQ(it->key(), prev->first);
          } else {
            EXPECT_FALSE(it->Valid());
          }
        }
      }
    // Bounds across partitions and tables, and none at all: total order.
    for (auto [lo, hi] : {std::pair{partition(7, hashes[1]), partition(7, hashes[3])},
                          std::pair{partition(7, 5), partition(8, 1)}, std::pair{std::string(), std::string()}}) {
      ReadOptions ro;
      ro.lower_bound = lo;
      ro.upper_bound = hi;
      auto it = e->NewIterator(Column::kData, ro);
      std::vector<std::string> want = in_range(lo, hi);
      if (lo.empty()) want.push_back("short");
      EXPECT_EQ(Forward(it.get()), want);
    }
  }
}

}  // namespace
}  // namespace cairn::storage
