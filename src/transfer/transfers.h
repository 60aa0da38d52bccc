// Transfers: DynamoDB's exports to S3 and imports from S3 (ExportTableToPointInTime, ImportTable),
// run on background threads, their descriptions kept in the engine's meta column so that
// DescribeExport, ListExports, DescribeImport and ListImports answer across restarts.
//
// An export reads one engine snapshot: a FULL_EXPORT writes the table as it was at ExportTime (its
// items now, with the point-in-time change log's writes after ExportTime undone:
// backup/point_in_time.h), an INCREMENTAL_EXPORT the net change of each item written in
// [ExportFromTime, ExportToTime) from the same log. Both write AWS's layout under --s3-dir
// (export_layout.h): data files of one item per line, gzipped, then manifest-files.json, then
// manifest-summary.json, the last file written; a reader that finds the summary finds a complete
// export.
//
// An import fills a new table that the API layer created with TableInfo::importing set (CREATING:
// the data plane does not see it). Every line goes through the item writer (write/item_writer.h),
// so its GSIs are built as for any write. A line that is not a valid item is counted in ErrorCount
// and skipped, as DynamoDB does; a source that cannot be read at all (no object under the prefix,
// an object that does not decompress) fails the import: FAILED with FailureCode and
// FailureMessage, and the half-filled table is deleted. Success makes the table ACTIVE (importing
// cleared) and the import COMPLETED.
//
// Restarts: a job that was IN_PROGRESS when the server stopped is FAILED at the next Start()
// (FailureCode "InternalServerError", "interrupted by a restart"), and an import's table is
// deleted: never a half-imported table that looks ACTIVE.
//
// Thread safety: all methods may be called concurrently. Stop() joins the running jobs (they stop
// between items and stay IN_PROGRESS on disk, to be failed at the next start).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/catalog.h"
#include "storage/engine.h"
#include "transfer/item_codecs.h"
#include "transfer/s3_files.h"
#include "write/item_writer.h"

namespace cairn::transfer {

// What DescribeExport reports (ExportDescription), plus what the job needs.
struct ExportJob {
  std::string arn, id, ns;
  std::string status = "IN_PROGRESS";  // IN_PROGRESS, COMPLETED, FAILED
  std::string table_arn, table_id, table_name;
  uint32_t table_num = 0;  // the table's storage id
  double start_time = 0, end_time = 0, export_time = 0;
  std::string client_token, request;  // request: the parameters, to compare a reused token
  std::string bucket, bucket_owner, prefix, sse_algorithm, sse_kms_key_id;
  std::string format = "DYNAMODB_JSON";  // or ION
  std::string export_type = "FULL_EXPORT";  // or INCREMENTAL_EXPORT
  // INCREMENTAL_EXPORT: IncrementalExportSpecification (epoch seconds; [from, to)).
  double export_from_time = 0, export_to_time = 0;
  std::string view_type;  // NEW_IMAGE or NEW_AND_OLD_IMAGES
  std::vector<std::string> key_names;  // the table's key attributes (not stored)
  std::string manifest;  // ExportManifest: the key of manifest-summary.json
  std::string failure_code, failure_message;
  int64_t item_count = 0, billed_size = 0;
};

// What DescribeImport reports (ImportTableDescription), plus what the job needs.
struct ImportJob {
  std::string arn, id, ns;
  std::string status = "IN_PROGRESS";  // IN_PROGRESS, COMPLETED, FAILED (CANCELLING: never)
  std::string table_arn, table_id, table_name;
  uint32_t table_num = 0;
  double start_time = 0, end_time = 0;
  std::string client_token, request;
  std::string bucket, bucket_owner, key_prefix;
  std::string input_format;                 // DYNAMODB_JSON, ION, CSV
  std::string compression = "NONE";         // NONE, GZIP, ZSTD
  std::string format_options_json;          // InputFormatOptions as given ("": absent)
  std::string table_parameters_json;        // TableCreationParameters as given
  std::string failure_code, failure_message;
  int64_t error_count = 0, processed_count = 0, processed_bytes = 0, imported_count = 0;
};

class Transfers {
 public:
  struct Options {
    std::filesystem::path s3_root;            // --s3-dir
    size_t items_per_file = 100000;           // an export's data file holds at most this many
    std::chrono::microseconds item_delay{0};  // tests only (--test-transfer-delay)
  };
  // Checks an imported item against the table (key attributes, sizes) and returns its storage
  // key, or InvalidArgument with DynamoDB's message. Given by the API layer, which owns the rules.
  using ItemCheck =
      std::function<Result<std::string>(const storage::TableInfo& table, const Item& item)>;

  Transfers(storage::Engine* engine, storage::Catalog* catalog, write::ItemWriter* writer,
            Options options)
      : engine_(engine), catalog_(catalog), writer_(writer), options_(std::move(options)) {}
  ~Transfers() { Stop(); }

  // Reads the job descriptions and fails those a stop interrupted (see above). Call once.
  Status Start();
  void Stop();

  const Options& options() const { return options_; }

  // Held by an operation from its ClientToken lookup to its StartExport or StartImport, so that
  // two requests with one token start one job.
  std::unique_lock<std::mutex> LockClientTokens() { return std::unique_lock(token_mu_); }

  // Persists `job` (IN_PROGRESS) and starts it. `job.arn` and the table fields are set.
  Status StartExport(ExportJob job);
  // The same for an import whose table (job.table_*) the caller created with `importing` set.
  Status StartImport(ImportJob job, CsvReader csv, ItemCheck check);

  // The jobs of namespace `ns`, by ARN or by client token; in start order.
  std::optional<ExportJob> FindExport(std::string_view ns, std::string_view arn) const;
  std::optional<ExportJob> FindExportByToken(std::string_view ns, std::string_view token) const;
  std::vector<ExportJob> Exports(std::string_view ns) const;
  std::optional<ImportJob> FindImport(std::string_view ns, std::string_view arn) const;
  std::optional<ImportJob> FindImportByToken(std::string_view ns, std::string_view token) const;
  std::vector<ImportJob> Imports(std::string_view ns) const;

  // A new export or import id as DynamoDB makes them: epoch milliseconds (14 digits), '-', 8 hex.
  static std::string NewId();

 private:
  void RunExport(ExportJob job);
  void RunImport(ImportJob job, CsvReader csv, ItemCheck check);
  // Fills the table; returns the failure (code, message) or nullopt.
  std::optional<std::pair<std::string, std::string>> ImportObjects(ImportJob& job,
                                                                   const CsvReader& csv,
                                                                   const ItemCheck& check);
  Status Save(const ExportJob& job);
  Status Save(const ImportJob& job);
  void Launch(std::function<void()> fn);

  storage::Engine* engine_;
  storage::Catalog* catalog_;
  write::ItemWriter* writer_;
  Options options_;
  std::atomic<bool> stop_{false};
  std::mutex token_mu_;
  mutable std::mutex mu_;
  std::vector<ExportJob> exports_;  // GUARDED_BY(mu_), in start order
  std::vector<ImportJob> imports_;  // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;  // GUARDED_BY(mu_)
};

}  // namespace cairn::transfer
