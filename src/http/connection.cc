// Connection: the per-socket HTTP/1.1 state machine (see connection.h for states and invariants).
// Map: OnEvents() dispatches to Flush() / OnReadable() / Drain(); OnReadable() feeds ParseInput(),
// which runs llhttp until it pauses after a complete message, then HandleRequest() calls the
// Handler and SendResponse() formats the head and writes head + body with one sendmsg() (with the
// ring: one send request, SubmitOutput()).
#include "http/connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>

#include "http/ascii.h"
#include "http/compression.h"
#include "http/parser_execute.h"
#include "http/ring.h"

namespace cairn::http {
namespace {

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Request Entity Too Large";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return status < 500 ? (status < 400 ? "OK" : "Bad Request") : "Internal Server Error";
  }
}

void AppendNumber(std::string& s, size_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  (void)ec;  // 24 digits always suffice
  s.append(buf, end);
}

// The body of an error the server answers itself, unless ServerOptions::error_body is set.
void DefaultErrorBody(int status, Response& response) {
  response.body.assign("{\"message\":\"");
  response.body.append(ReasonPhrase(status));
  response.body.append("\"}");
}

// Past this, a connection gives its big buffers back after the request instead of keeping them.
constexpr size_t kKeepCapacity = 1 << 20;
// A chunked body reserves its budget in steps of this size (not at every chunk).
constexpr size_t kChunkedReserveStep = 1 << 20;

// "host", "host:port", "[v6]", "[v6]:port" -> the name ("host", "[v6]"); empty when malformed.
std::string_view HostName(std::string_view host) {
  std::string_view name = host, port;
  if (!host.empty() && host[0] == '[') {
    size_t end = host.find(']');
    if (end == std::string_view::npos) return {};
    name = host.substr(0, end + 1);
    port = host.substr(end + 1);
  } else if (size_t colon = host.find(':'); colon != std::string_view::npos) {
    name = host.substr(0, colon);
    port = host.substr(colon);
  }
  if (!port.empty()) {
    if (port.size() < 2 || port[0] != ':') return {};
    for (char ch : port.substr(1))
      if (ch < '0' || ch > '9') return {};
  }
  return name;
}

}  // namespace

const llhttp_settings_t* Connection::Settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = &Connection::OnMessageBegin;
    s.on_url = &Connection::OnUrl;
    s.on_header_field = &Connection::OnHeaderField;
    s.on_header_value = &Connection::OnHeaderValue;
    s.on_header_value_complete = &Connection::OnHeaderValueComplete;
    s.on_headers_complete = &Connection::OnHeadersComplete;
    s.on_body = &Connection::OnBody;
    s.on_message_complete = &Connection::OnMessageComplete;
    return s;
  }();
  return &settings;
}

Connection::Connection(int fd, const ConnectionEnv& env, SSL* ssl) : fd_(fd), ssl_(ssl), env_(env) {
  llhttp_init(&parser_, HTTP_REQUEST, Settings());
  parser_.data = this;
  now_ = phase_start_ = write_progress_ = std::chrono::steady_clock::now();
  if (ssl_ == nullptr) ring_ = env_.ring;
  if (ssl_ != nullptr && SSL_set_fd(ssl_, fd_) != 1) {
    ERR_clear_error();
    state_ = State::kDone;
  }
}

Connection::~Connection() {
  ReleaseBody();
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (fd_ >= 0) ::close(fd_);
}

bool Connection::ReserveBody(size_t total) {
  if (env_.body_budget == nullptr || total <= kBudgetedBodyBytes || total <= body_reserved_)
    return true;
  if (!env_.body_budget->TryAcquire(total - body_reserved_)) return false;
  body_reserved_ = total;
  return true;
}

void Connection::ReleaseBody() {
  if (body_reserved_ == 0) return;
  env_.body_budget->Release(body_reserved_);
  body_reserved_ = 0;
}

bool Connection::HostAllowed() const {
  const std::vector<std::string>& allowed = env_.options->allowed_hosts;
  if (allowed.empty() || !request_.HasHeader("host")) return true;
  std::string_view name = HostName(request_.Header("host"));
  if (name.empty()) return false;
  for (const std::string& a : allowed)
    if (EqualsIgnoreCase(name, a)) return true;
  return false;
}

