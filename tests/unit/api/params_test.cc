// Params: a request's top-level members, read once into a small index, must be found as
// simdjson's at_key finds them: absent and null alike, the first of two equal names, names with
// escapes, and every member of an object too large for the index.
#include "api/params.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/errors.h"

namespace cairn::api {
namespace {

class ParamsTest : public ::testing::Test {
 protected:
  Params Parse(const std::string& json) {
    return Params(parser_.parse(json).value().get_object().value());
  }
  simdjson::dom::parser parser_;
};

TEST_F(ParamsTest, PresentAbsentAndNull) {
  Params p = Parse(R"({"TableName":"t","Limit":5,"ConsistentRead":true,"Select":null,"Key":{}})");
  EXPECT_EQ(p.String("TableName"), "t");
  EXPECT_EQ(p.Int("Limit"), 5);
  EXPECT_EQ(p.Bool("ConsistentRead"), true);
  EXPECT_FALSE(p.Has("Select"));  // null is absent
  EXPECT_FALSE(p.Has("IndexName"));
  EXPECT_FALSE(p.Has("tablename"));  // names are case-sensitive
  EXPECT_FALSE(p.Has("TableNam"));
  EXPECT_TRUE(p.Object("Key").has_value());
  // A member of the wrong type is still the request's error.
  try {
    p.String("Limit");
    ADD_FAILURE() << "no error";
  } catch (const protocol::ApiException& e) {
    EXPECT_EQ(e.error.type, "SerializationException");
  }
}

TEST_F(ParamsTest, FirstOfTwoEqualNamesAndEscapedNames) {
  Params p = Parse(R"({"TableName":"first","TableName":"second","Ta\u0062le":"escaped"})");
  EXPECT_EQ(p.String("TableName"), "first");
  EXPECT_EQ(p.String("Table"), "escaped");
}

TEST_F(ParamsTest, MoreMembersThanTheIndexHolds) {
  for (int n : {31, 32, 33, 100}) {
    std::string json = "{";
    for (int i = 0; i < n; ++i) json += "\"m" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    json += "\"Last\":\"x\"}";
    Params p = Parse(json);
    for (int i = 0; i < n; ++i) EXPECT_EQ(p.Int("m" + std::to_string(i)), i) << n;
    EXPECT_EQ(p.String("Last"), "x") << n;
    EXPECT_FALSE(p.Has("m" + std::to_string(n))) << n;
  }
}

}  // namespace
}  // namespace cairn::api
