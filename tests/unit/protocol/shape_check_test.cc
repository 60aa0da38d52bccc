// The service model tables (generated from botocore's DynamoDB models) and the shape check:
// every JSON kind against every shape type of the real model, in both sets of texts (the generic
// deserializer's and the attribute-value codec's), nested values inside lists, maps, attribute
// values, RequestItems, Key and ExpressionAttributeValues, the null and unknown-member rules, and
// agreement with the attribute-value codec (protocol/attribute_json.h) on every text they share.
#include "protocol/shape_check.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/attribute_json.h"
#include "protocol/errors.h"
#include "protocol/service_model.h"

// Counts this thread's allocations, to show that the check allocates nothing on the common path.
// Every form of the global new and delete is replaced (the nothrow and array ones too: simdjson
// uses nothrow new), so that each allocation is freed by its own kind even under AddressSanitizer.
namespace {
thread_local size_t allocations = 0;
void* CountedAlloc(size_t size) noexcept {
  ++allocations;
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

// g++ 12 at -O2 sees the free() of these replacements inlined after a `new` and reports a
// new/free mismatch (-Wmismatched-new-delete): a false positive, since this new is malloc.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t size) {
  if (void* p = CountedAlloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) {
  if (void* p = CountedAlloc(size)) return p;
  throw std::bad_alloc();
}
void* operator new(size_t size, const std::nothrow_t&) noexcept { return CountedAlloc(size); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return CountedAlloc(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace cairn::protocol {
namespace {

constexpr std::string_view kDynamoDB = "DynamoDB_20120810";
constexpr std::string_view kStreams = "DynamoDBStreams_20120810";
constexpr const char* kNoError = "<no error>";

const Shape& ShapeNamed(std::string_view name, std::string_view service = kDynamoDB) {
  const Shape* s = FindShape(service, name);
  EXPECT_NE(s, nullptr) << name;
  return s != nullptr ? *s : Shapes()[0];
}

const Shape& Input(std::string_view operation, std::string_view service = kDynamoDB) {
  const Shape* s = FindInputShape(service, operation);
  EXPECT_NE(s, nullptr) << operation;
  return s != nullptr ? *s : Shapes()[0];
}

// "<no error>", or the message of the SerializationException for `json` checked against `shape`.
std::string Check(const Shape& shape, const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(json).get(e) != simdjson::SUCCESS) return "<bad test JSON> " + json;
  std::optional<ApiError> error = CheckShape(shape, e);
  if (!error) return kNoError;
  EXPECT_EQ(error->type, "SerializationException");
  EXPECT_EQ(error->ns, ErrorNamespace::kCoralService);
  EXPECT_EQ(error->http_status, 400);
  return error->message;
}
std::string CheckInput(std::string_view operation, const std::string& json) {
  return Check(Input(operation), json);
}

// -------------------------------------------------------------------------------------------------
// The generated tables.

TEST(ServiceModelTest, FindsEveryOperationsInput) {
  EXPECT_EQ(Input("PutItem").name, "PutItemInput");
  EXPECT_EQ(Input("BatchWriteItem").name, "BatchWriteItemInput");
  EXPECT_EQ(Input("ExecuteStatement").name, "ExecuteStatementInput");
  EXPECT_EQ(Input("GetRecords", kStreams).name, "GetRecordsInput");
  EXPECT_EQ(FindInputShape(kDynamoDB, "GetRecords"), nullptr);
  EXPECT_EQ(FindInputShape(kStreams, "PutItem"), nullptr);
  EXPECT_EQ(FindInputShape(kDynamoDB, "Foo"), nullptr);
  EXPECT_EQ(FindInputShape("DynamoDB_20111205", "PutItem"), nullptr);
  EXPECT_EQ(FindInputShape("", ""), nullptr);
  size_t streams = 0;
  for (const ModelOperation& op : Operations()) {
    const Shape* input = FindInputShape(op.service, op.name);
    ASSERT_NE(input, nullptr) << op.name;
    EXPECT_EQ(input->type, ShapeType::kStructure) << op.name;
    EXPECT_EQ(input, &ShapeAt(op.input));
    streams += op.service == kStreams;
  }
  EXPECT_EQ(streams, 4u);  // ListStreams, DescribeStream, GetShardIterator, GetRecords
  EXPECT_GE(Operations().size(), 57u);
}

TEST(ServiceModelTest, IndicesAndOrderHold) {
  for (const ModelService& s : Services()) {
    for (size_t i = s.shapes_begin + 1; i < s.shapes_end; ++i)
      EXPECT_LT(Shapes()[i - 1].name, Shapes()[i].name);
    for (size_t i = s.operations_begin + 1; i < s.operations_end; ++i)
      EXPECT_LT(Operations()[i - 1].name, Operations()[i].name);
  }
  for (const Shape& s : Shapes()) {
    EXPECT_LE(s.members_begin, s.members_end);
    EXPECT_LE(s.members_end, Members().size());
    EXPECT_LE(s.enums_end, EnumValues().size());
    EXPECT_LT(s.element, Shapes().size());
    EXPECT_LT(s.key, Shapes().size());
    EXPECT_LT(s.value, Shapes().size());
    if (s.type == ShapeType::kMap) {
      EXPECT_EQ(MapKeyOf(s).type, ShapeType::kString) << s.name;
    }
  }
  for (const ShapeMember& m : Members()) EXPECT_LT(m.shape, Shapes().size());
}

TEST(ServiceModelTest, DescribesMembersTypesAndConstraints) {
  const Shape& put = Input("PutItem");
  ASSERT_NE(FindMember(put, "TableName"), nullptr);
  EXPECT_TRUE(FindMember(put, "TableName")->required);
  EXPECT_TRUE(FindMember(put, "Item")->required);
  EXPECT_FALSE(FindMember(put, "ConditionExpression")->required);
  EXPECT_EQ(FindMember(put, "tableName"), nullptr);     // member names are case-sensitive
  EXPECT_EQ(MembersOf(put).front().name, "TableName");  // the model's order

  const Shape& table_name = ShapeAt(FindMember(put, "TableName")->shape);
  EXPECT_EQ(table_name.type, ShapeType::kString);
  EXPECT_EQ(table_name.min, 3);
  EXPECT_EQ(table_name.max, 255);
  EXPECT_EQ(table_name.pattern, "[a-zA-Z0-9_.-]+");

  const Shape& return_values = ShapeNamed("ReturnValue");
  std::vector<std::string_view> values(EnumValuesOf(return_values).begin(),
                                       EnumValuesOf(return_values).end());
  EXPECT_EQ(values, (std::vector<std::string_view>{"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW",
                                                   "UPDATED_NEW"}));
  EXPECT_FALSE(ShapeNamed("TableArn").min.has_value());

  EXPECT_EQ(ShapeNamed("ListTablesInputLimit").type, ShapeType::kInteger);
  EXPECT_EQ(ShapeNamed("ListTablesInputLimit").min, 1);
  EXPECT_EQ(ShapeNamed("ListTablesInputLimit").max, 100);
  EXPECT_EQ(ShapeNamed("PositiveLongObject").type, ShapeType::kLong);
  EXPECT_EQ(ShapeNamed("Double").type, ShapeType::kDouble);
  EXPECT_EQ(ShapeNamed("Date").type, ShapeType::kTimestamp);
  EXPECT_EQ(ShapeNamed("BinaryAttributeValue").type, ShapeType::kBlob);
  EXPECT_EQ(ShapeNamed("BatchWriteItemRequestMap").max, 25);  // a map's size

  const Shape& keys = ShapeNamed("KeyList");
  EXPECT_EQ(keys.type, ShapeType::kList);
  EXPECT_EQ(ElementOf(keys).name, "Key");
  EXPECT_EQ(MapValueOf(ElementOf(keys)).name, "AttributeValue");

  // The streams model is its own: its shapes are found under its own name.
  EXPECT_EQ(ShapeNamed("GetRecordsInput", kStreams).type, ShapeType::kStructure);
  EXPECT_EQ(FindShape(kDynamoDB, "GetRecordsInput"), nullptr);
}

TEST(ServiceModelTest, MarksWhatTheAttributeValueCodecReads) {
  const Shape& av = ShapeNamed("AttributeValue");
  EXPECT_TRUE(av.is_attribute_value);
  EXPECT_FALSE(av.attribute_value_codec);
  std::vector<std::string_view> names;
  for (const ShapeMember& m : MembersOf(av)) {
    names.push_back(m.name);
    EXPECT_TRUE(ShapeAt(m.shape).attribute_value_codec) << m.name;
  }
  EXPECT_EQ(names, (std::vector<std::string_view>{"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL",
                                                  "BOOL"}));
  for (std::string_view map :
       {"Key", "PutItemInputAttributeMap", "ExpressionAttributeValueMap", "MapAttributeValue"}) {
    EXPECT_TRUE(ShapeNamed(map).attribute_value_codec) << map;
  }
  for (std::string_view plain : {"AttributeValueList", "ExpressionAttributeNameMap", "TableName",
                                 "AttributeNameList", "KeyList", "BatchWriteItemRequestMap"}) {
    EXPECT_FALSE(ShapeNamed(plain).attribute_value_codec) << plain;
  }
  size_t marked = 0;
  for (const Shape& s : Shapes()) {
    marked += s.attribute_value_codec;
    EXPECT_EQ(s.is_attribute_value, &s == &av) << s.name;
  }
  EXPECT_EQ(marked, 13u);  // 10 member shapes, and Key, PutItemInputAttributeMap,
                           // ExpressionAttributeValueMap (MapAttributeValue is M's)
}

// -------------------------------------------------------------------------------------------------
// Every JSON kind against every shape type.

struct KindCase {
  const char* json;
  const char* expected;
};

void ExpectKinds(std::string_view shape_name, std::vector<KindCase> cases) {
  const Shape& shape = ShapeNamed(shape_name);
  for (const KindCase& c : cases)
    EXPECT_EQ(Check(shape, c.json), c.expected) << shape_name << " <- " << c.json;
}

constexpr const char* kStructureNotExpected = "Start of structure or map found where not expected.";
constexpr const char* kListNotExpected = "Start of list found where not expected";
constexpr const char* kUnexpectedValue = "Unexpected value type in payload";

TEST(ShapeCheckTest, Structure) {
  for (std::string_view s : {"ProvisionedThroughput", "AttributeValue"}) {
    ExpectKinds(s, {{"{}", kNoError},
                    {"[]", kListNotExpected},
                    {R"("x")", kUnexpectedValue},
                    {"5", kUnexpectedValue},
                    {"1.5", kUnexpectedValue},
                    {"true", kUnexpectedValue},
                    {"false", kUnexpectedValue},
                    {"null", kNoError}});
  }
}

TEST(ShapeCheckTest, List) {
  ExpectKinds("AttributeNameList", {{"[]", kNoError},
                                    {"{}", kStructureNotExpected},
                                    {R"("x")", kUnexpectedValue},
                                    {"5", kUnexpectedValue},
                                    {"true", kUnexpectedValue},
                                    {"false", kUnexpectedValue}});
  ExpectKinds("AttributeValueList", {{"[]", kNoError},
                                     {"{}", kStructureNotExpected},
                                     {R"("x")", kUnexpectedValue},
                                     {"5", kUnexpectedValue},
                                     {"true", kUnexpectedValue}});
  // The attribute-value codec: L, SS, NS, BS.
  for (std::string_view s : {"ListAttributeValue", "StringSetAttributeValue",
                             "NumberSetAttributeValue", "BinarySetAttributeValue"}) {
    ExpectKinds(s, {{"[]", kNoError},
                    {"{}", kStructureNotExpected},
                    {R"("x")", "Unexpected field type"},
                    {"5", "Unexpected field type"},
                    {"true", "Unexpected field type"},
                    {"false", "Unexpected field type"}});
  }
}

TEST(ShapeCheckTest, Map) {
  for (std::string_view s :
       {"ExpressionAttributeNameMap", "BatchWriteItemRequestMap", "ExpectedAttributeMap"}) {
    ExpectKinds(s, {{"{}", kNoError},
                    {"[]", kListNotExpected},
                    {R"("x")", kUnexpectedValue},
                    {"5", kUnexpectedValue},
                    {"true", kUnexpectedValue},
                    {"false", kUnexpectedValue}});
  }
  constexpr const char* kMapOfValues =
      "Unrecognized collection type java.util.Map<java.lang.String, "
      "com.amazonaws.dynamodb.v20120810.AttributeValue>";
  for (std::string_view s :
       {"Key", "PutItemInputAttributeMap", "ExpressionAttributeValueMap", "MapAttributeValue"}) {
    ExpectKinds(s, {{"{}", kNoError},
                    {"[]", kMapOfValues},
                    {R"("x")", kUnexpectedValue},
                    {"5", kUnexpectedValue},
                    {"true", kUnexpectedValue}});
  }
}

TEST(ShapeCheckTest, String) {
  ExpectKinds("TableName", {{R"("x")", kNoError},
                            {R"("")", kNoError},  // constraints are not this check's
                            {"{}", kStructureNotExpected},
                            {"[]", kListNotExpected},
                            {"5", "NUMBER_VALUE cannot be converted to String"},
                            {"-1.5e3", "NUMBER_VALUE cannot be converted to String"},
                            {"true", "TRUE_VALUE cannot be converted to String"},
                            {"false", "FALSE_VALUE cannot be converted to String"}});
  for (std::string_view s : {"StringAttributeValue", "NumberAttributeValue"}) {
    ExpectKinds(s, {{R"("x")", kNoError},
                    {"{}", kStructureNotExpected},
                    {"[]", "Unrecognized collection type class java.lang.String"},
                    {"5", "NUMBER_VALUE cannot be converted to String"},
                    {"true", "TRUE_VALUE cannot be converted to String"},
                    {"false", "FALSE_VALUE cannot be converted to String"}});
  }
}

TEST(ShapeCheckTest, Boolean) {
  ExpectKinds("ConsistentRead", {{"true", kNoError},
                                 {"false", kNoError},
                                 {"{}", kStructureNotExpected},
                                 {"[]", kListNotExpected},
                                 {R"("true")", "STRING_VALUE cannot be converted to Boolean"},
                                 {"1", "NUMBER_VALUE cannot be converted to Boolean"}});
  for (std::string_view s : {"BooleanAttributeValue", "NullAttributeValue"}) {
    ExpectKinds(s, {{"true", kNoError},
                    {"false", kNoError},  // NULL false is the codec's ValidationException
                    {"{}", kStructureNotExpected},
                    {"[]", "Unrecognized collection type class java.lang.Boolean"},
                    {R"("true")", "STRING_VALUE cannot be converted to Boolean"},
                    {"1", "NUMBER_VALUE cannot be converted to Boolean"}});
  }
}

TEST(ShapeCheckTest, Blob) {
  ExpectKinds(
      "BinaryAttributeValue",
      {{R"("Zm9v")", kNoError},
       {R"("")", kNoError},
       {"{}", kStructureNotExpected},
       {"[]", "Unrecognized collection type class java.nio.ByteBuffer"},
       {"5",
        "class com.amazon.coral.value.json.numbers.TruncatedNumber can not be "
        "converted to an Blob"},
       {"true", "class java.lang.Boolean can not be converted to an Blob"},
       {"false", "class java.lang.Boolean can not be converted to an Blob"},
       {R"("Zm9vY")", "Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
       {R"("Zm9*")", "Invalid Base64 character: '*'"},
       {R"("Zh==")", "Invalid last non-pad Base64 character dectected"}});
}

TEST(ShapeCheckTest, IntegerAndLong) {
  ExpectKinds("PositiveIntegerObject",
              {{"5", kNoError},
               {"-5", kNoError},  // ranges are constraints, not types
               {"1.0", kNoError},
               {"1e2", kNoError},
               {"1.5", "NUMBER_VALUE cannot be converted to Integer"},
               {"18446744073709551615", "NUMBER_VALUE cannot be converted to Integer"},
               {"1e30", "NUMBER_VALUE cannot be converted to Integer"},
               {"{}", kStructureNotExpected},
               {"[]", kListNotExpected},
               {R"("5")", "STRING_VALUE cannot be converted to Integer"},
               {"true", "TRUE_VALUE cannot be converted to Integer"},
               {"false", "FALSE_VALUE cannot be converted to Integer"}});
  ExpectKinds("PositiveLongObject",
              {{"9223372036854775807", kNoError},
               {"-9223372036854775808", kNoError},
               {"9223372036854775808", "NUMBER_VALUE cannot be converted to Long"},
               {"2.5", "NUMBER_VALUE cannot be converted to Long"},
               {"{}", kStructureNotExpected},
               {"[]", kListNotExpected},
               {R"("5")", "STRING_VALUE cannot be converted to Long"},
               {"true", "TRUE_VALUE cannot be converted to Long"},
               {"false", "FALSE_VALUE cannot be converted to Long"}});
}

TEST(ShapeCheckTest, DoubleAndTimestamp) {
  ExpectKinds("Double", {{"5", kNoError},
                         {"2.5", kNoError},
                         {"1e300", kNoError},
                         {"{}", kStructureNotExpected},
                         {"[]", kListNotExpected},
                         {R"("5")", "STRING_VALUE cannot be converted to Double"},
                         {"true", "TRUE_VALUE cannot be converted to Double"}});
  ExpectKinds("Date", {{"1700000000", kNoError},
                       {"1700000000.5", kNoError},
                       {"{}", kStructureNotExpected},
                       {"[]", kListNotExpected},
                       {R"("2024-01-01T00:00:00Z")", "STRING_VALUE cannot be converted to Date"},
                       {"false", "FALSE_VALUE cannot be converted to Date"}});
}

// -------------------------------------------------------------------------------------------------
// Whole requests: nesting, document order, null and unknown members.

TEST(ShapeCheckTest, TopLevelMembers) {
  EXPECT_EQ(CheckInput("PutItem", R"({"TableName": "t", "Item": {"k": {"S": "v"}}})"), kNoError);
  EXPECT_EQ(CheckInput("PutItem", "{}"), kNoError);  // required members are a later step's
  EXPECT_EQ(CheckInput("PutItem", R"({"TableName": true})"),
            "TRUE_VALUE cannot be converted to String");
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": []})"),
            "Unrecognized collection type java.util.Map<java.lang.String, "
            "com.amazonaws.dynamodb.v20120810.AttributeValue>");
  EXPECT_EQ(CheckInput("Scan", R"({"Limit": "5"})"), "STRING_VALUE cannot be converted to Integer");
  EXPECT_EQ(CheckInput("Scan", R"({"ConsistentRead": "yes"})"),
            "STRING_VALUE cannot be converted to Boolean");
  EXPECT_EQ(CheckInput("Scan", R"({"AttributesToGet": "a"})"), kUnexpectedValue);
  EXPECT_EQ(CheckInput("CreateTable", R"({"ProvisionedThroughput": 5})"), kUnexpectedValue);
  EXPECT_EQ(Check(Input("GetRecords", kStreams), R"({"Limit": "1"})"),
            "STRING_VALUE cannot be converted to Integer");
  EXPECT_EQ(Check(Input("DescribeStream", kStreams), R"({"StreamArn": ["a"]})"), kListNotExpected);
  // The body itself.
  EXPECT_EQ(CheckInput("ListTables", "[]"), kListNotExpected);
  EXPECT_EQ(CheckInput("ListTables", "5"), kUnexpectedValue);
  EXPECT_EQ(CheckInput("ListTables", "null"), kNoError);
}

TEST(ShapeCheckTest, FirstMismatchInDocumentOrder) {
  EXPECT_EQ(CheckInput("Scan", R"({"TableName": 5, "Limit": "x"})"),
            "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(CheckInput("Scan", R"({"Limit": "x", "TableName": 5})"),
            "STRING_VALUE cannot be converted to Integer");
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": {"S": "x"}, "b": {"N": 1}}, "TableName": 5})"),
            "NUMBER_VALUE cannot be converted to String");
}

TEST(ShapeCheckTest, NestedInStructures) {
  EXPECT_EQ(CheckInput("CreateTable", R"({"ProvisionedThroughput": {"ReadCapacityUnits": "5"}})"),
            "STRING_VALUE cannot be converted to Long");
  EXPECT_EQ(CheckInput("CreateTable", R"({"StreamSpecification": {"StreamEnabled": "true"}})"),
            "STRING_VALUE cannot be converted to Boolean");
  EXPECT_EQ(CheckInput("UpdateTimeToLive",
                       R"({"TimeToLiveSpecification": {"Enabled": true, "AttributeName": 1}})"),
            "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(CheckInput("CreateTable", R"({"GlobalSecondaryIndexes": [{"Projection":
                                           {"NonKeyAttributes": "a"}}]})"),
            kUnexpectedValue);
}

TEST(ShapeCheckTest, NestedInLists) {
  EXPECT_EQ(CheckInput("GetItem", R"({"AttributesToGet": ["a", 1]})"),
            "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(CheckInput("GetItem", R"({"AttributesToGet": ["a", {}]})"), kStructureNotExpected);
  EXPECT_EQ(CheckInput("CreateTable", R"({"KeySchema": [{"AttributeName": "k", "KeyType": 1}]})"),
            "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(CheckInput("CreateTable", R"({"KeySchema": ["k"]})"), kUnexpectedValue);
  EXPECT_EQ(CheckInput("CreateTable", R"({"AttributeDefinitions": [[]]})"), kListNotExpected);
  EXPECT_EQ(CheckInput("TransactWriteItems",
                       R"({"TransactItems": [{"Put": {"TableName": "t", "Item": {"a": 5}}}]})"),
            kUnexpectedValue);
  EXPECT_EQ(CheckInput("TransactGetItems",
                       R"({"TransactItems": [{"Get": {"Key": {"k": {"BOOL": "x"}}}}]})"),
            "STRING_VALUE cannot be converted to Boolean");
  EXPECT_EQ(CheckInput("ExecuteStatement", R"({"Parameters": [{"S": "a"}, {"N": false}]})"),
            "FALSE_VALUE cannot be converted to String");
}

TEST(ShapeCheckTest, NestedInMaps) {
  EXPECT_EQ(CheckInput("Query", R"({"ExpressionAttributeNames": {"#a": "a", "#b": 5}})"),
            "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(CheckInput("Query", R"({"KeyConditions": {"k": {"ComparisonOperator": ["EQ"]}}})"),
            kListNotExpected);
  EXPECT_EQ(CheckInput("Query", R"({"KeyConditions": {"k": {"AttributeValueList": "x"}}})"),
            kUnexpectedValue);
  EXPECT_EQ(CheckInput("Query", R"({"KeyConditions": {"k": {"AttributeValueList": ["x"]}}})"),
            kUnexpectedValue);
  EXPECT_EQ(CheckInput("PutItem", R"({"Expected": {"a": {"Exists": "yes"}}})"),
            "STRING_VALUE cannot be converted to Boolean");
  EXPECT_EQ(CheckInput("UpdateItem", R"({"AttributeUpdates": {"a": {"Action": 1}}})"),
            "NUMBER_VALUE cannot be converted to String");
}

TEST(ShapeCheckTest, NestedInAttributeValues) {
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": {"S": 5}}})"),
            "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(
      CheckInput("PutItem", R"({"Item": {"a": {"L": [{"S": "x"}, {"M": {"b": {"SS": "x"}}}]}}})"),
      "Unexpected field type");
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": {"M": {"b": {"L": [5]}}}}})"),
            kUnexpectedValue);
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": {"M": {"b": {"L": [[]]}}}}})"),
            kListNotExpected);
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": {"NS": ["1", 2]}}})"),
            "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": {"BS": ["Zm9v", true]}}})"),
            "class java.lang.Boolean can not be converted to an Blob");
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": {"M": []}}})"),
            "Unrecognized collection type java.util.Map<java.lang.String, "
            "com.amazonaws.dynamodb.v20120810.AttributeValue>");
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": {"NULL": "true"}}})"),
            "STRING_VALUE cannot be converted to Boolean");
}