// --- llhttp callbacks ------------------------------------------------------------------------

int Connection::OnMessageBegin(llhttp_t* p) {
  auto* c = static_cast<Connection*>(p->data);
  c->url_.clear();
  c->header_count_ = 0;
  c->in_header_field_ = false;
  c->header_bytes_ = 0;
  c->body_.clear();
  c->error_status_ = 0;
  c->message_ready_ = false;
  c->phase_ = Phase::kHeaders;
  c->phase_start_ = c->now_;
  return 0;
}

bool Connection::CountHeaderBytes(size_t len) {
  header_bytes_ += len;
  if (header_bytes_ <= env_.options->max_header_bytes) return true;
  error_status_ = 431;
  return false;
}

int Connection::OnUrl(llhttp_t* p, const char* at, size_t len) {
  auto* c = static_cast<Connection*>(p->data);
  if (!c->CountHeaderBytes(len)) return -1;
  c->url_.append(at, len);
  return 0;
}

int Connection::OnHeaderField(llhttp_t* p, const char* at, size_t len) {
  auto* c = static_cast<Connection*>(p->data);
  if (!c->CountHeaderBytes(len)) return -1;
  auto& headers = c->request_.headers;
  if (!c->in_header_field_) {  // a new header: reuse an old entry's strings when there is one
    c->in_header_field_ = true;
    if (c->header_count_ == headers.size()) {
      headers.emplace_back();
    } else {
      headers[c->header_count_].first.clear();
      headers[c->header_count_].second.clear();
    }
  }
  std::string& name = headers[c->header_count_].first;
  // Appended, then lower-cased in place (a push_back per character cost ~130 instructions a
  // header: callgrind).
  const size_t from = name.size();
  name.append(at, len);
  LowerAscii(name.data() + from, len);
  return 0;
}

int Connection::OnHeaderValue(llhttp_t* p, const char* at, size_t len) {
  auto* c = static_cast<Connection*>(p->data);
  if (!c->CountHeaderBytes(len)) return -1;
  if (!c->in_header_field_) return 0;  // cannot happen: llhttp sends a field first
  c->request_.headers[c->header_count_].second.append(at, len);
  return 0;
}

int Connection::OnHeaderValueComplete(llhttp_t* p) {
  auto* c = static_cast<Connection*>(p->data);
  if (!c->in_header_field_) return 0;
  std::string& value = c->request_.headers[c->header_count_].second;
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
  c->in_header_field_ = false;
  ++c->header_count_;
  return 0;
}

int Connection::OnHeadersComplete(llhttp_t* p) {
  auto* c = static_cast<Connection*>(p->data);
  c->request_.headers.resize(c->header_count_);
  const ServerOptions& options = *c->env_.options;
  // Only HTTP/1.0 and 1.1 are spoken here: "GET /" alone (0.9) is malformed for us; an HTTP/2
  // request line (a client that skipped the upgrade) is a version we do not support.
  if (p->http_major != 1) {
    c->error_status_ = p->http_major == 0 ? 400 : 505;
    return -1;
  }
  if (!c->HostAllowed()) {
    c->error_status_ = 403;
    return -1;
  }
  if (p->flags & F_CONTENT_LENGTH) {
    if (p->content_length > options.max_body_bytes) {
      c->error_status_ = 413;
      return -1;
    }
    if (!c->ReserveBody(p->content_length)) {  // checked before a byte of the body is read
      c->error_status_ = 503;
      return -1;
    }
    c->body_.reserve(p->content_length + kBodyPadding);
  }
  // RFC 7231 5.1.1: a 1.1 client may wait for "100 Continue" before it sends the body.
  bool has_body = (p->flags & F_CHUNKED) || ((p->flags & F_CONTENT_LENGTH) && p->content_length);
  if (has_body) {
    c->phase_ = Phase::kBody;
    c->phase_start_ = c->body_progress_ = c->now_;
    c->body_received_ = 0;
  }
  if (has_body && p->http_major == 1 && p->http_minor >= 1 &&
      EqualsIgnoreCase(c->request_.Header("expect"), "100-continue")) {
    c->Send("HTTP/1.1 100 Continue\r\n\r\n", {});
  }
  return 0;
}

