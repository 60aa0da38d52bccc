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

void LockTable::Guard::Release() {
  if (single_ != nullptr) {
    single_->unlock();
    single_ = nullptr;
  }
  // Reverse order of acquisition (not needed for correctness, but conventional).
  for (auto it = many_.rbegin(); it != many_.rend(); ++it) (*it)->unlock();
  many_.clear();
}

LockTable::Guard LockTable::Lock(uint64_t hash) {
  Guard g;
  std::mutex* m = &stripes_[StripeOf(hash)];
  m->lock();
  g.single_ = m;
  return g;
}

LockTable::Guard LockTable::LockMany(std::vector<uint64_t> hashes) {
  for (uint64_t& h : hashes) h = StripeOf(h);  // reuse the vector for stripe numbers
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  Guard g;
  g.many_.reserve(hashes.size());
  for (uint64_t stripe : hashes) {
    std::mutex* m = &stripes_[stripe];
    m->lock();
    g.many_.push_back(m);
  }
  return g;
}

}  // namespace cairn::txn
