// Engine: the storage seam. A persistent ordered map from byte keys to byte values, split into a few
// fixed column families, with atomic multi-key writes, ordered iteration and snapshots.
// The API layer sees only this interface (no RocksDB types), so that another engine (a distributed
// one, later) can replace RocksDB without touching api/.
//
// Invariants: keys within a column are ordered by unsigned bytewise comparison (memcmp); a Write()
// applies every operation of its batch or none; a Write() that returned OK is in the write-ahead
// log, and survives kill -9 of the process once the next FlushLog() returned OK (with
// Options::sync, or an engine that does not buffer its log, at once; with Options::sync also a
// power loss). Every answer that reveals data is sent after a FlushLog (http/server.h
// ServerOptions::before_output), so what a client was told survives a crash.
// Thread safety: all methods may be called concurrently from any thread. An Iterator or Snapshot is
// used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/shared_tokens.h"
#include "storage/sharded_streams.h"
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
  // Atomic: every op or none. OK means logged as described above.
  virtual Status Write(const WriteBatch& batch) = 0;
  // Hands the log that Write() buffered in this process to the operating system (RocksDB's WAL
  // with manual flushing, rocksdb_engine.cc): one write(2) for every Write() since the last call,
  // instead of one each. Cheap when there is nothing to hand over. An error means logged writes
  // may be lost: nothing written since the last success may be acknowledged (main.cc stops the
  // process). Engines that do not buffer (BuffersLog() false) return OK at once.
  virtual Status FlushLog() { return Status::OK(); }
  virtual bool BuffersLog() const { return false; }
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
