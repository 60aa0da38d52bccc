// The legacy (pre-expression) request parameters read from the request's JSON: Expected,
// QueryFilter / ScanFilter (each with ConditionalOperator), KeyConditions, AttributeUpdates and
// AttributesToGet. Each function walks its parameter entry by entry, decodes the entry into the
// typed struct of expr/legacy.h and hands it to expr at once, then combines the entries there; the
// result is the same tree an expression would give.
//
// This file owns the parameters' JSON shape, with DynamoDB's messages:
// - a member of the wrong JSON type is a SerializationException (api/params.h), and attribute
//   values are decoded (and validated) by protocol::ValueFromJson;
// - an enum member with an unknown value, or a missing ComparisonOperator, is a request-validation
//   error naming the member, e.g. "1 validation error detected: Value 'XX' at
//   'expected.a.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum
//   value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE,
//   CONTAINS]" ("... at 'conditionalOperator' ... [OR, AND]", "... at
//   'attributeUpdates.a.member.action' ... [ADD, PUT, DELETE]", "Value null at
//   'scanFilter.a.member.comparisonOperator' failed to satisfy constraint: Member must not be
//   null");
// - which members of an Expected entry may appear together, and the names of AttributesToGet,
//   with "One or more parameter values were invalid: " before:
//     "Value and AttributeValueList cannot be used together for Attribute: a"
//     "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"
//     "Exists and ComparisonOperator cannot be used together for Attribute: a"
//     "Value cannot be used when Exists is false for Attribute: a"
//     "Value must be provided when Exists is true for Attribute: a" (likewise "is null")
//     "Duplicate value in attribute name: a"
//   and "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy
//   constraint: Member must have length greater than or equal to 1".
// The operator, argument and action rules are expr's (expr/legacy.h). Errors are thrown as
// ApiException in the order DynamoDB finds them: entry by entry, and within an entry in the order
// of the checks above as the members are read (Exists, Value, member combinations, the operator,
// then the AttributeValueList), before expr's checks of that entry; ConditionalOperator's value is
// checked after the last entry.
// Stateless functions.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "expr/ast.h"
#include "expr/key_condition.h"

namespace cairn::api {

// `conditional_operator`: the ConditionalOperator member, if present.
std::shared_ptr<const expr::Condition> DecodeExpected(
    simdjson::dom::object expected, std::optional<std::string_view> conditional_operator);

enum class FilterKind : uint8_t { kQueryFilter, kScanFilter };
std::shared_ptr<const expr::Condition> DecodeFilter(
    simdjson::dom::object filter, FilterKind kind,
    std::optional<std::string_view> conditional_operator);

// `range_key_name` is "" for a hash-only table or index.
expr::KeyCondition DecodeKeyConditions(simdjson::dom::object key_conditions,
                                       std::string_view hash_key_name,
                                       std::string_view range_key_name);

std::shared_ptr<const expr::UpdateExpr> DecodeAttributeUpdates(simdjson::dom::object updates);

std::shared_ptr<const expr::Projection> DecodeAttributesToGet(simdjson::dom::array names);

}  // namespace cairn::api
