// RocksDBEngine: the Engine on RocksDB. Public entry point: OpenRocksDBEngine (engine.h).
// Internals: ToStatus (error mapping), RocksDBSnapshot, RocksDBIterator (owns its bounds), the
// engine itself with its compaction thread, and BuildOptions (the tuning, explained inline).
#include "storage/rocksdb_engine.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/transaction_log.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "storage/background_priority.h"
#include "storage/memory_file_system.h"
#include "storage/memtable_skiplist.h"

namespace cairn::storage {
namespace {

// Column family names, indexed by Column. Do not change: they are part of the on-disk format.
constexpr std::array<const char*, kColumnCount> kColumnNames = {"meta", "data", "index", "stream",
                                                                "backup"};

// Where the in-memory database lives inside its private file system (memory_file_system.h).
// Nothing is created on the real file system under this path.
constexpr const char* kInMemoryPath = "/cairn-in-memory";

Status ToStatus(const rocksdb::Status& s) {
  if (s.ok()) return Status::OK();
  switch (s.code()) {
    case rocksdb::Status::kNotFound:
      return Status::NotFound(s.ToString());
    case rocksdb::Status::kCorruption:
      return Status::Corruption(s.ToString());
    case rocksdb::Status::kInvalidArgument:
    case rocksdb::Status::kNotSupported:
      // Not the client's fault: Status::InvalidArgument would reach the client as a
      // ValidationException, so engine-level misuse is reported as an internal IOError.
      return Status::IOError(s.ToString());
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTryAgain:
    case rocksdb::Status::kTimedOut:
      return Status::Busy(s.ToString());
    default:
      return Status::IOError(s.ToString());
  }
}

class RocksDBSnapshot final : public Snapshot {
 public:
  RocksDBSnapshot(rocksdb::DB* db, const rocksdb::Snapshot* snapshot)
      : db_(db), snapshot_(snapshot) {}
  ~RocksDBSnapshot() override { db_->ReleaseSnapshot(snapshot_); }
  RocksDBSnapshot(const RocksDBSnapshot&) = delete;
  RocksDBSnapshot& operator=(const RocksDBSnapshot&) = delete;

  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

// REQUIRES: snapshot is nullptr or was made by a RocksDBEngine (the one it is used with).
const rocksdb::Snapshot* Unwrap(const Snapshot* snapshot) {
  if (snapshot == nullptr) return nullptr;
  const auto* s = dynamic_cast<const RocksDBSnapshot*>(snapshot);
  assert(s != nullptr && "snapshot from another engine");
  return s != nullptr ? s->get() : nullptr;
}

// The prefix of a key that RocksDB's prefix filters index: table (or index) id and partition hash,
// the first 12 bytes of every item key and index entry key (storage/key_encoding.h). Keys shorter
// than that (the catalog's, the streams') are outside its domain and in no prefix filter.
constexpr size_t kPartitionPrefixBytes = 12;

bool SamePartition(std::string_view lower, std::string_view upper) {
  return lower.size() >= kPartitionPrefixBytes && upper.size() >= kPartitionPrefixBytes &&
         lower.substr(0, kPartitionPrefixBytes) == upper.substr(0, kPartitionPrefixBytes);
}

// rocksdb::ReadOptions keeps pointers to the bound Slices, so the iterator owns the bound strings
// and the Slices that point at them for its whole life. Not movable for that reason.
class RocksDBIterator final : public Iterator {
 public:
  RocksDBIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* column, const ReadOptions& options,
                  bool verify_checksums)
      : lower_(options.lower_bound), upper_(options.upper_bound) {
    rocksdb::ReadOptions ro;
    ro.snapshot = Unwrap(options.snapshot);
    ro.verify_checksums = verify_checksums;
    // Bounds inside one partition (a Query: both start with the same table or index id and
    // partition hash) use the prefix filters to skip files and memtables without that partition;
    // anything else (Scan, whole-column walks) iterates in total order, as without an extractor.
    if (SamePartition(lower_, upper_))
      ro.auto_prefix_mode = true;
    else
      ro.total_order_seek = true;
    if (!lower_.empty()) {
      lower_slice_ = rocksdb::Slice(lower_);
      ro.iterate_lower_bound = &lower_slice_;
    }
    if (!upper_.empty()) {
      upper_slice_ = rocksdb::Slice(upper_);
      ro.iterate_upper_bound = &upper_slice_;
    }
    it_.reset(db->NewIterator(ro, column));
  }
  RocksDBIterator(const RocksDBIterator&) = delete;
  RocksDBIterator& operator=(const RocksDBIterator&) = delete;

