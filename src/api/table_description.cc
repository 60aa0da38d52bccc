// TableDescription and the table settings it reports (table_description.h).
#include "api/table_description.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

#include "api/index_schema.h"
#include "backup/point_in_time.h"
#include "storage/key_encoding.h"
#include "types/binary_codec.h"

namespace cairn::api {
namespace {

using storage::IndexInfo;
using storage::TableInfo;

const char kInvalid[] = "One or more parameter values were invalid: ";

}  // namespace

void WriteThroughput(JsonWriter& w, const TableInfo& t) {
  w.Key("ProvisionedThroughput");
  w.BeginObject();
  if (t.last_increase_time > 0) {
    w.Key("LastIncreaseDateTime");
    w.Double(t.last_increase_time);
  }
  if (t.last_decrease_time > 0) {
    w.Key("LastDecreaseDateTime");
    w.Double(t.last_decrease_time);
  }
  w.Key("NumberOfDecreasesToday");
  w.Int(t.decreases_today);
  w.Key("ReadCapacityUnits");
  w.Int(t.pay_per_request ? 0 : t.read_capacity);
  w.Key("WriteCapacityUnits");
  w.Int(t.pay_per_request ? 0 : t.write_capacity);
  w.EndObject();
}

void WriteKeySchema(JsonWriter& w, const TableInfo& t) {
  w.Key("KeySchema");
  w.BeginArray();
  w.BeginObject();
  w.KV("AttributeName", t.hash.name);
  w.KV("KeyType", "HASH");
  w.EndObject();
  if (t.range) {
    w.BeginObject();
    w.KV("AttributeName", t.range->name);
    w.KV("KeyType", "RANGE");
    w.EndObject();
  }
  w.EndArray();
}

namespace {

// The number of items in a table's (or an index's) key range and the sum of their sizes.
void CountRange(ServerContext& server, storage::Column column, uint32_t id, int64_t* count,
                int64_t* bytes) {
  storage::ReadOptions ro;
  ro.lower_bound = storage::TablePrefix(id);
  ro.upper_bound = storage::TableEnd(id);
  auto it = server.engine->NewIterator(column, ro);
  for (it->Seek(ro.lower_bound); it->Valid(); it->Next()) {
    ++*count;
    auto item = cairn::DecodeItem(it->value());
    if (item.ok()) *bytes += ItemSize(*item);
  }
}

TableStats CountTable(ServerContext& server, const TableInfo& t) {
  TableStats stats;
  CountRange(server, storage::Column::kData, t.id, &stats.item_count, &stats.size_bytes);
  for (const auto& x : t.indexes) {
    IndexStats is;
    CountRange(server, storage::Column::kIndex, x.id, &is.item_count, &is.size_bytes);
    stats.indexes.push_back(is);
  }
  if (t.pitr_enabled_time != 0) {
    auto log = backup::MeasureChangeLog(*server.engine, t.id);
    if (log.ok()) {
      stats.pitr_log_records = log->records;
      stats.pitr_log_bytes = log->bytes;
    }
  }
  return stats;
}

ReadWriteRequest DecodeReadWrite(simdjson::dom::object o, std::string_view read_member,
                                 std::string_view write_member) {
  ReadWriteRequest r;
  if (auto e = Member(o, read_member)) r.read = AsInt(*e);
  if (auto e = Member(o, write_member)) r.write = AsInt(*e);
  return r;
}

// DynamoDB's AWS managed key for DynamoDB (alias/aws/dynamodb) is one key per account and Region;
// a local server has no KMS, so its key id is made up, the same for every table of a Region (and
// across restarts: the ARN is stored with the table): a UUID-shaped FNV-1a hash of the Region.
std::string ManagedKeyArn(std::string_view region) {
  auto fnv = [](std::string_view s, uint64_t h) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    return h;
  };
  uint64_t a = fnv(region, 0xcbf29ce484222325ull);
  uint64_t b = fnv("alias/aws/dynamodb", a);
  char id[40];
  snprintf(id, sizeof id, "%08x-%04x-%04x-%04x-%012llx", uint32_t(a >> 32),
           uint32_t((a >> 16) & 0xFFFF), uint32_t(a & 0xFFFF), uint32_t(b >> 48),
           static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return "arn:aws:kms:" + std::string(region) + ":000000000000:key/" + id;
}

}  // namespace

// Counting costs a scan of the table and its indexes. A count of a large table (one that took over
// 50 ms) is reused while it is younger than 100 times what it cost, so that counting takes at most
// ~1% of the server's time; small tables (tests) are always exact, and a change of the table's
// indexes, or the end of its restore, always recounts. DynamoDB itself refreshes these figures
// about every six hours.
TableStats ComputeTableStats(ServerContext& server, const TableInfo& t) {
  struct Cached {
    TableStats stats;
    std::string shape;  // the indexes and their states when counted
    std::chrono::steady_clock::time_point at;
    std::chrono::steady_clock::duration cost;
  };
  static std::mutex mu;
  static std::map<uint32_t, Cached> cache;  // GUARDED_BY(mu); table ids are never reused
  std::string shape;
  for (const auto& x : t.indexes) shape += std::to_string(x.id) + (x.backfilling ? "b," : ",");
  if (t.restore_in_progress) shape += "restoring";  // the count when it ends is exact
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu);
    auto c = cache.find(t.id);
    if (c != cache.end() && c->second.shape == shape &&
        c->second.cost > std::chrono::milliseconds(50) && now - c->second.at < 100 * c->second.cost)
      return c->second.stats;
  }
  TableStats stats = CountTable(server, t);
  auto done = std::chrono::steady_clock::now();
  std::lock_guard lock(mu);
  cache[t.id] = Cached{stats, shape, done, done - now};
  return stats;
}

