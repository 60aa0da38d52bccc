// The service model: DynamoDB's own description of every operation's input, as tables.
//
// DynamoDB reads a request's JSON body against the operation's input shape before anything else
// (protocol/shape_check.h); these tables are that shape description, for every operation of the
// two 2012-08-10 services (DynamoDB_20120810 and DynamoDBStreams_20120810, the X-Amz-Target
// prefixes). tools/gen_service_model.py generates them at build time from the botocore service
// models of Debian's python3-botocore into <build>/generated/protocol/service_model_data.cc; that
// file is never committed or edited. The 2011-12-05 API has no model here: its shapes differ.
//
// A shape is one of the model's named types. Indices (uint16_t) refer to Shapes(), Members() and
// EnumValues(). Only input shapes are present: the operations' inputs and all they reach.
// Invariants (checked by the generator):
// - Shapes() is grouped by service, sorted by name within a service; Operations() too. So one
//   service's shapes and operations are contiguous, and FindShape/FindInputShape binary-search.
// - A structure's members are Members()[members_begin, members_end), in the model's order; a list's
//   member shape is `element`; a map's are `key` and `value` (a map key is always a string shape).
// - min/max bound a string's or blob's length, a list's or map's size, or a number's value; absent
//   when the model sets none. `pattern` is the model's (Java) regular expression, or empty.
// - attribute_value_codec marks the shapes DynamoDB's attribute-value codec reads rather than its
//   generic deserializer: AttributeValue's member shapes (S, N, B, SS, NS, BS, M, L, NULL, BOOL),
//   the members of its sets, and every map of attribute values (Item, Key,
//   ExpressionAttributeValues,
//   ...). DynamoDB words their type errors differently (shape_check.h). No such shape is also read
//   outside an attribute value, except the maps, which are always attribute-value codec shapes.
// Thread safety: the tables are constant-initialized and immutable; read them from any thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace cairn::protocol {

// The model's shape types (botocore's names in comments).
enum class ShapeType : uint8_t {
  kStructure,  // "structure": a JSON object with named members
  kList,       // "list": a JSON array
  kMap,        // "map": a JSON object with any keys
  kString,     // "string"
  kBlob,       // "blob": a base64 string
  kBoolean,    // "boolean"
  kInteger,    // "integer": a JSON number, 32-bit in DynamoDB's Java model
  kLong,       // "long": a JSON number, 64-bit
  kFloat,      // "float"
  kDouble,     // "double"
  kTimestamp,  // "timestamp": epoch seconds, a JSON number, in the JSON protocol
};

struct ShapeMember {
  std::string_view name;  // the JSON member name, e.g. "TableName"
  uint16_t shape;         // index into Shapes()
  bool required;
};

struct Shape {
  std::string_view name;  // the model's name, e.g. "PutItemInput", "AttributeValue"
  ShapeType type = ShapeType::kStructure;
  bool is_attribute_value = false;     // DynamoDB's AttributeValue structure itself
  bool attribute_value_codec = false;  // read by the attribute-value codec (see above)
  uint16_t members_begin = 0;          // kStructure: Members()[members_begin, members_end)
  uint16_t members_end = 0;
  uint16_t element = 0;      // kList: the member shape
  uint16_t key = 0;          // kMap: the key shape
  uint16_t value = 0;        // kMap: the value shape
  uint16_t enums_begin = 0;  // EnumValues()[enums_begin, enums_end), in the model's order
  uint16_t enums_end = 0;
  std::optional<int64_t> min;
  std::optional<int64_t> max;
  std::string_view pattern;
};

struct ModelOperation {
  std::string_view service;  // the target prefix, e.g. "DynamoDB_20120810"
  std::string_view name;     // e.g. "PutItem"
  uint16_t input;            // index into Shapes()
};

struct ModelService {
  std::string_view name;  // the target prefix
  uint16_t shapes_begin, shapes_end;
  uint16_t operations_begin, operations_end;
};

// The generated tables (service_model_data.cc); use the accessors below.
namespace service_model_data {
extern const Shape kShapes[];
extern const size_t kShapeCount;
extern const ShapeMember kMembers[];
extern const size_t kMemberCount;
extern const std::string_view kEnumValues[];
extern const size_t kEnumValueCount;
extern const ModelOperation kOperations[];
extern const size_t kOperationCount;
extern const ModelService kServices[];
extern const size_t kServiceCount;
}  // namespace service_model_data

inline std::span<const Shape> Shapes() {
  return {service_model_data::kShapes, service_model_data::kShapeCount};
}
inline std::span<const ShapeMember> Members() {
  return {service_model_data::kMembers, service_model_data::kMemberCount};
}
inline std::span<const std::string_view> EnumValues() {
  return {service_model_data::kEnumValues, service_model_data::kEnumValueCount};
}
inline std::span<const ModelOperation> Operations() {
  return {service_model_data::kOperations, service_model_data::kOperationCount};
}
inline std::span<const ModelService> Services() {
  return {service_model_data::kServices, service_model_data::kServiceCount};
}

// REQUIRES: s is a kStructure (else empty).
inline std::span<const ShapeMember> MembersOf(const Shape& s) {
  return Members().subspan(s.members_begin, s.members_end - s.members_begin);
}
inline std::span<const std::string_view> EnumValuesOf(const Shape& s) {
  return EnumValues().subspan(s.enums_begin, s.enums_end - s.enums_begin);
}
inline const Shape& ShapeAt(uint16_t index) { return service_model_data::kShapes[index]; }
// REQUIRES: list is a kList.
inline const Shape& ElementOf(const Shape& list) { return ShapeAt(list.element); }
// REQUIRES: map is a kMap.
inline const Shape& MapKeyOf(const Shape& map) { return ShapeAt(map.key); }
inline const Shape& MapValueOf(const Shape& map) { return ShapeAt(map.value); }

// The structure member named `name`, or nullptr (an unknown member: DynamoDB ignores it).
inline const ShapeMember* FindMember(const Shape& structure, std::string_view name) {
  for (const ShapeMember& m : MembersOf(structure))
    if (m.name == name) return &m;
  return nullptr;
}

inline const ModelService* FindService(std::string_view service) {
  for (const ModelService& s : Services())
    if (s.name == service) return &s;
  return nullptr;
}

// The input shape of `operation` of `service` (a target prefix such as "DynamoDB_20120810"), or
// nullptr when the model has no such operation. Allocation-free; runs on every request.
inline const Shape* FindInputShape(std::string_view service, std::string_view operation) {
  const ModelService* s = FindService(service);
  if (s == nullptr) return nullptr;
  auto ops = Operations().subspan(s->operations_begin, s->operations_end - s->operations_begin);
  auto it =
      std::lower_bound(ops.begin(), ops.end(), operation,
                       [](const ModelOperation& op, std::string_view n) { return op.name < n; });
  if (it == ops.end() || it->name != operation) return nullptr;
  return &ShapeAt(it->input);
}

// The input shape named `name` in `service`'s model (e.g. "AttributeValue"), or nullptr.
inline const Shape* FindShape(std::string_view service, std::string_view name) {
  const ModelService* s = FindService(service);
  if (s == nullptr) return nullptr;
  auto shapes = Shapes().subspan(s->shapes_begin, s->shapes_end - s->shapes_begin);
  auto it = std::lower_bound(shapes.begin(), shapes.end(), name,
                             [](const Shape& shape, std::string_view n) { return shape.name < n; });
  if (it == shapes.end() || it->name != name) return nullptr;
  return &*it;
}

}  // namespace cairn::protocol