TEST(ShapeCheckTest, RequestItemsKeyAndExpressionAttributeValues) {
  EXPECT_EQ(CheckInput("BatchWriteItem", R"({"RequestItems": {"t": [{"PutRequest": {"Item":
                                              {"a": {"N": true}}}}]}})"),
            "TRUE_VALUE cannot be converted to String");
  EXPECT_EQ(CheckInput("BatchWriteItem", R"({"RequestItems": {"t": {}}})"), kStructureNotExpected);
  EXPECT_EQ(CheckInput("BatchWriteItem", R"({"RequestItems": {"t": [{"DeleteRequest": []}]}})"),
            kListNotExpected);
  EXPECT_EQ(CheckInput("BatchGetItem", R"({"RequestItems": {"t": {"Keys": [{"k": {"B": 5}}]}}})"),
            "class com.amazon.coral.value.json.numbers.TruncatedNumber can not be converted to an "
            "Blob");
  EXPECT_EQ(CheckInput("BatchGetItem", R"({"RequestItems": {"t": {"ConsistentRead": 1}}})"),
            "NUMBER_VALUE cannot be converted to Boolean");
  EXPECT_EQ(CheckInput("BatchGetItem", R"({"RequestItems": []})"), kListNotExpected);
  EXPECT_EQ(CheckInput("GetItem", R"({"Key": {"k": {"S": ["a"]}}})"),
            "Unrecognized collection type class java.lang.String");
  EXPECT_EQ(CheckInput("GetItem", R"({"Key": "k"})"), kUnexpectedValue);
  EXPECT_EQ(CheckInput("Scan", R"({"ExclusiveStartKey": {"k": []}})"), kListNotExpected);
  EXPECT_EQ(CheckInput("Query", R"({"ExpressionAttributeValues": {":v": {"L": [{"M":
                                     {"x": {"BOOL": "yes"}}}]}}})"),
            "STRING_VALUE cannot be converted to Boolean");
  EXPECT_EQ(CheckInput("Query", R"({"ExpressionAttributeValues": {":v": "x"}})"), kUnexpectedValue);
}

