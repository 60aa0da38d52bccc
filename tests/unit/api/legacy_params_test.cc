// The legacy parameters read from JSON (api/legacy_params.h): the forms of each parameter, the
// JSON-shape errors (SerializationException, enum and null violations, Expected's member
// combinations, AttributesToGet's names), and the order in which errors are found. The operator
// and action rules themselves are tested on typed entries in tests/unit/expr/legacy_test.cc.
#include "api/legacy_params.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "expr/evaluate.h"
#include "expr/update.h"
#include "protocol/errors.h"

namespace cairn::api {
namespace {

constexpr char kOperatorEnum[] =
    "failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, "
    "NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]";

// The message of the ValidationException `f` throws; other errors as "<Type> message".
std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const protocol::ApiException& e) {
    if (e.error.type != "ValidationException") return "<" + e.error.type + "> " + e.error.message;
    return e.error.message;
  }
  return "<no error>";
}

class LegacyParamsTest : public ::testing::Test {
 protected:
  simdjson::dom::element Json(std::string_view text) {
    docs_.push_back(std::make_unique<simdjson::dom::parser>());
    return docs_.back()->parse(std::string(text)).value();
  }
  std::shared_ptr<const expr::Condition> Expected(
      std::string_view json, std::optional<std::string_view> op = std::nullopt) {
    return DecodeExpected(Json(json).get_object().value(), op);
  }
  std::string ExpectedError(std::string_view json,
                            std::optional<std::string_view> op = std::nullopt) {
    return ErrorOf([&] { Expected(json, op); });
  }
  bool Holds(std::string_view expected_json, std::optional<std::string_view> op = std::nullopt) {
    return expr::EvaluateCondition(*Expected(expected_json, op), item_);
  }
  std::shared_ptr<const expr::Condition> Filter(std::string_view json,
                                                FilterKind kind = FilterKind::kScanFilter,
                                                std::optional<std::string_view> op = std::nullopt) {
    return DecodeFilter(Json(json).get_object().value(), kind, op);
  }
  std::string FilterError(std::string_view json, FilterKind kind = FilterKind::kScanFilter,
                          std::optional<std::string_view> op = std::nullopt) {
    return ErrorOf([&] { Filter(json, kind, op); });
  }
  expr::KeyCondition Keys(std::string_view json, std::string_view range = "sk") {
    return DecodeKeyConditions(Json(json).get_object().value(), "pk", range);
  }
  std::shared_ptr<const expr::UpdateExpr> Updates(std::string_view json) {
    return DecodeAttributeUpdates(Json(json).get_object().value());
  }
  std::string UpdatesError(std::string_view json) {
    return ErrorOf([&] { Updates(json); });
  }
  std::shared_ptr<const expr::Projection> ToGet(std::string_view json) {
    return DecodeAttributesToGet(Json(json).get_array().value());
  }
  std::string ToGetError(std::string_view json) {
    return ErrorOf([&] { ToGet(json); });
  }

  std::vector<std::unique_ptr<simdjson::dom::parser>> docs_;
  Item item_ = {{"s", AttributeValue::String("hello")},
                {"n", AttributeValue::Num("5")},
                {"ss", AttributeValue::Set(AttributeType::kSS, {"a", "b"})}};
};

