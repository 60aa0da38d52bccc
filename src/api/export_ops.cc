// This file implements DynamoDB's exports to S3: ExportTableToPointInTime, DescribeExport and
// ListExports. The export itself runs in the background (transfer/transfers.h) and writes AWS's
// layout under --s3-dir (transfer/export_layout.h).
//
// What is built: FULL_EXPORT of the table as it was at ExportTime (now when absent; any second of
// the point-in-time recovery window, rebuilt from the change log: backup/point_in_time.h) and
// INCREMENTAL_EXPORT of the items written in [ExportFromTime, ExportToTime) (ExportToTime now
// when absent; ExportViewType NEW_AND_OLD_IMAGES when absent), in DYNAMODB_JSON or ION;
// ClientToken idempotency (serialized: two requests with one token start one export); the
// description and listing. As DynamoDB, an export needs point-in-time recovery on the table
// (PointInTimeRecoveryUnavailableException otherwise), and its times must be in the recovery
// window and not in the future; an incremental period is 15 minutes to 24 hours
// (InvalidExportTimeException). The messages are Cairn's: DynamoDB's could not be checked here.
// Recorded and echoed, with no effect on local files: S3BucketOwner, S3SseAlgorithm, S3SseKmsKeyId.
// Errors: TableNotFoundException, PointInTimeRecoveryUnavailableException,
// InvalidExportTimeException, ExportConflictException (a ClientToken reused with other
// parameters), ExportNotFoundException, ValidationException (an S3 bucket name S3 refuses, a
// prefix that leaves the bucket, a bad NextToken).
#include <cmath>

#include "api/operations.h"
#include "api/table_description.h"
#include "transfer/export_layout.h"
#include "util/clock.h"

