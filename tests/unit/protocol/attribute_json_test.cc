// DynamoDB JSON attribute values: every decoding error with DynamoDB's exact type and message,
// canonical numbers, base64, and encode/decode round trips.
#include "protocol/attribute_json.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/errors.h"

namespace cairn::protocol {
namespace {

using AV = AttributeValue;

simdjson::dom::element Parse(simdjson::dom::parser& parser, const std::string& json) {
  simdjson::dom::element e;
  auto error = parser.parse(json).get(e);
  EXPECT_FALSE(error) << json;
  return e;
}

AV Value(const std::string& json) {
  simdjson::dom::parser parser;
  return ValueFromJson(Parse(parser, json));
}

Item ItemOf(const std::string& json) {
  simdjson::dom::parser parser;
  return ItemFromJson(Parse(parser, json));
}

// "<type>: <message>" of the ApiException thrown by decoding `json` as an attribute value.
std::string ValueError(const std::string& json) {
  try {
    Value(json);
  } catch (const ApiException& e) {
    return e.error.type + ": " + e.error.message;
  }
  return "<no error>";
}

std::string ItemError(const std::string& json) {
  try {
    ItemOf(json);
  } catch (const ApiException& e) {
    return e.error.type + ": " + e.error.message;
  }
  return "<no error>";
}

std::string EncodeValue(const AV& v) {
  std::string out;
  JsonWriter w(&out);
  WriteValueJson(w, v);
  return out;
}

std::string Validation(const std::string& m) { return "ValidationException: " + m; }
std::string Serialization(const std::string& m) { return "SerializationException: " + m; }

TEST(AttributeJsonTest, DecodesEachType) {
  EXPECT_EQ(Value(R"({"S":"x"})"), AV::String("x"));
  EXPECT_EQ(Value(R"({"S":""})").s, "");
  EXPECT_EQ(Value(R"({"N":"1.50"})").s, "1.5");
  EXPECT_EQ(Value(R"({"N":"-0"})").s, "0");
  EXPECT_EQ(Value(R"({"N":"1e3"})").s, "1000");
  EXPECT_EQ(Value(R"({"B":"Zm9v"})"), AV::Binary("foo"));
  EXPECT_EQ(Value(R"({"B":""})"), AV::Binary(""));
  EXPECT_EQ(Value(R"({"BOOL":false})"), AV::Bool(false));
  EXPECT_EQ(Value(R"({"NULL":true})"), AV::Null());
  EXPECT_EQ(Value(R"({"SS":["b","a"]})").set, (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(Value(R"({"NS":["2.0","01","-1e1"]})").set,
            (std::vector<std::string>{"2", "1", "-10"}));
  EXPECT_EQ(Value(R"({"BS":["Zm9v","YmFy"]})").set, (std::vector<std::string>{"foo", "bar"}));
  AV l = Value(R"({"L":[{"S":"a"},{"N":"1"},{"L":[]},{"M":{}}]})");
  EXPECT_EQ(l, AV::List({AV::String("a"), AV::Num("1"), AV::List({}), AV::Map({})}));
  AV m = Value(R"({"M":{"x":{"NULL":true},"y":{"M":{"z":{"BOOL":true}}}}})");
  EXPECT_EQ(m, AV::Map({{"x", AV::Null()}, {"y", AV::Map({{"z", AV::Bool(true)}})}}));
}

TEST(AttributeJsonTest, DecodesItems) {
  Item item = ItemOf(R"({"id":{"S":"1"},"n":{"N":"5.0"},"":{"NULL":true}})");
  ASSERT_EQ(item.size(), 3u);
  EXPECT_EQ(item["id"], AV::String("1"));
  EXPECT_EQ(item["n"].s, "5");
  EXPECT_EQ(item[""], AV::Null());
  EXPECT_TRUE(ItemOf("{}").empty());
  EXPECT_TRUE(ItemOf("null").empty());
}

TEST(AttributeJsonTest, NullAndUnknownMembersAreAbsent) {
  EXPECT_EQ(Value(R"({"S":"a","N":null})"), AV::String("a"));
  EXPECT_EQ(Value(R"({"X":"1","S":"a"})"), AV::String("a"));
  EXPECT_EQ(ValueError(R"({"X":"1"})"),
            Validation("Supplied AttributeValue is empty, must contain exactly one of the "
                       "supported datatypes"));
  EXPECT_EQ(ValueError(R"({"S":null})"),
            Validation("Supplied AttributeValue is empty, must contain exactly one of the "
                       "supported datatypes"));
}

TEST(AttributeJsonTest, EmptyAndMultiTypedValues) {
  const std::string empty = Validation(
      "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  EXPECT_EQ(ValueError("{}"), empty);
  EXPECT_EQ(ItemError(R"({"a":{}})"), empty);
  EXPECT_EQ(ValueError(R"({"L":[{}]})"), empty);
  EXPECT_EQ(ValueError(R"({"M":{"k":{}}})"), empty);
  EXPECT_EQ(ValueError(R"({"S":"a","N":"1"})"),
            Validation("Supplied AttributeValue has more than one datatypes set, must contain "
                       "exactly one of the supported datatypes"));
}

TEST(AttributeJsonTest, WrongJsonTypesAreSerializationErrors) {
  EXPECT_EQ(ValueError(R"({"S":5})"), Serialization("NUMBER_VALUE cannot be converted to String"));
  EXPECT_EQ(ValueError(R"({"S":true})"), Serialization("TRUE_VALUE cannot be converted to String"));
  EXPECT_EQ(ValueError(R"({"N":1})"), Serialization("NUMBER_VALUE cannot be converted to String"));
  EXPECT_EQ(ValueError(R"({"S":{}})"),
            Serialization("Start of structure or map found where not expected."));
  EXPECT_EQ(ValueError(R"({"S":["a"]})"),
            Serialization("Unrecognized collection type class java.lang.String"));
  EXPECT_EQ(ValueError(R"({"BOOL":"true"})"),
            Serialization("STRING_VALUE cannot be converted to Boolean"));
  EXPECT_EQ(ValueError(R"({"NULL":1})"),
            Serialization("NUMBER_VALUE cannot be converted to Boolean"));
  EXPECT_EQ(ValueError(R"({"SS":"x"})"), Serialization("Unexpected field type"));
  EXPECT_EQ(ValueError(R"({"SS":[1]})"),
            Serialization("NUMBER_VALUE cannot be converted to String"));
  EXPECT_EQ(ValueError(R"({"L":{}})"),
            Serialization("Start of structure or map found where not expected."));
  EXPECT_EQ(ValueError(R"({"L":["a"]})"), Serialization("Unexpected value type in payload"));
  EXPECT_EQ(ValueError(R"({"M":"x"})"), Serialization("Unexpected value type in payload"));
  EXPECT_EQ(ValueError(R"("x")"), Serialization("Unexpected value type in payload"));
  EXPECT_EQ(ValueError(R"([])"), Serialization("Start of list found where not expected"));
  EXPECT_EQ(ItemError(R"({"a":"x"})"), Serialization("Unexpected value type in payload"));
  EXPECT_EQ(ItemError(R"("x")"), Serialization("Unexpected value type in payload"));
  EXPECT_EQ(ValueError(R"({"B":5})"),
            Serialization("class com.amazon.coral.value.json.numbers.TruncatedNumber can not be "
                          "converted to an Blob"));
}

TEST(AttributeJsonTest, SerializationErrorsWinOverEarlierValidationErrors) {
  // DynamoDB deserializes the whole request before validating it.
  EXPECT_EQ(ItemError(R"({"a":{},"b":{"S":5}})"),
            Serialization("NUMBER_VALUE cannot be converted to String"));
  EXPECT_EQ(ValueError(R"({"NS":[],"S":5})"),
            Serialization("NUMBER_VALUE cannot be converted to String"));
  // Among validation errors the first in document order wins.
  EXPECT_EQ(ItemError(R"({"a":{"N":"x"},"b":{}})"),
            Validation("A value provided cannot be converted into a number"));
}

TEST(AttributeJsonTest, NullMustBeTrue) {
  EXPECT_EQ(ValueError(R"({"NULL":false})"),
            Validation("One or more parameter values were invalid: Null attribute value types "
                       "must have the value of true"));
}

TEST(AttributeJsonTest, NumberErrors) {
  EXPECT_EQ(ValueError(R"({"N":"abc"})"),
            Validation("A value provided cannot be converted into a number"));
  EXPECT_EQ(ValueError(R"({"N":""})"),
            Validation("A value provided cannot be converted into a number"));
  EXPECT_EQ(ValueError(R"({"N":"1234567890123456789012345678901234567890"})"),
            Validation("Attempting to store more than 38 significant digits in a Number"));
  EXPECT_EQ(ValueError(R"({"N":"1e126"})"),
            Validation("Number overflow. Attempting to store a number with magnitude larger "
                       "than supported range"));
  EXPECT_EQ(ValueError(R"({"NS":["1","1e-131"]})"),
            Validation("Number underflow. Attempting to store a number with magnitude smaller "
                       "than supported range"));
}

TEST(AttributeJsonTest, BinaryErrors) {
  EXPECT_EQ(ValueError(R"({"B":"Zm9vY"})"),
            Serialization("Base64 encoded length is expected a multiple of 4 bytes but found: 5"));
  EXPECT_EQ(ValueError(R"({"BS":["Zm9v","Zm9*"]})"),
            Serialization("Invalid Base64 character: '*'"));
  EXPECT_EQ(ValueError(R"({"B":"Zh=="})"),
            Serialization("Invalid last non-pad Base64 character dectected"));
}

TEST(AttributeJsonTest, EmptySets) {
  EXPECT_EQ(ValueError(R"({"SS":[]})"),
            Validation("One or more parameter values were invalid: An string set  may not be "
                       "empty"));
  EXPECT_EQ(ValueError(R"({"NS":[]})"),
            Validation("One or more parameter values were invalid: An number set  may not be "
                       "empty"));
  EXPECT_EQ(ValueError(R"({"BS":[]})"),
            Validation("One or more parameter values were invalid: Binary sets should not be "
                       "empty"));
}

TEST(AttributeJsonTest, DuplicatesInSets) {
  EXPECT_EQ(ValueError(R"({"SS":["a","b","a"]})"),
            Validation("One or more parameter values were invalid: Input collection [a, b, a] "
                       "contains duplicates."));
  EXPECT_EQ(ValueError(R"({"NS":["1","1.0"]})"),
            Validation("One or more parameter values were invalid: Input collection [1, 1.0] "
                       "contains duplicates."));
  EXPECT_EQ(ValueError(R"({"BS":["Zm9v","Zm9v"]})"),
            Validation("One or more parameter values were invalid: Input collection [Zm9v, Zm9v] "
                       "contains duplicates."));
  EXPECT_EQ(ValueError(R"({"SS":["a","A"]})"), "<no error>");
}

// A value with `levels` nested L's: {"L":[{"L":[...{"L":[]}...]}]}.
std::string NestedLists(int levels) {
  std::string json;
  for (int i = 0; i < levels; ++i) json += i == 0 ? R"({"L":[)" : R"({"L":[)";
  for (int i = 0; i < levels; ++i) json += "]}";
  return json;
}

TEST(AttributeJsonTest, NestingLimit) {
  EXPECT_EQ(Value(NestedLists(32)).type, AttributeType::kL);
  EXPECT_EQ(ValueError(NestedLists(33)),
            Validation("Nesting Levels have exceeded supported limits"));
  EXPECT_EQ(ItemError(R"({"a":)" + NestedLists(33) + "}"),
            Validation("Nesting Levels have exceeded supported limits"));
  std::string maps = R"({"x":)";
  for (int i = 0; i < 33; ++i) maps += R"({"M":{"k":)";
  maps += R"({"S":"leaf"})";
  for (int i = 0; i < 33; ++i) maps += "}}";
  maps += "}";
  EXPECT_EQ(ItemError(maps), Validation("Nesting Levels have exceeded supported limits"));
}

TEST(AttributeJsonTest, Encoding) {
  EXPECT_EQ(EncodeValue(AV::String("a\"b")), R"({"S":"a\"b"})");
  EXPECT_EQ(EncodeValue(AV::Num("-1.5")), R"({"N":"-1.5"})");
  EXPECT_EQ(EncodeValue(AV::Binary("foo")), R"({"B":"Zm9v"})");
  EXPECT_EQ(EncodeValue(AV::Bool(false)), R"({"BOOL":false})");
  EXPECT_EQ(EncodeValue(AV::Null()), R"({"NULL":true})");
  EXPECT_EQ(EncodeValue(AV::Set(AttributeType::kSS, {"b", "a"})), R"({"SS":["b","a"]})");
  EXPECT_EQ(EncodeValue(AV::Set(AttributeType::kNS, {"2", "1"})), R"({"NS":["2","1"]})");
  EXPECT_EQ(EncodeValue(AV::Set(AttributeType::kBS, {"foo", ""})), R"({"BS":["Zm9v",""]})");
  EXPECT_EQ(EncodeValue(AV::List({AV::Null(), AV::List({})})), R"({"L":[{"NULL":true},{"L":[]}]})");
  EXPECT_EQ(EncodeValue(AV::Map({{"b", AV::Num("1")}, {"a", AV::Map({})}})),
            R"({"M":{"a":{"M":{}},"b":{"N":"1"}}})");
  std::string out;
  JsonWriter w(&out);
  Item item;
  item["k"] = AV::String("v");
  item["n"] = AV::Num("0");
  WriteItemJson(w, item);
  EXPECT_EQ(out, R"({"k":{"S":"v"},"n":{"N":"0"}})");
}

TEST(AttributeJsonTest, RoundTrip) {
  const std::string json =
      R"({"b":{"B":"AP+A"},"bool":{"BOOL":true},"bs":{"BS":["AA==","AQ=="]},)"
      R"("l":{"L":[{"N":"1"},{"M":{"x":{"SS":["p","q"]}}},{"NULL":true}]},)"
      R"("n":{"N":"-0.001"},"ns":{"NS":["3","-2","0.5"]},"s":{"S":"\u00e9\n"}})";
  Item item = ItemOf(json);
  std::string out;
  JsonWriter w(&out);
  WriteItemJson(w, item);
  EXPECT_EQ(out, R"({"b":{"B":"AP+A"},"bool":{"BOOL":true},"bs":{"BS":["AA==","AQ=="]},)"
                 R"("l":{"L":[{"N":"1"},{"M":{"x":{"SS":["p","q"]}}},{"NULL":true}]},)"
                 "\"n\":{\"N\":\"-0.001\"},\"ns\":{\"NS\":[\"3\",\"-2\",\"0.5\"]},"
                 "\"s\":{\"S\":\"\xc3\xa9\\n\"}}");
  EXPECT_EQ(ItemOf(out), item);
}

}  // namespace
}  // namespace cairn::protocol
