// PartitionsOf: which partition keys a data-plane request names on a table, for the per-partition
// buckets of --throttle (throttler.h). Read from the request as sent, after the service model's
// checks and before the operation runs:
//   GetItem, UpdateItem, DeleteItem   Key
//   PutItem                           Item
//   BatchGetItem                      RequestItems.<table>.Keys[*]
//   BatchWriteItem                    RequestItems.<table>[*].PutRequest.Item / DeleteRequest.Key
//   TransactGetItems                  TransactItems[*].Get.Key
//   TransactWriteItems                TransactItems[*].Put.Item / Update / Delete / ConditionCheck
//                                     .Key
//   Query                             the equality on the partition key in KeyConditionExpression
//                                     (or KeyConditions), of the table or of the GSI it names
// Scan names none. A key is the value of the partition-key attribute(s) as canonical JSON
// ({"S":"a"}; a GSI's multi-attribute key joins its values), so "1" and "1.0" as numbers count
// as two keys: a test of hot keys uses one spelling. A request whose key cannot be read (an
// attribute missing, which the operation will reject anyway) names nothing for it.
// Thread safety: a pure function.
#pragma once

#include <simdjson.h>

#include <string_view>

#include "storage/catalog.h"
#include "throttle/throttler.h"

namespace cairn::throttle {

// `name_param`: the table as the request names it (a name or an ARN, as TableName / RequestItems'
// keys spell it).
Partitions PartitionsOf(std::string_view operation, simdjson::dom::object request,
                        std::string_view name_param, const storage::TableInfo& table);

}  // namespace cairn::throttle
