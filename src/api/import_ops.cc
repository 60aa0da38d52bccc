// This file implements DynamoDB's imports from S3: ImportTable, DescribeImport and ListImports.
// ImportTable checks the request, creates the new table from TableCreationParameters (CreateTable's
// checks and messages; CREATING, hidden from the data plane) and hands the rest to a background
// job (transfer/transfers.h), which writes every item through the item writer, so the table's GSIs
// are built as for any write, and makes the table ACTIVE at the end.
//
// Members: ClientToken (idempotency: the same parameters answer the same import, other parameters
// are ImportConflictException), S3BucketSource {S3Bucket, S3KeyPrefix; S3BucketOwner recorded and
// echoed: local files have no owner}, InputFormat DYNAMODB_JSON / ION / CSV, InputFormatOptions.Csv
// {Delimiter (default ','), HeaderList (else each file's first line)}, InputCompressionType NONE /
// GZIP / ZSTD, TableCreationParameters {TableName, AttributeDefinitions, KeySchema, BillingMode,
// ProvisionedThroughput, OnDemandThroughput, SSESpecification, GlobalSecondaryIndexes}.
// Each item is checked as PutItem checks it (api/item_keys.h); the check's ApiException is caught
// here and becomes a counted line error (ErrorCount), as DynamoDB skips an invalid item.
// Errors: ResourceInUseException (the table exists), ImportConflictException,
// ImportNotFoundException, ValidationException (S3 names, CSV options with another format).
#include <simdjson.h>

#include "api/item_keys.h"
#include "api/operations.h"
#include "api/table_description.h"
#include "util/clock.h"

namespace cairn::api {
namespace {

constexpr int64_t kDefaultPageSize = 25;  // the model's maximum for PageSize
// ImportNextToken's pattern is ([0-9a-f]{16})+ of at least 112 characters: the next import's ARN
// in hex, padded with "0" pairs (an ARN has no NUL byte).
constexpr size_t kMinTokenLength = 112;

transfer::Transfers& Transfers(OpContext& ctx) {
  if (!ctx.server.transfers) Throw(ApiError::InternalServerError("imports are not available"));
  return *ctx.server.transfers;
}

std::string EncodeToken(std::string_view arn) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string t;
  for (unsigned char c : arn) {
    t.push_back(kHex[c >> 4]);
    t.push_back(kHex[c & 15]);
  }
  while (t.size() < kMinTokenLength || t.size() % 16 != 0) t += "00";
  return t;
}

// The ARN in a NextToken ("" when it is not one of ours: the model checked its hex digits).
std::string DecodeToken(std::string_view token) {
  auto digit = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string arn;
  for (size_t i = 0; i + 1 < token.size(); i += 2) {
    const int v = digit(token[i]) * 16 + digit(token[i + 1]);
    if (v == 0) break;
    arn.push_back(static_cast<char>(v));
  }
  return arn;
}

void WriteBucketSource(JsonWriter& w, const transfer::ImportJob& i) {
  w.Key("S3BucketSource");
  w.BeginObject();
  if (!i.bucket_owner.empty()) w.KV("S3BucketOwner", i.bucket_owner);
  w.KV("S3Bucket", i.bucket);
  if (!i.key_prefix.empty()) w.KV("S3KeyPrefix", i.key_prefix);
  w.EndObject();
}

void WriteImportDescription(JsonWriter& w, const transfer::ImportJob& i) {
  w.BeginObject();
  w.KV("ImportArn", i.arn);
  w.KV("ImportStatus", i.status);
  w.KV("TableArn", i.table_arn);
  w.KV("TableId", i.table_id);
  if (!i.client_token.empty()) w.KV("ClientToken", i.client_token);
  WriteBucketSource(w, i);
  w.Key("ErrorCount");
  w.Int(i.error_count);
  w.KV("InputFormat", i.input_format);
  if (!i.format_options_json.empty()) {
    w.Key("InputFormatOptions");
    w.Raw(i.format_options_json);
  }
  w.KV("InputCompressionType", i.compression);
  w.Key("TableCreationParameters");
  w.Raw(i.table_parameters_json);
  w.Key("StartTime");
  w.Double(i.start_time);
  if (i.end_time != 0) {
    w.Key("EndTime");
    w.Double(i.end_time);
  }
  w.Key("ProcessedSizeBytes");
  w.Int(i.processed_bytes);
  w.Key("ProcessedItemCount");
  w.Int(i.processed_count);
  w.Key("ImportedItemCount");
  w.Int(i.imported_count);
  if (!i.failure_code.empty()) {
    w.KV("FailureCode", i.failure_code);
    w.KV("FailureMessage", i.failure_message);
  }
  w.EndObject();
}

void AnswerImport(OpContext& ctx, const transfer::ImportJob& i) {
  ctx.out.BeginObject();
  ctx.out.Key("ImportTableDescription");
  WriteImportDescription(ctx.out, i);
  ctx.out.EndObject();
}

// The attributes a CSV import types (the keys of the table and of its GSIs), with their types.
std::vector<transfer::CsvReader::Typed> KeyAttributeTypes(const storage::TableInfo& t) {
  std::vector<transfer::CsvReader::Typed> typed;
  for (const auto& d : t.attribute_definitions) typed.push_back({d.name, d.type});
  return typed;
}

}  // namespace

