// The shape check: DynamoDB's deserializer, as far as it rejects JSON of the wrong type.
//
// DynamoDB reads a request body against the operation's input shape (protocol/service_model.h)
// before it validates anything or looks a table up; a value whose JSON type does not fit its shape,
// at any depth, is a SerializationException (ApiError::Serialization). CheckShape() walks the
// body in document order and returns that error for the first such value, or nullopt.
//
// The rules:
// - JSON null: a structure member that is null is absent. A null list entry or map value is left
//   to the operation's decoder when its shape is a structure, list or map (it answers as it always
//   has: a ValidationException for an empty attribute value, ...); when it is a scalar, it is what
//   that decoder would report: "Unexpected null value in a set" in an attribute value's set (all
//   of a set's entries are looked at for null before any is read, as the codec does), else
//   "NULL_VALUE cannot be converted to <Type>".
// - Members the shape does not have are ignored (DynamoDB's JSON protocol ignores them).
// - A number fits integer and long when it is integral and within int64 (1.0 fits; 1.5 does not);
//   any number fits float, double and timestamp (epoch seconds). A string fits blob when it is
//   strict base64, else the base64 decoder's text (types/base64.h).
// - Attribute values nested deeper than kMaxNestingLevels (protocol/attribute_json.h) end the check
//   without an error: the attribute-value decoder reports that ValidationException first.
// - Texts: DynamoDB's generic deserializer and its attribute-value codec (the shapes marked
//   attribute_value_codec) word some errors differently. By the shape expected and the JSON found
//   ("<K>" is STRING, NUMBER, TRUE or FALSE; [codec: ...] where the codec's text differs):
//     structure   array:   "Start of list found where not expected"
//                 scalar:  "Unexpected value type in payload"
//     list        object:  "Start of structure or map found where not expected."
//                 scalar:  "Unexpected value type in payload"  [codec: "Unexpected field type"]
//     map         array:   "Start of list found where not expected"  [codec: "Unrecognized
//                          collection type java.util.Map<java.lang.String,
//                          com.amazonaws.dynamodb.v20120810.AttributeValue>"]
//                 scalar:  "Unexpected value type in payload"
//     scalar      object:  "Start of structure or map found where not expected."
//                 array:   "Start of list found where not expected"  [codec: "Unrecognized
//                          collection type class java.lang.String" (java.lang.Boolean,
//                          java.nio.ByteBuffer)]
//                 other:   "<K>_VALUE cannot be converted to <Type>", <Type> being String,
//                          Boolean, Integer, Long, Float, Double, Date (timestamp), ByteBuffer
//                          (blob)  [codec blob: "class com.amazon.coral.value.json.numbers.
//                          TruncatedNumber can not be converted to an Blob", "class
//                          java.lang.Boolean can not be converted to an Blob"]
//   These reproduce the texts Cairn's decoders already used (api/params.cc for members,
//   protocol/attribute_json.cc for attribute values, api/legacy_params.cc through params.cc).
//
// Allocation-free unless it finds an error or meets a blob (whose base64 is decoded to check it).
// Stateless: safe from any thread.
#pragma once

#include <simdjson.h>

#include <optional>

#include "protocol/errors.h"
#include "protocol/service_model.h"

namespace cairn::protocol {

// Returns the SerializationException for the first value of `value` (document order) whose JSON
// type does not fit `shape`, or nullopt when every value fits (or `value` is null).
std::optional<ApiError> CheckShape(const Shape& shape, simdjson::dom::element value);

}  // namespace cairn::protocol
