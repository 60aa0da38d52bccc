// The constraint check against the real service model (generated from botocore's DynamoDB models):
// required members, string lengths (in UTF-16 units), patterns, enums, list and map sizes, number
// ranges, map keys and values, paths into lists and maps, several violations in one message, and
// the TableName exception (a table ARN is accepted where DynamoDB accepts one).
#include "protocol/constraint_check.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "protocol/errors.h"
#include "protocol/service_model.h"
#include "protocol/shape_check.h"

namespace cairn::protocol {
namespace {

constexpr std::string_view kService = "DynamoDB_20120810";

// The ValidationException's message for `json` sent to `operation`, or "" when it passes.
std::string Check(std::string_view operation, std::string json,
                  std::string_view service = kService) {
  const Shape* input = FindInputShape(service, operation);
  EXPECT_NE(input, nullptr) << operation;
  if (input == nullptr) return "(no such operation)";
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json).value();
  EXPECT_FALSE(CheckShape(*input, doc).has_value()) << json;
  std::optional<ApiError> error = CheckConstraints(*input, doc);
  if (!error) return "";
  EXPECT_EQ(error->type, "ValidationException");
  EXPECT_EQ(error->http_status, 400);
  return error->message;
}

std::string One(std::string_view violation) {
  return "1 validation error detected: " + std::string(violation);
}

TEST(ConstraintCheckTest, ValidRequestsPass) {
  EXPECT_EQ(Check("PutItem", R"({"TableName": "tbl", "Item": {"pk": {"S": "a"}}})"), "");
  EXPECT_EQ(Check("Scan", R"({"TableName": "tbl", "Limit": 1, "Segment": 0,
                              "TotalSegments": 1000000, "Select": "COUNT"})"),
            "");
  EXPECT_EQ(Check("BatchGetItem", R"({"RequestItems": {"tbl": {"Keys": [{"pk": {"S": "a"}}]}}})"),
            "");
  EXPECT_EQ(Check("DescribeLimits", "{}"), "");
  // Unknown members and JSON null are not checked (null is absent; TableName is then missing).
  EXPECT_EQ(Check("DescribeTable", R"({"TableName": "tbl", "Whatever": ""})"), "");
}

TEST(ConstraintCheckTest, RequiredMembers) {
  EXPECT_EQ(Check("DescribeTable", "{}"),
            One("Value null at 'tableName' failed to satisfy constraint: Member must not be null"));
  EXPECT_EQ(Check("DescribeTable", R"({"TableName": null})"),
            One("Value null at 'tableName' failed to satisfy constraint: Member must not be null"));
  // In the model's member order.
  EXPECT_EQ(Check("PutItem", "{}"),
            "2 validation errors detected: Value null at 'tableName' failed to satisfy "
            "constraint: Member must not be null; Value null at 'item' failed to satisfy "
            "constraint: Member must not be null");
  EXPECT_EQ(Check("UpdateTimeToLive", R"({"TableName": "tbl", "TimeToLiveSpecification": {}})"),
            "2 validation errors detected: Value null at 'timeToLiveSpecification.enabled' failed "
            "to satisfy constraint: Member must not be null; Value null at "
            "'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must "
            "not be null");
}

TEST(ConstraintCheckTest, StringLengthsAndPatterns) {
  EXPECT_EQ(Check("CreateTable", R"({"TableName": "ab", "AttributeDefinitions": [],
                                     "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}]})"),
            One("Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length "
                "greater than or equal to 3"));
  EXPECT_EQ(Check("ListTables", R"({"ExclusiveStartTableName": "bad name"})"),
            One("Value 'bad name' at 'exclusiveStartTableName' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"));
  // Max, then min, then pattern.
  EXPECT_EQ(Check("DescribeTable", R"({"TableName": "a!"})"),
            "2 validation errors detected: Value 'a!' at 'tableName' failed to satisfy "
            "constraint: Member must have length greater than or equal to 3; Value 'a!' at "
            "'tableName' failed to satisfy constraint: Member must satisfy regular expression "
            "pattern: [a-zA-Z0-9_.-]+");
  EXPECT_EQ(Check("UpdateTimeToLive", R"({"TableName": "tbl", "TimeToLiveSpecification":
                                          {"Enabled": true, "AttributeName": ""}})"),
            One("Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy "
                "constraint: Member must have length greater than or equal to 1"));
}