TEST_F(LegacyParamsTest, ExpectedForms) {
  EXPECT_TRUE(Holds(R"({"s": {"Value": {"S": "hello"}}})"));
  EXPECT_FALSE(Holds(R"({"s": {"Value": {"S": "nope"}}})"));
  EXPECT_TRUE(Holds(R"({"s": {"Value": {"S": "hello"}, "Exists": true}})"));
  EXPECT_FALSE(Holds(R"({"absent": {"Value": {"S": "hello"}, "Exists": true}})"));
  EXPECT_TRUE(Holds(R"({"absent": {"Exists": false}})"));
  EXPECT_FALSE(Holds(R"({"s": {"Exists": false}})"));
  EXPECT_TRUE(Holds(R"({})"));
  EXPECT_TRUE(Holds(R"({"s": {"Value": {"S": "hello"}}, "n": {"Value": {"N": "5.0"}}})"));
  EXPECT_FALSE(Holds(R"({"s": {"Value": {"S": "hello"}}, "n": {"Value": {"N": "6"}}})"));
  // Value with a ComparisonOperator is a one-element AttributeValueList.
  EXPECT_TRUE(Holds(R"({"n": {"ComparisonOperator": "GT", "Value": {"N": "4"}}})"));
  EXPECT_TRUE(Holds(R"({"n": {"ComparisonOperator": "IN",
                              "AttributeValueList": [{"N": "1"}, {"N": "5"}]}})"));
  EXPECT_TRUE(Holds(
      R"({"n": {"ComparisonOperator": "NOT_NULL"}, "absent": {"ComparisonOperator": "NULL"}})"));
  // JSON null members are absent.
  EXPECT_TRUE(Holds(R"({"s": {"Value": {"S": "hello"}, "Exists": null,
                              "AttributeValueList": null}})"));
}

TEST_F(LegacyParamsTest, ConditionalOperator) {
  std::string_view two = R"({"s": {"Value": {"S": "no"}}, "n": {"Value": {"N": "5"}}})";
  EXPECT_TRUE(Holds(two, "OR"));
  EXPECT_FALSE(Holds(two, "AND"));
  EXPECT_FALSE(Holds(two));
  EXPECT_EQ(ExpectedError(R"({"s": {"Exists": false}})", "XOR"),
            "1 validation error detected: Value 'XOR' at 'conditionalOperator' failed to satisfy "
            "constraint: Member must satisfy enum value set: [OR, AND]");
  EXPECT_EQ(ExpectedError("{}", "or"),
            "1 validation error detected: Value 'or' at 'conditionalOperator' failed to satisfy "
            "constraint: Member must satisfy enum value set: [OR, AND]");
  // Checked after the entries.
  EXPECT_EQ(ExpectedError(R"({"a": {"Exists": true}})", "XOR"),
            "One or more parameter values were invalid: Value must be provided when Exists is true "
            "for Attribute: a");
  EXPECT_EQ(FilterError(R"({"a": {"ComparisonOperator": "EQ"}})", FilterKind::kScanFilter, "XOR"),
            "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
            "ComparisonOperator");
  EXPECT_TRUE(expr::EvaluateCondition(
      *Filter(R"({"s": {"ComparisonOperator": "NULL"}, "n": {"ComparisonOperator": "NOT_NULL"}})",
              FilterKind::kScanFilter, "OR"),
      item_));
}

TEST_F(LegacyParamsTest, ExpectedMemberErrors) {
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
  EXPECT_EQ(ExpectedError(R"({"a": {"Exists": false, "ComparisonOperator": "NULL"}})"),
            "One or more parameter values were invalid: Exists and ComparisonOperator cannot be "
            "used together for Attribute: a");
  EXPECT_EQ(ExpectedError(R"({"a": {"ComparisonOperator": "XX"}})"),
            std::string("1 validation error detected: Value 'XX' at "
                        "'expected.a.member.comparisonOperator' ") +
                kOperatorEnum);
  // The operator and argument rules of expr apply to Expected too.
  EXPECT_EQ(ExpectedError(R"({"a": {"ComparisonOperator": "NULL", "Value": {"S": "x"}}})"),
            "One or more parameter values were invalid: Invalid number of argument(s) for the "
            "NULL ComparisonOperator");
  EXPECT_EQ(ExpectedError(R"({"a": {"ComparisonOperator": "IN", "AttributeValueList": []}})"),
            "One or more parameter values were invalid: Invalid number of argument(s) for the IN "
            "ComparisonOperator");
}

