// This file implements the DynamoDB Streams API (target prefix DynamoDBStreams_20120810., served on
// the same port): ListStreams, DescribeStream, GetShardIterator, GetRecords.
// On RocksDB each stream has one shard, open while the stream is enabled, with no parent and no
// children; on an engine that numbers records per storage shard (RADOS: storage/engine.h,
// ShardedStreams) a stream has one shard per storage shard of its table, each with its own
// numbers and horizon, and ParentShardId when its parent storage shard is listed too
// (StreamShards() is the one place that says which shards a stream has: DescribeStream pages and
// filters whatever it returns). A shard iterator is an opaque token naming the stream, its shard,
// the next sequence number to read and when it was made; it expires after 15 minutes
// (ExpiredIteratorException). Reading before the trim horizon is TrimmedDataAccessException.
// Every member is checked against the constraints of DynamoDB Streams' service model (lengths,
// enums, Limit ranges) with DynamoDB's "N validation error(s) detected" messages, in the model's
// member order; tests/integration/test_streams_paging.py pins them.
// Records are stored in binary (streams/stream_record.h) and rendered here; records stored as JSON
// by earlier versions are copied as they are. Both give the same members in the same order.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/operations.h"
#include "api/table_description.h"
#include "protocol/stored_item_json.h"
#include "streams/shard_numbers.h"
#include "streams/stream_log.h"
#include "streams/stream_record.h"
#include "storage/key_encoding.h"
#include "types/base64.h"
#include "util/big_endian.h"

