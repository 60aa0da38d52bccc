// AWS's export layout in S3, as DynamoDB writes it and ImportTable reads it:
//   <prefix>/AWSDynamoDB/<export id>/_started                  (empty, written first)
//   <prefix>/AWSDynamoDB/<export id>/data/<random>.json.gz      (DYNAMODB_JSON; .ion.gz for ION)
//   <prefix>/AWSDynamoDB/<export id>/manifest-files.json        (one JSON object per data file)
//   <prefix>/AWSDynamoDB/<export id>/manifest-files.md5         (base64 MD5 of the above)
//   <prefix>/AWSDynamoDB/<export id>/manifest-summary.json      (written last)
//   <prefix>/AWSDynamoDB/<export id>/manifest-summary.md5
// With no S3Prefix the keys start at AWSDynamoDB/. manifest-files.json lines:
//   {"itemCount":N,"md5Checksum":"<base64 MD5>","etag":"<hex MD5>","dataFileS3Key":"<key>"}
// manifest-summary.json: version "2020-06-30", exportArn, startTime, endTime, tableId, tableArn,
// exportTime (ISO 8601 UTC with milliseconds), s3Bucket, s3Prefix (null when absent),
// s3SseAlgorithm, s3SseKmsKeyId (null when absent), manifestFilesS3Key, billedSizeBytes,
// itemCount, outputFormat, exportType. An INCREMENTAL_EXPORT's summary has version "2023-08-01",
// exportFromTime and exportToTime instead of exportTime, and outputView (NEW_IMAGE or
// NEW_AND_OLD_IMAGES); its data lines are item_codecs.h's AppendChangeLine.
// Stateless functions: safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cairn::transfer {

// "<prefix>/AWSDynamoDB/<id>/" (no leading prefix part when `prefix` is empty; one '/' between).
std::string ExportDirKey(std::string_view prefix, std::string_view export_id);
// A data file's name as DynamoDB makes them: 26 random characters of [a-z0-9], then the suffix.
std::string DataFileName(bool ion);
// 2026-11-30T21:58:16.123Z
std::string IsoTime(double epoch_seconds);

struct DataFileEntry {
  int64_t item_count = 0;
  std::string md5_base64, etag, key;
};
std::string ManifestFilesLine(const DataFileEntry& e);

struct ManifestSummary {
  std::string export_arn, table_id, table_arn, bucket, prefix, sse_algorithm, sse_kms_key_id;
  std::string manifest_files_key, output_format, export_type;
  double start_time = 0, end_time = 0, export_time = 0;
  double export_from_time = 0, export_to_time = 0;  // INCREMENTAL_EXPORT
  std::string output_view;                          // INCREMENTAL_EXPORT
  int64_t billed_size = 0, item_count = 0;
};
std::string ManifestSummaryJson(const ManifestSummary& s);

}  // namespace cairn::transfer
