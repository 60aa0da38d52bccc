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

}  // namespace
}  // namespace cairn::throttle
