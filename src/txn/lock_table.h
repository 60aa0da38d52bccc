// LockTable: a fixed table of 65536 mutexes ("stripes") that serializes read-modify-writes of the
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
// Size: about 2.5 MB; allocate it on the heap (one per server), not on a stack.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace cairn::txn {

class LockTable {
 public:
  static constexpr size_t kStripes = 65536;

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
    std::mutex* single_ = nullptr;   // Lock(): no allocation on the common path
    std::vector<std::mutex*> many_;  // LockMany(): ascending stripe order
  };

  LockTable() = default;
  LockTable(const LockTable&) = delete;
  LockTable& operator=(const LockTable&) = delete;

  // The stripe a hash maps to: all 64 bits folded to 16.
  static size_t StripeOf(uint64_t hash) {
    return static_cast<size_t>((hash ^ (hash >> 16) ^ (hash >> 32) ^ (hash >> 48)) &
                               (kStripes - 1));
  }

  // Blocks until the stripe of `hash` is locked.
  [[nodiscard]] Guard Lock(uint64_t hash);
  // Blocks until the stripes of all `hashes` are locked; duplicates (same hash, or hashes sharing a
  // stripe) are locked once. An empty vector locks nothing.
  [[nodiscard]] Guard LockMany(std::vector<uint64_t> hashes);

 private:
  std::array<std::mutex, kStripes> stripes_;
};

}  // namespace cairn::txn