TEST(ShapeCheckTest, NullIsAbsentOrLeftToTheDecoder) {
  // A null member is absent, at any depth.
  EXPECT_EQ(CheckInput("PutItem", R"({"TableName": null, "Item": null, "Expected": null})"),
            kNoError);
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": {"S": null, "N": "1"}}})"), kNoError);
  // A null structure, list or map entry is the decoder's (an empty attribute value, ...).
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": null}})"), kNoError);
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": {"L": [null]}}})"), kNoError);
  EXPECT_EQ(CheckInput("CreateTable", R"({"KeySchema": [null]})"), kNoError);
  EXPECT_EQ(CheckInput("Query", R"({"ExpressionAttributeValues": {":v": null}})"), kNoError);
  // A null scalar entry is what the decoders have always reported.
  EXPECT_EQ(CheckInput("GetItem", R"({"AttributesToGet": [null]})"),
            "NULL_VALUE cannot be converted to String");
  EXPECT_EQ(CheckInput("Query", R"({"ExpressionAttributeNames": {"#a": null}})"),
            "NULL_VALUE cannot be converted to String");
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": {"SS": ["x", null]}}})"),
            "Unexpected null value in a set");
  // A set's null entries come before its other entries' types.
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": {"NS": [1, null]}}})"),
            "Unexpected null value in a set");
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": {"BS": [null]}}})"),
            "Unexpected null value in a set");
}

