// The legacy parameter forms (Expected, QueryFilter/ScanFilter, KeyConditions, AttributeUpdates,
// AttributesToGet): conversion, evaluation, and DynamoDB's validation messages.
#include "expr/legacy.h"

#include <gtest/gtest.h>

#include "expr/evaluate.h"
#include "expr/update.h"
#include "expr_test_util.h"

namespace cairn::expr {
namespace {

using namespace cairn::expr::testing;  // NOLINT

class LegacyTest : public ::testing::Test {
 protected:
  simdjson::dom::element Json(std::string_view text) {
    docs_.push_back(std::make_unique<simdjson::dom::parser>());
    return docs_.back()->parse(std::string(text)).value();
  }
  std::shared_ptr<const Condition> Expected(std::string_view json,
                                            std::optional<std::string_view> op = std::nullopt) {
    return ConvertExpected(Json(json).get_object().value(), op);
  }
  std::string ExpectedError(std::string_view json,
                            std::optional<std::string_view> op = std::nullopt) {
    return ErrorOf([&] { Expected(json, op); });
  }
  std::string FilterError(std::string_view json, FilterKind kind = FilterKind::kScanFilter) {
    return ErrorOf([&] { ConvertFilter(Json(json).get_object().value(), kind, std::nullopt); });
  }
  KeyCondition Keys(std::string_view json, std::string_view range = "sk") {
    return ConvertKeyConditions(Json(json).get_object().value(), "pk", range);
  }
  std::shared_ptr<const UpdateExpr> Updates(std::string_view json) {
    return ConvertAttributeUpdates(Json(json).get_object().value());
  }
  std::string UpdatesError(std::string_view json) {
    return ErrorOf([&] { Updates(json); });
  }
  bool Holds(std::string_view expected_json, const Item& item) {
    return EvaluateCondition(*Expected(expected_json), item);
  }

  std::vector<std::unique_ptr<simdjson::dom::parser>> docs_;
  Item item_ = {{"s", S("hello")}, {"n", N("5")}, {"ss", SS({"a", "b"})}, {"l", L({S("x")})}};
};

TEST_F(LegacyTest, ExpectedValueAndExists) {
  EXPECT_TRUE(Holds(R"({"s": {"Value": {"S": "hello"}}})", item_));
  EXPECT_FALSE(Holds(R"({"s": {"Value": {"S": "nope"}}})", item_));
  EXPECT_TRUE(Holds(R"({"s": {"Value": {"S": "hello"}, "Exists": true}})", item_));
  EXPECT_FALSE(Holds(R"({"absent": {"Value": {"S": "hello"}, "Exists": true}})", item_));
  EXPECT_TRUE(Holds(R"({"absent": {"Exists": false}})", item_));
  EXPECT_FALSE(Holds(R"({"s": {"Exists": false}})", item_));
  EXPECT_TRUE(Holds(R"({})", item_));
  EXPECT_TRUE(Holds(R"({"s": {"Value": {"S": "hello"}}, "n": {"Value": {"N": "5.0"}}})", item_));
  EXPECT_FALSE(Holds(R"({"s": {"Value": {"S": "hello"}}, "n": {"Value": {"N": "6"}}})", item_));
}

TEST_F(LegacyTest, ConditionalOperator) {
  auto c = Expected(R"({"s": {"Value": {"S": "no"}}, "n": {"Value": {"N": "5"}}})", "OR");
  EXPECT_TRUE(EvaluateCondition(*c, item_));
  c = Expected(R"({"s": {"Value": {"S": "no"}}, "n": {"Value": {"N": "5"}}})", "AND");
  EXPECT_FALSE(EvaluateCondition(*c, item_));
  EXPECT_EQ(ExpectedError(R"({"s": {"Exists": false}})", "XOR"),
            "1 validation error detected: Value 'XOR' at 'conditionalOperator' failed to satisfy "
            "constraint: Member must satisfy enum value set: [OR, AND]");
}

TEST_F(LegacyTest, ExpectedStructureErrors) {
  EXPECT_EQ(ExpectedError(R"({"a": {"Exists": true}})"),
            "One or more parameter values were invalid: Value must be provided when Exists is true "
            "for Attribute: a");
  EXPECT_EQ(ExpectedError(R"({"a": {}})"),
            "One or more parameter values were invalid: Value must be provided when Exists is null "
            "for Attribute: a");
  EXPECT_EQ(ExpectedError(R"({"a": {"Exists": false, "Value": {"S": "x"}}})"),
            "One or more parameter values were invalid: Value cannot be used when Exists is false "
            "for Attribute: a");
  EXPECT_EQ(ExpectedError(
                R"({"a": {"Value": {"S": "x"}, "AttributeValueList": [{"S": "x"}],
                        "ComparisonOperator": "EQ"}})"),
            "One or more parameter values were invalid: Value and AttributeValueList cannot be "
            "used together for Attribute: a");
  EXPECT_EQ(ExpectedError(R"({"a": {"AttributeValueList": [{"S": "x"}]}})"),
            "One or more parameter values were invalid: AttributeValueList can only be used with a "
            "ComparisonOperator for Attribute: a");
  EXPECT_EQ(ExpectedError(R"({"a": {"Exists": true, "ComparisonOperator": "NOT_NULL"}})"),
            "One or more parameter values were invalid: Exists and ComparisonOperator cannot be "
            "used together for Attribute: a");
  EXPECT_EQ(ExpectedError(R"({"a": {"ComparisonOperator": "XX"}})"),
            "1 validation error detected: Value 'XX' at 'expected.a.member.comparisonOperator' "
            "failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, "
            "LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]");
  EXPECT_EQ(ExpectedError(R"({"a": {"Exists": "yes", "Value": {"S": "x"}}})"),
            "<SerializationException> STRING_VALUE cannot be converted to Boolean");
}

