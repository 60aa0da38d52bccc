// The syntax tree shared by DynamoDB's five expression kinds (ConditionExpression,
// FilterExpression, KeyConditionExpression, UpdateExpression, ProjectionExpression) and by the
// legacy parameter forms (Expected, QueryFilter, AttributeUpdates, ...), which expr/legacy.h
// converts into the same nodes.
//
// Invariants (established by the parser or the legacy converter, relied on by the evaluator):
// - every Path is non-empty, starts with a name, has at most kMaxPathDepth elements, and holds the
//   real attribute names (ExpressionAttributeNames already substituted);
// - every kValue Operand holds the substituted ExpressionAttributeValue;
// - node arities match their kind (documented per member below).
// Nodes are plain data, immutable once built: a parsed tree may be shared between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "types/attribute_value.h"

namespace cairn::expr {

// DynamoDB limits document paths to 32 components.
inline constexpr size_t kMaxPathDepth = 32;
// DynamoDB's limit on the length of one expression string, in bytes.
inline constexpr size_t kMaxExpressionBytes = 4096;
// DynamoDB's limit on the number of values on the right of IN.
inline constexpr size_t kMaxInOperands = 100;

// One component of a document path: an attribute/map-key name or a list index.
struct PathElement {
  std::string name;    // when !is_index()
  int32_t index = -1;  // >= 0 for a list index "[n]"

  bool is_index() const { return index >= 0; }
  static PathElement Name(std::string n) { return PathElement{std::move(n), -1}; }
  static PathElement Index(int32_t i) { return PathElement{std::string(), i}; }
  friend bool operator==(const PathElement& a, const PathElement& b) {
    return a.index == b.index && a.name == b.name;
  }
};

using Path = std::vector<PathElement>;

// "a.b[3].c", for diagnostics.
std::string PathToString(const Path& path);
// "[a, b, [3], c]": how DynamoDB prints a path in its overlap/conflict messages.
std::string PathToListString(const Path& path);

// Functions known to the expression language. Names are case-sensitive, as in DynamoDB.
enum class Function : uint8_t {
  kAttributeExists,
  kAttributeNotExists,
  kAttributeType,
  kBeginsWith,
  kContains,
  kSize,
  kIfNotExists,
  kListAppend,
};
// Returns false when `name` is not one of DynamoDB's functions.
bool LookupFunction(std::string_view name, Function* out);
std::string_view FunctionName(Function f);

// A value-producing term: a document path, a constant, or a function/arithmetic over operands.
struct Operand {
  enum class Kind : uint8_t {
    kPath,         // `path`
    kValue,        // `value`
    kSize,         // size(args[0]); conditions only
    kIfNotExists,  // if_not_exists(args[0] (a kPath), args[1]); updates only
    kListAppend,   // list_append(args[0], args[1]); updates only
    kPlus,         // args[0] + args[1]; update SET values only
    kMinus,        // args[0] - args[1]; update SET values only
  };
  Kind kind = Kind::kValue;
  Path path;
  AttributeValue value;
  std::vector<Operand> args;

  static Operand OfPath(Path p) {
    Operand o;
    o.kind = Kind::kPath;
    o.path = std::move(p);
    return o;
  }
  static Operand OfValue(AttributeValue v) {
    Operand o;
    o.kind = Kind::kValue;
    o.value = std::move(v);
    return o;
  }
};

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
// "=", "<>", "<", "<=", ">", ">=".
std::string_view CompareOpText(CompareOp op);

// A boolean condition.
struct Condition {
  enum class Kind : uint8_t {
    kOr,                  // any of children (two from the parser, any number from legacy forms)
    kAnd,                 // all of children (likewise)
    kNot,                 // NOT children[0]
    kCompare,             // operands[0] op operands[1]
    kBetween,             // operands[0] BETWEEN operands[1] AND operands[2]
    kIn,                  // operands[0] IN (operands[1..])
    kAttributeExists,     // attribute_exists(operands[0]); operands[0] is a kPath
    kAttributeNotExists,  // attribute_not_exists(operands[0]); operands[0] is a kPath
    kAttributeType,       // attribute_type(operands[0], operands[1])
    kBeginsWith,          // begins_with(operands[0], operands[1])
    kContains,            // contains(operands[0], operands[1])
    kTrue,                // always true (an empty legacy Expected/QueryFilter)
  };
  Kind kind = Kind::kTrue;
  CompareOp op = CompareOp::kEq;  // kCompare only
  std::vector<Condition> children;
  std::vector<Operand> operands;
};

// One action of an UpdateExpression (or a legacy AttributeUpdates entry).
struct UpdateAction {
  enum class Kind : uint8_t { kSet, kRemove, kAdd, kDelete };
  Kind kind = Kind::kSet;
  Path path;
  Operand value;  // kSet: the new value; kAdd/kDelete: a kValue operand; kRemove: unused
};

struct UpdateExpr {
  std::vector<UpdateAction> actions;  // in the order written
  // Converted from legacy AttributeUpdates: ADD also appends lists, and a type mismatch in ADD or
  // DELETE is reported as "Type mismatch for attribute to update".
  bool legacy = false;

  // The distinct top-level attribute names the actions write, in first-use order: the caller
  // rejects updates of key attributes with them ("Cannot update attribute pk. This attribute is
  // part of the key").
  std::vector<std::string> TopLevelNames() const;
};

struct Projection {
  std::vector<Path> paths;  // no two overlap (checked by the parser)
};

}  // namespace cairn::expr
