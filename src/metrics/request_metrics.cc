// Per-thread request counters and their exposition (request_metrics.h).
#include "metrics/request_metrics.h"

#include <algorithm>

namespace cairn::metrics {
namespace {

std::atomic<uint64_t> g_next_id{1};

// The shard the calling thread last used, and the registry it belongs to.
struct ThreadCache {
  uint64_t registry = 0;
  void* shard = nullptr;
};
thread_local ThreadCache t_cache;

// Single writer: a relaxed load and store, not an atomic read-modify-write.
inline void Add(std::atomic<uint64_t>& cell, uint64_t n) {
  cell.store(cell.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

}  // namespace

RequestMetrics::RequestMetrics(std::vector<std::string_view> operations,
                               std::vector<std::string_view> error_types)
    : operations_(std::move(operations)),
      error_types_(std::move(error_types)),
      id_(g_next_id.fetch_add(1)) {}

RequestMetrics::~RequestMetrics() = default;

RequestMetrics::Shard* RequestMetrics::ThreadShard() {
  if (t_cache.registry == id_) return static_cast<Shard*>(t_cache.shard);
  // Once per thread (or when a thread moves between registries: tests).
  std::lock_guard lock(mu_);
  const std::thread::id self = std::this_thread::get_id();
  Shard* shard = nullptr;
  for (const auto& s : shards_)
    if (s->thread == self) shard = s.get();
  if (shard == nullptr) {
    auto s = std::make_unique<Shard>();
    s->thread = self;
    const size_t n = Stride() * operations_.size();
    s->cells = std::make_unique<std::atomic<uint64_t>[]>(n);
    for (size_t i = 0; i < n; ++i) s->cells[i].store(0, std::memory_order_relaxed);
    shard = s.get();
    shards_.push_back(std::move(s));
  }
  t_cache.registry = id_;
  t_cache.shard = shard;
  return shard;
}

void RequestMetrics::Record(size_t operation, size_t error, uint64_t nanos) {
  std::atomic<uint64_t>* cells = ThreadShard()->cells.get() + operation * Stride();
  Add(cells[0], 1);
  Add(cells[1], nanos);
  const double seconds = static_cast<double>(nanos) / 1e9;
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(std::begin(kBucketBounds), std::end(kBucketBounds), seconds) -
      std::begin(kBucketBounds));  // the first bound >= seconds (le: "less than or equal")
  Add(cells[2 + bucket], 1);
  if (error != kNoError) Add(cells[2 + kBuckets + error], 1);
}

void RequestMetrics::WriteTo(TextWriter& w) const {
  const size_t stride = Stride();
  std::vector<uint64_t> sums(stride * operations_.size(), 0);
  {
    std::lock_guard lock(mu_);
    for (const auto& s : shards_)
      for (size_t i = 0; i < sums.size(); ++i)
        sums[i] += s->cells[i].load(std::memory_order_relaxed);
  }
  w.Family("cairn_requests_total", "counter",
           "Requests answered, by operation (X-Amz-Target; Unknown: no operation Cairn serves, "
           "health checks and other paths included)");
  for (size_t op = 0; op < operations_.size(); ++op) {
    const Label labels[] = {{"operation", operations_[op]}};
    w.Sample("cairn_requests_total", labels, sums[op * stride]);
  }
  w.Family("cairn_errors_total", "counter",
           "Requests answered with an error, by operation and DynamoDB error type");
  for (size_t op = 0; op < operations_.size(); ++op) {
    for (size_t e = 0; e < error_types_.size(); ++e) {
      const uint64_t n = sums[op * stride + 2 + kBuckets + e];
      if (n == 0) continue;
      const Label labels[] = {{"operation", operations_[op]}, {"error_type", error_types_[e]}};
      w.Sample("cairn_errors_total", labels, n);
    }
  }
  w.Family("cairn_request_duration_seconds", "histogram",
           "Time from the parsed request to the encoded answer, by operation");
  for (size_t op = 0; op < operations_.size(); ++op) {
    const uint64_t* row = sums.data() + op * stride;
    if (row[0] == 0) continue;
    const Label labels[] = {{"operation", operations_[op]}};
    w.Histogram("cairn_request_duration_seconds", labels, kBucketBounds,
                std::span<const uint64_t>(row + 2, kBuckets), static_cast<double>(row[1]) / 1e9);
  }
}

}  // namespace cairn::metrics
