// MemTableSkipList (memtable_skiplist.h): a RocksDB on Cairn's memtable list answers every read as
// the same RocksDB on its built-in list does, for the same writes: point reads at the latest
// sequence and at snapshots, whole iterations forward and backward, Seek and SeekForPrev from
// random targets, iterators bounded inside a prefix; with the memtable holding everything and
// with small memtables that flush and compact; with the prefix index on (keys shorter than its
// prefix, crowded prefixes, many small partitions of the engine's key layout) and off. Readers
// running while a writer inserts always see sorted keys and every key written before they started;
// snapshot reads never see a newer version being inserted. A non-bytewise comparator is honoured
// (the list compares through it).
#include "storage/memtable_skiplist.h"

#include <gtest/gtest.h>
#include <rocksdb/comparator.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace cairn::storage {
namespace {

class Db {
 public:
  // index_prefix: the list's prefix index length (0: none), meaningful with cairn_list.
  Db(const std::string& dir, bool cairn_list, size_t write_buffer, const rocksdb::Comparator* cmp,
     size_t index_prefix = 4) {
    std::filesystem::remove_all(dir);
    rocksdb::Options o;
    o.create_if_missing = true;
    o.write_buffer_size = write_buffer;
    o.comparator = cmp;
    // Prefix bloom and prefix iterators as Cairn's engine sets them (4-byte prefixes here).
    o.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(4));
    o.memtable_prefix_bloom_size_ratio = 0.01;
    o.memtable_whole_key_filtering = true;
    if (cairn_list) {
      // Never null here: FactoryIsMadeForTheLinkedRocksDB below.
      o.memtable_factory = NewMemTableSkipListFactory(index_prefix, write_buffer);
      o.allow_concurrent_memtable_write = false;
    }
    rocksdb::DB* raw = nullptr;
    const rocksdb::Status s = rocksdb::DB::Open(o, dir, &raw);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(raw);
  }
  rocksdb::DB* operator->() { return db_.get(); }
  rocksdb::DB* get() { return db_.get(); }

 private:
  std::unique_ptr<rocksdb::DB> db_;
};

std::string Key(std::mt19937& rng, int spread) {
  // A 4-byte prefix from a few, then a tail of varying length (prefixes of other keys too); one
  // in 16 is shorter than the prefix (outside the prefix index, and before the prefix's keys).
  char prefix[5];
  std::snprintf(prefix, sizeof prefix, "p%03d", static_cast<int>(rng() % 7));
  std::string k(prefix);
  if (rng() % 16 == 0) return k.substr(0, 1 + rng() % 3);
  const int tail = static_cast<int>(rng() % spread);
  k += std::to_string(tail).substr(0, 1 + rng() % 3);
  if (rng() % 5 == 0) k.push_back('\xff');
  return k;
}

std::optional<std::string> Get(rocksdb::DB* db, const std::string& key,
                               const rocksdb::Snapshot* snapshot = nullptr) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string v;
  const rocksdb::Status s = db->Get(ro, key, &v);
  if (s.IsNotFound()) return std::nullopt;
  EXPECT_TRUE(s.ok()) << s.ToString();
  return v;
}

// Everything an iterator shows, from Seek/SeekForPrev (or the ends) in one direction.
std::vector<std::pair<std::string, std::string>> Walk(rocksdb::DB* db, bool forward,
                                                      const std::string* from,
                                                      const rocksdb::Snapshot* snapshot,
                                                      const std::string* upper = nullptr,
                                                      const std::string* lower = nullptr) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  rocksdb::Slice upper_slice, lower_slice;
  if (upper) ro.iterate_upper_bound = &(upper_slice = *upper);
  if (lower) ro.iterate_lower_bound = &(lower_slice = *lower);
  ro.total_order_seek = upper == nullptr;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  std::vector<std::pair<std::string, std::string>> out;
  if (forward) {
    from ? it->Seek(*from) : it->SeekToFirst();
    for (; it->Valid(); it->Next()) out.emplace_back(it->key().ToString(), it->value().ToString());
  } else {
    from ? it->SeekForPrev(*from) : it->SeekToLast();
    for (; it->Valid(); it->Prev()) out.emplace_back(it->key().ToString(), it->value().ToString());
  }
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return out;
}

