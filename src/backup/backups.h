// Backups: on-demand backups of a table (CreateBackup ... DeleteBackup) and the restores that
// create a table from one, or from a table's point-in-time recovery change log
// (RestoreTableFromBackup, RestoreTableToPointInTime). The API layer (api/backup_ops.cc) checks
// requests and shapes answers; this class keeps the records, copies and fills in the background.
//
// A backup is a consistent snapshot of one table: an engine snapshot taken when CreateBackup is
// answered, whose items are then copied, on a background thread, into the kBackup column under the
// backup's own id (storage/backup_keys.h). Its record ("B:" ns "\0" ARN in the meta column,
// EncodeBackupRecord) is CREATING until the copy ends, then AVAILABLE with its size (the sum of
// DynamoDB item sizes) and item count. The source table's descriptor at that moment is kept in
// the record (SourceTableDetails, SourceTableFeatureDetails, and the restore's schema). A backup
// whose copy a restart interrupted cannot be finished (the snapshot is gone): Load() removes it and
// logs so. With --in-memory the engine, hence every backup, lives as long as the process.
//
// A restore creates the target table in the catalog with restore_in_progress set (TableStatus
// CREATING, storage/catalog.h) and fills it on a background thread through the item writer, so
// index entries are built as for any write; progress goes to the log; then the table becomes
// ACTIVE. Filling is idempotent (puts of the source's items), so a restore interrupted by a
// shutdown or crash is started over by ResumeRestores() at the next start; one whose source is
// gone is failed cleanly: its table is dropped, never left half filled and ACTIVE.
//
// Point-in-time recovery: while it is on, every write stages an undo record (the item as it was)
// in its own atomic batch (write/item_writer.h), and every schema change a schema record
// (storage/catalog.h). The table at time T is then the table now with every record after T
// undone (point_in_time.h, shared with the exports of transfer/). Records older than the recovery
// period, and SYSTEM backups past their expiry, are deleted by a background thread.
//
// SYSTEM backups: DeleteTable of a table with PITR on hands its last state (a snapshot taken in
// the drop) to CreateSystemBackup; the backup is then like any other, typed SYSTEM, and expires 35
// days after its creation. One interrupted by a restart is lost like a USER backup's copy.
//
// Thread safety: every public method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/catalog.h"
#include "storage/engine.h"
#include "util/status.h"
#include "write/item_writer.h"

namespace cairn::backup {

// Stored: do not reorder.
enum class BackupStatus : uint8_t { kCreating = 0, kAvailable = 1 };
// BackupType. USER: CreateBackup's. SYSTEM: made by DeleteTable of a table whose point-in-time
// recovery is on, named "<table>$DeletedTableBackup", deleted by the trimming thread
// kSystemBackupDays after its creation (BackupExpiryDateTime). Stored: do not reorder.
enum class BackupType : uint8_t { kUser = 0, kSystem = 1 };
inline constexpr int64_t kSystemBackupDays = 35;

struct BackupRecord {
  std::string arn;
  std::string name;  // BackupName
  std::string ns;
  BackupStatus status = BackupStatus::kCreating;
  double creation_time = 0;  // epoch seconds
  int64_t size_bytes = 0;    // the sum of the DynamoDB sizes of its items (AVAILABLE)
  int64_t item_count = 0;
  uint32_t id = 0;           // its items' range in the kBackup column
  storage::TableInfo table;  // the source table when the backup was taken
  BackupType type = BackupType::kUser;

  // BackupExpiryDateTime (epoch seconds) of a SYSTEM backup; 0 for a USER one.
  double expiry_time() const {
    return type == BackupType::kSystem ? creation_time + double(kSystemBackupDays) * 86400 : 0;
  }
};

std::string EncodeBackupRecord(const BackupRecord& r);
// Corruption for malformed bytes; never throws.
Result<BackupRecord> DecodeBackupRecord(std::string_view bytes);

class Backups {
 public:
  struct Options {
    // Tests only (--test-backup-delay): a pause per item copied or restored.
    std::chrono::microseconds item_delay{0};
    // How often the point-in-time change logs are trimmed to their recovery period.
    std::chrono::seconds trim_interval{60};
  };

