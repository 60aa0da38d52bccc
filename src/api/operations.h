// The DynamoDB operations, one function each, grouped by file as STYLE.md lays out:
// table_ops.cc (control plane), item_ops.cc (single-item reads and writes), query_scan.cc,
// batch_ops.cc, tag_ops.cc (tags, limits, endpoints). api/dispatch.cc maps X-Amz-Target names to them.
#pragma once

#include <string_view>

#include "api/context.h"

namespace cairn::api {

// table_ops.cc
OpResult CreateTable(OpContext& ctx, const Params& p);
OpResult DescribeTable(OpContext& ctx, const Params& p);
OpResult UpdateTable(OpContext& ctx, const Params& p);
OpResult DeleteTable(OpContext& ctx, const Params& p);
// DeleteTable answering the whole TableDescription (schema included), for the 2011-12-05 API.
OpResult DeleteTableDescribingSchema(OpContext& ctx, const Params& p);
OpResult ListTables(OpContext& ctx, const Params& p);

// tag_ops.cc
OpResult TagResource(OpContext& ctx, const Params& p);
OpResult UntagResource(OpContext& ctx, const Params& p);
OpResult ListTagsOfResource(OpContext& ctx, const Params& p);
OpResult DescribeLimits(OpContext& ctx, const Params& p);
OpResult DescribeEndpoints(OpContext& ctx, const Params& p);

// item_ops.cc
OpResult PutItem(OpContext& ctx, const Params& p);
OpResult GetItem(OpContext& ctx, const Params& p);
OpResult DeleteItem(OpContext& ctx, const Params& p);
OpResult UpdateItem(OpContext& ctx, const Params& p);

// batch_ops.cc
OpResult BatchGetItem(OpContext& ctx, const Params& p);
OpResult BatchWriteItem(OpContext& ctx, const Params& p);

// transact_ops.cc
OpResult TransactWriteItems(OpContext& ctx, const Params& p);
OpResult TransactGetItems(OpContext& ctx, const Params& p);

// backup_ops.cc
OpResult DescribeContinuousBackups(OpContext& ctx, const Params& p);
OpResult UpdateContinuousBackups(OpContext& ctx, const Params& p);
OpResult CreateBackup(OpContext& ctx, const Params& p);
OpResult DescribeBackup(OpContext& ctx, const Params& p);
OpResult ListBackups(OpContext& ctx, const Params& p);
OpResult DeleteBackup(OpContext& ctx, const Params& p);
OpResult RestoreTableFromBackup(OpContext& ctx, const Params& p);
OpResult RestoreTableToPointInTime(OpContext& ctx, const Params& p);

// ttl_ops.cc
OpResult UpdateTimeToLive(OpContext& ctx, const Params& p);
OpResult DescribeTimeToLive(OpContext& ctx, const Params& p);

// stream_ops.cc: the DynamoDB Streams API (target prefix DynamoDBStreams_20120810.)
OpResult ListStreams(OpContext& ctx, const Params& p);
OpResult DescribeStream(OpContext& ctx, const Params& p);
OpResult GetShardIterator(OpContext& ctx, const Params& p);
OpResult GetRecords(OpContext& ctx, const Params& p);

// legacy_20111205.cc: the 2011-12-05 API version (boto 2's Layer1), mapped onto the operations
// above. nullptr for an operation that version does not have.
OpFn FindOperation20111205(std::string_view name);

// query_scan.cc
OpResult Query(OpContext& ctx, const Params& p);
OpResult Scan(OpContext& ctx, const Params& p);

// partiql_ops.cc: PartiQL statements, planned by partiql/ and run through the operations above.
OpResult ExecuteStatement(OpContext& ctx, const Params& p);
OpResult BatchExecuteStatement(OpContext& ctx, const Params& p);
OpResult ExecuteTransaction(OpContext& ctx, const Params& p);

}  // namespace cairn::api