int Connection::OnBody(llhttp_t* p, const char* at, size_t len) {
  auto* c = static_cast<Connection*>(p->data);
  const size_t total = c->body_.size() + len;
  if (total > c->env_.options->max_body_bytes) {  // chunked bodies end up here
    c->error_status_ = 413;
    return -1;
  }
  if (total > c->body_reserved_ && total > kBudgetedBodyBytes &&
      !c->ReserveBody((total + kChunkedReserveStep - 1) / kChunkedReserveStep *
                      kChunkedReserveStep)) {  // a chunked body: its size was not declared
    c->error_status_ = 503;
    return -1;
  }
  c->body_received_ += len;
  c->body_progress_ = c->now_;
  c->body_.append(at, len);
  return 0;
}

int Connection::OnMessageComplete(llhttp_t* p) {
  auto* c = static_cast<Connection*>(p->data);
  // An Upgrade or CONNECT request is answered like any other, then the connection is closed:
  // what follows it is not HTTP/1.1 that we could parse.
  c->keep_alive_ = llhttp_should_keep_alive(p) && !p->upgrade;
  c->message_ready_ = true;
  return HPE_PAUSED;  // the caller handles the request, then resumes after it
}

// --- input -----------------------------------------------------------------------------------

void Connection::OnEvents(uint32_t events) {
  if (state_ == State::kDone) return;
  if (events & (EPOLLERR | EPOLLHUP)) {  // reset, or both directions closed: nothing can be sent
    state_ = State::kDone;
    return;
  }
  // TLS: a read that waits for the socket to take bytes, a write that waits for bytes to come.
  const bool retry_read = (events & EPOLLOUT) && read_wants_write_;
  if ((events & EPOLLOUT) || ((events & EPOLLIN) && write_wants_read_)) Flush();
  if ((events & EPOLLIN) || retry_read) {
    if (state_ == State::kOpen) {
      OnReadable();
    } else if (state_ == State::kDraining) {
      Drain();
    }
  }
  // Shutting down, a connection that has answered all it received does not wait for more (its
  // last answer may have kept it alive: bytes followed it that were not a request, e.g. a CRLF).
  if (shutting_down_) CloseIfIdle();
}

void Connection::BeginShutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  if (state_ == State::kDraining) {
    drain_deadline_ =
        std::min(drain_deadline_, std::chrono::steady_clock::now() + kShutdownDrainTimeout);
  }
  if (state_ != State::kOpen) return;  // its last answer is on its way already
  OnReadable();  // what the client sent before now is a request received: it gets its answer
  CloseIfIdle();
}

void Connection::CloseIfIdle() {
  if (state_ != State::kOpen || running_) return;
  if (!pending_in_.empty() || phase_ == Phase::kHeaders || phase_ == Phase::kBody) return;
  if (OutputPending()) {
    StartClosing();  // an answer sent with keep-alive: flush it, then close
  } else {
    state_ = State::kDone;  // idle: nothing to answer
  }
}

bool Connection::Busy() const {
  switch (state_) {
    case State::kOpen:
      return running_ || OutputPending() || !pending_in_.empty() ||
             (phase_ != Phase::kIdle && phase_ != Phase::kFirstRequest);
    case State::kClosing:
      return true;
    case State::kDraining:
    case State::kDone:
      return false;
  }
  return false;
}

