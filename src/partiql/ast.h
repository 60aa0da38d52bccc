// The tree of a parsed PartiQL statement (DynamoDB's dialect): a Statement, its WHERE condition and
// its values as Expr nodes, its paths as Path.
// Invariants (kept by partiql/parser.h): a Path has at least one element and starts with a name;
// Expr children follow the kind's arity (kCompare, kArithmetic: 2; kBetween: 3; kIn: 1 + the list;
// kAnd, kOr: 2; kNot: 1; kIsMissing, kIsNull: 1); literal values are already DynamoDB
// AttributeValue JSON; parameters are numbered 0.. in the order of their '?' in the statement.
// Plain values: safe to share between threads once built.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cairn::partiql {

struct PathElement {
  std::string name;     // when index < 0
  int64_t index = -1;   // a list index [n]
};
using Path = std::vector<PathElement>;

enum class ExprKind : uint8_t {
  kPath,        // path
  kLiteral,     // text: AttributeValue JSON ({"S":"x"}); type: its type ("S", "N", ...)
  kParameter,   // index: the parameter's position
  kMissing,     // the MISSING literal
  kList,        // children: the elements
  kMap,         // keys[i] -> children[i]
  kSet,         // children: the elements (<<...>>)
  kCompare,     // text: = <> < <= > >=
  kBetween,     // children: value, low, high
  kIn,          // children: value, then the candidates
  kIsMissing,   // negated: IS NOT MISSING
  kIsNull,      // negated: IS NOT NULL
  kAnd,
  kOr,
  kNot,
  kFunction,    // text: the function's name, lower case; children: its arguments
  kArithmetic,  // text: + or -
};

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  std::string text;
  std::string type;
  Path path;
  int index = 0;
  bool negated = false;
  std::vector<std::string> keys;
  std::vector<Expr> children;
  int line = 1;
  int column = 1;
};

enum class StatementKind : uint8_t { kSelect, kInsert, kUpdate, kDelete, kExists };

// RETURNING of UPDATE and DELETE, as DynamoDB's ReturnValues.
enum class Returning : uint8_t { kNone, kAllOld, kModifiedOld, kAllNew, kModifiedNew };

struct UpdateAction {
  bool remove = false;  // REMOVE path; otherwise SET path = value
  Path path;
  Expr value;
};

struct Statement {
  StatementKind kind = StatementKind::kSelect;
  std::string table;
  std::optional<std::string> index;  // SELECT ... FROM "table"."index"
  std::vector<Path> projection;      // SELECT: empty for *
  std::optional<Expr> where;
  std::optional<Path> order_by;      // SELECT ... ORDER BY path [ASC|DESC]
  bool descending = false;
  std::optional<Expr> value;         // INSERT ... VALUE {...}
  std::vector<UpdateAction> actions; // UPDATE: in statement order
  Returning returning = Returning::kNone;
  bool negated = false;              // kExists: NOT EXISTS(SELECT ...)
  int parameter_count = 0;           // the number of '?' in the statement
};

}  // namespace cairn::partiql
