// Stored item -> DynamoDB JSON, directly: writes the bytes of the stored item format
// (types/binary_codec.h, docs/format.md) as the JSON a response carries, without building an Item,
// and measures the item's DynamoDB size on the way. GetItem, Query and Scan use it when they
// return whole items (no projection, no filter), which saves the map allocations of a decode and
// re-encode.
// Invariants: it accepts exactly the bytes DecodeItem accepts (both read through
// ItemFormatReader); then the output equals WriteItemJson(w, DecodeItem(stored)) and the size
// equals ItemSize(DecodeItem(stored)) (property-tested in
// tests/unit/protocol/stored_item_json_test.cc). Stateless: safe from any thread with its own
// writer.
#pragma once

#include <string_view>

#include "protocol/json_writer.h"
#include "util/status.h"

namespace cairn::protocol {

// Writes the item as a JSON object ({"name": {"S": "..."}, ...}); returns its DynamoDB size.
// Returns Status::Corruption, with DecodeItem's message, when the bytes are not one well-formed
// item; the writer may then hold a partial object, which the caller discards with the response.
Result<size_t> WriteStoredItem(std::string_view stored, JsonWriter& w);

}  // namespace cairn::protocol
