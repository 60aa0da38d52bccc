// Connection: HTTP/1.1 on one accepted, non-blocking socket: bytes in -> llhttp -> Request ->
// Handler -> Response -> bytes out, one request at a time, responses in request order.
//
// States: kOpen (reading requests, writing responses) -> kClosing (no more requests are read; the
// pending output is flushed) -> kDraining (our side shut down with SHUT_WR; incoming bytes are
// read and dropped until the peer closes or drain_deadline() passes, so the peer is not sent a RST
// that could destroy the last response before it reads it) -> kDone (the loop closes the socket).
//
// Invariants:
//   - the parser pauses after every complete message, so requests are handled strictly in order and
//     the loop can stop between two pipelined requests (backpressure: while more than
//     kMaxPendingOutput bytes wait to be sent, no further request is handled; unparsed input is
//     kept);
//   - the body handed to the Handler is followed by kBodyPadding zero bytes in the same buffer;
//   - buffers (input leftovers, header strings, body, output) keep their capacity across requests;
//   - body_reserved_ bytes are held in ConnectionEnv::body_budget from the headers of a large body
//     until the request has been handled (or the connection dies), never longer.
// Deadlines (server.h, "Bounds"), checked by OnTimer(): reading the headers (from accept or from a
// request's first byte), reading a body (progress and rate), idle between requests, and writing
// (no byte taken by the client). A connection has at most one read deadline at a time; the write
// deadline applies while output is pending, whatever else it waits for.
// TLS (a connection accepted on the HTTPS port): the same machine over an OpenSSL session instead
// of the bare socket. Receive()/Transmit() are the only places that touch the byte stream; the
// handshake happens inside the first SSL_read, so it runs under the first request's header
// deadline. OpenSSL may need to write while we read (WANT_WRITE) or read while we write
// (WANT_READ); WantedEvents() then asks epoll for that event too, and OnEvents() retries the
// stalled direction. A first byte that cannot start a TLS record but can start an HTTP method is
// plain HTTP sent to the HTTPS port: it gets a plain-text 400 and close. Any other TLS failure
// closes the connection.
// Server shutdown (BeginShutdown()): no further keep-alive; requests already received (buffered
// or arriving on a connection that has started one) are answered, the last with `Connection:
// close`; an idle connection is closed at once.
// Offloaded Handlers (ConnectionEnv::offload set, ServerOptions::workers > 0): HandleRequest()
// hands the request to the loop's offload function and returns; the connection is then "running":
// it reads and parses nothing (its Request views point into its own buffers, which the Handler
// reads on a worker thread), runs no deadline, and may not be freed. The worker calls RunHandler()
// (it touches only request_ and response_), the loop then FinishRequest() on its own thread, which
// sends the answer and goes on with pipelined input exactly as an inline Handler would.
// io_uring (ConnectionEnv::ring set, a plain-HTTP connection): the socket is not polled. The loop
// keeps a multishot receive armed for it and hands each completion to OnRingReceive(), which keeps
// the bytes in ring_in_; Receive() then reads from there as it would from the socket (EAGAIN when
// it is empty), so OnReadable() and Drain() are the same machine. Output goes out as one send
// request at a time (flight_, which does not change until its completion, OnRingSent());
// what is sent meanwhile queues in out_ and follows in order. The loop arms, cancels and frees
// (ring_busy(): not while a request of the ring points here); PumpRing() parses what ring_in_ holds
// whenever the connection may read again.
// Not thread-safe: owned and used by one event loop thread (RunHandler() excepted, above).
#pragma once

#include <llhttp.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "http/budget.h"
#include "http/date_cache.h"
#include "http/message.h"
#include "http/server.h"

typedef struct ssl_st SSL;

