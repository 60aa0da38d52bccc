// Grammar of DynamoDB expressions and every parse-time error message, with the exact texts DynamoDB
// sends. Precedence and AST shapes are checked on the trees themselves.
#include "expr/parser.h"

#include <gtest/gtest.h>

#include "expr_test_util.h"

namespace cairn::expr {
namespace {

using namespace cairn::expr::testing;  // NOLINT

class ParserTest : public ::testing::Test {
 protected:
  ParserTest() {
    p_.names = {{"#n", "name"}, {"#a", "a"}, {"#b", "b"}};
    p_.values = {{":v", S("x")},
                 {":w", S("y")},
                 {":n", N("5")},
                 {":one", N("1")},
                 {":bool", Bool(true)},
                 {":l", L({N("1")})},
                 {":ss", SS({"a", "b"})},
                 {":ns", NS({"1"})},
                 {":t", S("N")},
                 {":bad_type", S("XX")},
                 {":m", M({{"k", S("v")}})}};
  }
  std::string CondError(std::string_view text, std::string_view kind = "ConditionExpression") {
    return ErrorOf([&] { ParseCondition(text, kind, p_.ctx); });
  }
  std::string UpdateError(std::string_view text) {
    return ErrorOf([&] { ParseUpdate(text, p_.ctx); });
  }
  std::string ProjectionError(std::string_view text) {
    return ErrorOf([&] { ParseProjection(text, p_.ctx); });
  }
  std::shared_ptr<const Condition> Cond(std::string_view text) {
    return ParseCondition(text, "ConditionExpression", p_.ctx);
  }
  Placeholders p_;
};

// --- sizes and emptiness ---

TEST_F(ParserTest, EmptyExpressionIsRejected) {
  EXPECT_EQ(CondError(""), "Invalid ConditionExpression: The expression can not be empty;");
  EXPECT_EQ(UpdateError(""), "Invalid UpdateExpression: The expression can not be empty;");
  EXPECT_EQ(ProjectionError(""), "Invalid ProjectionExpression: The expression can not be empty;");
  EXPECT_EQ(CondError("", "FilterExpression"),
            "Invalid FilterExpression: The expression can not be empty;");
}

TEST_F(ParserTest, ExpressionSizeLimitIs4096Bytes) {
  std::string ok = "a = :v" + std::string(4090, ' ');
  ASSERT_EQ(ok.size(), 4096u);
  EXPECT_EQ(CondError(ok), "<no error>");
  std::string big = ok + " ";
  EXPECT_EQ(CondError(big),
            "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; "
            "expression size: 4097");
}

TEST_F(ParserTest, DeepNestingIsASyntaxErrorNotAStackOverflow) {
  // Found by fuzz/expression_fuzzer.cc: 1719 '(' exhausted the stack of the ASan build (the
  // parser recursed once per level). Now the nesting is bounded.
  EXPECT_EQ(CondError(std::string(4000, '(')),
            "Invalid ConditionExpression: Syntax error; token: \"(\", near: \"(((\"");
  std::string nots;
  for (int i = 0; i < 1000; ++i) nots += "NOT ";
  EXPECT_EQ(CondError(nots + "a = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"NOT\", near: \"NOT NOT NOT\"");
  // A deep but reasonable expression still parses: 100 levels of "(a = :v AND ...)".
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "(a = :v AND ";
  deep += "a = :v";
  deep += std::string(100, ')');
  EXPECT_EQ(CondError(deep), "<no error>");
}

// --- syntax errors ---

TEST_F(ParserTest, SyntaxErrorQuotesTokenAndNeighbours) {
  EXPECT_EQ(CondError("whatever"),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"whatever\"");
  EXPECT_EQ(CondError("things are not gonna be ok"),
            "Invalid ConditionExpression: Syntax error; token: \"are\", near: \"things are not\"");
  EXPECT_EQ(CondError("a = "),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
  EXPECT_EQ(CondError("a == :v"),
            "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"== :v\"");
  EXPECT_EQ(CondError("user-id = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"-\", near: \"user-id\"");
  EXPECT_EQ(CondError("a > 4"),
            "Invalid ConditionExpression: Syntax error; token: \"4\", near: \"> 4\"");
  EXPECT_EQ(CondError("a[-1] = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"-\", near: \"[-1\"");
  EXPECT_EQ(CondError("a @ :v"),
            "Invalid ConditionExpression: Syntax error; token: \"@\", near: \"a @ :v\"");
  EXPECT_EQ(CondError("a = :v AND"),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\"");
  EXPECT_EQ(CondError("(a = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \":v\"");
  EXPECT_EQ(CondError("a = :v)"),
            "Invalid ConditionExpression: Syntax error; token: \")\", near: \":v)\"");
  EXPECT_EQ(CondError("a.1 = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"1\", near: \".1 =\"");
  EXPECT_EQ(CondError("a IN :v"),
            "Invalid ConditionExpression: Syntax error; token: \":v\", near: \"IN :v\"");
  EXPECT_EQ(CondError("a BETWEEN :v OR :w"),
            "Invalid ConditionExpression: Syntax error; token: \"OR\", near: \":v OR :w\"");
  EXPECT_EQ(CondError("a = # AND b = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"#\", near: \"= # AND\"");
  EXPECT_EQ(CondError("   "),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"\"");
  EXPECT_EQ(CondError("attribute_exists()"),
            "Invalid ConditionExpression: Syntax error; token: \")\", near: \"()\"");
  EXPECT_EQ(CondError("a[99999999999] = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"99999999999\", near: "
            "\"[99999999999]\"");
}

TEST_F(ParserTest, SyntaxErrorWinsOverEveryOtherError) {
  EXPECT_EQ(CondError("name = :undefined AND"),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\"");
}

TEST_F(ParserTest, KindAppearsInMessages) {
  EXPECT_EQ(CondError("a", "FilterExpression"),
            "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"a\"");
  EXPECT_EQ(CondError("a", "KeyConditionExpression"),
            "Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \"a\"");
}

// --- names and values ---

TEST_F(ParserTest, ReservedWordsAreRejectedAnywhereInAPath) {
  EXPECT_EQ(CondError("name = :v"),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "name");
  EXPECT_EQ(CondError("a.Size = :v"),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "Size");
  EXPECT_EQ(CondError("#n = :v"), "<no error>");  // through a placeholder it is fine
  EXPECT_EQ(ProjectionError("a, timestamp"),
            "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved "
            "keyword: timestamp");
}

TEST_F(ParserTest, UndefinedPlaceholders) {
  EXPECT_EQ(CondError("#zz = :v"),
            "Invalid ConditionExpression: An expression attribute name used in the document path "
            "is not defined; attribute name: #zz");
  EXPECT_EQ(CondError("a = :zz"),
            "Invalid ConditionExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :zz");
  // With no maps at all.
  ExpressionContext bare;
  EXPECT_EQ(ErrorOf([&] { ParseCondition("#a = :v", "ConditionExpression", bare); }),
            "Invalid ConditionExpression: An expression attribute name used in the document path "
            "is not defined; attribute name: #a");
}

TEST_F(ParserTest, ErrorClassesArePrioritised) {
  // A reserved word beats an undefined value that comes first.
  EXPECT_EQ(CondError("a = :zz AND name = :v"),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "name");
  // An undefined name beats an unknown function.
  EXPECT_EQ(CondError("foo(a) AND #zz = :v"),
            "Invalid ConditionExpression: An expression attribute name used in the document path "
            "is not defined; attribute name: #zz");
  // Within one class, the first occurrence wins.
  EXPECT_EQ(CondError("#x = :v AND #y = :v"),
            "Invalid ConditionExpression: An expression attribute name used in the document path "
            "is not defined; attribute name: #x");
}

// --- functions ---

TEST_F(ParserTest, FunctionErrors) {
  EXPECT_EQ(CondError("foo(a)"),
            "Invalid ConditionExpression: Invalid function name; function: foo");
  EXPECT_EQ(CondError("ATTRIBUTE_EXISTS(a)"),
            "Invalid ConditionExpression: Invalid function name; function: ATTRIBUTE_EXISTS");
  EXPECT_EQ(CondError("attribute_exists(a, b)"),
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
            "operator or function: attribute_exists, number of operands: 2");
  EXPECT_EQ(CondError("begins_with(a)"),
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
            "operator or function: begins_with, number of operands: 1");
  EXPECT_EQ(CondError("size(a, b) = :n"),
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
            "operator or function: size, number of operands: 2");
  EXPECT_EQ(CondError("attribute_exists(:v)"),
            "Invalid ConditionExpression: Operator or function requires a document path; "
            "operator or function: attribute_exists");
  EXPECT_EQ(CondError("attribute_not_exists(size(a))"),
            "Invalid ConditionExpression: Operator or function requires a document path; "
            "operator or function: attribute_not_exists");
  EXPECT_EQ(CondError("attribute_type(:v, :t)"),
            "Invalid ConditionExpression: Operator or function requires a document path; "
            "operator or function: attribute_type");
  EXPECT_EQ(CondError("begins_with(a, :n)"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N");
  EXPECT_EQ(CondError("begins_with(:l, :v)"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: L");
  EXPECT_EQ(CondError("attribute_type(a, :n)"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: attribute_type, operand type: N");
  EXPECT_EQ(CondError("attribute_type(a, :bad_type)"),
            "Invalid ConditionExpression: Invalid attribute type name found; type: XX, valid "
            "types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }");
  EXPECT_EQ(CondError("size(:n) = :n"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: size, operand type: N");
  EXPECT_EQ(CondError("size(a)"),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            "expression; function: size");
  EXPECT_EQ(CondError("attribute_exists(a) = :v"),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            "expression; function: attribute_exists");
  EXPECT_EQ(CondError("if_not_exists(a, :v) = :v"),
            "Invalid ConditionExpression: The function is not allowed in a condition expression; "
            "function: if_not_exists");
  EXPECT_EQ(CondError("list_append(a, :l)"),
            "Invalid ConditionExpression: The function is not allowed in a condition expression; "
            "function: list_append");
}

TEST_F(ParserTest, FunctionsParse) {
  auto c = Cond(
      "attribute_exists(a.b) AND attribute_not_exists(#n) AND attribute_type(a, :t) AND "
      "begins_with(a, :v) AND contains(a, :n) AND size(a) > :n");
  ASSERT_EQ(c->kind, Condition::Kind::kAnd);
  // Left-assoc: ((((e AND ne) AND t) AND bw) AND c) AND size
  EXPECT_EQ(c->children[1].kind, Condition::Kind::kCompare);
  EXPECT_EQ(c->children[1].operands[0].kind, Operand::Kind::kSize);
  const Condition* n = &c->children[0];
  EXPECT_EQ(n->children[1].kind, Condition::Kind::kContains);
  n = &n->children[0];
  EXPECT_EQ(n->children[1].kind, Condition::Kind::kBeginsWith);
  n = &n->children[0];
  EXPECT_EQ(n->children[1].kind, Condition::Kind::kAttributeType);
  n = &n->children[0];
  EXPECT_EQ(n->children[0].kind, Condition::Kind::kAttributeExists);
  EXPECT_EQ(PathToString(n->children[0].operands[0].path), "a.b");
  EXPECT_EQ(n->children[1].kind, Condition::Kind::kAttributeNotExists);
  EXPECT_EQ(n->children[1].operands[0].path[0].name, "name");
}

// --- operators ---

TEST_F(ParserTest, PrecedenceIsNotThenAndThenOr) {
  auto c = Cond("a = :v OR b = :v AND c = :v");
  ASSERT_EQ(c->kind, Condition::Kind::kOr);
  EXPECT_EQ(c->children[0].kind, Condition::Kind::kCompare);
  EXPECT_EQ(c->children[1].kind, Condition::Kind::kAnd);

  c = Cond("NOT a = :v AND b = :v");
  ASSERT_EQ(c->kind, Condition::Kind::kAnd);
  EXPECT_EQ(c->children[0].kind, Condition::Kind::kNot);
  EXPECT_EQ(c->children[1].kind, Condition::Kind::kCompare);

  c = Cond("(a = :v OR b = :v) AND c = :v");
  ASSERT_EQ(c->kind, Condition::Kind::kAnd);
  EXPECT_EQ(c->children[0].kind, Condition::Kind::kOr);

  c = Cond("NOT NOT a = :v");
  ASSERT_EQ(c->kind, Condition::Kind::kNot);
  EXPECT_EQ(c->children[0].kind, Condition::Kind::kNot);
}

TEST_F(ParserTest, KeywordsAreCaseInsensitive) {
  auto c = Cond("a between :v and :w or b in (:v, :w) AnD not c = :v");
  ASSERT_EQ(c->kind, Condition::Kind::kOr);
  EXPECT_EQ(c->children[0].kind, Condition::Kind::kBetween);
  EXPECT_EQ(c->children[1].kind, Condition::Kind::kAnd);
  EXPECT_EQ(c->children[1].children[0].kind, Condition::Kind::kIn);
  EXPECT_EQ(c->children[1].children[0].operands.size(), 3u);
}

TEST_F(ParserTest, Comparators) {
  const std::pair<const char*, CompareOp> cases[] = {
      {"a = :v", CompareOp::kEq},  {"a <> :v", CompareOp::kNe}, {"a < :v", CompareOp::kLt},
      {"a <= :v", CompareOp::kLe}, {"a > :v", CompareOp::kGt},  {"a >= :v", CompareOp::kGe},
      {"a>=:v", CompareOp::kGe}};
  for (const auto& [text, op] : cases) {
    auto c = Cond(text);
    ASSERT_EQ(c->kind, Condition::Kind::kCompare) << text;
    EXPECT_EQ(c->op, op) << text;
    EXPECT_EQ(c->operands[0].kind, Operand::Kind::kPath);
    EXPECT_EQ(c->operands[1].kind, Operand::Kind::kValue);
    EXPECT_EQ(c->operands[1].value, S("x"));
  }
  // Two paths, two values: both allowed.
  EXPECT_EQ(CondError("a = b"), "<no error>");
  EXPECT_EQ(CondError(":v = :w"), "<no error>");
}

TEST_F(ParserTest, OrderingComparisonsNeedScalarConstants) {
  EXPECT_EQ(CondError("a < :bool"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: <, operand type: BOOL");
  EXPECT_EQ(CondError(":l >= a"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: >=, operand type: L");
  EXPECT_EQ(CondError("a = :bool"), "<no error>");
  EXPECT_EQ(CondError("a <> :m"), "<no error>");
}

TEST_F(ParserTest, RedundantParentheses) {
  EXPECT_EQ(CondError("(a = :v)"), "<no error>");
  EXPECT_EQ(CondError("((a = :v) AND b = :v)"), "<no error>");
  EXPECT_EQ(CondError("NOT (a = :v)"), "<no error>");
  EXPECT_EQ(CondError("((a = :v))"),
            "Invalid ConditionExpression: The expression has redundant parentheses;");
  EXPECT_EQ(CondError("a = :v AND ((b = :v))"),
            "Invalid ConditionExpression: The expression has redundant parentheses;");
  // Redundant parentheses outrank the other semantic errors.
  EXPECT_EQ(CondError("((name = :v))"),
            "Invalid ConditionExpression: The expression has redundant parentheses;");
}

TEST_F(ParserTest, BetweenBounds) {
  EXPECT_EQ(CondError("a BETWEEN :one AND :n"), "<no error>");
  EXPECT_EQ(CondError("a BETWEEN :n AND :n"), "<no error>");
  EXPECT_EQ(CondError("a BETWEEN :n AND :one"),
            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater "
            "than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound "
            "operand: AttributeValue: {N:1}");
  EXPECT_EQ(CondError("a BETWEEN :w AND :v"),
            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater "
            "than or equal to lower bound; lower bound operand: AttributeValue: {S:y}, upper bound "
            "operand: AttributeValue: {S:x}");
  EXPECT_EQ(CondError("a BETWEEN :one AND :v"),
            "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower "
            "and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: "
            "AttributeValue: {S:x}");
  EXPECT_EQ(CondError("a BETWEEN :one AND :bool"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: BETWEEN, operand type: BOOL");
  // Paths as bounds are only checked at evaluation.
  EXPECT_EQ(CondError("a BETWEEN b AND c"), "<no error>");
}

TEST_F(ParserTest, InAllowsUpTo100Operands) {
  std::string list;
  for (int i = 0; i < 100; ++i) list += i == 0 ? ":v" : ", :v";
  EXPECT_EQ(CondError("a IN (" + list + ")"), "<no error>");
  EXPECT_EQ(CondError("a IN (" + list + ", :w)"),
            "Invalid ConditionExpression: The IN operator is provided with too many operands; "
            "number of operands: 101");
}

// --- paths ---

TEST_F(ParserTest, PathsWithMapKeysAndListIndexes) {
  auto c = Cond("a.b[3].c = :v AND #n[0][1].#a = :v");
  const Path& p1 = c->children[0].operands[0].path;
  ASSERT_EQ(p1.size(), 4u);
  EXPECT_EQ(p1[0], PathElement::Name("a"));
  EXPECT_EQ(p1[1], PathElement::Name("b"));
  EXPECT_EQ(p1[2], PathElement::Index(3));
  EXPECT_EQ(p1[3], PathElement::Name("c"));
  const Path& p2 = c->children[1].operands[0].path;
  EXPECT_EQ(PathToString(p2), "name[0][1].a");
  EXPECT_EQ(PathToListString(p2), "[name, [0], [1], a]");
}

TEST_F(ParserTest, PathDepthLimitIs32) {
  std::string ok = "a";
  for (int i = 1; i < 32; ++i) ok += ".a";
  EXPECT_EQ(CondError(ok + " = :v"), "<no error>");
  EXPECT_EQ(CondError(ok + "[0] = :v"),
            "Invalid ConditionExpression: The document path has too many nesting levels; nesting "
            "levels: 33");
}

TEST_F(ParserTest, ValuesAreSubstituted) {
  auto c = Cond("a = :l");
  EXPECT_EQ(c->operands[1].value, L({N("1")}));
}

// --- UpdateExpression ---

TEST_F(ParserTest, UpdateClauses) {
  auto u = ParseUpdate(
      "SET a = :v, b = a + :n, c = list_append(l, :l), d = if_not_exists(d, :v), "
      "e = list_append(if_not_exists(e, :l), :l), f = b - :one "
      "REMOVE g, h[1] ADD i :n, j :ss DELETE k :ns",
      p_.ctx);
  ASSERT_EQ(u->actions.size(), 11u);
  EXPECT_EQ(u->actions[0].kind, UpdateAction::Kind::kSet);
  EXPECT_EQ(u->actions[0].value.kind, Operand::Kind::kValue);
  EXPECT_EQ(u->actions[1].value.kind, Operand::Kind::kPlus);
  EXPECT_EQ(u->actions[2].value.kind, Operand::Kind::kListAppend);
  EXPECT_EQ(u->actions[3].value.kind, Operand::Kind::kIfNotExists);
  EXPECT_EQ(u->actions[4].value.args[0].kind, Operand::Kind::kIfNotExists);
  EXPECT_EQ(u->actions[5].value.kind, Operand::Kind::kMinus);
  EXPECT_EQ(u->actions[6].kind, UpdateAction::Kind::kRemove);
  EXPECT_EQ(PathToString(u->actions[7].path), "h[1]");
  EXPECT_EQ(u->actions[8].kind, UpdateAction::Kind::kAdd);
  EXPECT_EQ(u->actions[9].value.value, SS({"a", "b"}));
  EXPECT_EQ(u->actions[10].kind, UpdateAction::Kind::kDelete);
  EXPECT_EQ(u->TopLevelNames(),
            (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}));
}

TEST_F(ParserTest, UpdateClausesInAnyOrderAndCase) {
  auto u = ParseUpdate("remove a add b :n set c = :v delete d :ss", p_.ctx);
  ASSERT_EQ(u->actions.size(), 4u);
  EXPECT_EQ(u->actions[0].kind, UpdateAction::Kind::kRemove);
  EXPECT_EQ(u->actions[3].kind, UpdateAction::Kind::kDelete);
}

TEST_F(ParserTest, UpdateSectionOnlyOnce) {
  EXPECT_EQ(UpdateError("SET a = :v SET b = :v"),
            "Invalid UpdateExpression: The \"SET\" section can only be used once in an update "
            "expression;");
  EXPECT_EQ(UpdateError("remove a remove b"),
            "Invalid UpdateExpression: The \"REMOVE\" section can only be used once in an update "
            "expression;");
  EXPECT_EQ(UpdateError("ADD a :n DELETE b :ss ADD c :n"),
            "Invalid UpdateExpression: The \"ADD\" section can only be used once in an update "
            "expression;");
}

TEST_F(ParserTest, UpdateSyntaxErrors) {
  EXPECT_EQ(UpdateError("SET"),
            "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"SET\"");
  EXPECT_EQ(UpdateError("whatever"),
            "Invalid UpdateExpression: Syntax error; token: \"whatever\", near: \"whatever\"");
  EXPECT_EQ(UpdateError("SET a = :v b = :w"),
            "Invalid UpdateExpression: Syntax error; token: \"b\", near: \":v b =\"");
  EXPECT_EQ(UpdateError("SET a :v"),
            "Invalid UpdateExpression: Syntax error; token: \":v\", near: \"a :v\"");
  EXPECT_EQ(UpdateError("ADD a b"),
            "Invalid UpdateExpression: Syntax error; token: \"b\", near: \"a b\"");
  EXPECT_EQ(UpdateError("REMOVE a,"),
            "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \",\"");
  EXPECT_EQ(UpdateError("SET a = b + c + d"),
            "Invalid UpdateExpression: Syntax error; token: \"+\", near: \"c + d\"");
  EXPECT_EQ(UpdateError("SET a = :v, REMOVE b"),
            "Invalid UpdateExpression: Syntax error; token: \"b\", near: \"REMOVE b\"");
}

TEST_F(ParserTest, UpdateFunctionErrors) {
  EXPECT_EQ(UpdateError("SET a = size(b)"),
            "Invalid UpdateExpression: The function is not allowed in an update expression; "
            "function: size");
  EXPECT_EQ(UpdateError("SET a = attribute_exists(b)"),
            "Invalid UpdateExpression: The function is not allowed in an update expression; "
            "function: attribute_exists");
  EXPECT_EQ(UpdateError("SET a = foo(b)"),
            "Invalid UpdateExpression: Invalid function name; function: foo");
  EXPECT_EQ(UpdateError("SET a = if_not_exists(:v, b)"),
            "Invalid UpdateExpression: Operator or function requires a document path; operator or "
            "function: if_not_exists");
  EXPECT_EQ(UpdateError("SET a = if_not_exists(a)"),
            "Invalid UpdateExpression: Incorrect number of operands for operator or function; "
            "operator or function: if_not_exists, number of operands: 1");
  EXPECT_EQ(UpdateError("SET a = list_append(:v, b)"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: list_append, operand type: S");
  EXPECT_EQ(UpdateError("SET a = :v + b"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: +, operand type: S");
  EXPECT_EQ(UpdateError("SET a = b - :l"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: -, operand type: L");
  EXPECT_EQ(UpdateError("ADD a :v"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "ADD, operand type: STRING");
  EXPECT_EQ(UpdateError("ADD a :l"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "ADD, operand type: LIST");
  EXPECT_EQ(UpdateError("DELETE a :n"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "DELETE, operand type: NUMBER");
  EXPECT_EQ(UpdateError("ADD a :zz"),
            "Invalid UpdateExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :zz");
}

TEST_F(ParserTest, UpdatePathsMustNotOverlap) {
  EXPECT_EQ(UpdateError("SET a = :v, a = :w"),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [a], path two: [a]");
  EXPECT_EQ(UpdateError("SET a.b = :v REMOVE a"),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [a, b], path two: [a]");
  EXPECT_EQ(UpdateError("SET #a[1] = :v REMOVE a[1].c"),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [a, [1]], path two: [a, [1], c]");
  EXPECT_EQ(UpdateError("SET a[0] = :v, a.b = :v"),
            "Invalid UpdateExpression: Two document paths conflict with each other; must remove or "
            "rewrite one of these paths; path one: [a, [0]], path two: [a, b]");
  EXPECT_EQ(UpdateError("SET a[0] = :v, a[1] = :v, a.b = :v, c.b = :v, c.d = :v"),
            "Invalid UpdateExpression: Two document paths conflict with each other; must remove or "
            "rewrite one of these paths; path one: [a, [0]], path two: [a, b]");
  EXPECT_EQ(UpdateError("SET a[0] = :v, a[1] = :v, b.c = :v REMOVE b.d"), "<no error>");
  // The source paths do not count.
  EXPECT_EQ(UpdateError("SET a = a + :n"), "<no error>");
}

// --- ProjectionExpression ---

TEST_F(ParserTest, Projection) {
  auto p = ParseProjection("a, b.c, #n[1], d[0].e", p_.ctx);
  ASSERT_EQ(p->paths.size(), 4u);
  EXPECT_EQ(PathToString(p->paths[2]), "name[1]");
  EXPECT_EQ(ProjectionError("a,,b"),
            "Invalid ProjectionExpression: Syntax error; token: \",\", near: \",,b\"");
  EXPECT_EQ(ProjectionError("a b"),
            "Invalid ProjectionExpression: Syntax error; token: \"b\", near: \"a b\"");
  EXPECT_EQ(ProjectionError("a, a"),
            "Invalid ProjectionExpression: Two document paths overlap with each other; must "
            "remove or rewrite one of these paths; path one: [a], path two: [a]");
  EXPECT_EQ(ProjectionError("a.b, a"),
            "Invalid ProjectionExpression: Two document paths overlap with each other; must "
            "remove or rewrite one of these paths; path one: [a, b], path two: [a]");
  EXPECT_EQ(ProjectionError("a[0], a.b"),
            "Invalid ProjectionExpression: Two document paths conflict with each other; must "
            "remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]");
}

// --- ExpressionContext ---

TEST_F(ParserTest, UnusedPlaceholdersAreReported) {
  Placeholders p;
  p.names = {{"#a", "a"}, {"#b", "b"}, {"#c", "c"}};
  p.values = {{":a", S("1")}, {":b", S("2")}};
  ParseCondition("#a = :a", "ConditionExpression", p.ctx);
  EXPECT_EQ(ErrorOf([&] { p.ctx.CheckAllUsed(); }),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b, #c}");
  ParseProjection("#b, #c", p.ctx);
  EXPECT_EQ(ErrorOf([&] { p.ctx.CheckAllUsed(); }),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}");
  ParseUpdate("SET x = :b", p.ctx);
  EXPECT_EQ(ErrorOf([&] { p.ctx.CheckAllUsed(); }), "<no error>");
}

TEST_F(ParserTest, ValidateExpressionAttributeMaps) {
  NameMap names = {{"#ok_1", "a"}};
  Item values = {{":ok_1", S("a")}};
  EXPECT_EQ(ErrorOf([&] { ValidateExpressionAttributeMaps(&names, &values); }), "<no error>");
  EXPECT_EQ(ErrorOf([&] { ValidateExpressionAttributeMaps(nullptr, nullptr); }), "<no error>");
  NameMap empty_names;
  Item empty_values;
  EXPECT_EQ(ErrorOf([&] { ValidateExpressionAttributeMaps(&empty_names, nullptr); }),
            "ExpressionAttributeNames must not be empty");
  EXPECT_EQ(ErrorOf([&] { ValidateExpressionAttributeMaps(nullptr, &empty_values); }),
            "ExpressionAttributeValues must not be empty");
  NameMap bad_names = {{"a", "a"}};
  EXPECT_EQ(ErrorOf([&] { ValidateExpressionAttributeMaps(&bad_names, nullptr); }),
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"");
  Item bad_values = {{":a-b", S("a")}};
  EXPECT_EQ(ErrorOf([&] { ValidateExpressionAttributeMaps(nullptr, &bad_values); }),
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \":a-b\"");
  NameMap empty_name = {{"#n", ""}};
  EXPECT_EQ(ErrorOf([&] { ValidateExpressionAttributeMaps(&empty_name, nullptr); }),
            "ExpressionAttributeNames contains invalid value: Empty attribute name for key #n");
}

}  // namespace
}  // namespace cairn::expr