// Every printable ASCII character, and a non-ASCII letter, inside a name checked against the
// model's pattern [a-zA-Z0-9_.-]+: as ExclusiveStartTableName (the model's TableName shape) and as
// TableName (the check that also takes a table ARN). Both are checked twice in a row, as a server
// thread checks every request: the second check uses the compiled form of the pattern.
TEST(ConstraintCheckTest, NamePatternAcceptsExactlyItsClass) {
  auto in_class = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  };
  // The answer to `operation` with `member` set to the name (JSON-escaped as `json`, shown as
  // `shown`): "" when the name is in the class, else the pattern violation at `path`.
  auto expect = [&](std::string_view operation, std::string_view member, std::string_view path,
                    const std::string& json, const std::string& shown, bool ok) {
    EXPECT_EQ(Check(operation, "{\"" + std::string(member) + "\": \"" + json + "\"}"),
              ok ? ""
                 : One("Value '" + shown + "' at '" + std::string(path) +
                       "' failed to satisfy constraint: Member must satisfy regular expression "
                       "pattern: [a-zA-Z0-9_.-]+"))
        << operation << " " << shown;
  };
  for (int b = 0x20; b <= 0x7e; ++b) {
    const char c = static_cast<char>(b);
    const std::string shown = "ab" + std::string(1, c) + "cd";
    const std::string json = c == '"' || c == '\\' ? "ab\\" + std::string(1, c) + "cd" : shown;
    for (int round = 0; round < 2; ++round) {
      expect("ListTables", "ExclusiveStartTableName", "exclusiveStartTableName", json, shown,
             in_class(c));
      expect("DescribeTable", "TableName", "tableName", json, shown, in_class(c));
    }
  }
  EXPECT_EQ(Check("DescribeTable", R"({"TableName": "cafés"})"),
            One("Value 'caf\u00e9s' at 'tableName' failed to satisfy constraint: Member must "
                "satisfy regular expression pattern: [a-zA-Z0-9_.-]+"));
}

TEST(ConstraintCheckTest, LengthCountsUtf16Units) {
  std::string e36;  // "\u00e9" is two UTF-8 bytes, one UTF-16 unit
  for (int i = 0; i < 36; ++i) e36 += "\xC3\xA9";
  const std::string e37 = e36 + "\xC3\xA9";
  EXPECT_EQ(Check("TransactWriteItems",
                  R"({"TransactItems": [{"ConditionCheck": {"TableName": "tbl", "Key": {},
                      "ConditionExpression": "x"}}], "ClientRequestToken": ")" +
                      e36 + "\"}"),
            "");
  EXPECT_EQ(Check("TransactWriteItems",
                  R"({"TransactItems": [{"ConditionCheck": {"TableName": "tbl", "Key": {},
                      "ConditionExpression": "x"}}], "ClientRequestToken": ")" +
                      e37 + "\"}"),
            One("Value '" + e37 +
                "' at 'clientRequestToken' failed to satisfy constraint: "
                "Member must have length less than or equal to 36"));
}

TEST(ConstraintCheckTest, Enums) {
  EXPECT_EQ(Check("PutItem", R"({"TableName": "tbl", "Item": {}, "ReturnValues": "ALL"})"),
            One("Value 'ALL' at 'returnValues' failed to satisfy constraint: Member must satisfy "
                "enum value set: [NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW]"));
  EXPECT_EQ(Check("CreateTable", R"({"TableName": "tbl", "AttributeDefinitions": [],
                                     "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                                     "SSESpecification": {"SSEType": "DES"}})"),
            One("Value 'DES' at 'sSESpecification.sSEType' failed to satisfy constraint: Member "
                "must satisfy enum value set: [AES256, KMS]"));
}

