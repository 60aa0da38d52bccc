// This file implements the backup settings of a table: DescribeContinuousBackups and
// UpdateContinuousBackups (point-in-time recovery on or off, and its recovery period).
//
// What is built: the setting itself, kept in the table's descriptor (storage/catalog.h) and
// reported as DynamoDB reports it: ContinuousBackupsStatus ENABLED (every table has backups
// available), PointInTimeRecoveryStatus, RecoveryPeriodInDays, and the restorable window
// (EarliestRestorableDateTime: when recovery was turned on, or the start of the period;
// LatestRestorableDateTime: now, less DynamoDB's usual five minutes). Infrastructure tools read and
// set it on every table (Terraform's point_in_time_recovery). What is not built yet (issue 16):
// RestoreTableToPointInTime and the change log it needs, so the window describes the setting, not
// data Cairn could restore.
// Errors: a table that does not exist is DynamoDB's TableNotFoundException ("Table not found:
// <name>"), the backup operations' own type.
#include <algorithm>

#include "api/operations.h"
#include "api/table_description.h"
#include "util/clock.h"

namespace cairn::api {
namespace {

constexpr int64_t kDefaultRecoveryDays = 35;
constexpr double kLatestRestorableLagSeconds = 300;

// The table named by TableName (the model checked it), or TableNotFoundException by value.
ApiResult<std::shared_ptr<const storage::TableInfo>> BackupTable(OpContext& ctx,
                                                                const Params& p) {
  std::string_view name = *p.String("TableName");
  auto t = FindTable(ctx, name);
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
    const double now = EpochSeconds();
    w.Key("RecoveryPeriodInDays");
    w.Int(t.pitr_recovery_days);
    w.Key("EarliestRestorableDateTime");
    w.Double(std::max(t.pitr_enabled_time, now - double(t.pitr_recovery_days) * 86400));
    w.Key("LatestRestorableDateTime");
    w.Double(std::max(t.pitr_enabled_time, now - kLatestRestorableLagSeconds));
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
  WriteDescription(ctx.out, *after);
  return std::nullopt;
}

}  // namespace cairn::api
