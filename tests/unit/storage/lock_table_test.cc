// LockTable: striped item locks. Duplicate and colliding hashes lock one stripe once; LockMany
// never deadlocks; counters updated under the lock from several threads stay exact.
#include "txn/lock_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <vector>

namespace cairn::txn {
namespace {

// Two different hashes that share a stripe: fold(1) = 1 and fold(1 << 16) = (1 << 16) ^ 1 -> 1.
constexpr uint64_t kA = 1;
constexpr uint64_t kB = uint64_t{1} << 16;

// A thread that takes the stripe of `hash` (and lets it go at once), so a test can see whether
// that stripe is held. The destructor joins: destroy a Probe only once its stripe is free.
class Probe {
 public:
  Probe(LockTable* table, uint64_t hash)
      : thread_([this, table, hash] {
          LockTable::Guard g = table->Lock(hash);
          acquired_ = true;
        }) {}
  ~Probe() { thread_.join(); }
  bool AcquiredWithin(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!acquired_.load() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return acquired_.load();
  }

 private:
  std::atomic<bool> acquired_{false};
  std::thread thread_;  // declared last: starts after acquired_ exists
};

constexpr std::chrono::milliseconds kBlocked{100};  // "still waiting" after this long
constexpr std::chrono::milliseconds kEventually{10000};

TEST(LockTableTest, StripeOfFoldsAllBits) {
  EXPECT_EQ(LockTable::StripeOf(kA), 1u);
  EXPECT_EQ(LockTable::StripeOf(kB), 1u);
  EXPECT_EQ(LockTable::StripeOf(0), 0u);
  EXPECT_EQ(LockTable::StripeOf(0x0001000200030004ull), 0x1 ^ 0x2 ^ 0x3 ^ 0x4u);
  EXPECT_LT(LockTable::StripeOf(~uint64_t{0}), LockTable::kStripes);
}

TEST(LockTableTest, LockManyWithDuplicateAndCollidingHashes) {
  auto table = std::make_unique<LockTable>();
  std::optional<Probe> colliding, other, unrelated;
  {
    LockTable::Guard g = table->LockMany({kA, 5, kB, kA, 5, 0x70000});
    // Stripes: kA and kB -> 1, 5 -> 5, 0x70000 -> 7: three distinct stripes, each locked once
    // (locking a std::mutex twice from one thread would deadlock before we got here).
    EXPECT_EQ(g.size(), 3u);
    colliding.emplace(table.get(), kB);
    other.emplace(table.get(), 7);
    unrelated.emplace(table.get(), 2);
    EXPECT_TRUE(unrelated->AcquiredWithin(kEventually));
    EXPECT_FALSE(colliding->AcquiredWithin(kBlocked));
    EXPECT_FALSE(other->AcquiredWithin(kBlocked));
  }
  // Guard gone: the waiters get their stripes.
  EXPECT_TRUE(colliding->AcquiredWithin(kEventually));
  EXPECT_TRUE(other->AcquiredWithin(kEventually));

  LockTable::Guard none = table->LockMany({});
  EXPECT_EQ(none.size(), 0u);
}

TEST(LockTableTest, GuardMoveAndRelease) {
  auto table = std::make_unique<LockTable>();
  LockTable::Guard a = table->Lock(42);
  EXPECT_EQ(a.size(), 1u);
  LockTable::Guard b = std::move(a);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(b.size(), 1u);
  {
    Probe waiter(table.get(), 42);
    EXPECT_FALSE(waiter.AcquiredWithin(kBlocked));
    b.Release();
    b.Release();  // idempotent
    EXPECT_TRUE(waiter.AcquiredWithin(kEventually));
  }
  LockTable::Guard m = table->LockMany({1, 2, 3});
  m = table->Lock(9);  // releases 1, 2, 3 first
  EXPECT_EQ(m.size(), 1u);
  {
    Probe freed(table.get(), 2);
    EXPECT_TRUE(freed.AcquiredWithin(kEventually));
    Probe held(table.get(), 9);
    EXPECT_FALSE(held.AcquiredWithin(kBlocked));
    m.Release();
    EXPECT_TRUE(held.AcquiredWithin(kEventually));
  }
}

TEST(LockTableTest, ConcurrentIncrementsUnderLockStayExact) {
  auto table = std::make_unique<LockTable>();
  constexpr int kThreads = 4;
  constexpr int kIterations = 20000;
  long counter = 0;     // guarded by the stripe of kA (== stripe of kB)
  long pair_sum_a = 0;  // guarded by LockMany of stripes 100 and 200
  long pair_sum_b = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < kIterations; ++i) {
        {
          // Half the threads lock via kA, half via kB: same stripe, so still exclusive.
          LockTable::Guard g = table->Lock(t % 2 == 0 ? kA : kB);
          ++counter;
        }
        {
          // Different orders and duplicates: LockMany sorts, so no deadlock.
          std::vector<uint64_t> hashes = {100, 200, 100};
          if (rng() % 2 == 0) std::swap(hashes[0], hashes[1]);
          LockTable::Guard g = table->LockMany(hashes);
          ++pair_sum_a;
          pair_sum_b += 2;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(counter, kThreads * kIterations);
  EXPECT_EQ(pair_sum_a, kThreads * kIterations);
  EXPECT_EQ(pair_sum_b, 2L * kThreads * kIterations);
}

TEST(LockTableTest, OverlappingLockManyInOppositeOrdersDoesNotDeadlock) {
  auto table = std::make_unique<LockTable>();
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(1000 + t);
      for (int i = 0; i < 5000; ++i) {
        std::vector<uint64_t> hashes;
        for (int k = 0; k < 5; ++k) hashes.push_back(rng() % 16);  // heavy overlap
        if (t % 2 == 1) std::reverse(hashes.begin(), hashes.end());
        LockTable::Guard g = table->LockMany(std::move(hashes));
      }
      ++done;
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(done.load(), 4);
}

constexpr std::chrono::microseconds kShortWait{20000};  // 20 ms
constexpr std::chrono::milliseconds kHeldLong{100};      // five times kShortWait

TEST(LockTableTest, StripeHeldByTransactionConflictsAfterTheWait) {
  auto table = std::make_unique<LockTable>();
  auto txn = table->TryLockMany({kA, 7}, LockTable::Holder::kTransaction, kShortWait);
  ASSERT_TRUE(txn.has_value());
  EXPECT_EQ(txn->size(), 2u);

  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(table->TryLock(kB, kShortWait).has_value());  // kB shares kA's stripe
  EXPECT_GE(std::chrono::steady_clock::now() - start, kShortWait);

  size_t conflict = 0;
  // Stripes 3 and 9 are free, 7 is held: the whole request fails and lets go of 3.
  EXPECT_FALSE(
      table->TryLockMany({9, 3, 7}, LockTable::Holder::kTransaction, kShortWait, &conflict)
          .has_value());
  EXPECT_EQ(conflict, 7u);
  EXPECT_TRUE(table->TryLockMany({2}, LockTable::Holder::kWrite, kShortWait).has_value());
  {
    Probe freed(table.get(), 3);
    EXPECT_TRUE(freed.AcquiredWithin(kEventually));
  }
  txn.reset();  // the transaction ends: its stripes are free and no longer marked
  EXPECT_TRUE(table->TryLock(kB, kShortWait).has_value());
  auto again = table->TryLockMany({7}, LockTable::Holder::kWrite, kShortWait);
  EXPECT_TRUE(again.has_value());
}

TEST(LockTableTest, StripeHeldByPlainWriteIsWaitedForPastTheWait) {
  auto table = std::make_unique<LockTable>();
  // Each holder locks and unlocks on its own thread: a Guard is destroyed by the thread that
  // created it (lock_table.h; std::mutex's rule, which ThreadSanitizer checks).
  std::atomic<bool> held{false};
  std::atomic<bool> released{false};
  std::thread holder([&] {
    LockTable::Guard write = table->Lock(42);
    held = true;
    std::this_thread::sleep_for(kHeldLong);
    released = true;
  });
  while (!held.load()) std::this_thread::yield();
  // A plain write's stripe is no conflict: both wait until it is free, well past kShortWait.
  auto single = table->TryLock(42, kShortWait);
  EXPECT_TRUE(single.has_value());
  EXPECT_TRUE(released.load());
  single.reset();
  holder.join();

  std::atomic<bool> held2{false};
  std::thread holder2([&] {
    LockTable::Guard again = table->LockMany({42});
    held2 = true;
    std::this_thread::sleep_for(kHeldLong);
  });
  while (!held2.load()) std::this_thread::yield();
  auto txn = table->TryLockMany({42, 43}, LockTable::Holder::kTransaction, kShortWait);
  EXPECT_TRUE(txn.has_value());
  holder2.join();
}

TEST(LockTableTest, TransactionsAndWritesInAnyOrderNeverDeadlock) {
  auto table = std::make_unique<LockTable>();
  std::atomic<int> done{0};
  std::atomic<long> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(2000 + t);
      for (int i = 0; i < 3000; ++i) {
        std::vector<uint64_t> hashes;
        for (int k = 0; k < 4; ++k) hashes.push_back(rng() % 8);
        if (t % 2 == 0) {
          auto g = table->TryLockMany(hashes, LockTable::Holder::kTransaction,
                                      std::chrono::microseconds(0));
          if (!g) ++conflicts;
        } else {
          auto g = table->TryLock(hashes[0], std::chrono::microseconds(0));
          if (!g) ++conflicts;
        }
      }
      ++done;
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(done.load(), 4);
  EXPECT_LT(conflicts.load(), 4L * 3000);  // most requests get through
}

}  // namespace
}  // namespace cairn::txn