TEST_F(LegacyParamsTest, ExpectedJsonTypes) {
  EXPECT_EQ(ExpectedError(R"({"a": {"Exists": "yes", "Value": {"S": "x"}}})"),
            "<SerializationException> STRING_VALUE cannot be converted to Boolean");
  EXPECT_EQ(ExpectedError(R"({"a": []})"),
            "<SerializationException> Start of list found where not expected");
  EXPECT_EQ(ExpectedError(R"({"a": "x"})"),
            "<SerializationException> Unexpected value type in payload");
  EXPECT_EQ(ExpectedError(R"({"a": {"ComparisonOperator": 5}})"),
            "<SerializationException> NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(ExpectedError(R"({"a": {"ComparisonOperator": "IN", "AttributeValueList": {}}})"),
            "<SerializationException> Start of structure or map found where not expected.");
  EXPECT_EQ(ExpectedError(R"({"a": {"Value": {"N": "x"}}})"),
            "A value provided cannot be converted into a number");
}

// Within an entry: Exists, Value, the member combinations, the operator, the value list, then
// expr's rules; entry by entry.
TEST_F(LegacyParamsTest, ExpectedErrorOrder) {
  // Exists before Value.
  EXPECT_EQ(ExpectedError(R"({"a": {"Value": {"N": "x"}, "Exists": "yes"}})"),
            "<SerializationException> STRING_VALUE cannot be converted to Boolean");
  // Value before the member combinations.
  EXPECT_EQ(ExpectedError(R"({"a": {"Value": {"N": "x"}, "AttributeValueList": []}})"),
            "A value provided cannot be converted into a number");
  // The member combinations before the operator is read.
  EXPECT_EQ(ExpectedError(R"({"a": {"Value": {"S": "x"}, "AttributeValueList": [],
                                    "ComparisonOperator": 5}})"),
            "One or more parameter values were invalid: Value and AttributeValueList cannot be "
            "used together for Attribute: a");
  EXPECT_EQ(ExpectedError(R"({"a": {"AttributeValueList": "x"}})"),
            "One or more parameter values were invalid: AttributeValueList can only be used with a "
            "ComparisonOperator for Attribute: a");
  // The operator before Exists-with-operator, and that before the value list.
  EXPECT_EQ(ExpectedError(R"({"a": {"Exists": true, "ComparisonOperator": "XX"}})"),
            std::string("1 validation error detected: Value 'XX' at "
                        "'expected.a.member.comparisonOperator' ") +
                kOperatorEnum);
  EXPECT_EQ(ExpectedError(R"({"a": {"ComparisonOperator": "XX", "AttributeValueList": "x"}})"),
            std::string("1 validation error detected: Value 'XX' at "
                        "'expected.a.member.comparisonOperator' ") +
                kOperatorEnum);
  EXPECT_EQ(ExpectedError(R"({"a": {"Exists": true, "ComparisonOperator": "EQ",
                                    "AttributeValueList": "x"}})"),
            "One or more parameter values were invalid: Exists and ComparisonOperator cannot be "
            "used together for Attribute: a");
  // The value list before the argument rules.
  EXPECT_EQ(ExpectedError(R"({"a": {"ComparisonOperator": "BETWEEN",
                                    "AttributeValueList": [{"N": "x"}]}})"),
            "A value provided cannot be converted into a number");
  // A whole entry before the next one.
  EXPECT_EQ(ExpectedError(R"({"a": {"ComparisonOperator": "EQ"}, "b": []})"),
            "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
            "ComparisonOperator");
  EXPECT_EQ(ExpectedError(R"({"a": [], "b": {"ComparisonOperator": "EQ"}})"),
            "<SerializationException> Start of list found where not expected");
}

