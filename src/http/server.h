// Server: the HTTP/1.1 front end. `threads` event loops, each a thread with its own epoll instance
// (and, with EventLoopKind::kIoUring, its own io_uring: ring.h) and its own listening socket bound
// with SO_REUSEPORT to host:port; the kernel spreads new connections over them and a connection
// stays on the loop that accepted it (shared nothing).
// Each loop parses requests (llhttp), calls the Handler on its own thread, and writes the responses
// in request order (keep-alive and pipelining; HTTP/1.0 and `Connection: close` honoured).
// It knows nothing of DynamoDB.
//
// Behaviour towards clients:
//   - bodies by Content-Length or chunked; `Expect: 100-continue` gets `HTTP/1.1 100 Continue`;
//   - a body over max_body_bytes (declared or received) -> 413, then the connection is closed;
//     request line + headers over max_header_bytes -> 431 and close; malformed HTTP -> 400 and
//     close;
//   - Content-Encoding gzip/deflate bodies are decoded before the Handler sees them (the decoded
//     size is limited too: 413); an unknown coding, or a body that does not decode, gets 500 and
//     the Handler is not called (the connection stays open: the framing was sound);
//   - responses are compressed only on the Handler's request: it calls EncodeResponse()
//     (compression.h), so that headers computed from the body as sent come after it;
//   - a Handler that throws gets 500 (logged); the loop survives any input;
//   - a request line that is not HTTP/1.0 or HTTP/1.1 gets 400 (HTTP/0.9) or 505 (HTTP/2 and
//     later) and close;
//   - with allowed_hosts set, a request whose Host header names another host gets 403 and close,
//     before its body is read; a request without Host is served (every browser sends one, and
//     the check is against DNS rebinding from browsers).
// Bodies of those server-made error replies come from ServerOptions::error_body.
//
// HTTPS (tls_port >= 0): a second listener per loop speaks the same HTTP/1.1 through TLS
// (tls.h for the policy, connection.h for the non-blocking handshake and I/O); the same Handler,
// the same bounds, shared with the plain port (one connection cap, one body budget). The TLS
// handshake runs under header_timeout: a client that opens a connection and sends nothing, or
// stalls in the handshake, is closed when it passes. port = -1 turns the plain listener off.
//
// Bounds (each one 0 = off; see ServerOptions for the defaults):
//   - header_timeout: a new connection has this long to send its first request's line and
//     headers; a request's headers must be complete within this long of its first byte, however
//     slowly they trickle in (slowloris). Then 408 and close.
//   - body_timeout and min_body_rate: a body must make progress at least every body_timeout, and
//     after the first body_timeout it must average min_body_rate bytes/s. Else 408 and close.
//   - idle_timeout: a keep-alive connection with no request in progress and nothing to send is
//     closed (quietly: no request, no answer) after this long.
//   - write_timeout: output that the client does not read for this long (no byte taken) closes the
//     connection.
//   - max_connections: open connections over all loops. One more is accepted, answered with 503
//     (the error_body of 503, `Connection: close`) and closed at once, so a client sees an answer
//     rather than a hang or a silent close; it holds no descriptor afterwards.
//   - max_buffered_body_bytes: bytes reserved for request bodies over all loops. A body larger
//     than kBudgetedBodyBytes reserves its Content-Length (a chunked one reserves as it grows)
//     before it is read; when the reservation does not fit, the request gets 503 and the
//     connection is closed without reading the body. Smaller bodies are not counted (they are
//     bounded by max_connections times kBudgetedBodyBytes).
//   - descriptors: each loop keeps one spare descriptor; when accept() fails for want of
//     descriptors it frees the spare, accepts, answers 503, closes, and takes the spare again
//     (one loop at a time). When it cannot (another thread took the freed descriptor), it stops
//     polling its listeners for 100 ms rather than spin on them; clients wait in the backlog.
//
// Graceful shutdown (Shutdown(grace)): every loop takes in the connections the kernel has already
// completed, then closes its listeners (new connections are refused), reads what its connections
// have sent, closes the idle ones, and answers the requests already received or being received
// (the last answer on a connection says `Connection: close`); a loop ends when its last
// connection has closed. Connections still open when `grace` has passed (a request whose body
// never comes, an answer the client does not read) are closed without more ado and counted. A
// Handler that is running is never interrupted: its request is finished and its answer written as
// far as the socket takes it.
//
// Thread safety: Start/Stop/Wait/port may be called from any thread; RequestStop() and
// RequestDrain() are also async-signal-safe (they only write to eventfds and atomics), so a signal
// handler may call them and main() then calls Wait(). The Handler is called concurrently from
// all loop threads and must be thread-safe.
// REQUIRES: Stop(), Wait(), Shutdown() and the destructor are not called from inside the Handler
// (they join the loop threads); RequestStop() may be.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/budget.h"
#include "http/message.h"
#include "util/status.h"

