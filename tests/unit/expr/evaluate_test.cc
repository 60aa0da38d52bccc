// Evaluation of conditions against items: every comparator, BETWEEN, IN, every function on every
// attribute type, absent attributes and absent items, with DynamoDB's results.
#include "expr/evaluate.h"

#include <gtest/gtest.h>

#include "expr/parser.h"
#include "expr_test_util.h"

namespace cairn::expr {
namespace {

using namespace cairn::expr::testing;  // NOLINT

class EvaluateTest : public ::testing::Test {
 protected:
  EvaluateTest() {
    item_ = {
        {"s", S("hello")},
        {"n", N("10")},
        {"b", B(std::string("\x01\x02\x03", 3))},
        {"t", Bool(true)},
        {"z", Null()},
        {"ss", SS({"a", "b"})},
        {"ns", NS({"1", "2.5"})},
        {"bs", BS({std::string("\x01", 1), std::string("\xff", 1)})},
        {"l", L({S("x"), N("1"), M({{"k", S("v")}})})},
        {"m", M({{"a", M({{"b", L({N("7")})}})}, {"s", S("deep")}})},
        {"empty_s", S("")},
    };
  }
  // Evaluates `text` with the given values (":a", ":b", ...).
  bool Eval(std::string_view text, Item values = {}, const Item* item = nullptr) {
    Placeholders p;
    p.values = std::move(values);
    p.names = {{"#s", "s"}};
    auto c = ParseCondition(text, "ConditionExpression", p.ctx);
    return EvaluateCondition(*c, item != nullptr ? *item : item_);
  }
  Item item_;
};

TEST_F(EvaluateTest, EqualityAcrossTypes) {
  EXPECT_TRUE(Eval("s = :a", {{":a", S("hello")}}));
  EXPECT_FALSE(Eval("s = :a", {{":a", S("hellO")}}));
  EXPECT_TRUE(Eval("n = :a", {{":a", N("10")}}));
  EXPECT_FALSE(Eval("n = :a", {{":a", S("10")}}));  // different types are never equal
  EXPECT_TRUE(Eval("b = :a", {{":a", B(std::string("\x01\x02\x03", 3))}}));
  EXPECT_TRUE(Eval("t = :a", {{":a", Bool(true)}}));
  EXPECT_FALSE(Eval("t = :a", {{":a", Bool(false)}}));
  EXPECT_TRUE(Eval("z = :a", {{":a", Null()}}));
  EXPECT_TRUE(Eval("ss = :a", {{":a", SS({"b", "a"})}}));  // sets compare as sets
  EXPECT_TRUE(Eval("ns = :a", {{":a", NS({"2.5", "1"})}}));
  EXPECT_FALSE(Eval("ns = :a", {{":a", NS({"1"})}}));
  EXPECT_TRUE(Eval("l = :a", {{":a", L({S("x"), N("1"), M({{"k", S("v")}})})}}));
  EXPECT_FALSE(Eval("l = :a", {{":a", L({N("1"), S("x"), M({{"k", S("v")}})})}}));
  EXPECT_TRUE(Eval("m.a = :a", {{":a", M({{"b", L({N("7")})}})}}));
  EXPECT_TRUE(Eval("#s = s"));  // two paths
  EXPECT_TRUE(Eval(":a = :a", {{":a", N("1")}}));
}

TEST_F(EvaluateTest, NotEqualIsTrueForAbsentAttributes) {
  EXPECT_TRUE(Eval("s <> :a", {{":a", S("x")}}));
  EXPECT_FALSE(Eval("s <> :a", {{":a", S("hello")}}));
  EXPECT_TRUE(Eval("absent <> :a", {{":a", S("x")}}));
  EXPECT_FALSE(Eval("absent = :a", {{":a", S("x")}}));
  EXPECT_TRUE(Eval("n <> :a", {{":a", S("10")}}));
}

TEST_F(EvaluateTest, OrderingOfNumbersStringsAndBinaries) {
  EXPECT_TRUE(Eval("n > :a", {{":a", N("9.99")}}));
  EXPECT_TRUE(Eval("n < :a", {{":a", N("100")}}));  // numeric, not text, order
  EXPECT_TRUE(Eval("n >= :a", {{":a", N("10")}}));
  EXPECT_TRUE(Eval("n <= :a", {{":a", N("1e1")}}));
  EXPECT_FALSE(Eval("n < :a", {{":a", N("-100")}}));
  EXPECT_TRUE(Eval("s < :a", {{":a", S("help")}}));
  EXPECT_TRUE(Eval("s > :a", {{":a", S("Hello")}}));     // 'h' > 'H'
  EXPECT_TRUE(Eval("s < :a", {{":a", S("\xc3\xa9")}}));  // UTF-8 bytes compare unsigned
  EXPECT_TRUE(Eval("b < :a", {{":a", B("\x80")}}));      // binary compares unsigned
  EXPECT_FALSE(Eval("n < :a", {{":a", S("z")}}));        // different types: false
  EXPECT_FALSE(Eval("n > :a", {{":a", S("z")}}));
  EXPECT_FALSE(Eval("absent < :a", {{":a", N("1")}}));
  // Ordering sets, lists, maps, booleans is always false.
  EXPECT_FALSE(Eval("ss < ss"));
  EXPECT_FALSE(Eval("ss <= ss"));
  EXPECT_FALSE(Eval("l >= l"));
  EXPECT_FALSE(Eval("m >= m"));
  EXPECT_FALSE(Eval("t <= t"));
}

TEST_F(EvaluateTest, Between) {
  EXPECT_TRUE(Eval("n BETWEEN :a AND :b", {{":a", N("10")}, {":b", N("11")}}));
  EXPECT_TRUE(Eval("n BETWEEN :a AND :b", {{":a", N("1")}, {":b", N("10")}}));
  EXPECT_FALSE(Eval("n BETWEEN :a AND :b", {{":a", N("11")}, {":b", N("12")}}));
  EXPECT_TRUE(Eval("s BETWEEN :a AND :b", {{":a", S("h")}, {":b", S("i")}}));
  EXPECT_FALSE(Eval("s BETWEEN :a AND :b", {{":a", N("1")}, {":b", N("20")}}));
  EXPECT_FALSE(Eval("absent BETWEEN :a AND :b", {{":a", N("1")}, {":b", N("20")}}));
  // Bounds from the item, out of order at run time: false, not an error.
  Item item = {{"v", N("5")}, {"lo", N("9")}, {"hi", N("1")}};
  EXPECT_FALSE(Eval("v BETWEEN lo AND hi", {}, &item));
  EXPECT_TRUE(Eval("v BETWEEN hi AND lo", {}, &item));
}

TEST_F(EvaluateTest, In) {
  EXPECT_TRUE(Eval("n IN (:a, :b)", {{":a", N("1")}, {":b", N("10")}}));
  EXPECT_FALSE(Eval("n IN (:a, :b)", {{":a", N("1")}, {":b", S("10")}}));
  EXPECT_TRUE(Eval("ss IN (:a)", {{":a", SS({"b", "a"})}}));
  EXPECT_FALSE(Eval("absent IN (:a)", {{":a", N("1")}}));
  EXPECT_TRUE(Eval("s IN (n, #s)"));
}

TEST_F(EvaluateTest, AttributeExistsAndNotExists) {
  EXPECT_TRUE(Eval("attribute_exists(s)"));
  EXPECT_TRUE(Eval("attribute_exists(z)"));  // a NULL value exists
  EXPECT_TRUE(Eval("attribute_exists(m.a.b[0])"));
  EXPECT_FALSE(Eval("attribute_exists(m.a.b[1])"));
  EXPECT_FALSE(Eval("attribute_exists(l.k)"));   // a list has no keys
  EXPECT_FALSE(Eval("attribute_exists(m[0])"));  // a map has no indexes
  EXPECT_FALSE(Eval("attribute_exists(absent)"));
  EXPECT_TRUE(Eval("attribute_not_exists(absent)"));
  EXPECT_FALSE(Eval("attribute_not_exists(s)"));
  EXPECT_TRUE(Eval("attribute_not_exists(s.x)"));
}

TEST_F(EvaluateTest, AbsentItem) {
  Item none;
  EXPECT_TRUE(Eval("attribute_not_exists(pk)", {}, &none));
  EXPECT_FALSE(Eval("attribute_exists(pk)", {}, &none));
  EXPECT_FALSE(Eval("pk = :a", {{":a", S("x")}}, &none));
  EXPECT_TRUE(Eval("pk <> :a", {{":a", S("x")}}, &none));
  EXPECT_TRUE(Eval("NOT pk = :a", {{":a", S("x")}}, &none));
}

TEST_F(EvaluateTest, AttributeTypeOnEveryType) {
  const std::pair<const char*, const char*> cases[] = {
      {"s", "S"},   {"n", "N"},   {"b", "B"},   {"t", "BOOL"}, {"z", "NULL"},
      {"ss", "SS"}, {"ns", "NS"}, {"bs", "BS"}, {"l", "L"},    {"m", "M"}};
  const char* all[] = {"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"};
  for (const auto& [attr, type] : cases) {
    for (const char* candidate : all) {
      bool expected = std::string_view(type) == candidate;
      EXPECT_EQ(Eval(std::string("attribute_type(") + attr + ", :t)", {{":t", S(candidate)}}),
                expected)
          << attr << " " << candidate;
    }
  }
  EXPECT_FALSE(Eval("attribute_type(absent, :t)", {{":t", S("S")}}));
}

TEST_F(EvaluateTest, BeginsWith) {
  EXPECT_TRUE(Eval("begins_with(s, :a)", {{":a", S("hel")}}));
  EXPECT_TRUE(Eval("begins_with(s, :a)", {{":a", S("hello")}}));
  EXPECT_TRUE(Eval("begins_with(s, :a)", {{":a", S("")}}));
  EXPECT_FALSE(Eval("begins_with(s, :a)", {{":a", S("hello!")}}));
  EXPECT_FALSE(Eval("begins_with(s, :a)", {{":a", S("Hel")}}));
  EXPECT_TRUE(Eval("begins_with(b, :a)", {{":a", B(std::string("\x01\x02", 2))}}));
  EXPECT_FALSE(Eval("begins_with(b, :a)", {{":a", S("\x01")}}));  // B vs S
  EXPECT_FALSE(Eval("begins_with(n, :a)", {{":a", S("1")}}));
  EXPECT_FALSE(Eval("begins_with(ss, :a)", {{":a", S("a")}}));
  EXPECT_FALSE(Eval("begins_with(l, :a)", {{":a", S("x")}}));
  EXPECT_FALSE(Eval("begins_with(absent, :a)", {{":a", S("x")}}));
  EXPECT_TRUE(Eval("begins_with(m.s, :a)", {{":a", S("de")}}));
}

TEST_F(EvaluateTest, ContainsOnEveryType) {
  EXPECT_TRUE(Eval("contains(s, :a)", {{":a", S("ell")}}));
  EXPECT_FALSE(Eval("contains(s, :a)", {{":a", S("xyz")}}));
  EXPECT_TRUE(Eval("contains(b, :a)", {{":a", B(std::string("\x02\x03", 2))}}));
  EXPECT_FALSE(Eval("contains(b, :a)", {{":a", S(std::string("\x02", 1))}}));
  EXPECT_TRUE(Eval("contains(ss, :a)", {{":a", S("a")}}));
  EXPECT_FALSE(Eval("contains(ss, :a)", {{":a", S("c")}}));
  EXPECT_FALSE(Eval("contains(ss, :a)", {{":a", SS({"a"})}}));  // a set is not a member
  EXPECT_TRUE(Eval("contains(ns, :a)", {{":a", N("2.5")}}));
  EXPECT_FALSE(Eval("contains(ns, :a)", {{":a", S("1")}}));
  EXPECT_TRUE(Eval("contains(bs, :a)", {{":a", B("\xff")}}));
  EXPECT_TRUE(Eval("contains(l, :a)", {{":a", N("1")}}));
  EXPECT_TRUE(Eval("contains(l, :a)", {{":a", M({{"k", S("v")}})}}));
  EXPECT_FALSE(Eval("contains(l, :a)", {{":a", S("1")}}));
  EXPECT_FALSE(Eval("contains(m, :a)", {{":a", S("a")}}));  // maps: never
  EXPECT_FALSE(Eval("contains(n, :a)", {{":a", N("1")}}));
  EXPECT_FALSE(Eval("contains(t, :a)", {{":a", Bool(true)}}));
  EXPECT_FALSE(Eval("contains(absent, :a)", {{":a", S("a")}}));
  EXPECT_TRUE(Eval("contains(s, #s)"));  // second operand may be a path
  EXPECT_TRUE(Eval("NOT contains(absent, :a)", {{":a", S("a")}}));
}

TEST_F(EvaluateTest, SizeOnEveryType) {
  EXPECT_TRUE(Eval("size(s) = :a", {{":a", N("5")}}));
  EXPECT_TRUE(Eval("size(empty_s) = :a", {{":a", N("0")}}));
  EXPECT_TRUE(Eval("size(b) = :a", {{":a", N("3")}}));
  EXPECT_TRUE(Eval("size(ss) = :a", {{":a", N("2")}}));
  EXPECT_TRUE(Eval("size(ns) = :a", {{":a", N("2")}}));
  EXPECT_TRUE(Eval("size(bs) = :a", {{":a", N("2")}}));
  EXPECT_TRUE(Eval("size(l) = :a", {{":a", N("3")}}));
  EXPECT_TRUE(Eval("size(m) = :a", {{":a", N("2")}}));
  EXPECT_TRUE(Eval("size(m.a.b) < :a", {{":a", N("2")}}));
  // Multi-byte UTF-8: size counts bytes.
  Item utf8 = {{"u", S("\xc3\xa9t\xc3\xa9")}};
  EXPECT_TRUE(Eval("size(u) = :a", {{":a", N("5")}}, &utf8));
  // No size for N, BOOL, NULL or an absent attribute: every comparison is false.
  EXPECT_FALSE(Eval("size(n) = :a", {{":a", N("2")}}));
  EXPECT_TRUE(Eval("size(n) <> :a", {{":a", N("2")}}));  // <> of no value is true
  EXPECT_FALSE(Eval("size(t) >= :a", {{":a", N("0")}}));
  EXPECT_FALSE(Eval("size(z) >= :a", {{":a", N("0")}}));
  EXPECT_FALSE(Eval("size(absent) >= :a", {{":a", N("0")}}));
  EXPECT_TRUE(Eval("size(s) BETWEEN :a AND :b", {{":a", N("1")}, {":b", N("5")}}));
  EXPECT_TRUE(Eval("size(s) > size(l)"));
  EXPECT_TRUE(Eval("size(:a) = :b", {{":a", S("abc")}, {":b", N("3")}}));
}

TEST_F(EvaluateTest, BooleanOperators) {
  Item v = {{":x", S("hello")}, {":y", S("nope")}};
  EXPECT_TRUE(Eval("s = :x AND NOT s = :y", v));
  EXPECT_TRUE(Eval("s = :y OR s = :x", v));
  EXPECT_FALSE(Eval("s = :y OR s = :y AND s = :x", v));
  // AND binds tighter than OR: true OR (false AND ...) is true.
  EXPECT_TRUE(Eval("s = :x OR s = :y AND s = :y", v));
  // Parentheses change it: (true OR false) AND false is false.
  EXPECT_FALSE(Eval("(s = :x OR s = :y) AND s = :y", v));
  EXPECT_FALSE(Eval("NOT (s = :x OR s = :y)", v));
  EXPECT_TRUE(Eval("NOT s = :y AND s = :x", v));
}

TEST_F(EvaluateTest, CompareScalars) {
  EXPECT_LT(CompareScalars(N("-1"), N("0.5")), 0);
  EXPECT_EQ(CompareScalars(N("100"), N("100")), 0);
  EXPECT_GT(CompareScalars(N("100"), N("99.999")), 0);
  EXPECT_LT(CompareScalars(S("a"), S("ab")), 0);
  EXPECT_GT(CompareScalars(B("\xff"), B("\x01\x02")), 0);
}

TEST_F(EvaluateTest, TopLevelNames) {
  Placeholders p;
  p.values = {{":a", N("1")}};
  auto c = ParseCondition("a.b = :a AND (size(c[1]) > :a OR a = :a) AND contains(d, e.f)",
                          "FilterExpression", p.ctx);
  EXPECT_EQ(ConditionTopLevelNames(*c), (std::vector<std::string>{"a", "c", "d", "e"}));
}

}  // namespace
}  // namespace cairn::expr