TEST_F(LegacyTest, ArgumentCounts) {
  EXPECT_EQ(ExpectedError(R"({"a": {"ComparisonOperator": "EQ"}})"),
            "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
            "ComparisonOperator");
  EXPECT_EQ(ExpectedError(R"({"a": {"ComparisonOperator": "NULL", "Value": {"S": "x"}}})"),
            "One or more parameter values were invalid: Invalid number of argument(s) for the "
            "NULL ComparisonOperator");
  EXPECT_EQ(ExpectedError(
                R"({"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}]}})"),
            "One or more parameter values were invalid: Invalid number of argument(s) for the "
            "BETWEEN ComparisonOperator");
  EXPECT_EQ(ExpectedError(R"({"a": {"ComparisonOperator": "IN", "AttributeValueList": []}})"),
            "One or more parameter values were invalid: Invalid number of argument(s) for the IN "
            "ComparisonOperator");
  EXPECT_EQ(
      FilterError(
          R"({"a": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "1"}, {"N": "2"}]}})"),
      "One or more parameter values were invalid: Invalid number of argument(s) for the LT "
      "ComparisonOperator");
}

TEST_F(LegacyTest, ArgumentTypes) {
  EXPECT_EQ(
      FilterError(R"({"a": {"ComparisonOperator": "LT", "AttributeValueList": [{"SS": ["x"]}]}})"),
      "One or more parameter values were invalid: ComparisonOperator LT is not valid for SS "
      "AttributeValue type");
  EXPECT_EQ(
      FilterError(
          R"({"a": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"N": "1"}]}})"),
      "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid "
      "for N AttributeValue type");
  EXPECT_EQ(FilterError(
                R"({"a": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"L": []}]}})"),
            "One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid "
            "for L AttributeValue type");
  EXPECT_EQ(FilterError(
                R"({"a": {"ComparisonOperator": "IN",
                        "AttributeValueList": [{"N": "1"}, {"BOOL": true}]}})"),
            "One or more parameter values were invalid: ComparisonOperator IN is not valid for "
            "BOOL AttributeValue type");
  EXPECT_EQ(FilterError(
                R"({"a": {"ComparisonOperator": "BETWEEN",
                        "AttributeValueList": [{"N": "1"}, {"S": "2"}]}})"),
            "One or more parameter values were invalid: AttributeValues inside AttributeValueList "
            "must be of same type");
  EXPECT_EQ(FilterError(
                R"({"a": {"ComparisonOperator": "BETWEEN",
                        "AttributeValueList": [{"N": "3"}, {"N": "2"}]}})"),
            "The BETWEEN condition was provided a range where the lower bound is greater than the "
            "upper bound");
  EXPECT_EQ(FilterError(R"({"a": {"AttributeValueList": [{"N": "3"}]}})"),
            "1 validation error detected: Value null at 'scanFilter.a.member.comparisonOperator' "
            "failed to satisfy constraint: Member must not be null");
  EXPECT_EQ(FilterError(R"({"a": {"ComparisonOperator": "YY"}})", FilterKind::kQueryFilter),
            "1 validation error detected: Value 'YY' at 'queryFilter.a.member.comparisonOperator' "
            "failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, "
            "LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]");
}

