// One server's metrics (registry.h).
#include "metrics/registry.h"

#include "util/clock.h"

namespace cairn::metrics {

Registry::Registry(std::vector<std::string_view> operations,
                   std::vector<std::string_view> error_types, BuildInfo build)
    : requests_(std::move(operations), std::move(error_types)),
      build_(build),
      started_(std::chrono::steady_clock::now()),
      started_epoch_(EpochSeconds()) {}

std::string Registry::Scrape() {
  std::lock_guard lock(scrape_mu_);
  std::string out;
  out.reserve(16 * 1024);
  TextWriter w(&out);
  requests_.WriteTo(w);
  for (const Collector& c : collectors_) c(w);
  WriteProcessMetrics(w, build_, started_, started_epoch_);
  return out;
}

}  // namespace cairn::metrics
