#include "config.h"

#include <CLI/CLI.hpp>

namespace cairn {

bool ParseConfig(int argc, char** argv, Config* c, int* exit_code) {
  CLI::App app{"cairn: a DynamoDB-compatible database server"};
  app.set_version_flag("--version", "cairn 0.1.0");
  app.add_option("--host", c->host, "Address to listen on")->capture_default_str();
  app.add_option("--port", c->port, "TCP port")->capture_default_str()->check(CLI::Range(0, 65535));
  app.add_option("--threads", c->threads, "Event-loop threads (0: one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  app.add_option("--data-dir", c->data_dir, "Directory for on-disk storage")->capture_default_str();
  app.add_flag("--in-memory", c->in_memory, "Keep everything in memory; nothing on disk");
  app.add_flag("--shared-db", c->shared_db,
               "One namespace for all credentials and regions (as DynamoDB Local's -sharedDb)");
  app.add_flag("--sync", c->sync, "fsync every write group (power-loss durability)");
  app.add_option("--cache-mb", c->cache_mb,
                 "Block cache for on-disk data, in MiB (0: a quarter of physical memory, at "
                 "most 4096); it fills only as data is read")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1048576.0));
  app.add_option("--log-level", c->log_level, "trace, debug, info, warn, error, off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--ttl-interval", c->ttl_interval_seconds,
                 "Seconds between sweeps for items whose Time to Live has passed")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 86400.0));
  // For tests: DynamoDB's fixed limits, shortened.
  app.add_option("--stream-retention", c->stream_retention_seconds,
                 "Seconds stream records are kept (DynamoDB: 86400)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 1e9));
  app.add_option("--iterator-lifetime", c->iterator_lifetime_seconds,
                 "Seconds a shard iterator stays valid (DynamoDB: 900)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 1e9));
  app.add_option("--conflict-wait", c->conflict_wait_ms,
                 "Milliseconds a write waits for a transaction running on the same item before "
                 "failing with TransactionConflict")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 60000.0));
  // The HTTP front's bounds (http/server.h, "Bounds").
  app.add_option("--header-timeout", c->header_timeout_seconds,
                 "Seconds a client has to send a request's line and headers, from their first "
                 "byte (a new connection: from accept); then 408 and close. 0: no limit")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--body-timeout", c->body_timeout_seconds,
                 "Seconds a request body may pause; after that long it must also average "
                 "--min-body-rate. Then 408 and close. 0: no limit")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--min-body-rate", c->min_body_rate,
                 "Bytes per second a request body must average once --body-timeout has passed "
                 "(0: no minimum)")
      ->capture_default_str();
  app.add_option("--idle-timeout", c->idle_timeout_seconds,
                 "Seconds a keep-alive connection may wait between requests before it is "
                 "closed. 0: no limit")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--write-timeout", c->write_timeout_seconds,
                 "Seconds a client may leave its answer unread (no byte taken) before the "
                 "connection is closed. 0: no limit")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--max-connections", c->max_connections,
                 "Open client connections at most; one more is answered 503 and closed "
                 "(0: the descriptor limit less a reserve for storage: half of it up to 1024, "
                 "else all but 512)")
      ->capture_default_str();
  app.add_option("--max-body-buffer-mb", c->max_body_buffer_mb,
                 "MiB of request bodies over 64 KiB held at once, over all connections; a "
                 "large body that does not fit is answered 503 before it is read (0: no limit)")
      ->capture_default_str();
  app.add_option("--allow-host", c->allow_hosts,
                 "A Host name (no port) accepted in requests besides localhost, 127.0.0.1, "
                 "[::1] and --host; repeatable. While bound to loopback, or once this flag is "
                 "given, other Host headers get 403 (a defence against DNS rebinding)")
      ->allow_extra_args(false)
      ->take_all();
  // For tests only (hidden): makes a transaction's conflict window long enough to hit.
  app.add_option("--test-transaction-hold", c->test_transaction_hold_ms)
      ->group("")
      ->check(CLI::Range(0.0, 60000.0));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    *exit_code = app.exit(e);
    return false;
  }
  return true;
}

}  // namespace cairn
