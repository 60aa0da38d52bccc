#include "config.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "dynamodb_local_flags.h"

namespace cairn {
namespace {

constexpr std::string_view kFooter = R"(Every flag can also be set in the environment: --data-dir DIR as CAIRN_DATA_DIR=DIR,
--in-memory as CAIRN_IN_MEMORY=1 (the command line wins).

DynamoDB Local's command line works as it is:
  -port N  -inMemory  -dbPath DIR  -sharedDb  -cors LIST  -help  -version
  -delayTransientStatuses (= --delay-transient-statuses 2000)
  -optimizeDbBeforeStartup  -disableTelemetry
    (these two are accepted and change nothing; the log says so)

Examples:
  cairn                                     serve on 127.0.0.1:8000, data in ./data
  cairn --port 9000 --data-dir /var/lib/cairn
  cairn --https-port 8443 --tls-cert cert.pem --tls-key key.pem
                                            HTTPS on 8443 beside HTTP on 8000; kill -HUP
                                            rereads the certificate and key
  cairn --host 0.0.0.0 --credentials FILE   serve others: signed requests only
  cairn --in-memory --shared-db             one set of tables for every key and region
  cairn --engine rados --rados-conf /etc/ceph/ceph.conf --rados-pool cairn
                                            tables in a Ceph RADOS pool (docs/rados.md)
  cairn -port 8000 -inMemory -sharedDb      the same, as DynamoDB Local is started
)";

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

bool LooksLikeNumber(std::string_view s) {
  return s.size() > 1 && s[0] == '-' &&
         (std::isdigit(static_cast<unsigned char>(s[1])) || s[1] == '.');
}

// The first argument that names no flag, with the nearest known flag; empty when all are known.
std::string UnknownFlag(const CLI::App& app, const std::vector<std::string>& args) {
  std::vector<std::string> known = DynamoDbLocalFlagNames();
  for (const CLI::Option* o : app.get_options()) {
    for (const std::string& n : o->get_lnames()) known.push_back("--" + n);
    for (const std::string& n : o->get_snames()) known.push_back("-" + n);
  }
  bool value_next = false;
  for (const std::string& a : args) {
    if (value_next) {
      value_next = false;
      continue;
    }
    if (a.size() < 2 || a[0] != '-' || LooksLikeNumber(a)) continue;
    const std::string name = a.substr(0, a.find('='));
    const CLI::Option* o = app.get_option_no_throw(name);
    if (o != nullptr) {
      value_next = name.size() == a.size() && o->get_expected_min() > 0;
      continue;
    }
    std::string nearest;
    size_t best = SIZE_MAX;
    for (const std::string& k : known) {
      const size_t d = EditDistance(name, k);
      if (d < best) best = d, nearest = k;
    }
    return "cairn: unknown option " + name + "; did you mean " + nearest + "?";
  }
  return "";
}

// --help without type annotations or validator texts: "--port N  (default 8000)".
class PlainFormatter : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* o) const override {
    if (o->get_expected_max() == 0) return "";  // a flag
    std::string s = " " + Placeholder(o);
    if (!o->get_default_str().empty()) s += "  (default " + o->get_default_str() + ")";
    return s;
  }

 private:
  static std::string Placeholder(const CLI::Option* o) {
    const std::string& n = o->get_lnames().front();
    if (n == "data-dir") return "DIR";
    if (n == "engine") return "NAME";
    if (n == "rados-conf") return "FILE";
    if (n == "rados-pool") return "NAME";
    if (n == "credentials") return "FILE";
    if (n == "host" || n == "allow-host") return "NAME";
    if (n == "log-level") return "LEVEL";
    if (n == "log-format") return "FORMAT";
    if (n == "event-loop") return "KIND";
    if (n == "faults") return "FILE";
    if (n == "tls-cert" || n == "tls-key") return "FILE";
    if (n == "shutdown-grace") return "MS";
    return "N";
  }
};

