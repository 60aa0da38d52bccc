// The legacy (pre-expression) parameter forms, converted into the trees of expr/ast.h so that one
// evaluator serves both: Expected + ConditionalOperator (PutItem, UpdateItem, DeleteItem),
// QueryFilter / ScanFilter + ConditionalOperator, KeyConditions (Query), AttributeUpdates
// (UpdateItem) and AttributesToGet (GetItem, BatchGetItem, Query, Scan).
//
// Semantics: legacy attribute names are literal (no placeholders, no reserved words, no paths).
// ComparisonOperators map onto the expression nodes: EQ =, NE <> (true for an absent attribute),
// LT LE GT GE, BETWEEN, IN, BEGINS_WITH begins_with, CONTAINS contains, NOT_CONTAINS (false for an
// absent attribute, as in DynamoDB), NULL attribute_not_exists, NOT_NULL attribute_exists. Exists
// false is attribute_not_exists; Exists true (or absent) with Value is "= Value". Several entries
// are ANDed, or ORed with ConditionalOperator OR. An empty map is a condition that always holds.
//
// Errors (thrown as ApiException; JSON of the wrong kind is a SerializationException, as in
// api/params.h). ValidationException texts, with "One or more parameter values were invalid: "
// before each of the first group:
//   "Invalid number of argument(s) for the EQ ComparisonOperator"
//   "ComparisonOperator LT is not valid for SS AttributeValue type"
//   "AttributeValues inside AttributeValueList must be of same type"                  (BETWEEN)
//   "Value and AttributeValueList cannot be used together for Attribute: a"
//   "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"
//   "Exists and ComparisonOperator cannot be used together for Attribute: a"
//   "Value cannot be used when Exists is false for Attribute: a"
//   "Value must be provided when Exists is true for Attribute: a" (likewise "is null")
//   "Only DELETE action is allowed when no attribute value is specified"
//   "DELETE action with value is not supported for the type N"
//   "ADD action is not supported for the type S"
//   "Duplicate value in attribute name: a" (AttributesToGet)
// and without the prefix:
//   "The BETWEEN condition was provided a range where the lower bound is greater than the upper
//    bound"
//   "Attempted conditional constraint is not an indexable operation" (KeyConditions) the
//   KeyCondition errors of expr/key_condition.h ("Query condition missed key schema element: pk",
//   "Query key condition not supported") request-validation errors for bad enums and missing
//   operators, e.g. "1 validation error detected: Value 'XX' at
//   'expected.a.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum
//   value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE,
//   CONTAINS]".
// Attribute values inside are decoded (and validated) by protocol::ValueFromJson.
// Stateless functions; the results are immutable and may be shared.
#pragma once

#include <simdjson.h>

#include <memory>
#include <optional>
#include <string_view>

#include "expr/ast.h"
#include "expr/key_condition.h"

namespace cairn::expr {

// `conditional_operator`: the ConditionalOperator member ("AND" or "OR"), if present.
std::shared_ptr<const Condition> ConvertExpected(
    simdjson::dom::object expected, std::optional<std::string_view> conditional_operator);

enum class FilterKind : uint8_t { kQueryFilter, kScanFilter };
std::shared_ptr<const Condition> ConvertFilter(
    simdjson::dom::object filter, FilterKind kind,
    std::optional<std::string_view> conditional_operator);

// `range_key_name` is "" for a hash-only table or index.
KeyCondition ConvertKeyConditions(simdjson::dom::object key_conditions,
                                  std::string_view hash_key_name, std::string_view range_key_name);

// The result has legacy == true (see UpdateExpr). PUT is SET, ADD is ADD, DELETE with a value is
// DELETE and without one is REMOVE.
std::shared_ptr<const UpdateExpr> ConvertAttributeUpdates(simdjson::dom::object updates);

std::shared_ptr<const Projection> ConvertAttributesToGet(simdjson::dom::array names);

}  // namespace cairn::expr