  bool Valid() const override { return it_->Valid(); }
  // Targets outside the bounds are clamped to them, so a Seek never lands outside [lower, upper).
  void Seek(std::string_view target) override {
    if (!lower_.empty() && target < std::string_view(lower_)) target = lower_;
    it_->Seek(rocksdb::Slice(target.data(), target.size()));
  }
  void SeekForPrev(std::string_view target) override {
    if (!upper_.empty() && target >= std::string_view(upper_)) {
      it_->SeekToLast();
      return;
    }
    it_->SeekForPrev(rocksdb::Slice(target.data(), target.size()));
  }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override {
    rocksdb::Slice k = it_->key();
    return {k.data(), k.size()};
  }
  std::string_view value() const override {
    rocksdb::Slice v = it_->value();
    return {v.data(), v.size()};
  }
  Status status() const override { return ToStatus(it_->status()); }

 private:
  const std::string lower_;
  const std::string upper_;
  rocksdb::Slice lower_slice_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;  // declared last: destroyed before the bounds
};

struct BuiltOptions {
  rocksdb::DBOptions db;
  rocksdb::ColumnFamilyOptions column;
  std::shared_ptr<BackgroundPriority> priority;  // among db.listeners; null where not usable
};

BuiltOptions BuildOptions(const Options& options, rocksdb::Env* env) {
  BuiltOptions o;
  o.db.create_if_missing = true;
  o.db.create_missing_column_families = true;
  if (env != nullptr) o.db.env = env;
  // Two cores: one flush and one compaction thread (DB::Open sizes the thread pools from this).
  o.db.max_background_jobs = 2;
  // The WAL is the durability; closing needs no flush (the WAL replays on open).
  o.db.avoid_flush_during_shutdown = true;
  // A WAL file is deleted only once every column family with writes in it has flushed; the small
  // families (meta, and index or stream on tables without them) rarely fill a memtable, so without
  // a bound every WAL file would be kept (the data directory held the whole data set twice, and
  // a restart replayed all of it). Past this total, RocksDB flushes the families that pin the
  // oldest file.
  o.db.max_total_wal_size = 128u << 20;
  // The WAL is written to its file when the server is about to answer (FlushLog, called once per
  // event-loop turn before the answers leave: http/server.h before_output), not by every Write():
  // one write(2) for the requests of a turn instead of one each (about 3 us each here, most of it
  // the file's timestamp update). With --sync every write is synced anyway (RocksDB flushes the
  // buffer first); in memory there is no WAL.
  o.db.manual_wal_flush = !options.in_memory && !options.sync;
  // Bound RocksDB's own LOG files in the data directory.
  o.db.max_log_file_size = 16u << 20;
  o.db.keep_log_file_num = 4;
  // Flushes and compactions run on the cycles requests leave, unless writes wait for them
  // (storage/background_priority.h).
  o.priority = BackgroundPriority::Make();
  if (o.priority) o.db.listeners.push_back(o.priority);

  // Point reads dominate (GetItem and every read-modify-write): one LRU block cache shared by all
  // column families for data blocks; whole-key bloom filters (10 bits/key, ~1% false positives);
  // filter and index blocks held by each open table, outside the cache, so that a read probes
  // them without a cache lookup (about 3 bytes per item: 30 MB for 10M items); a hash index in
  // each data block, so that a point read finds its key without a binary search.
  //
  // In memory the table files already are memory (memory_file_system.h), so there is no block
  // cache: it would hold a second, uncompressed copy of every block read (after a Scan of 100k
  // items of 200 bytes, 20 MB more resident), and a block of a file in memory is read where it
  // lies, cheaper than the cache's lookup under its shard mutex. Measured with bench/run
  // (GetItem, Query, PutItem, CPU per request): no slower, within the noise of a shared machine.
  rocksdb::BlockBasedTableOptions table;
  if (options.in_memory) {
    table.no_block_cache = true;
    // Blocks are used where the file holds them (memory_file_system.h), not copied into a buffer
    // and again into the heap. Measured with bench/instructions, 200k items, per request: GetItem
    // 32,332 -> 31,890, Query(10) 87,445 -> 86,768.
    o.db.allow_mmap_reads = true;
  } else {
    table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  }
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  table.cache_index_and_filter_blocks = false;
  table.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  // A restart point every 4 keys (RocksDB's default: 16): the hash index leads a point read to
  // the key's restart interval, and a Seek's binary search to one, and both then decode keys one
  // by one from it. A data block grows by about 1% (the full key at each restart, and its offset).
  // Measured with bench/instructions, 200k items (most of them in table files), per request:
  // GetItem 31,890 -> 30,679, Query(10) 86,767 -> 85,463.
  table.block_restart_interval = 4;
  o.column.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Reads of absent keys are common (PutItem of a new item reads first): keep the last level's
  // filters.
  o.column.optimize_filters_for_hits = false;
  o.column.level_compaction_dynamic_level_bytes = true;
  // 16 MB memtables (RocksDB's default: 64 MB). Every write of an item adds a version to the
  // memtable; a Query or Scan steps over all the versions of the keys it reads, and a point read
  // walks a deeper skip list. Measured after the benchmark's write workloads, 100k items: Query of
  // 10 items 68 -> 43 us per request in memory, 45 -> 36 us on disk; writes no slower.
  o.column.write_buffer_size = 16u << 20;
  // A whole-key bloom filter in each memtable, so that a point read of a key the memtable does not
  // hold (most of them, once items have been flushed) skips the skip-list search. 0.5 % of the
  // memtable (80 KB for 16 MB: ~10 bits per 200-byte item). Measured, Release, in memory, 100k
  // items, 32 connections, server CPU per request: GetItem 13.5 -> 12.0 us, UpdateItem 19.5 ->
  // 18.0 us (two runs each, alternating, on a machine with other work).
  o.column.memtable_whole_key_filtering = true;
  o.column.memtable_prefix_bloom_size_ratio = 0.005;
  // Cairn's own skip list for the memtables (storage/memtable_skiplist.h): Debian's librocksdb is
  // built with its assert()s on, which made every memtable search compare keys three times. It
  // takes one writer at a time, so the write group's leader inserts its followers' batches (the
  // measured difference to concurrent inserts was within the noise: bench notes of issue 21).
  // Its prefix index on the partition prefix below starts a search at the partition's first
  // node. Measured with bench/instructions, 50k items, per request: GetItem 24,572 -> 23,516,
  // PutItem 31,368 -> 30,683, UpdateItem 46,367 -> 44,624, Query(10) 63,362 -> 61,954; and the
  // skip list's cache misses (SkipListRep::Iterator::Seek was 4.3% of a Query's CPU samples).
  if (auto skip_list =
          NewMemTableSkipListFactory(kPartitionPrefixBytes, o.column.write_buffer_size)) {
    o.column.memtable_factory = std::move(skip_list);
    o.db.allow_concurrent_memtable_write = false;
  }
  // Prefix filters on (table id, partition hash), besides the whole-key ones: a Query's Seek
  // skips every table file and memtable without its partition instead of searching each level's
  // index and data blocks (the iterator enables them only for bounds inside one partition).
  // Measured, Release, on disk, idle machine, bench/run --scale --quick (10M items vs 100k):
  // GetItem kept 66% -> 78% of its 100k rate, Query(10) 68% -> 81% (32.0 -> 26.2 us of CPU per
  // Query).
  o.column.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(kPartitionPrefixBytes));
  // On disk LZ4 if this RocksDB build has it (Debian's does), otherwise none; never fail on it.
  // In memory none: without a block cache every read of a compressed block would decompress it.
  const std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  const bool lz4 =
      std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) != supported.end();
  o.column.compression =
      !options.in_memory && lz4 ? rocksdb::kLZ4Compression : rocksdb::kNoCompression;
  return o;
}

}  // namespace

