// Registry: one server's metrics, as a Prometheus scrape answers them (text_format.h). It holds
// the request counters the dispatcher records (request_metrics.h) and the collectors main.cc
// registers for everything that is read at scrape time instead (connections, storage, tables,
// streams, TTL, backfills: each a function that writes its families), then the process figures.
//
// The module sits above the layers it reports on only through those functions: lower layers do not
// see it, and it sees nothing of theirs (main.cc wires them; the dispatcher records).
// Invariants: a scrape lists each family once; collectors run in registration order.
// Thread safety: AddCollector() before the server starts; Scrape() from any thread, concurrently
// with itself and with requests (scrapes are serialized by a mutex: collectors need no locking).
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/process.h"
#include "metrics/request_metrics.h"
#include "metrics/text_format.h"

namespace cairn::metrics {

class Registry {
 public:
  using Collector = std::function<void(TextWriter&)>;

  Registry(std::vector<std::string_view> operations, std::vector<std::string_view> error_types,
           BuildInfo build);

  RequestMetrics& requests() { return requests_; }
  // REQUIRES: not called concurrently with Scrape().
  void AddCollector(Collector collector) { collectors_.push_back(std::move(collector)); }

  // The whole exposition (Content-Type kContentType).
  std::string Scrape();

 private:
  RequestMetrics requests_;
  BuildInfo build_;
  std::chrono::steady_clock::time_point started_;
  double started_epoch_;
  std::vector<Collector> collectors_;
  std::mutex scrape_mu_;  // one scrape at a time
};

}  // namespace cairn::metrics