TEST_F(LegacyParamsTest, Filters) {
  EXPECT_TRUE(expr::EvaluateCondition(
      *Filter(R"({"ss": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "c"}]},
                  "n": {"ComparisonOperator": "BETWEEN",
                        "AttributeValueList": [{"N": "5"}, {"N": "9"}]}})"),
      item_));
  EXPECT_FALSE(expr::EvaluateCondition(
      *Filter(R"({"absent": {"ComparisonOperator": "NOT_CONTAINS",
                             "AttributeValueList": [{"S": "c"}]}})"),
      item_));
  EXPECT_EQ(FilterError(R"({"a": {"AttributeValueList": [{"N": "3"}]}})"),
            "1 validation error detected: Value null at 'scanFilter.a.member.comparisonOperator' "
            "failed to satisfy constraint: Member must not be null");
  EXPECT_EQ(FilterError(R"({"a": {"ComparisonOperator": null}})", FilterKind::kQueryFilter),
            "1 validation error detected: Value null at 'queryFilter.a.member.comparisonOperator' "
            "failed to satisfy constraint: Member must not be null");
  EXPECT_EQ(FilterError(R"({"a": {"ComparisonOperator": "YY"}})", FilterKind::kQueryFilter),
            std::string("1 validation error detected: Value 'YY' at "
                        "'queryFilter.a.member.comparisonOperator' ") +
                kOperatorEnum);
  EXPECT_EQ(FilterError(
                R"({"a": {"ComparisonOperator": "LT", "AttributeValueList": [{"SS": ["x"]}]}})"),
            "One or more parameter values were invalid: ComparisonOperator LT is not valid for SS "
            "AttributeValue type");
  EXPECT_EQ(FilterError(R"({"a": {"ComparisonOperator": "BETWEEN",
                                  "AttributeValueList": [{"N": "3"}, {"N": "2"}]}})"),
            "The BETWEEN condition was provided a range where the lower bound is greater than the "
            "upper bound");
  EXPECT_EQ(FilterError(R"({"a": 1})"),
            "<SerializationException> Unexpected value type in payload");
  EXPECT_EQ(FilterError(R"({"a": {"ComparisonOperator": true}})"),
            "<SerializationException> TRUE_VALUE cannot be converted to String");
  EXPECT_EQ(FilterError(R"({"a": {"ComparisonOperator": "EQ", "AttributeValueList": "x"}})"),
            "<SerializationException> Unexpected value type in payload");
  // The operator before the value list; the value list before the argument rules.
  EXPECT_EQ(FilterError(R"({"a": {"ComparisonOperator": "YY", "AttributeValueList": "x"}})"),
            std::string("1 validation error detected: Value 'YY' at "
                        "'scanFilter.a.member.comparisonOperator' ") +
                kOperatorEnum);
  EXPECT_EQ(FilterError(R"({"a": {"ComparisonOperator": "LT",
                                  "AttributeValueList": [{"N": "1"}, {"N": "x"}]}})"),
            "A value provided cannot be converted into a number");
  // A whole entry before the next one.
  EXPECT_EQ(FilterError(R"({"a": {"ComparisonOperator": "LT"}, "b": {}})"),
            "One or more parameter values were invalid: Invalid number of argument(s) for the LT "
            "ComparisonOperator");
}

TEST_F(LegacyParamsTest, KeyConditions) {
  expr::KeyCondition kc = Keys(
      R"({"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
          "sk": {"ComparisonOperator": "BETWEEN",
                 "AttributeValueList": [{"N": "1"}, {"N": "2"}]}})");
  EXPECT_EQ(kc.hash_value, AttributeValue::String("p"));
  EXPECT_EQ(kc.op, expr::KeyCondition::Op::kBetween);
  EXPECT_EQ(kc.a, AttributeValue::Num("1"));
  EXPECT_EQ(kc.b, AttributeValue::Num("2"));
  EXPECT_EQ(ErrorOf([&] { Keys(R"({"pk": {"ComparisonOperator": "ZZ"}})"); }),
            std::string("1 validation error detected: Value 'ZZ' at "
                        "'keyConditions.pk.member.comparisonOperator' ") +
                kOperatorEnum);
  EXPECT_EQ(ErrorOf([&] { Keys(R"({"pk": {}})"); }),
            "1 validation error detected: Value null at "
            "'keyConditions.pk.member.comparisonOperator' failed to satisfy constraint: Member "
            "must not be null");
  EXPECT_EQ(ErrorOf([&] { Keys("{}"); }), "Query condition missed key schema element: pk");
  EXPECT_EQ(ErrorOf([&] {
              Keys(R"({"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
                       "sk": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "1"}]}})");
            }),
            "Attempted conditional constraint is not an indexable operation");
  // An entry's indexability before the next entry's JSON.
  EXPECT_EQ(ErrorOf([&] {
              Keys(R"({"pk": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "p"}]},
                       "sk": []})");
            }),
            "Attempted conditional constraint is not an indexable operation");
}

