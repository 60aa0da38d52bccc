// Stream shards on RADOS (docs/rados.md section 4): DynamoDB Streams records live in the shard
// object of the item they describe ("t<table id>.<d>-<p>"), written in the item's op and numbered
// there by cls_lua, so a record exists exactly when its change does, whichever server wrote it;
// one DynamoDB stream shard per storage shard (storage/sharded_streams.h).
//
// Omap keys in a shard object (text after the first byte, so that cls_lua's C-string keys hold
// them: a NUL byte would cut them):
//   0x03 | stream id (10 digits) | sequence number (20 digits)  -> the record (stream_record.h's
//                                    value: written ms u64 BE first)
//   0x13 | stream id (10 digits)         -> the counter: last number (20 digits) | last time (20 digits, ms)
//   0x13 | stream id (10 digits) | "h"   -> the horizon: every record below it was trimmed (20 digits)
// A write carries its records as pending keys in its object's share of a batch (the redo record
// and a transaction's record keep them as keys like any other):
//   0x14 | stream id (10) | base (20 digits, the writer's clock in µs) | index (10)  -> value
// and the op that applies them (AddPendingRecords) turns them into one exec("lua",
// "eval_bufferlist") that, after the op's guards and atomically with its other writes, numbers
// each record max(counter + 1, base), stamps its times (written and, in a format-1 value, its
// ApproximateCreationDateTime) max(given, last) and stores the counter.
// Invariants: along a shard, numbers strictly increase and times never decrease; the OSD
// serializes the ops of one object, so servers never collide on a number; a cancelled op (a
// failed guard) numbers nothing. A batch applied twice (a redo record replayed after its object's
// op had been applied) writes its records twice: at-least-once for that case only.
// Shard names: "<d>-<p>" (p in hex), as the objects; the parent of "<d>-<p>" is "<d-1>-<p/2>".
// Thread safety: the pure functions anywhere; RadosStreamShards as ShardedStreams.
#pragma once

#include <rados/librados.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "storage/engine.h"
#include "storage/rados/rados_layout.h"
#include "util/status.h"

namespace cairn::storage::rados {

inline constexpr uint8_t kStreamRecordByte = 0x03;
inline constexpr uint8_t kStreamCounterByte = 0x13;
inline constexpr uint8_t kPendingRecordByte = 0x14;

std::string StreamDigits(uint32_t stream_id);  // 10 digits
std::string RecordOmapKey(uint32_t stream_id, uint64_t seq);
// False when `key` is not a record key of a stream.
bool ParseRecordOmapKey(std::string_view key, uint32_t* stream_id, uint64_t* seq);
std::string CounterOmapKey(uint32_t stream_id);
std::string HorizonOmapKey(uint32_t stream_id);
// The counter's value; false (and zeros) when malformed.
bool ParseCounter(std::string_view value, uint64_t* last_seq, uint64_t* last_ms);

std::string PendingRecordKey(uint32_t stream_id, uint64_t base_us, uint32_t index);
bool IsPendingRecord(std::string_view omap_key);
// The cls_lua input of the pending records among `keys` (in key order), or "" when none.
std::string PendingRecordsInput(const std::map<std::string, std::optional<std::string>>& keys);
// cls_lua's eval_bufferlist argument (cls_lua_eval_op, Ceph's versioned encoding: v1, compat 1,
// u32 LE length; then script, handler and input, each u32 LE length | bytes).
std::string EncodeLuaEval(std::string_view script, std::string_view handler,
                          std::string_view input);
// The script that numbers the records (the handler "append").
const char* AppendScript();
// Adds the exec that writes the pending records of `keys` to `op` (nothing when there are none).
// Every op applying a batch's share of an object calls it, after its own omap writes (it skips
// the pending keys: callers must not omap_set them).
void AddPendingRecords(const std::map<std::string, std::optional<std::string>>& keys,
                       librados::ObjectWriteOperation* op);

std::string ShardName(int bits, uint32_t p);
bool ParseShardName(std::string_view name, int* bits, uint32_t* p);
// "" for a shard of depth 0 (or a malformed name).
std::string ParentShardName(std::string_view name);
// The shards of `names` with their parents set when listed among `names`, ordered by depth, then
// position (parents before children, as DynamoDB lists a stream's shards).
std::vector<ShardedStreams::Shard> WithParents(const std::vector<std::string>& names);

// The engine's ShardedStreams: reads, ranges and trimming of the records in shard objects.
class RadosStreamShards final : public ShardedStreams {
 public:
  RadosStreamShards(librados::IoCtx* io, const Layout* layout) : io_(io), layout_(layout) {}

  // Whether the OSDs run cls_lua (one exec of a no-op script on a scratch object): stream records
  // need it. IOError naming `osd class load list` when they do not.
  Status CheckLua();

  // The one place that says which storage shards a table has: every shard its shard map ever
  // had (shard_map.h: live, and retired by a split, whose objects keep their stream records).
  // *closed (if given): the retired ones, whose stream shards take no more records.
  std::vector<std::string> StreamShardNames(uint32_t table_id,
                                            std::set<std::string>* closed = nullptr) const;

  Result<std::vector<Shard>> Shards(uint32_t table_id) override;
  Result<Range> ShardRange(uint32_t table_id, const std::string& shard,
                           uint32_t stream_id) override;
  Status Read(uint32_t table_id, const std::string& shard, uint32_t stream_id, uint64_t from,
              size_t max, std::vector<std::pair<uint64_t, std::string>>* out) override;
  Status Trim(uint32_t table_id, const std::string& shard, uint32_t stream_id,
              uint64_t cutoff_ms) override;

 private:
  static std::string ObjectName(uint32_t table_id, const std::string& shard) {
    return "t" + std::to_string(table_id) + "." + shard;
  }
  librados::IoCtx* io_;
  const Layout* layout_;
};

}  // namespace cairn::storage::rados
