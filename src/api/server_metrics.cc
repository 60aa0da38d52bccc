// The collectors main.cc registers (server_metrics.h).
#include "api/server_metrics.h"

#include <chrono>
#include <map>
#include <string>

#include "api/table_description.h"
#include "http/compression.h"
#include "util/clock.h"

namespace cairn {
namespace {

using metrics::Label;
using metrics::TextWriter;

void Gauge(TextWriter& w, std::string_view name, std::string_view help, double value) {
  w.Family(name, "gauge", help);
  w.Sample(name, {}, value);
}

void Counter(TextWriter& w, std::string_view name, std::string_view help, uint64_t value) {
  w.Family(name, "counter", help);
  w.Sample(name, std::span<const Label>(), value);
}

void WriteConnections(TextWriter& w, const http::Server& http) {
  const http::ServerCounters c = http.Counters();
  Gauge(w, "cairn_connections_open", "Client connections open now",
        static_cast<double>(c.open_connections));
  if (http.options().max_connections != 0)
    Gauge(w, "cairn_connections_max", "The cap on open connections (--max-connections)",
          static_cast<double>(http.options().max_connections));
  Counter(w, "cairn_connections_accepted_total", "Client connections accepted and served",
          c.accepted);
  Counter(w, "cairn_connections_refused_total",
          "Client connections answered 503 and closed at once: the connection cap reached, or "
          "no descriptor left",
          c.refused);
  Counter(w, "cairn_http_received_bytes_total", "Bytes read from client connections", c.bytes_in);
  Counter(w, "cairn_http_sent_bytes_total", "Bytes written to client connections", c.bytes_out);
}

void WriteStorage(TextWriter& w, storage::Engine& engine) {
  const storage::EngineStats s = engine.Stats();
  auto gauge = [&w](std::string_view name, std::string_view help, int64_t v) {
    if (v >= 0) Gauge(w, name, help, static_cast<double>(v));
  };
  gauge("cairn_storage_memtable_bytes", "RocksDB write buffers (memtables), all columns",
        s.memtable_bytes);
  gauge("cairn_storage_block_cache_usage_bytes", "RocksDB block cache: bytes in use",
        s.block_cache_usage_bytes);
  gauge("cairn_storage_block_cache_capacity_bytes", "RocksDB block cache: capacity (--cache-mb)",
        s.block_cache_capacity_bytes);
  gauge("cairn_storage_pending_compaction_bytes",
        "RocksDB's estimate of the bytes compaction has yet to rewrite",
        s.pending_compaction_bytes);
  gauge("cairn_storage_running_compactions", "RocksDB compactions running now",
        s.running_compactions);
  gauge("cairn_storage_wal_bytes", "RocksDB write-ahead log files alive, in bytes", s.wal_bytes);
  gauge("cairn_storage_sst_bytes", "RocksDB table files alive, in bytes", s.sst_bytes);
}

// Items and bytes per table and index, DescribeTable's figures, each table recounted at most every
// kTableCountSeconds (a scrape may show a count that old) or when its indexes changed. Runs under
// the scrape lock.
class TableCounts {
 public:
  explicit TableCounts(api::ServerContext* server) : server_(server) {}

