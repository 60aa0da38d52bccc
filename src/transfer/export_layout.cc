// AWS's export layout: see export_layout.h.
#include "transfer/export_layout.h"

#include <cmath>
#include <ctime>
#include <random>

#include "protocol/json_writer.h"

namespace cairn::transfer {
using protocol::JsonWriter;

std::string ExportDirKey(std::string_view prefix, std::string_view export_id) {
  std::string k(prefix);
  while (!k.empty() && k.back() == '/') k.pop_back();
  if (!k.empty()) k.push_back('/');
  k += "AWSDynamoDB/";
  k += export_id;
  k.push_back('/');
  return k;
}

std::string DataFileName(bool ion) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string name;
  for (int i = 0; i < 26; ++i) name.push_back(kChars[rng() % 36]);
  return name + (ion ? ".ion.gz" : ".json.gz");
}

std::string IsoTime(double t) {
  auto secs = static_cast<time_t>(std::floor(t));
  int ms = static_cast<int>(std::lround((t - static_cast<double>(secs)) * 1000));
  if (ms >= 1000) {
    ++secs;
    ms -= 1000;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::string ManifestFilesLine(const DataFileEntry& e) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("itemCount");
  w.Int(e.item_count);
  w.KV("md5Checksum", e.md5_base64);
  w.KV("etag", e.etag);
  w.KV("dataFileS3Key", e.key);
  w.EndObject();
  out.push_back('\n');
  return out;
}

std::string ManifestSummaryJson(const ManifestSummary& s) {
  std::string out;
  JsonWriter w(&out);
  auto nullable = [&w](std::string_view k, const std::string& v) {
    w.Key(k);
    if (v.empty())
      w.Null();
    else
      w.String(v);
  };
  const bool incremental = s.export_type == "INCREMENTAL_EXPORT";
  w.BeginObject();
  w.KV("version", incremental ? "2023-08-01" : "2020-06-30");
  w.KV("exportArn", s.export_arn);
  w.KV("startTime", IsoTime(s.start_time));
  w.KV("endTime", IsoTime(s.end_time));
  w.KV("tableId", s.table_id);
  w.KV("tableArn", s.table_arn);
  if (incremental) {
    w.KV("exportFromTime", IsoTime(s.export_from_time));
    w.KV("exportToTime", IsoTime(s.export_to_time));
  } else {
    w.KV("exportTime", IsoTime(s.export_time));
  }
  w.KV("s3Bucket", s.bucket);
  nullable("s3Prefix", s.prefix);
  w.KV("s3SseAlgorithm", s.sse_algorithm);
  nullable("s3SseKmsKeyId", s.sse_kms_key_id);
  w.KV("manifestFilesS3Key", s.manifest_files_key);
  w.Key("billedSizeBytes");
  w.Int(s.billed_size);
  w.Key("itemCount");
  w.Int(s.item_count);
  w.KV("outputFormat", s.output_format);
  if (incremental) w.KV("outputView", s.output_view);
  w.KV("exportType", s.export_type);
  w.EndObject();
  out.push_back('\n');
  return out;
}

}  // namespace cairn::transfer
