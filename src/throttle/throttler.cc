// Throttler: token buckets per table and GSI (see throttler.h).
#include "throttle/throttler.h"

#include <algorithm>

namespace cairn::throttle {

Throttler::Rate Throttler::RateOf(const storage::TableInfo& t, const storage::IndexInfo* x,
                                  Kind kind) {
  const bool read = kind == Kind::kRead;
  if (!t.pay_per_request) {
    double units = double(x ? (read ? x->read_capacity : x->write_capacity)
                            : (read ? t.read_capacity : t.write_capacity));
    return {units, units * kBurstSeconds};
  }
  int64_t max = x ? (read ? x->max_read_request_units : x->max_write_request_units)
                  : (read ? t.max_read_request_units : t.max_write_request_units);
  double units = max > 0 ? double(max) : kOnDemandDefaultUnits;
  return {units, units};
}

Throttler::Bucket& Throttler::Refilled(uint32_t id, Kind kind, Rate rate, Clock::time_point now) {
  auto [it, fresh] = buckets_.try_emplace({id, kind});
  Bucket& b = it->second;
  if (fresh) {
    b.tokens = rate.per_second;
  } else {
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(rate.cap, b.tokens + elapsed * rate.per_second);
  }
  b.updated = now;
  return b;
}

bool Throttler::Admit(const storage::TableInfo& t, Kind kind, std::string_view index) {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  if (kind == Kind::kRead) {
    const storage::IndexInfo* x = index.empty() ? nullptr : t.FindIndex(index);
    if (x != nullptr && x->global) return Refilled(x->id, kind, RateOf(t, x, kind), now).tokens > 0;
    return Refilled(t.id, kind, RateOf(t, nullptr, kind), now).tokens > 0;
  }
  if (Refilled(t.id, kind, RateOf(t, nullptr, kind), now).tokens <= 0) return false;
  for (const auto& x : t.indexes) {
    if (x.global && Refilled(x.id, kind, RateOf(t, &x, kind), now).tokens <= 0) return false;
  }
  return true;
}

void Throttler::Consume(const storage::TableInfo& t, Kind kind, double table_units,
                        const std::vector<std::pair<std::string, double>>& gsi_units) {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  if (table_units > 0) Refilled(t.id, kind, RateOf(t, nullptr, kind), now).tokens -= table_units;
  for (const auto& [name, units] : gsi_units) {
    const storage::IndexInfo* x = t.FindIndex(name);
    if (x != nullptr) Refilled(x->id, kind, RateOf(t, x, kind), now).tokens -= units;
  }
}

double Throttler::Available(const storage::TableInfo& t, Kind kind, std::string_view index) {
  std::lock_guard lock(mu_);
  const storage::IndexInfo* x = index.empty() ? nullptr : t.FindIndex(index);
  return Refilled(x ? x->id : t.id, kind, RateOf(t, x, kind), Clock::now()).tokens;
}

}  // namespace cairn::throttle