namespace {

void WriteStats(JsonWriter& w, const TableStats* stats) {
  w.Key("TableSizeBytes");
  w.Int(stats ? stats->size_bytes : 0);
  w.Key("ItemCount");
  w.Int(stats ? stats->item_count : 0);
}

void WriteIdentity(JsonWriter& w, const TableInfo& t) {
  w.KV("TableArn", t.Arn());
  w.KV("TableId", t.table_uuid);
  if (t.pay_per_request || t.billing_mode_change_time > 0) {
    w.Key("BillingModeSummary");
    w.BeginObject();
    w.KV("BillingMode", t.pay_per_request ? "PAY_PER_REQUEST" : "PROVISIONED");
    w.Key("LastUpdateToPayPerRequestDateTime");
    w.Double(t.billing_mode_change_time > 0 ? t.billing_mode_change_time : t.creation_time);
    w.EndObject();
  }
}

void WriteTableClassSummary(JsonWriter& w, const TableInfo& t) {
  // DynamoDB omits TableClassSummary for a table that has always been STANDARD; LastUpdateDateTime
  // appears once the class has been changed by UpdateTable.
  if (t.table_class != "STANDARD" || t.table_class_change_time > 0) {
    w.Key("TableClassSummary");
    w.BeginObject();
    w.KV("TableClass", t.table_class);
    if (t.table_class_change_time > 0) {
      w.Key("LastUpdateDateTime");
      w.Double(t.table_class_change_time);
    }
    w.EndObject();
  }
}

// DeletionProtectionEnabled, OnDemandThroughput and WarmThroughput. The table's warm throughput
// takes the table's status (ACTIVE; DELETING in DeleteTable's answer): Cairn applies a change at
// once, so it is never UPDATING.
void WriteProtectionAndThroughput(JsonWriter& w, const TableInfo& t, std::string_view status) {
  w.Key("DeletionProtectionEnabled");
  w.Bool(t.deletion_protection);
  WriteOnDemandThroughput(w, t.max_read_request_units, t.max_write_request_units);
  WriteWarmThroughput(w, WarmThroughputOf(t), status);
}

}  // namespace

void WriteTableDescription(JsonWriter& w, const TableInfo& t, std::string_view status,
                           const TableStats* stats) {
  w.BeginObject();
  w.Key("AttributeDefinitions");
  w.BeginArray();
  for (const auto& d : t.attribute_definitions) {
    w.BeginObject();
    w.KV("AttributeName", d.name);
    w.KV("AttributeType", TypeName(d.type));
    w.EndObject();
  }
  w.EndArray();
  w.KV("TableName", t.name);
  WriteKeySchema(w, t);
  w.KV("TableStatus", status);
  w.Key("CreationDateTime");
  w.Double(t.creation_time);
  WriteThroughput(w, t);
  WriteStats(w, stats);
  WriteIdentity(w, t);
  WriteTableClassSummary(w, t);
  WriteIndexDescriptions(w, t, stats ? stats->indexes : std::vector<IndexStats>());
  WriteSseDescription(w, t);
  if (t.stream_id != 0) {
    if (t.stream_enabled) {
      w.Key("StreamSpecification");
      WriteStreamSpecification(w, t);
    }
    w.KV("LatestStreamLabel", t.stream_label);
    w.KV("LatestStreamArn", t.StreamArn());
  }
  if (t.restore_date_time != 0) {
    w.Key("RestoreSummary");
    w.BeginObject();
    if (!t.restore_source_backup_arn.empty())
      w.KV("SourceBackupArn", t.restore_source_backup_arn);
    w.KV("SourceTableArn", t.restore_source_table_arn);
    w.Key("RestoreDateTime");
    w.Double(t.restore_date_time);
    w.Key("RestoreInProgress");
    w.Bool(t.restore_in_progress);
    w.EndObject();
  }
  WriteProtectionAndThroughput(w, t, status);
  w.EndObject();
}