  Backups(storage::Engine* engine, storage::Catalog* catalog, write::ItemWriter* writer,
          Options options)
      : engine_(engine), catalog_(catalog), writer_(writer), options_(options) {}
  ~Backups() { Stop(); }

  // Reads the backup records; removes the backups whose copy was interrupted. Then resumes the
  // restores the catalog lists as in progress and starts the trimming thread.
  // Returns Corruption for an undecodable record, or the engine's error.
  Status Start();
  // Stops the background work (an unfinished restore resumes at the next start) and joins it.
  void Stop();

  // Starts a backup of `table` (a snapshot now; the copy in the background) named `name`.
  // Busy when a backup of the same table is being created (DynamoDB's BackupInUseException).
  Result<std::shared_ptr<const BackupRecord>> Create(
      std::shared_ptr<const storage::TableInfo> table, std::string name);
  // The SYSTEM backup of a table DeleteTable dropped while its point-in-time recovery was on:
  // `snapshot` was taken just before the drop (the catalog's check, api/table_ops.cc). Named
  // "<table>$DeletedTableBackup", expiring kSystemBackupDays later.
  Result<std::shared_ptr<const BackupRecord>> CreateSystemBackup(
      std::shared_ptr<const storage::TableInfo> table, std::shared_ptr<storage::Snapshot> snapshot);
  // nullptr when there is no such backup in `ns`.
  std::shared_ptr<const BackupRecord> Find(std::string_view ns, std::string_view arn) const;
  // Every backup of `ns`, in ARN order.
  std::vector<std::shared_ptr<const BackupRecord>> List(std::string_view ns) const;
  // Deletes a backup. NotFound; Busy while it is being created or a restore reads it.
  Result<std::shared_ptr<const BackupRecord>> Delete(std::string_view ns, std::string_view arn);

  // Creates `target` (whose restore_* fields say what to restore) and fills it in the background.
  // Busy when a table of that name exists; NotFound when the backup is gone; Aborted when the
  // backup is still being created (BackupInUseException); or the catalog's error.
  Result<std::shared_ptr<const storage::TableInfo>> StartRestore(storage::TableInfo target);

  // Point-in-time recovery turned off: its change log goes. Writes in progress finish first.
  void DropChangeLog(uint32_t table_id);
  // Deletes the change records older than each table's recovery period, and the SYSTEM backups
  // past their expiry, as of `now` (epoch seconds). The trimming thread calls it every
  // Options::trim_interval; public for tests.
  void TrimChangeLogs(double now);

 private:
  Result<std::shared_ptr<const BackupRecord>> Start(std::shared_ptr<BackupRecord> record,
                                                    std::shared_ptr<storage::Snapshot> snapshot);
  void RunBackup(std::shared_ptr<const BackupRecord> record,
                 std::shared_ptr<storage::Snapshot> snapshot);
  void RunRestore(std::shared_ptr<const storage::TableInfo> target);
  Status FillFromBackup(const std::shared_ptr<const storage::TableInfo>& target, size_t* items);
  Status FillFromPointInTime(const std::shared_ptr<const storage::TableInfo>& target,
                             size_t* items);
  // Writes a batch of restored items (keys of the target table) through the item writer.
  Status PutItems(const std::shared_ptr<const storage::TableInfo>& target,
                  std::vector<std::pair<std::string, Item>>* batch, size_t* items);
  void TrimLoop();
  void Spawn(std::function<void()> fn);

  storage::Engine* engine_;
  storage::Catalog* catalog_;
  write::ItemWriter* writer_;
  Options options_;
  std::atomic<bool> stop_{false};

  mutable std::mutex mu_;
  // ns -> ARN -> record. GUARDED_BY(mu_)
  std::map<std::string, std::map<std::string, std::shared_ptr<const BackupRecord>, std::less<>>,
           std::less<>>
      backups_;
  std::multiset<std::string> restoring_from_;  // ARNs a running restore reads. GUARDED_BY(mu_)
  // Background work: each thread sets its flag when done; Spawn() joins the finished ones.
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Worker> workers_;                 // GUARDED_BY(mu_)
  std::condition_variable stop_cv_;
};

}  // namespace cairn::backup
