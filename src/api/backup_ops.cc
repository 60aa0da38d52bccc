// This file implements DynamoDB's backup operations:
// - the point-in-time recovery setting: DescribeContinuousBackups, UpdateContinuousBackups
//   (ContinuousBackupsStatus is always ENABLED; PointInTimeRecoveryStatus, RecoveryPeriodInDays
//   1..35, and the restorable window: EarliestRestorableDateTime is when recovery was turned on,
//   or the start of the period; LatestRestorableDateTime is now: every acknowledged write is in
//   the change log, so Cairn has none of DynamoDB's usual five-minute lag);
// - on-demand backups: CreateBackup, DescribeBackup, ListBackups, DeleteBackup;
// - restores into a new table: RestoreTableFromBackup, RestoreTableToPointInTime.
// The backups themselves, the change log and the background restores are backup/backups.h's;
// this file checks requests and writes the answers in the model's shapes.
//
// Errors and their messages. The types are the model's (botocore's service-2.json lists each
// operation's); the messages are the model's documentation of the type unless said otherwise. None
// could be checked against DynamoDB itself here (no network):
//   TableNotFoundException                 "Table not found: <name>" (as moto; the existing one)
//   BackupNotFoundException                "Backup not found for the given BackupARN." (model)
//   BackupInUseException                   the model's text (a backup of the table is being
//                                          created, or the backup is being created or restored)
//   TableAlreadyExistsException            "Table already exists: <name>" (as moto)
//   TableInUseException                    "Table is being created: <name>" (Cairn's)
//   ContinuousBackupsUnavailableException  "Backups are being enabled for the table: <name>.
//                                          Please retry later" (as DynamoDB answers CreateBackup
//                                          right after CreateTable, quoted in user reports)
//   PointInTimeRecoveryUnavailableException "Point in time recovery is not enabled for table
//                                          '<name>'" (as quoted in user reports)
//   InvalidRestoreTimeException            the model's text
// SYSTEM backups: DeleteTable of a table whose point-in-time recovery is on leaves one
// ("<table>$DeletedTableBackup", BackupExpiryDateTime 35 days on, then deleted), listed with
// BackupType SYSTEM or ALL, restorable and deletable as a USER backup (DynamoDB's DeleteBackup
// documents no exception for them; not checked against DynamoDB).
// What differs from DynamoDB: no AWS_BACKUP backups exist;
// a restore does not carry TTL, streams, tags, PITR or deletion protection (as DynamoDB's restore
// does not either). A point-in-time restore uses the source's schema as it was at T (indexes,
// billing, throughput, encryption, table class: the PITR log's schema records,
// backup/point_in_time.h);
// a deleted table cannot be restored to a point in time (DynamoDB keeps its window 35 days).
#include <algorithm>

#include <cmath>
#include <set>

#include "api/index_schema.h"
#include "api/operations.h"
#include "api/table_description.h"
#include "backup/backups.h"
#include "backup/point_in_time.h"
#include "util/clock.h"

