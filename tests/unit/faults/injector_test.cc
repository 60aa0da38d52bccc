// FaultInjector: rules match by operation and table, fire in order at most `count` times, count
// every request they match, draw reproducibly from their seed, and a bad document changes nothing.
#include "faults/injector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace cairn::faults {
namespace {

std::vector<std::string_view> Tables(std::initializer_list<std::string_view> t) { return t; }

TEST(FaultInjectorTest, InactiveWithoutRules) {
  FaultInjector f;
  EXPECT_FALSE(f.active());
  EXPECT_FALSE(f.Decide("PutItem", Tables({"T"})).has_value());
}

TEST(FaultInjectorTest, CountedRuleFiresExactlyThatManyTimes) {
  FaultInjector f;
  std::vector<std::string> ids;
  ASSERT_TRUE(f.Add(R"({"operation":"PutItem","table":"Orders","count":3,
                       "error":"ProvisionedThroughputExceededException"})",
                    &ids)
                  .ok());
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_TRUE(f.active());
  EXPECT_FALSE(f.Decide("GetItem", Tables({"Orders"})).has_value());
  EXPECT_FALSE(f.Decide("PutItem", Tables({"Other"})).has_value());
  for (int i = 0; i < 3; ++i) {
    auto d = f.Decide("PutItem", Tables({"Other", "Orders"}));
    ASSERT_TRUE(d.has_value());
    ASSERT_TRUE(d->error.has_value());
    EXPECT_EQ(d->error->type, "ProvisionedThroughputExceededException");
    EXPECT_EQ(d->error->http_status, 400);
  }
  EXPECT_FALSE(f.Decide("PutItem", Tables({"Orders"})).has_value());
  EXPECT_NE(f.ToJson().find("\"requests\":4,\"fired\":3"), std::string::npos) << f.ToJson();
  EXPECT_TRUE(f.Remove(ids[0]));
  EXPECT_FALSE(f.active());
}

TEST(FaultInjectorTest, SameSeedSameDraws) {
  auto run = [] {
    FaultInjector f;
    EXPECT_TRUE(f.Replace(R"({"seed":5,"rules":[{"probability":0.5,"latency_ms":1}]})").ok());
    std::string pattern;
    for (int i = 0; i < 64; ++i) pattern += f.Decide("Scan", {}).has_value() ? '1' : '0';
    return pattern;
  };
  std::string a = run();
  EXPECT_EQ(a, run());
  EXPECT_NE(a.find('0'), std::string::npos);
  EXPECT_NE(a.find('1'), std::string::npos);
}

TEST(FaultInjectorTest, BadDocumentChangesNothing) {
  FaultInjector f;
  ASSERT_TRUE(f.Replace(R"({"rules":[{"id":"keep","drop_connection":true}]})").ok());
  for (const char* bad : {"", "[]", R"({"rules":{}})", R"({"rules":[{"error":"Nope"}]})",
                          R"({"rules":[{"unprocessed":0.5}]})",
                          R"({"rules":[{"latency_ms":5,"extra":1}]})"}) {
    EXPECT_TRUE(f.Replace(bad).IsInvalidArgument()) << bad;
  }
  EXPECT_NE(f.ToJson().find("\"keep\""), std::string::npos);
}

TEST(FaultInjectorTest, InjectableErrorsHaveDynamoDBsStatuses) {
  EXPECT_EQ(InjectableError("InternalServerError")->http_status, 500);
  EXPECT_EQ(InjectableError("ServiceUnavailable")->http_status, 503);
  EXPECT_EQ(InjectableError("Throttling")->type, "ThrottlingException");
  EXPECT_EQ(InjectableError("TransactionConflict")->type, "TransactionConflictException");
  EXPECT_FALSE(InjectableError("ValidationException").has_value());
}

TEST(FaultInjectorTest, ChooseUnprocessedRoundsUp) {
  auto chosen = ChooseUnprocessed(10, 0.25, 1);
  EXPECT_EQ(std::count(chosen.begin(), chosen.end(), true), 3);
  EXPECT_EQ(ChooseUnprocessed(10, 0.25, 1), chosen);
  auto all = ChooseUnprocessed(4, 1.0, 9);
  EXPECT_EQ(std::count(all.begin(), all.end(), true), 4);
  EXPECT_TRUE(ChooseUnprocessed(0, 0.5, 1).empty());
}

}  // namespace
}  // namespace cairn::faults
