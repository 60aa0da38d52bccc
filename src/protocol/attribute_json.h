// Attribute values in DynamoDB JSON: {"S":"x"}, {"N":"1"}, {"B":"<base64>"}, {"BOOL":true},
// {"NULL":true}, {"M":{...}}, {"L":[...]}, {"SS":[...]}, {"NS":[...]}, {"BS":[...]}, and items
// ({"name": <value>, ...}), decoded from a simdjson DOM and encoded with JsonWriter.
//
// Decoding validates as DynamoDB does and throws ApiException (protocol/errors.h) with DynamoDB's error:
// a JSON value of the wrong kind or bad base64 is a SerializationException (DynamoDB finds these
// while parsing, so one anywhere in the value wins over any ValidationException); otherwise the
// first ValidationException in document order (empty or multi-typed value, NULL false, bad number,
// empty set, duplicates in a set). Nesting deeper than kMaxNestingLevels is a ValidationException
// at once. Members with a JSON null are absent, and unknown members of an attribute value are
// ignored (DynamoDB's JSON protocol ignores unknown members too).
// Output invariants: N and NS hold canonical Number text, B and BS raw bytes, sets keep the
// client's order. Empty S and B are accepted here; key attributes are the caller's to check.
// Stateless functions: safe from any thread.
#pragma once

#include <simdjson.h>

#include "protocol/json_writer.h"
#include "types/attribute_value.h"

namespace cairn::protocol {

// DynamoDB: "nested attributes up to 32 levels deep". An L or M value directly in an item (or the
// value passed to ValueFromJson) is level 1.
inline constexpr int kMaxNestingLevels = 32;

// Decodes one attribute value, e.g. an ExpressionAttributeValues entry.
AttributeValue ValueFromJson(simdjson::dom::element e);
// Decodes an item (or a key): {"name": {"S":"x"}, ...}. A JSON null decodes as an empty item.
Item ItemFromJson(simdjson::dom::element object);
Item ItemFromJson(simdjson::dom::object object);

// Writes v as DynamoDB JSON: B and BS members in base64, N as its canonical text, sets in stored
// order, M members in key order.
void WriteValueJson(JsonWriter& w, const AttributeValue& v);
// Writes {"name":{...},...}.
void WriteItemJson(JsonWriter& w, const Item& item);

}  // namespace cairn::protocol
