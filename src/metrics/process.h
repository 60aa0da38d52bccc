// Process figures for a scrape, read from /proc/self at scrape time (nothing is kept between
// scrapes): process_resident_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds (the names Prometheus's client libraries use), cairn_uptime_seconds,
// and cairn_build_info{version,commit} (always 1: the labels are the information).
// Thread safety: stateless but for the start time, fixed when Registry is built.
#pragma once

#include <chrono>
#include <string_view>

#include "metrics/text_format.h"

namespace cairn::metrics {

struct BuildInfo {
  std::string_view version;
  std::string_view commit;
};

// `started`: when the process started serving setup (main's first moment).
void WriteProcessMetrics(TextWriter& w, const BuildInfo& build,
                         std::chrono::steady_clock::time_point started, double started_epoch);

}  // namespace cairn::metrics