namespace cairn::http {

class TlsContext;
// One event loop's traffic figures (Server::Counters() sums the loops). Written only by the loop's
// thread (relaxed load + store, no read-modify-write), read by any thread.
struct alignas(64) LoopCounters {
  std::atomic<uint64_t> accepted{0};  // connections taken into the loop
  std::atomic<uint64_t> refused{0};   // connections answered 503 and closed at once
  std::atomic<uint64_t> bytes_in{0};  // read from clients' sockets
  std::atomic<uint64_t> bytes_out{0};  // written to them
};

// Adds `n` to a counter of the calling loop's own LoopCounters.
inline void CountOn(std::atomic<uint64_t>& counter, uint64_t n) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// What a loop shares with its connections. All pointers outlive the connections.
struct ConnectionEnv {
  const Handler* handler = nullptr;
  const ServerOptions* options = nullptr;
  const DateCache* date = nullptr;
  char* read_buffer = nullptr;  // scratch for read(2), shared by the loop's connections
  size_t read_buffer_size = 0;
  Budget* body_budget = nullptr;  // bytes buffered for large bodies, over all loops
  LoopCounters* counters = nullptr;  // the loop's
  // Set when the loop runs on io_uring: plain-HTTP connections receive and send through it.
  class Ring* ring = nullptr;
  // Set when the Handler runs on a worker pool: takes a request whose Handler call is to run
  // elsewhere (the connection is running(); see above). Null: the Handler runs inline.
  const std::function<void(class Connection*)>* offload = nullptr;
};

class Connection {
 public:
  // simdjson::SIMDJSON_PADDING; kept here so that http/ does not depend on simdjson.
  static constexpr size_t kBodyPadding = 64;
  static constexpr size_t kMaxPendingOutput = 1 << 20;
  static constexpr std::chrono::seconds kDrainTimeout{5};
  // The lingering close while the server shuts down: long enough for the last answer to be read.
  static constexpr std::chrono::seconds kShutdownDrainTimeout{1};

  enum class State : unsigned char { kOpen, kClosing, kDraining, kDone };

  // Takes ownership of `fd` (non-blocking, connected) and of `ssl` (null: plain HTTP; else a
  // server session from TlsContext::NewSession(), not yet attached to a socket).
  Connection(int fd, const ConnectionEnv& env, SSL* ssl = nullptr);
  ~Connection();  // frees the TLS session, closes the socket
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Reacts to epoll events (EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR).
  void OnEvents(uint32_t events);
  // Applies the deadlines (see above): answers 408 and closes, or closes, when one has passed.
  void OnTimer(std::chrono::steady_clock::time_point now);
  // The epoll events this connection waits for now (0 once kDone).
  uint32_t WantedEvents() const;
  // The server is shutting down (see above). Reads what has arrived, then closes the connection if
  // it holds no request and no answer.
  void BeginShutdown();
  // A request is being received or answered (what a forced close would cut short).
  bool Busy() const;

  // A response held back by Response::delay: when it is due (epoch: none held).
  std::chrono::steady_clock::time_point held_until() const { return held_until_; }
  bool held() const { return held_; }
  // Sends (or, for Response::drop, closes instead of sending) the held response, then goes on
  // with the requests the client pipelined meanwhile. REQUIRES: held().
  void ReleaseHeld();

  // An offloaded Handler call is in progress (see above).
  bool running() const { return running_; }
  // The Handler call itself; on a worker thread. REQUIRES: running().
  void RunHandler();
  // Back on the loop thread once RunHandler() returned: sends the answer (or holds it), then
  // goes on with the input pipelined meanwhile. A connection closed meanwhile only stops running.
  void FinishRequest();

  State state() const { return state_; }
  bool done() const { return state_ == State::kDone; }
  int fd() const { return fd_; }

