// cairn: flags -> Config -> storage engine -> catalog -> dispatcher -> HTTP server; runs until
// SIGINT or SIGTERM, then stops accepting, finishes, and closes the engine (the WAL already holds
// every acknowledged write). SIGHUP rereads the --credentials and --faults files, when given.
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
#include "http/server.h"
#include "metrics/registry.h"
#include "server_metrics.h"
#include "backfill/backfill.h"
#include "faults/injector.h"
#include "streams/stream_log.h"
#include "ttl/expirer.h"
#include "storage/catalog.h"
#include "storage/database_snapshots.h"
#include "storage/engine.h"
#include "txn/lock_table.h"
#include "write/item_writer.h"

namespace {

std::atomic<cairn::http::Server*> g_server{nullptr};

// Async-signal-safe: RequestStop() only writes to the loops' eventfds.
void OnSignal(int) {
  if (cairn::http::Server* s = g_server.load()) s->RequestStop();
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

// SIGHUP: rereads what can change while serving (the --credentials and --faults files). The signal stays blocked
// in every thread (main() blocks it before any thread starts) and this thread takes it with
// sigwait, so the reload runs as ordinary code, not in a signal handler.
class ReloadOnHangup {
 public:
  explicit ReloadOnHangup(std::function<void()> reload) : reload_(std::move(reload)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~ReloadOnHangup() {
    stop_.store(true);
    pthread_kill(thread_.native_handle(), SIGHUP);
    thread_.join();
  }

  // Blocks SIGHUP in the calling thread and in the threads it starts from then on.
  static void BlockSignal() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }

 private:
  void Run() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    while (true) {
      int signal_number = 0;
      if (sigwait(&set, &signal_number) != 0) continue;
      if (stop_.load()) return;
      reload_();
    }
  }

  std::function<void()> reload_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
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
  // SIGINT/SIGTERM stay blocked (pending) until the server is listening, in every thread started
  // before then (RocksDB's, the backfill's): a signal that arrives during start-up is handled
  // once there is a server to stop, by the main thread alone.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

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
    ReloadOnHangup::BlockSignal();  // before any thread starts: the reload thread takes it
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
    ReloadOnHangup::BlockSignal();  // before any thread starts: the reload thread takes it
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

  cairn::storage::Options opts;
  opts.data_dir = config.data_dir;
  opts.in_memory = config.in_memory;
  opts.sync = config.sync;
  opts.block_cache_bytes = BlockCacheBytes(config.cache_mb);
  auto engine = cairn::storage::OpenRocksDBEngine(opts);
  if (!engine.ok()) {
    spdlog::critical("cannot open storage in {}: {}", config.data_dir, engine.status().ToString());
    return 1;
  }
  cairn::storage::Catalog catalog(engine->get());
  if (auto s = catalog.Load(); !s.ok()) {
    spdlog::critical("cannot read the catalog: {}", s.ToString());
    return 1;
  }
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
  cairn::api::ServerContext server{config,  engine->get(), &catalog,
                                   &writer, &backfiller,   &streams, credentials.get()};
  cairn::storage::DatabaseSnapshots snapshots(engine->get(), &catalog);
  server.faults = &faults;
  server.snapshots = &snapshots;
  server.transient = &transient;
  if (config.throttle) server.throttler = &throttler;
  server.admin = config.admin || !config.faults_file.empty();
  cairn::ttl::Expirer expirer(engine->get(), &catalog, &writer, &streams,
                              config.ttl_interval_seconds);
  expirer.Start();
  // --metrics / --metrics-port: the registry the dispatcher records into (metrics/registry.h).
  const bool metrics_on = config.metrics_port != 0 || config.metrics_on_main_port;
  std::unique_ptr<cairn::metrics::Registry> metrics;
  if (metrics_on) {
    metrics = std::make_unique<cairn::metrics::Registry>(
        cairn::api::MetricOperationNames(), cairn::api::MetricErrorTypeNames(),
        cairn::metrics::BuildInfo{CAIRN_VERSION, CAIRN_COMMIT});
  }
  cairn::api::Dispatcher dispatcher(&server, metrics.get());

  cairn::http::ServerOptions http_opts;
  http_opts.host = config.host;
  http_opts.port = config.port;
  http_opts.threads = config.threads;
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
  cairn::http::Server http(http_opts, [&dispatcher](const cairn::http::Request& req,
                                                    cairn::http::Response& resp) {
    dispatcher.Handle(req, resp);
  });

  // The metrics listener: one event loop on --host:--metrics-port, with the main port's bounds.
  std::unique_ptr<cairn::http::Server> metrics_http;
  if (metrics_on) {
    cairn::AddServerCollectors(metrics.get(), {&http, &server, &expirer, &backfiller});
    if (config.metrics_port != 0) {
      cairn::http::ServerOptions metrics_opts = http_opts;
      metrics_opts.port = config.metrics_port;
      metrics_opts.threads = 1;
      metrics_opts.max_connections = 64;
      metrics_opts.max_buffered_body_bytes = 0;
      metrics_opts.max_body_bytes = 64 * 1024;
      metrics_opts.error_body = nullptr;  // plain answers: this port is not DynamoDB's
      metrics_http = std::make_unique<cairn::http::Server>(metrics_opts,
                                                           cairn::MetricsHandler(metrics.get()));
    }
  }
  g_server.store(&http);
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
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
    spdlog::critical("cannot listen on {}:{}: {}", config.host, config.port, s.ToString());
    return 1;
  }
  if (config.metrics_on_main_port)
    spdlog::info("metrics at http://{}:{}/metrics", config.host, http.port());
  spdlog::info(
      "cairn {} (commit {}) listening on {}:{}; engine rocksdb {}; {}; at most {} connections, "
      "{} descriptors",
      CAIRN_VERSION, CAIRN_COMMIT, config.host, http.port(),
      config.in_memory ? "in memory" : "on disk", config.in_memory ? "no data dir" : "data in " +
      config.data_dir, http_opts.max_connections, static_cast<uint64_t>(nofile));
  // SIGHUP rereads the --credentials file and the --faults file, whichever were given.
  std::unique_ptr<ReloadOnHangup> reloader;
  if (credentials != nullptr || !config.faults_file.empty()) {
    reloader = std::make_unique<ReloadOnHangup>([&credentials, &config, &faults] {
      if (credentials != nullptr) {
        auto loaded = credentials->Load(config.credentials_file);
        if (loaded.ok()) {
          spdlog::info("SIGHUP: {} access keys reloaded from {}", *loaded,
                       config.credentials_file);
        } else {
          spdlog::error(
              "SIGHUP: credentials not reloaded, the {} access keys loaded before stay in "
              "force: {}",
              credentials->size(), loaded.status().message());
        }
      }
      if (!config.faults_file.empty()) {
        if (auto s = LoadFaults(config, &faults); !s.ok()) {
          spdlog::error("SIGHUP: fault rules not reloaded, the previous ones stay: {}",
                        s.message());
        } else {
          spdlog::info("SIGHUP: fault rules reloaded from {}", config.faults_file);
        }
      }
    });
  }
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  http.Wait();
  reloader.reset();
  if (metrics_http) metrics_http->Stop();
  backfiller.Stop();  // an unfinished backfill resumes at the next start
  expirer.Stop();
  spdlog::info("stopped");
  g_server.store(nullptr);
  return 0;
}
