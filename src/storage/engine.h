// Engine: the storage seam. A persistent ordered map from byte keys to byte values, split into a few
// fixed column families, with atomic multi-key writes, ordered iteration and snapshots.
// The API layer sees only this interface (no RocksDB types), so that another engine (a distributed
// one, later) can replace RocksDB without touching api/.
//
// Invariants: keys within a column are ordered by unsigned bytewise comparison (memcmp); a Write()
// applies every operation of its batch or none; a Write() that returned OK is in the write-ahead log
// (and, with Options::sync, fsynced), so it survives kill -9 of the process.
// Thread safety: all methods may be called concurrently from any thread. An Iterator or Snapshot is
// used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include <utility>

#include "storage/shared_tokens.h"
#include "util/status.h"

namespace cairn::storage {

// Do not reorder: the names are part of the on-disk format.
enum class Column : uint8_t {
  kMeta = 0,    // catalog: table descriptors, id counter, settings
  kData = 1,    // items
  kIndex = 2,   // secondary index entries
  kStream = 3,  // change records
  kBackup = 4,  // on-demand backups' items and point-in-time recovery change logs (backup_keys.h)
};
inline constexpr int kColumnCount = 5;

class WriteBatch {
 public:
  enum class OpType : uint8_t { kPut, kDelete, kDeleteRange };
  struct Op {
    OpType type;
    Column column;
    std::string key;    // for kDeleteRange: begin (inclusive)
    std::string value;  // for kDeleteRange: end (exclusive)
  };

  void Put(Column c, std::string_view key, std::string_view value) {
    ops_.push_back({OpType::kPut, c, std::string(key), std::string(value)});
  }
  void Delete(Column c, std::string_view key) {
    ops_.push_back({OpType::kDelete, c, std::string(key), {}});
  }
  void DeleteRange(Column c, std::string_view begin, std::string_view end) {
    ops_.push_back({OpType::kDeleteRange, c, std::string(begin), std::string(end)});
  }
  bool empty() const { return ops_.empty(); }
  const std::vector<Op>& ops() const { return ops_; }
  void Clear() { ops_.clear(); }

 private:
  std::vector<Op> ops_;
};

class Snapshot {
 public:
  virtual ~Snapshot() = default;
};

struct ReadOptions {
  const Snapshot* snapshot = nullptr;  // nullptr: the latest committed state
  // Optional iteration bounds: [lower_bound, upper_bound). Empty means unbounded.
  std::string lower_bound;
  std::string upper_bound;
};

class Iterator {
 public:
  virtual ~Iterator() = default;
  virtual bool Valid() const = 0;
  virtual void Seek(std::string_view target) = 0;          // first key >= target
  virtual void SeekForPrev(std::string_view target) = 0;   // last key <= target
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual void Next() = 0;
  virtual void Prev() = 0;
  // REQUIRES: Valid(). The views stay valid until the iterator moves.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // Non-OK if iteration stopped on an error rather than at the end.
  virtual Status status() const = 0;
};

struct Options {
  std::string data_dir;     // ignored when in_memory
  bool in_memory = false;   // keep nothing on disk
  bool sync = false;        // fsync every write group (power-loss durability)
  size_t block_cache_bytes = 256ull << 20;
};

// The engine's own figures, for monitoring (metrics/ exposes them). Each is -1 when the engine
// does not have it. Cheap to gather: no scan, no I/O beyond listing the log directory.
struct EngineStats {
  int64_t memtable_bytes = -1;              // write buffers, active and immutable, all columns
  int64_t block_cache_usage_bytes = -1;     // bytes held by the shared block cache
  int64_t block_cache_capacity_bytes = -1;  // its capacity
  int64_t pending_compaction_bytes = -1;    // estimated bytes compaction must rewrite
  int64_t running_compactions = -1;
  int64_t wal_bytes = -1;                   // write-ahead log files alive
  int64_t sst_bytes = -1;                   // table files alive
};

// Stream records the engine numbers itself, one stream shard per storage shard (the RADOS engine:
// docs/rados.md section 4). Engine::ShardedStreamRecords() returns nullptr for an engine whose
// stream column is written by its caller with the caller's numbers (RocksDB: streams/stream_log.h,
// one shard per stream).
// Writing: a writer puts a record into the WriteBatch of its item's change as
// Put(kStream, RecordKey(stream id, the item's partition prefix), value); the engine writes it in
// the op of the item's storage shard (so a record exists exactly when its change does), under a
// sequence number given there: > every earlier number of the stream in that shard, and >= the
// writer's clock in microseconds when the record was encoded (so numbers of different shards
// follow time as far as the servers' clocks agree). The value must start with its time in epoch
// ms (u64 BE); the engine raises it to the shard's last record time when it is lower, so record
// times never decrease with the numbers of a shard (trimming relies on it).
// Reading: the shards of a table (by name "<d>-<p>", p in hex; `parent` set only when the parent
// shard is itself listed), a shard's range and its records in number order.
// Thread safety: all methods may be called concurrently.
class ShardedStreams {
 public:
  struct Shard {
    std::string name;    // the storage shard, "<d>-<p>"
    std::string parent;  // "<d-1>-<p/2>" when that shard is listed too; else empty
    bool closed = false;  // takes no more records (a split parent): its stream shard ends
  };
  struct Range {
    uint64_t horizon = 0;  // the first number still readable: every record below it was trimmed
    uint64_t last = 0;     // the last number given (0: none yet)
  };
  virtual ~ShardedStreams() = default;