void Connection::OnTimer(std::chrono::steady_clock::time_point now) {
  using std::chrono::duration;
  if (state_ == State::kDone) return;
  if (state_ == State::kDraining) {
    if (now >= drain_deadline_) state_ = State::kDone;
    return;
  }
  if (held_ || running_) return;  // released by the loop (server.cc), not a deadline
  const ServerOptions& o = *env_.options;
  if (OutputPending()) {  // a client that does not read what it asked for
    if (o.write_timeout.count() > 0 && now - write_progress_ >= o.write_timeout) {
      state_ = State::kDone;
      return;
    }
    if (Backpressured()) return;  // not reading now: no read deadline runs
  }
  if (state_ != State::kOpen) return;
  switch (phase_) {
    case Phase::kFirstRequest:  // nothing received: no request to answer, close quietly
      if (o.header_timeout.count() > 0 && now - phase_start_ >= o.header_timeout)
        state_ = State::kDone;
      return;
    case Phase::kHeaders:
      if (o.header_timeout.count() > 0 && now - phase_start_ >= o.header_timeout) SendError(408);
      return;
    case Phase::kBody: {
      if (o.body_timeout.count() == 0) return;
      if (now - body_progress_ >= o.body_timeout) {
        SendError(408);
        return;
      }
      const double late = duration<double>(now - phase_start_ - o.body_timeout).count();
      if (o.min_body_rate > 0 && late > 0 &&
          static_cast<double>(body_received_) < late * static_cast<double>(o.min_body_rate))
        SendError(408);
      return;
    }
    case Phase::kIdle:
      if (o.idle_timeout.count() > 0 && !OutputPending() &&
          now - std::max(phase_start_, write_progress_) >= o.idle_timeout)
        state_ = State::kDone;  // between requests: nothing to answer
      return;
  }
}

uint32_t Connection::WantedEvents() const {
  const uint32_t tls_extra =
      (read_wants_write_ ? uint32_t{EPOLLOUT} : 0) | (write_wants_read_ ? uint32_t{EPOLLIN} : 0);
  switch (state_) {
    case State::kOpen:
      if (held_ || running_)  // nothing read meanwhile
        return (OutputPending() ? uint32_t{EPOLLOUT} : 0u) | tls_extra;
      if (Backpressured()) return EPOLLOUT | tls_extra;
      return (OutputPending() ? (EPOLLIN | EPOLLOUT) : EPOLLIN) | tls_extra;
    case State::kClosing:
      return EPOLLOUT | tls_extra;
    case State::kDraining:
      return EPOLLIN;
    case State::kDone:
      return 0;
  }
  return 0;
}

void Connection::OnReadable() {
  if (running_) return;  // a worker reads this request's buffers: nothing is parsed meanwhile
  if (!pending_in_.empty()) ParsePendingInput();
  if (ssl_ != nullptr && !tls_checked_ && !LooksLikeTls()) return;
  // Level-triggered: a few reads per wake-up, then other connections get their turn.
  for (int i = 0; i < 8 && state_ == State::kOpen && !Backpressured() && pending_in_.empty(); ++i) {
    ssize_t n = Receive(env_.read_buffer, env_.read_buffer_size);
    if (n > 0) {
      CountOn(env_.counters->bytes_in, static_cast<uint64_t>(n));
      now_ = std::chrono::steady_clock::now();
      size_t len = static_cast<size_t>(n);
      size_t used = ParseInput(env_.read_buffer, len);
      if (used < len && state_ == State::kOpen)
        pending_in_.assign(env_.read_buffer + used, len - used);
      // A short read emptied the socket; TLS returns a record at a time, so it reads until
      // EAGAIN (OpenSSL reads no more than a record from the socket: nothing stays hidden in it).
      if (len < env_.read_buffer_size && ssl_ == nullptr) break;
      continue;
    }
    if (n == 0) {  // the client has sent all it will: answer what it sent, then close
      peer_closed_ = true;
      StartClosing();
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) state_ = State::kDone;
    break;
  }
}

ssize_t Connection::ReadRaw(char* buffer, size_t size) {
  if (ring_ == nullptr) return ::read(fd_, buffer, size);
  const size_t left = ring_in_.size() - ring_in_pos_;
  if (left > 0) {
    const size_t n = std::min(left, size);
    std::memcpy(buffer, ring_in_.data() + ring_in_pos_, n);
    ring_in_pos_ += n;
    if (ring_in_pos_ == ring_in_.size()) {
      ring_in_.clear();
      ring_in_pos_ = 0;
      if (ring_in_.capacity() > kMaxRingInput) std::string().swap(ring_in_);
    }
    return static_cast<ssize_t>(n);
  }
  if (ring_error_ != 0) {
    errno = ring_error_;
    return -1;
  }
  if (ring_eof_) return 0;
  errno = EAGAIN;
  return -1;
}