namespace cairn::api {
namespace {

constexpr int64_t kDefaultIteratorLifetimeMs = 15 * 60 * 1000;

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// DynamoDB's coral range constraint on an integer member ("Value '0' at 'limit' failed to satisfy
// constraint: Member must have value greater than or equal to 1").
void CheckRange(Violations& v, std::optional<int64_t> value, std::string_view field, int64_t min,
                int64_t max) {
  if (!value || (*value >= min && *value <= max)) return;
  v.Add("Value '" + std::to_string(*value) + "' at '" + std::string(field) +
        "' failed to satisfy constraint: Member must have value " +
        (*value < min ? "greater than or equal to " + std::to_string(min)
                      : "less than or equal to " + std::to_string(max)));
}

// The documented Limit ranges ("The upper limit is 100", GetRecords' 1000), which the model lacks.
constexpr int64_t kMaxStreamsLimit = 100, kMaxShardsLimit = 100, kMaxRecordsLimit = 1000;

// DynamoDB's shape: shardId-<20 digits>-<8 hex>: the stream's creation (ms), then `code`.
std::string ShardIdOf(const storage::TableInfo& t, uint32_t code) {
  return streams::ShardIdText(static_cast<int64_t>(t.stream_created * 1000), code);
}

// The one shard of a stream the stream log numbers (RocksDB): its code is the stream id.
std::string ShardId(const storage::TableInfo& t) { return ShardIdOf(t, t.stream_id); }

// The shard of an engine that numbers records per storage shard (storage/engine.h,
// ShardedStreams): streams/shard_numbers.h names it and prints its numbers.
uint32_t ShardCode(const std::string& storage_shard) {
  return streams::StorageShardCode(storage_shard);
}

std::string EngineShardId(const storage::TableInfo& t, const std::string& storage_shard) {
  return ShardIdOf(t, ShardCode(storage_shard));
}

std::string EngineSequence(uint64_t seq, uint32_t code) {
  return streams::ShardSequenceText(seq, code);
}

// The table a stream ARN names ("<table arn>/stream/<label>"), if its latest stream is that one.
ApiResult<std::shared_ptr<const storage::TableInfo>> TableForStream(OpContext& ctx,
                                                                    std::string_view arn) {
  // The last "/stream/": a table may be named "stream" (".../table/stream/stream/<label>"); a
  // table name and a label have no '/'.
  size_t p = arn.rfind("/stream/");
  if (!arn.starts_with("arn:") || p == std::string_view::npos)
    ThrowValidation("Invalid StreamArn");
  auto t = ctx.server.catalog->Find(ctx.caller.ns, TableNameFromParameter(arn.substr(0, p)));
  if (t && t->stream_id != 0 && t->stream_label == arn.substr(p + 8)) return t;
  // An earlier stream of the table, or the stream of a deleted table.
  if (auto old = ctx.server.catalog->FindRetiredStream(ctx.caller.ns, arn)) return old;
  return ApiError::ResourceNotFound("Requested resource not found: Stream: " + std::string(arn) +
                                    " not found");
}

// A shard as DescribeStream describes it.
struct Shard {
  std::string id;
  std::string parent_id;  // empty: no parent
  uint64_t starting_sequence = 0;
  std::optional<uint64_t> ending_sequence;  // set once the shard is closed
  std::string storage_shard;  // ShardedStreams: the engine's shard; empty: the stream log's one
};

// A number of `shard` as DescribeStream and GetRecords print it.
std::string FormatShardSequence(const Shard& shard, uint64_t seq) {
  return shard.storage_shard.empty() ? streams::StreamLog::FormatSequence(seq)
                                     : EngineSequence(seq, ShardCode(shard.storage_shard));
}

// ShardedStreams: the storage shard whose stream shard is `shard_id` (no I/O beyond the shard
// list); nullopt when the stream has no such shard. *closed: the shard takes no more records.
Result<std::optional<std::string>> StorageShardOf(storage::ShardedStreams& sharded,
                                                   const storage::TableInfo& t,
                                                   std::string_view shard_id,
                                                   bool* closed = nullptr) {
  CAIRN_ASSIGN_OR_RETURN(auto shards, sharded.Shards(t.id));
  for (const auto& s : shards)
    if (EngineShardId(t, s.name) == shard_id) {
      if (closed) *closed = s.closed;
      return std::optional<std::string>(s.name);
    }
  return std::optional<std::string>();
}

// ShardedStreams: the shards of stream `t`, one per storage shard, each with its own numbers.
Result<std::vector<Shard>> EngineStreamShards(storage::ShardedStreams& sharded,
                                              const storage::TableInfo& t) {
  CAIRN_ASSIGN_OR_RETURN(auto storage_shards, sharded.Shards(t.id));
  std::vector<Shard> shards;
  for (const auto& s : storage_shards) {
    CAIRN_ASSIGN_OR_RETURN(auto range, sharded.ShardRange(t.id, s.name, t.stream_id));
    std::vector<std::pair<uint64_t, std::string>> first;
    CAIRN_RETURN_IF_ERROR(sharded.Read(t.id, s.name, t.stream_id, range.horizon, 1, &first));
    Shard shard;
    shard.id = EngineShardId(t, s.name);
    if (!s.parent.empty()) shard.parent_id = EngineShardId(t, s.parent);
    shard.storage_shard = s.name;
    shard.starting_sequence =
        !first.empty() ? first.front().first : std::max(range.horizon, range.last + 1);
    // Closed: the stream was disabled, or a split gave the shard's keys to its children.
    if (!t.stream_enabled || s.closed)
      shard.ending_sequence = range.last > 0 ? range.last : shard.starting_sequence - 1;
    shards.push_back(std::move(shard));
  }
  return shards;
}

// The shards of stream `t`, in shard-id order. Today one: open while the stream is enabled; a
// closed one ends at its stream's last record. Returns the engine's error, if any.
Result<std::vector<Shard>> StreamShards(OpContext& ctx, const storage::TableInfo& t) {
  if (storage::ShardedStreams* sharded = ctx.server.engine->ShardedStreamRecords()) {
    CAIRN_ASSIGN_OR_RETURN(auto shards, EngineStreamShards(*sharded, t));
    std::sort(shards.begin(), shards.end(),
              [](const Shard& a, const Shard& b) { return a.id < b.id; });
    return shards;
  }
  auto& log = *ctx.server.streams;
  Shard shard;
  shard.id = ShardId(t);
  shard.starting_sequence = log.trim_horizon();
  if (!t.stream_enabled) {
    storage::ReadOptions ro;
    ro.lower_bound = storage::TablePrefix(t.stream_id);
    ro.upper_bound = storage::TableEnd(t.stream_id);
    auto last = ctx.server.engine->NewIterator(storage::Column::kStream, ro);
    last->SeekToLast();
    CAIRN_RETURN_IF_ERROR(last->status());
    uint64_t end = log.trim_horizon() > 0 ? log.trim_horizon() - 1 : 0;
    if (last->Valid() && last->key().size() == 12) end = ReadBigEndian64(last->key().substr(4));
    shard.ending_sequence = end;
  }
  std::vector<Shard> shards;
  shards.push_back(std::move(shard));
  std::sort(shards.begin(), shards.end(),
            [](const Shard& a, const Shard& b) { return a.id < b.id; });
  return shards;
}

struct Iterator {
  std::string stream_arn;
  std::string shard_id;
  uint64_t position = 0;  // the next sequence number to read
  int64_t created_ms = 0;
};

// position | created ms | shard id | stream ARN (a shard id and an ARN have no '|').
std::string EncodeIterator(const Iterator& it) {
  std::string raw = std::to_string(it.position) + "|" + std::to_string(it.created_ms) + "|" +
                    it.shard_id + "|" + it.stream_arn;
  return Base64Encode(raw);
}

// GetRecords' NextShardIterator, reading on from `next`: an open shard always has one; a closed
// one ends once it is read to the end (`more`: open, or this answer had records).
void WriteNextIterator(OpContext& ctx, const Iterator& it, uint64_t next, int64_t now, bool more) {
  if (!more) return;
  Iterator following = it;
  following.position = next;
  following.created_ms = now;
  ctx.out.KV("NextShardIterator", EncodeIterator(following));
}

Iterator DecodeIterator(std::string_view token) {
  auto raw = Base64Decode(token);
  Iterator it;
  if (raw.ok()) {
    const std::string& r = *raw;
    size_t a = r.find('|');
    size_t b = a == std::string::npos ? a : r.find('|', a + 1);
    size_t c = b == std::string::npos ? b : r.find('|', b + 1);
    if (c != std::string::npos) {
      try {
        it.position = std::stoull(r.substr(0, a));
        it.created_ms = std::stoll(r.substr(a + 1, b - a - 1));
        it.shard_id = r.substr(b + 1, c - b - 1);
        it.stream_arn = r.substr(c + 1);
        return it;
      } catch (const std::exception&) {
      }
    }
  }
  ThrowValidation("Invalid ShardIterator");
}

// Writes a stored item (item value format) as its DynamoDB JSON.
Status WriteImage(JsonWriter& w, std::string_view key, std::string_view stored) {
  w.Key(key);
  return protocol::WriteStoredItem(stored, w).status();
}

// Writes a binary record as GetRecords returns it: DynamoDB's members in the order of the JSON
// records written before the binary format (tests/integration/test_streams.py pins the shape).
Status WriteRecord(JsonWriter& w, const streams::StreamRecord& r, std::string_view sequence) {
  w.BeginObject();
  w.KV("eventID", r.event_id);
  w.KV("eventName", streams::EventNameText(r.event_name));
  w.KV("eventVersion", "1.1");
  w.KV("eventSource", "aws:dynamodb");
  w.KV("awsRegion", r.region);
  w.Key("dynamodb");
  w.BeginObject();
  w.Key("ApproximateCreationDateTime");
  w.Double(double(r.creation_ms / 1000));  // DynamoDB rounds it down to the second
  CAIRN_RETURN_IF_ERROR(WriteImage(w, "Keys", r.keys));
  if (r.new_image) CAIRN_RETURN_IF_ERROR(WriteImage(w, "NewImage", *r.new_image));
  if (r.old_image) CAIRN_RETURN_IF_ERROR(WriteImage(w, "OldImage", *r.old_image));
  w.KV("SequenceNumber", sequence);
  w.Key("SizeBytes");
  w.UInt(r.size_bytes);
  w.KV("StreamViewType", streams::StreamViewTypeText(r.view_type));
  w.EndObject();
  if (r.by_ttl) {
    // The Streams API spells these members PrincipalId and Type (its service model); Lambda's
    // event format lower-cases them.
    w.Key("userIdentity");
    w.BeginObject();
    w.KV("PrincipalId", "dynamodb.amazonaws.com");
    w.KV("Type", "Service");
    w.EndObject();
  }
  w.EndObject();
  return Status::OK();
}

// Writes one stored record (either format) as GetRecords returns it.
Status WriteStoredRecord(JsonWriter& w, std::string_view value, std::string_view sequence) {
  Result<streams::StoredRecord> stored = streams::DecodeRecordValue(value);
  if (!stored.ok()) return stored.status();
  if (stored->json) {
    w.Raw(*stored->json);  // a record written before the binary format
    return Status::OK();
  }
  return WriteRecord(w, *stored->record, sequence);
}

// GetRecords from one storage shard's records (ShardedStreams).
OpResult GetEngineShardRecords(OpContext& ctx, storage::ShardedStreams& sharded,
                               const storage::TableInfo& t, const Iterator& it,
                               std::optional<int64_t> limit, int64_t now) {
  bool closed = false;
  auto storage_shard = StorageShardOf(sharded, t, it.shard_id, &closed);
  if (!storage_shard.ok()) return ApiError::FromStatus(storage_shard.status());
  if (!*storage_shard)
    return ApiError::ResourceNotFound("Requested resource not found: Shard does not exist");
  auto range = sharded.ShardRange(t.id, **storage_shard, t.stream_id);
  if (!range.ok()) return ApiError::FromStatus(range.status());
  if (it.position < range->horizon)
    return ApiError::TrimmedDataAccess(
        "Attempted to access data that has been trimmed from the stream");
  std::vector<std::pair<uint64_t, std::string>> records;
  const size_t max = limit ? size_t(*limit) : size_t(kMaxRecordsLimit);
  if (Status s = sharded.Read(t.id, **storage_shard, t.stream_id, it.position, max, &records);
      !s.ok())
    return ApiError::FromStatus(s);
  uint64_t next = it.position;
  const uint32_t code = ShardCode(**storage_shard);
  ctx.out.BeginObject();
  ctx.out.Key("Records");
  ctx.out.BeginArray();
  for (const auto& [seq, value] : records) {
    if (value.size() < 8) continue;
    if (Status s = WriteStoredRecord(ctx.out, value, EngineSequence(seq, code)); !s.ok())
      return ApiError::FromStatus(s);  // the partial response is discarded with the error
    next = seq + 1;
  }
  ctx.out.EndArray();
  WriteNextIterator(ctx, it, next, now, (t.stream_enabled && !closed) || !records.empty());
  ctx.out.EndObject();
  return std::nullopt;
}

}  // namespace

OpResult ListStreams(OpContext& ctx, const Params& p) {
  // The model's constraints were checked by the dispatcher (protocol/constraint_check.h); it has
  // no maximum for Limit, which DynamoDB Streams documents.
  Violations v;
  auto table = p.String("TableName");
  auto limit = p.Int("Limit");
  auto start = p.String("ExclusiveStartStreamArn");
  CheckRange(v, limit, "limit", 1, kMaxStreamsLimit);
  v.ThrowIfAny();
  // Every stream of the namespace (or of one table): the tables' latest ones and the retired ones,
  // ordered by ARN so that ExclusiveStartStreamArn pages through them. An ExclusiveStartStreamArn
  // that names no stream is not an error: the listing goes on with the streams after it.
  std::vector<std::shared_ptr<const storage::TableInfo>> tables;
  std::string_view only = table ? TableNameFromParameter(*table) : std::string_view();
  if (table && !FindTable(ctx, *table)) {
    bool retired = false;
    for (const auto& r : ctx.server.catalog->RetiredStreams(ctx.caller.ns))
      retired = retired || r->name == only;
    if (!retired)
      return ApiError::ResourceNotFound("Requested resource not found: Table: " +
                                        std::string(only) + " not found");
  }
  for (const auto& name : ctx.server.catalog->List(ctx.caller.ns))
    if (!table || name == only)
      if (auto t = ctx.server.catalog->Find(ctx.caller.ns, name)) tables.push_back(t);
  for (const auto& r : ctx.server.catalog->RetiredStreams(ctx.caller.ns))
    if (!table || r->name == only) tables.push_back(r);
  std::sort(tables.begin(), tables.end(), [](const auto& a, const auto& b) {
    return a->stream_id == 0 || b->stream_id == 0 ? a->stream_id < b->stream_id
                                                  : a->StreamArn() < b->StreamArn();
  });
  ctx.out.BeginObject();
  ctx.out.Key("Streams");
  ctx.out.BeginArray();
  size_t n = 0, max = limit ? size_t(*limit) : 100;
  std::string last;
  bool more = false;
  for (const auto& t : tables) {
    if (t->stream_id == 0) continue;
    std::string arn = t->StreamArn();
    if (start && arn <= *start) continue;
    if (n == max) {
      more = true;
      break;
    }
    ctx.out.BeginObject();
    ctx.out.KV("StreamArn", arn);
    ctx.out.KV("TableName", t->name);
    ctx.out.KV("StreamLabel", t->stream_label);
    ctx.out.EndObject();
    last = arn;
    ++n;
  }
  ctx.out.EndArray();
  if (more) ctx.out.KV("LastEvaluatedStreamArn", last);
  ctx.out.EndObject();
  return std::nullopt;
}

// DescribeStream pages the stream's shards in shard-id order: at most Limit (1..100, default 100)
// after ExclusiveStartShardId (which need not exist: the shards after it in that order), with
// LastEvaluatedShardId exactly when more remain. ShardFilter {Type: CHILD_SHARDS, ShardId} keeps
// only the children of that shard (never the shard itself; none for a shard that has none or does
// not exist), and pages them the same way.
OpResult DescribeStream(OpContext& ctx, const Params& p) {
  // The model's constraints were checked by the dispatcher (protocol/constraint_check.h); it has
  // no maximum for Limit, which DynamoDB Streams documents.
  Violations v;
  auto arn = p.String("StreamArn");
  auto limit = p.Int("Limit");
  auto start = p.String("ExclusiveStartShardId");
  auto filter = p.Object("ShardFilter");
  CheckRange(v, limit, "limit", 1, kMaxShardsLimit);
  std::optional<std::string_view> parent;
  if (filter) {
    // The model (with tools/service_model_overlay.json) checked Type's enum and ShardId's length;
    // neither member is required there, but DynamoDB needs both to filter.
    if (!Member(*filter, "Type")) v.Null("shardFilter.type");
    if (auto shard_member = Member(*filter, "ShardId")) parent = AsString(*shard_member);
    else v.Null("shardFilter.shardId");
  }
  v.ThrowIfAny();
  CAIRN_API_ASSIGN_OR_RETURN(auto t, TableForStream(ctx, *arn));
  Result<std::vector<Shard>> all = StreamShards(ctx, *t);
  if (!all.ok()) return ApiError::FromStatus(all.status());
  std::vector<const Shard*> shards;  // after the filter and ExclusiveStartShardId, in id order
  for (const Shard& shard : *all) {
    if (parent && shard.parent_id != *parent) continue;
    if (start && shard.id <= *start) continue;
    shards.push_back(&shard);
  }
  const size_t max = limit ? size_t(*limit) : size_t(kMaxShardsLimit);
  const bool more = shards.size() > max;
  if (more) shards.resize(max);

  ctx.out.BeginObject();
  ctx.out.Key("StreamDescription");
  ctx.out.BeginObject();
  ctx.out.KV("StreamArn", t->StreamArn());
  ctx.out.KV("StreamLabel", t->stream_label);
  ctx.out.KV("StreamStatus", t->stream_enabled ? "ENABLED" : "DISABLED");
  ctx.out.KV("StreamViewType", t->stream_view_type);
  ctx.out.Key("CreationRequestDateTime");
  ctx.out.Double(t->stream_created);
  ctx.out.KV("TableName", t->name);
  ctx.out.Key("KeySchema");
  ctx.out.BeginArray();
  ctx.out.BeginObject();
  ctx.out.KV("AttributeName", t->hash.name);
  ctx.out.KV("KeyType", "HASH");
  ctx.out.EndObject();
  if (t->range) {
    ctx.out.BeginObject();
    ctx.out.KV("AttributeName", t->range->name);
    ctx.out.KV("KeyType", "RANGE");
    ctx.out.EndObject();
  }
  ctx.out.EndArray();
  ctx.out.Key("Shards");
  ctx.out.BeginArray();
  for (const Shard* shard : shards) {
    ctx.out.BeginObject();
    ctx.out.KV("ShardId", shard->id);
    ctx.out.Key("SequenceNumberRange");
    ctx.out.BeginObject();
    ctx.out.KV("StartingSequenceNumber",
               FormatShardSequence(*shard, shard->starting_sequence));
    if (shard->ending_sequence)
      ctx.out.KV("EndingSequenceNumber",
                 FormatShardSequence(*shard, *shard->ending_sequence));
    ctx.out.EndObject();
    if (!shard->parent_id.empty()) ctx.out.KV("ParentShardId", shard->parent_id);
    ctx.out.EndObject();
  }
  ctx.out.EndArray();
  if (more) ctx.out.KV("LastEvaluatedShardId", shards.back()->id);
  ctx.out.EndObject();
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult GetShardIterator(OpContext& ctx, const Params& p) {
  // The model's constraints were checked by the dispatcher (protocol/constraint_check.h).
  auto arn = p.String("StreamArn");
  auto shard = p.String("ShardId");
  auto type = p.String("ShardIteratorType");
  auto seq = p.String("SequenceNumber");
  CAIRN_API_ASSIGN_OR_RETURN(auto t, TableForStream(ctx, *arn));
  // The shard's numbers: the stream log's, or (ShardedStreams) the storage shard's.
  auto& log = *ctx.server.streams;
  uint64_t horizon = log.trim_horizon(), next = log.next_sequence();
  storage::ShardedStreams* sharded = ctx.server.engine->ShardedStreamRecords();
  std::string storage_shard_name;
  if (sharded) {
    auto storage_shard = StorageShardOf(*sharded, *t, *shard);
    if (!storage_shard.ok()) return ApiError::FromStatus(storage_shard.status());
    if (!*storage_shard)
      return ApiError::ResourceNotFound("Requested resource not found: Shard does not exist");
    auto range = sharded->ShardRange(t->id, **storage_shard, t->stream_id);
    if (!range.ok()) return ApiError::FromStatus(range.status());
    horizon = range->horizon;
    next = range->last + 1;
    storage_shard_name = **storage_shard;
  } else if (*shard != ShardId(*t)) {
    return ApiError::ResourceNotFound("Requested resource not found: Shard does not exist");
  }
  Iterator it;
  it.stream_arn = std::string(*arn);
  it.shard_id = std::string(*shard);
  it.created_ms = NowMs();
  bool by_number = *type == "AT_SEQUENCE_NUMBER" || *type == "AFTER_SEQUENCE_NUMBER";
  if (by_number != seq.has_value())
    ThrowValidation(by_number ? "Must specify a sequence number for iterator type " +
                                    std::string(*type)
                              : "Sequence number must not be specified for iterator type " +
                                    std::string(*type));
  if (*type == "TRIM_HORIZON") {
    it.position = horizon;
  } else if (*type == "LATEST") {
    it.position = next;
  } else if (sharded) {
    // A number of this shard, or of another one: the records of this shard that come at or after
    // it in the stream's order (seq, then shard code).
    uint64_t n = 0;
    uint32_t from_code = 0;
    if (!streams::ParseShardSequence(*seq, &n, &from_code))
      ThrowValidation("Invalid SequenceNumber: " + std::string(*seq));
    it.position = streams::IteratorPosition(n, from_code, ShardCode(storage_shard_name),
                                            *type == "AT_SEQUENCE_NUMBER");
    if (it.position < horizon)
      return ApiError::TrimmedDataAccess(
          "Attempted to access data that has been trimmed from the stream");
  } else {
    uint64_t n = 0;
    try {
      n = std::stoull(std::string(*seq));
    } catch (const std::exception&) {
      ThrowValidation("Invalid SequenceNumber: " + std::string(*seq));
    }
    if (n < horizon)
      return ApiError::TrimmedDataAccess(
          "Attempted to access data that has been trimmed from the stream");
    it.position = *type == "AT_SEQUENCE_NUMBER" ? n : n + 1;
  }
  ctx.out.BeginObject();
  ctx.out.KV("ShardIterator", EncodeIterator(it));
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult GetRecords(OpContext& ctx, const Params& p) {
  // The model's constraints were checked by the dispatcher (protocol/constraint_check.h); it has
  // no maximum for Limit, which DynamoDB Streams documents.
  Violations v;
  auto token = p.String("ShardIterator");
  auto limit = p.Int("Limit");
  CheckRange(v, limit, "limit", 1, kMaxRecordsLimit);
  v.ThrowIfAny();
  Iterator it = DecodeIterator(*token);
  int64_t lifetime = ctx.server.config.iterator_lifetime_seconds > 0
                         ? int64_t(ctx.server.config.iterator_lifetime_seconds * 1000)
                         : kDefaultIteratorLifetimeMs;
  int64_t now = NowMs();
  if (now - it.created_ms > lifetime)
    return ApiError::ExpiredIterator("Iterator expired. The iterator was created at time " +
                                     std::to_string(it.created_ms) + " while right now it's " +
                                     std::to_string(now));
  CAIRN_API_ASSIGN_OR_RETURN(auto t, TableForStream(ctx, it.stream_arn));
  if (storage::ShardedStreams* sharded = ctx.server.engine->ShardedStreamRecords())
    return GetEngineShardRecords(ctx, *sharded, *t, it, limit, now);
  auto& log = *ctx.server.streams;
  if (it.position < log.trim_horizon())
    return ApiError::TrimmedDataAccess(
        "Attempted to access data that has been trimmed from the stream");
  storage::ReadOptions ro;
  ro.lower_bound = streams::StreamLog::RecordKey(t->stream_id, it.position);
  ro.upper_bound = storage::TableEnd(t->stream_id);
  auto cursor = ctx.server.engine->NewIterator(storage::Column::kStream, ro);
  size_t max = limit ? size_t(*limit) : size_t(kMaxRecordsLimit);
  size_t n = 0;
  uint64_t next = it.position;
  ctx.out.BeginObject();
  ctx.out.Key("Records");
  ctx.out.BeginArray();
  for (cursor->Seek(ro.lower_bound); cursor->Valid() && n < max; cursor->Next()) {
    std::string_view key = cursor->key(), value = cursor->value();
    if (key.size() != 12 || value.size() < 8) continue;
    const uint64_t seq = ReadBigEndian64(key.substr(4));
    Result<streams::StoredRecord> stored = streams::DecodeRecordValue(value);
    if (!stored.ok()) return ApiError::FromStatus(stored.status());
    if (stored->json) {
      ctx.out.Raw(*stored->json);  // a record written before the binary format
    } else if (Status s = WriteRecord(ctx.out, *stored->record,
                                      streams::StreamLog::FormatSequence(seq));
               !s.ok()) {
      return ApiError::FromStatus(s);  // the partial response is discarded with the error
    }
    next = seq + 1;
    ++n;
  }
  if (!cursor->status().ok()) return ApiError::FromStatus(cursor->status());
  ctx.out.EndArray();
  WriteNextIterator(ctx, it, next, now, t->stream_enabled || n > 0);
  ctx.out.EndObject();
  return std::nullopt;
}

}  // namespace cairn::api
