// Exports and imports on background threads: see transfers.h.
#include "transfer/transfers.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <random>
#include <thread>

#include "protocol/json_writer.h"
#include "backup/point_in_time.h"
#include "storage/key_encoding.h"
#include "transfer/export_layout.h"
#include "types/binary_codec.h"
#include "util/clock.h"

namespace cairn::transfer {
using protocol::JsonWriter;
namespace {

// Job descriptions in the meta column: "EXP:" or "IMP:", namespace, NUL, ARN -> a JSON object of
// the fields below (names are stored: do not rename).
template <typename Job>
struct Fields {
  std::vector<std::pair<const char*, std::string Job::*>> strings;
  std::vector<std::pair<const char*, int64_t Job::*>> ints;
  std::vector<std::pair<const char*, double Job::*>> doubles;
};

const Fields<ExportJob>& ExportFields() {
  static const Fields<ExportJob> f{
      {{"arn", &ExportJob::arn}, {"id", &ExportJob::id}, {"ns", &ExportJob::ns},
       {"status", &ExportJob::status}, {"table_arn", &ExportJob::table_arn},
       {"table_id", &ExportJob::table_id}, {"table_name", &ExportJob::table_name},
       {"client_token", &ExportJob::client_token}, {"request", &ExportJob::request},
       {"bucket", &ExportJob::bucket}, {"bucket_owner", &ExportJob::bucket_owner},
       {"prefix", &ExportJob::prefix}, {"sse_algorithm", &ExportJob::sse_algorithm},
       {"sse_kms_key_id", &ExportJob::sse_kms_key_id}, {"format", &ExportJob::format},
       {"export_type", &ExportJob::export_type}, {"view_type", &ExportJob::view_type},
       {"manifest", &ExportJob::manifest},
       {"failure_code", &ExportJob::failure_code},
       {"failure_message", &ExportJob::failure_message}},
      {{"item_count", &ExportJob::item_count}, {"billed_size", &ExportJob::billed_size}},
      {{"start_time", &ExportJob::start_time}, {"end_time", &ExportJob::end_time},
       {"export_time", &ExportJob::export_time},
       {"export_from_time", &ExportJob::export_from_time},
       {"export_to_time", &ExportJob::export_to_time}}};
  return f;
}

const Fields<ImportJob>& ImportFields() {
  static const Fields<ImportJob> f{
      {{"arn", &ImportJob::arn}, {"id", &ImportJob::id}, {"ns", &ImportJob::ns},
       {"status", &ImportJob::status}, {"table_arn", &ImportJob::table_arn},
       {"table_id", &ImportJob::table_id}, {"table_name", &ImportJob::table_name},
       {"client_token", &ImportJob::client_token}, {"request", &ImportJob::request},
       {"bucket", &ImportJob::bucket}, {"bucket_owner", &ImportJob::bucket_owner},
       {"key_prefix", &ImportJob::key_prefix}, {"input_format", &ImportJob::input_format},
       {"compression", &ImportJob::compression},
       {"format_options", &ImportJob::format_options_json},
       {"table_parameters", &ImportJob::table_parameters_json},
       {"failure_code", &ImportJob::failure_code},
       {"failure_message", &ImportJob::failure_message}},
      {{"error_count", &ImportJob::error_count}, {"processed_count", &ImportJob::processed_count},
       {"processed_bytes", &ImportJob::processed_bytes},
       {"imported_count", &ImportJob::imported_count}},
      {{"start_time", &ImportJob::start_time}, {"end_time", &ImportJob::end_time}}};
  return f;
}

template <typename Job>
std::string Encode(const Job& job, const Fields<Job>& f, uint32_t table_num) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  for (const auto& [name, m] : f.strings) w.KV(name, job.*m);
  for (const auto& [name, m] : f.ints) {
    w.Key(name);
    w.Int(job.*m);
  }
  for (const auto& [name, m] : f.doubles) {
    w.Key(name);
    w.Double(job.*m);
  }
  w.Key("table_num");
  w.Int(table_num);
  w.EndObject();
  return out;
}

template <typename Job>
Result<Job> Decode(std::string_view bytes, const Fields<Job>& f) {
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(bytes.data(), bytes.size()).get(o) != simdjson::SUCCESS)
    return Status::Corruption("a transfer description is not JSON");
  Job job;
  for (const auto& [name, m] : f.strings) {
    std::string_view v;
    if (o[name].get(v) == simdjson::SUCCESS) job.*m = std::string(v);
  }
  for (const auto& [name, m] : f.ints) {
    int64_t v;
    if (o[name].get(v) == simdjson::SUCCESS) job.*m = v;
  }
  for (const auto& [name, m] : f.doubles) {
    double v;
    if (o[name].get(v) == simdjson::SUCCESS) job.*m = v;
  }
  int64_t num = 0;
  if (o["table_num"].get(num) == simdjson::SUCCESS) job.table_num = static_cast<uint32_t>(num);
  return job;
}