  // The kStream key of a record to be numbered by the engine (longer than the 12-byte keys of the
  // stream column, which never reach an engine with ShardedStreams).
  static std::string RecordKey(uint32_t stream_id, std::string_view partition_prefix) {
    std::string k;
    for (int shift = 24; shift >= 0; shift -= 8) k.push_back(char((stream_id >> shift) & 0xFF));
    k.append(partition_prefix);
    return k;
  }

  // The shards of table `table_id` (live or deleted), in stream-shard order: parents first.
  virtual Result<std::vector<Shard>> Shards(uint32_t table_id) = 0;
  virtual Result<Range> ShardRange(uint32_t table_id, const std::string& shard,
                                   uint32_t stream_id) = 0;
  // Up to `max` records of the stream in the shard numbered >= `from`, in number order.
  virtual Status Read(uint32_t table_id, const std::string& shard, uint32_t stream_id,
                      uint64_t from, size_t max,
                      std::vector<std::pair<uint64_t, std::string>>* out) = 0;
  // Removes the shard's records of the stream written before `cutoff_ms` (their leading time),
  // and raises the shard's horizon past them. Safe from several servers at once.
  virtual Status Trim(uint32_t table_id, const std::string& shard, uint32_t stream_id,
                      uint64_t cutoff_ms) = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // Status::NotFound() when the key is absent.
  virtual Status Get(Column c, std::string_view key, std::string* value,
                     const Snapshot* snapshot = nullptr) = 0;
  // Get of every key at once: statuses[i] and (*values)[i] as Get(c, keys[i]) would give them.
  // The default reads one key after the other (RocksDB: microseconds each); an engine on the
  // network (RADOS) reads them in parallel. Not atomic across keys.
  virtual std::vector<Status> MultiGet(Column c, const std::vector<std::string>& keys,
                                       std::vector<std::string>* values,
                                       const Snapshot* snapshot = nullptr) {
    values->assign(keys.size(), std::string());
    std::vector<Status> statuses;
    statuses.reserve(keys.size());
    for (size_t i = 0; i < keys.size(); ++i)
      statuses.push_back(Get(c, keys[i], &(*values)[i], snapshot));
    return statuses;
  }
  // Atomic: every op or none. OK means durable as described above.
  virtual Status Write(const WriteBatch& batch) = 0;
  virtual std::unique_ptr<Iterator> NewIterator(Column c, const ReadOptions& options) = 0;
  virtual std::unique_ptr<Snapshot> GetSnapshot() = 0;
  // A view in which the `keys` of column c are consistent with one another (TransactGetItems).
  // The default is GetSnapshot(). An engine without cross-object snapshots (RADOS) reads them by
  // read-and-validate; Busy when a transaction of another server holds one of them (its key in
  // WriteScope::ConflictKey(), storage/write_scope.h) or they kept changing.
  virtual Result<std::unique_ptr<Snapshot>> GetSnapshotOf(Column c,
                                                          const std::vector<std::string>& keys) {
    (void)c;
    (void)keys;
    return GetSnapshot();
  }
  // True when the engine itself holds a transaction's items across servers (WriteScope's
  // OnPrepared runs there); false: the caller's lock table does (one process).
  virtual bool PreparesTransactions() const { return false; }
  // ClientRequestToken records every server of the store shares (storage/shared_tokens.h);
  // nullptr: one process, the item writer keeps them.
  virtual SharedTokens* SharedRequestTokens() { return nullptr; }
  // Stream records numbered by the engine per storage shard (ShardedStreams); nullptr: the
  // caller numbers them (one shard per stream).
  virtual ShardedStreams* ShardedStreamRecords() { return nullptr; }
  // Reclaims space of deleted ranges in the background; a hint, may do nothing.
  virtual void CompactRange(Column c, std::string_view begin, std::string_view end) = 0;
  // The engine's figures now (EngineStats); the default knows none.
  virtual EngineStats Stats() { return {}; }
};

// Opens (creating if missing) the RocksDB engine. Errors: IOError when the directory cannot be
// used (for example another process holds its lock).
Result<std::unique_ptr<Engine>> OpenRocksDBEngine(const Options& options);

}  // namespace cairn::storage
