// KeyConditionExpression: the accepted shapes and DynamoDB's errors for the rest.
#include "expr/key_condition.h"

#include <gtest/gtest.h>

#include "expr_test_util.h"

namespace cairn::expr {
namespace {

using namespace cairn::expr::testing;  // NOLINT

class KeyConditionTest : public ::testing::Test {
 protected:
  KeyConditionTest() {
    p_.names = {{"#pk", "pk"}, {"#sk", "sk"}};
    p_.values = {{":p", S("user")}, {":a", N("1")}, {":b", N("9")}, {":s", S("pre")}};
  }
  KeyCondition Parse(std::string_view text, std::string_view range = "sk") {
    return ParseKeyCondition(text, p_.ctx, "pk", range);
  }
  std::string Error(std::string_view text, std::string_view range = "sk") {
    return ErrorOf([&] { Parse(text, range); });
  }
  Placeholders p_;
};

TEST_F(KeyConditionTest, HashOnly) {
  KeyCondition kc = Parse("pk = :p");
  EXPECT_EQ(kc.hash_name, "pk");
  EXPECT_EQ(kc.hash_value, S("user"));
  EXPECT_EQ(kc.op, KeyCondition::Op::kNone);
  EXPECT_EQ(kc.range_name, "");
  EXPECT_EQ(Parse(":p = #pk", "").hash_value, S("user"));
}

TEST_F(KeyConditionTest, EveryRangeOperator) {
  const std::pair<const char*, KeyCondition::Op> cases[] = {
      {"pk = :p AND sk = :a", KeyCondition::Op::kEQ},
      {"pk = :p AND sk < :a", KeyCondition::Op::kLT},
      {"pk = :p AND sk <= :a", KeyCondition::Op::kLE},
      {"pk = :p AND sk > :a", KeyCondition::Op::kGT},
      {"pk = :p AND sk >= :a", KeyCondition::Op::kGE},
      {"pk = :p AND sk BETWEEN :a AND :b", KeyCondition::Op::kBetween},
      {"pk = :p AND begins_with(sk, :s)", KeyCondition::Op::kBeginsWith},
      // Either order, placeholders, parentheses, value on the left (operator mirrored).
      {"#sk < :a AND #pk = :p", KeyCondition::Op::kLT},
      {"(pk = :p) AND (sk >= :a)", KeyCondition::Op::kGE},
      {"pk = :p AND :a < sk", KeyCondition::Op::kGT},
      {"pk = :p AND :a >= sk", KeyCondition::Op::kLE},
  };
  for (const auto& [text, op] : cases) {
    KeyCondition kc = Parse(text);
    EXPECT_EQ(kc.op, op) << text;
    EXPECT_EQ(kc.range_name, "sk") << text;
    EXPECT_EQ(kc.hash_value, S("user")) << text;
  }
  KeyCondition between = Parse("pk = :p AND sk BETWEEN :a AND :b");
  EXPECT_EQ(between.a, N("1"));
  EXPECT_EQ(between.b, N("9"));
  EXPECT_EQ(Parse("pk = :p AND begins_with(sk, :s)").a, S("pre"));
}

TEST_F(KeyConditionTest, InvalidOperators) {
  EXPECT_EQ(Error("pk = :p OR sk = :a"), "Invalid operator used in KeyConditionExpression: OR");
  EXPECT_EQ(Error("NOT pk = :p"), "Invalid operator used in KeyConditionExpression: NOT");
  EXPECT_EQ(Error("pk = :p AND sk <> :a"), "Invalid operator used in KeyConditionExpression: <>");
  EXPECT_EQ(Error("pk IN (:p)"), "Invalid operator used in KeyConditionExpression: IN");
  EXPECT_EQ(Error("pk = :p AND attribute_exists(sk)"),
            "Invalid operator used in KeyConditionExpression: attribute_exists");
  EXPECT_EQ(Error("pk = :p AND contains(sk, :s)"),
            "Invalid operator used in KeyConditionExpression: contains");
  EXPECT_EQ(Error("pk = :p AND size(sk) > :a"),
            "Invalid operator used in KeyConditionExpression: size");
}

TEST_F(KeyConditionTest, MissingOrUnsupportedKeyConditions) {
  EXPECT_EQ(Error("sk = :a"), "Query condition missed key schema element: pk");
  EXPECT_EQ(Error("extra = :a"), "Query condition missed key schema element: pk");
  EXPECT_EQ(Error("pk = :p AND extra = :a"), "Query condition missed key schema element: sk");
  EXPECT_EQ(Error("pk = :p AND extra = :a", ""), "Query key condition not supported");
  EXPECT_EQ(Error("pk = :p AND sk = :a AND extra = :b"), "Query key condition not supported");
  EXPECT_EQ(Error("pk < :p"), "Query key condition not supported");
  EXPECT_EQ(Error("begins_with(pk, :s)"), "Query key condition not supported");
  EXPECT_EQ(Error("pk = sk"), "Query key condition not supported");
  EXPECT_EQ(Error("pk = :p AND sk = :a AND sk = :b"),
            "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one "
            "condition per key");
  EXPECT_EQ(Error("pk = :p AND pk = :p"),
            "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one "
            "condition per key");
  EXPECT_EQ(Error("pk = :p AND sk.x = :a"),
            "Invalid KeyConditionExpression: KeyConditionExpressions cannot have conditions on "
            "nested attributes");
}

TEST_F(KeyConditionTest, ParserErrorsUseTheKeyConditionKind) {
  EXPECT_EQ(Error(""), "Invalid KeyConditionExpression: The expression can not be empty;");
  EXPECT_EQ(Error("pk = :p AND"),
            "Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\"");
  EXPECT_EQ(Error("pk = :zz"),
            "Invalid KeyConditionExpression: An expression attribute value used in expression is "
            "not defined; attribute value: :zz");
  EXPECT_EQ(Error("pk = :p AND begins_with(sk, :a)"),
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N");
}

TEST_F(KeyConditionTest, MatchesRange) {
  KeyCondition kc = Parse("pk = :p AND sk BETWEEN :a AND :b");
  EXPECT_TRUE(kc.MatchesRange(N("1")));
  EXPECT_TRUE(kc.MatchesRange(N("9")));
  EXPECT_TRUE(kc.MatchesRange(N("5.5")));
  EXPECT_FALSE(kc.MatchesRange(N("10")));
  EXPECT_FALSE(kc.MatchesRange(S("5")));
  kc = Parse("pk = :p AND begins_with(sk, :s)");
  EXPECT_TRUE(kc.MatchesRange(S("prefix")));
  EXPECT_TRUE(kc.MatchesRange(S("pre")));
  EXPECT_FALSE(kc.MatchesRange(S("pr")));
  EXPECT_FALSE(kc.MatchesRange(B("prefix")));
  kc = Parse("pk = :p AND sk < :a");
  EXPECT_TRUE(kc.MatchesRange(N("-1")));
  EXPECT_FALSE(kc.MatchesRange(N("1")));
  EXPECT_TRUE(Parse("pk = :p").MatchesRange(S("anything")));
}

}  // namespace
}  // namespace cairn::expr