ssize_t Connection::Receive(char* buffer, size_t size) {
  if (ssl_ == nullptr) return ReadRaw(buffer, size);
  read_wants_write_ = false;
  ERR_clear_error();  // SSL_get_error reads this thread's queue: nothing of another connection
  const int n = SSL_read(ssl_, buffer, static_cast<int>(std::min<size_t>(size, INT32_MAX)));
  if (n > 0) return n;
  switch (SSL_get_error(ssl_, n)) {
    case SSL_ERROR_ZERO_RETURN:  // close_notify, or EOF (SSL_OP_IGNORE_UNEXPECTED_EOF)
      return 0;
    case SSL_ERROR_WANT_WRITE:
      read_wants_write_ = true;
      [[fallthrough]];
    case SSL_ERROR_WANT_READ:
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_SYSCALL:
      if (errno == 0 || errno == EAGAIN || errno == EINTR) errno = ECONNRESET;
      ERR_clear_error();
      return -1;
    default:  // a failed handshake (wrong protocol version, no shared cipher...) or a bad record
      if (spdlog::should_log(spdlog::level::debug)) {
        const char* why = ERR_reason_error_string(ERR_peek_last_error());
        spdlog::debug("http: TLS connection failed: {}", why != nullptr ? why : "unknown error");
      }
      ERR_clear_error();
      errno = EPROTO;
      return -1;
  }
}

ssize_t Connection::Transmit(const char* data, size_t size) {
  BeforeOutput();
  if (ssl_ == nullptr) return ::send(fd_, data, size, MSG_NOSIGNAL);
  write_wants_read_ = false;
  ERR_clear_error();
  const int n = SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(size, INT32_MAX)));
  if (n > 0) return n;
  switch (SSL_get_error(ssl_, n)) {
    case SSL_ERROR_WANT_READ:
      write_wants_read_ = true;
      [[fallthrough]];
    case SSL_ERROR_WANT_WRITE:
      errno = EAGAIN;
      return -1;
    default:
      ERR_clear_error();
      errno = EPIPE;
      return -1;
  }
}

bool Connection::LooksLikeTls() {
  unsigned char first = 0;
  ssize_t n = ::recv(fd_, &first, 1, MSG_PEEK);
  if (n <= 0) return true;  // nothing yet, or EOF / an error that the next read reports
  tls_checked_ = true;
  constexpr unsigned char kHandshakeRecord = 0x16;
  if (first == kHandshakeRecord || first < 'A' || first > 'Z') return true;  // OpenSSL judges
  // An HTTP method: plain HTTP sent to the HTTPS port. Answered in plain text, then closed.
  spdlog::debug("http: a plain-HTTP request on the HTTPS port: 400");
  SSL_free(ssl_);
  ssl_ = nullptr;
  SendError(400);
  return false;
}

void Connection::Drain() {
  // Enough for a client that sends a whole oversized body before it reads our 413.
  const size_t cap = 2 * env_.options->max_body_bytes + (32 << 20);
  for (int i = 0; i < 8; ++i) {  // level-triggered: what is left is read on the next wake-up
    ssize_t n = ReadRaw(env_.read_buffer, env_.read_buffer_size);
    if (n > 0) {
      CountOn(env_.counters->bytes_in, static_cast<uint64_t>(n));
      drained_bytes_ += static_cast<size_t>(n);
      if (drained_bytes_ <= cap) continue;
    } else if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
      if (errno == EINTR) continue;
      return;
    }
    state_ = State::kDone;  // EOF, an error, or more than we are willing to drop
    return;
  }
}

size_t Connection::ParseInput(const char* input, size_t len) {
  size_t used = 0;
  while (used < len && state_ == State::kOpen && !Backpressured()) {
    llhttp_errno_t err = ExecuteParser(&parser_, input + used, len - used);
    if (err == HPE_OK) return len;
    if (err == HPE_PAUSED && message_ready_) {
      used = static_cast<size_t>(llhttp_get_error_pos(&parser_) - input);
      llhttp_resume(&parser_);
      more_input_ = used < len;
      HandleRequest();
      continue;
    }
    SendError(error_status_ != 0 ? error_status_ : 400);
    return len;
  }
  return used;
}

void Connection::ParsePendingInput() {
  size_t used = ParseInput(pending_in_.data(), pending_in_.size());
  if (state_ == State::kOpen) {
    pending_in_.erase(0, used);
  } else {
    pending_in_.clear();
  }
}

// --- requests --------------------------------------------------------------------------------

