// The DynamoDB JSON protocol end to end inside one process: Dispatcher::Handle on an in-memory
// engine, checking the headers DynamoDB sends (x-amz-crc32, x-amzn-RequestId) and error bodies.
#include "api/dispatch.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <memory>
#include <set>
#include <string>

#include "storage/catalog.h"
#include "storage/engine.h"
#include "txn/lock_table.h"
#include "write/item_writer.h"

namespace cairn::api {
namespace {

constexpr char kAuth[] =
    "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host, Signature=abc";

class DispatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::Options o;
    o.in_memory = true;
    auto e = storage::OpenRocksDBEngine(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    catalog_ = std::make_unique<storage::Catalog>(engine_.get());
    ASSERT_TRUE(catalog_->Load().ok());
    locks_ = std::make_unique<txn::LockTable>();
    writer_ = std::make_unique<write::ItemWriter>(engine_.get(), catalog_.get(), locks_.get(),
                                                  nullptr, write::ItemWriter::Options{});
    server_ = ServerContext{Config{}, engine_.get(), catalog_.get(), writer_.get()};
    dispatcher_ = std::make_unique<Dispatcher>(&server_);
  }

  http::Response Call(std::string_view target, std::string body, bool auth = true) {
    body_ = std::move(body);
    body_.append(64, '\0');  // the HTTP layer's padding
    http::Request req;
    req.method = "POST";
    req.url = "/";
    if (!target.empty()) req.headers.emplace_back("x-amz-target", std::string(target));
    if (auth) {  // SigV4 signs with the time in X-Amz-Date (or Date)
      req.headers.emplace_back("authorization", kAuth);
      req.headers.emplace_back("x-amz-date", "20240101T000000Z");
    }
    req.body = std::string_view(body_.data(), body_.size() - 64);
    http::Response resp;
    dispatcher_->Handle(req, resp);
    return resp;
  }

  static std::string Header(const http::Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }

  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<storage::Catalog> catalog_;
  std::unique_ptr<txn::LockTable> locks_;
  std::unique_ptr<write::ItemWriter> writer_;
  ServerContext server_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::string body_;
};

TEST(Crc32Test, MatchesWhatTheSdksCheck) {
  // The tutorial's empty PutItem response carries x-amz-crc32: 2745614147.
  EXPECT_EQ(BodyCrc32("{}"), 2745614147u);
  EXPECT_EQ(BodyCrc32(""), 0u);
  // The same as zlib's crc32 at every length up to a few blocks of the folding loop, and at
  // every alignment of the data.
  std::string data(5000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 + 7);
  for (size_t offset : {0, 1, 3, 7}) {
    for (size_t n = 0; n + offset <= 1100; ++n) {
      std::string_view s(data.data() + offset, n);
      ASSERT_EQ(BodyCrc32(s),
                crc32(0L, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())))
          << n << " bytes at offset " << offset;
    }
  }
  std::string_view whole(data);
  EXPECT_EQ(BodyCrc32(whole), crc32(0L, reinterpret_cast<const Bytef*>(whole.data()),
                                    static_cast<uInt>(whole.size())));
}

TEST_F(DispatchTest, EveryResponseCarriesRequestIdAndCrc) {
  auto r = Call("DynamoDB_20120810.ListTables", "{}");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"TableNames":[]})");
  EXPECT_EQ(Header(r, "x-amz-crc32"), std::to_string(BodyCrc32(r.body)));
  std::string id = Header(r, "x-amzn-RequestId");
  ASSERT_EQ(id.size(), 52u);
  for (char c : id) EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) << id;
}

TEST_F(DispatchTest, RequestIdsAreDistinctAndUseTheWholeAlphabet) {
  std::set<std::string> ids;
  std::set<char> chars;
  for (int i = 0; i < 200; ++i) {
    std::string id = Header(Call("DynamoDB_20120810.ListTables", "{}"), "x-amzn-RequestId");
    ASSERT_EQ(id.size(), 52u);
    chars.insert(id.begin(), id.end());
    ids.insert(std::move(id));
  }
  EXPECT_EQ(ids.size(), 200u);
  // 10,400 characters drawn from 36: a character that never shows is a broken mapping.
  EXPECT_EQ(chars.size(), 36u);
}

TEST_F(DispatchTest, UnknownOperation) {
  auto r = Call("DynamoDB_20120810.Foo", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            R"({"__type":"com.amazon.coral.service#UnknownOperationException",)"
            R"("message":"Unknown operation: DynamoDB_20120810.Foo"})");
  EXPECT_EQ(Header(r, "x-amz-crc32"), std::to_string(BodyCrc32(r.body)));
  r = Call("", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("UnknownOperationException"), std::string::npos);
}

TEST_F(DispatchTest, MalformedJsonIsSerializationException) {
  auto r = Call("DynamoDB_20120810.ListTables", "{\"Limit\": ");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("#SerializationException"), std::string::npos) << r.body;
  r = Call("DynamoDB_20120810.ListTables", "[1]");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("#SerializationException"), std::string::npos) << r.body;
}

TEST_F(DispatchTest, MissingAuthorization) {
  auto r = Call("DynamoDB_20120810.ListTables", "{}", false);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            R"({"__type":"com.amazon.coral.service#MissingAuthenticationTokenException",)"
            R"("message":"Request is missing Authentication Token"})");
}

TEST_F(DispatchTest, CreatePutGetRoundTrip) {
  auto r = Call("DynamoDB_20120810.CreateTable",
                R"({"TableName":"Books","KeySchema":[{"AttributeName":"book_id","KeyType":"HASH"},)"
                R"({"AttributeName":"title","KeyType":"RANGE"}],"AttributeDefinitions":[)"
                R"({"AttributeName":"book_id","AttributeType":"N"},)"
                R"({"AttributeName":"title","AttributeType":"S"}],)"
                R"("ProvisionedThroughput":{"ReadCapacityUnits":10,"WriteCapacityUnits":10}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("TableStatus":"ACTIVE")"), std::string::npos);
  EXPECT_NE(r.body.find(R"("TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/Books")"),
            std::string::npos);

  r = Call("DynamoDB_20120810.PutItem",
           R"({"TableName":"Books","Item":{"book_id":{"N":"1000.0"},"title":{"S":"Atomic habits"},)"
           R"("price":{"N":"1.50"}}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(Header(r, "x-amz-crc32"), "2745614147");

  r = Call("DynamoDB_20120810.GetItem",
           R"({"TableName":"Books","Key":{"book_id":{"N":"1000"},"title":{"S":"Atomic habits"}}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("price":{"N":"1.5"})"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("book_id":{"N":"1000"})"), std::string::npos) << r.body;

  r = Call("DynamoDB_20120810.CreateTable",
           R"({"TableName":"Books","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],)"
           R"("AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],)"
           R"("BillingMode":"PAY_PER_REQUEST"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceInUseException",)"
            R"("message":"Table already exists: Books"})");
}

TEST_F(DispatchTest, MissingTable) {
  auto r = Call("DynamoDB_20120810.GetItem", R"({"TableName":"Nope","Key":{"id":{"S":"a"}}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",)"
            R"("message":"Requested resource not found"})");
}

}  // namespace
}  // namespace cairn::api