TEST(ConstraintCheckTest, NumberRanges) {
  EXPECT_EQ(Check("Scan", R"({"TableName": "tbl", "Limit": 0})"),
            One("Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
                "than or equal to 1"));
  EXPECT_EQ(Check("Scan", R"({"TableName": "tbl", "TotalSegments": 1000001, "Segment": -1})"),
            "2 validation errors detected: Value '1000001' at 'totalSegments' failed to satisfy "
            "constraint: Member must have value less than or equal to 1000000; Value '-1' at "
            "'segment' failed to satisfy constraint: Member must have value greater than or "
            "equal to 0");
  // The streams model gives ListStreams' Limit no maximum (the operation checks 100 itself).
  EXPECT_EQ(Check("ListStreams", R"({"Limit": 101})", "DynamoDBStreams_20120810"), "");
  EXPECT_EQ(Check("ListStreams", R"({"Limit": 0})", "DynamoDBStreams_20120810"),
            One("Value '0' at 'limit' failed to satisfy constraint: Member must have value "
                "greater than or equal to 1"));
}

TEST(ConstraintCheckTest, ListsAndTheirEntries) {
  EXPECT_EQ(Check("TransactWriteItems", R"({"TransactItems": []})"),
            One("Value '[]' at 'transactItems' failed to satisfy constraint: Member must have "
                "length greater than or equal to 1"));
  std::string many = R"({"TransactItems": [)";
  for (int i = 0; i < 101; ++i)
    many += std::string(i ? "," : "") + R"({"Get": {"TableName": "tbl", "Key": {}}})";
  many += "]}";
  EXPECT_EQ(Check("TransactGetItems", many),
            One("Value '[...]' at 'transactItems' failed to satisfy constraint: Member must have "
                "length less than or equal to 100"));
  // Entries count from 1; "<list>.<n>.member".
  EXPECT_EQ(Check("TransactGetItems",
                  R"({"TransactItems": [{"Get": {"TableName": "tbl", "Key": {}}}, {}]})"),
            One("Value null at 'transactItems.2.member.get' failed to satisfy constraint: Member "
                "must not be null"));
  EXPECT_EQ(Check("TransactWriteItems",
                  R"({"TransactItems": [{"Put": {"TableName": "tbl", "Item": {}}},
                                        {"Update": {"TableName": "tbl", "UpdateExpression": "x"}},
                                        {"Delete": {"TableName": "ab", "Key": {}}}]})"),
            "2 validation errors detected: Value null at 'transactItems.2.member.update.key' "
            "failed to satisfy constraint: Member must not be null; Value 'ab' at "
            "'transactItems.3.member.delete.tableName' failed to satisfy constraint: Member must "
            "have length greater than or equal to 3");
}

TEST(ConstraintCheckTest, MapsKeysAndValues) {
  EXPECT_EQ(Check("BatchGetItem", R"({"RequestItems": {}})"),
            One("Value '{}' at 'requestItems' failed to satisfy constraint: Member must have "
                "length greater than or equal to 1"));
  EXPECT_EQ(Check("BatchGetItem", R"({"RequestItems": {"ab": {"Keys": [{}]}}})"),
            One("Value 'ab' at 'requestItems' failed to satisfy constraint: Map keys must satisfy "
                "constraint: [Member must have length less than or equal to 1024, Member must "
                "have length greater than or equal to 3, Member must satisfy regular expression "
                "pattern: [a-zA-Z0-9_.-]+]"));
  // A map value's members: "<map>.<key>.member.<member>".
  EXPECT_EQ(Check("BatchGetItem", R"({"RequestItems": {"tbl": {}}})"),
            One("Value null at 'requestItems.tbl.member.keys' failed to satisfy constraint: "
                "Member must not be null"));
  EXPECT_EQ(Check("BatchWriteItem", R"({"RequestItems": {"tbl": []}})"),
            One("Value '{tbl=[]}' at 'requestItems' failed to satisfy constraint: Map value must "
                "satisfy constraint: [Member must have length less than or equal to 25, Member "
                "must have length greater than or equal to 1]"));
  EXPECT_EQ(Check("BatchWriteItem", R"({"RequestItems": {"tbl": [{"DeleteRequest": {}}]}})"),
            One("Value null at 'requestItems.tbl.member.1.member.deleteRequest.key' failed to "
                "satisfy constraint: Member must not be null"));
}