namespace cairn::api {
namespace {

constexpr int64_t kDefaultRecoveryDays = 35;

using backup::BackupRecord;
using backup::BackupStatus;
using storage::IndexInfo;
using storage::TableInfo;

// The restorable window of a table whose point-in-time recovery is on.
struct Window {
  double earliest = 0;
  double latest = 0;
};
Window RestorableWindow(const TableInfo& t) {
  const double now = EpochSeconds();
  return {std::max(t.pitr_enabled_time, now - double(t.pitr_recovery_days) * 86400),
          std::max(t.pitr_enabled_time, now)};
}

// The table named by TableName (the model checked it), or TableNotFoundException by value.
ApiResult<std::shared_ptr<const storage::TableInfo>> BackupTable(OpContext& ctx,
                                                                const Params& p) {
  std::string_view name = *p.String("TableName");
  auto t = FindTableInAnyState(ctx, name);
  if (!t)
    return ApiError::TableNotFound("Table not found: " +
                                   std::string(TableNameFromParameter(name)));
  return t;
}

void WriteDescription(JsonWriter& w, const storage::TableInfo& t) {
  w.BeginObject();
  w.Key("ContinuousBackupsDescription");
  w.BeginObject();
  w.KV("ContinuousBackupsStatus", "ENABLED");
  w.Key("PointInTimeRecoveryDescription");
  w.BeginObject();
  const bool on = t.pitr_enabled_time != 0;
  w.KV("PointInTimeRecoveryStatus", on ? "ENABLED" : "DISABLED");
  if (on) {
    const Window window = RestorableWindow(t);
    w.Key("RecoveryPeriodInDays");
    w.Int(t.pitr_recovery_days);
    w.Key("EarliestRestorableDateTime");
    w.Double(window.earliest);
    w.Key("LatestRestorableDateTime");
    w.Double(window.latest);
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
}

}  // namespace

OpResult DescribeContinuousBackups(OpContext& ctx, const Params& p) {
  CAIRN_API_ASSIGN_OR_RETURN(auto t, BackupTable(ctx, p));
  WriteDescription(ctx.out, *t);
  return std::nullopt;
}

OpResult UpdateContinuousBackups(OpContext& ctx, const Params& p) {
  // The model checked TableName and PointInTimeRecoveryEnabled. RecoveryPeriodInDays (1..35) is
  // newer than Debian's model (2022), so its range is checked here, with the model's wording.
  simdjson::dom::object spec = *p.Object("PointInTimeRecoverySpecification");
  const bool enable = AsBool(*Member(spec, "PointInTimeRecoveryEnabled"));
  std::optional<int64_t> days;
  if (auto d = Member(spec, "RecoveryPeriodInDays")) days = AsInt(*d);
  if (days && (*days < 1 || *days > kDefaultRecoveryDays)) {
    Violations v;
    v.Add("Value '" + std::to_string(*days) +
          "' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy "
          "constraint: Member must have value " +
          (*days < 1 ? "greater than or equal to 1" : "less than or equal to 35"));
    v.ThrowIfAny();
  }
  CAIRN_API_ASSIGN_OR_RETURN(auto t, BackupTable(ctx, p));
  std::shared_ptr<const storage::TableInfo> after;
  const double now = EpochSeconds();
  Status s = ctx.server.catalog->Modify(
      t->ns, t->name, t->id,
      [&](storage::TableInfo& current) {
        if (!enable) {
          current.pitr_enabled_time = 0;
          current.pitr_recovery_days = kDefaultRecoveryDays;
        } else {
          if (current.pitr_enabled_time == 0) current.pitr_enabled_time = now;
          current.pitr_recovery_days = days.value_or(kDefaultRecoveryDays);
        }
        return Status::OK();
      },
      &after);
  if (s.IsNotFound())
    return ApiError::TableNotFound("Table not found: " + t->name);  // deleted meanwhile
  if (!s.ok()) return ApiError::FromStatus(s);
  const bool was_on = t->pitr_enabled_time != 0;
  if (enable && !was_on && ctx.server.writer) {
    // Writes that read the descriptor before recovery was on log nothing: wait for them, then
    // start the window, so that every write after its start is in the change log.
    ctx.server.writer->WaitForWritesInProgress();
    const double provisional = after->pitr_enabled_time;
    const double start = EpochSeconds();
    s = ctx.server.catalog->Modify(
        t->ns, t->name, t->id,
        [&](storage::TableInfo& current) {
          if (current.pitr_enabled_time == provisional) current.pitr_enabled_time = start;
          return Status::OK();
        },
        &after);
    if (s.IsNotFound()) return ApiError::TableNotFound("Table not found: " + t->name);
    if (!s.ok()) return ApiError::FromStatus(s);
  }
  if (!enable && was_on && ctx.server.backups) ctx.server.backups->DropChangeLog(t->id);
  WriteDescription(ctx.out, *after);
  return std::nullopt;
}

namespace {

// --- on-demand backups: answers ---

const char* StatusName(BackupStatus s) {
  return s == BackupStatus::kAvailable ? "AVAILABLE" : "CREATING";
}

const char* TypeName(backup::BackupType t) {
  return t == backup::BackupType::kSystem ? "SYSTEM" : "USER";
}

// BackupType, and BackupExpiryDateTime for a SYSTEM backup (BackupDetails and BackupSummary).
void WriteTypeAndExpiry(JsonWriter& w, const BackupRecord& r) {
  w.KV("BackupType", TypeName(r.type));
  if (r.expiry_time() != 0) {
    w.Key("BackupExpiryDateTime");
    w.Double(r.expiry_time());
  }
}

void WriteBackupDetails(JsonWriter& w, const BackupRecord& r, const char* status) {
  w.BeginObject();
  w.KV("BackupArn", r.arn);
  w.KV("BackupName", r.name);
  if (r.status == BackupStatus::kAvailable) {
    w.Key("BackupSizeBytes");
    w.Int(r.size_bytes);
  }
  w.KV("BackupStatus", status);
  WriteTypeAndExpiry(w, r);
  w.Key("BackupCreationDateTime");
  w.Double(r.creation_time);
  w.EndObject();
}

// BackupDescription: BackupDetails, SourceTableDetails, SourceTableFeatureDetails.
void WriteBackupDescription(JsonWriter& w, const BackupRecord& r, const char* status) {
  const TableInfo& t = r.table;
  w.BeginObject();
  w.Key("BackupDetails");
  WriteBackupDetails(w, r, status);
  w.Key("SourceTableDetails");
  w.BeginObject();
  w.KV("TableName", t.name);
  w.KV("TableId", t.table_uuid);
  w.KV("TableArn", t.Arn());
  w.Key("TableSizeBytes");
  w.Int(r.size_bytes);
  WriteKeySchema(w, t);
  w.Key("TableCreationDateTime");
  w.Double(t.creation_time);
  w.Key("ProvisionedThroughput");
  w.BeginObject();
  w.Key("ReadCapacityUnits");
  w.Int(t.pay_per_request ? 0 : t.read_capacity);
  w.Key("WriteCapacityUnits");
  w.Int(t.pay_per_request ? 0 : t.write_capacity);
  w.EndObject();
  w.Key("ItemCount");
  w.Int(r.item_count);
  w.KV("BillingMode", t.pay_per_request ? "PAY_PER_REQUEST" : "PROVISIONED");
  w.EndObject();
  w.Key("SourceTableFeatureDetails");
  w.BeginObject();
  for (bool global : {false, true}) {
    bool any = false;
    for (const auto& x : t.indexes) any = any || x.global == global;
    if (!any) continue;
    w.Key(global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
    w.BeginArray();
    for (const auto& x : t.indexes) {
      if (x.global != global) continue;
      w.BeginObject();
      w.KV("IndexName", x.name);
      WriteIndexKeySchemaAndProjection(w, x);
      if (global) {
        w.Key("ProvisionedThroughput");
        w.BeginObject();
        w.Key("ReadCapacityUnits");
        w.Int(t.pay_per_request ? 0 : x.read_capacity);
        w.Key("WriteCapacityUnits");
        w.Int(t.pay_per_request ? 0 : x.write_capacity);
        w.EndObject();
      }
      w.EndObject();
    }
    w.EndArray();
  }
  if (t.stream_enabled) {
    w.Key("StreamDescription");
    WriteStreamSpecification(w, t);
  }
  w.Key("TimeToLiveDescription");
  w.BeginObject();
  w.KV("TimeToLiveStatus", t.ttl_enabled ? "ENABLED" : "DISABLED");
  if (t.ttl_enabled) w.KV("AttributeName", t.ttl_attribute);
  w.EndObject();
  WriteSseDescription(w, t);
  w.EndObject();
  w.EndObject();
}

ApiError BackupNotFound() {
  return ApiError::BackupNotFound("Backup not found for the given BackupARN.");
}

ApiError BackupInUse() {
  return ApiError::BackupInUse(
      "There is another ongoing conflicting backup control plane operation on the table. The "
      "backup is either being created, deleted or restored to a table.");
}

// A timestamp member (epoch seconds; the model checked that it is a number).
std::optional<double> Timestamp(const Params& p, std::string_view key) {
  auto e = p.Get(key);
  if (!e || e->is_null()) return std::nullopt;
  if (e->is_double()) return double(e->get_double().value());
  if (e->is_int64()) return double(e->get_int64().value());
  if (e->is_uint64()) return double(e->get_uint64().value());
  return std::nullopt;
}

backup::Backups& BackupsOf(OpContext& ctx) { return *ctx.server.backups; }

// --- restores: the target table ---

// The restored table's descriptor: the source's schema and settings (not its TTL, stream, tags,
// PITR or deletion protection, which DynamoDB does not restore either), with the request's
// overrides. Throws ValidationException for an override DynamoDB would refuse.
TableInfo RestoreTarget(OpContext& ctx, const Params& p, const TableInfo& source) {
  // The service model's checks have passed (api/dispatch.h): required members are there.
  auto billing = p.String("BillingModeOverride");
  std::optional<std::pair<int64_t, int64_t>> throughput;
  if (auto o = p.Object("ProvisionedThroughputOverride"))
    throughput.emplace(AsInt(*Member(*o, "ReadCapacityUnits")),
                       AsInt(*Member(*o, "WriteCapacityUnits")));
  std::vector<IndexDefinition> overrides[2];  // [0]: LSIs, [1]: GSIs
  bool overridden[2] = {false, false};
  for (bool global : {false, true}) {
    auto list = p.Array(global ? "GlobalSecondaryIndexOverride" : "LocalSecondaryIndexOverride");
    if (!list) continue;
    overridden[global] = true;
    for (auto e : *list) overrides[global].push_back(DecodeIndexDefinition(AsObject(e), global));
  }
  std::optional<SseSpecification> sse;
  if (auto o = p.Object("SSESpecificationOverride")) sse = DecodeSseSpecification(*o);

  TableInfo t;
  t.ns = ctx.caller.ns;
  t.name = std::string(*p.String("TargetTableName"));
  t.region = ctx.caller.region;
  t.table_uuid = NewTableUuid();
  t.hash = source.hash;
  t.range = source.range;
  t.table_class = source.table_class;
  t.sse_kms_key_arn = source.sse_kms_key_arn;
  t.pay_per_request = billing ? *billing == "PAY_PER_REQUEST" : source.pay_per_request;
  if (t.pay_per_request) {
    if (throughput)
      ThrowValidation(
          "One or more parameter values were invalid: ProvisionedThroughputOverride cannot be "
          "specified when BillingMode is PAY_PER_REQUEST");
    if (source.pay_per_request) {
      t.max_read_request_units = source.max_read_request_units;
      t.max_write_request_units = source.max_write_request_units;
    }
  } else if (throughput) {
    if (throughput->first < 1 || throughput->second < 1)
      ThrowValidation(
          "One or more parameter values were invalid: ProvisionedThroughputOverride must have "
          "ReadCapacityUnits and WriteCapacityUnits greater than or equal to 1");
    t.read_capacity = throughput->first;
    t.write_capacity = throughput->second;
  } else if (source.pay_per_request) {
    ThrowValidation(
        "One or more parameter values were invalid: ProvisionedThroughputOverride is required "
        "when BillingModeOverride is PROVISIONED");
  } else {
    t.read_capacity = source.read_capacity;
    t.write_capacity = source.write_capacity;
  }
  // Indexes: the source's, or for each kind the override's list (DynamoDB: "you can choose to
  // exclude some or all of the indexes"), checked as CreateTable checks them.
  for (bool global : {false, true}) {
    if (!overridden[global]) {
      for (IndexInfo x : source.indexes) {
        if (x.global != global) continue;
        x.backfilling = false;
        if (global && !t.pay_per_request && (x.read_capacity == 0 || source.pay_per_request)) {
          x.read_capacity = t.read_capacity;
          x.write_capacity = t.write_capacity;
        }
        if (global && t.pay_per_request) x.read_capacity = x.write_capacity = 0;
        if (!t.pay_per_request) x.max_read_request_units = x.max_write_request_units = 0;
        t.indexes.push_back(std::move(x));
      }
      continue;
    }
    ResolveIndexes(t, overrides[global], source.attribute_definitions);
    for (auto& d : overrides[global]) {
      if (global) {
        if (!t.pay_per_request && !d.has_throughput) {
          d.info.read_capacity = t.read_capacity;
          d.info.write_capacity = t.write_capacity;
        } else if (auto e = ApplyIndexSettings(d, t.pay_per_request, &d.info)) {
          Throw(*e);
        }
      }
      t.indexes.push_back(std::move(d.info));
    }
  }
  std::stable_partition(t.indexes.begin(), t.indexes.end(),
                        [](const IndexInfo& x) { return !x.global; });
  // The attribute definitions the keys still use.
  std::set<std::string> used = {t.hash.name};
  if (t.range) used.insert(t.range->name);
  for (const auto& x : t.indexes) {
    for (const auto& k : x.hash) used.insert(k.name);
    for (const auto& k : x.range) used.insert(k.name);
  }
  for (const auto& d : source.attribute_definitions)
    if (used.count(d.name)) t.attribute_definitions.push_back(d);
  if (sse) t.sse_kms_key_arn = SseKmsKeyArn(*sse, t.region);
  t.creation_time = EpochSeconds();
  t.restore_in_progress = true;
  return t;
}

// Creates the target table and starts filling it; answers its TableDescription (CREATING).
OpResult StartRestore(OpContext& ctx, TableInfo target) {
  const std::string name = target.name;
  if (auto existing = ctx.server.catalog->Find(ctx.caller.ns, name)) {
    if (existing->restoring()) return ApiError::TableInUse("Table is being created: " + name);
    return ApiError::TableAlreadyExists("Table already exists: " + name);
  }
  auto created = BackupsOf(ctx).StartRestore(std::move(target));
  if (!created.ok()) {
    const Status& s = created.status();
    if (s.code() == Status::Code::kBusy)
      return ApiError::TableAlreadyExists("Table already exists: " + name);
    if (s.IsNotFound()) return BackupNotFound();
    if (s.code() == Status::Code::kAborted) return BackupInUse();
    return ApiError::FromStatus(s);
  }
  ctx.out.BeginObject();
  ctx.out.Key("TableDescription");
  TableStats empty;
  WriteTableDescription(ctx.out, **created, TableStatusOf(**created), &empty);
  ctx.out.EndObject();
  return std::nullopt;
}

}  // namespace

OpResult CreateBackup(OpContext& ctx, const Params& p) {
  CAIRN_API_ASSIGN_OR_RETURN(auto t, BackupTable(ctx, p));
  if (t->restoring())
    return ApiError::ContinuousBackupsUnavailable("Backups are being enabled for the table: " +
                                                  t->name + ". Please retry later");
  auto r = BackupsOf(ctx).Create(t, std::string(*p.String("BackupName")));
  if (!r.ok()) {
    if (r.status().code() == Status::Code::kBusy) return BackupInUse();
    return ApiError::FromStatus(r.status());
  }
  ctx.out.BeginObject();
  ctx.out.Key("BackupDetails");
  WriteBackupDetails(ctx.out, **r, StatusName((*r)->status));
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult DescribeBackup(OpContext& ctx, const Params& p) {
  auto r = BackupsOf(ctx).Find(ctx.caller.ns, *p.String("BackupArn"));
  if (!r) return BackupNotFound();
  ctx.out.BeginObject();
  ctx.out.Key("BackupDescription");
  WriteBackupDescription(ctx.out, *r, StatusName(r->status));
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult DeleteBackup(OpContext& ctx, const Params& p) {
  auto r = BackupsOf(ctx).Delete(ctx.caller.ns, *p.String("BackupArn"));
  if (!r.ok()) {
    if (r.status().IsNotFound()) return BackupNotFound();
    if (r.status().code() == Status::Code::kBusy) return BackupInUse();
    return ApiError::FromStatus(r.status());
  }
  ctx.out.BeginObject();
  ctx.out.Key("BackupDescription");
  WriteBackupDescription(ctx.out, **r, "DELETED");
  ctx.out.EndObject();
  return std::nullopt;
}

// ListBackups: the caller's backups in ARN order, filtered by TableName, creation time
// (TimeRangeLowerBound inclusive, TimeRangeUpperBound exclusive, as the model documents) and
// BackupType (USER when absent, as the model documents; SYSTEM, ALL; AWS_BACKUP lists none: Cairn
// has no AWS Backup).
// LastEvaluatedBackupArn is set when more backups follow the page.
OpResult ListBackups(OpContext& ctx, const Params& p) {
  auto table = p.String("TableName");
  auto lower = Timestamp(p, "TimeRangeLowerBound");
  auto upper = Timestamp(p, "TimeRangeUpperBound");
  auto type = p.String("BackupType");
  auto start = p.String("ExclusiveStartBackupArn");
  const int64_t limit = p.Int("Limit").value_or(100);
  if (lower && upper && *lower > *upper)
    ThrowValidation("TimeRangeUpperBound must be greater than or equal to TimeRangeLowerBound");
  const std::string_view wanted = type.value_or("USER");
  std::vector<std::shared_ptr<const BackupRecord>> page;
  bool more = false;
  {
    for (const auto& r : BackupsOf(ctx).List(ctx.caller.ns)) {
      if (wanted != "ALL" && wanted != TypeName(r->type)) continue;
      if (start && r->arn <= *start) continue;
      if (table && r->table.name != TableNameFromParameter(*table)) continue;
      if (lower && r->creation_time < *lower) continue;
      if (upper && r->creation_time >= *upper) continue;
      if (int64_t(page.size()) == limit) {
        more = true;
        break;
      }
      page.push_back(r);
    }
  }
  ctx.out.BeginObject();
  ctx.out.Key("BackupSummaries");
  ctx.out.BeginArray();
  for (const auto& r : page) {
    ctx.out.BeginObject();
    ctx.out.KV("TableName", r->table.name);
    ctx.out.KV("TableId", r->table.table_uuid);
    ctx.out.KV("TableArn", r->table.Arn());
    ctx.out.KV("BackupArn", r->arn);
    ctx.out.KV("BackupName", r->name);
    ctx.out.Key("BackupCreationDateTime");
    ctx.out.Double(r->creation_time);
    ctx.out.KV("BackupStatus", StatusName(r->status));
    WriteTypeAndExpiry(ctx.out, *r);
    if (r->status == BackupStatus::kAvailable) {
      ctx.out.Key("BackupSizeBytes");
      ctx.out.Int(r->size_bytes);
    }
    ctx.out.EndObject();
  }
  ctx.out.EndArray();
  if (more) ctx.out.KV("LastEvaluatedBackupArn", page.back()->arn);
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult RestoreTableFromBackup(OpContext& ctx, const Params& p) {
  auto r = BackupsOf(ctx).Find(ctx.caller.ns, *p.String("BackupArn"));
  if (!r) return BackupNotFound();
  TableInfo target = RestoreTarget(ctx, p, r->table);
  if (r->status != BackupStatus::kAvailable) return BackupInUse();
  target.restore_source_backup_arn = r->arn;
  target.restore_source_table_arn = r->table.Arn();
  target.restore_date_time = r->creation_time;
  return StartRestore(ctx, std::move(target));
}

OpResult RestoreTableToPointInTime(OpContext& ctx, const Params& p) {
  auto name = p.String("SourceTableName");
  auto arn = p.String("SourceTableArn");
  if (name && arn)
    ThrowValidation("One or more parameter values were invalid: Only one of SourceTableName or "
                    "SourceTableArn can be specified");
  if (!name && !arn)
    ThrowValidation("One or more parameter values were invalid: Either SourceTableName or "
                    "SourceTableArn must be specified");
  const bool latest = p.Bool("UseLatestRestorableTime").value_or(false);
  auto when = Timestamp(p, "RestoreDateTime");
  if (latest && when)
    ThrowValidation("One or more parameter values were invalid: Only one of RestoreDateTime or "
                    "UseLatestRestorableTime can be specified");
  if (!latest && !when)
    ThrowValidation("One or more parameter values were invalid: Either RestoreDateTime or "
                    "UseLatestRestorableTime must be specified");
  const std::string_view source_param = name ? *name : *arn;
  auto source = FindTableInAnyState(ctx, source_param);
  if (!source || (arn && source->Arn() != *arn))
    return ApiError::TableNotFound("Table not found: " +
                                   std::string(TableNameFromParameter(source_param)));
  if (source->pitr_enabled_time == 0)
    return ApiError::PointInTimeRecoveryUnavailable(
        "Point in time recovery is not enabled for table '" + source->name + "'");
  const Window window = RestorableWindow(*source);
  const double t = latest ? window.latest : *when;
  if (t < window.earliest || t > window.latest)
    return ApiError::InvalidRestoreTime(
        "An invalid restore time was specified. RestoreDateTime must be between "
        "EarliestRestorableDateTime and LatestRestorableDateTime.");
  // The schema as it was at t (indexes created or deleted since, billing, ...).
  auto then = backup::TableInfoAt(*ctx.server.engine, nullptr, *source, backup::MicrosOf(t));
  if (!then.ok()) return ApiError::FromStatus(then.status());
  TableInfo target = RestoreTarget(ctx, p, *then);
  target.restore_source_table_arn = source->Arn();
  target.restore_source_id = source->id;
  target.restore_date_time = t;
  return StartRestore(ctx, std::move(target));
}

}  // namespace cairn::api