class RocksDBEngine final : public Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(const Options& options, rocksdb::Env* env);
  ~RocksDBEngine() override;

  Status Get(Column c, std::string_view key, std::string* value, const Snapshot* snapshot) override;
  Status Write(const WriteBatch& batch) override;
  std::unique_ptr<Iterator> NewIterator(Column c, const ReadOptions& options) override;
  std::unique_ptr<Snapshot> GetSnapshot() override;
  void CompactRange(Column c, std::string_view begin, std::string_view end) override;
  EngineStats Stats() override;
  Status FlushLog() override;
  bool BuffersLog() const override { return manual_wal_flush_; }

 private:
  struct CompactionRequest {
    Column column;
    std::string begin;  // empty: from the first key
    std::string end;    // empty: to the last key
  };

  RocksDBEngine() = default;
  rocksdb::ColumnFamilyHandle* handle(Column c) const { return columns_[static_cast<size_t>(c)]; }
  void CompactionLoop();

  std::unique_ptr<rocksdb::Env> mem_env_;  // in memory only (memory_file_system.h); outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  // Watches db_ from its open until just before its close (storage/background_priority.h).
  std::shared_ptr<BackgroundPriority> priority_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // every open family, owned until close
  std::array<rocksdb::ColumnFamilyHandle*, kColumnCount> columns_{};  // indexed by Column
  rocksdb::WriteOptions write_options_;
  bool manual_wal_flush_ = false;  // DBOptions::manual_wal_flush: FlushLog writes the WAL out
  std::atomic<bool> log_failed_{false};  // a Write or FlushLog failed: FlushLog fails from then on
  std::string log_failure_;              // GUARDED_BY(mu_): the first such failure
  // Reads verify block checksums on disk; in memory a block never left this process's memory.
  bool verify_checksums_ = true;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<CompactionRequest> compactions_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                      // GUARDED_BY(mu_)
  std::thread compactor_;                      // started by the first CompactRange; GUARDED_BY(mu_)
};