// CAIRN_DATA_DIR for --data-dir.
std::string EnvName(std::string_view long_name) {
  std::string env = "CAIRN_";
  for (char ch : long_name)
    env.push_back(ch == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  return env;
}

// --engine rados needs its two flags, and they mean nothing without it; empty when consistent.
std::string CheckEngineFlags(const Config& c) {
  if (c.engine == "rados") {
    if (c.rados_conf.empty() || c.rados_pool.empty())
      return "--engine rados needs --rados-conf FILE and --rados-pool NAME";
    if (c.in_memory) return "--in-memory is for the rocksdb engine, not --engine rados";
  } else if (!c.rados_conf.empty() || !c.rados_pool.empty()) {
    return "--rados-conf and --rados-pool need --engine rados";
  } else if (c.rados_workers >= 0) {
    return "--rados-workers needs --engine rados";
  } else if (c.rados_shard_keys >= 0) {
    return "--rados-shard-keys needs --engine rados";
  }
  return "";
}

// The TLS flags come together; empty when they are consistent.
std::string CheckTlsFlags(const Config& c) {
  const bool https = c.https_port >= 0;
  if (https && (c.tls_cert.empty() || c.tls_key.empty()))
    return "--https-port needs both --tls-cert and --tls-key";
  if (!https && (!c.tls_cert.empty() || !c.tls_key.empty()))
    return "--tls-cert and --tls-key are for HTTPS: give --https-port too";
  if (!https && c.https_only) return "--https-only needs --https-port";
  if (https && !c.https_only && c.https_port != 0 && c.https_port == c.port)
    return "--https-port and --port must differ (or give --https-only)";
  return "";
}

}  // namespace

