// Throttler: --throttle, DynamoDB's capacity limits as token buckets, so that an application's
// handling of ProvisionedThroughputExceededException (the SDKs' retries and backoff) can be tested.
//
// One bucket per table and per GSI, for reads and for writes, refilled continuously at the
// capacity per second:
//   - a PROVISIONED table or GSI: its ReadCapacityUnits / WriteCapacityUnits; unused capacity
//     accumulates up to 300 seconds' worth (DynamoDB's burst capacity);
//   - a PAY_PER_REQUEST table or GSI: its OnDemandThroughput maximum when set, else DynamoDB's
//     default per-table quota of 40,000 read and 40,000 write request units per second; no burst
//     beyond one second's worth.
// A new bucket (a table first used since the start) holds one second's worth.
// A request is admitted while every bucket it needs still holds capacity (> 0): the table's read
// bucket (a Query or Scan of a GSI: the GSI's) for a read; the table's write bucket and every
// GSI's for a write (DynamoDB throttles a table's writes when a GSI lacks capacity). Then the
// units the operation consumed (exactly its ConsumedCapacity; an LSI's units count against the
// table) are taken, and may drive the bucket below zero: the following requests wait until the
// refill pays the debt, as DynamoDB lets one request run over and throttles the next ones.
// Not modelled: per-partition limits (3,000 RCU / 1,000 WCU per partition) and the adaptive
// capacity that rebalances them.
// Thread safety: all methods may be called concurrently (one mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/catalog.h"

namespace cairn::throttle {

enum class Kind : uint8_t { kRead = 0, kWrite = 1 };

inline constexpr double kBurstSeconds = 300;
inline constexpr double kOnDemandDefaultUnits = 40000;

class Throttler {
 public:
  // True when a request of `kind` on `table` may run now (see above). `index`: the GSI a read
  // goes to, or empty.
  bool Admit(const storage::TableInfo& table, Kind kind, std::string_view index);
  // Takes what a request consumed: `table_units` from the table's bucket, and each GSI's units
  // from its own.
  void Consume(const storage::TableInfo& table, Kind kind, double table_units,
               const std::vector<std::pair<std::string, double>>& gsi_units);

  // The units a bucket holds now (tests, logs); the table's when `index` is empty.
  double Available(const storage::TableInfo& table, Kind kind, std::string_view index);

 private:
  using Clock = std::chrono::steady_clock;
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  struct Rate {
    double per_second = 0;
    double cap = 0;
  };
  static Rate RateOf(const storage::TableInfo& table, const storage::IndexInfo* index, Kind kind);
  // The bucket of `id` (a table's or an index's) refilled up to now. REQUIRES: mu_ held.
  Bucket& Refilled(uint32_t id, Kind kind, Rate rate, Clock::time_point now);

  std::mutex mu_;
  std::map<std::pair<uint32_t, Kind>, Bucket> buckets_;  // GUARDED_BY(mu_)
};

}  // namespace cairn::throttle