  // io_uring (see above). ring(): this connection's I/O goes through ConnectionEnv::ring.
  bool ring() const { return ring_ != nullptr; }
  // A receive or a send of the ring refers to this connection: it may not be freed.
  bool ring_busy() const { return receive_armed_ || send_in_flight_; }
  bool receive_armed() const { return receive_armed_; }
  void set_receive_armed() { receive_armed_ = true; }
  // The connection takes input (a multishot receive should be armed): open or draining, the
  // stream not ended, and not more than kMaxRingInput bytes waiting in ring_in_.
  bool WantsRingInput() const;
  // A completion of the connection's receive (Ring::Completion's result, more and data).
  void OnRingReceive(int result, bool more, std::string_view data);
  // A completion of its send.
  void OnRingSent(int result);
  // Parses what ring_in_ holds, as far as the connection may read now.
  void PumpRing();
  static constexpr size_t kMaxRingInput = 1 << 20;

  // Bookkeeping for the owning loop.
  uint32_t registered_events() const { return registered_events_; }
  void set_registered_events(uint32_t events) { registered_events_ = events; }
  size_t loop_index() const { return loop_index_; }
  bool retired() const { return retired_; }
  void set_retired() { retired_ = true; }
  void set_loop_index(size_t index) { loop_index_ = index; }

 private:
  // llhttp callbacks (parser->data is the Connection).
  static int OnMessageBegin(llhttp_t* p);
  static int OnUrl(llhttp_t* p, const char* at, size_t len);
  static int OnHeaderField(llhttp_t* p, const char* at, size_t len);
  static int OnHeaderValue(llhttp_t* p, const char* at, size_t len);
  static int OnHeaderValueComplete(llhttp_t* p);
  static int OnHeadersComplete(llhttp_t* p);
  static int OnBody(llhttp_t* p, const char* at, size_t len);
  static int OnMessageComplete(llhttp_t* p);
  static const llhttp_settings_t* Settings();

  // Counts request-line and header bytes; false (and a 431) once over the limit.
  bool CountHeaderBytes(size_t len);
  // Reserves body bytes up to `total` in body_budget (a no-op for a small body); false when the
  // budget has no room (the caller answers 503).
  bool ReserveBody(size_t total);
  void ReleaseBody();
  // The Host header is one of ServerOptions::allowed_hosts (or the list is empty, or no Host).
  bool HostAllowed() const;

  void OnReadable();
  // Shutting down: closes the connection (after flushing its output) unless a request is being
  // received or waits in pending_in_.
  void CloseIfIdle();
  // One read from the client (through TLS when on): > 0 bytes, 0 at the end of the stream, < 0
  // with errno EAGAIN (nothing now) or another errno (the connection is broken).
  ssize_t Receive(char* buffer, size_t size);
  // One write to the client, as send(2) with MSG_NOSIGNAL (through TLS when on).
  ssize_t Transmit(const char* data, size_t size);
  // TLS only, before the first byte is decrypted: false after answering plain HTTP with 400.
  bool LooksLikeTls();
  void Drain();
  // Parses input[0, len), handling each complete request; returns the bytes consumed. Stops early
  // when the connection leaves kOpen or is backpressured (the caller keeps the rest).
  size_t ParseInput(const char* input, size_t len);
  void ParsePendingInput();
  void HandleRequest();
  // The end of every request, handled or refused: its body budget is given back and the
  // connection waits for the next request.
  void EndRequest();
  // Undoes the request's Content-Encoding: a gzip/deflate body is decoded into decoded_ and
  // request_.body points there. False, after sending the error, for a coding we do not know or a
  // body that does not decode (500) and for a decoded body over max_body_bytes (413).
  bool DecodeBody(std::string_view coding_header);
  void SendResponse(const Response& response, bool head_only);
  // The status line and headers of `response` into head_.
  void FormatHead(const Response& response);
  // Answers a server-made error (body from ServerOptions::error_body). `close`: the request's
  // framing cannot be trusted, so the connection is closed after the answer; otherwise it stays
  // open as keep-alive allows.
  void SendError(int status, bool close = true);
  // Writes head + body now if nothing is queued, else queues them; queues what the socket refused.
  void Send(std::string_view head, std::string_view body);
  void Flush();
  // Writes out_ from out_pos_ until the socket refuses; no state change besides kDone on error.
  void WriteOut();
  void AfterOutputDrained();
  void StartClosing();
  // What the connection waits for from the client now, for the read deadlines.
  enum class Phase : unsigned char { kFirstRequest, kIdle, kHeaders, kBody };
  bool Backpressured() const {
    return held_ || running_ || QueuedOutput() > kMaxPendingOutput;
  }
  size_t QueuedOutput() const {
    return out_.size() - out_pos_ + (send_in_flight_ ? flight_.size() - flight_pos_ : 0);
  }
  bool OutputPending() const { return out_pos_ < out_.size() || send_in_flight_; }
  // One read of raw socket bytes (never through TLS): read(2), or ring_in_ with the ring.
  ssize_t ReadRaw(char* buffer, size_t size);
  // The ring: sends out_ (if nothing is in flight) as the next send request.
  void SubmitOutput();
  // ServerOptions::before_output, if set: before bytes leave by send(2), sendmsg(2) or TLS.
  void BeforeOutput();

