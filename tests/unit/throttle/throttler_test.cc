// Throttler: a new bucket holds one second of capacity; consumption may go below zero and then
// nothing is admitted until the refill pays the debt; a GSI's write debt holds up the table's
// writes; an on-demand table is limited to its maximum.
#include "throttle/throttler.h"

#include <gtest/gtest.h>

#include <thread>

namespace cairn::throttle {
namespace {

storage::TableInfo Provisioned(int64_t rcu, int64_t wcu) {
  storage::TableInfo t;
  t.id = 7;
  t.read_capacity = rcu;
  t.write_capacity = wcu;
  return t;
}

TEST(ThrottlerTest, DebtBlocksUntilRefilled) {
  Throttler th;
  auto t = Provisioned(1, 100);
  EXPECT_TRUE(th.Admit(t, Kind::kWrite, ""));
  EXPECT_NEAR(th.Available(t, Kind::kWrite, ""), 100, 1);
  th.Consume(t, Kind::kWrite, 102, {});
  EXPECT_FALSE(th.Admit(t, Kind::kWrite, ""));
  EXPECT_TRUE(th.Admit(t, Kind::kRead, ""));  // reads have their own bucket
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_TRUE(th.Admit(t, Kind::kWrite, ""));  // 2 units of debt at 100 per second
}

TEST(ThrottlerTest, GsiWriteDebtHoldsUpTableWrites) {
  Throttler th;
  auto t = Provisioned(100, 100);
  storage::IndexInfo x;
  x.id = 8;
  x.name = "g";
  x.global = true;
  x.read_capacity = 1;
  x.write_capacity = 1;
  t.indexes.push_back(x);
  EXPECT_TRUE(th.Admit(t, Kind::kWrite, ""));
  th.Consume(t, Kind::kWrite, 1, {{"g", 5}});
  EXPECT_FALSE(th.Admit(t, Kind::kWrite, ""));
  EXPECT_TRUE(th.Admit(t, Kind::kRead, ""));
  EXPECT_TRUE(th.Admit(t, Kind::kRead, "g"));
  th.Consume(t, Kind::kRead, 0, {{"g", 3}});
  EXPECT_FALSE(th.Admit(t, Kind::kRead, "g"));
  EXPECT_TRUE(th.Admit(t, Kind::kRead, ""));
}

TEST(ThrottlerTest, OnDemandMaximumHasNoBurst) {
  Throttler th;
  storage::TableInfo t;
  t.id = 9;
  t.pay_per_request = true;
  t.max_write_request_units = 1000;
  EXPECT_NEAR(th.Available(t, Kind::kWrite, ""), 1000, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_LE(th.Available(t, Kind::kWrite, ""), 1000);  // capped at one second's worth
  EXPECT_NEAR(th.Available(t, Kind::kRead, ""), kOnDemandDefaultUnits, 1);
}

TEST(ThrottlerTest, ProvisionedBurstAccumulates) {
  Throttler th;
  auto t = Provisioned(1000, 1);
  EXPECT_NEAR(th.Available(t, Kind::kRead, ""), 1000, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_GT(th.Available(t, Kind::kRead, ""), 1050);  // beyond one second's worth
}

// A hot partition key: 1,000 WCU per second at most, though the table has 40,000 to spare; the
// other keys are not held up by its debt.
TEST(ThrottlerTest, PartitionWriteLimitHoldsUpAHotKeyOnly) {
  Throttler th;
  auto t = Provisioned(40000, 40000);
  Partitions hot{"", {R"({"S":"hot"})"}}, cold{"", {R"({"S":"cold"})"}};
  EXPECT_NEAR(th.PartitionAvailable(t, Kind::kWrite, "", hot.keys[0]), kPartitionWriteUnits, 1);
  EXPECT_FALSE(th.Admit(t, Kind::kWrite, "", hot).has_value());
  th.Consume(t, Kind::kWrite, 1100, {});
  th.ConsumePartitions(t, Kind::kWrite, hot, 1100);  // 1,000 held: 100 of debt (0.1 s)
  auto refused = th.Admit(t, Kind::kWrite, "", hot);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->type, "ProvisionedThroughputExceededException");
  EXPECT_EQ(refused->http_status, 400);
  EXPECT_EQ(refused->message, protocol::ApiError::ProvisionedThroughputExceeded().message);
  EXPECT_GT(th.Available(t, Kind::kWrite, ""), 38000);  // the table has capacity to spare
  EXPECT_FALSE(th.Admit(t, Kind::kWrite, "", cold).has_value());
  EXPECT_FALSE(th.Admit(t, Kind::kRead, "", hot).has_value());  // reads: their own bucket
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // 150 units refilled > 100
  EXPECT_FALSE(th.Admit(t, Kind::kWrite, "", hot).has_value());
  // No burst beyond one second's worth.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_NEAR(th.PartitionAvailable(t, Kind::kWrite, "", hot.keys[0]), kPartitionWriteUnits,
              0.001);
}

// Reads: 3,000 RCU per partition; a batch's units are split evenly among its keys; an on-demand
// table's hot key gets the on-demand message.
TEST(ThrottlerTest, PartitionReadLimitSplitAndOnDemandMessage) {
  Throttler th;
  storage::TableInfo t;
  t.id = 11;
  t.pay_per_request = true;
  Partitions two{"", {"a", "b"}};
  th.ConsumePartitions(t, Kind::kRead, two, 4000);  // 2,000 each
  EXPECT_NEAR(th.PartitionAvailable(t, Kind::kRead, "", "a"), 1000, 1);
  EXPECT_NEAR(th.PartitionAvailable(t, Kind::kRead, "", "b"), 1000, 1);
  th.ConsumePartitions(t, Kind::kRead, Partitions{"", {"a"}}, 1500);
  auto refused = th.Admit(t, Kind::kRead, "", Partitions{"", {"b", "a"}});
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->message, kOnDemandPartitionMessage);
}

// A GSI Query's partitions are the GSI's, apart from the table's.
TEST(ThrottlerTest, GsiPartitionsAreTheirOwn) {
  Throttler th;
  auto t = Provisioned(40000, 40000);
  storage::IndexInfo x;
  x.id = 12;
  x.name = "g";
  x.read_capacity = x.write_capacity = 40000;
  t.indexes.push_back(x);
  th.ConsumePartitions(t, Kind::kRead, Partitions{"g", {"k"}}, 3100);
  EXPECT_TRUE(th.Admit(t, Kind::kRead, "g", Partitions{"g", {"k"}}).has_value());
  EXPECT_FALSE(th.Admit(t, Kind::kRead, "", Partitions{"", {"k"}}).has_value());
}

TEST(ControlPlaneRatesTest, DocumentedRatesThenThrottlingException) {
  ControlPlaneRates rates;
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(rates.Admit("ns", "TagResource").has_value()) << i;
  auto refused = rates.Admit("ns", "TagResource");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->type, "ThrottlingException");
  EXPECT_EQ(refused->message, "Rate of requests exceeds the allowed throughput.");
  EXPECT_FALSE(rates.Admit("other", "TagResource").has_value());  // per account
  EXPECT_FALSE(rates.Admit("ns", "UntagResource").has_value());   // per operation
  EXPECT_FALSE(rates.Admit("ns", "CreateTable").has_value());     // no documented rate
  std::this_thread::sleep_for(std::chrono::milliseconds(210));    // 5 per second: one more
  EXPECT_FALSE(rates.Admit("ns", "TagResource").has_value());
  EXPECT_TRUE(rates.Admit("ns", "TagResource").has_value());
  EXPECT_FALSE(rates.Admit("ns", "DescribeLimits").has_value());
  EXPECT_TRUE(rates.Admit("ns", "DescribeLimits").has_value());  // once a minute
  EXPECT_EQ(ControlPlaneRateOf("CreateBackup")->per_second, 50);
  EXPECT_EQ(ControlPlaneRateOf("ListTagsOfResource")->per_second, 10);
  EXPECT_EQ(ControlPlaneRateOf("ListBackups")->per_second, 5);
}

}  // namespace
}  // namespace cairn::throttle
