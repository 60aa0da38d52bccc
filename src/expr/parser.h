// Parser: one recursive-descent grammar for DynamoDB's expression kinds, producing the trees of
// expr/ast.h with ExpressionAttributeNames/Values already substituted (through ExpressionContext,
// which records the placeholders used).
//
// Grammar (keywords case-insensitive, function names case-sensitive):
//   condition  := or;  or := and (OR and)*;  and := not (AND not)*;  not := NOT not | primary
//   primary    := '(' condition ')' | function '(' operand (',' operand)* ')'
//               | operand comparator operand | operand BETWEEN operand AND operand
//               | operand IN '(' operand (',' operand)* ')'
//   operand    := path | ':value' | function '(' operand (',' operand)* ')'
//   path       := (name | '#name') ('.' (name | '#name') | '[' digits ']')*
//   update     := (SET set (',' set)* | REMOVE path (',' path)* | ADD path ':v' (',' path ':v')*
//                  | DELETE path ':v' (',' path ':v')*)+
//   set        := path '=' term (('+' | '-') term)?;  term := path | ':v' | function '(' term, ...
//   ')' projection := path (',' path)*
//
// Errors: every error is a ValidationException "Invalid <kind>: <reason>" thrown as ApiException,
// where <kind> is ConditionExpression, FilterExpression, KeyConditionExpression, UpdateExpression
// or ProjectionExpression. Checked first: size ("Expression size has exceeded the maximum allowed
// size; expression size: 4097") and emptiness ("The expression can not be empty;"); then syntax
// ("Syntax error; token: \"<tok>\", near: \"<prev tok next>\"", token "<EOF>" at the end). When the
// syntax is valid, the first error of the most important class is reported, in this order:
// redundant parentheses / repeated update section, reserved word, undefined placeholder, unknown
// function, misplaced function, operand count/type, document-path overlap/conflict/depth.
// The exact texts are pinned by tests/unit/expr/parser_test.cc.
//
// Stateless apart from `ctx`; concurrent calls with distinct contexts are safe.
#pragma once

#include <memory>
#include <string_view>

#include "expr/ast.h"
#include "expr/resolve.h"

namespace cairn::expr {

// `kind` is "ConditionExpression", "FilterExpression" or "KeyConditionExpression" (used in the
// messages; the grammar is the same).
std::shared_ptr<const Condition> ParseCondition(std::string_view text, std::string_view kind,
                                                ExpressionContext& ctx);

std::shared_ptr<const UpdateExpr> ParseUpdate(std::string_view text, ExpressionContext& ctx);

std::shared_ptr<const Projection> ParseProjection(std::string_view text, ExpressionContext& ctx);

// The check shared by UpdateExpression and ProjectionExpression (and the legacy forms): no two
// paths may overlap (one a prefix of, or equal to, the other) or conflict (one uses a list index
// where the other uses a map key). Returns the message without the "Invalid ...: " prefix, or ""
// if the paths are fine:
//   "Two document paths overlap with each other; must remove or rewrite one of these paths;
//    path one: [a, b], path two: [a]"
//   "Two document paths conflict with each other; must remove or rewrite one of these paths;
//    path one: [a, [0]], path two: [a, b]"
std::string CheckPathsDisjoint(const std::vector<const Path*>& paths);

// How DynamoDB prints a constant in its BETWEEN messages: "{N:5}", "{S:abc}".
std::string DescribeValue(const AttributeValue& v);

}  // namespace cairn::expr