bool Connection::DecodeBody(std::string_view coding_header) {
  ContentCoding coding = ParseContentCoding(coding_header);
  if (coding == ContentCoding::kIdentity) return true;
  // The framing was sound, so the connection stays usable after these errors.
  if (coding == ContentCoding::kUnsupported) {  // the handler must not act on bytes it cannot read
    SendError(500, /*close=*/false);
    return false;
  }
  if (request_.body.empty()) return true;  // nothing to decode
  InflateResult r = Inflate(coding, request_.body, env_.options->max_body_bytes, &decoded_);
  if (r != InflateResult::kOk) {
    SendError(r == InflateResult::kTooLarge ? 413 : 500, /*close=*/false);
    return false;
  }
  decoded_.append(kBodyPadding, '\0');
  request_.body = std::string_view(decoded_.data(), decoded_.size() - kBodyPadding);
  return true;
}

void Connection::EndRequest() {
  ReleaseBody();
  phase_ = Phase::kIdle;
  phase_start_ = std::chrono::steady_clock::now();
}

void Connection::HandleRequest() {
  message_ready_ = false;
  request_.method = llhttp_method_name(static_cast<llhttp_method_t>(parser_.method));
  request_.url = url_;
  body_.append(kBodyPadding, '\0');
  request_.body = std::string_view(body_.data(), body_.size() - kBodyPadding);
  request_.wire_body = request_.body;
  if (request_.HasHeader("content-encoding") && !DecodeBody(request_.Header("content-encoding"))) {
    EndRequest();
    return;
  }

  static const Response kFresh;
  response_.status = kFresh.status;
  response_.content_type.assign(kFresh.content_type);
  response_.headers.clear();
  response_.body.clear();
  if (env_.offload != nullptr) {  // on a worker; FinishRequest() when it is done
    running_ = true;
    (*env_.offload)(this);
    return;
  }
  RunHandler();
  FinishRequest();
}

void Connection::RunHandler() {
  try {
    (*env_.handler)(request_, response_);
  } catch (const std::exception& e) {
    spdlog::error("http: handler threw: {}", e.what());
    response_.status = 0;
  } catch (...) {
    spdlog::error("http: handler threw a non-standard exception");
    response_.status = 0;
  }
}

void Connection::FinishRequest() {
  running_ = false;
  // Whatever happens below, the request is over after it.
  struct Done {
    Connection* c;
    ~Done() { c->EndRequest(); }
  } done{this};
  if (state_ != State::kOpen) return;  // closed while a worker ran the Handler: nobody to answer
  // The request's body is done with: a rare huge one should not pin its memory to an idle
  // connection, and its budget is free again before the client can read the answer.
  if (body_.capacity() > kKeepCapacity) std::string().swap(body_);
  if (decoded_.capacity() > kKeepCapacity) std::string().swap(decoded_);
  ReleaseBody();
  if (response_.status < 100 || response_.status > 999) {
    SendError(500);
    return;
  }
  // Shutting down: keep-alive ends with the last request already received.
  if (shutting_down_ && !more_input_) keep_alive_ = false;
  if (response_.delay.count() > 0) {  // fault injection: answer (or drop) later, see ReleaseHeld
    FormatHead(response_);
    held_out_.assign(head_);
    if (parser_.method != HTTP_HEAD) held_out_.append(response_.body);
    held_ = true;
    held_drop_ = response_.drop;
    held_until_ = std::chrono::steady_clock::now() + std::min(response_.delay, kMaxResponseDelay);
    return;
  }
  if (response_.drop) {  // fault injection: close without an answer
    state_ = State::kDone;
    return;
  }
  SendResponse(response_, parser_.method == HTTP_HEAD);
  if (!keep_alive_) StartClosing();

  if (response_.body.capacity() > kKeepCapacity) std::string().swap(response_.body);
}

void Connection::SendError(int status, bool close) {
  response_.status = status;
  response_.content_type.assign("application/x-amz-json-1.0");
  response_.headers.clear();
  response_.body.clear();
  if (env_.options->error_body) {
    try {
      env_.options->error_body(status, response_);
    } catch (const std::exception& e) {
      spdlog::error("http: error_body threw: {}", e.what());
      response_.headers.clear();
      DefaultErrorBody(status, response_);
    }
  } else {
    DefaultErrorBody(status, response_);
  }
  response_.status = status;
  if (close) keep_alive_ = false;
  SendResponse(response_, parser_.method == HTTP_HEAD && !close);
  if (!keep_alive_) StartClosing();
}

