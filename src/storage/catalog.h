// Catalog: the tables of every namespace, their schema and settings, persisted in the engine's meta
// column and cached in memory.
//
// A namespace is what DynamoDB Local calls a database: named by storage/namespace.h from the
// request's credential scope (access key id, region), or "shared" with --shared-db. Load() renames
// the namespaces of a catalog written before that naming (see namespace.h). Table ids are allocated from a persisted counter
// and never reused, so a deleted table's keys can never be confused with a new table's.
//
// Invariants: a TableInfo handed out is immutable (updates publish a new copy), so readers hold a
// shared_ptr without locks. Every change is written to the engine before it is visible in memory.
// A change to an existing table is a function applied by Modify() to the descriptor current at that
// moment, under the catalog's lock, so two concurrent changes (a tag edit and a finishing backfill,
// UpdateTable and UpdateTimeToLive) both survive: nobody writes back a stale copy. A stream that
// stops being its table's latest (replaced by Modify, or its table dropped) is retired in the same
// engine batch as that change.
// Thread safety: all methods may be called concurrently; changes are serialized by mu_.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/engine.h"
#include "types/attribute_value.h"
#include "util/status.h"

namespace cairn::storage {

struct KeyElement {
  std::string name;
  AttributeType type = AttributeType::kS;  // S, N or B
};

// A secondary index. An LSI shares the table's partition key and has one sort key; a GSI has 1..4
// partition-key attributes and 0..4 sort-key attributes (DynamoDB's multi-attribute keys).
struct IndexInfo {
  enum class Projection : uint8_t { kAll = 0, kKeysOnly = 1, kInclude = 2 };  // stored: do not reorder

  uint32_t id = 0;  // from the same counter as table ids; the prefix of its entries
  std::string name;
  bool global = true;
  std::vector<KeyElement> hash;
  std::vector<KeyElement> range;
  Projection projection = Projection::kAll;
  std::vector<std::string> non_key_attributes;  // kInclude
  int64_t read_capacity = 0;  // GSI on a PROVISIONED table
  int64_t write_capacity = 0;
  // GSI on a PAY_PER_REQUEST table: OnDemandThroughput's MaxReadRequestUnits and
  // MaxWriteRequestUnits (0: never set; -1: no limit, as DynamoDB writes it).
  int64_t max_read_request_units = 0;
  int64_t max_write_request_units = 0;
  // WarmThroughput in units per second, as requested or kept from a higher past value (0: none;
  // the API layer reports the default then, api/table_description.h).
  int64_t warm_read_units = 0;
  int64_t warm_write_units = 0;
  bool backfilling = false;  // a GSI added by UpdateTable whose backfill has not finished
  bool deleting = false;     // not stored: marks an index dropped by the UpdateTable answering