Result<std::unique_ptr<Engine>> RocksDBEngine::Open(const Options& options, rocksdb::Env* env) {
  std::unique_ptr<RocksDBEngine> engine(new RocksDBEngine());
  std::string path;
  if (options.in_memory) {
    engine->mem_env_ = rocksdb::NewCompositeEnv(NewMemoryFileSystem());
    path = kInMemoryPath;
  } else {
    if (options.data_dir.empty()) return Status::IOError("no data directory given");
    std::error_code ec;
    std::filesystem::create_directories(options.data_dir, ec);
    if (ec) {
      return Status::IOError("cannot create data directory " + options.data_dir + ": " +
                             ec.message());
    }
    path = options.data_dir;
  }
  BuiltOptions built = BuildOptions(options, options.in_memory ? engine->mem_env_.get() : env);

  // Open every family the database has (RocksDB requires it), then create ours that are missing
  // with one CreateColumnFamilies call: RocksDB writes (and re-reads) its OPTIONS file once per
  // call, so creating them one by one (create_missing_column_families) would cost a new data
  // directory five synced files instead of one.
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(built.db, path, &names).ok() || names.empty())
    names = {rocksdb::kDefaultColumnFamilyName};  // a new database
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& n : names) descriptors.emplace_back(n, built.column);

  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(built.db, path, descriptors, &engine->handles_, &db);
  if (!s.ok()) return ToStatus(s);
  engine->db_.reset(db);
  engine->priority_ = built.priority;
  if (engine->priority_) engine->priority_->Attach(db);
  std::vector<rocksdb::ColumnFamilyDescriptor> missing;
  for (const char* n : kColumnNames) {
    if (std::find(names.begin(), names.end(), n) == names.end())
      missing.emplace_back(n, built.column);
  }
  if (!missing.empty()) {
    std::vector<rocksdb::ColumnFamilyHandle*> created;
    s = db->CreateColumnFamilies(missing, &created);
    engine->handles_.insert(engine->handles_.end(), created.begin(), created.end());
    if (!s.ok()) return ToStatus(s);  // ~RocksDBEngine closes what is open
  }
  for (size_t i = 0; i < kColumnCount; ++i) {
    for (rocksdb::ColumnFamilyHandle* h : engine->handles_) {
      if (h->GetName() == kColumnNames[i]) engine->columns_[i] = h;
    }
  }
  engine->write_options_.sync = options.sync;
  engine->manual_wal_flush_ = built.db.manual_wal_flush;
  // In memory the WAL would only be a second copy of every write, in the same memory, that
  // nothing ever replays (the file system dies with the engine): 24 MB after loading 100k items of
  // 200 bytes, freed only as memtables flush. Batches stay atomic without it.
  engine->write_options_.disableWAL = options.in_memory;
  engine->verify_checksums_ = !options.in_memory;
  return std::unique_ptr<Engine>(std::move(engine));
}

