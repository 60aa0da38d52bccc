// Config: the server's settings, from the command line (Cairn's flags, DynamoDB Local's
// (dynamodb_local_flags.h), or CAIRN_* environment variables). Immutable once the server starts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace cairn {

// Requests in flight per server with --engine rados: a RADOS write takes ~1-4 ms and costs the
// server microseconds, so tens of blocked workers keep the cluster busy (docs/rados.md, "Rates").
inline constexpr int kDefaultRadosWorkers = 64;
// Keys per RADOS shard object before it splits: RGW's bucket index reshards at 100,000 entries per
// shard, and Ceph's deep scrub warns above 200,000 omap keys in one object (docs/rados.md 3).
inline constexpr int64_t kDefaultRadosShardKeys = 100000;

struct Config {
  std::string host = "127.0.0.1";
  int port = 8000;
  int threads = 0;               // 0: one event loop per core
  std::string event_loop = "io_uring";  // --event-loop: io_uring or epoll (http::EventLoopKind)
  std::string data_dir = "./data";
  bool in_memory = false;        // keep nothing on disk
  bool shared_db = false;        // one namespace for every access key and region
  bool sync = false;             // fsync every write group
  // Storage engine: "rocksdb" (the default: --data-dir or --in-memory) or "rados" (a Ceph pool,
  // storage/rados/rados_engine.h; its plug-in cairn-rados.so is built where librados is).
  std::string engine = "rocksdb";
  std::string rados_conf;   // --rados-conf: the cluster's ceph.conf
  std::string rados_pool;   // --rados-pool: an existing pool
  // --rados-workers: threads that run requests with --engine rados (http::ServerOptions::workers;
  // 0: on the event loops, as with RocksDB). -1: not given, kDefaultRadosWorkers.
  int rados_workers = -1;
  // --rados-shard-keys: a table shard object holding more omap keys than this is split in two,
  // online (storage/rados/shard_splitter.h). -1: not given, kDefaultRadosShardKeys.
  int64_t rados_shard_keys = -1;
  double cache_mb = 0;           // block cache; 0: a quarter of physical memory, at most 4 GiB
  std::string log_level = "info";
  std::string log_format = "text";  // or "json" (log_format.h)
  double ttl_interval_seconds = 1;             // how often expired items are swept
  double stream_retention_seconds = 86400;     // stream records are kept this long (24 h)
  double iterator_lifetime_seconds = 900;      // shard iterators expire after this (15 min)
  double conflict_wait_ms = 100;  // a write waits this long for an item's running transaction
  double test_transaction_hold_ms = 0;  // tests only: transactions hold their locks this long
  double test_backup_delay_ms = 0;      // tests only: backup copies, restores pause per item
  double test_storage_delay_ms = 0;     // tests only: storage opens this much after listening
  // Where S3 buckets are (exports, imports): <s3_dir>/<bucket>/<key>. Empty: <data_dir>/s3, or a
  // new temporary directory with --in-memory.
  std::string s3_dir;
  double test_transfer_delay_ms = 0;  // tests only: exports and imports pause this long per item
  // The HTTP front's bounds (http/server.h, "Bounds"); 0 turns a timeout off.
  double header_timeout_seconds = 10;  // request line and headers, from their first byte
  double body_timeout_seconds = 10;    // the longest pause in a request body
  size_t min_body_rate = 1024;         // bytes/s a body must average after body_timeout
  double idle_timeout_seconds = 60;    // a keep-alive connection between requests
  double write_timeout_seconds = 30;   // a client that takes none of its answer
  size_t max_connections = 0;          // 0: derived from RLIMIT_NOFILE (main.cc)
  size_t max_body_buffer_mb = 128;     // request bodies held in memory at once, over all clients
  std::vector<std::string> allow_hosts;  // Host names accepted besides the loopback ones
  bool no_console = false;  // --no-console: GET /console is not served (console/console.h)
  // HTTPS (http/tls.h): off unless --https-port is given, which needs --tls-cert and --tls-key.
  int https_port = -1;     // -1: no HTTPS listener; 0: an ephemeral port
  std::string tls_cert;    // PEM certificate chain, the server's certificate first
  std::string tls_key;     // PEM private key
  bool https_only = false;  // no plain-HTTP listener (--port is then unused)
  double shutdown_grace_ms = 10000;  // SIGTERM: how long open requests may take to finish
  // Prometheus metrics (metrics/registry.h): on a listener of their own (0: none), and/or at
  // GET /metrics of the main port. Off by default: DynamoDB's clients never see them.
  int metrics_port = 0;
  bool metrics_on_main_port = false;
  // --credentials: a file of "ACCESS_KEY_ID SECRET_ACCESS_KEY" lines; when given, every request's
  // SigV4 signature is verified against it (auth/sigv4.h), and SIGHUP rereads it. Empty: no
  // verification (any secret key works, as with DynamoDB Local).
  std::string credentials_file;
  std::string cors = "*";  // browser origins allowed (http/cors.h): "*", a comma list, or ""
  // Testing the unhappy path (faults/injector.h, api/admin.h).
  bool admin = false;        // serve the admin API under /cairn/admin/ (implied by --faults)
  std::string faults_file;   // fault rules (JSON), reloaded on SIGHUP; empty: none
  int64_t faults_seed = -1;  // seeds the fault draws; -1: the file's seed, else random
  bool throttle = false;  // token buckets for provisioned and on-demand capacity (throttle/)
  // CREATING / UPDATING / DELETING and GSI backfills last at least this long (api/
  // transient_status.h); 0: tables are ACTIVE at once.
  double delay_transient_statuses_ms = 0;
  // Lines to log at start: DynamoDB Local flags accepted that change nothing.
  std::vector<std::string> startup_notes;
};

// Parses argv. Returns the exit code through *exit_code and false when the program should stop
// (--help, --version or a bad flag: CLI11 has already printed the message).
bool ParseConfig(int argc, char** argv, Config* config, int* exit_code);

}  // namespace cairn