namespace cairn::http {

// Fills `response` (status already set) for an error the server answers itself: 400 (malformed
// HTTP), 403 (Host not allowed), 408 (timeout), 413 (body too large), 431 (headers too large),
// 500 (the Handler threw, or a request body whose Content-Encoding is unknown or does not decode),
// 503 (a connection or body-buffer limit reached), 505 (HTTP version).
using ErrorBodyFn = std::function<void(int status, Response& response)>;

// Bodies of at most this many bytes are not counted against max_buffered_body_bytes.
inline constexpr size_t kBudgetedBodyBytes = 64 * 1024;

class TlsContext;

// How a loop waits for and does its I/O: epoll and read/send, or io_uring (ring.h: receives and
// sends submitted in batches; falls back to epoll where the kernel has no io_uring for it).
enum class EventLoopKind { kEpoll, kIoUring };

struct ServerOptions {
  std::string host = "127.0.0.1";  // a numeric address or a name; "0.0.0.0" / "::" for all
  int port = 8000;  // 0 picks an ephemeral port, shared by all loops; -1: no plain HTTP listener
  // HTTPS: -1 = off; 0 picks an ephemeral port. REQUIRES: tls set when tls_port >= 0.
  int tls_port = -1;
  std::shared_ptr<const TlsContext> tls;
  int threads = 0;                      // 0 = number of cores
  EventLoopKind event_loop = EventLoopKind::kIoUring;
  // 0: each loop runs the Handler on its own thread (a Handler that takes microseconds). > 0: a
  // pool of this many threads runs the Handlers (a Handler that blocks on the network, such as
  // storage on RADOS): a loop hands a request over and serves its other connections meanwhile;
  // the answer and the connection's next request follow when the worker is done. Requests of one
  // connection still run one at a time, in order.
  int workers = 0;
  size_t max_body_bytes = 16u << 20;    // DynamoDB's request limit: 16 MiB; one byte more is 413
  size_t max_header_bytes = 64 * 1024;  // request line + all header names and values
  int listen_backlog = 1024;
  // Bounds (see above); 0 turns one off.
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{10000};
  size_t min_body_rate = 1024;  // bytes per second, averaged over a body after body_timeout
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds write_timeout{30000};
  size_t max_connections = 0;
  size_t max_buffered_body_bytes = 0;
  // Host names (lower case, no port; IPv6 literals in brackets) a request's Host header may name;
  // empty: any.
  std::vector<std::string> allowed_hosts;
  // Default: content type application/x-amz-json-1.0, body {"message":"<reason phrase>"}.
  ErrorBodyFn error_body;
  // The output barrier: called on a loop's thread before answers leave it (with the ring, before
  // each submission, so once for every answer of a turn; without, before each send or TLS
  // write). What the Handler's storage only buffered in this process (a log written in batches,
  // storage/engine.h FlushLog) is made safe there, so no answer tells of a write a crash of the
  // process could lose. Null: nothing to do.
  std::function<void()> before_output;
};

// Traffic figures over all loops, for monitoring (Server::Counters()).
struct ServerCounters {
  uint64_t open_connections = 0;
  uint64_t accepted = 0;   // connections served since Start()
  uint64_t refused = 0;    // answered 503 and closed at once: max_connections, or no descriptor
  uint64_t bytes_in = 0;   // read from clients' sockets
  uint64_t bytes_out = 0;  // written to them
};

class EventLoop;
class WorkerPool;

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every loop's listening socket, then starts the loop threads. When it returns OK,
  // connections to port() are accepted. Called at most once.
  // Errors: IOError("bind 127.0.0.1:8000: Address already in use") and the like for socket, bind,
  // listen, epoll and eventfd failures; InvalidArgument for a bad host or port, no listener at
  // all, TLS without a TlsContext, or a second Start().
  Status Start();

  // Asks every loop to stop; returns at once. Async-signal-safe, idempotent, thread-safe.
  void RequestStop() noexcept;
  // Asks every loop to begin the graceful shutdown (see above); returns at once.
  // Async-signal-safe, idempotent, thread-safe.
  void RequestDrain() noexcept;
  // RequestDrain(), waits until every loop has finished or `grace` has passed, then RequestStop()
  // and Wait(). Returns how many connections were still open (a request unfinished, an answer
  // unsent) and closed by force. A Handler running when grace ends still finishes first.
  size_t Shutdown(std::chrono::milliseconds grace);
  // True once every loop has ended (after a stop or a finished drain).
  bool stopped() const;
  // Waits until every loop has stopped (listeners and connections closed). Thread-safe.
  void Wait();
  // RequestStop() then Wait(): closes the listeners and all connections, joins the threads.
  void Stop();

  // The bound port (the ephemeral one if options.port was 0); valid after Start() returned OK.
  // -1 when that listener is off.
  int port() const { return port_; }
  int tls_port() const { return tls_port_; }
  const ServerOptions& options() const { return options_; }
  // The traffic so far; any thread, any time (zero before Start()). Relaxed reads: each figure is
  // exact, but a figure may be a moment behind another.
  ServerCounters Counters() const;

 private:
  ServerOptions options_;
  Handler handler_;
  int port_ = -1;
  int tls_port_ = -1;
  std::atomic<bool> started_{false};
  std::atomic<bool> stop_now_{false};  // RequestStop(): loops end at once
  std::atomic<bool> drain_{false};     // RequestDrain(): loops finish their connections
  std::atomic<size_t> loops_running_{0};
  mutable std::mutex finished_mu_;
  std::condition_variable finished_cv_;  // a loop ended
  Budget connections_;                   // open connections (limit: options_.max_connections)
  Budget body_bytes_;  // bytes reserved for request bodies (limit: max_buffered_body_bytes)
  std::unique_ptr<WorkerPool> workers_;            // options_.workers > 0; outlives the loops
  std::vector<std::unique_ptr<EventLoop>> loops_;  // fixed once Start() has returned
  std::vector<int> wake_fds_;                      // one eventfd per loop, owned by the loops
  std::atomic<size_t> wake_count_{0};              // how many of wake_fds_ are valid
  std::mutex join_mu_;
  std::vector<std::thread> threads_;  // GUARDED_BY(join_mu_)
};

}  // namespace cairn::http
