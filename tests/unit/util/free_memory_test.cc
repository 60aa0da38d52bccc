// ReleasePolicy: what the free-memory returner hands back, from the allocator's readings.
#include "util/free_memory.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

constexpr size_t kMB = size_t{1} << 20;

TEST(ReleasePolicyTest, BusyReleasesOnlyAboveTheThresholdKeepingSome) {
  ReleasePolicy p(12 * kMB, 8 * kMB, 3);
  EXPECT_EQ(p.Next(11 * kMB, 100 * kMB), 0u);       // below the threshold: kept for reuse
  EXPECT_EQ(p.Next(12 * kMB, 101 * kMB), 4 * kMB);  // at it: all but `keep`
  EXPECT_EQ(p.Next(20 * kMB, 102 * kMB), 12 * kMB);
  EXPECT_EQ(p.Next(8 * kMB, 103 * kMB), 0u);
}

TEST(ReleasePolicyTest, QuietAllocatorReleasesEverythingOnce) {
  ReleasePolicy p(12 * kMB, 8 * kMB, 3);
  EXPECT_EQ(p.Next(9 * kMB, 50 * kMB), 0u);  // first reading: nothing to compare with
  EXPECT_EQ(p.Next(9 * kMB, 50 * kMB), 0u);  // quiet for 1 period
  EXPECT_EQ(p.Next(9 * kMB, 50 * kMB), 0u);  // 2
  EXPECT_EQ(p.Next(9 * kMB, 50 * kMB), 9 * kMB);  // 3: idle, every free byte goes back
  // The release itself changes the readings; a new quiet stretch with nothing free releases
  // nothing, and neither does a longer one.
  for (int i = 0; i < 10; ++i) EXPECT_EQ(p.Next(0, 50 * kMB), 0u) << i;
}

TEST(ReleasePolicyTest, QuietStretchAfterReleaseRestartsItsCount) {
  ReleasePolicy p(12 * kMB, 8 * kMB, 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(p.Next(5 * kMB, 50 * kMB), 0u);
  EXPECT_EQ(p.Next(5 * kMB, 50 * kMB), 5 * kMB);
  EXPECT_EQ(p.Next(5 * kMB, 50 * kMB), 0u);  // tcmalloc released less than asked: not again
  // Work frees 2 MB more, then the server idles again: released after 3 quiet periods.
  EXPECT_EQ(p.Next(7 * kMB, 48 * kMB), 0u);
  EXPECT_EQ(p.Next(7 * kMB, 48 * kMB), 0u);
  EXPECT_EQ(p.Next(7 * kMB, 48 * kMB), 0u);
  EXPECT_EQ(p.Next(7 * kMB, 48 * kMB), 7 * kMB);
}

TEST(ReleasePolicyTest, AnyChangeOfEitherReadingIsActivity) {
  ReleasePolicy p(12 * kMB, 8 * kMB, 3);
  EXPECT_EQ(p.Next(9 * kMB, 50 * kMB), 0u);
  for (int i = 0; i < 20; ++i) {  // alternating readings: never quiet, never released
    EXPECT_EQ(p.Next(9 * kMB, (i % 2 ? 50 : 51) * kMB), 0u) << i;
  }
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(p.Next((i % 2 ? 9 : 10) * kMB, 50 * kMB), 0u) << i;
  }
}

}  // namespace
}  // namespace cairn
