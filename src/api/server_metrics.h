// Server metrics: the wiring (main.cc calls it) of the metrics registry (metrics/registry.h) to the parts of
// the server it reports on, read at scrape time: the HTTP front's connections and bytes, the
// storage engine's figures (storage/engine.h EngineStats), items and bytes per table, the stream
// backlog, the TTL sweeper's progress and backlog (expired items not yet deleted), and the index
// backfills. Every figure here is a cheap read
// (an atomic, an engine property) except the per-table counts, which are DescribeTable's
// (api/table_description.h ComputeTableStats, a scan of the table and its indexes) and therefore
// cached: a table is recounted by a scrape at most every kTableCountSeconds, or when its indexes
// changed; so is the TTL backlog (a scan of each TTL-enabled table), also recounted once the sweep
// deleted items.
// And the metrics listener's handler (--metrics-port): GET /metrics answers the scrape.
// Thread safety: the collectors run under the registry's scrape lock; everything they read is
// thread-safe.
#pragma once

#include "api/context.h"
#include "backfill/backfill.h"
#include "http/server.h"
#include "metrics/registry.h"
#include "storage/engine.h"
#include "streams/stream_log.h"
#include "ttl/expirer.h"

namespace cairn {

inline constexpr double kTableCountSeconds = 10;

struct MetricSources {
  const http::Server* http = nullptr;  // the main port's server
  api::ServerContext* server = nullptr;
  ttl::Expirer* expirer = nullptr;
  backfill::Backfiller* backfiller = nullptr;
};

// Registers the collectors for `sources` (which must outlive the registry's scrapes).
void AddServerCollectors(metrics::Registry* registry, const MetricSources& sources);

// The handler of the metrics listener: GET (or HEAD) /metrics -> the scrape; any other path 404,
// any other method 405, as plain text.
http::Handler MetricsHandler(metrics::Registry* registry);

}  // namespace cairn
