// LockTable: a fixed table of 16384 mutexes ("stripes") that serializes read-modify-writes of the
// same item. A caller hashes what it locks (table id, partition key, sort key) to 64 bits and locks
// the stripe of that hash; different items may share a stripe, which costs only waiting.
//
// Invariants: the stripe of a hash never changes (StripeOf); LockMany locks each distinct stripe
// once, in ascending stripe order, so LockMany calls (and Lock calls) cannot deadlock each other.
// A thread must not hold a Guard while acquiring another (Lock or LockMany): lock everything it
// needs with one LockMany instead. Locks are not re-entrant.
// Thread safety: Lock and LockMany may be called concurrently from any thread. A Guard is owned by
// one thread and destroyed by the thread that created it (std::mutex rule); it must not outlive
// its LockTable.
// Conflicts (DynamoDB's TransactionConflict): a transaction marks the stripes it holds. TryLock and
// TryLockMany wait as long as it takes for stripes held by plain writes (which hold them for
// microseconds), but give up, holding nothing, when a stripe is still held by a transaction after
// `wait`. So no request blocks for long behind a transaction, and none ever deadlocks.
// Size: about 768 KB, all of it written at start-up (so kept small: 16384 stripes make a false
// wait between two unrelated items rare enough); allocate it on the heap, not on a stack.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

namespace cairn::txn {

class LockTable {
  struct Stripe {
    std::timed_mutex mu;
    std::atomic<bool> by_transaction{false};  // written only by the holder of `mu`
  };

 public:
  static constexpr size_t kStripes = 16384;  // a power of two
  // Who takes the stripes: a transaction marks them, so that others can tell a conflict.
  enum class Holder : uint8_t { kWrite, kTransaction };

  // Holds zero or more locked stripes; unlocks them on destruction. Move-only.
  class Guard {
   public:
    Guard() = default;
    Guard(Guard&& other) noexcept;
    Guard& operator=(Guard&& other) noexcept;
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard() { Release(); }

    // Unlocks now (idempotent).
    void Release();
    // The number of distinct stripes held.
    size_t size() const { return (single_ != nullptr ? 1 : 0) + many_.size(); }

   private:
    friend class LockTable;
    Stripe* single_ = nullptr;   // Lock(): no allocation on the common path
    std::vector<Stripe*> many_;  // LockMany(): ascending stripe order
  };

  LockTable() = default;
  LockTable(const LockTable&) = delete;
  LockTable& operator=(const LockTable&) = delete;

  // The stripe a hash maps to: all 64 bits folded to 16, then the low 14 kept.
  static size_t StripeOf(uint64_t hash) {
    return static_cast<size_t>((hash ^ (hash >> 16) ^ (hash >> 32) ^ (hash >> 48)) &
                               (kStripes - 1));
  }

  // Blocks until the stripe of `hash` is locked.
  [[nodiscard]] Guard Lock(uint64_t hash);
  // Blocks until the stripes of all `hashes` are locked; duplicates (same hash, or hashes sharing a
  // stripe) are locked once. An empty vector locks nothing.
  [[nodiscard]] Guard LockMany(std::vector<uint64_t> hashes);

  // Takes and releases every stripe in turn: when it returns, every writer that held a stripe
  // when it was called has released it (a barrier for settings that writers read under their lock,
  // such as point-in-time recovery being turned on). Blocks while a stripe is held.
  void WaitForHolders();

  // As Lock, for a plain write: nullopt (nothing held) when the stripe is still held by a
  // transaction after `wait`.
  [[nodiscard]] std::optional<Guard> TryLock(uint64_t hash, std::chrono::microseconds wait);
  // As LockMany, by `who`: nullopt (nothing held) when some stripe is still held by a transaction
  // after `wait`; *conflict (if not null) then receives that stripe's number (see StripeOf).
  [[nodiscard]] std::optional<Guard> TryLockMany(std::vector<uint64_t> hashes, Holder who,
                                                 std::chrono::microseconds wait,
                                                 size_t* conflict = nullptr);

 private:
  // Locks `s`; false (not locked) when a transaction still holds it after `wait`.
  static bool Acquire(Stripe& s, std::chrono::microseconds wait);

  std::array<Stripe, kStripes> stripes_;
};

}  // namespace cairn::txn