std::string JobKey(std::string_view kind, std::string_view ns, std::string_view arn) {
  std::string k(kind);
  k.append(ns);
  k.push_back('\0');
  k.append(arn);
  return k;
}

constexpr std::string_view kExportKey = "EXP:";
constexpr std::string_view kImportKey = "IMP:";

template <typename Job>
std::optional<Job> FindIn(const std::vector<Job>& jobs, std::string_view ns,
                          std::string_view arn) {
  for (const auto& j : jobs)
    if (j.ns == ns && j.arn == arn) return j;
  return std::nullopt;
}

template <typename Job>
std::optional<Job> FindTokenIn(const std::vector<Job>& jobs, std::string_view ns,
                               std::string_view token) {
  for (const auto& j : jobs)
    if (j.ns == ns && !j.client_token.empty() && j.client_token == token) return j;
  return std::nullopt;
}

template <typename Job>
void Replace(std::vector<Job>& jobs, const Job& job) {
  for (auto& j : jobs)
    if (j.ns == job.ns && j.arn == job.arn) {
      j = job;
      return;
    }
  jobs.push_back(job);
}

}  // namespace

std::string Transfers::NewId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%014lld-%08x",
                static_cast<long long>(EpochSeconds() * 1000),
                static_cast<unsigned>(rng() & 0xffffffffu));
  return buf;
}

Status Transfers::Start() {
  std::vector<ExportJob> exports;
  std::vector<ImportJob> imports;
  for (std::string_view kind : {kExportKey, kImportKey}) {
    storage::ReadOptions ro;
    ro.lower_bound = std::string(kind);
    ro.upper_bound = storage::PrefixSuccessor(kind);
    auto it = engine_->NewIterator(storage::Column::kMeta, ro);
    for (it->Seek(ro.lower_bound); it->Valid(); it->Next()) {
      if (kind == kExportKey) {
        auto job = Decode(it->value(), ExportFields());
        if (!job.ok()) return job.status();
        exports.push_back(std::move(*job));
      } else {
        auto job = Decode(it->value(), ImportFields());
        if (!job.ok()) return job.status();
        imports.push_back(std::move(*job));
      }
    }
    CAIRN_RETURN_IF_ERROR(it->status());
  }
  auto by_start = [](const auto& a, const auto& b) { return a.start_time < b.start_time; };
  std::sort(exports.begin(), exports.end(), by_start);
  std::sort(imports.begin(), imports.end(), by_start);
  const double now = EpochSeconds();
  for (auto& e : exports) {
    if (e.status != "IN_PROGRESS") continue;
    e.status = "FAILED";
    e.failure_code = "InternalServerError";
    e.failure_message = "The export was interrupted by a restart of the server";
    e.end_time = now;
    CAIRN_RETURN_IF_ERROR(Save(e));
    spdlog::warn("export {} was interrupted by a restart: FAILED", e.arn);
  }
  for (auto& i : imports) {
    if (i.status != "IN_PROGRESS") continue;
    // Its table never became ACTIVE: delete it, unless the name now holds another table.
    Status s = catalog_->Drop(i.ns, i.table_name, i.table_num, [](const storage::TableInfo& t) {
      return t.importing ? Status::OK() : Status::Aborted("not the import's table");
    });
    if (!s.ok() && !s.IsNotFound() && s.code() != Status::Code::kAborted) return s;
    i.status = "FAILED";
    i.failure_code = "InternalServerError";
    i.failure_message = "The import was interrupted by a restart of the server";
    i.end_time = now;
    CAIRN_RETURN_IF_ERROR(Save(i));
    spdlog::warn("import {} into {} was interrupted by a restart: FAILED, table deleted", i.arn,
                 i.table_name);
  }
  std::lock_guard lock(mu_);
  exports_ = std::move(exports);
  imports_ = std::move(imports);
  return Status::OK();
}