// The same random writes to both; every read compared, at the end and at snapshots taken along.
void CompareWithBuiltIn(size_t write_buffer, int writes, unsigned seed,
                        const rocksdb::Comparator* cmp = rocksdb::BytewiseComparator(),
                        size_t index_prefix = 4) {
  const std::string base = ::testing::TempDir() + "cairn_memtable_" + std::to_string(seed);
  Db ours(base + "_ours", true, write_buffer, cmp, index_prefix);
  Db theirs(base + "_theirs", false, write_buffer, cmp);
  std::mt19937 rng(seed);
  std::vector<std::pair<const rocksdb::Snapshot*, const rocksdb::Snapshot*>> snapshots;
  std::map<std::string, int> keys;
  for (int i = 0; i < writes; ++i) {
    const std::string k = Key(rng, 300);
    keys[k]++;
    rocksdb::WriteBatch b;
    const std::string value = std::to_string(i);  // ("v" + to_string: a -Wrestrict false alarm)
    if (rng() % 6 == 0) {
      ASSERT_TRUE(b.Delete(k).ok());
    } else {
      ASSERT_TRUE(b.Put(k, value).ok());
      if (rng() % 4 == 0) {
        ASSERT_TRUE(b.Put(Key(rng, 300), value + "w").ok());
      }
    }
    ASSERT_TRUE(ours->Write(rocksdb::WriteOptions(), &b).ok());
    ASSERT_TRUE(theirs->Write(rocksdb::WriteOptions(), &b).ok());
    if (i % (writes / 5) == 0) snapshots.emplace_back(ours->GetSnapshot(), theirs->GetSnapshot());
  }
  snapshots.emplace_back(nullptr, nullptr);
  size_t compared = 0;
  for (auto [snap_ours, snap_theirs] : snapshots) {
    for (const auto& [k, n] : keys) {
      ASSERT_EQ(Get(ours.get(), k, snap_ours), Get(theirs.get(), k, snap_theirs)) << k;
      ++compared;
    }
    for (bool forward : {true, false}) {
      ASSERT_EQ(Walk(ours.get(), forward, nullptr, snap_ours),
                Walk(theirs.get(), forward, nullptr, snap_theirs));
      for (int t = 0; t < 40; ++t) {
        const std::string target = Key(rng, 400);
        ASSERT_EQ(Walk(ours.get(), forward, &target, snap_ours),
                  Walk(theirs.get(), forward, &target, snap_theirs))
            << target << (forward ? " forward" : " backward");
        // Bounded inside the target's prefix, as Cairn's partition iterators are.
        const std::string lower = target.substr(0, 4), upper = lower + "\xff\xff";
        ASSERT_EQ(Walk(ours.get(), forward, &target, snap_ours, &upper, &lower),
                  Walk(theirs.get(), forward, &target, snap_theirs, &upper, &lower))
            << target << " in its prefix";
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 500u);
  for (auto [snap_ours, snap_theirs] : snapshots) {
    if (snap_ours) ours->ReleaseSnapshot(snap_ours);
    if (snap_theirs) theirs->ReleaseSnapshot(snap_theirs);
  }
}

// A null factory (a LookupKey laid out otherwise) would leave RocksDB's own list everywhere, the
// engine's memtables and the "ours" DBs of the tests below, which would then compare RocksDB's
// list with itself.
TEST(MemTableSkipListTest, FactoryIsMadeForTheLinkedRocksDB) {
  const auto factory = NewMemTableSkipListFactory();
  ASSERT_NE(factory, nullptr);
  EXPECT_STREQ(factory->Name(), "CairnSkipListFactory");
  EXPECT_FALSE(factory->IsInsertConcurrentlySupported());
}

// 4000 writes over 7 prefixes: every prefix soon holds more than the 16 nodes a search may step
// over from its first node, so the prefixes go crowded early; the 300-write run finds most keys
// from their prefix's first node.
TEST(MemTableSkipListTest, AnswersAsTheBuiltInListWithEverythingInTheMemtable) {
  CompareWithBuiltIn(64u << 20, 4000, 1);
  CompareWithBuiltIn(64u << 20, 300, 4);
}

// Once a prefix is crowded, its entry's first node is no longer kept: nodes inserted before it
// later (a newer version of its key, a smaller key) are not in the index. Every search of that
// prefix must then start from the head, or it would answer the old first node.
TEST(MemTableSkipListTest, ACrowdedPrefixIsSearchedFromTheHead) {
  const std::string base = ::testing::TempDir() + "cairn_memtable_crowded";
  Db ours(base + "_ours", true, 64u << 20, rocksdb::BytewiseComparator(), 4);
  Db theirs(base + "_theirs", false, 64u << 20, rocksdb::BytewiseComparator());
  auto put = [&](const std::string& k, const std::string& v) {
    ASSERT_TRUE(ours->Put(rocksdb::WriteOptions(), k, v).ok());
    ASSERT_TRUE(theirs->Put(rocksdb::WriteOptions(), k, v).ok());
  };
  put("p001m", "old");
  for (int i = 0; i < 2000; ++i) put("p001n" + std::to_string(10000 + i), "x");
  // The read of the prefix's last key steps over far more than 16 of its nodes: crowded.
  EXPECT_EQ(Get(ours.get(), "p001n11999"), "x");
  put("p001m", "new");      // a newer version: sorts before the old first node
  put("p001a", "smaller");  // a smaller key of the prefix
  EXPECT_EQ(Get(ours.get(), "p001m"), "new");
  EXPECT_EQ(Get(ours.get(), "p001a"), "smaller");
  for (const std::string from : {"p001", "p001a", "p001b", "p001m"}) {
    for (bool forward : {true, false}) {
      EXPECT_EQ(Walk(ours.get(), forward, &from, nullptr),
                Walk(theirs.get(), forward, &from, nullptr))
          << from << (forward ? " forward" : " backward");
    }
  }
}

TEST(MemTableSkipListTest, AnswersAsTheBuiltInListWithoutThePrefixIndex) {
  CompareWithBuiltIn(64u << 20, 2000, 5, rocksdb::BytewiseComparator(), 0);
}

// The prefix index with keys of the engine's layout: a 12-byte prefix (4-byte table id, 8-byte
// hash), then the item's key; many partitions of a few items, each item written in several
// versions, so that searches start from a partition's first node and find every version.
// With 64 MB memtables (32,768 buckets) and 64 KB ones (128 buckets: chains of several
// prefixes, and flushes).
class ManySmallPartitions : public ::testing::TestWithParam<size_t> {};

TEST_P(ManySmallPartitions, AnswerAsTheBuiltInList) {
  const size_t write_buffer = GetParam();
  const std::string base =
      ::testing::TempDir() + "cairn_memtable_partitions_" + std::to_string(write_buffer);
  Db ours(base + "_ours", true, write_buffer, rocksdb::BytewiseComparator(), 12);
  Db theirs(base + "_theirs", false, write_buffer, rocksdb::BytewiseComparator());
  std::mt19937 rng(6);
  auto key_of = [](uint32_t partition, uint32_t item) {
    std::string k(4, '\0');
    k[3] = 7;  // table id 7
    const uint64_t hash = partition * 0x9E3779B97F4A7C15ull;
    for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>(hash >> (8 * i)));
    return k + "item" + std::to_string(item);
  };
  std::vector<const rocksdb::Snapshot*> ours_snaps, theirs_snaps;
  for (int i = 0; i < 6000; ++i) {
    const std::string k = key_of(rng() % 400, rng() % 6);
    const std::string v = std::to_string(i);
    if (rng() % 9 == 0) {
      ASSERT_TRUE(ours->Delete({}, k).ok());
      ASSERT_TRUE(theirs->Delete({}, k).ok());
    } else {
      ASSERT_TRUE(ours->Put({}, k, v).ok());
      ASSERT_TRUE(theirs->Put({}, k, v).ok());
    }
    if (i % 1500 == 0) {
      ours_snaps.push_back(ours->GetSnapshot());
      theirs_snaps.push_back(theirs->GetSnapshot());
    }
  }
  ours_snaps.push_back(nullptr);
  theirs_snaps.push_back(nullptr);
  for (size_t s = 0; s < ours_snaps.size(); ++s) {
    for (uint32_t p = 0; p < 410; ++p) {  // 10 partitions never written
      for (uint32_t item = 0; item < 7; ++item) {
        const std::string k = key_of(p, item);
        ASSERT_EQ(Get(ours.get(), k, ours_snaps[s]), Get(theirs.get(), k, theirs_snaps[s])) << p;
      }
      const std::string lower = key_of(p, 0).substr(0, 12), upper = lower + "\xff";
      for (bool forward : {true, false}) {
        const std::string from = forward ? lower : upper;
        ASSERT_EQ(Walk(ours.get(), forward, &from, ours_snaps[s], &upper, &lower),
                  Walk(theirs.get(), forward, &from, theirs_snaps[s], &upper, &lower))
            << p << (forward ? " forward" : " backward");
      }
    }
    ASSERT_EQ(Walk(ours.get(), false, nullptr, ours_snaps[s]),
              Walk(theirs.get(), false, nullptr, theirs_snaps[s]));
  }
  for (size_t s = 0; s + 1 < ours_snaps.size(); ++s) {
    ours->ReleaseSnapshot(ours_snaps[s]);
    theirs->ReleaseSnapshot(theirs_snaps[s]);
  }
}

INSTANTIATE_TEST_SUITE_P(MemTableSkipListTest, ManySmallPartitions,
                         ::testing::Values(size_t{64} << 20, size_t{64} << 10));

TEST(MemTableSkipListTest, AnswersAsTheBuiltInListAcrossFlushesAndCompactions) {
  CompareWithBuiltIn(64u << 10, 20000, 2);  // 64 KB memtables: dozens of flushes
}

TEST(MemTableSkipListTest, HonoursANonBytewiseComparator) {
  CompareWithBuiltIn(64u << 20, 2000, 3, rocksdb::ReverseBytewiseComparator());
  Db db(::testing::TempDir() + "cairn_memtable_reverse", true, 64u << 20,
        rocksdb::ReverseBytewiseComparator());
  for (const char* k : {"p000a", "p000b", "p000c"}) ASSERT_TRUE(db->Put({}, k, k).ok());
  const auto all = Walk(db.get(), true, nullptr, nullptr);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].first, "p000c");
  EXPECT_EQ(all[2].first, "p000a");
}

