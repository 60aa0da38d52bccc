// cairn: flags -> Config -> storage engine -> catalog -> dispatcher -> HTTP(S) server; runs until
// SIGINT or SIGTERM, then stops accepting, answers the requests already received (for at most
// --shutdown-grace), and closes the engine (the WAL already holds every acknowledged write).
// SIGHUP rereads the --credentials file, the --faults file and the TLS certificate and key.
#include <filesystem>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/dispatch.h"
#include "auth/credential_file.h"
#include "config.h"
#include "log_format.h"
#include "http/parser_execute.h"
#include "http/server.h"
#include "http/start_gate.h"
#include "http/tls.h"
#include "metrics/registry.h"
#include "api/server_metrics.h"
#include "backfill/backfill.h"
#include "faults/injector.h"
#include "backup/backups.h"
#include "transfer/transfers.h"
#include "streams/stream_log.h"
#include "ttl/expirer.h"
#include "storage/catalog.h"
#include "storage/database_snapshots.h"
#include "storage/engine.h"
#include "storage/log_barrier.h"
#include "storage/rados_plugin.h"
#include "txn/lock_table.h"
#include "util/free_memory.h"
#include "write/item_writer.h"

namespace {

// The signals the main thread takes with sigtimedwait(): blocked in every thread, so no handler
// runs in an arbitrary one and a signal sent during start-up waits until there is a server.
sigset_t ControlSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

// Waits for SIGINT or SIGTERM (or for the server to end by itself); each SIGHUP meanwhile runs
// `reload` (as ordinary code on this thread, not in a signal handler).
void ServeUntilStopSignal(const sigset_t& signals, const cairn::http::Server& http,
                          const std::function<void()>& reload) {
  for (;;) {
    timespec tick{0, 200 * 1000 * 1000};
    const int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) {
      spdlog::info("{}: shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
      return;
    }
    if (sig == SIGHUP) {
      reload();
      continue;
    }
    if (http.stopped()) return;  // the event loops ended on their own (already logged)
  }
}

// "127.0.0.1:8000"; "[::1]:8000"
std::string Address(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

// --cache-mb, or by default a quarter of physical memory, between 64 MiB and 4 GiB: a data set
// that fits is then read without decompressing blocks or copying them from the page cache.
size_t BlockCacheBytes(double cache_mb) {
  if (cache_mb > 0) return static_cast<size_t>(cache_mb * (1 << 20));
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  const size_t physical = pages > 0 && page_size > 0 ? size_t(pages) * size_t(page_size) : 0;
  return std::clamp(physical / 4, size_t{64} << 20, size_t{4} << 30);
}

// Raises the soft RLIMIT_NOFILE to the hard limit (connections are descriptors) and returns the
// soft limit now in force.
rlim_t RaiseDescriptorLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return lim.rlim_cur;
}

// --max-connections 0: what the descriptor limit leaves after a reserve for storage (RocksDB's
// files, its WAL) and the server's own: half of a small limit, all but 512 of a large one.
size_t DefaultMaxConnections(rlim_t nofile) {
  if (nofile == RLIM_INFINITY || nofile > (rlim_t{1} << 30)) nofile = rlim_t{1} << 30;
  const size_t n = static_cast<size_t>(nofile);
  return std::max<size_t>(n <= 1024 ? n / 2 : n - 512, 1);
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

// The Host names requests may give (http/server.h): when bound to loopback, or when --allow-host
// is given, the loopback names, the bound address and the --allow-host names; else any.
std::vector<std::string> AllowedHosts(const cairn::Config& config) {
  if (!IsLoopback(config.host) && config.allow_hosts.empty()) return {};
  std::vector<std::string> hosts = {"localhost", "127.0.0.1", "[::1]"};
  auto add = [&hosts](std::string name) {
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (name.find(':') != std::string::npos && name.front() != '[') name = "[" + name + "]";
    hosts.push_back(std::move(name));
  };
  add(config.host);
  for (const std::string& h : config.allow_hosts) add(h);
  return hosts;
}

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// Where the data is, for the log: "data in DIR", "no data dir", "pool P of CONF".
std::string StorageName(const cairn::Config& config) {
  if (config.engine == "rados") return "pool " + config.rados_pool + " of " + config.rados_conf;
  return config.in_memory ? "no data dir" : "data in " + config.data_dir;
}

// The storage engine --engine names (config.cc checked its flags).
cairn::Result<std::unique_ptr<cairn::storage::Engine>> OpenEngine(const cairn::Config& config) {
  if (config.engine == "rados") {
    cairn::storage::RadosOptions rados;
    rados.conf_file = config.rados_conf;
    rados.pool = config.rados_pool;
    rados.conflict_wait_ms = config.conflict_wait_ms;
    rados.shard_keys = uint64_t(config.rados_shard_keys >= 0 ? config.rados_shard_keys
                                                             : cairn::kDefaultRadosShardKeys);
    return cairn::storage::OpenRadosPlugin(rados, CAIRN_VERSION " " CAIRN_COMMIT);
  }
  cairn::storage::Options opts;
  opts.data_dir = config.data_dir;
  opts.in_memory = config.in_memory;
  opts.sync = config.sync;
  opts.block_cache_bytes = BlockCacheBytes(config.cache_mb);
  return cairn::storage::OpenRocksDBEngine(opts);
}

// Where S3 buckets live (--s3-dir): the flag, else <data dir>/s3, else (--in-memory) a new
// temporary directory, named in the log, which outlives the server: its exports are the user's.
std::filesystem::path S3Root(const cairn::Config& config) {
  if (!config.s3_dir.empty()) return config.s3_dir;
  if (!config.in_memory) return std::filesystem::path(config.data_dir) / "s3";
  std::string dir = (std::filesystem::temp_directory_path() / "cairn-s3-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) {
    spdlog::warn("cannot create a temporary S3 directory: exports and imports will fail");
    return std::filesystem::temp_directory_path() / "cairn-s3";
  }
  spdlog::info("--in-memory: exports and imports use the S3 directory {}", dir);
  return dir;
}

// The rules file's text; InvalidArgument naming the file when it cannot be read.
cairn::Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return cairn::Status::InvalidArgument("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Loads the --faults file into `injector` (its rules replace the current ones; --faults-seed, if
// given, wins over the file's seed). A bad file changes nothing.
cairn::Status LoadFaults(const cairn::Config& config, cairn::faults::FaultInjector* injector) {
  auto text = ReadFile(config.faults_file);
  if (!text.ok()) return text.status();
  cairn::Status s = injector->Replace(*text);
  if (!s.ok()) return cairn::Status::InvalidArgument(config.faults_file + ": " + s.message());
  if (config.faults_seed >= 0) injector->Reseed(static_cast<uint64_t>(config.faults_seed));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const auto started = std::chrono::steady_clock::now();  // for the start-up line at debug level
  // SIGINT, SIGTERM and SIGHUP stay blocked in every thread (all are started from here, so they
  // inherit the mask); the main thread takes them with sigtimedwait() once the server listens.
  const sigset_t control_signals = ControlSignals();
  pthread_sigmask(SIG_BLOCK, &control_signals, nullptr);

  cairn::Config config;
  int exit_code = 0;
  if (!cairn::ParseConfig(argc, argv, &config, &exit_code)) return exit_code;
  cairn::ConfigureLogging(config.log_level, config.log_format);
  for (const std::string& note : config.startup_notes) spdlog::info("{}", note);
  // --credentials: read before anything starts; a bad file stops the start-up, naming the line.
  std::unique_ptr<cairn::auth::CredentialStore> credentials;
  if (!config.credentials_file.empty()) {
    credentials = std::make_unique<cairn::auth::CredentialStore>();
    auto loaded = credentials->Load(config.credentials_file);
    if (!loaded.ok()) {
      spdlog::critical("--credentials: {}", loaded.status().message());
      return 1;
    }
    spdlog::info("verifying request signatures: {} access keys from {}", *loaded,
                 config.credentials_file);
    struct stat st {};
    if (stat(config.credentials_file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      spdlog::warn("{} holds secret keys but other users may read it (mode {:04o}): chmod 600 it",
                   config.credentials_file, static_cast<unsigned>(st.st_mode & 07777));
    }
  } else if (!IsLoopback(config.host)) {
    spdlog::warn("listening on {} without --credentials: anyone who can reach the port can read "
                 "and write every table; give --credentials FILE to verify request signatures",
                 config.host);
  }
  // The data directory and every file in it are the owner's alone (0700, 0600): tables are not
  // for other local users to read.
  umask(077);
  cairn::faults::FaultInjector faults;
  if (config.faults_seed >= 0) faults.Reseed(static_cast<uint64_t>(config.faults_seed));
  if (!config.faults_file.empty()) {
    if (auto s = LoadFaults(config, &faults); !s.ok()) {
      spdlog::critical("cannot load the fault rules: {}", s.message());
      return 1;
    }
    spdlog::info("fault rules loaded from {}; admin API under /cairn/admin/", config.faults_file);
  } else if (config.admin) {
    spdlog::info("admin API under /cairn/admin/");
  }
  if ((config.admin || !config.faults_file.empty()) && !IsLoopback(config.host))
    spdlog::warn("the admin API (/cairn/admin/) is served on {} without authentication: anyone "
                 "who can reach the port can drop every table; it is meant for test machines",
                 config.host);
  const rlim_t nofile = RaiseDescriptorLimit();
  // Freed memory goes back to the system within a fraction of a second (util/free_memory.h).
  cairn::FreeMemoryReturner free_memory_returner;
  // HTTPS: a certificate or key that cannot be used stops the start, before any data is opened.
  std::shared_ptr<cairn::http::TlsContext> tls;
  if (config.https_port >= 0) {
    auto created = cairn::http::TlsContext::Create(config.tls_cert, config.tls_key);
    if (!created.ok()) {
      spdlog::critical("cannot serve HTTPS: {}", created.status().message());
      return 1;
    }
    tls = std::move(created).value();
  }

  // Start-up order: the listeners open first, then storage (on a large data directory RocksDB
  // replays its write-ahead log and opens its table files, which can take seconds). Until storage
  // and everything reading it are ready, the gate holds the requests that arrive (each waits on
  // its event loop), so a client can connect at once and is answered once the data is there.
  auto millis_since_start = [&started] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
        .count();
  };
  // --metrics / --metrics-port: the registry the dispatcher records into (metrics/registry.h).
  const bool metrics_on = config.metrics_port != 0 || config.metrics_on_main_port;
  std::unique_ptr<cairn::metrics::Registry> metrics;
  if (metrics_on) {
    metrics = std::make_unique<cairn::metrics::Registry>(
        cairn::api::MetricOperationNames(), cairn::api::MetricErrorTypeNames(),
        cairn::metrics::BuildInfo{CAIRN_VERSION, CAIRN_COMMIT});
  }
  cairn::http::StartGate gate;  // before the servers: it outlives them (http/start_gate.h)
  std::unique_ptr<cairn::api::Dispatcher> dispatcher;  // set once storage is open
  // RocksDB on disk without --sync writes its WAL out when answers are about to leave, once per
  // event-loop turn (storage/log_barrier.h). A WAL that cannot be written stops the process at
  // once, before the answers go: none of them may tell of a write the log does not hold (as
  // PostgreSQL does on a WAL write failure); a restart recovers what the log holds.
  cairn::storage::LogBarrier log_barrier([](const cairn::Status& s) {
    spdlog::critical("storage: the write-ahead log could not be written ({}); stopping now, so "
                     "that no answer tells of a write it may not hold",
                     s.ToString());
    spdlog::default_logger()->flush();
    std::_Exit(70);
  });

  cairn::http::ServerOptions http_opts;
  http_opts.host = config.host;
  http_opts.port = config.https_only ? -1 : config.port;
  http_opts.tls_port = config.https_port;
  http_opts.tls = tls;
  http_opts.threads = config.threads;
  http_opts.event_loop = config.event_loop == "io_uring" ? cairn::http::EventLoopKind::kIoUring
                                                         : cairn::http::EventLoopKind::kEpoll;
  // RADOS: every request blocks on network round trips, so a pool of workers runs them and the
  // event loops keep serving; RocksDB answers in microseconds on the loops themselves.
  if (config.engine == "rados") {
    http_opts.workers =
        config.rados_workers >= 0 ? config.rados_workers : cairn::kDefaultRadosWorkers;
  }
  http_opts.header_timeout = Millis(config.header_timeout_seconds);
  http_opts.body_timeout = Millis(config.body_timeout_seconds);
  http_opts.min_body_rate = config.min_body_rate;
  http_opts.idle_timeout = Millis(config.idle_timeout_seconds);
  http_opts.write_timeout = Millis(config.write_timeout_seconds);
  http_opts.max_connections = DefaultMaxConnections(nofile);
  if (config.max_connections != 0 && config.max_connections <= http_opts.max_connections) {
    http_opts.max_connections = config.max_connections;
  } else if (config.max_connections != 0) {
    // More connections than descriptors would let clients exhaust them; each event loop's spare
    // descriptor then answers 503, but two loops racing for a freed descriptor can leave one
    // without its spare. So the cap stays below the limit, less a reserve for storage.
    spdlog::warn("--max-connections {} lowered to {}: the descriptor limit is {}",
                 config.max_connections, http_opts.max_connections, static_cast<uint64_t>(nofile));
  }
  http_opts.max_buffered_body_bytes = config.max_body_buffer_mb << 20;
  if (config.engine != "rados" && !config.in_memory && !config.sync)  // the WAL is buffered
    http_opts.before_output = [&log_barrier] { log_barrier.Run(); };
  http_opts.allowed_hosts = AllowedHosts(config);
  // Errors the HTTP layer answers itself (oversized or malformed requests) in DynamoDB's shape.
  http_opts.error_body = [](int status, cairn::http::Response& resp) {
    using cairn::api::ApiError;
    ApiError e = status == 403   ? ApiError::HostNotAllowed()
                 : status == 408 ? ApiError::RequestTimeout()
                 : status == 413 ? ApiError::RequestEntityTooLarge()
                 : status == 503 ? ApiError::ServiceUnavailable()
                 : status >= 500 && status != 505 ? ApiError::InternalServerError()
                                                  : ApiError::Serialization("");
    resp.content_type = "application/x-amz-json-1.0";
    resp.body = e.Body();
    resp.headers.emplace_back("x-amz-crc32", std::to_string(cairn::api::BodyCrc32(resp.body)));
  };
  cairn::http::Server http(
      http_opts, gate.Guard(
                     [&dispatcher](const cairn::http::Request& req, cairn::http::Response& resp) {
                       dispatcher->Handle(req, resp);
                     },
                     http_opts.error_body));

  // The metrics listener: one event loop on --host:--metrics-port, with the main port's bounds.
  std::unique_ptr<cairn::http::Server> metrics_http;
  if (metrics_on && config.metrics_port != 0) {
    cairn::http::ServerOptions metrics_opts = http_opts;
    metrics_opts.port = config.metrics_port;
    metrics_opts.tls_port = -1;  // plain HTTP only
    metrics_opts.tls = nullptr;
    metrics_opts.threads = 1;
    metrics_opts.workers = 0;  // the figures are in memory
    metrics_opts.max_connections = 64;
    metrics_opts.max_buffered_body_bytes = 0;
    metrics_opts.max_body_bytes = 64 * 1024;
    metrics_opts.error_body = nullptr;  // plain answers: this port is not DynamoDB's
    metrics_opts.before_output = nullptr;  // figures, no item: nothing to make durable first
    metrics_http = std::make_unique<cairn::http::Server>(
        metrics_opts, gate.Guard(cairn::MetricsHandler(metrics.get()), nullptr));
  }
  signal(SIGPIPE, SIG_IGN);

  // Before the main port: a client that sees the main port up finds the metrics up too.
  if (metrics_http) {
    if (auto s = metrics_http->Start(); !s.ok()) {
      spdlog::critical("cannot listen for metrics on {}:{}: {}", config.host, config.metrics_port,
                       s.ToString());
      return 1;
    }
    spdlog::info("metrics at http://{}:{}/metrics", config.host, metrics_http->port());
  }
  if (auto s = http.Start(); !s.ok()) {
    spdlog::critical("cannot listen on {}: {}", config.host, s.ToString());
    return 1;
  }
  const double listening_ms = millis_since_start();
  // Any return below before the gate opens (storage that cannot be opened, ...) answers the held
  // requests 503 and sends those answers (a short graceful shutdown), so that stopping the servers
  // neither waits for loops blocked in the gate nor cuts the answers off.
  struct FailGateOnReturn {
    cairn::http::StartGate* gate;
    cairn::http::Server* http;
    cairn::http::Server* metrics_http;
    ~FailGateOnReturn() {
      if (gate->open()) return;  // served: main() shut the servers down itself
      gate->Fail();
      http->Shutdown(std::chrono::seconds(1));
      if (metrics_http != nullptr) metrics_http->Shutdown(std::chrono::seconds(1));
    }
  } fail_gate_on_return{&gate, &http, metrics_http.get()};

  if (config.test_storage_delay_ms > 0) {  // hidden testing flag: see README
    std::this_thread::sleep_for(
        std::chrono::microseconds(static_cast<int64_t>(config.test_storage_delay_ms * 1000)));
  }
  auto engine = OpenEngine(config);
  if (!engine.ok()) {
    spdlog::critical("cannot open storage {}: {}", StorageName(config),
                     engine.status().ToString());
    return 1;
  }
  // Until the engine closes (main's return, or any earlier one), the loops flush its log.
  log_barrier.Attach(engine->get());
  struct DetachOnReturn {
    cairn::storage::LogBarrier* barrier;
    ~DetachOnReturn() { barrier->Detach(); }
  } detach_on_return{&log_barrier};
  const double storage_ms = millis_since_start() - listening_ms;
  cairn::storage::Catalog catalog(engine->get());
  // Servers sharing a RADOS pool may start together: Load's one write (the namespace format's
  // marker, on a new pool) then loses the catalog's version guard on all but one of them; their
  // engines reload the version, and loading again succeeds. Bounded: 50 tries, 100 ms apart.
  cairn::Status catalog_read = catalog.Load();
  for (int tries = 1; !catalog_read.ok() && config.engine == "rados" && tries < 50; ++tries) {
    spdlog::warn("reading the catalog: {}; again", catalog_read.ToString());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    catalog_read = catalog.Load();
  }
  if (!catalog_read.ok()) {
    spdlog::critical("cannot read the catalog: {}", catalog_read.ToString());
    return 1;
  }
  // Another server's CreateTable, UpdateTable or DeleteTable on the pool: seen at once.
  cairn::storage::WatchRadosPlugin(engine->get(), [&catalog] { return catalog.Reload(); });
  auto locks = std::make_unique<cairn::txn::LockTable>();  // 768 KB: not on the stack
  cairn::streams::StreamLog streams(engine->get(), config.stream_retention_seconds);
  if (auto s = streams.Load(); !s.ok()) {
    spdlog::critical("cannot read the stream records: {}", s.ToString());
    return 1;
  }
  cairn::write::ItemWriter::Options write_opts;
  write_opts.conflict_wait =
      std::chrono::microseconds(static_cast<int64_t>(config.conflict_wait_ms * 1000));
  if (config.test_transaction_hold_ms > 0) {  // hidden testing flag: see README
    const auto hold =
        std::chrono::microseconds(static_cast<int64_t>(config.test_transaction_hold_ms * 1000));
    write_opts.on_transaction_locked = [hold] { std::this_thread::sleep_for(hold); };
  }
  cairn::write::ItemWriter writer(engine->get(), &catalog, locks.get(), &streams,
                                  std::move(write_opts));
  const std::chrono::milliseconds transient_delay(
      static_cast<int64_t>(config.delay_transient_statuses_ms));
  cairn::backfill::Backfiller backfiller(engine->get(), &catalog, &writer, transient_delay);
  cairn::api::TransientStatuses transient(transient_delay);
  cairn::throttle::Throttler throttler;
  backfiller.ResumeAll();
  cairn::backup::Backups::Options backup_opts;
  backup_opts.item_delay =  // hidden testing flag: see README
      std::chrono::microseconds(static_cast<int64_t>(config.test_backup_delay_ms * 1000));
  cairn::backup::Backups backups(engine->get(), &catalog, &writer, backup_opts);
  if (auto s = backups.Start(); !s.ok()) {
    spdlog::critical("cannot read the backups: {}", s.ToString());
    return 1;
  }
  cairn::transfer::Transfers::Options transfer_opts;
  transfer_opts.s3_root = S3Root(config);
  transfer_opts.item_delay =  // hidden testing flag: see README
      std::chrono::microseconds(static_cast<int64_t>(config.test_transfer_delay_ms * 1000));
  cairn::transfer::Transfers transfers(engine->get(), &catalog, &writer, transfer_opts);
  if (auto s = transfers.Start(); !s.ok()) {
    spdlog::critical("cannot read the exports and imports: {}", s.ToString());
    return 1;
  }
  cairn::api::ServerContext server{config,  engine->get(), &catalog,
                                   &writer, &backfiller,   &streams, credentials.get()};
  server.backups = &backups;
  cairn::storage::DatabaseSnapshots snapshots(engine->get(), &catalog);
  server.faults = &faults;
  server.transfers = &transfers;
  server.snapshots = &snapshots;
  server.transient = &transient;
  if (config.throttle) server.throttler = &throttler;
  server.admin = config.admin || !config.faults_file.empty();
  cairn::ttl::Expirer expirer(engine->get(), &catalog, &writer, &streams,
                              config.ttl_interval_seconds);
  expirer.Start();
  if (metrics_on) {
    cairn::AddServerCollectors(metrics.get(), {&http, &server, &expirer, &backfiller});
  }
  dispatcher = std::make_unique<cairn::api::Dispatcher>(&server, metrics.get());
  spdlog::debug("start-up: listening {:.1f} ms after main() began, serving after {:.1f} ms "
                "(storage opened in {:.1f} ms)",
                listening_ms, millis_since_start(), storage_ms);
  std::string listening;
  if (http.port() >= 0) listening = Address(config.host, http.port());
  if (http.tls_port() >= 0) {
    listening += (listening.empty() ? "" : ", ") + Address(config.host, http.tls_port()) +
                 " (HTTPS)";
  }
  if (config.metrics_on_main_port)
    spdlog::info("metrics at GET /metrics of {}", listening);
  spdlog::info(
      "cairn {} (commit {}) listening on {}; engine {}; {}; at most {} connections, "
      "{} descriptors; HTTP parser {}",
      CAIRN_VERSION, CAIRN_COMMIT, listening,
      config.engine == "rados" ? "rados" : config.in_memory ? "rocksdb in memory" : "rocksdb on disk",
      StorageName(config), http_opts.max_connections,
      static_cast<uint64_t>(nofile), cairn::http::ParserBuild());
  // After the line above: an answer to a request held while storage opened follows it in the log.
  gate.Open();
  // SIGHUP: what can change while serving is reread; a bad new file keeps what is in force.
  auto reload = [&credentials, &config, &tls, &faults] {
    if (credentials != nullptr) {
      auto loaded = credentials->Load(config.credentials_file);
      if (loaded.ok()) {
        spdlog::info("SIGHUP: {} access keys reloaded from {}", *loaded, config.credentials_file);
      } else {
        spdlog::error("SIGHUP: credentials not reloaded, the {} access keys loaded before stay in "
                      "force: {}",
                      credentials->size(), loaded.status().message());
      }
    }
    if (tls != nullptr) {
      if (auto st = tls->Reload(); st.ok()) {
        spdlog::info("SIGHUP: TLS certificate {} and key {} reloaded", tls->cert_file(),
                     tls->key_file());
      } else {
        spdlog::error("SIGHUP: TLS certificate not reloaded, the previous one stays in use: {}",
                      st.message());
      }
    }
    if (!config.faults_file.empty()) {
      if (auto s = LoadFaults(config, &faults); !s.ok()) {
        spdlog::error("SIGHUP: fault rules not reloaded, the previous ones stay: {}", s.message());
      } else {
        spdlog::info("SIGHUP: fault rules reloaded from {}", config.faults_file);
      }
    }
    if (credentials == nullptr && tls == nullptr && config.faults_file.empty())
      spdlog::info("SIGHUP: nothing to reload");
  };
  ServeUntilStopSignal(control_signals, http, reload);
  // Graceful: no new connections; what was received is answered, for at most the grace period.
  const auto grace = std::chrono::milliseconds(static_cast<int64_t>(config.shutdown_grace_ms));
  const size_t cut = http.Shutdown(grace);
  if (cut == 0) {
    spdlog::info("shutdown: every request received was answered");
  } else {
    spdlog::warn("shutdown: {} connection(s) cut after the {} ms grace period", cut,
                 grace.count());
  }
  if (metrics_http) metrics_http->Stop();
  backfiller.Stop();  // an unfinished backfill resumes at the next start
  backups.Stop();     // an unfinished restore too
  transfers.Stop();  // an unfinished export or import fails at the next start
  expirer.Stop();
  cairn::storage::WatchRadosPlugin(engine->get(), nullptr);  // the catalog goes before the engine
  spdlog::info("stopped");
  return 0;
}