void Transfers::Stop() {
  stop_.store(true);
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

Status Transfers::Save(const ExportJob& job) {
  storage::WriteBatch b;
  b.Put(storage::Column::kMeta, JobKey(kExportKey, job.ns, job.arn),
        Encode(job, ExportFields(), job.table_num));
  CAIRN_RETURN_IF_ERROR(engine_->Write(b));
  std::lock_guard lock(mu_);
  Replace(exports_, job);
  return Status::OK();
}

Status Transfers::Save(const ImportJob& job) {
  storage::WriteBatch b;
  b.Put(storage::Column::kMeta, JobKey(kImportKey, job.ns, job.arn),
        Encode(job, ImportFields(), job.table_num));
  CAIRN_RETURN_IF_ERROR(engine_->Write(b));
  std::lock_guard lock(mu_);
  Replace(imports_, job);
  return Status::OK();
}

void Transfers::Launch(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  threads_.emplace_back(std::move(fn));
}

Status Transfers::StartExport(ExportJob job) {
  CAIRN_RETURN_IF_ERROR(Save(job));
  Launch([this, job = std::move(job)]() mutable { RunExport(std::move(job)); });
  return Status::OK();
}

Status Transfers::StartImport(ImportJob job, CsvReader csv, ItemCheck check) {
  CAIRN_RETURN_IF_ERROR(Save(job));
  Launch([this, job = std::move(job), csv = std::move(csv), check = std::move(check)]() mutable {
    RunImport(std::move(job), std::move(csv), std::move(check));
  });
  return Status::OK();
}

std::optional<ExportJob> Transfers::FindExport(std::string_view ns, std::string_view arn) const {
  std::lock_guard lock(mu_);
  return FindIn(exports_, ns, arn);
}
std::optional<ExportJob> Transfers::FindExportByToken(std::string_view ns,
                                                      std::string_view token) const {
  std::lock_guard lock(mu_);
  return FindTokenIn(exports_, ns, token);
}
std::vector<ExportJob> Transfers::Exports(std::string_view ns) const {
  std::lock_guard lock(mu_);
  std::vector<ExportJob> out;
  for (const auto& j : exports_)
    if (j.ns == ns) out.push_back(j);
  return out;
}
std::optional<ImportJob> Transfers::FindImport(std::string_view ns, std::string_view arn) const {
  std::lock_guard lock(mu_);
  return FindIn(imports_, ns, arn);
}
std::optional<ImportJob> Transfers::FindImportByToken(std::string_view ns,
                                                      std::string_view token) const {
  std::lock_guard lock(mu_);
  return FindTokenIn(imports_, ns, token);
}
std::vector<ImportJob> Transfers::Imports(std::string_view ns) const {
  std::lock_guard lock(mu_);
  std::vector<ImportJob> out;
  for (const auto& j : imports_)
    if (j.ns == ns) out.push_back(j);
  return out;
}

// ---- export ----

void Transfers::RunExport(ExportJob job) {
  const bool ion = job.format == "ION";
  const std::string dir = ExportDirKey(job.prefix, job.id);
  auto put = [&](const std::string& key, std::string_view bytes) {
    return PutObject(ObjectPath(options_.s3_root, job.bucket, key), bytes);
  };
  auto fail = [&](const Status& s) {
    job.status = "FAILED";
    job.failure_code = "S3PutObjectFailed";  // Cairn's S3 is a directory: a write failed
    job.failure_message = s.message();
    job.end_time = EpochSeconds();
    spdlog::error("export {} of {}: FAILED: {}", job.id, job.table_name, s.ToString());
    Save(job).IgnoreError();
  };
  if (Status s = put(dir + "_started", ""); !s.ok()) return fail(s);

  std::string manifest_files, lines;
  int64_t in_file = 0;
  auto flush = [&]() -> Status {
    if (in_file == 0) return Status::OK();
    std::string gz = GzipCompress(lines);
    DataFileEntry e{in_file, Md5Base64(gz), Md5Hex(gz), dir + "data/" + DataFileName(ion)};
    CAIRN_RETURN_IF_ERROR(put(e.key, gz));
    manifest_files += ManifestFilesLine(e);
    lines.clear();
    in_file = 0;
    return Status::OK();
  };
  // After each line appended: counts it, and writes a data file when one is full.
  auto counted = [&](size_t billed) -> Status {
    ++in_file;
    ++job.item_count;
    job.billed_size += static_cast<int64_t>(billed);
    if (in_file >= static_cast<int64_t>(options_.items_per_file)) {
      CAIRN_RETURN_IF_ERROR(flush());
      spdlog::info("export {} of {}: {} items, {} bytes", job.id, job.table_name, job.item_count,
                   job.billed_size);
    }
    if (options_.item_delay.count() > 0) std::this_thread::sleep_for(options_.item_delay);
    return stop_.load() ? Status::Aborted("stopping") : Status::OK();
  };
  const ItemFormat format = ion ? ItemFormat::kIon : ItemFormat::kDynamoDbJson;
  const double began = EpochSeconds();
  auto snapshot = engine_->GetSnapshot();
  Status read;
  if (job.export_type == "INCREMENTAL_EXPORT") {
    const bool old_images = job.view_type != "NEW_IMAGE";
    read = backup::ForEachChangeBetween(
        *engine_, snapshot.get(), job.table_num, backup::MicrosOf(job.export_from_time),
        backup::MicrosOf(job.export_to_time), [&](const backup::NetChange& c) -> Status {
          std::optional<Item> before, after;
          if (*c.old_bytes) {
            CAIRN_ASSIGN_OR_RETURN(before, DecodeItem(**c.old_bytes));
          }
          if (*c.new_bytes) {
            CAIRN_ASSIGN_OR_RETURN(after, DecodeItem(**c.new_bytes));
          }
          const Item& either = after ? *after : *before;
          Item keys;
          for (const auto& name : job.key_names)
            if (auto k = either.find(name); k != either.end()) keys.emplace(k->first, k->second);
          AppendChangeLine(format, c.last_write_us, keys,
                           old_images && before ? &*before : nullptr, after ? &*after : nullptr,
                           &lines);
          return counted(ItemSize(either));
        });
  } else {
    read = backup::ForEachItemAt(*engine_, snapshot.get(), job.table_num,
                              backup::MicrosOf(job.export_time),
                              [&](std::string_view, std::string_view bytes) -> Status {
                                CAIRN_ASSIGN_OR_RETURN(Item item, DecodeItem(bytes));
                                AppendItemLine(format, item, &lines);
                                return counted(ItemSize(item));
                              });
  }
  if (stop_.load()) return;  // stays IN_PROGRESS on disk: failed at the next start
  if (!read.ok()) return fail(read);
  if (Status s = flush(); !s.ok()) return fail(s);
  job.end_time = EpochSeconds();
  ManifestSummary m;
  m.export_arn = job.arn;
  m.table_id = job.table_id;
  m.table_arn = job.table_arn;
  m.bucket = job.bucket;
  m.prefix = job.prefix;
  m.sse_algorithm = job.sse_algorithm;
  m.sse_kms_key_id = job.sse_kms_key_id;
  m.manifest_files_key = dir + "manifest-files.json";
  m.output_format = job.format;
  m.export_type = job.export_type;
  m.start_time = job.start_time;
  m.end_time = job.end_time;
  m.export_time = job.export_time;
  m.export_from_time = job.export_from_time;
  m.export_to_time = job.export_to_time;
  m.output_view = job.view_type;
  m.billed_size = job.billed_size;
  m.item_count = job.item_count;
  std::string summary = ManifestSummaryJson(m);
  for (auto s : {put(dir + "manifest-files.json", manifest_files),
                 put(dir + "manifest-files.md5", Md5Base64(manifest_files)),
                 put(dir + "manifest-summary.json", summary),
                 put(dir + "manifest-summary.md5", Md5Base64(summary))})
    if (!s.ok()) return fail(s);
  job.status = "COMPLETED";
  if (Status s = Save(job); !s.ok()) spdlog::error("export {}: {}", job.id, s.ToString());
  const double secs = std::max(EpochSeconds() - began, 1e-6);
  spdlog::info("export {} of {} COMPLETED: {} items in {:.2f} s ({:.0f} items/s) to {}/{}",
               job.id, job.table_name, job.item_count, secs, double(job.item_count) / secs,
               job.bucket, dir);
}

// ---- import ----

std::optional<std::pair<std::string, std::string>> Transfers::ImportObjects(
    ImportJob& job, const CsvReader& csv, const ItemCheck& check) {
  auto keys = ListObjects(options_.s3_root, job.bucket, job.key_prefix);
  if (!keys.ok()) return std::pair{std::string("S3GetObjectFailed"), keys.status().message()};
  if (keys->empty())
    return std::pair{std::string("S3NoSuchKey"),
                     "No objects under s3://" + job.bucket + "/" + job.key_prefix};
  const Compression compression = job.compression == "GZIP"   ? Compression::kGzip
                                  : job.compression == "ZSTD" ? Compression::kZstd
                                                              : Compression::kNone;
  const double began = EpochSeconds();
  double last_log = began;
  for (const auto& key : *keys) {
    auto raw = GetObject(ObjectPath(options_.s3_root, job.bucket, key));
    if (!raw.ok()) return std::pair{std::string("S3GetObjectFailed"), raw.status().message()};
    auto data = Decompress(compression, *raw);
    if (!data.ok())
      return std::pair{std::string("ItemValidationError"),
                       key + ": cannot be read as " + job.compression + ": " +
                           data.status().message()};
    // One record at a time: a line (DYNAMODB_JSON, ION) or a CSV record.
    auto import_one = [&](const Result<Item>& item, size_t size) -> bool {
      ++job.processed_count;
      job.processed_bytes += static_cast<int64_t>(size);
      Status s = item.status();
      if (s.ok()) {
        // The descriptor as it is now: the writer re-reads it under the item's lock anyway.
        auto table = catalog_->Find(job.ns, job.table_name);
        if (!table || table->id != job.table_num) return false;  // deleted: the import fails
        auto storage_key = check(*table, *item);
        if (!storage_key.ok()) {
          s = storage_key.status();
        } else {
          const Item& value = *item;
          std::optional<Item> old;
          s = writer_->Write(*table, *storage_key, write::ReadOld::kIfMaintained, &old,
                             [&value](const storage::TableInfo&, const Item*,
                                      write::Change* change) {
                               change->kind = write::Change::Kind::kPut;
                               change->new_item = &value;
                               return true;
                             });
          if (s.IsNotFound()) return false;
          if (s.ok()) ++job.imported_count;
        }
      }
      if (!s.ok()) {
        ++job.error_count;
        if (job.error_count <= 10)
          spdlog::warn("import {} into {}: {}: record {}: {}", job.id, job.table_name, key,
                       job.processed_count, s.message());
      }
      if (job.processed_count % 10000 == 0) {
        Save(job).IgnoreError();  // progress visible in DescribeImport
        const double now = EpochSeconds();
        if (now - last_log >= 5) {
          last_log = now;
          spdlog::info("import {} into {}: {} items processed, {} imported, {} errors, {} bytes",
                       job.id, job.table_name, job.processed_count, job.imported_count,
                       job.error_count, job.processed_bytes);
        }
      }
      if (options_.item_delay.count() > 0) std::this_thread::sleep_for(options_.item_delay);
      return !stop_.load();
    };
    if (job.input_format == "CSV") {
      Status unterminated;
      auto records = CsvReader::Records(*data, csv.delimiter(), &unterminated);
      std::vector<std::string> header = csv.header();
      size_t first = 0;
      if (header.empty() && !records.empty()) {
        header = records[0];
        first = 1;
      }
      for (size_t r = first; r < records.size(); ++r) {
        size_t size = 0;
        for (const auto& f : records[r]) size += f.size() + 1;
        if (!import_one(csv.ToItem(records[r], header), size)) return std::nullopt;
      }
      if (!unterminated.ok() && !import_one(unterminated, 0)) return std::nullopt;
    } else {
      std::string_view rest = *data;
      while (!rest.empty()) {
        size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        auto item = job.input_format == "ION" ? ParseIonLine(line) : ParseDynamoDbJsonLine(line);
        if (!import_one(item, line.size() + 1)) return std::nullopt;
      }
    }
  }
  const double secs = std::max(EpochSeconds() - began, 1e-6);
  spdlog::info("import {} into {}: {} items imported in {:.2f} s ({:.0f} items/s), {} errors",
               job.id, job.table_name, job.imported_count, secs,
               double(job.imported_count) / secs, job.error_count);
  return std::nullopt;
}

void Transfers::RunImport(ImportJob job, CsvReader csv, ItemCheck check) {
  spdlog::info("import {} into {} from s3://{}/{} ({}, {}) started", job.id, job.table_name,
               job.bucket, job.key_prefix, job.input_format, job.compression);
  auto failure = ImportObjects(job, csv, check);
  if (stop_.load()) return;  // stays IN_PROGRESS on disk: failed (and its table dropped) at start
  auto table = catalog_->Find(job.ns, job.table_name);
  if (!failure && (!table || table->id != job.table_num))
    failure = {"InternalServerError", "The table was deleted during the import"};
  if (!failure) {
    Status s = catalog_->Modify(job.ns, job.table_name, job.table_num,
                                [](storage::TableInfo& t) {
                                  t.importing = false;
                                  return Status::OK();
                                });
    if (!s.ok()) failure = {"InternalServerError", s.ToString()};
  }
  job.end_time = EpochSeconds();
  if (failure) {
    Status s = catalog_->Drop(job.ns, job.table_name, job.table_num);
    if (!s.ok() && !s.IsNotFound())
      spdlog::error("import {}: cannot delete table {}: {}", job.id, job.table_name, s.ToString());
    job.status = "FAILED";
    job.failure_code = failure->first;
    job.failure_message = failure->second;
    spdlog::error("import {} into {} FAILED ({}: {}); the table is deleted", job.id,
                  job.table_name, job.failure_code, job.failure_message);
  } else {
    job.status = "COMPLETED";
    spdlog::info("import {} into {} COMPLETED: {} processed, {} imported, {} errors; ACTIVE",
                 job.id, job.table_name, job.processed_count, job.imported_count,
                 job.error_count);
  }
  if (Status s = Save(job); !s.ok()) spdlog::error("import {}: {}", job.id, s.ToString());
}

}  // namespace cairn::transfer
