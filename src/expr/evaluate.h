// Evaluation of conditions (ConditionExpression, FilterExpression, legacy Expected/QueryFilter/
// ScanFilter) against an item, with DynamoDB's semantics:
// - a path that is absent makes comparisons, BETWEEN, IN and the functions false (except
//   attribute_not_exists, and "<>", which is true unless both sides are present and equal);
// - operands of different types are never equal and never ordered: the result is false, not an
//   error; "<" "<=" ">" ">=" and BETWEEN order only S (UTF-8 bytes), N (numeric) and B (bytes);
// - size() of an S or B is its length in bytes, of a set/L/M its number of elements; size() of
//   N, BOOL or NULL has no value, so its comparison is false.
// Evaluation never throws: every outcome is a boolean.
// Pure functions of their arguments; safe to call concurrently on shared trees and items.
#pragma once

#include <string>
#include <vector>

#include "expr/ast.h"
#include "types/attribute_value.h"

namespace cairn::expr {

// `item` may be empty (the item does not exist): then only attribute_not_exists-like conditions
// hold.
bool EvaluateCondition(const Condition& c, const Item& item);

// The value at `path` in `item`, or nullptr if absent (a missing attribute, a missing map key, an
// index past the end of a list, or an element of the wrong container type on the way).
const AttributeValue* FindPath(const Item& item, const Path& path);

// Orders two values of the same type among S, N, B (REQUIRES a.type == b.type, one of those):
// <0, 0, >0. S and B compare as unsigned bytes, N numerically.
int CompareScalars(const AttributeValue& a, const AttributeValue& b);

// The distinct top-level attribute names a condition reads, in first-use order (for the caller's
// "Filter Expression can only contain non-primary key attributes" check).
std::vector<std::string> ConditionTopLevelNames(const Condition& c);

}  // namespace cairn::expr