TEST(ShapeCheckTest, UnknownMembersAreIgnored) {
  EXPECT_EQ(CheckInput("PutItem", R"({"TableName": "t", "tablename": 5, "Bogus": {"x": []}})"),
            kNoError);
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": {"X": 5, "S": "a"}}})"), kNoError);
  EXPECT_EQ(CheckInput("BatchGetItem", R"({"RequestItems": {"t": {"Other": true}}})"), kNoError);
}

std::string NestedLists(int levels, const std::string& inner) {
  std::string json;
  for (int i = 0; i < levels; ++i) json += R"({"L":[)";
  json += inner;
  for (int i = 0; i < levels; ++i) json += "]}";
  return json;
}

TEST(ShapeCheckTest, AttributeValuesDeeperThanTheLimitAreLeftToTheCodec) {
  const Shape& av = ShapeNamed("AttributeValue");
  EXPECT_EQ(Check(av, NestedLists(kMaxNestingLevels, R"({"S":5})")),
            "NUMBER_VALUE cannot be converted to String");
  EXPECT_EQ(Check(av, NestedLists(kMaxNestingLevels + 1, R"({"S":5})")), kNoError);
  EXPECT_EQ(CheckInput("PutItem", R"({"Item": {"a": )" +
                                      NestedLists(kMaxNestingLevels + 1, R"({"S":5})") + "}}"),
            kNoError);
}