// One writer, three readers: each reader's iteration is sorted, and a key the writer had written
// (and announced) before the read began is found by Get and by Seek.
TEST(MemTableSkipListTest, ReadersDuringInsertsSeeSortedKeysAndEveryEarlierWrite) {
  // An 8-byte prefix index: about 13,000 prefixes of two or three keys each, so that readers'
  // searches start from prefixes' first nodes while the writer moves them.
  Db db(::testing::TempDir() + "cairn_memtable_concurrent", true, 64u << 20,
        rocksdb::BytewiseComparator(), 8);
  constexpr int kWrites = 30000;
  auto key_of = [](int i) {  // distinct for distinct i (104729 is prime to 1000003)
    const int64_t n = i;
    char k[16];
    std::snprintf(k, sizeof k, "p%03d%07d", static_cast<int>(n * 7919 % 13),
                  static_cast<int>(n * 104729 % 1000003));
    return std::string(k);
  };
  std::atomic<int> written{0};
  std::atomic<bool> failed{false};
  std::atomic<int> reads_during_writes{0};
  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) {
      if (!db->Put({}, key_of(i), std::to_string(i)).ok()) failed = true;
      written.store(i + 1, std::memory_order_release);
    }
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      std::mt19937 rng(r);
      while (written.load(std::memory_order_acquire) < kWrites && !failed) {
        const int known = written.load(std::memory_order_acquire);
        if (known == 0) continue;
        const int i = static_cast<int>(rng() % known);
        std::string v;
        if (!db->Get({}, key_of(i), &v).ok()) failed = true;
        rocksdb::ReadOptions ro;
        ro.total_order_seek = true;
        std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
        it->Seek(key_of(i));
        if (!it->Valid() || it->key().ToString() != key_of(i)) failed = true;
        std::string last;
        int steps = 0;
        for (; it->Valid() && steps < 200; it->Next(), ++steps) {
          if (!last.empty() && it->key().ToString() <= last) failed = true;
          last = it->key().ToString();
        }
        for (it->SeekForPrev(key_of(i)), steps = 0; it->Valid() && steps < 50;
             it->Prev(), ++steps) {
          if (steps > 0 && it->key().ToString() >= last) failed = true;
          last = it->key().ToString();
        }
        if (written.load(std::memory_order_acquire) < kWrites) ++reads_during_writes;
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_FALSE(failed.load());
  EXPECT_GT(reads_during_writes.load(), 10);  // the readers did overlap the writer
  std::string v;
  for (int i = 0; i < kWrites; i += 97) {
    ASSERT_TRUE(db->Get({}, key_of(i), &v).ok()) << i;
  }
}

