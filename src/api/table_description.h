// TableDescription: the shape CreateTable, DescribeTable, UpdateTable and DeleteTable return, and
// the live statistics in it (ItemCount, TableSizeBytes). DynamoDB refreshes those about every six
// hours; Cairn counts them exactly when asked (a scan of the table's key range).
#pragma once

#include <memory>
#include <string_view>

#include "api/context.h"
#include "api/index_schema.h"
#include "storage/catalog.h"
#include "types/attribute_value.h"

namespace cairn::api {

struct TableStats {
  int64_t item_count = 0;
  int64_t size_bytes = 0;  // the sum of DynamoDB item sizes
  std::vector<IndexStats> indexes;  // like TableInfo::indexes
};

TableStats ComputeTableStats(ServerContext& server, const storage::TableInfo& table);

// Writes the TableDescription object. `status` is ACTIVE, DELETING, ...
void WriteTableDescription(JsonWriter& w, const storage::TableInfo& table, std::string_view status,
                           const TableStats* stats);

// The caller's table named by a TableName parameter (a name or a table ARN); nullptr if absent.
std::shared_ptr<const storage::TableInfo> FindTable(OpContext& ctx, std::string_view name_param);

// The control plane's ResourceNotFoundException: "Requested resource not found: Table: <name> not
// found" (the data plane says only "Requested resource not found").
ApiError TableNotFound(std::string_view name_param);

// The control plane's start: checks the request's TableName (a name or an ARN; a malformed one
// throws the ValidationException) and returns the table, or TableNotFound by value.
ApiResult<std::shared_ptr<const storage::TableInfo>> NamedTable(OpContext& ctx, const Params& p);

}  // namespace cairn::api
