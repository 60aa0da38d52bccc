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
// Per partition, besides: DynamoDB serves at most 3,000 read units and 1,000 write units per
// second from one partition, whatever the table's capacity, and its adaptive capacity isolates a
// hot partition key on a partition of its own at best; so a partition key value (of the table, or
// of the GSI a Query reads) has buckets of its own, refilled at 3,000 / 1,000 units per second and
// holding at most one second's worth (no burst beyond the partition's maximum). A request is
// admitted while the buckets of the partition keys it names hold capacity too, and each of them
// is charged its share of what the table consumed (request_partitions.h: which keys a request
// names; a batch's units are split evenly among its keys). A hot key is so throttled even when the
// table has capacity to spare. Not modelled: a Scan's partitions, a GSI's partitions on writes,
// partitions split by size (10 GB) and the sharing of a partition by several keys (its capacity
// split below 3,000 / 1,000 when the table is provisioned below that: the table's bucket already
// stops it).
// Thread safety: all methods may be called concurrently (one mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "protocol/errors.h"
#include "throttle/control_plane.h"
#include "storage/catalog.h"

namespace cairn::throttle {

enum class Kind : uint8_t { kRead = 0, kWrite = 1 };

inline constexpr double kBurstSeconds = 300;
inline constexpr double kOnDemandDefaultUnits = 40000;
// One partition's maximum, per second (DynamoDB's documented partition throughput).
inline constexpr double kPartitionReadUnits = 3000;
inline constexpr double kPartitionWriteUnits = 1000;

// DynamoDB's message when a table's, an index's or a partition's capacity is exhausted: the
// provisioned one for a PROVISIONED table, the on-demand one (which names hot keys) for a
// PAY_PER_REQUEST table's partition.
inline constexpr std::string_view kOnDemandPartitionMessage =
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
    "scaling your table or index so please try again shortly. If exceptions persist, check if you "
    "have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
    "bp-partition-key-design.html";

// The partition keys a request names on one table (or on the GSI it queries): each the value of
// the partition key attribute(s) as canonical text (request_partitions.h).
struct Partitions {
  std::string index;              // the GSI a Query reads, or empty: the table's partitions
  std::vector<std::string> keys;  // may repeat a key (a batch's items)
};

class Throttler {
 public:
  // True when a request of `kind` on `table` may run now (see above). `index`: the GSI a read
  // goes to, or empty.
  bool Admit(const storage::TableInfo& table, Kind kind, std::string_view index);
  // Admit() and then the partitions' buckets: nullopt when admitted, else the
  // ProvisionedThroughputExceededException to answer.
  std::optional<protocol::ApiError> Admit(const storage::TableInfo& table, Kind kind,
                                          std::string_view index, const Partitions& partitions);
  // Takes what a request consumed: `table_units` from the table's bucket, and each GSI's units
  // from its own.
  void Consume(const storage::TableInfo& table, Kind kind, double table_units,
               const std::vector<std::pair<std::string, double>>& gsi_units);
  // Takes `units` from the partitions' buckets, split evenly among `partitions.keys` (the table's
  // units, or the queried GSI's).
  void ConsumePartitions(const storage::TableInfo& table, Kind kind, const Partitions& partitions,
                         double units);

  // The units a partition's bucket holds now (tests, logs).
  double PartitionAvailable(const storage::TableInfo& table, Kind kind, std::string_view index,
                            const std::string& key);

  // The control plane's documented request rates (control_plane.h).
  ControlPlaneRates control_plane;

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
  // The bucket of one partition key of `id` refilled up to now. REQUIRES: mu_ held.
  Bucket& PartitionRefilled(uint32_t id, Kind kind, const std::string& key, Clock::time_point now);
  // The id whose partitions `partitions` names: the queried GSI's, else the table's.
  static uint32_t PartitionOwner(const storage::TableInfo& table, const Partitions& partitions);

  std::mutex mu_;
  std::map<std::pair<uint32_t, Kind>, Bucket> buckets_;  // GUARDED_BY(mu_)
  // Partition buckets by (owner id, kind, key). Full buckets are forgotten when the map grows
  // past kMaxPartitionBuckets (a full bucket is what a new one is); if half of them are still
  // indebted, all are (their keys start afresh: lenient, and bounded). GUARDED_BY(mu_)
  std::map<std::tuple<uint32_t, Kind, std::string>, Bucket, std::less<>> partition_buckets_;
  static constexpr size_t kMaxPartitionBuckets = 100000;
};

}  // namespace cairn::throttle