// A snapshot read never sees a write newer than the snapshot, even while that write is being
// linked into the list next to the version the read looks for: a writer keeps two keys equal in
// one batch; readers read both at one snapshot.
TEST(MemTableSkipListTest, SnapshotReadsNeverSeeNewerVersionsBeingInserted) {
  // A 5-byte prefix index: each key a prefix of its own, whose first node is its newest version.
  Db db(::testing::TempDir() + "cairn_memtable_snapshots", true, 64u << 20,
        rocksdb::BytewiseComparator(), 5);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 20000; ++i) {
      rocksdb::WriteBatch b;
      const std::string v = std::to_string(i);
      if (!b.Put("p000x", v).ok() || !b.Put("p000y", v).ok() ||
          !db->Write(rocksdb::WriteOptions(), &b).ok())
        break;
    }
    done = true;
  });
  int mismatches = 0, reads = 0;
  while (!done.load()) {
    const rocksdb::Snapshot* snapshot = db->GetSnapshot();
    if (Get(db.get(), "p000x", snapshot) != Get(db.get(), "p000y", snapshot)) ++mismatches;
    db->ReleaseSnapshot(snapshot);
    ++reads;
  }
  writer.join();
  EXPECT_EQ(mismatches, 0) << "of " << reads << " reads";
  EXPECT_GT(reads, 100);
}

}  // namespace
}  // namespace cairn::storage
