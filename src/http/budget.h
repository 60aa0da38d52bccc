// Budget: a count shared by every event loop (open connections, bytes buffered for request bodies)
// with a fixed limit; a loop takes units before it commits resources and gives them back after.
// Invariants: used() <= limit() at all times (TryAcquire never overshoots); limit 0 means no limit
// (TryAcquire always succeeds, still counting). Every successful TryAcquire(n) is matched by one
// Release(n).
// Thread safety: all methods may be called from any thread (one atomic; no lock).
#pragma once

#include <atomic>
#include <cstddef>

namespace cairn::http {

class Budget {
 public:
  explicit Budget(size_t limit = 0) : limit_(limit) {}
  Budget(const Budget&) = delete;
  Budget& operator=(const Budget&) = delete;

  // Takes n units if that keeps used() within the limit; false (and nothing taken) otherwise.
  bool TryAcquire(size_t n) {
    size_t cur = used_.load(std::memory_order_relaxed);
    do {
      if (limit_ != 0 && (n > limit_ || cur > limit_ - n)) return false;
    } while (!used_.compare_exchange_weak(cur, cur + n, std::memory_order_relaxed));
    return true;
  }
  // REQUIRES: n units were taken by TryAcquire and not yet released.
  void Release(size_t n) { used_.fetch_sub(n, std::memory_order_relaxed); }

  size_t used() const { return used_.load(std::memory_order_relaxed); }
  size_t limit() const { return limit_; }

 private:
  const size_t limit_;
  std::atomic<size_t> used_{0};
};

}  // namespace cairn::http
