// Binary item codec: an Item <-> the compact bytes stored as an item's value (the "item value
// format", docs/format.md). The first byte is the format version (1); then the attribute map with
// varint lengths and one AttributeType byte per value, recursively for L and M.
// Invariants: EncodeItem output always decodes to an equal Item; DecodeItem never reads outside
// `bytes`, never recurses deeper than kMaxStoredNesting, and reports any malformed input as
// Status::Corruption. Stateless functions: safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "types/attribute_value.h"
#include "util/status.h"

namespace cairn {

// Current item value format. Stored on disk: a new format gets a new number, old ones stay
// readable.
inline constexpr uint8_t kItemFormatVersion = 1;

// The deepest L/M nesting DecodeItem accepts. DynamoDB allows 32 levels; this leaves room so that a
// stored item is never unreadable, while bounding recursion on corrupt input.
inline constexpr int kMaxStoredNesting = 64;

// Appends the encoding of `item` to *out (one allocation at most).
void EncodeItem(const Item& item, std::string* out);

// Decodes a whole item value. Returns Status::Corruption if the bytes are not exactly one
// well-formed item of a known format version (truncated, trailing bytes, bad type byte, map keys
// not in strictly increasing order, nesting deeper than kMaxStoredNesting, ...).
Result<Item> DecodeItem(std::string_view bytes);

}  // namespace cairn