TEST_F(LegacyParamsTest, AttributeUpdates) {
  auto u = Updates(R"({"s": {"Value": {"S": "new"}},
                       "n": {"Action": "ADD", "Value": {"N": "2"}},
                       "ss": {"Action": "DELETE", "Value": {"SS": ["a", "b"]}},
                       "gone": {"Action": "DELETE"},
                       "put": {"Action": "PUT", "Value": {"BOOL": true}}})");
  EXPECT_TRUE(u->legacy);
  EXPECT_EQ(u->TopLevelNames(), (std::vector<std::string>{"s", "n", "ss", "gone", "put"}));
  Item item = item_;
  item["gone"] = AttributeValue::String("bye");
  expr::ApplyUpdate(*u, item, nullptr);
  EXPECT_EQ(item, (Item{{"s", AttributeValue::String("new")},
                        {"n", AttributeValue::Num("7")},
                        {"put", AttributeValue::Bool(true)}}));
}

TEST_F(LegacyParamsTest, AttributeUpdatesErrors) {
  EXPECT_EQ(UpdatesError(R"({"a": {"Action": "MERGE", "Value": {"N": "1"}}})"),
            "1 validation error detected: Value 'MERGE' at 'attributeUpdates.a.member.action' "
            "failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]");
  EXPECT_EQ(UpdatesError(R"({"a": {"Action": "put", "Value": {"N": "1"}}})"),
            "1 validation error detected: Value 'put' at 'attributeUpdates.a.member.action' "
            "failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]");
  EXPECT_EQ(UpdatesError(R"({"a": {"Action": 1}})"),
            "<SerializationException> NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(UpdatesError(R"({"a": [1]})"),
            "<SerializationException> Start of list found where not expected");
  EXPECT_EQ(UpdatesError(R"({"a": {}})"),
            "One or more parameter values were invalid: Only DELETE action is allowed when no "
            "attribute value is specified");
  // The action before the value; the value before the action rules.
  EXPECT_EQ(UpdatesError(R"({"a": {"Action": "MERGE", "Value": {"N": "x"}}})"),
            "1 validation error detected: Value 'MERGE' at 'attributeUpdates.a.member.action' "
            "failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]");
  EXPECT_EQ(UpdatesError(R"({"a": {"Action": "DELETE", "Value": {"N": "x"}}})"),
            "A value provided cannot be converted into a number");
  // A whole entry before the next one.
  EXPECT_EQ(UpdatesError(R"({"a": {"Action": "ADD", "Value": {"S": "x"}}, "b": 1})"),
            "One or more parameter values were invalid: ADD action is not supported for the "
            "type S");
}

TEST_F(LegacyParamsTest, AttributesToGet) {
  auto p = ToGet(R"(["a", "b.c", "name"])");
  ASSERT_EQ(p->paths.size(), 3u);
  EXPECT_EQ(p->paths[1].size(), 1u);  // a literal name, not a path
  EXPECT_EQ(p->paths[1][0].name, "b.c");
  EXPECT_EQ(ToGetError(R"(["a", "b", "a"])"),
            "One or more parameter values were invalid: Duplicate value in attribute name: a");
  EXPECT_EQ(ToGetError("[]"),
            "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1");
  EXPECT_EQ(ToGetError(R"(["a", 1])"),
            "<SerializationException> NUMBER_VALUE cannot be converted to String");
  // Names in order: a duplicate before a later name of the wrong type, and the reverse.
  EXPECT_EQ(ToGetError(R"(["a", "a", 1])"),
            "One or more parameter values were invalid: Duplicate value in attribute name: a");
  EXPECT_EQ(ToGetError(R"(["a", {}, "a"])"),
            "<SerializationException> Start of structure or map found where not expected.");
}

}  // namespace
}  // namespace cairn::api
