// Stored item -> DynamoDB JSON, directly: writes the bytes of the stored item format
// (types/binary_codec.h, docs/format.md) as the JSON a response carries, without building an Item,
// and measures the item's DynamoDB size on the way. GetItem, Query and Scan use it when they
// return whole items (no projection, no filter), which saves the map allocations of a decode and
// re-encode.
// Invariant: the output equals WriteItemJson(w, DecodeItem(stored)) (tests/unit/protocol/stored_item_json_test.cc)
// and the size equals ItemSize(DecodeItem(stored)). Corrupt bytes are Status::Corruption; the
// writer may then hold a partial object, which the caller discards with the response.
#pragma once

#include <string_view>

#include "protocol/json_writer.h"
#include "util/status.h"

namespace cairn::protocol {

// Writes the item as a JSON object ({"name": {"S": "..."}, ...}); returns its DynamoDB size.
Result<size_t> WriteStoredItem(std::string_view stored, JsonWriter& w);

}  // namespace cairn::protocol
