// The web console's module: which paths it owns, its answers (assets, ETag, methods), and the
// namespace list, including the option that withholds it while signatures are checked.
#include "console/console.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "console/assets.h"
#include "storage/namespace.h"
#include "storage/rocksdb_engine.h"

namespace cairn::console {
namespace {

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::Options o;
    o.in_memory = true;
    o.block_cache_bytes = 8 << 20;
    auto engine = storage::OpenRocksDBEngine(o);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    catalog_ = std::make_unique<storage::Catalog>(engine_.get());
    ASSERT_TRUE(catalog_->Load().ok());
  }

  void AddTable(const std::string& ns, const std::string& name) {
    storage::TableInfo t;
    t.ns = ns;
    t.name = name;
    t.region = "us-east-1";
    t.hash = {"pk", AttributeType::kS};
    t.attribute_definitions = {t.hash};
    ASSERT_TRUE(catalog_->Create(std::move(t)).ok());
  }

  http::Response Get(const Console& console, std::string_view path, std::string_view method = "GET",
                     std::string if_none_match = "") {
    http::Request req;
    req.method = method;
    req.url = path;
    if (!if_none_match.empty()) req.headers.emplace_back("if-none-match", if_none_match);
    http::Response resp;
    EXPECT_TRUE(console.Owns(path));
    console.Handle(req, path, resp);
    return resp;
  }

  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<storage::Catalog> catalog_;
};

TEST_F(ConsoleTest, OwnsOnlyItsPathsAndOnlyWhenEnabled) {
  Console on(Options{}, catalog_.get());
  EXPECT_TRUE(on.Owns("/console"));
  EXPECT_TRUE(on.Owns("/console/"));
  EXPECT_TRUE(on.Owns("/console/app.js"));
  EXPECT_FALSE(on.Owns("/"));
  EXPECT_FALSE(on.Owns("/consolex"));
  EXPECT_FALSE(on.Owns("/console.js"));
  Options off_options;
  off_options.enabled = false;
  Console off(off_options, catalog_.get());
  EXPECT_FALSE(off.Owns("/console"));
  EXPECT_FALSE(off.Owns("/console/app.js"));
}

TEST_F(ConsoleTest, ServesEveryAssetWithItsTypeAndEtag) {
  Console console(Options{}, catalog_.get());
  ASSERT_FALSE(Assets().empty());
  EXPECT_LT(AssetBytes(), 300u * 1000u);
  for (const Asset& asset : Assets()) {
    http::Response resp = Get(console, asset.path);
    EXPECT_EQ(resp.status, 200) << asset.path;
    EXPECT_EQ(resp.content_type, asset.content_type);
    EXPECT_EQ(resp.body, asset.body);
    http::Response again = Get(console, asset.path, "GET", std::string(asset.etag));
    EXPECT_EQ(again.status, 304) << asset.path;
    EXPECT_TRUE(again.body.empty());
  }
  EXPECT_EQ(Get(console, "/console").body, Get(console, "/console/index.html").body);
}

TEST_F(ConsoleTest, UnknownPathAndOtherMethods) {
  Console console(Options{}, catalog_.get());
  EXPECT_EQ(Get(console, "/console/missing.js").status, 404);
  http::Response post = Get(console, "/console", "POST");
  EXPECT_EQ(post.status, 405);
  bool allow = false;
  for (const auto& [k, v] : post.headers) allow |= k == "Allow" && v == "GET, HEAD";
  EXPECT_TRUE(allow);
}

TEST_F(ConsoleTest, NamespacesMostTablesFirst) {
  AddTable(storage::NamespaceOf("alice", "us-east-1"), "a");
  AddTable(storage::NamespaceOf("bob", "eu-west-1"), "b1");
  AddTable(storage::NamespaceOf("bob", "eu-west-1"), "b2");
  Console console(Options{}, catalog_.get());
  http::Response resp = Get(console, "/console/api/namespaces");
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body,
            R"({"SharedDb":false,"Namespaces":[)"
            R"({"Namespace":"3:bob:eu-west-1","AccessKeyId":"bob","Region":"eu-west-1","TableCount":2},)"
            R"({"Namespace":"5:alice:us-east-1","AccessKeyId":"alice","Region":"us-east-1","TableCount":1}]})");
}

TEST_F(ConsoleTest, NamespacesWithheldWhileSignaturesAreChecked) {
  AddTable(storage::NamespaceOf("alice", "us-east-1"), "a");
  Options options;
  options.list_namespaces = false;
  Console console(options, catalog_.get());
  http::Response resp = Get(console, "/console/api/namespaces");
  EXPECT_EQ(resp.status, 403);
  EXPECT_EQ(resp.body.find("alice"), std::string::npos);
  EXPECT_NE(resp.body.find("signatures are not checked"), std::string::npos);
}

TEST_F(ConsoleTest, SharedDbIsOneNamespace) {
  Options options;
  options.shared_db = true;
  Console console(options, catalog_.get());
  EXPECT_EQ(Get(console, "/console/api/namespaces").body,
            R"({"SharedDb":true,"Namespaces":[{"Namespace":"shared","TableCount":0}]})");
}

}  // namespace
}  // namespace cairn::console