  void Write(TextWriter& w) {
    const auto now = std::chrono::steady_clock::now();
    const auto max_age = std::chrono::duration<double>(kTableCountSeconds);
    std::map<uint32_t, Counted> fresh;  // only the tables that exist now stay cached
    std::vector<std::shared_ptr<const storage::TableInfo>> tables = server_->catalog->AllTables();
    for (const auto& t : tables) {
      const std::string shape = IndexShape(*t);
      auto c = cache_.find(t->id);
      if (c != cache_.end() && now - c->second.at < max_age && c->second.shape == shape) {
        fresh.emplace(t->id, std::move(c->second));
      } else {
        fresh.emplace(t->id, Counted{api::ComputeTableStats(*server_, *t), shape, now});
      }
    }
    cache_.swap(fresh);
    w.Family("cairn_table_items", "gauge",
             "Items per table, as DescribeTable's ItemCount (a count of the table, redone at most "
             "every 10 s: a figure may be that old)");
    for (const auto& t : tables) {
      const Label labels[] = {{"namespace", t->ns}, {"table", t->name}};
      w.Sample("cairn_table_items", labels, static_cast<double>(cache_[t->id].stats.item_count));
    }
    w.Family("cairn_table_size_bytes", "gauge",
             "Bytes per table (the sum of DynamoDB item sizes), as DescribeTable's "
             "TableSizeBytes (redone at most every 10 s: a figure may be that old)");
    for (const auto& t : tables) {
      const Label labels[] = {{"namespace", t->ns}, {"table", t->name}};
      w.Sample("cairn_table_size_bytes", labels,
               static_cast<double>(cache_[t->id].stats.size_bytes));
    }
    w.Family("cairn_table_pitr_log_bytes", "gauge",
             "Bytes of the point-in-time recovery change log per table with PITR on (stored keys "
             "and values, trimmed to the recovery period; not in TableSizeBytes; redone with the "
             "table's count)");
    for (const auto& t : tables) {
      if (t->pitr_enabled_time == 0) continue;
      const Label labels[] = {{"namespace", t->ns}, {"table", t->name}};
      w.Sample("cairn_table_pitr_log_bytes", labels,
               static_cast<double>(cache_[t->id].stats.pitr_log_bytes));
    }
    w.Family("cairn_table_pitr_log_records", "gauge",
             "Records of the point-in-time recovery change log per table with PITR on (one per "
             "write; redone with the table's count)");
    for (const auto& t : tables) {
      if (t->pitr_enabled_time == 0) continue;
      const Label labels[] = {{"namespace", t->ns}, {"table", t->name}};
      w.Sample("cairn_table_pitr_log_records", labels,
               static_cast<double>(cache_[t->id].stats.pitr_log_records));
    }
    w.Family("cairn_index_items", "gauge",
             "Entries per secondary index, as DescribeTable's index ItemCount (redone with its "
             "table's count)");
    for (const auto& t : tables) {
      const api::TableStats& stats = cache_[t->id].stats;
      for (size_t i = 0; i < t->indexes.size() && i < stats.indexes.size(); ++i) {
        const Label labels[] = {
            {"namespace", t->ns}, {"table", t->name}, {"index", t->indexes[i].name}};
        w.Sample("cairn_index_items", labels, static_cast<double>(stats.indexes[i].item_count));
      }
    }
  }

 private:
  struct Counted {
    api::TableStats stats;
    std::string shape;  // the indexes when counted (IndexShape)
    std::chrono::steady_clock::time_point at;
  };
  // The table's indexes and whether each is still being built: a change means a recount.
  static std::string IndexShape(const storage::TableInfo& t) {
    std::string shape;
    for (const auto& x : t.indexes) shape += std::to_string(x.id) + (x.backfilling ? "b," : ",");
    return shape;
  }

  api::ServerContext* server_;
  std::map<uint32_t, Counted> cache_;  // by table id (ids are never reused)
};

// The TTL backlog per TTL-enabled table (ttl::CountBacklog, a scan of the table): recounted when
// the sweeper has deleted items since the last count or the count is kTableCountSeconds old, so a
// drained backlog shows at once and a growing one within that time. Runs under the scrape lock.
class TtlBacklog {
 public:
  TtlBacklog(api::ServerContext* server, const ttl::Expirer* expirer)
      : server_(server), expirer_(expirer) {}

  void Write(TextWriter& w) {
    const auto now = std::chrono::steady_clock::now();
    const uint64_t deleted = expirer_->items_deleted();
    std::map<uint32_t, Counted> fresh;
    std::vector<std::shared_ptr<const storage::TableInfo>> tables;
    for (auto& t : server_->catalog->AllTables()) {
      if (!t->ttl_enabled) continue;
      auto c = cache_.find(t->id);
      if (c != cache_.end() && c->second.deleted == deleted && c->second.attribute == t->ttl_attribute &&
          now - c->second.at < std::chrono::duration<double>(kTableCountSeconds)) {
        fresh.emplace(t->id, c->second);
      } else {
        fresh.emplace(t->id, Counted{ttl::CountBacklog(server_->engine, *t, EpochSeconds()),
                                     t->ttl_attribute, deleted, now});
      }
      tables.push_back(std::move(t));
    }
    cache_.swap(fresh);
    w.Family("cairn_ttl_backlog_items", "gauge",
             "Items whose Time to Live has passed, not yet deleted by the sweep, per TTL-enabled "
             "table (recounted after the sweep deletes, else at most every 10 s)");
    for (const auto& t : tables) {
      const Label labels[] = {{"namespace", t->ns}, {"table", t->name}};
      w.Sample("cairn_ttl_backlog_items", labels, static_cast<double>(cache_[t->id].backlog.items));
    }
    w.Family("cairn_ttl_backlog_oldest_seconds", "gauge",
             "How long ago the oldest item of the backlog expired (0 without a backlog)");
    for (const auto& t : tables) {
      const Label labels[] = {{"namespace", t->ns}, {"table", t->name}};
      w.Sample("cairn_ttl_backlog_oldest_seconds", labels, cache_[t->id].backlog.oldest_seconds);
    }
  }