// The check and the attribute-value codec agree on every SerializationException the codec
// raises, so that checking first changes no text.
TEST(ShapeCheckTest, AgreesWithTheAttributeValueCodec) {
  const std::vector<std::string> values = {R"({"S":5})",
                                           R"({"S":true})",
                                           R"({"S":false})",
                                           R"({"N":1})",
                                           R"({"S":{}})",
                                           R"({"S":["a"]})",
                                           R"({"BOOL":"true"})",
                                           R"({"NULL":1})",
                                           R"({"BOOL":[]})",
                                           R"({"BOOL":{}})",
                                           R"({"SS":"x"})",
                                           R"({"SS":[1]})",
                                           R"({"SS":5})",
                                           R"({"SS":{}})",
                                           R"({"SS":[[]]})",
                                           R"({"NS":[{}]})",
                                           R"({"L":{}})",
                                           R"({"L":["a"]})",
                                           R"({"L":"a"})",
                                           R"({"M":"x"})",
                                           R"({"M":[]})",
                                           R"({"M":true})",
                                           R"("x")",
                                           "[]",
                                           "5",
                                           R"({"B":5})",
                                           R"({"B":true})",
                                           R"({"B":[]})",
                                           R"({"B":{}})",
                                           R"({"B":"Zm9vY"})",
                                           R"({"BS":["Zm9v","Zm9*"]})",
                                           R"({"B":"Zh=="})",
                                           R"({"SS":["a",null]})",
                                           R"({"NS":[1,null]})",
                                           R"({"BS":[null]})",
                                           R"({"L":[{"M":{"a":{"S":1}}}]})",
                                           R"({"M":{"a":{"L":[{"BS":[5]}]}}})",
                                           R"({"NS":[],"S":5})",
                                           R"({"X":1,"NULL":"x"})",
                                           R"({"S":"a","N":"1"})",
                                           R"({"S":"a"})",
                                           R"({"L":[null]})",
                                           R"({"NULL":false})",
                                           R"({})",
                                           R"({"N":"abc"})"};
  const Shape& av = ShapeNamed("AttributeValue");
  for (const std::string& json : values) {
    simdjson::dom::parser parser;
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(json).get(e), simdjson::SUCCESS) << json;
    std::string codec = kNoError;
    try {
      ValueFromJson(e);
    } catch (const ApiException& ex) {
      if (ex.error.type == "SerializationException") codec = ex.error.message;
    }
    EXPECT_EQ(Check(av, json), codec) << json;
  }
  const std::vector<std::string> items = {"[]",
                                          R"("x")",
                                          "5",
                                          "true",
                                          R"({"a":"x"})",
                                          R"({"a":[]})",
                                          R"({"a":{},"b":{"S":5}})",
                                          R"({"a":{"N":"x"},"b":{"B":"$$$$"}})",
                                          R"({"a":null,"b":{"SS":"x"}})",
                                          R"({"a":{"S":"x"}})"};
  for (const std::string& json : items) {
    simdjson::dom::parser parser;
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(json).get(e), simdjson::SUCCESS) << json;
    std::string codec = kNoError;
    try {
      ItemFromJson(e);
    } catch (const ApiException& ex) {
      if (ex.error.type == "SerializationException") codec = ex.error.message;
    }
    EXPECT_EQ(Check(ShapeNamed("PutItemInputAttributeMap"), json), codec) << json;
  }
}