  bool IsKeyAttribute(std::string_view attr) const;
};

struct TableInfo {
  uint32_t id = 0;
  std::string ns;          // namespace
  std::string name;
  std::string region;      // for the ARN
  std::string table_uuid;  // TableId
  KeyElement hash;
  std::optional<KeyElement> range;
  std::vector<KeyElement> attribute_definitions;  // in the order the client gave them
  bool pay_per_request = false;
  int64_t read_capacity = 0;   // PROVISIONED only
  int64_t write_capacity = 0;
  double creation_time = 0;    // epoch seconds
  double last_increase_time = 0;
  double last_decrease_time = 0;
  int64_t decreases_today = 0;
  double billing_mode_change_time = 0;
  bool deletion_protection = false;
  std::string table_class = "STANDARD";
  double table_class_change_time = 0;  // 0: the class never changed since CreateTable
  // PAY_PER_REQUEST only: OnDemandThroughput (0: never set; -1: no limit).
  int64_t max_read_request_units = 0;
  int64_t max_write_request_units = 0;
  // WarmThroughput in units per second, as requested or kept from a higher past value (0: none;
  // the API layer reports the default then, api/table_description.h).
  int64_t warm_read_units = 0;
  int64_t warm_write_units = 0;
  // Server-side encryption with a KMS key (SSESpecification Enabled): the key's ARN as
  // DescribeTable shows it. Empty: DynamoDB's default, an AWS owned key.
  std::string sse_kms_key_arn;
  std::vector<std::pair<std::string, std::string>> tags;  // in insertion order, keys unique
  std::vector<IndexInfo> indexes;                           // LSIs and GSIs, in creation order
  // DynamoDB Streams: the table's latest stream (ids from the table-id counter; 0: never had one).
  // A disabled stream stays readable until its records are trimmed.
  uint32_t stream_id = 0;
  bool stream_enabled = false;
  std::string stream_view_type;  // KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES
  std::string stream_label;      // e.g. "2026-11-23T22:10:00.123"
  double stream_created = 0;
  // Time to Live: the attribute holding the expiry (epoch seconds), when enabled.
  bool ttl_enabled = false;
  std::string ttl_attribute;
  // Point-in-time recovery (UpdateContinuousBackups): on since this time (epoch seconds; 0: off),
  // with this recovery period in days (1..35).
  double pitr_enabled_time = 0;
  int64_t pitr_recovery_days = 35;
  // A table created by a restore (RestoreTableFromBackup, RestoreTableToPointInTime): where from
  // (RestoreSummary), and while restore_in_progress, what the restore reads, so that a restart
  // resumes it (backup/backups.h). The table is CREATING until the restore ends.
  std::string restore_source_backup_arn;  // from a backup; empty for a point-in-time restore
  std::string restore_source_table_arn;
  double restore_date_time = 0;           // 0: not a restored table
  bool restore_in_progress = false;
  uint32_t restore_source_id = 0;         // the backup's item range, or the source table's id

  bool restoring() const { return restore_in_progress; }

  // ImportTable is filling the table (transfer/transfers.h): CREATING, hidden from the data plane.
  bool importing = false;

  std::string Arn() const;
  std::string StreamArn() const;  // REQUIRES: stream_id != 0
  const IndexInfo* FindIndex(std::string_view name) const;
  bool IsKeyAttribute(std::string_view attr) const;
};

class Catalog {
 public:
  explicit Catalog(Engine* engine) : engine_(engine) {}

  // Reads every table descriptor from the engine. Call once before serving.
  // Returns: OK; Corruption when a stored descriptor or the id counter is malformed (the message
  // names the key); or the engine's error.
  Status Load();

  // nullptr when the table does not exist.
  std::shared_ptr<const TableInfo> Find(std::string_view ns, std::string_view name) const;

  // Assigns info.id (and the ids of its indexes) and persists. Status::Busy when a table of that
  // name exists in the namespace.
  Result<std::shared_ptr<const TableInfo>> Create(TableInfo info);

  // A fresh id for an index or a stream added to an existing table (persisted before it is
  // returned). Takes the catalog's lock: never call it from a Modify() callback.
  Result<uint32_t> AllocateId();

  // A change to a table's descriptor: edits `current` (a private copy of the descriptor as it is
  // now) and returns OK to publish it, or an error to publish nothing. It runs under the catalog's
  // exclusive lock, so it must be quick (no I/O), must not call the Catalog (deadlock), must not
  // throw, and must not change ns, name or id. Status::InvalidArgument(message) is the convention
  // for "the request is invalid against the current state"; the API layer turns it into a
  // ValidationException with that message.
  using Change = std::function<Status(TableInfo& current)>;

  // Applies `change` to the current descriptor of table `id` (`ns`/`name`) and publishes the result
  // (persisted, then visible). If the change gives the table a new stream, the previous one is
  // retired in the same batch (see RetiredStreams). On success, `published` (if not null) receives
  // the descriptor as published.
  // Returns: OK; NotFound when the table is gone or the name now belongs to another table; the
  // callback's error unchanged (nothing is written); or the engine's error (nothing is published).
  Status Modify(std::string_view ns, std::string_view name, uint32_t id, const Change& change,
                std::shared_ptr<const TableInfo>* published = nullptr);

  // Every table with an index whose backfill has not finished (to resume after a restart).
  std::vector<std::shared_ptr<const TableInfo>> TablesBackfilling() const;