// --- output ----------------------------------------------------------------------------------

void Connection::ReleaseHeld() {
  held_ = false;
  held_until_ = {};
  if (state_ != State::kOpen) return;
  if (held_drop_) {
    state_ = State::kDone;
  } else {
    Send(held_out_, {});
    if (!keep_alive_) StartClosing();
  }
  if (held_out_.capacity() > kKeepCapacity) std::string().swap(held_out_);
  if (state_ == State::kOpen && !Backpressured() && !pending_in_.empty()) ParsePendingInput();
}

void Connection::SendResponse(const Response& response, bool head_only) {
  FormatHead(response);
  Send(head_, head_only ? std::string_view() : std::string_view(response.body));
}

void Connection::FormatHead(const Response& response) {
  head_.clear();
  head_.append("HTTP/1.1 ");
  AppendNumber(head_, static_cast<size_t>(response.status));
  head_.push_back(' ');
  head_.append(ReasonPhrase(response.status));
  head_.append("\r\n");
  if (!response.content_type.empty()) {
    head_.append("Content-Type: ");
    head_.append(response.content_type);
    head_.append("\r\n");
  }
  head_.append("Content-Length: ");
  AppendNumber(head_, response.body.size());
  head_.append("\r\n");
  head_.append(env_.date->header_line());
  head_.append(keep_alive_ ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
  for (const auto& [name, value] : response.headers) {
    head_.append(name);
    head_.append(": ");
    head_.append(value);
    head_.append("\r\n");
  }
  head_.append("\r\n");
}

void Connection::Send(std::string_view head, std::string_view body) {
  if (state_ == State::kDone || state_ == State::kDraining) return;
  if (OutputPending()) {  // keep the order: behind what is already queued
    out_.append(head);
    out_.append(body);
    return;
  }
  out_.clear();
  out_pos_ = 0;
  write_progress_ = std::chrono::steady_clock::now();  // the write deadline counts from here
  if (ring_ != nullptr) {  // one send request for head and body
    out_.append(head);
    out_.append(body);
    SubmitOutput();
    return;
  }
  if (ssl_ != nullptr) {  // one buffer, so that small answers go out as one TLS record
    out_.append(head);
    out_.append(body);
    WriteOut();
    if (!OutputPending() && out_.capacity() > kKeepCapacity) {
      std::string().swap(out_);
      out_pos_ = 0;
    }
    return;
  }
  iovec iov[2] = {{const_cast<char*>(head.data()), head.size()},
                  {const_cast<char*>(body.data()), body.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = body.empty() ? 1 : 2;
  ssize_t n;
  BeforeOutput();
  do {
    n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno != EAGAIN) {
      state_ = State::kDone;
      return;
    }
    n = 0;
  }
  size_t written = static_cast<size_t>(n);
  CountOn(env_.counters->bytes_out, written);
  if (written < head.size()) {
    out_.append(head.substr(written));
    out_.append(body);
  } else {
    out_.append(body.substr(written - head.size()));
  }
}

void Connection::WriteOut() {
  if (ring_ != nullptr) {
    SubmitOutput();
    return;
  }
  while (OutputPending()) {
    ssize_t n = Transmit(out_.data() + out_pos_, out_.size() - out_pos_);
    if (n > 0) {
      CountOn(env_.counters->bytes_out, static_cast<uint64_t>(n));
      out_pos_ += static_cast<size_t>(n);
      write_progress_ = std::chrono::steady_clock::now();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    state_ = State::kDone;
    return;
  }
}

void Connection::Flush() {
  WriteOut();
  if (state_ == State::kDone) return;
  if (!OutputPending()) {
    out_.clear();
    out_pos_ = 0;
    if (out_.capacity() > kKeepCapacity) std::string().swap(out_);
    if (flight_.capacity() > kKeepCapacity) std::string().swap(flight_);
    AfterOutputDrained();
  } else if (out_pos_ > kMaxPendingOutput && out_pos_ * 2 > out_.size()) {
    out_.erase(0, out_pos_);  // keep the queue from growing while a slow client catches up
    out_pos_ = 0;
  }
  if (state_ == State::kOpen && !Backpressured() && !pending_in_.empty()) ParsePendingInput();
}

void Connection::AfterOutputDrained() {
  if (state_ != State::kClosing) return;
  if (peer_closed_) {
    state_ = State::kDone;
    return;
  }
  // Lingering close: FIN first (after TLS's close_notify), then drop what the client still sends
  // until it closes.
  if (ssl_ != nullptr) {
    ERR_clear_error();
    (void)SSL_shutdown(ssl_);  // best effort: one non-blocking try
    ERR_clear_error();
  }
  ::shutdown(fd_, SHUT_WR);
  state_ = State::kDraining;
  drain_deadline_ =
      std::chrono::steady_clock::now() + (shutting_down_ ? kShutdownDrainTimeout : kDrainTimeout);
  drained_bytes_ = 0;
}

void Connection::StartClosing() {
  if (state_ != State::kOpen) return;
  state_ = State::kClosing;
  // No more requests: a body kept for one (a refused or unfinished request) is not needed.
  std::string().swap(body_);
  ReleaseBody();
  if (!OutputPending()) AfterOutputDrained();
}

// --- io_uring (connection.h) ------------------------------------------------------------------

// Without the ring, bytes leave here, so the barrier runs here (with it, the ring runs it
// before each submission: ring.h).
void Connection::BeforeOutput() {
  if (env_.options->before_output) env_.options->before_output();
}

void Connection::SubmitOutput() {
  if (send_in_flight_ || out_pos_ >= out_.size() || state_ == State::kDone) return;
  flight_.swap(out_);
  flight_pos_ = out_pos_;
  out_.clear();
  out_pos_ = 0;
  if (!ring_->Send(fd_, flight_.data() + flight_pos_, flight_.size() - flight_pos_, this)) {
    state_ = State::kDone;
    return;
  }
  send_in_flight_ = true;
}

void Connection::OnRingSent(int result) {
  send_in_flight_ = false;
  if (state_ == State::kDone) return;
  if (result <= 0) {  // the client reset the connection, or the loop cancelled the send
    state_ = State::kDone;
    return;
  }
  const size_t n = static_cast<size_t>(result);
  CountOn(env_.counters->bytes_out, n);
  write_progress_ = std::chrono::steady_clock::now();
  flight_pos_ += n;
  if (flight_pos_ < flight_.size()) {  // a short send: the rest goes first, in order
    if (!ring_->Send(fd_, flight_.data() + flight_pos_, flight_.size() - flight_pos_, this)) {
      state_ = State::kDone;
      return;
    }
    send_in_flight_ = true;
    return;
  }
  flight_.clear();
  flight_pos_ = 0;
  Flush();  // sends what queued meanwhile, or goes on as output drained
}

bool Connection::WantsRingInput() const {
  if (state_ != State::kOpen && state_ != State::kClosing && state_ != State::kDraining)
    return false;
  return !ring_eof_ && ring_error_ == 0 && ring_in_.size() - ring_in_pos_ < kMaxRingInput;
}

void Connection::OnRingReceive(int result, bool more, std::string_view data) {
  if (!more) receive_armed_ = false;
  if (state_ == State::kDone) return;
  if (result > 0) {
    ring_in_.append(data);
  } else if (result == 0) {
    ring_eof_ = true;
  } else if (result != -ENOBUFS && result != -ECANCELED) {  // those two: armed again
    ring_error_ = -result;
  }
}

void Connection::PumpRing() {
  // What a readable socket would make the connection do, as long as it takes bytes (or the end
  // of the stream) from ring_in_.
  for (int turn = 0; turn < 64; ++turn) {
    if (state_ != State::kOpen && state_ != State::kDraining) return;
    const size_t left = ring_in_.size() - ring_in_pos_;
    if (left == 0 && !ring_eof_ && ring_error_ == 0) return;
    const State before = state_;
    OnEvents(EPOLLIN);
    if (state_ == before && ring_in_.size() - ring_in_pos_ == left) return;  // no progress
  }
}

}  // namespace cairn::http
