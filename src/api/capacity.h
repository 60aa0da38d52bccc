// ConsumedCapacity: DynamoDB's arithmetic for capacity units, and the ReturnConsumedCapacity shape.
// Reads: 4 KB units, rounded up per item, halved for eventually consistent reads. Writes: 1 KB
// units, rounded up per item, at least 1; a write is charged the larger of the old and new item.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "api/json_writer.h"
#include "api/params.h"

namespace cairn::api {

enum class CapacityMode { kNone, kTotal, kIndexes };

// ReturnConsumedCapacity: NONE | TOTAL | INDEXES (enum violations go to `v`).
CapacityMode DecodeCapacityMode(const Params& p, Violations& v);

double ReadUnits(size_t item_bytes, bool consistent);
double WriteUnits(size_t item_bytes);

// Writes one ConsumedCapacity object ({"TableName", "CapacityUnits"[, "Table"]}).
// REQUIRES: mode != kNone.
void WriteCapacityObject(JsonWriter& w, CapacityMode mode, std::string_view table_name,
                         double units);

// Writes "ConsumedCapacity": {...} into the open response object, unless mode is kNone.
void WriteConsumedCapacity(JsonWriter& w, CapacityMode mode, std::string_view table_name,
                           double units);

}  // namespace cairn::api
