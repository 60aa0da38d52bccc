// ShardedStreams: stream records that the storage engine itself numbers, one stream shard per
// storage shard (the RADOS engine, where several servers write one stream: docs/rados.md section
// 4). Engine::ShardedStreamRecords() hands it out, or nullptr where the caller numbers records
// (RocksDB: streams/stream_log.h, one shard per stream).
//
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
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace cairn::storage {

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

}  // namespace cairn::storage
