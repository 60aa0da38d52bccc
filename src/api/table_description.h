// TableDescription: the shape CreateTable, DescribeTable, UpdateTable and DeleteTable return, the
// live statistics in it (ItemCount, TableSizeBytes), and the table settings it reports besides the
// schema: WarmThroughput, OnDemandThroughput and server-side encryption (SSEDescription), with the
// decoding and checking of the request members that set them (CreateTable, UpdateTable, and a GSI's
// definition or Update action).
//
// Statistics: DynamoDB refreshes them about every six hours; Cairn counts them exactly when asked
// (a scan of the table's key range).
//
// Warm throughput: the read and write units per second a table or GSI can serve at once. DynamoDB
// reports it for every table and GSI (tools such as Terraform's AWS provider poll DescribeTable
// until it is there and ACTIVE). What Cairn reports when none was requested
// (DefaultWarmThroughput):
// - an on-demand table, or a GSI of one: 12,000 read and 4,000 write units per second, a new
//   on-demand table's initial throughput as the DynamoDB Developer Guide documents it;
// - a provisioned table or GSI: its provisioned capacity. The service model and the API reference
//   do not say; Cairn's choice follows the checks DynamoDB makes of a requested value, whose
//   messages name the floor: "Requested ReadUnitsPerSecond for WarmThroughput for table is lower
//   than initial throughput for OnDemand" on an on-demand table, "... lower than ReadCapacityUnits
//   of ProvisionedThroughput" on a provisioned one (the wording as the moto emulator reproduces
//   it). A provisioned table may thus ask for any value from its capacity up, which fits a default
//   equal to its capacity, not 12,000/4,000 (under which most such requests would change nothing).
// Warm throughput never decreases: a table that once had more (a higher provisioned capacity, an
// on-demand period, a requested value) keeps reporting it (KeepWarmThroughput), and a request for
// less than the current value is refused (ApplyWarmThroughput).
//
// The index descriptions inside a TableDescription are index_schema.h's (WriteIndexDescriptions),
// which builds on this header. Everything here is stateless: safe from any thread.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/context.h"
#include "storage/catalog.h"
#include "types/attribute_value.h"