OpResult ImportTable(OpContext& ctx, const Params& p) {
  auto& transfers = Transfers(ctx);
  simdjson::dom::object source = *p.Object("S3BucketSource");
  std::string_view bucket = AsString(*Member(source, "S3Bucket"));
  std::optional<std::string_view> key_prefix, owner;
  if (auto k = Member(source, "S3KeyPrefix")) key_prefix = AsString(*k);
  if (auto o = Member(source, "S3BucketOwner")) owner = AsString(*o);
  CheckS3Location(bucket, key_prefix);
  std::string format(*p.String("InputFormat"));
  std::string compression(p.String("InputCompressionType").value_or("NONE"));
  char delimiter = ',';
  std::vector<std::string> header;
  auto options = p.Object("InputFormatOptions");
  if (options) {
    if (auto csv = Member(*options, "Csv")) {
      if (format != "CSV")
        ThrowValidation("InputFormatOptions.Csv can only be specified when InputFormat is CSV");
      if (auto d = Member(AsObject(*csv), "Delimiter")) delimiter = AsString(*d)[0];
      if (auto h = Member(AsObject(*csv), "HeaderList"))
        for (auto e : AsArray(*h)) header.emplace_back(AsString(e));
    }
  }
  simdjson::dom::object creation = *p.Object("TableCreationParameters");
  // The parameters (everything but the token), to recognize a retry with the same ClientToken.
  std::string request = simdjson::minify(p.object());
  if (auto token_member = p.String("ClientToken")) {
    // Take the token out of the fingerprint: minify keeps member order, so remove it by value.
    std::string needle = "\"ClientToken\":\"" + std::string(*token_member) + "\"";
    if (auto at = request.find(needle); at != std::string::npos) request.erase(at, needle.size());
  }
  auto token = p.String("ClientToken");
  // Two requests with one token are one import: the check, the table and the start are one step.
  auto token_lock = transfers.LockClientTokens();
  if (token) {
    if (auto previous = transfers.FindImportByToken(ctx.caller.ns, *token)) {
      if (previous->request != request)
        return ApiError::ImportConflict(
            "The ClientToken '" + std::string(*token) +
            "' was used for an import with other parameters");
      AnswerImport(ctx, *previous);
      return std::nullopt;
    }
  }

  CAIRN_API_ASSIGN_OR_RETURN(auto table,
                             CreateTableFromRequest(ctx, Params(creation), /*importing=*/true));
  transfer::ImportJob job;
  job.id = transfer::Transfers::NewId();
  job.arn = table->Arn() + "/import/" + job.id;
  job.ns = ctx.caller.ns;
  job.table_arn = table->Arn();
  job.table_id = table->table_uuid;
  job.table_name = table->name;
  job.table_num = table->id;
  job.start_time = EpochSeconds();
  job.client_token = std::string(token.value_or(""));
  job.request = std::move(request);
  job.bucket = std::string(bucket);
  job.bucket_owner = std::string(owner.value_or(""));
  job.key_prefix = std::string(key_prefix.value_or(""));
  job.input_format = format;
  job.compression = compression;
  if (options) job.format_options_json = simdjson::minify(*options);
  job.table_parameters_json = simdjson::minify(creation);
  transfer::CsvReader csv(delimiter, std::move(header), KeyAttributeTypes(*table));
  auto check = [](const storage::TableInfo& t, const Item& item) -> Result<std::string> {
    try {
      CheckItemToPut(t, item);
    } catch (const ApiException& e) {  // re-routed: a line error the import counts
      return Status::InvalidArgument(e.error.message);
    }
    return EncodeItemKey(t, item);
  };
  transfer::ImportJob answer = job;  // IN_PROGRESS
  if (Status s = transfers.StartImport(std::move(job), std::move(csv), check); !s.ok()) {
    // Nothing will fill the table: it must not stay CREATING.
    ctx.server.catalog->Drop(table->ns, table->name, table->id).IgnoreError();
    return ApiError::FromStatus(s);
  }
  AnswerImport(ctx, answer);
  return std::nullopt;
}

OpResult DescribeImport(OpContext& ctx, const Params& p) {
  std::string_view arn = *p.String("ImportArn");
  auto i = Transfers(ctx).FindImport(ctx.caller.ns, arn);
  if (!i) return ApiError::ImportNotFound("Import not found: " + std::string(arn));
  AnswerImport(ctx, *i);
  return std::nullopt;
}

OpResult ListImports(OpContext& ctx, const Params& p) {
  auto table_arn = p.String("TableArn");
  const int64_t max = p.Int("PageSize").value_or(kDefaultPageSize);
  std::vector<transfer::ImportJob> all;
  for (auto& i : Transfers(ctx).Imports(ctx.caller.ns))
    if (!table_arn || *table_arn == i.table_arn) all.push_back(i);
  size_t start = 0;
  if (auto token = p.String("NextToken")) {
    std::string arn = DecodeToken(*token);
    start = all.size() + 1;
    for (size_t i = 0; i < all.size(); ++i)
      if (all[i].arn == arn) start = i;
    if (start > all.size()) ThrowValidation("Invalid NextToken");
  }
  ctx.out.BeginObject();
  ctx.out.Key("ImportSummaryList");
  ctx.out.BeginArray();
  size_t k = start;
  for (; k < all.size() && int64_t(k - start) < max; ++k) {
    const auto& i = all[k];
    ctx.out.BeginObject();
    ctx.out.KV("ImportArn", i.arn);
    ctx.out.KV("ImportStatus", i.status);
    ctx.out.KV("TableArn", i.table_arn);
    WriteBucketSource(ctx.out, i);
    ctx.out.KV("InputFormat", i.input_format);
    ctx.out.Key("StartTime");
    ctx.out.Double(i.start_time);
    if (i.end_time != 0) {
      ctx.out.Key("EndTime");
      ctx.out.Double(i.end_time);
    }
    ctx.out.EndObject();
  }
  ctx.out.EndArray();
  if (k < all.size()) ctx.out.KV("NextToken", EncodeToken(all[k].arn));
  ctx.out.EndObject();
  return std::nullopt;
}

}  // namespace cairn::api
