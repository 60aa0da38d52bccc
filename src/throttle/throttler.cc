// Throttler: token buckets per table and GSI (see throttler.h).
#include "throttle/throttler.h"

#include <algorithm>
#include <iterator>

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

uint32_t Throttler::PartitionOwner(const storage::TableInfo& t, const Partitions& partitions) {
  if (partitions.index.empty()) return t.id;
  const storage::IndexInfo* x = t.FindIndex(partitions.index);
  return x != nullptr && x->global ? x->id : t.id;  // an LSI shares the table's partitions
}

Throttler::Bucket& Throttler::PartitionRefilled(uint32_t id, Kind kind, const std::string& key,
                                                Clock::time_point now) {
  const double rate = kind == Kind::kRead ? kPartitionReadUnits : kPartitionWriteUnits;
  if (partition_buckets_.size() >= kMaxPartitionBuckets) {
    for (auto it = partition_buckets_.begin(); it != partition_buckets_.end();) {
      const double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
      const double r = std::get<1>(it->first) == Kind::kRead ? kPartitionReadUnits
                                                             : kPartitionWriteUnits;
      it = it->second.tokens + elapsed * r >= r ? partition_buckets_.erase(it) : std::next(it);
    }
    // Still full of indebted keys: forget them all rather than scan again on every new key.
    if (partition_buckets_.size() >= kMaxPartitionBuckets / 2) partition_buckets_.clear();
  }
  auto [it, fresh] = partition_buckets_.try_emplace(std::make_tuple(id, kind, key));
  Bucket& b = it->second;
  if (fresh) {
    b.tokens = rate;
  } else {
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(rate, b.tokens + elapsed * rate);
  }
  b.updated = now;
  return b;
}

std::optional<protocol::ApiError> Throttler::Admit(const storage::TableInfo& t, Kind kind,
                                                   std::string_view index,
                                                   const Partitions& partitions) {
  if (!Admit(t, kind, index)) return protocol::ApiError::ProvisionedThroughputExceeded();
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  const uint32_t owner = PartitionOwner(t, partitions);
  for (const std::string& key : partitions.keys) {
    if (PartitionRefilled(owner, kind, key, now).tokens > 0) continue;
    if (t.pay_per_request)
      return protocol::ApiError::ProvisionedThroughputExceeded(
          std::string(kOnDemandPartitionMessage));
    return protocol::ApiError::ProvisionedThroughputExceeded();
  }
  return std::nullopt;
}

void Throttler::ConsumePartitions(const storage::TableInfo& t, Kind kind,
                                  const Partitions& partitions, double units) {
  if (partitions.keys.empty() || units <= 0) return;
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  const uint32_t owner = PartitionOwner(t, partitions);
  const double share = units / double(partitions.keys.size());
  for (const std::string& key : partitions.keys)
    PartitionRefilled(owner, kind, key, now).tokens -= share;
}

double Throttler::PartitionAvailable(const storage::TableInfo& t, Kind kind,
                                     std::string_view index, const std::string& key) {
  std::lock_guard lock(mu_);
  Partitions p{std::string(index), {}};
  return PartitionRefilled(PartitionOwner(t, p), kind, key, Clock::now()).tokens;
}

double Throttler::Available(const storage::TableInfo& t, Kind kind, std::string_view index) {
  std::lock_guard lock(mu_);
  const storage::IndexInfo* x = index.empty() ? nullptr : t.FindIndex(index);
  return Refilled(x ? x->id : t.id, kind, RateOf(t, x, kind), Clock::now()).tokens;
}

}  // namespace cairn::throttle