namespace cairn::api {

struct IndexStats {
  int64_t item_count = 0;
  int64_t size_bytes = 0;
};

struct TableStats {
  int64_t item_count = 0;
  int64_t size_bytes = 0;  // the sum of DynamoDB item sizes
  std::vector<IndexStats> indexes;  // like TableInfo::indexes
  // The point-in-time recovery change log (backup/point_in_time.h): records and stored bytes.
  // Not part of TableSizeBytes, which DynamoDB defines as the items' size; exported as
  // cairn_table_pitr_log_bytes (api/server_metrics.cc).
  int64_t pitr_log_records = 0;
  int64_t pitr_log_bytes = 0;
};

TableStats ComputeTableStats(ServerContext& server, const storage::TableInfo& table);

// Writes the ProvisionedThroughput member (zeros for PAY_PER_REQUEST) and the KeySchema member.
void WriteThroughput(JsonWriter& w, const storage::TableInfo& t);
void WriteKeySchema(JsonWriter& w, const storage::TableInfo& t);
// The SSEDescription member, when the table is encrypted with a KMS key (nothing otherwise).
void WriteSseDescription(JsonWriter& w, const storage::TableInfo& t);
// A StreamSpecification value, {"StreamEnabled":true,"StreamViewType":...}: DescribeTable's
// StreamSpecification and a backup's SourceTableFeatureDetails.StreamDescription.
// REQUIRES: t.stream_enabled.
void WriteStreamSpecification(JsonWriter& w, const storage::TableInfo& t);

// A table's TableStatus apart from an operation's own answer: CREATING while a restore fills it
// (backup/backups.h), else ACTIVE (Cairn applies other changes at once).
std::string_view TableStatusOf(const storage::TableInfo& t);

// A new TableId (a random version 4 UUID).
std::string NewTableUuid();

// Writes the TableDescription object. `status` is ACTIVE, DELETING, ... A restored table's
// description has its RestoreSummary.
void WriteTableDescription(JsonWriter& w, const storage::TableInfo& table, std::string_view status,
                           const TableStats* stats);

// Writes the TableDescription DeleteTable answers: TableStatus DELETING and what DynamoDB's
// answer for a deleted table carries (TableName, ProvisionedThroughput, TableSizeBytes, ItemCount,
// TableArn, TableId, BillingModeSummary, DeletionProtectionEnabled, and the settings: SSE, table
// class, OnDemandThroughput, WarmThroughput); not the schema (AttributeDefinitions, KeySchema,
// indexes), CreationDateTime or the stream members. Source: DeleteTable's example in the API
// reference (TableName, TableStatus, ProvisionedThroughput, TableSizeBytes, ItemCount only) and
// answers of today's DynamoDB as SDK and tool logs show them (adding TableArn, TableId,
// BillingModeSummary, DeletionProtectionEnabled); test_tables.py::test_delete_table.
void WriteDeletedTableDescription(JsonWriter& w, const storage::TableInfo& table,
                                  const TableStats* stats);

// The caller's table named by a TableName parameter (a name or a table ARN), for reading and
// writing items: nullptr if absent or not ACTIVE (a restore or an import is filling it, or
// --delay-transient-statuses holds it CREATING: api/transient_status.h), which the data plane
// answers with ResourceNotFoundException, as DynamoDB does for a table that is not ACTIVE.
std::shared_ptr<const storage::TableInfo> FindTable(OpContext& ctx, std::string_view name_param);
// The same in any state, for the control plane (DescribeTable shows a CREATING table).
std::shared_ptr<const storage::TableInfo> FindTableInAnyState(OpContext& ctx,
                                                              std::string_view name_param);

// The control plane's ResourceNotFoundException: "Requested resource not found: Table: <name> not
// found" (the data plane says only "Requested resource not found").
ApiError TableNotFound(std::string_view name_param);

// The control plane's start: checks the request's TableName (a name or an ARN; a malformed one
// throws the ValidationException) and returns the table, or TableNotFound by value.
ApiResult<std::shared_ptr<const storage::TableInfo>> NamedTable(OpContext& ctx, const Params& p);

// ---------------------------------------------------------------------------------------------
// Throughput settings: OnDemandThroughput and WarmThroughput.

// DynamoDB's "initial throughput for OnDemand": the warm throughput of a new on-demand table or
// GSI.
inline constexpr int64_t kOnDemandInitialReadUnits = 12000;
inline constexpr int64_t kOnDemandInitialWriteUnits = 4000;

// A read and a write figure: units per second (warm throughput).
struct ReadWrite {
  int64_t read = 0;
  int64_t write = 0;
};

// A request's OnDemandThroughput {MaxReadRequestUnits, MaxWriteRequestUnits} or WarmThroughput
// {ReadUnitsPerSecond, WriteUnitsPerSecond}: a member left out (or null) is nullopt.
struct ReadWriteRequest {
  std::optional<int64_t> read;
  std::optional<int64_t> write;
};

// Decode the member's object. A member that is not a whole number is the SerializationException
// DynamoDB's deserializer answers (thrown); values are checked later (the functions below).
ReadWriteRequest DecodeOnDemandThroughput(simdjson::dom::object o);
ReadWriteRequest DecodeWarmThroughput(simdjson::dom::object o);

// The checks of a request's values that do not depend on the table: OnDemandThroughput needs one
// member at least, each -1 (no limit) or 1 and more; WarmThroughput needs one member at least.
// Return the ValidationException, or nullopt.
std::optional<ApiError> CheckOnDemandThroughput(const ReadWriteRequest& request);
std::optional<ApiError> CheckWarmThroughputMembers(const ReadWriteRequest& request);

// Sets `max_read`/`max_write` (a TableInfo's or IndexInfo's OnDemandThroughput) to the members the
// request gives; the others keep their value.
void ApplyOnDemandThroughput(const ReadWriteRequest& request, int64_t* max_read,
                             int64_t* max_write);

// The warm throughput a table or GSI gets without asking (see the file comment), given its billing
// mode and provisioned capacity.
ReadWrite DefaultWarmThroughput(bool on_demand, int64_t read_capacity, int64_t write_capacity);
// What DescribeTable reports: the stored value, or the default when that is higher (or nothing is
// stored). REQUIRES (index form): `index` is a GSI of `table`.
ReadWrite WarmThroughputOf(const storage::TableInfo& table);
ReadWrite WarmThroughputOf(const storage::TableInfo& table, const storage::IndexInfo& index);

// Checks a requested WarmThroughput for `target` ("table", or "index <name>") and stores it in
// `*read`/`*write` (the members given; the others keep their value). `on_demand` and `minimum` (the
// DefaultWarmThroughput of the target with the request's other changes applied) give the lowest
// value DynamoDB accepts; `current` is what the target reports before the request, which a
// request may not lower either (warm throughput never decreases). Returns the ValidationException
// (nothing stored) or nullopt.
std::optional<ApiError> ApplyWarmThroughput(const ReadWriteRequest& request,
                                            std::string_view target, bool on_demand,
                                            ReadWrite minimum, ReadWrite current, int64_t* read,
                                            int64_t* write);

// Write the "OnDemandThroughput" member, when either figure is set (one that is not is written -1,
// no limit, as DynamoDB writes it), and the "WarmThroughput" member with `status`.
void WriteOnDemandThroughput(JsonWriter& w, int64_t max_read, int64_t max_write);
void WriteWarmThroughput(JsonWriter& w, ReadWrite units, std::string_view status);

// After a change from `before` to `after` (the same table), raises the stored warm throughput of
// the table and of each GSI present in both wherever `after` would report less than `before` did.
void KeepWarmThroughput(const storage::TableInfo& before, storage::TableInfo& after);

// ---------------------------------------------------------------------------------------------
// Server-side encryption: SSESpecification {Enabled, SSEType, KMSMasterKeyId}.

// The request's SSESpecification as given. Decoding adds coral's violation for an SSEType outside
// [AES256, KMS] to `v`; a member of the wrong JSON type is a SerializationException (thrown).
struct SseSpecification {
  std::optional<bool> enabled;
  std::optional<std::string_view> sse_type;
  std::optional<std::string_view> kms_master_key_id;
};
SseSpecification DecodeSseSpecification(simdjson::dom::object o);

// The table's TableInfo::sse_kms_key_arn as the request sets it: "" for DynamoDB's default (an AWS
// owned key: Enabled false or absent), else the ARN of the KMS key (the one given, or DynamoDB's
// AWS managed key alias/aws/dynamodb) as DescribeTable shows it. Throws ValidationException for a
// request DynamoDB refuses (SSEType AES256, SSEType or KMSMasterKeyId without Enabled true, an
// empty KMSMasterKeyId).
std::string SseKmsKeyArn(const SseSpecification& spec, std::string_view region);

}  // namespace cairn::api