RocksDBEngine::~RocksDBEngine() {
  std::thread compactor;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    compactions_.clear();
    compactor = std::move(compactor_);
  }
  cv_.notify_all();
  if (compactor.joinable()) {
    if (db_ != nullptr) db_->DisableManualCompaction();  // aborts a CompactRange in progress
    compactor.join();
  }
  if (priority_) priority_->Detach();  // before the close, which it must not read during
  if (db_ == nullptr) return;
  // Writes since the last answer: logged before the close, which does not flush memtables.
  if (Status s = FlushLog(); !s.ok()) spdlog::error("storage: at close: {}", s.ToString());
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();  // only fails for "default"
  }
  handles_.clear();
  // Close() only reports what the WAL already made safe; nothing to do about it at this point.
  db_->Close().PermitUncheckedError();
  db_.reset();
  mem_env_.reset();
}

Status RocksDBEngine::Get(Column c, std::string_view key, std::string* value,
                          const Snapshot* snapshot) {
  rocksdb::ReadOptions ro;
  ro.snapshot = Unwrap(snapshot);
  ro.verify_checksums = verify_checksums_;
  return ToStatus(db_->Get(ro, handle(c), rocksdb::Slice(key.data(), key.size()), value));
}

Status RocksDBEngine::Write(const WriteBatch& batch) {
  if (batch.empty()) return Status::OK();
  rocksdb::WriteBatch wb;
  for (const WriteBatch::Op& op : batch.ops()) {
    rocksdb::ColumnFamilyHandle* cf = handle(op.column);
    rocksdb::Status s;
    switch (op.type) {
      case WriteBatch::OpType::kPut:
        s = wb.Put(cf, op.key, op.value);
        break;
      case WriteBatch::OpType::kDelete:
        s = wb.Delete(cf, op.key);
        break;
      case WriteBatch::OpType::kDeleteRange:
        // RocksDB checks begin <= end only while applying the batch to the memtable, after the
        // earlier ops of the batch were applied (and the whole batch logged): a reversed range
        // would break atomicity, so it is rejected here, before anything is written.
        if (op.key > op.value) {
          return Status::IOError("DeleteRange: end key comes before start key");
        }
        s = wb.DeleteRange(cf, op.key, op.value);
        break;
    }
    if (!s.ok()) return ToStatus(s);
  }
  rocksdb::Status s = db_->Write(write_options_, &wb);
  if (!s.ok() && manual_wal_flush_) {
    // The log may have lost what was buffered before this write too (answers still waiting for
    // the barrier). Never touch it again: FlushLog fails from now on (and RocksDB, built with
    // its assertions, aborts on a second write to a log file that failed).
    std::lock_guard<std::mutex> lock(mu_);
    if (log_failure_.empty()) log_failure_ = s.ToString();
    log_failed_.store(true);
  }
  return ToStatus(s);
}

Status RocksDBEngine::FlushLog() {
  if (!manual_wal_flush_ || db_ == nullptr) return Status::OK();
  if (log_failed_.load()) {
    std::lock_guard<std::mutex> lock(mu_);
    return Status::IOError("a write to the log failed: " + log_failure_);
  }
  rocksdb::Status s = db_->FlushWAL(/*sync=*/false);
  if (!s.ok()) log_failed_.store(true);
  return ToStatus(s);
}