TEST_F(LegacyTest, EveryComparisonOperator) {
  auto eval = [&](std::string_view attr, std::string_view op, std::string_view list) {
    std::string json = std::string(R"({")") + std::string(attr) + R"(": {"ComparisonOperator": ")" +
                       std::string(op) + R"(", "AttributeValueList": )" + std::string(list) + "}}";
    return EvaluateCondition(
        *ConvertFilter(Json(json).get_object().value(), FilterKind::kScanFilter, std::nullopt),
        item_);
  };
  EXPECT_TRUE(eval("n", "EQ", R"([{"N": "5"}])"));
  EXPECT_TRUE(eval("n", "NE", R"([{"N": "6"}])"));
  EXPECT_TRUE(eval("absent", "NE", R"([{"N": "6"}])"));  // absent: not equal
  EXPECT_TRUE(eval("n", "LE", R"([{"N": "5"}])"));
  EXPECT_FALSE(eval("n", "LT", R"([{"N": "5"}])"));
  EXPECT_TRUE(eval("n", "GE", R"([{"N": "5"}])"));
  EXPECT_FALSE(eval("n", "GT", R"([{"N": "5"}])"));
  EXPECT_FALSE(eval("s", "GT", R"([{"N": "5"}])"));  // type mismatch: false
  EXPECT_TRUE(eval("s", "NOT_NULL", "[]"));
  EXPECT_FALSE(eval("absent", "NOT_NULL", "[]"));
  EXPECT_TRUE(eval("absent", "NULL", "[]"));
  EXPECT_TRUE(eval("s", "CONTAINS", R"([{"S": "ell"}])"));
  EXPECT_TRUE(eval("ss", "CONTAINS", R"([{"S": "a"}])"));
  EXPECT_TRUE(eval("l", "CONTAINS", R"([{"S": "x"}])"));
  EXPECT_TRUE(eval("ss", "NOT_CONTAINS", R"([{"S": "c"}])"));
  EXPECT_FALSE(eval("ss", "NOT_CONTAINS", R"([{"S": "a"}])"));
  EXPECT_FALSE(eval("absent", "NOT_CONTAINS", R"([{"S": "a"}])"));  // absent: false
  EXPECT_TRUE(eval("s", "BEGINS_WITH", R"([{"S": "he"}])"));
  EXPECT_TRUE(eval("n", "IN", R"([{"N": "1"}, {"N": "5"}])"));
  EXPECT_FALSE(eval("n", "IN", R"([{"N": "1"}, {"S": "5"}])"));
  EXPECT_TRUE(eval("n", "BETWEEN", R"([{"N": "5"}, {"N": "9"}])"));
  EXPECT_FALSE(eval("n", "BETWEEN", R"([{"N": "6"}, {"N": "9"}])"));
}

TEST_F(LegacyTest, ExpectedWithComparisonOperatorAndValue) {
  // Value with a ComparisonOperator is a one-element AttributeValueList.
  EXPECT_TRUE(Holds(R"({"n": {"ComparisonOperator": "GT", "Value": {"N": "4"}}})", item_));
  EXPECT_TRUE(Holds(
      R"({"n": {"ComparisonOperator": "NOT_NULL"}, "absent": {"ComparisonOperator": "NULL"}})",
      item_));
}

