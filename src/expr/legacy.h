// The legacy (pre-expression) parameter forms as typed values, and their conversion into the trees
// of expr/ast.h, so that one evaluator serves both forms: Expected + ConditionalOperator (PutItem,
// UpdateItem, DeleteItem), QueryFilter / ScanFilter + ConditionalOperator, KeyConditions (Query),
// AttributeUpdates (UpdateItem) and AttributesToGet (GetItem, BatchGetItem, Query, Scan).
//
// The request layer (api/legacy_params.h) reads the JSON: member types, which members may appear
// together, enum values, attribute values. It hands each entry here as soon as it has read it and
// gathers the results with the Combine* functions, so an entry's errors come before those of the
// entries after it, as in DynamoDB. This file sees only typed values.
//
// Semantics: legacy attribute names are literal (no placeholders, no reserved words, no paths).
// ComparisonOperators map onto the expression nodes: EQ =, NE <> (true for an absent attribute),
// LT LE GT GE, BETWEEN, IN, BEGINS_WITH begins_with, CONTAINS contains, NOT_CONTAINS (false for an
// absent attribute, as in DynamoDB), NULL attribute_not_exists, NOT_NULL attribute_exists. (The
// Exists forms of Expected arrive as comparisons: Exists false is NULL, a Value without an
// operator is EQ.) Several entries are ANDed, or ORed with ConditionalOperator OR. No entries is
// a condition that always holds.
//
// Errors, thrown as ApiException (ValidationException), with "One or more parameter values were
// invalid: " before each of the first group:
//   "Invalid number of argument(s) for the EQ ComparisonOperator"
//   "ComparisonOperator LT is not valid for SS AttributeValue type"
//   "AttributeValues inside AttributeValueList must be of same type"                  (BETWEEN)
//   "Only DELETE action is allowed when no attribute value is specified"
//   "DELETE action with value is not supported for the type N"
//   "ADD action is not supported for the type S"
// and without the prefix:
//   "The BETWEEN condition was provided a range where the lower bound is greater than the upper
//    bound"
//   "Attempted conditional constraint is not an indexable operation"           (KeyConditions)
//   the errors of expr/key_condition.h ("Query condition missed key schema element: pk",
//   "Query key condition not supported").
// Stateless functions; the results are immutable and may be shared.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "expr/ast.h"
#include "expr/key_condition.h"
#include "types/attribute_value.h"

namespace cairn::expr {

// DynamoDB's ComparisonOperator enum.
enum class ComparisonOperator : uint8_t {
  kEq,
  kNe,
  kLe,
  kLt,
  kGe,
  kGt,
  kNotNull,
  kNull,
  kContains,
  kNotContains,
  kBeginsWith,
  kIn,
  kBetween,
};
// Returns false when `name` ("EQ", "NOT_NULL", ...) is not one of the operators.
bool LookupComparisonOperator(std::string_view name, ComparisonOperator* out);
std::string_view ComparisonOperatorName(ComparisonOperator op);

// One entry of Expected, QueryFilter, ScanFilter or KeyConditions: `attribute` compared by `op`
// with `values` (its AttributeValueList, or the single Value of an Expected entry).
struct LegacyComparison {
  std::string attribute;  // a literal top-level name
  ComparisonOperator op = ComparisonOperator::kEq;
  std::vector<AttributeValue> values;
};

// Checks the number and types of `c.values` for `c.op` and returns the entry's condition.
Condition ConvertComparison(LegacyComparison c);

enum class ConditionalOperator : uint8_t { kAnd, kOr };
// The condition of all the entries of an Expected, QueryFilter or ScanFilter (ConvertComparison's
// results, in request order): kTrue for none, the entry itself for one.
std::shared_ptr<const Condition> CombineComparisons(std::vector<Condition> entries,
                                                    ConditionalOperator op);

// ConvertComparison for a KeyConditions entry, which also rejects operators a key condition
// cannot use (NE, IN, NULL, NOT_NULL, CONTAINS, NOT_CONTAINS).
Condition ConvertKeyComparison(LegacyComparison c);
// The key condition of all the entries (ConvertKeyComparison's results); `range_key_name` is ""
// for a hash-only table or index.
KeyCondition CombineKeyComparisons(std::vector<Condition> entries, std::string_view hash_key_name,
                                   std::string_view range_key_name);

// One entry of AttributeUpdates.
struct LegacyUpdate {
  enum class Action : uint8_t { kPut, kAdd, kDelete };
  std::string attribute;  // a literal top-level name
  Action action = Action::kPut;
  std::optional<AttributeValue> value;
};

// Checks the value against the action. PUT is SET, ADD is ADD, DELETE with a value is DELETE and
// without one is REMOVE.
UpdateAction ConvertAttributeUpdate(LegacyUpdate u);
// The update of all the entries (ConvertAttributeUpdate's results, in request order); the result
// has legacy == true (see UpdateExpr).
std::shared_ptr<const UpdateExpr> CombineAttributeUpdates(std::vector<UpdateAction> actions);

// A projection of literal top-level names. REQUIRES: the names are distinct.
std::shared_ptr<const Projection> ConvertAttributesToGet(const std::vector<std::string>& names);

}  // namespace cairn::expr