 private:
  struct Counted {
    ttl::Backlog backlog;
    std::string attribute;  // the TTL attribute when counted
    uint64_t deleted;       // the sweeper's items_deleted() when counted
    std::chrono::steady_clock::time_point at;
  };

  api::ServerContext* server_;
  const ttl::Expirer* expirer_;
  std::map<uint32_t, Counted> cache_;  // by table id
};

}  // namespace

void AddServerCollectors(metrics::Registry* registry, const MetricSources& sources) {
  if (sources.http != nullptr)
    registry->AddCollector([http = sources.http](TextWriter& w) { WriteConnections(w, *http); });
  api::ServerContext* server = sources.server;
  registry->AddCollector([server](TextWriter& w) { WriteStorage(w, *server->engine); });
  registry->AddCollector(
      [counts = std::make_shared<TableCounts>(server)](TextWriter& w) { counts->Write(w); });
  // An engine that numbers records per storage shard (RADOS) keeps no dense numbers: no gauge.
  if (server->streams != nullptr && server->engine->ShardedStreamRecords() == nullptr) {
    registry->AddCollector([streams = server->streams](TextWriter& w) {
      // Sequence numbers are dense over all streams: what lies between the trim horizon and the
      // next number is what is kept.
      const uint64_t next = streams->next_sequence(), horizon = streams->trim_horizon();
      Gauge(w, "cairn_stream_records_retained",
            "Stream records kept, over all streams (not yet trimmed past the retention)",
            static_cast<double>(next > horizon ? next - horizon : 0));
    });
  }
  if (sources.expirer != nullptr) {
    registry->AddCollector([expirer = sources.expirer](TextWriter& w) {
      Counter(w, "cairn_ttl_sweeps_total", "Time to Live sweeps finished", expirer->sweeps());
      Counter(w, "cairn_ttl_items_deleted_total", "Items deleted by Time to Live",
              expirer->items_deleted());
    });
    registry->AddCollector([backlog = std::make_shared<TtlBacklog>(server, sources.expirer)](
                               TextWriter& w) { backlog->Write(w); });
  }
  if (sources.backfiller != nullptr) {
    registry->AddCollector([backfiller = sources.backfiller](TextWriter& w) {
      Gauge(w, "cairn_index_backfills_running",
            "Global secondary indexes being built (IndexStatus CREATING)",
            static_cast<double>(backfiller->running()));
      Counter(w, "cairn_index_backfill_items_total",
              "Items indexed by index backfills since the server started",
              backfiller->items_indexed());
    });
  }
}

http::Handler MetricsHandler(metrics::Registry* registry) {
  return [registry](const http::Request& req, http::Response& resp) {
    std::string_view path = req.url.substr(0, req.url.find_first_of("?#"));
    resp.content_type = "text/plain; charset=utf-8";
    if (req.method != "GET" && req.method != "HEAD") {
      resp.status = 405;
      resp.headers.emplace_back("Allow", "GET, HEAD");
      resp.body = "405 method not allowed: GET /metrics\n";
    } else if (path != "/metrics") {
      resp.status = 404;
      resp.body = "404 not found: the metrics are at /metrics\n";
    } else {
      resp.status = 200;
      resp.content_type = std::string(metrics::kContentType);
      resp.body = registry->Scrape();
      http::EncodeResponse(req, resp);
    }
  };
}

}  // namespace cairn