void WriteSseDescription(JsonWriter& w, const TableInfo& t) {
  if (t.sse_kms_key_arn.empty()) return;
  w.Key("SSEDescription");
  w.BeginObject();
  w.KV("Status", "ENABLED");
  w.KV("SSEType", "KMS");
  w.KV("KMSMasterKeyArn", t.sse_kms_key_arn);
  w.EndObject();
}

void WriteStreamSpecification(JsonWriter& w, const TableInfo& t) {
  w.BeginObject();
  w.Key("StreamEnabled");
  w.Bool(true);
  w.KV("StreamViewType", t.stream_view_type);
  w.EndObject();
}

std::string_view TableStatusOf(const TableInfo& t) {
  return t.restore_in_progress || t.importing ? "CREATING" : "ACTIVE";
}

void WriteDeletedTableDescription(JsonWriter& w, const TableInfo& t, const TableStats* stats) {
  w.BeginObject();
  w.KV("TableName", t.name);
  w.KV("TableStatus", "DELETING");
  WriteThroughput(w, t);
  WriteStats(w, stats);
  WriteIdentity(w, t);
  WriteTableClassSummary(w, t);
  WriteSseDescription(w, t);
  WriteProtectionAndThroughput(w, t, "DELETING");
  w.EndObject();
}

// ---------------------------------------------------------------------------------------------
// Throughput settings.

ReadWriteRequest DecodeOnDemandThroughput(simdjson::dom::object o) {
  return DecodeReadWrite(o, "MaxReadRequestUnits", "MaxWriteRequestUnits");
}

ReadWriteRequest DecodeWarmThroughput(simdjson::dom::object o) {
  return DecodeReadWrite(o, "ReadUnitsPerSecond", "WriteUnitsPerSecond");
}

// The model gives these members no range (LongObject); the documented ones are checked here, with
// Cairn's wording (DynamoDB's text for these cases is not known to us).
std::optional<ApiError> CheckOnDemandThroughput(const ReadWriteRequest& request) {
  if (!request.read && !request.write)
    return ApiError::Validation(std::string(kInvalid) +
                                "OnDemandThroughput must specify MaxReadRequestUnits, "
                                "MaxWriteRequestUnits, or both");
  for (auto [value, member] : {std::pair{request.read, "MaxReadRequestUnits"},
                               std::pair{request.write, "MaxWriteRequestUnits"}}) {
    if (value && *value != -1 && *value < 1)
      return ApiError::Validation(std::string(kInvalid) + member + " must be at least 1, or -1 " +
                                  "for no limit; requested: " + std::to_string(*value));
  }
  return std::nullopt;
}

std::optional<ApiError> CheckWarmThroughputMembers(const ReadWriteRequest& request) {
  if (!request.read && !request.write)
    return ApiError::Validation(std::string(kInvalid) +
                                "WarmThroughput must specify ReadUnitsPerSecond, "
                                "WriteUnitsPerSecond, or both");
  return std::nullopt;
}

void ApplyOnDemandThroughput(const ReadWriteRequest& request, int64_t* max_read,
                             int64_t* max_write) {
  if (request.read) *max_read = *request.read;
  if (request.write) *max_write = *request.write;
}

ReadWrite DefaultWarmThroughput(bool on_demand, int64_t read_capacity, int64_t write_capacity) {
  if (on_demand) return {kOnDemandInitialReadUnits, kOnDemandInitialWriteUnits};
  return {read_capacity, write_capacity};
}

ReadWrite WarmThroughputOf(const TableInfo& t) {
  ReadWrite d = DefaultWarmThroughput(t.pay_per_request, t.read_capacity, t.write_capacity);
  return {std::max(d.read, t.warm_read_units), std::max(d.write, t.warm_write_units)};
}

ReadWrite WarmThroughputOf(const TableInfo& t, const IndexInfo& x) {
  ReadWrite d = DefaultWarmThroughput(t.pay_per_request, x.read_capacity, x.write_capacity);
  return {std::max(d.read, x.warm_read_units), std::max(d.write, x.warm_write_units)};
}

