// RequestMetrics: what the dispatcher records of every request: a count per operation, errors per
// operation and error type, and a latency histogram per operation (cairn_requests_total,
// cairn_errors_total, cairn_request_duration_seconds).
//
// The operations and the error types are fixed lists given at construction (api/ and
// protocol/errors.h own them); a request is recorded by their indexes, so a label set is chosen by
// index and never built per request.
//
// Cost on the request path: Record() touches only the calling thread's own shard (one per thread,
// made on the thread's first request and kept for the registry's life): plain relaxed loads and
// stores of atomics that no other thread writes, so no lock, no read-modify-write instruction, no
// shared cache line and no allocation per request. A scrape sums the shards with relaxed loads; a
// scrape during requests may see one request's counter without its histogram entry (each figure
// is exact once the requests it counts have returned).
//
// Invariants: for every operation, requests >= the sum of its errors, and the histogram's count
// equals requests (Record() increments both). Counters only grow.
// Thread safety: Record() from any thread; WriteTo() from any thread, concurrently with Record().
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "metrics/text_format.h"

namespace cairn::metrics {

class RequestMetrics {
 public:
  // Upper bounds of the latency buckets, in seconds: 50 us to 10 s (then +Inf).
  static constexpr double kBucketBounds[] = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                             0.005,   0.01,   0.025,   0.05,   0.1,   0.25,
                                             0.5,     1,      2.5,     5,      10};
  static constexpr size_t kBuckets = std::size(kBucketBounds) + 1;  // with +Inf

  // `operations` and `error_types` must outlive this object (string literals, static tables).
  RequestMetrics(std::vector<std::string_view> operations,
                 std::vector<std::string_view> error_types);
  ~RequestMetrics();
  RequestMetrics(const RequestMetrics&) = delete;
  RequestMetrics& operator=(const RequestMetrics&) = delete;

  // Records one request of operation `operation` that took `nanos`, failed with error type
  // `error` (an index into error_types) or succeeded (kNoError).
  // REQUIRES: operation < operations.size(); error < error_types.size() or kNoError.
  static constexpr size_t kNoError = SIZE_MAX;
  void Record(size_t operation, size_t error, uint64_t nanos);

  // Writes cairn_requests_total (every operation), cairn_errors_total (the non-zero pairs) and
  // cairn_request_duration_seconds (the operations with requests).
  void WriteTo(TextWriter& w) const;

  size_t operation_count() const { return operations_.size(); }

 private:
  // One thread's counters: per operation, [requests, sum_nanos, buckets..., errors...].
  struct Shard {
    std::thread::id thread;
    std::unique_ptr<std::atomic<uint64_t>[]> cells;
  };
  size_t Stride() const { return 2 + kBuckets + error_types_.size(); }
  Shard* ThreadShard();

  const std::vector<std::string_view> operations_;
  const std::vector<std::string_view> error_types_;
  const uint64_t id_;  // tells this registry from an earlier one at the same address
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Shard>> shards_;  // GUARDED_BY(mu_); only grows
};

}  // namespace cairn::metrics