std::unique_ptr<Iterator> RocksDBEngine::NewIterator(Column c, const ReadOptions& options) {
  return std::make_unique<RocksDBIterator>(db_.get(), handle(c), options, verify_checksums_);
}

std::unique_ptr<Snapshot> RocksDBEngine::GetSnapshot() {
  return std::make_unique<RocksDBSnapshot>(db_.get(), db_->GetSnapshot());
}

// RocksDB's own properties: summed over the columns where they are per column; the block cache is
// one for all columns (BuildOptions), so it is read once. RocksDB 7.8 has no property for the
// write-ahead log, so its live files are listed (the log directory only: no flush, no I/O on data).
EngineStats RocksDBEngine::Stats() {
  EngineStats stats;
  auto sum = [this](const std::string& property) -> int64_t {
    uint64_t v = 0;
    return db_->GetAggregatedIntProperty(property, &v) ? static_cast<int64_t>(v) : -1;
  };
  auto one = [this](const std::string& property) -> int64_t {
    uint64_t v = 0;
    return db_->GetIntProperty(handle(Column::kData), property, &v) ? static_cast<int64_t>(v) : -1;
  };
  stats.memtable_bytes = sum(rocksdb::DB::Properties::kCurSizeAllMemTables);
  stats.block_cache_usage_bytes = one(rocksdb::DB::Properties::kBlockCacheUsage);
  stats.block_cache_capacity_bytes = one(rocksdb::DB::Properties::kBlockCacheCapacity);
  stats.pending_compaction_bytes = sum(rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
  stats.running_compactions = one(rocksdb::DB::Properties::kNumRunningCompactions);
  stats.sst_bytes = sum(rocksdb::DB::Properties::kLiveSstFilesSize);
  rocksdb::VectorLogPtr logs;
  if (db_->GetSortedWalFiles(logs).ok()) {
    stats.wal_bytes = 0;
    for (const auto& log : logs)
      if (log->Type() == rocksdb::kAliveLogFile) stats.wal_bytes += log->SizeFileBytes();
  }
  return stats;
}

void RocksDBEngine::CompactRange(Column c, std::string_view begin, std::string_view end) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  // Bound the queue: past 64 pending requests, widen the last one of the same column instead of
  // adding another (compacting a wider range is always allowed; it is only a hint).
  if (compactions_.size() >= 64 && compactions_.back().column == c) {
    CompactionRequest& last = compactions_.back();
    if (begin.empty() || (!last.begin.empty() && begin < std::string_view(last.begin))) {
      last.begin = std::string(begin);
    }
    if (end.empty() || (!last.end.empty() && end > std::string_view(last.end))) {
      last.end = std::string(end);
    }
  } else {
    compactions_.push_back({c, std::string(begin), std::string(end)});
  }
  if (!compactor_.joinable()) compactor_ = std::thread([this] { CompactionLoop(); });
  cv_.notify_one();
}

void RocksDBEngine::CompactionLoop() {
  while (true) {
    CompactionRequest request;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !compactions_.empty(); });
      if (stopping_) return;
      request = std::move(compactions_.front());
      compactions_.pop_front();
    }
    rocksdb::CompactRangeOptions o;
    o.exclusive_manual_compaction = false;  // automatic compactions keep running
    rocksdb::Slice begin(request.begin);
    rocksdb::Slice end(request.end);
    // A failed or cancelled compaction only leaves space unreclaimed; the data is already correct.
    db_->CompactRange(o, handle(request.column), request.begin.empty() ? nullptr : &begin,
                      request.end.empty() ? nullptr : &end)
        .PermitUncheckedError();
  }
}

Result<std::unique_ptr<Engine>> OpenRocksDBEngine(const Options& options) {
  return RocksDBEngine::Open(options, nullptr);
}

Result<std::unique_ptr<Engine>> OpenRocksDBEngine(const Options& options, rocksdb::Env* env) {
  return RocksDBEngine::Open(options, env);
}

}  // namespace cairn::storage