  int fd_;
  SSL* ssl_;                       // null for plain HTTP
  class Ring* ring_ = nullptr;     // io_uring (plain HTTP on a ring loop); else null
  bool receive_armed_ = false;     // a multishot receive of the ring is armed
  bool send_in_flight_ = false;    // a send request of the ring holds flight_
  bool ring_eof_ = false;          // the receive saw the end of the stream
  int ring_error_ = 0;             // ... or this errno
  std::string ring_in_;            // received bytes not yet read, from ring_in_pos_
  size_t ring_in_pos_ = 0;
  std::string flight_;             // the bytes of the send in flight, from flight_pos_
  size_t flight_pos_ = 0;
  bool tls_checked_ = false;       // LooksLikeTls() has seen the first byte
  bool read_wants_write_ = false;  // SSL_read stalled on WANT_WRITE
  bool write_wants_read_ = false;  // SSL_write stalled on WANT_READ
  bool shutting_down_ = false;     // BeginShutdown() was called
  bool more_input_ = false;        // unparsed bytes follow the request being handled
  ConnectionEnv env_;
  State state_ = State::kOpen;
  bool peer_closed_ = false;  // read() returned 0
  uint32_t registered_events_ = 0;
  size_t loop_index_ = 0;
  bool retired_ = false;  // handed to the loop for removal
  // A response held back (Response::delay): its bytes, when it is due, and whether to drop the
  // connection instead of sending them.
  bool held_ = false;
  bool held_drop_ = false;
  bool running_ = false;  // an offloaded Handler call is in progress
  std::chrono::steady_clock::time_point held_until_{};
  std::string held_out_;
  std::chrono::steady_clock::time_point drain_deadline_{};
  size_t drained_bytes_ = 0;

  // Deadlines (times of the event that started each wait).
  Phase phase_ = Phase::kFirstRequest;
  std::chrono::steady_clock::time_point now_{};             // of the current read
  std::chrono::steady_clock::time_point phase_start_{};     // accept, or the phase's first byte
  std::chrono::steady_clock::time_point body_progress_{};   // the last body byte
  std::chrono::steady_clock::time_point write_progress_{};  // the last byte the client took
  size_t body_received_ = 0;
  size_t body_reserved_ = 0;  // held in env_.body_budget

  llhttp_t parser_;
  // The message being parsed.
  std::string url_;
  size_t header_count_ = 0;  // complete headers in request_.headers
  bool in_header_field_ = false;
  size_t header_bytes_ = 0;
  std::string body_;      // body bytes, then kBodyPadding zeros once complete
  std::string decoded_;   // the body with its Content-Encoding undone, padded likewise
  int error_status_ = 0;  // set by a callback that fails the parse: 413 or 431 (else 400)
  bool message_ready_ = false;
  bool keep_alive_ = true;

  std::string pending_in_;  // unparsed input kept while backpressured
  Request request_;
  Response response_;
  std::string head_;  // the status line and headers of the response being sent
  std::string out_;   // bytes not yet accepted by the socket, from out_pos_
  size_t out_pos_ = 0;
};

}  // namespace cairn::http
