// PartitionsOf: the partition keys a request names, per operation and table, including a Query's
// key condition (with #names, reversed operands, BETWEEN on the sort key) and KeyConditions.
#include "throttle/request_partitions.h"

#include <gtest/gtest.h>

namespace cairn::throttle {
namespace {

storage::TableInfo Table() {
  storage::TableInfo t;
  t.id = 3;
  t.name = "T";
  t.hash.name = "pk";
  storage::IndexInfo g;
  g.id = 4;
  g.name = "byG";
  g.hash.resize(2);
  g.hash[0].name = "g1";
  g.hash[1].name = "g2";
  t.indexes.push_back(g);
  return t;
}

std::vector<std::string> Keys(std::string_view op, const std::string& json,
                              std::string_view name = "T", std::string* index = nullptr) {
  simdjson::dom::parser parser;
  simdjson::dom::object o = parser.parse(json).get_object().value();
  Partitions p = PartitionsOf(op, o, name, Table());
  if (index) *index = p.index;
  return p.keys;
}

TEST(RequestPartitionsTest, SingleItems) {
  EXPECT_EQ(Keys("GetItem", R"({"TableName":"T","Key":{"pk":{"S":"a"},"sk":{"N":"1"}}})"),
            std::vector<std::string>{R"({"S":"a"})"});
  EXPECT_EQ(Keys("PutItem", R"({"TableName":"T","Item":{"x":{"N":"2"},"pk":{"N":"7"}}})"),
            std::vector<std::string>{R"({"N":"7"})"});
  EXPECT_TRUE(Keys("PutItem", R"({"TableName":"T","Item":{"x":{"N":"2"}}})").empty());
  EXPECT_TRUE(Keys("Scan", R"({"TableName":"T"})").empty());
}

TEST(RequestPartitionsTest, BatchesAndTransactionsByTable) {
  const std::string batch = R"({"RequestItems":{"T":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}},
      {"DeleteRequest":{"Key":{"pk":{"S":"b"}}}}],"U":[{"PutRequest":{"Item":{"pk":{"S":"c"}}}}]}})";
  EXPECT_EQ(Keys("BatchWriteItem", batch),
            (std::vector<std::string>{R"({"S":"a"})", R"({"S":"b"})"}));
  EXPECT_EQ(Keys("BatchGetItem", R"({"RequestItems":{"T":{"Keys":[{"pk":{"S":"a"}},{"pk":{"S":"a"}}]}}})"),
            (std::vector<std::string>{R"({"S":"a"})", R"({"S":"a"})"}));
  const std::string tx = R"({"TransactItems":[{"Put":{"TableName":"T","Item":{"pk":{"S":"p"}}}},
      {"Update":{"TableName":"T","Key":{"pk":{"S":"u"}}}},{"Delete":{"TableName":"U","Key":{"pk":{"S":"x"}}}},
      {"ConditionCheck":{"TableName":"T","Key":{"pk":{"S":"c"}}}}]})";
  EXPECT_EQ(Keys("TransactWriteItems", tx),
            (std::vector<std::string>{R"({"S":"p"})", R"({"S":"u"})", R"({"S":"c"})"}));
  EXPECT_EQ(Keys("TransactGetItems",
                 R"({"TransactItems":[{"Get":{"TableName":"T","Key":{"pk":{"S":"g"}}}}]})"),
            std::vector<std::string>{R"({"S":"g"})"});
}

TEST(RequestPartitionsTest, QueryKeyConditions) {
  EXPECT_EQ(Keys("Query", R"({"TableName":"T","KeyConditionExpression":"pk = :v",
      "ExpressionAttributeValues":{":v":{"S":"a"}}})"), std::vector<std::string>{R"({"S":"a"})"});
  EXPECT_EQ(Keys("Query", R"J({"TableName":"T","KeyConditionExpression":"(sk BETWEEN :a AND :b) and (:v=#p)",
      "ExpressionAttributeNames":{"#p":"pk"},
      "ExpressionAttributeValues":{":v":{"S":"z"},":a":{"N":"1"},":b":{"N":"2"}}})J"),
            std::vector<std::string>{R"({"S":"z"})"});
  EXPECT_TRUE(Keys("Query", R"({"TableName":"T","KeyConditionExpression":"sk <= :v AND pk >= :v",
      "ExpressionAttributeValues":{":v":{"S":"a"}}})").empty());
  EXPECT_EQ(Keys("Query", R"({"TableName":"T","KeyConditions":{"pk":{"ComparisonOperator":"EQ",
      "AttributeValueList":[{"S":"k"}]}}})"), std::vector<std::string>{R"({"S":"k"})"});
  std::string index;
  EXPECT_EQ(Keys("Query", R"({"TableName":"T","IndexName":"byG",
      "KeyConditionExpression":"g2 = :b AND g1 = :a",
      "ExpressionAttributeValues":{":a":{"S":"x"},":b":{"N":"5"}}})", "T", &index),
            std::vector<std::string>{"{\"S\":\"x\"}\x1f{\"N\":\"5\"}"});
  EXPECT_EQ(index, "byG");
}

}  // namespace
}  // namespace cairn::throttle
