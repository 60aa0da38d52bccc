// cairn: flags -> Config -> storage engine -> catalog -> dispatcher -> HTTP server; runs until
// SIGINT or SIGTERM, then stops accepting, finishes, and closes the engine (the WAL already holds
// every acknowledged write).
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "api/dispatch.h"
#include "config.h"
#include "http/server.h"
#include "backfill/backfill.h"
#include "streams/stream_log.h"
#include "ttl/expirer.h"
#include "storage/catalog.h"
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
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  for (const std::string& note : config.startup_notes) spdlog::info("{}", note);

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
  cairn::backfill::Backfiller backfiller(engine->get(), &catalog, &writer);
  backfiller.ResumeAll();
  cairn::api::ServerContext server{config,  engine->get(), &catalog,
                                   &writer, &backfiller,   &streams};
  cairn::ttl::Expirer expirer(engine->get(), &catalog, &writer, &streams,
                              config.ttl_interval_seconds);
  expirer.Start();
  cairn::api::Dispatcher dispatcher(&server);

  cairn::http::ServerOptions http_opts;
  http_opts.host = config.host;
  http_opts.port = config.port;
  http_opts.threads = config.threads;
  // Errors the HTTP layer answers itself (oversized or malformed requests) in DynamoDB's shape.
  http_opts.error_body = [](int status, cairn::http::Response& resp) {
    cairn::api::ApiError e = status == 413   ? cairn::api::ApiError::RequestEntityTooLarge()
                             : status >= 500 ? cairn::api::ApiError::InternalServerError()
                                             : cairn::api::ApiError::Serialization("");
    resp.content_type = "application/x-amz-json-1.0";
    resp.body = e.Body();
    resp.headers.emplace_back("x-amz-crc32", std::to_string(cairn::api::BodyCrc32(resp.body)));
  };
  cairn::http::Server http(http_opts, [&dispatcher](const cairn::http::Request& req,
                                                    cairn::http::Response& resp) {
    dispatcher.Handle(req, resp);
  });

  g_server.store(&http);
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  if (auto s = http.Start(); !s.ok()) {
    spdlog::critical("cannot listen on {}:{}: {}", config.host, config.port, s.ToString());
    return 1;
  }
  spdlog::info("cairn listening on {}:{} ({})", config.host, http.port(),
               config.in_memory ? "in memory" : "data in " + config.data_dir);
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  http.Wait();
  backfiller.Stop();  // an unfinished backfill resumes at the next start
  expirer.Stop();
  spdlog::info("stopped");
  g_server.store(nullptr);
  return 0;
}