  // Removes the descriptor and every item of table `id` (`ns`/`name`), after `check` (if given)
  // accepted its current descriptor (same contract as a Modify() callback, read-only). The table's
  // stream, if it ever had one, is retired in the same batch. On success, `dropped` (if not null)
  // receives the descriptor as it was.
  // Returns: OK; NotFound when the table is gone or the name now belongs to another table; the
  // check's error unchanged (nothing is done); or the engine's error.
  Status Drop(std::string_view ns, std::string_view name, uint32_t id,
              const std::function<Status(const TableInfo& current)>& check = nullptr,
              std::shared_ptr<const TableInfo>* dropped = nullptr);

  // Drops every table of namespace `ns` (all namespaces when null), their items, index entries,
  // streams and stream records, and the namespace's retired streams, in one engine batch (the
  // admin API's reset, api/admin.h). Returns how many tables were dropped, or the engine's error
  // (then nothing changed). Operations already running on a dropped table finish against a
  // descriptor that is gone, as with DeleteTable.
  Result<size_t> DropAll(const std::string* ns);

  // Reads the catalog again after the engine's contents were replaced wholesale
  // (storage/database_snapshots.h). The id counter never goes back, so ids handed out before
  // stay unique. Same errors as Load().
  Status Reload();

  // Streams that are no longer a table's latest (re-enabled or table deleted): kept so their
  // records stay readable until trimmed, as DynamoDB keeps them for 24 hours. Each is the table's
  // descriptor at the time, with stream_enabled false.
  std::shared_ptr<const TableInfo> FindRetiredStream(std::string_view ns,
                                                     std::string_view arn) const;
  std::vector<std::shared_ptr<const TableInfo>> RetiredStreams(std::string_view ns) const;
  // The retired streams of every namespace.
  std::vector<std::shared_ptr<const TableInfo>> AllRetiredStreams() const;

  // Every table of every namespace.
  std::vector<std::shared_ptr<const TableInfo>> AllTables() const;

  // Table names of a namespace in ascending (byte) order.
  std::vector<std::string> List(std::string_view ns) const;

 private:
  // Renames the namespaces of descriptors written in the older format ("<key>_<region>") and
  // records the current format, in one engine batch; OK at once when it is recorded already.
  // Returns the engine's errors; Corruption for an undecodable descriptor or an unknown format.
  // REQUIRES: mu_ held (called by Load).
  Status MigrateNamespaces();
  // Finds table `id` under `ns`/`name`. REQUIRES: mu_ held.
  std::shared_ptr<const TableInfo>* FindLocked(std::string_view ns, std::string_view name,
                                               uint32_t id);
  // Adds the retirement of `table`'s stream to `batch`; returns the retired descriptor, to be put
  // in retired_ once the batch is written. REQUIRES: table.stream_id != 0.
  static std::shared_ptr<const TableInfo> RetireStreamInto(const TableInfo& table,
                                                           WriteBatch* batch);
  // Adds a point-in-time recovery schema record (backup_keys.h) to `batch` when the change from
  // `before` to `after` alters what a point-in-time restore takes from the descriptor.
  // REQUIRES: point-in-time recovery on in both.
  static void StageSchemaRecord(const TableInfo& before, const TableInfo& after,
                                WriteBatch* batch);

  Engine* engine_;
  mutable std::shared_mutex mu_;
  uint32_t next_id_ = 1;  // GUARDED_BY(mu_)
  // ns -> name -> table. GUARDED_BY(mu_)
  std::map<std::string, std::map<std::string, std::shared_ptr<const TableInfo>, std::less<>>,
           std::less<>>
      tables_;
  // ns -> stream ARN -> the table as it was. GUARDED_BY(mu_)
  std::map<std::string, std::map<std::string, std::shared_ptr<const TableInfo>, std::less<>>,
           std::less<>>
      retired_;
};

// Serialization of a TableInfo (tagged binary fields in the meta column; see docs/format.md and
// catalog.cc). Decode never throws: any malformed input (bad version, truncated or oversized field,
// a number that is not one, a bad type byte, a required field missing or repeated) is
// Status::Corruption.
std::string EncodeTableInfo(const TableInfo& info);
Result<TableInfo> DecodeTableInfo(std::string_view bytes);

}  // namespace cairn::storage
