// KeyCondition: a Query's KeyConditionExpression reduced to what the storage scan needs: the
// partition key value and at most one condition on the sort key.
// DynamoDB accepts `hash = :v` alone or ANDed with one sort-key condition (= < <= > >= BETWEEN
// begins_with), in either order, with parentheses; the path may be written through "#n" and the
// value may be on either side of a comparison.
//
// Errors (ValidationException, thrown as ApiException), beyond the parser's (expr/parser.h, with
// kind "KeyConditionExpression"):
//   "Invalid operator used in KeyConditionExpression: OR"   (likewise NOT, <>, IN, and functions
//     other than begins_with: "... KeyConditionExpression: attribute_exists")
//   "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per
//   key" "Invalid KeyConditionExpression: KeyConditionExpressions cannot have conditions on nested
//     attributes"
//   "Query condition missed key schema element: <hash key>"   (no condition on the hash key)
//   "Query condition missed key schema element: <range key>"  (a condition on a non-key attribute)
//   "Query key condition not supported"  (hash key not compared with =; a comparison that is not
//     between one key attribute and one value; a non-key attribute on a hash-only schema)
// The caller checks the values' types against the key schema.
// Plain data; safe to share once built.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "expr/ast.h"
#include "expr/resolve.h"
#include "types/attribute_value.h"

namespace cairn::expr {

struct KeyCondition {
  enum class Op : uint8_t { kNone, kEQ, kLT, kLE, kGT, kGE, kBetween, kBeginsWith };

  std::string hash_name;
  AttributeValue hash_value;
  std::string range_name;  // "" when op == kNone
  Op op = Op::kNone;
  AttributeValue a;  // the operand (lower bound for kBetween)
  AttributeValue b;  // the upper bound for kBetween

  // True if a sort-key value satisfies the range condition (always true for kNone). A value of
  // another type than the operand never matches.
  bool MatchesRange(const AttributeValue& sort_value) const;
};

// Parses a KeyConditionExpression and rejects the operators no key condition may use ("Invalid
// operator used in KeyConditionExpression: OR"): what DynamoDB checks before it looks the table
// up. The tree is then reduced against the key schema by ReduceKeyCondition or
// ReduceMultiKeyCondition.
std::shared_ptr<const Condition> ParseKeyConditionTree(std::string_view text,
                                                       ExpressionContext& ctx);

// ParseKeyConditionTree, then ReduceKeyCondition. `range_key_name` is "" for a hash-only table or
// index.
KeyCondition ParseKeyCondition(std::string_view text, ExpressionContext& ctx,
                               std::string_view hash_key_name, std::string_view range_key_name);

// The reduction shared with the legacy KeyConditions parameter (expr/legacy.h): `c` is an AND
// tree of comparisons, BETWEEN and begins_with. Same errors as ParseKeyCondition after parsing.
KeyCondition ReduceKeyCondition(const Condition& c, std::string_view hash_key_name,
                                std::string_view range_key_name);

// A key condition on an index with multi-attribute keys (DynamoDB's GSI keys of up to 4 HASH and 4
// RANGE attributes): `=` on every HASH attribute; on the RANGE attributes, conditions from the
// first one on without gaps, `=` on all but the last, which may use any key-condition operator.
struct MultiKeyCondition {
  std::vector<AttributeValue> hash_values;  // in KeySchema order
  std::vector<AttributeValue> range_equal;  // the leading RANGE attributes compared with `=`
  KeyCondition::Op op = KeyCondition::Op::kNone;  // on RANGE attribute range_equal.size()
  AttributeValue a, b;
};

// Errors as ReduceKeyCondition, plus for a gap or an inequality before the last condition:
// "Query key condition not supported".
MultiKeyCondition ReduceMultiKeyCondition(const Condition& c,
                                          const std::vector<std::string>& hash_names,
                                          const std::vector<std::string>& range_names);

}  // namespace cairn::expr