std::optional<ApiError> ApplyWarmThroughput(const ReadWriteRequest& request,
                                            std::string_view target, bool on_demand,
                                            ReadWrite minimum, ReadWrite current, int64_t* read,
                                            int64_t* write) {
  // The messages for a value under the floor are DynamoDB's (as the moto emulator reproduces them);
  // the one for a value under the current warm throughput is Cairn's wording.
  for (auto [value, lowest, now, member, capacity] :
       {std::tuple{request.read, minimum.read, current.read, "ReadUnitsPerSecond",
                   "ReadCapacityUnits"},
        std::tuple{request.write, minimum.write, current.write, "WriteUnitsPerSecond",
                   "WriteCapacityUnits"}}) {
    if (!value) continue;
    std::string requested = std::string(kInvalid) + "Requested " + member +
                            " for WarmThroughput for " + std::string(target) + " is lower than ";
    std::string floor_name = on_demand ? std::string("initial throughput for OnDemand")
                                       : std::string(capacity) + " of ProvisionedThroughput";
    if (*value < lowest) return ApiError::Validation(requested + floor_name);
    if (*value < now) return ApiError::Validation(requested + "current WarmThroughput");
  }
  if (request.read) *read = *request.read;
  if (request.write) *write = *request.write;
  return std::nullopt;
}

void WriteOnDemandThroughput(JsonWriter& w, int64_t max_read, int64_t max_write) {
  if (max_read == 0 && max_write == 0) return;
  w.Key("OnDemandThroughput");
  w.BeginObject();
  w.Key("MaxReadRequestUnits");
  w.Int(max_read != 0 ? max_read : -1);
  w.Key("MaxWriteRequestUnits");
  w.Int(max_write != 0 ? max_write : -1);
  w.EndObject();
}

void WriteWarmThroughput(JsonWriter& w, ReadWrite units, std::string_view status) {
  w.Key("WarmThroughput");
  w.BeginObject();
  w.Key("ReadUnitsPerSecond");
  w.Int(units.read);
  w.Key("WriteUnitsPerSecond");
  w.Int(units.write);
  w.KV("Status", status);
  w.EndObject();
}

void KeepWarmThroughput(const TableInfo& before, TableInfo& after) {
  auto keep = [](ReadWrite was, ReadWrite now, int64_t* read, int64_t* write) {
    if (now.read < was.read) *read = was.read;
    if (now.write < was.write) *write = was.write;
  };
  keep(WarmThroughputOf(before), WarmThroughputOf(after), &after.warm_read_units,
       &after.warm_write_units);
  for (auto& x : after.indexes) {
    if (!x.global) continue;
    auto was = std::find_if(before.indexes.begin(), before.indexes.end(),
                            [&x](const IndexInfo& b) { return b.id == x.id; });
    if (was == before.indexes.end()) continue;  // created by this change
    keep(WarmThroughputOf(before, *was), WarmThroughputOf(after, x), &x.warm_read_units,
         &x.warm_write_units);
  }
}

// ---------------------------------------------------------------------------------------------
// Server-side encryption.

SseSpecification DecodeSseSpecification(simdjson::dom::object o) {
  SseSpecification spec;
  if (auto e = Member(o, "Enabled")) spec.enabled = AsBool(*e);
  if (auto e = Member(o, "SSEType")) spec.sse_type = AsString(*e);
  if (auto e = Member(o, "KMSMasterKeyId")) spec.kms_master_key_id = AsString(*e);
  return spec;
}

// DynamoDB documents KMS as the only supported SSEType, an SSE disabled (or not enabled) as the
// AWS owned key, and KMSMasterKeyId as a key id, key ARN, alias name or alias ARN. The messages
// are Cairn's wording (DynamoDB's text for these cases is not known to us).
std::string SseKmsKeyArn(const SseSpecification& spec, std::string_view region) {
  if (!spec.enabled.value_or(false)) {
    if (spec.sse_type)
      ThrowValidation(std::string(kInvalid) +
                      "SSEType can only be specified when SSESpecification Enabled is true");
    if (spec.kms_master_key_id)
      ThrowValidation(std::string(kInvalid) +
                      "KMSMasterKeyId can only be specified when SSESpecification Enabled is true");
    return "";
  }
  if (spec.sse_type && *spec.sse_type != "KMS")
    ThrowValidation(std::string(kInvalid) + "Unsupported SSEType " + std::string(*spec.sse_type) +
                    ": the only supported value is KMS");
  if (!spec.kms_master_key_id) return ManagedKeyArn(region);
  std::string_view key = *spec.kms_master_key_id;
  if (key.empty()) ThrowValidation(std::string(kInvalid) + "KMSMasterKeyId must not be empty");
  if (key.starts_with("arn:")) return std::string(key);
  // A key id, or an alias name: DynamoDB would show the ARN of the key an alias names; without a
  // KMS to resolve it, Cairn shows the alias's ARN.
  return "arn:aws:kms:" + std::string(region) +
         ":000000000000:" + (key.starts_with("alias/") ? "" : "key/") + std::string(key);
}

}  // namespace cairn::api