TEST(ConstraintCheckTest, TableNameAcceptsAnArnWhereDynamoDBDoes) {
  const std::string arn = "arn:aws:dynamodb:us-east-1:123456789012:table/tbl";
  EXPECT_EQ(Check("DescribeTable", R"({"TableName": ")" + arn + "\"}"), "");
  EXPECT_EQ(Check("BatchGetItem", R"({"RequestItems": {")" + arn + R"(": {"Keys": [{}]}}})"), "");
  const std::string long_name(256, 'x');
  EXPECT_EQ(Check("DescribeTable", R"({"TableName": ")" + long_name + "\"}"),
            One("Value '" + long_name +
                "' at 'tableName' failed to satisfy constraint: Member "
                "must have length less than or equal to 1024"));
  // CreateTable and the streams service keep the model's 255.
  EXPECT_EQ(Check("CreateTable", R"({"TableName": ")" + long_name + R"(",
                                     "AttributeDefinitions": [],
                                     "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}]})"),
            One("Value '" + long_name +
                "' at 'tableName' failed to satisfy constraint: Member "
                "must have length less than or equal to 255"));
  EXPECT_EQ(
      Check("ListStreams", R"({"TableName": ")" + long_name + "\"}", "DynamoDBStreams_20120810"),
      One("Value '" + long_name +
          "' at 'tableName' failed to satisfy constraint: Member "
          "must have length less than or equal to 255"));
  EXPECT_EQ(Check("DescribeTable", R"({"TableName": "arn:aws:dynamodb:us-east-1:1:table/a"})"),
            One("Value 'arn:aws:dynamodb:us-east-1:1:table/a' at 'tableName' failed to satisfy "
                "constraint: Member must have length greater than or equal to 3"));
}

TEST(ConstraintCheckTest, ExceptionsWaiveTheModelWhereDynamoDBDoes) {
  // Multi-attribute GSI keys: more than the model's 2 KeySchema entries.
  const std::string keys = R"([{"AttributeName": "a", "KeyType": "HASH"},
                               {"AttributeName": "b", "KeyType": "HASH"},
                               {"AttributeName": "c", "KeyType": "RANGE"}])";
  EXPECT_EQ(Check("CreateTable", R"({"TableName": "tbl", "AttributeDefinitions": [],
                                     "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                                     "GlobalSecondaryIndexes": [{"IndexName": "idx",
                                       "KeySchema": )" +
                                     keys + R"(,
                                       "Projection": {"ProjectionType": "ALL"}}]})"),
            "");
  EXPECT_EQ(Check("UpdateTable", R"({"TableName": "tbl", "GlobalSecondaryIndexUpdates": [
                                     {"Create": {"IndexName": "idx", "KeySchema": )" +
                                     keys + R"(,
                                       "Projection": {"ProjectionType": "ALL"}}}]})"),
            "");
  // The table's own KeySchema keeps the model's maximum.
  EXPECT_EQ(Check("CreateTable",
                  R"({"TableName": "tbl", "AttributeDefinitions": [], "KeySchema": )" + keys + "}"),
            One("Value '[...]' at 'keySchema' failed to satisfy constraint: Member must have "
                "length less than or equal to 2"));
  // Over 100 keys for one table: the operation's "Too many items requested".
  std::string many = R"({"RequestItems": {"tbl": {"Keys": [)";
  for (int i = 0; i < 101; ++i) many += std::string(i ? "," : "") + "{}";
  many += "]}}}";
  EXPECT_EQ(Check("BatchGetItem", many), "");
  EXPECT_EQ(Check("BatchGetItem", R"({"RequestItems": {"tbl": {"Keys": []}}})"),
            One("Value '[]' at 'requestItems.tbl.member.keys' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1"));
  // A GSI update without ProvisionedThroughput (OnDemandThroughput, WarmThroughput instead).
  EXPECT_EQ(Check("UpdateTable", R"({"TableName": "tbl", "GlobalSecondaryIndexUpdates": [
                                     {"Update": {"IndexName": "idx"}}]})"),
            "");
}

TEST(ConstraintCheckTest, AttributeValuesAreLeftToTheCodec) {
  // An attribute value's members and a map of them are not constraint-checked here.
  EXPECT_EQ(Check("PutItem", R"({"TableName": "tbl", "Item": {"": {"S": ""}, "a": {"L": []}}})"),
            "");
}

}  // namespace
}  // namespace cairn::protocol
