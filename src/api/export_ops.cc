// This file implements DynamoDB's exports to S3: ExportTableToPointInTime, DescribeExport and
// ListExports. The export itself runs in the background (transfer/transfers.h) and writes AWS's
// layout under --s3-dir (transfer/export_layout.h).
//
// What is built: FULL_EXPORT of the table as it is when the request arrives (ExportTime absent or
// within kExportTimeSlack of now), in DYNAMODB_JSON or ION; ClientToken idempotency; the
// description and listing. As DynamoDB, an export needs point-in-time recovery on the table
// (PointInTimeRecoveryUnavailableException otherwise).
// Refused on purpose, with a reason: an ExportTime further in the past (InvalidExportTimeException:
// Cairn keeps no point-in-time history yet) and ExportType INCREMENTAL_EXPORT with its
// IncrementalExportSpecification (ValidationException; it needs the same history).
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
  w.Key("ExportTime");
  w.Double(e.export_time);
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
  // ExportType and IncrementalExportSpecification are newer than Debian's model (2023).
  std::string type(p.String("ExportType").value_or("FULL_EXPORT"));
  if (type != "FULL_EXPORT" && type != "INCREMENTAL_EXPORT")
    ThrowValidation("1 validation error detected: Value '" + type +
                    "' at 'exportType' failed to satisfy constraint: Member must satisfy enum "
                    "value set: [FULL_EXPORT, INCREMENTAL_EXPORT]");
  if (type == "FULL_EXPORT" && p.Has("IncrementalExportSpecification"))
    ThrowValidation("IncrementalExportSpecification can only be specified for an "
                    "INCREMENTAL_EXPORT");
  std::optional<double> export_time;
  if (auto t = p.Get("ExportTime")) {
    double v;
    if (t->get(v) != simdjson::SUCCESS) {
      int64_t i;
      if (t->get(i) != simdjson::SUCCESS) Throw(ApiError::Serialization("Invalid ExportTime"));
      v = double(i);
    }
    export_time = v;
  }
  // The parameters, to recognize a retry with the same ClientToken.
  std::string request = std::string(table_arn) + '\n' +
                        (export_time ? std::to_string(*export_time) : "") + '\n' +
                        std::string(bucket) + '\n' +
                        std::string(p.String("S3BucketOwner").value_or("")) + '\n' +
                        std::string(prefix.value_or("")) + '\n' + sse + '\n' +
                        std::string(kms_key.value_or("")) + '\n' + format + '\n' + type;
  auto token = p.String("ClientToken");
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
  if (export_time) {
    if (*export_time > now + kExportTimeSlack)
      return ApiError::InvalidExportTime("ExportTime cannot be in the future");
    if (*export_time < t->pitr_enabled_time - kExportTimeSlack)
      return ApiError::InvalidExportTime(
          "ExportTime is earlier than the table's earliest restorable time");
    if (*export_time < now - kExportTimeSlack)
      return ApiError::InvalidExportTime(
          "Cairn exports a table as it is now: ExportTime must be within " +
          std::to_string(int(kExportTimeSlack)) + " seconds of the current time");
  }
  if (type == "INCREMENTAL_EXPORT")
    ThrowValidation("ExportType INCREMENTAL_EXPORT is not supported by Cairn: it needs the "
                    "table's point-in-time change history");

  transfer::ExportJob job;
  job.id = transfer::Transfers::NewId();
  job.arn = t->Arn() + "/export/" + job.id;
  job.ns = ctx.caller.ns;
  job.table_arn = t->Arn();
  job.table_id = t->table_uuid;
  job.table_name = t->name;
  job.table_num = t->id;
  job.start_time = now;
  job.export_time = now;
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