// -------------------------------------------------------------------------------------------------
// Cost on the request path.

constexpr const char* kPutItemBody = R"json({"TableName":"orders",
  "Item":{"pk":{"S":"customer#1234"},"sk":{"S":"order#2024-01-01#77"},"amount":{"N":"129.95"},
          "paid":{"BOOL":true},"tags":{"SS":["gift","express"]},"note":{"NULL":true},
          "lines":{"L":[{"M":{"sku":{"S":"A-1"},"qty":{"N":"2"}}},
                        {"M":{"sku":{"S":"B-7"},"qty":{"N":"1"}}}]}},
  "ConditionExpression":"attribute_not_exists(pk)","ReturnValues":"NONE",
  "ReturnConsumedCapacity":"TOTAL"})json";

TEST(ShapeCheckTest, AllocatesNothingOnTheCommonPath) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  ASSERT_EQ(parser.parse(std::string(kPutItemBody)).get(e), simdjson::SUCCESS);
  const Shape& input = Input("PutItem");
  const size_t before = allocations;
  std::optional<ApiError> error = CheckShape(input, e);
  const Shape* found = FindInputShape(kDynamoDB, "PutItem");
  EXPECT_EQ(allocations, before);
  EXPECT_FALSE(error.has_value());
  EXPECT_EQ(found, &input);
}

// A microbenchmark, run by hand:
//   build/cairn_protocol_tests --gtest_also_run_disabled_tests --gtest_filter='*Benchmark*'
TEST(ShapeCheckBenchmark, DISABLED_PutItemBody) {
  simdjson::dom::parser parser;
  const std::string body(kPutItemBody);
  simdjson::dom::element e;
  ASSERT_EQ(parser.parse(body).get(e), simdjson::SUCCESS);
  constexpr int kRounds = 1000000;
  auto measure = [&](auto&& fn) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRounds; ++i) fn();
    return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
               .count() /
           kRounds;
  };
  size_t errors = 0;
  double check =
      measure([&] { errors += CheckShape(*FindInputShape(kDynamoDB, "PutItem"), e).has_value(); });
  double parse = measure([&] { errors += parser.parse(body).get(e) != simdjson::SUCCESS; });
  EXPECT_EQ(errors, 0u);
  std::printf("PutItem body of %zu bytes: shape check %.0f ns, simdjson parse %.0f ns\n",
              body.size(), check, parse);
}

}  // namespace
}  // namespace cairn::protocol