namespace cairn::api {
namespace {

// How far from now an ExportTime may be and still mean "now" (clocks of client and server).
constexpr double kExportTimeSlack = 60;
constexpr int64_t kDefaultListExports = 25;  // the model's maximum for MaxResults
// An incremental export's period, as DynamoDB bounds it: 15 minutes to 24 hours.
constexpr double kMinIncrementalPeriod = 15 * 60;
constexpr double kMaxIncrementalPeriod = 24 * 3600;

// A timestamp member (epoch seconds; the model checked that it is a number) or nullopt.
std::optional<double> Timestamp(std::optional<simdjson::dom::element> e, std::string_view name) {
  if (!e || e->is_null()) return std::nullopt;
  double v;
  if (e->get(v) == simdjson::SUCCESS) return v;
  int64_t i;
  if (e->get(i) == simdjson::SUCCESS) return double(i);
  Throw(ApiError::Serialization("Invalid " + std::string(name)));
}

transfer::Transfers& Transfers(OpContext& ctx) {
  if (!ctx.server.transfers) Throw(ApiError::InternalServerError("exports are not available"));
  return *ctx.server.transfers;
}

void WriteExportDescription(JsonWriter& w, const transfer::ExportJob& e) {
  w.BeginObject();
  w.KV("ExportArn", e.arn);
  w.KV("ExportStatus", e.status);
  w.Key("StartTime");
  w.Double(e.start_time);
  if (e.end_time != 0) {
    w.Key("EndTime");
    w.Double(e.end_time);
  }
  if (e.status == "COMPLETED") w.KV("ExportManifest", e.manifest);
  w.KV("TableArn", e.table_arn);
  w.KV("TableId", e.table_id);
  if (e.export_type == "INCREMENTAL_EXPORT") {
    w.Key("IncrementalExportSpecification");
    w.BeginObject();
    w.Key("ExportFromTime");
    w.Double(e.export_from_time);
    w.Key("ExportToTime");
    w.Double(e.export_to_time);
    w.KV("ExportViewType", e.view_type);
    w.EndObject();
  } else {
    w.Key("ExportTime");
    w.Double(e.export_time);
  }
  if (!e.client_token.empty()) w.KV("ClientToken", e.client_token);
  w.KV("S3Bucket", e.bucket);
  if (!e.bucket_owner.empty()) w.KV("S3BucketOwner", e.bucket_owner);
  if (!e.prefix.empty()) w.KV("S3Prefix", e.prefix);
  w.KV("S3SseAlgorithm", e.sse_algorithm);
  if (!e.sse_kms_key_id.empty()) w.KV("S3SseKmsKeyId", e.sse_kms_key_id);
  if (!e.failure_code.empty()) {
    w.KV("FailureCode", e.failure_code);
    w.KV("FailureMessage", e.failure_message);
  }
  w.KV("ExportFormat", e.format);
  if (e.status == "COMPLETED") {
    w.Key("BilledSizeBytes");
    w.Int(e.billed_size);
    w.Key("ItemCount");
    w.Int(e.item_count);
  }
  w.KV("ExportType", e.export_type);
  w.EndObject();
}

void AnswerExport(OpContext& ctx, const transfer::ExportJob& e) {
  ctx.out.BeginObject();
  ctx.out.Key("ExportDescription");
  WriteExportDescription(ctx.out, e);
  ctx.out.EndObject();
}

}  // namespace

// Checks an S3 bucket name and key prefix as S3 would (ValidationException, thrown); shared with
// import_ops.cc.
void CheckS3Location(std::string_view bucket, std::optional<std::string_view> prefix) {
  if (Status s = transfer::CheckBucketName(bucket); !s.ok()) ThrowValidation(s.message());
  if (prefix)
    if (Status s = transfer::CheckKey(*prefix); !s.ok()) ThrowValidation(s.message());
}

OpResult ExportTableToPointInTime(OpContext& ctx, const Params& p) {
  auto& transfers = Transfers(ctx);
  // The model checked TableArn and S3Bucket (present), the enums and lengths.
  std::string_view table_arn = *p.String("TableArn");
  std::string_view bucket = *p.String("S3Bucket");
  auto prefix = p.String("S3Prefix");
  CheckS3Location(bucket, prefix);
  std::string format(p.String("ExportFormat").value_or("DYNAMODB_JSON"));
  std::string sse(p.String("S3SseAlgorithm").value_or("AES256"));
  auto kms_key = p.String("S3SseKmsKeyId");
  if (kms_key && sse != "KMS")
    ThrowValidation("S3SseKmsKeyId can only be specified when S3SseAlgorithm is KMS");
  // ExportType and IncrementalExportSpecification (2023) are newer than Debian's model: the
  // overlay (tools/service_model_overlay.json) adds them, and the enums are checked here too.
  std::string type(p.String("ExportType").value_or("FULL_EXPORT"));
  if (type != "FULL_EXPORT" && type != "INCREMENTAL_EXPORT")
    ThrowValidation("1 validation error detected: Value '" + type +
                    "' at 'exportType' failed to satisfy constraint: Member must satisfy enum "
                    "value set: [FULL_EXPORT, INCREMENTAL_EXPORT]");
  const bool incremental = type == "INCREMENTAL_EXPORT";
  auto spec = p.Object("IncrementalExportSpecification");
  if (!incremental && spec)
    ThrowValidation("IncrementalExportSpecification can only be specified for an "
                    "INCREMENTAL_EXPORT");
  auto export_time = Timestamp(p.Get("ExportTime"), "ExportTime");
  std::optional<double> from_time, to_time;
  std::string view_type;
  if (incremental) {
    if (export_time)
      ThrowValidation("ExportTime cannot be specified for an INCREMENTAL_EXPORT: use "
                      "IncrementalExportSpecification");
    if (!spec)
      ThrowValidation("IncrementalExportSpecification must be specified for an "
                      "INCREMENTAL_EXPORT");
    from_time = Timestamp(Member(*spec, "ExportFromTime"), "ExportFromTime");
    to_time = Timestamp(Member(*spec, "ExportToTime"), "ExportToTime");
    view_type = "NEW_AND_OLD_IMAGES";
    if (auto v = Member(*spec, "ExportViewType")) view_type = std::string(AsString(*v));
    if (view_type != "NEW_IMAGE" && view_type != "NEW_AND_OLD_IMAGES")
      ThrowValidation("1 validation error detected: Value '" + view_type +
                      "' at 'incrementalExportSpecification.exportViewType' failed to satisfy "
                      "constraint: Member must satisfy enum value set: [NEW_IMAGE, "
                      "NEW_AND_OLD_IMAGES]");
    if (!from_time)
      ThrowValidation("ExportFromTime must be specified for an INCREMENTAL_EXPORT");
    if (to_time && *to_time <= *from_time)
      return ApiError::InvalidExportTime("ExportFromTime must be earlier than ExportToTime");
    // The period's length is checked on the request alone, before the table's window.
    const double now = EpochSeconds();
    const double to = std::min(to_time.value_or(now), now);
    if (to - *from_time < kMinIncrementalPeriod)
      return ApiError::InvalidExportTime(
          "The incremental export period from ExportFromTime to ExportToTime must be at least "
          "15 minutes");
    if (to - *from_time > kMaxIncrementalPeriod)
      return ApiError::InvalidExportTime(
          "The incremental export period from ExportFromTime to ExportToTime must be at most 24 "
          "hours");
  }
  // The parameters, to recognize a retry with the same ClientToken.
  auto time_text = [](std::optional<double> t) { return t ? std::to_string(*t) : ""; };
  std::string request = std::string(table_arn) + '\n' + time_text(export_time) + '\n' +
                        std::string(bucket) + '\n' +
                        std::string(p.String("S3BucketOwner").value_or("")) + '\n' +
                        std::string(prefix.value_or("")) + '\n' + sse + '\n' +
                        std::string(kms_key.value_or("")) + '\n' + format + '\n' + type + '\n' +
                        time_text(from_time) + '\n' + time_text(to_time) + '\n' + view_type;
  auto token = p.String("ClientToken");
  // Two requests with one token are one export: the check and the start are one step.
  auto token_lock = transfers.LockClientTokens();
  if (token) {
    if (auto previous = transfers.FindExportByToken(ctx.caller.ns, *token)) {
      if (previous->request != request)
        return ApiError::ExportConflict(
            "There was a conflict when writing to the specified S3 bucket: the ClientToken '" +
            std::string(*token) + "' was used for an export with other parameters");
      AnswerExport(ctx, *previous);
      return std::nullopt;
    }
  }

  auto t = FindTable(ctx, table_arn);
  if (!t) return ApiError::TableNotFound("Table not found: " + std::string(table_arn));
  if (t->pitr_enabled_time == 0)
    return ApiError::PointInTimeRecoveryUnavailable(
        "Point in time recovery is not enabled for table '" + t->name + "'");
  const double now = EpochSeconds();
  // The change log holds the window [earliest, now]; a time before PITR was enabled reads as the
  // table when it was enabled (nothing was logged before), within kExportTimeSlack.
  const double window_start = now - double(t->pitr_recovery_days) * 86400;
  auto check_in_window = [&](double time, std::string_view member) -> std::optional<ApiError> {
    if (time > now + kExportTimeSlack)
      return ApiError::InvalidExportTime(std::string(member) + " cannot be in the future");
    if (time < t->pitr_enabled_time - kExportTimeSlack || time < window_start)
      return ApiError::InvalidExportTime(std::string(member) +
                                         " is earlier than the table's earliest restorable time");
    return std::nullopt;
  };
  if (export_time)
    if (auto e = check_in_window(*export_time, "ExportTime")) return *e;
  if (incremental) {
    if (auto e = check_in_window(*from_time, "ExportFromTime")) return *e;
    if (to_time)
      if (auto e = check_in_window(*to_time, "ExportToTime")) return *e;
  }

  transfer::ExportJob job;
  job.id = transfer::Transfers::NewId();
  job.arn = t->Arn() + "/export/" + job.id;
  job.ns = ctx.caller.ns;
  job.table_arn = t->Arn();
  job.table_id = t->table_uuid;
  job.table_name = t->name;
  job.table_num = t->id;
  job.start_time = now;
  job.export_time = incremental ? 0 : std::min(export_time.value_or(now), now);
  job.export_from_time = from_time.value_or(0);
  job.export_to_time = incremental ? std::min(to_time.value_or(now), now) : 0;
  job.view_type = view_type;
  job.key_names.push_back(t->hash.name);
  if (t->range) job.key_names.push_back(t->range->name);
  job.client_token = std::string(token.value_or(""));
  job.request = std::move(request);
  job.bucket = std::string(bucket);
  job.bucket_owner = std::string(p.String("S3BucketOwner").value_or(""));
  job.prefix = std::string(prefix.value_or(""));
  job.sse_algorithm = sse;
  job.sse_kms_key_id = std::string(kms_key.value_or(""));
  job.format = format;
  job.export_type = type;
  job.manifest = transfer::ExportDirKey(job.prefix, job.id) + "manifest-summary.json";
  transfer::ExportJob answer = job;  // IN_PROGRESS, as DynamoDB answers
  if (Status s = transfers.StartExport(std::move(job)); !s.ok()) return ApiError::FromStatus(s);
  AnswerExport(ctx, answer);
  return std::nullopt;
}

OpResult DescribeExport(OpContext& ctx, const Params& p) {
  std::string_view arn = *p.String("ExportArn");
  auto e = Transfers(ctx).FindExport(ctx.caller.ns, arn);
  if (!e) return ApiError::ExportNotFound("Export not found: " + std::string(arn));
  AnswerExport(ctx, *e);
  return std::nullopt;
}

OpResult ListExports(OpContext& ctx, const Params& p) {
  auto table_arn = p.String("TableArn");
  const int64_t max = p.Int("MaxResults").value_or(kDefaultListExports);
  std::vector<transfer::ExportJob> all;
  for (auto& e : Transfers(ctx).Exports(ctx.caller.ns))
    if (!table_arn || TableNameFromParameter(*table_arn) == e.table_name) all.push_back(e);
  size_t start = 0;
  if (auto token = p.String("NextToken")) {
    // The token is the ARN of the first export of the next page.
    start = all.size() + 1;
    for (size_t i = 0; i < all.size(); ++i)
      if (all[i].arn == *token) start = i;
    if (start > all.size()) ThrowValidation("Invalid NextToken");
  }
  ctx.out.BeginObject();
  ctx.out.Key("ExportSummaries");
  ctx.out.BeginArray();
  size_t i = start;
  for (; i < all.size() && int64_t(i - start) < max; ++i) {
    ctx.out.BeginObject();
    ctx.out.KV("ExportArn", all[i].arn);
    ctx.out.KV("ExportStatus", all[i].status);
    ctx.out.KV("ExportType", all[i].export_type);
    ctx.out.EndObject();
  }
  ctx.out.EndArray();
  if (i < all.size()) ctx.out.KV("NextToken", all[i].arn);
  ctx.out.EndObject();
  return std::nullopt;
}

}  // namespace cairn::api