TEST_F(LegacyTest, KeyConditions) {
  KeyCondition kc = Keys(
      R"({"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
          "sk": {"ComparisonOperator": "BETWEEN",
                 "AttributeValueList": [{"N": "1"}, {"N": "2"}]}})");
  EXPECT_EQ(kc.hash_value, S("p"));
  EXPECT_EQ(kc.op, KeyCondition::Op::kBetween);
  EXPECT_EQ(kc.a, N("1"));
  EXPECT_EQ(kc.b, N("2"));
  kc = Keys(R"({"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
                "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "x"}]}})");
  EXPECT_EQ(kc.op, KeyCondition::Op::kBeginsWith);
  EXPECT_EQ(ErrorOf([&] {
              Keys(R"({"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
                       "sk": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "1"}]}})");
            }),
            "Attempted conditional constraint is not an indexable operation");
  EXPECT_EQ(ErrorOf([&] {
              Keys(R"({"sk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}})");
            }),
            "Query condition missed key schema element: pk");
  EXPECT_EQ(ErrorOf([&] { Keys("{}"); }), "Query condition missed key schema element: pk");
  EXPECT_EQ(ErrorOf([&] {
              Keys(R"({"pk": {"ComparisonOperator": "GT", "AttributeValueList": [{"S": "p"}]}})");
            }),
            "Query key condition not supported");
  EXPECT_EQ(
      ErrorOf([&] { Keys(R"({"pk": {"ComparisonOperator": "EQ", "AttributeValueList": []}})"); }),
      "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
      "ComparisonOperator");
}

TEST_F(LegacyTest, AttributeUpdates) {
  auto u = Updates(R"({"s": {"Value": {"S": "new"}},
                       "n": {"Action": "ADD", "Value": {"N": "2"}},
                       "ss": {"Action": "DELETE", "Value": {"SS": ["a", "b"]}},
                       "l": {"Action": "ADD", "Value": {"L": [{"S": "y"}]}},
                       "fresh": {"Action": "ADD", "Value": {"NS": ["1"]}},
                       "gone": {"Action": "DELETE"}})");
  EXPECT_TRUE(u->legacy);
  EXPECT_EQ(u->TopLevelNames(), (std::vector<std::string>{"s", "n", "ss", "l", "fresh", "gone"}));
  Item item = item_;
  item["gone"] = S("bye");
  ApplyUpdate(*u, item, nullptr);
  EXPECT_EQ(
      item,
      (Item{{"s", S("new")}, {"n", N("7")}, {"l", L({S("x"), S("y")})}, {"fresh", NS({"1"})}}));
}

TEST_F(LegacyTest, AttributeUpdatesErrors) {
  EXPECT_EQ(UpdatesError(R"({"a": {"Action": "PUT"}})"),
            "One or more parameter values were invalid: Only DELETE action is allowed when no "
            "attribute value is specified");
  EXPECT_EQ(UpdatesError(R"({"a": {}})"),
            "One or more parameter values were invalid: Only DELETE action is allowed when no "
            "attribute value is specified");
  EXPECT_EQ(
      UpdatesError(R"({"a": {"Action": "ADD", "Value": {"S": "x"}}})"),
      "One or more parameter values were invalid: ADD action is not supported for the type S");
  EXPECT_EQ(UpdatesError(R"({"a": {"Action": "DELETE", "Value": {"N": "1"}}})"),
            "One or more parameter values were invalid: DELETE action with value is not supported "
            "for the type N");
  EXPECT_EQ(UpdatesError(R"({"a": {"Action": "MERGE", "Value": {"N": "1"}}})"),
            "1 validation error detected: Value 'MERGE' at 'attributeUpdates.a.member.action' "
            "failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]");
  // Run-time type mismatches have the legacy wording.
  auto u = Updates(R"({"s": {"Action": "ADD", "Value": {"N": "1"}}})");
  Item item = item_;
  EXPECT_EQ(ErrorOf([&] { ApplyUpdate(*u, item, nullptr); }),
            "Type mismatch for attribute to update");
  u = Updates(R"({"ss": {"Action": "DELETE", "Value": {"NS": ["1"]}}})");
  EXPECT_EQ(ErrorOf([&] { ApplyUpdate(*u, item, nullptr); }),
            "Type mismatch for attribute to update");
}

TEST_F(LegacyTest, AttributesToGet) {
  auto p = ConvertAttributesToGet(Json(R"(["a", "b.c", "name"])").get_array().value());
  ASSERT_EQ(p->paths.size(), 3u);
  EXPECT_EQ(p->paths[1].size(), 1u);  // a literal name, not a path
  EXPECT_EQ(p->paths[1][0].name, "b.c");
  EXPECT_EQ(
      ErrorOf([&] { ConvertAttributesToGet(Json(R"(["a", "b", "a"])").get_array().value()); }),
      "One or more parameter values were invalid: Duplicate value in attribute name: a");
}

}  // namespace
}  // namespace cairn::expr