bool ParseConfig(int argc, char** argv, Config* c, int* exit_code) {
  CLI::App app{"cairn: a DynamoDB-compatible database server"};
  app.footer(std::string(kFooter));
  app.formatter(std::make_shared<PlainFormatter>());
  app.get_formatter()->column_width(36);
  app.set_version_flag("--version", std::string("cairn ") + CAIRN_VERSION + " (commit " +
                                        CAIRN_COMMIT + ")");
  app.add_option("--host", c->host, "Address to listen on")->capture_default_str();
  app.add_option("--port", c->port, "TCP port")->capture_default_str()->check(CLI::Range(0, 65535));
  app.add_option("--threads", c->threads, "Event-loop threads (0: one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  app.add_option("--event-loop", c->event_loop,
                 "How the event loops wait and do their I/O: epoll, or io_uring (receives and "
                 "sends in batches; epoll where the kernel lacks it)")
      ->capture_default_str()
      ->check(CLI::IsMember({"epoll", "io_uring"}));
  app.add_option("--data-dir", c->data_dir, "Directory for on-disk storage")->capture_default_str();
  app.add_flag("--in-memory", c->in_memory, "Keep everything in memory; nothing on disk");
  app.add_flag("--shared-db", c->shared_db,
               "One namespace for all credentials and regions (as DynamoDB Local's -sharedDb)");
  app.add_flag("--sync", c->sync, "fsync every write group (power-loss durability)");
  app.add_option("--engine", c->engine,
                 "Storage engine: rocksdb (local, --data-dir or --in-memory) or rados (a Ceph "
                 "RADOS pool: --rados-conf and --rados-pool; docs/rados.md)")
      ->capture_default_str()
      ->check(CLI::IsMember({"rocksdb", "rados"}));
  app.add_option("--rados-conf", c->rados_conf,
                 "With --engine rados: the cluster's ceph.conf (monitors, keyring)");
  app.add_option("--rados-pool", c->rados_pool,
                 "With --engine rados: the pool that holds the tables (must exist)");
  app.add_option("--rados-workers", c->rados_workers,
                 "With --engine rados: threads that run requests, so that many RADOS operations "
                 "are in flight (0: on the event loops; default " +
                     std::to_string(kDefaultRadosWorkers) + ")")
      ->check(CLI::Range(0, 1024));
  app.add_option("--rados-shard-keys", c->rados_shard_keys,
                 "With --engine rados: a table shard (one RADOS object) holding more keys than "
                 "this is split in two, online (default " +
                     std::to_string(kDefaultRadosShardKeys) + "; docs/rados.md)")
      ->check(CLI::Range(int64_t(16), int64_t(1) << 40));
  app.add_option("--cache-mb", c->cache_mb,
                 "Block cache for on-disk data, in MiB (0: a quarter of physical memory, at "
                 "most 4096); it fills only as data is read")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1048576.0));
  app.add_option("--log-level", c->log_level,
                 "trace, debug (one line per request), info, warn, error, off; any case")
      ->capture_default_str()
      ->transform(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"},
                                CLI::ignore_case));
  app.add_option("--log-format", c->log_format,
                 "text, or json (one JSON object per line: time, level, message)")
      ->capture_default_str()
      ->transform(CLI::IsMember({"text", "json"}, CLI::ignore_case));
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
                 "byte (a new connection: from accept, the TLS handshake included); then 408 "
                 "and close. 0: no limit")
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
                 "else all but 512; a larger value is lowered to that)")
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
  app.add_option("--credentials", c->credentials_file,
                 "Verify every request's AWS Signature V4 against this file of "
                 "\"ACCESS_KEY_ID SECRET_ACCESS_KEY\" lines (# comments allowed); SIGHUP rereads "
                 "it. Without it any key and secret are accepted, as in DynamoDB Local");
  app.add_option("--cors", c->cors,
                 "Browser origins allowed to call Cairn (CORS): * for any (the default, as in "
                 "DynamoDB Local), a comma-separated list such as "
                 "\"https://app.example,http://localhost:3000\", or \"\" for none")
      ->capture_default_str();
  app.add_flag("--no-console", c->no_console,
               "Do not serve the web console (http://localhost:8000/console by default)");
  app.add_option("--https-port", c->https_port,
                 "Also serve HTTPS (TLS 1.2 and 1.3) on this TCP port, beside plain HTTP on "
                 "--port; needs --tls-cert and --tls-key (0: an ephemeral port). Off by default")
      ->check(CLI::Range(0, 65535));
  app.add_option("--tls-cert", c->tls_cert,
                 "PEM certificate chain for --https-port (the server's certificate first); "
                 "reread, with --tls-key, on SIGHUP");
  app.add_option("--tls-key", c->tls_key, "PEM private key for --https-port");
  app.add_flag("--https-only", c->https_only,
               "Serve HTTPS alone: no plain-HTTP listener (needs --https-port)");
  app.add_option("--shutdown-grace", c->shutdown_grace_ms,
                 "Milliseconds SIGTERM or SIGINT waits for requests already received to be "
                 "answered (no new connection is accepted meanwhile); then the connections "
                 "still open are closed and the server exits")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 3600000.0));
  app.add_option("--s3-dir", c->s3_dir,
                 "Directory holding the S3 buckets of exports and imports, as DIR/<bucket>/<key> "
                 "(default: <data dir>/s3; with --in-memory a new temporary directory)");
  // For tests only (hidden): makes exports and imports slow enough to observe (and interrupt).
  app.add_option("--test-transfer-delay", c->test_transfer_delay_ms)
      ->group("")
      ->check(CLI::Range(0.0, 1000.0));
  app.add_option("--metrics-port", c->metrics_port,
                 "Serve Prometheus metrics at http://HOST:N/metrics, on a listener of their own "
                 "bound to --host (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  app.add_flag("--metrics", c->metrics_on_main_port,
               "Serve Prometheus metrics at GET /metrics of the main port too (off: DynamoDB "
               "answers that path 404, and so does Cairn)");
  // Testing the unhappy path (README, "Testing retries and failures").
  app.add_flag("--admin", c->admin,
               "Serve the admin API under /cairn/admin/ on the main port: fault rules, reset of "
               "all tables, snapshots of the whole database (for test suites); with "
               "--credentials, for SigV4-signed requests only");
  app.add_option("--faults", c->faults_file,
                 "A JSON file of fault rules (errors, latency, dropped connections, partial "
                 "batches) to inject; reloaded on SIGHUP. Implies --admin")
      ->check(CLI::ExistingFile);
  app.add_option("--faults-seed", c->faults_seed,
                 "Seed of the fault rules' random draws, for a reproducible run (default: the "
                 "rules file's \"seed\", else random)")
      ->check(CLI::Range(int64_t{0}, INT64_MAX));
  app.add_flag("--throttle", c->throttle,
               "Enforce capacity as DynamoDB does: provisioned tables and GSIs get token buckets "
               "(their capacity per second, up to 300 s of unused burst), on-demand ones their "
               "limits, each partition key 3,000 RCU / 1,000 WCU per second; over them, "
               "ProvisionedThroughputExceededException. Also the control plane's documented "
               "request rates (ThrottlingException)");
  app.add_option("--delay-transient-statuses", c->delay_transient_statuses_ms,
                 "Milliseconds tables are CREATING / UPDATING / DELETING after a change (a "
                 "CREATING table is not usable yet), and a new GSI stays CREATING, so SDK "
                 "waiters run their loop "
                 "(DynamoDB Local's -delayTransientStatuses sets 2000). 0: ACTIVE at once")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 600000.0));
  // For tests only (hidden): makes a transaction's conflict window long enough to hit.
  app.add_option("--test-transaction-hold", c->test_transaction_hold_ms)
      ->group("")
      ->check(CLI::Range(0.0, 60000.0));
  // For tests only (hidden): makes backups and restores slow enough to observe, and to restart the
  // server in their middle.
  app.add_option("--test-backup-delay", c->test_backup_delay_ms)
      ->group("")
      ->check(CLI::Range(0.0, 1000.0));
  // For tests only (hidden): storage opens this much later, so that tests can send requests while
  // the port already accepts and storage is not ready (main.cc, http/start_gate.h).
  app.add_option("--test-storage-delay", c->test_storage_delay_ms)
      ->group("")
      ->check(CLI::Range(0.0, 60000.0));
  // Every option: from the environment too, the last of repeated values wins (so a wrapper's
  // defaults can be overridden: ./cairn.sh serve --port 9000), no type annotations in --help.
  for (CLI::Option* o : app.get_options()) {
    if (o->get_lnames().empty() || o->get_lnames()[0] == "help" ||
        o->get_lnames()[0] == "version")
      continue;
    o->envname(EnvName(o->get_lnames()[0]));
    o->type_name("");
    if (o->get_expected_max() <= 1) o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }

  std::vector<std::string> args(argv + 1, argv + argc);
  TranslatedFlags translated = TranslateDynamoDbLocalFlags(args);
  if (!translated.error.empty()) {
    std::fprintf(stderr, "cairn: %s\n", translated.error.c_str());
    *exit_code = 2;
    return false;
  }
  c->startup_notes = std::move(translated.notes);
  if (std::string unknown = UnknownFlag(app, translated.args); !unknown.empty()) {
    std::fprintf(stderr, "%s\nRun with --help for the flags.\n", unknown.c_str());
    *exit_code = 2;
    return false;
  }
  std::vector<char*> cargv = {argv[0]};
  for (std::string& a : translated.args) cargv.push_back(a.data());
  try {
    app.parse(static_cast<int>(cargv.size()), cargv.data());
  } catch (const CLI::ParseError& e) {
    *exit_code = app.exit(e);
    return false;
  }
  if (std::string error = CheckEngineFlags(*c); !error.empty()) {
    std::fprintf(stderr, "cairn: %s\nRun with --help for the flags.\n", error.c_str());
    *exit_code = 2;
    return false;
  }
  if (std::string error = CheckTlsFlags(*c); !error.empty()) {
    std::fprintf(stderr, "cairn: %s\nRun with --help for the flags.\n", error.c_str());
    *exit_code = 2;
    return false;
  }
  return true;
}

}  // namespace cairn
