// LockTable: striped item locks. See lock_table.h.
#include "txn/lock_table.h"

#include <algorithm>
#include <utility>

namespace cairn::txn {

LockTable::Guard::Guard(Guard&& other) noexcept
    : single_(std::exchange(other.single_, nullptr)), many_(std::move(other.many_)) {
  other.many_.clear();
}

LockTable::Guard& LockTable::Guard::operator=(Guard&& other) noexcept {
  if (this != &other) {
    Release();
    single_ = std::exchange(other.single_, nullptr);
    many_ = std::move(other.many_);
    other.many_.clear();
  }
  return *this;
}

namespace {

// Stripe numbers of `hashes`, ascending, each once (reuses the vector).
std::vector<uint64_t> SortedStripes(std::vector<uint64_t> hashes) {
  for (uint64_t& h : hashes) h = LockTable::StripeOf(h);
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  return hashes;
}

}  // namespace

void LockTable::Guard::Release() {
  if (single_ != nullptr) {
    single_->mu.unlock();
    single_ = nullptr;
  }
  // Reverse order of acquisition (not needed for correctness, but conventional).
  for (auto it = many_.rbegin(); it != many_.rend(); ++it) {
    (*it)->by_transaction.store(false, std::memory_order_relaxed);  // before unlock: publishes
    (*it)->mu.unlock();
  }
  many_.clear();
}

LockTable::Guard LockTable::Lock(uint64_t hash) {
  Guard g;
  Stripe* s = &stripes_[StripeOf(hash)];
  s->mu.lock();
  g.single_ = s;
  return g;
}

void LockTable::WaitForHolders() {
  for (Stripe& s : stripes_) {
    s.mu.lock();
    s.mu.unlock();
  }
}

LockTable::Guard LockTable::LockMany(std::vector<uint64_t> hashes) {
  Guard g;
  hashes = SortedStripes(std::move(hashes));
  g.many_.reserve(hashes.size());
  for (uint64_t stripe : hashes) {
    Stripe* s = &stripes_[stripe];
    s->mu.lock();
    g.many_.push_back(s);
  }
  return g;
}

bool LockTable::Acquire(Stripe& s, std::chrono::microseconds wait) {
  if (s.mu.try_lock()) return true;
  // Wake every millisecond to see who holds the stripe; wait for plain writes for good.
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (s.mu.try_lock_for(std::chrono::milliseconds(1))) return true;
    if (s.by_transaction.load(std::memory_order_relaxed) &&
        std::chrono::steady_clock::now() >= deadline)
      return false;
  }
}

std::optional<LockTable::Guard> LockTable::TryLock(uint64_t hash,
                                                   std::chrono::microseconds wait) {
  Stripe* s = &stripes_[StripeOf(hash)];
  if (!Acquire(*s, wait)) return std::nullopt;
  Guard g;
  g.single_ = s;
  return g;
}

std::optional<LockTable::Guard> LockTable::TryLockMany(std::vector<uint64_t> hashes, Holder who,
                                                       std::chrono::microseconds wait,
                                                       size_t* conflict) {
  Guard g;  // on a conflict, its destructor lets go of what was taken
  hashes = SortedStripes(std::move(hashes));
  g.many_.reserve(hashes.size());
  for (uint64_t stripe : hashes) {
    Stripe* s = &stripes_[stripe];
    if (!Acquire(*s, wait)) {
      if (conflict != nullptr) *conflict = stripe;
      return std::nullopt;
    }
    if (who == Holder::kTransaction) s->by_transaction.store(true, std::memory_order_relaxed);
    g.many_.push_back(s);
  }
  return g;
}

}  // namespace cairn::txn
