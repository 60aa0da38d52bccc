// Server: listeners, event loops and their threads (see server.h for the contract).
// Map: Start() resolves the host, checks the port is free, binds one SO_REUSEPORT listener per
// loop and starts the threads. EventLoop::Run() is the loop: epoll_wait, accept, hand socket events
// to Connection (connection.h), re-arm epoll to what each connection wants, reap closed ones; on
// a drain request it closes its listeners and runs until its connections are gone. With io_uring
// (ring.h) it waits in the ring instead: plain-HTTP connections receive and send through it, and
// the epoll instance (listeners, wake-up, TLS connections) is one more thing the ring polls.
#include "http/server.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>

#include "http/connection.h"
#include "http/date_cache.h"
#include "http/ring.h"
#include "http/tls.h"
#include "http/worker_pool.h"

namespace cairn::http {
namespace {

std::string ErrnoText(int err) { return std::system_category().message(err); }

// Shedding (EventLoop::ShedConnection) is serialized over the process's event loops, so that the
// descriptor one loop frees from its spare is not taken by another loop's shed.
std::mutex& ShedMutex() {
  static std::mutex mu;
  return mu;
}

// How long a loop stops polling its listeners when it has no descriptor to answer with.
constexpr std::chrono::milliseconds kListenerPause(100);

// "127.0.0.1:8000", "[::1]:8000"
std::string HostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

void SetPort(sockaddr_storage* addr, int port) {
  if (addr->ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(addr)->sin6_port = htons(static_cast<uint16_t>(port));
  } else {
    reinterpret_cast<sockaddr_in*>(addr)->sin_port = htons(static_cast<uint16_t>(port));
  }
}

int GetPort(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
}

// A bound (and, with `listen_backlog` >= 0, listening) non-blocking TCP socket, or the error.
Result<int> OpenSocket(const sockaddr_storage& addr, socklen_t addr_len, bool reuse_port,
                       int listen_backlog, const std::string& where) {
  int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError("socket " + where + ": " + ErrnoText(errno));
  int one = 1;
  // SO_REUSEADDR: restart while connections of the previous run are in TIME_WAIT.
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (reuse_port && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    int err = errno;
    ::close(fd);
    return Status::IOError("setsockopt SO_REUSEPORT " + where + ": " + ErrnoText(err));
  }
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), addr_len) != 0) {
    int err = errno;
    ::close(fd);
    return Status::IOError("bind " + where + ": " + ErrnoText(err));
  }
  if (listen_backlog >= 0 && ::listen(fd, listen_backlog) != 0) {
    int err = errno;
    ::close(fd);
    return Status::IOError("listen " + where + ": " + ErrnoText(err));
  }
  return fd;
}

}  // namespace

// What the Server tells its loops (written by RequestStop() / RequestDrain(), then the wake fd).
struct LoopSignals {
  const std::atomic<bool>* stop_now;
  const std::atomic<bool>* drain;
  WorkerPool* workers;  // null: Handlers run on the loop thread
};

// One thread's loop: its listeners, its epoll instance, its connections. All members are used only
// by the loop thread once Run() has started, except wake_fd_ (written by Server::RequestStop())
// and cut() (read after the thread has been joined).
class EventLoop {
 public:
  EventLoop(const ServerOptions& options, const Handler& handler, Budget* connections,
            Budget* body_bytes, LoopSignals signals)
      : options_(options),
        handler_(handler),
        connection_budget_(connections),
        signals_(signals),
        read_buffer_(64 * 1024) {
    env_.handler = &handler_;
    env_.options = &options_;
    env_.date = &date_;
    env_.read_buffer = read_buffer_.data();
    env_.read_buffer_size = read_buffer_.size();
    env_.body_budget = body_bytes;
    env_.counters = &counters_;
    if (signals_.workers != nullptr) {
      offload_ = [this](Connection* c) { Offload(c); };
      env_.offload = &offload_;
    }
    refusal_ = RefusalBytes(options_);
    // Deadlines are checked by a sweep; a quarter of the shortest one keeps them within 25 %.
    sweep_period_ = std::chrono::milliseconds(1000);
    for (std::chrono::milliseconds t : {options_.header_timeout, options_.body_timeout,
                                        options_.idle_timeout, options_.write_timeout}) {
      if (t.count() > 0) sweep_period_ = std::min(sweep_period_, t / 4);
    }
    sweep_period_ = std::max(sweep_period_, std::chrono::milliseconds(10));
  }

  ~EventLoop() {
    connections_.clear();
    CloseListeners();
    if (spare_fd_ >= 0) ::close(spare_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
  }
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Takes ownership of the listening sockets (-1: none; tls_listen_fd REQUIRES options.tls);
  // creates the epoll instance and the wake-up eventfd.
  Status Init(int listen_fd, int tls_listen_fd) {
    listen_fd_ = listen_fd;
    tls_listen_fd_ = tls_listen_fd;
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) return Status::IOError("epoll_create1: " + ErrnoText(errno));
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) return Status::IOError("eventfd: " + ErrnoText(errno));
    // Held in reserve: when accept() fails with EMFILE, closing it lets us accept and drop the
    // connection instead of spinning on a listener that stays readable.
    spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &listen_tag_;
    if (listen_fd_ >= 0 && ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) {
      return Status::IOError("epoll_ctl: " + ErrnoText(errno));
    }
    ev.data.ptr = &tls_listen_tag_;
    if (tls_listen_fd_ >= 0 && ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, tls_listen_fd_, &ev) != 0) {
      return Status::IOError("epoll_ctl: " + ErrnoText(errno));
    }
    ev.data.ptr = &wake_tag_;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
      return Status::IOError("epoll_ctl: " + ErrnoText(errno));
    }
    return Status::OK();
  }

  int wake_fd() const { return wake_fd_; }
  // Connections closed by force when the loop stopped (see Server::Shutdown).
  size_t cut() const { return cut_; }
  const LoopCounters& counters() const { return counters_; }

  void Run() {
    constexpr int kMaxEvents = 256;
    epoll_event events[kMaxEvents];
    auto next_sweep = std::chrono::steady_clock::now() + sweep_period_;
    if (options_.event_loop == EventLoopKind::kIoUring) StartRing();
    for (;;) {
      int n = 0;
      if (ring_ != nullptr) {
        const auto wait = std::chrono::milliseconds(epoll_ready_ ? 0 : WaitMillis());
        if (int error = ring_->Wait(wait); error != 0) {
          spdlog::error("http: io_uring_enter: {}", ErrnoText(error));
          break;
        }
        date_.Update(std::time(nullptr));
        ReapRing();
        if (epoll_ready_) {
          epoll_ready_ = false;
          // One-shot, armed again after each harvest: the arming looks at the epoll instance's
          // ready list, so a listener that stays readable is reported again (level-triggered).
          n = ::epoll_wait(epoll_fd_, events, kMaxEvents, 0);
          if (n < 0) n = 0;
          ring_->PollIn(epoll_fd_, this);
        }
      } else {
        n = ::epoll_wait(epoll_fd_, events, kMaxEvents, WaitMillis());
        if (n < 0) {
          if (errno == EINTR) continue;
          spdlog::error("http: epoll_wait: {}", ErrnoText(errno));
          break;
        }
        date_.Update(std::time(nullptr));
      }
      bool stop = false;
      for (int i = 0; i < n; ++i) {
        void* tag = events[i].data.ptr;
        if (tag == &listen_tag_) {
          Accept(listen_fd_, /*tls=*/false);
        } else if (tag == &tls_listen_tag_) {
          Accept(tls_listen_fd_, /*tls=*/true);
        } else if (tag == &wake_tag_) {
          uint64_t count;
          ssize_t got = ::read(wake_fd_, &count, sizeof(count));  // reset: level-triggered
          (void)got;                                              // EAGAIN: already reset
          if (signals_.stop_now->load()) {
            stop = true;
          } else {
            if (running_ > 0) FinishCompleted();
            if (signals_.drain->load() && !draining_) BeginDrain();
          }
        } else {
          auto* c = static_cast<Connection*>(tag);
          if (c->done()) continue;  // retired earlier in this batch; freed below
          c->OnEvents(events[i].events);
          Rearm(c);
          if (c->held()) Hold(c);
        }
      }
      if (stop) break;
      auto now = std::chrono::steady_clock::now();
      ReleaseDue(now);
      ResumeListeners(now);
      if (now >= next_sweep) {
        next_sweep = now + sweep_period_;
        for (size_t i = 0; i < connections_.size(); ++i) {
          Connection* c = connections_[i].get();
          if (c->done()) continue;
          c->OnTimer(now);
          Rearm(c);
          if (c->held()) Hold(c);
        }
      }
      for (Connection* c : retired_) {
        // A worker still reads it, or a request of the ring points to it: freed when that ends
        // (FinishCompleted, AfterRing).
        if (c->running() || c->ring_busy()) continue;
        Remove(c);
      }
      retired_.clear();
      if (draining_ && connections_.empty()) break;  // a graceful shutdown is complete here
    }
    // Stopping: close every connection and the listener now; the fds of epoll and the eventfd stay
    // open until the Server is destroyed, so a late RequestStop() writes to a valid descriptor.
    // Handlers running on workers finish first (they read their connections' buffers).
    WaitForWorkers();
    // Nothing of the ring may point to a connection once it is freed.
    if (ring_ != nullptr && !ring_->Quiesce(std::chrono::seconds(1))) {
      spdlog::warn("http: {} io_uring requests did not end", ring_->in_flight());
    }
    retired_.clear();
    held_.clear();
    cut_ = 0;
    for (const auto& c : connections_) cut_ += c->Busy() ? 1 : 0;
    connection_budget_->Release(connections_.size());
    connections_.clear();
    env_.ring = nullptr;
    ring_.reset();
    CloseListeners();
  }

 private:
  void CloseListeners() {
    for (int* fd : {&listen_fd_, &tls_listen_fd_}) {
      if (*fd < 0) continue;
      if (epoll_fd_ >= 0) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, *fd, nullptr);
      ::close(*fd);
      *fd = -1;
    }
  }

  // Graceful shutdown (server.h): no new connections; the open ones finish what they hold.
  void BeginDrain() {
    draining_ = true;
    // Connections the kernel has completed but this loop has not accepted yet were opened before
    // the shutdown: taken in, they are served like the others (what they sent is answered).
    for (int fd : {listen_fd_, tls_listen_fd_}) {
      if (fd < 0) continue;
      for (size_t before = SIZE_MAX; before != connections_.size();) {
        before = connections_.size();
        Accept(fd, fd == tls_listen_fd_);
      }
    }
    CloseListeners();
    // With the ring, what the connections' clients sent before now is taken in first: the
    // receives armed for the connections just accepted run on submission.
    if (ring_ != nullptr && ring_->Wait(std::chrono::milliseconds(0)) == 0) ReapRing();
    for (size_t i = 0; i < connections_.size(); ++i) {
      Connection* c = connections_[i].get();
      if (c->done()) continue;
      c->BeginShutdown();
      Rearm(c);
      if (c->held()) Hold(c);
    }
  }

  // io_uring (ring.h), on the loop's own thread (the ring is single-issuer). Without it here, the
  // loop stays on epoll and says why, once per server.
  void StartRing() {
    std::string why;
    ring_ = Ring::Create(&why);
    if (ring_ == nullptr) {
      static std::atomic<bool> said{false};
      if (!said.exchange(true))
        spdlog::info("http: io_uring is not available here ({}); the event loops use epoll", why);
      return;
    }
    env_.ring = ring_.get();
    if (options_.before_output) ring_->set_before_submit(&options_.before_output);
    ring_->PollIn(epoll_fd_, this);
  }

  // Handles every completion the ring holds.
  void ReapRing() {
    ring_->ForEachCompletion([this](const Ring::Completion& e) {
      if (e.kind == Ring::Kind::kPoll) {
        epoll_ready_ = true;
        return;
      }
      auto* c = static_cast<Connection*>(e.owner);
      if (e.kind == Ring::Kind::kReceive) {
        c->OnRingReceive(e.result, e.more, e.data);
      } else {
        c->OnRingSent(e.result);
      }
      AfterRing(c);
    });
  }

  // After a completion of the ring for `c`: a connection retired meanwhile is freed once nothing
  // of the ring points to it; another goes on as after any event.
  void AfterRing(Connection* c) {
    if (c->retired()) {
      if (!c->ring_busy() && !c->running() &&
          std::find(retired_.begin(), retired_.end(), c) == retired_.end())
        retired_.push_back(c);
      return;
    }
    Rearm(c);
    if (c->held()) Hold(c);
  }

  void Accept(int listen_fd, bool tls) {
    for (int i = 0; i < 64; ++i) {
      int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE) {
          ShedConnection(listen_fd, tls);
        } else if (errno != EAGAIN) {
          spdlog::warn("http: accept: {}", ErrnoText(errno));
        }
        return;
      }
      if (!connection_budget_->TryAcquire(1)) {  // --max-connections reached
        Refuse(fd, tls);
        continue;
      }
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      SSL* ssl = nullptr;
      if (tls && (ssl = options_.tls->NewSession()) == nullptr) {  // OpenSSL out of memory
        connection_budget_->Release(1);
        ::close(fd);
        continue;
      }
      std::unique_ptr<Connection> c;
      try {
        c = std::make_unique<Connection>(fd, env_, ssl);
      } catch (const std::bad_alloc&) {
        connection_budget_->Release(1);
        if (ssl != nullptr) SSL_free(ssl);
        Refuse(fd, tls);
        continue;
      }
      if (!c->ring()) {  // with the ring it is not polled: Rearm arms a receive for it
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = c.get();
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
          spdlog::warn("http: epoll_ctl: {}", ErrnoText(errno));
          connection_budget_->Release(1);
          continue;  // ~Connection closes the socket
        }
        c->set_registered_events(EPOLLIN);
      }
      Connection* raw = c.get();
      CountOn(counters_.accepted, 1);
      c->set_loop_index(connections_.size());
      connections_.push_back(std::move(c));
      if (raw->ring()) Rearm(raw);
    }
  }

  // Out of file descriptors: the spare one makes room to accept a pending connection, answer it
  // 503 and close it, instead of spinning on a listener that stays readable.
  void ShedConnection(int listen_fd, bool tls) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_shed_warning_ >= std::chrono::seconds(10)) {  // once in a while, not per client
      // Straight to stderr, not through spdlog: formatting needs nothing here, while under
      // UBSan fmt's virtual calls are checked with a pipe(2) that cannot be opened now (a false
      // "invalid vptr" that aborted the sanitizer build in test_http_abuse.py).
      static constexpr char kWarning[] =
          "[warning] http: out of file descriptors; refusing connections with 503\n";
      ssize_t written = ::write(STDERR_FILENO, kWarning, sizeof(kWarning) - 1);
      (void)written;  // nothing to do if stderr is gone
      last_shed_warning_ = now;
    }
    std::lock_guard lock(ShedMutex());
    if (spare_fd_ < 0) spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    bool answered = false;
    if (spare_fd_ >= 0) {
      ::close(spare_fd_);
      int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      const int accept_errno = errno;
      if (fd >= 0) Refuse(fd, tls);
      spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      // EAGAIN: another loop took the connection; it is not ours to answer.
      answered = spare_fd_ >= 0 && (fd >= 0 || (accept_errno != EMFILE && accept_errno != ENFILE));
    }
    // No spare (another thread took the descriptor it freed): the listener would stay readable and
    // the loop spin on it. Stop polling the listeners for a moment instead; the pending clients
    // wait in the backlog until a descriptor is free again.
    if (!answered) PauseListeners(now);
  }

  void PauseListeners(std::chrono::steady_clock::time_point now) {
    listeners_paused_until_ = now + kListenerPause;
    if (listeners_paused_) return;
    listeners_paused_ = true;
    SetListenerEvents(0);
  }

  // Ends a pause that is over (and takes a spare again if the loop has none).
  void ResumeListeners(std::chrono::steady_clock::time_point now) {
    if (!listeners_paused_ || now < listeners_paused_until_) return;
    listeners_paused_ = false;
    if (spare_fd_ < 0) spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    SetListenerEvents(EPOLLIN);
  }

  void SetListenerEvents(uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = &listen_tag_;
    if (listen_fd_ >= 0) ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &ev);
    ev.data.ptr = &tls_listen_tag_;
    if (tls_listen_fd_ >= 0) ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, tls_listen_fd_, &ev);
  }

  // Answers an accepted connection 503 and closes it at once, holding nothing afterwards. What the
  // client has sent so far is read first (a close with unread input would reset the connection);
  // the answer is one non-blocking send, which a new socket's buffer always takes whole. A TLS
  // client gets no answer (it expects a handshake, not plain text): only the close.
  void Refuse(int fd, bool tls) {
    CountOn(counters_.refused, 1);
    for (int i = 0; i < 4; ++i) {
      ssize_t n = ::read(fd, read_buffer_.data(), read_buffer_.size());
      if (n <= 0) break;
    }
    if (!tls) {
      ssize_t sent = ::send(fd, refusal_.data(), refusal_.size(), MSG_NOSIGNAL);
      // Best effort: the client may already be gone.
      if (sent > 0) CountOn(counters_.bytes_out, static_cast<uint64_t>(sent));
    }
    ::shutdown(fd, SHUT_WR);
    ::close(fd);
  }

  // The bytes of the 503 that Refuse() sends, made once from options.error_body.
  static std::string RefusalBytes(const ServerOptions& options) {
    Response r;
    r.status = 503;
    r.content_type = "application/x-amz-json-1.0";
    r.body = "{\"message\":\"Service Unavailable\"}";
    if (options.error_body) {
      try {
        options.error_body(503, r);
      } catch (const std::exception& e) {
        spdlog::error("http: error_body threw: {}", e.what());
      }
    }
    std::string out = "HTTP/1.1 503 Service Unavailable\r\n";
    if (!r.content_type.empty()) out += "Content-Type: " + r.content_type + "\r\n";
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\nConnection: close\r\n";
    for (const auto& [name, value] : r.headers) out += name + ": " + value + "\r\n";
    out += "\r\n";
    out += r.body;
    return out;
  }

  // Offloaded Handlers (ServerOptions::workers). The task runs the Handler on a worker, then
  // posts the connection back and wakes the loop, which finishes the request on its own thread.
  void Offload(Connection* c) {
    ++running_;
    signals_.workers->Submit([this, c] {
      c->RunHandler();
      {
        std::lock_guard<std::mutex> lock(completed_mu_);
        completed_.push_back(c);
      }
      completed_cv_.notify_one();
      uint64_t one = 1;
      ssize_t written = ::write(wake_fd_, &one, sizeof(one));
      (void)written;  // EAGAIN: the counter is already non-zero, the loop will wake anyway
    });
  }
  // Finishes the requests whose Handlers are done: answers them (or frees a connection that
  // closed meanwhile), then parses what their clients pipelined.
  void FinishCompleted() {
    {
      std::lock_guard<std::mutex> lock(completed_mu_);
      finishing_.swap(completed_);
    }
    for (Connection* c : finishing_) {
      --running_;
      c->FinishRequest();
      if (c->retired()) {  // closed while running: the sweep at the batch's end frees it
        if (std::find(retired_.begin(), retired_.end(), c) == retired_.end())
          retired_.push_back(c);
        continue;
      }
      if (c->state() == Connection::State::kOpen && !c->held()) c->OnEvents(EPOLLIN);
      Rearm(c);
      if (c->held()) Hold(c);
    }
    finishing_.clear();
  }
  // Stopping: waits until no Handler of this loop runs on a worker.
  void WaitForWorkers() {
    while (running_ > 0) {
      std::unique_lock<std::mutex> lock(completed_mu_);
      completed_cv_.wait(lock, [this] { return !completed_.empty(); });
      running_ -= completed_.size();
      completed_.clear();
    }
  }

  // Held responses (Response::delay): the loop wakes when the first is due.
  void Hold(Connection* c) {
    if (std::find(held_.begin(), held_.end(), c) == held_.end()) held_.push_back(c);
  }
  int WaitMillis() const {
    auto wait = sweep_period_;
    if (listeners_paused_) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(listeners_paused_until_ -
                                                               std::chrono::steady_clock::now());
      wait = std::min(wait, std::max(left, std::chrono::milliseconds(0)));
    }
    if (!held_.empty()) {
      const auto now = std::chrono::steady_clock::now();
      for (const Connection* c : held_) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(c->held_until() - now);
        wait = std::min(wait, std::max(left, std::chrono::milliseconds(0)));
      }
    }
    return static_cast<int>(wait.count());
  }
  void ReleaseDue(std::chrono::steady_clock::time_point now) {
    for (size_t i = 0; i < held_.size();) {
      Connection* c = held_[i];
      if (c->held() && !c->done() && now < c->held_until()) {
        ++i;
        continue;
      }
      held_[i] = held_.back();
      held_.pop_back();
      if (c->held() && !c->done()) c->ReleaseHeld();
      Rearm(c);
      if (c->held()) Hold(c);  // a pipelined request was held in turn
    }
  }

  // Makes epoll (or the ring) wait for what the connection wants now; retires it once it is done.
  void Rearm(Connection* c) {
    if (c->ring()) {
      RearmRing(c);
      return;
    }
    if (c->done()) {
      if (!c->retired()) {
        if (c->registered_events() != 0) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c->fd(), nullptr);
        c->set_registered_events(0);
        c->set_retired();
        retired_.push_back(c);
      }
      return;
    }
    uint32_t wanted = c->WantedEvents();
    if (wanted == c->registered_events()) return;
    epoll_event ev{};
    ev.events = wanted;
    ev.data.ptr = c;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd(), &ev);
    c->set_registered_events(wanted);
  }

  // The ring's Rearm: parses what was received as far as the connection may now, then keeps one
  // receive armed while it takes input (cancelled while kMaxRingInput bytes wait unread). A
  // connection that is done is retired; what the ring still holds for it is cancelled.
  void RearmRing(Connection* c) {
    if (!c->done()) c->PumpRing();
    if (c->done()) {
      if (!c->retired()) {
        c->set_retired();
        if (c->ring_busy()) ring_->CancelFd(c->fd());
        retired_.push_back(c);
      }
      return;
    }
    const bool wants = c->WantsRingInput();
    if (wants && !c->receive_armed()) {
      if (ring_->Receive(c->fd(), c)) c->set_receive_armed();
    } else if (!wants && c->receive_armed()) {
      ring_->Cancel(c, Ring::Kind::kReceive);
    }
  }

  // Frees a retired connection (closing its socket): swap with the last, pop.
  void Remove(Connection* c) {
    connection_budget_->Release(1);
    held_.erase(std::remove(held_.begin(), held_.end(), c), held_.end());
    size_t i = c->loop_index();
    if (i + 1 != connections_.size()) {
      connections_[i] = std::move(connections_.back());
      connections_[i]->set_loop_index(i);
    }
    connections_.pop_back();
  }

  const ServerOptions& options_;
  const Handler& handler_;
  Budget* connection_budget_;
  LoopSignals signals_;
  std::unique_ptr<Ring> ring_;  // io_uring, when options_.event_loop asks for it and it works
  bool epoll_ready_ = false;    // the ring's poll of epoll_fd_ completed: harvest epoll
  bool draining_ = false;
  size_t cut_ = 0;
  std::string refusal_;
  std::chrono::milliseconds sweep_period_;
  std::chrono::steady_clock::time_point last_shed_warning_{};
  bool listeners_paused_ = false;  // for want of descriptors (PauseListeners)
  std::chrono::steady_clock::time_point listeners_paused_until_{};
  int listen_fd_ = -1;
  int tls_listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  int spare_fd_ = -1;
  char listen_tag_ = 0;  // epoll data.ptr for the listener
  char tls_listen_tag_ = 0;
  char wake_tag_ = 0;  // epoll data.ptr for the eventfd
  DateCache date_;
  std::vector<char> read_buffer_;
  ConnectionEnv env_;
  LoopCounters counters_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> retired_;  // done in this batch; freed at its end
  std::vector<Connection*> held_;     // holding a delayed response (few: fault injection only)
  // Offloaded Handlers: how many run (loop thread only), and those done, posted by the workers.
  std::function<void(Connection*)> offload_;
  size_t running_ = 0;
  std::mutex completed_mu_;
  std::condition_variable completed_cv_;
  std::vector<Connection*> completed_;  // GUARDED_BY(completed_mu_)
  std::vector<Connection*> finishing_;  // loop thread only
};

Server::Server(ServerOptions options, Handler handler)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      connections_(options_.max_connections),
      body_bytes_(options_.max_buffered_body_bytes) {}

Server::~Server() {
  Stop();
  workers_.reset();  // idle by now: every loop waited for its Handlers before it ended
  wake_count_.store(0, std::memory_order_release);
  loops_.clear();
}

Status Server::Start() {
  if (started_.exchange(true)) return Status::InvalidArgument("http server already started");
  for (int p : {options_.port, options_.tls_port}) {
    if (p < -1 || p > 65535) return Status::InvalidArgument("bad port " + std::to_string(p));
  }
  if (options_.port < 0 && options_.tls_port < 0) {
    return Status::InvalidArgument("neither an HTTP nor an HTTPS port to listen on");
  }
  if (options_.tls_port >= 0 && options_.tls == nullptr) {
    return Status::InvalidArgument("an HTTPS port needs a TLS certificate and key");
  }
  if (options_.port > 0 && options_.port == options_.tls_port) {  // refused before any bind
    return Status::InvalidArgument("the HTTPS port " + std::to_string(options_.tls_port) +
                                   " must differ from the HTTP port");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  int rc =
      ::getaddrinfo(options_.host.empty() ? nullptr : options_.host.c_str(), "0", &hints, &found);
  if (rc != 0 || found == nullptr) {
    return Status::InvalidArgument("cannot resolve host '" + options_.host +
                                   "': " + ::gai_strerror(rc));
  }
  sockaddr_storage addr{};
  socklen_t addr_len = found->ai_addrlen;
  std::memcpy(&addr, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);

  // SO_REUSEPORT would let us silently share the port with another server of the same user, so
  // first make sure the port is free with a plain bind. Port 0 also picks the ephemeral port here.
  // Returns the port to bind, or -1 for a listener that is off.
  // The probe sockets stay bound until both ports are known, so that two ephemeral ports differ.
  std::vector<int> probes;
  auto probe = [&](int wanted) -> Result<int> {
    if (wanted < 0) return -1;
    SetPort(&addr, wanted);
    Result<int> fd =
        OpenSocket(addr, addr_len, /*reuse_port=*/false, -1, HostPort(options_.host, wanted));
    if (!fd.ok()) return fd.status();
    probes.push_back(*fd);
    sockaddr_storage bound{};
    socklen_t bound_len = sizeof(bound);
    if (::getsockname(*fd, reinterpret_cast<sockaddr*>(&bound), &bound_len) != 0)
      return Status::IOError("getsockname: " + ErrnoText(errno));
    return GetPort(bound);
  };
  Result<int> plain = probe(options_.port);
  Result<int> secure = plain.ok() ? probe(options_.tls_port) : plain;
  for (int fd : probes) ::close(fd);
  if (!secure.ok()) return secure.status();
  if (*plain >= 0 && *plain == *secure) {  // SO_REUSEPORT would split connections between them
    return Status::InvalidArgument("the HTTPS port " + std::to_string(*secure) +
                                   " must differ from the HTTP port");
  }
  port_ = *plain;
  tls_port_ = *secure;
  // One listener per loop and port; -1 when the port is off.
  auto listen_on = [&](int port) -> Result<int> {
    if (port < 0) return -1;
    SetPort(&addr, port);
    return OpenSocket(addr, addr_len, /*reuse_port=*/true, options_.listen_backlog,
                      HostPort(options_.host, port));
  };

  if (options_.workers > 0) {
    try {
      workers_ = std::make_unique<WorkerPool>(static_cast<size_t>(options_.workers));
    } catch (const std::system_error& e) {
      return Status::IOError(std::string("cannot start http worker threads: ") + e.what());
    }
  }
  int threads = options_.threads;
  if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
  if (threads <= 0) threads = 1;
  for (int i = 0; i < threads; ++i) {
    Result<int> fd = listen_on(port_);
    if (!fd.ok()) return fd.status();
    Result<int> tls_fd = listen_on(tls_port_);
    if (!tls_fd.ok()) {
      if (*fd >= 0) ::close(*fd);
      return tls_fd.status();
    }
    auto loop = std::make_unique<EventLoop>(options_, handler_, &connections_, &body_bytes_,
                                            LoopSignals{&stop_now_, &drain_, workers_.get()});
    Status s = loop->Init(*fd, *tls_fd);
    if (!s.ok()) return s;
    loops_.push_back(std::move(loop));
  }
  wake_fds_.reserve(loops_.size());
  for (const auto& loop : loops_) wake_fds_.push_back(loop->wake_fd());
  wake_count_.store(wake_fds_.size(), std::memory_order_release);

  std::lock_guard<std::mutex> lock(join_mu_);
  loops_running_.store(loops_.size());
  try {
    for (auto& loop : loops_) {
      EventLoop* l = loop.get();
      threads_.emplace_back([this, l] {
        l->Run();
        std::lock_guard<std::mutex> finished(finished_mu_);
        loops_running_.fetch_sub(1);
        finished_cv_.notify_all();
      });
    }
  } catch (const std::system_error& e) {
    RequestStop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    return Status::IOError(std::string("cannot start http threads: ") + e.what());
  }
  return Status::OK();
}

ServerCounters Server::Counters() const {
  ServerCounters c;
  c.open_connections = connections_.used();
  // loops_ is fixed once wake_count_ is published (Start).
  const size_t n = wake_count_.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i) {
    const LoopCounters& l = loops_[i]->counters();
    c.accepted += l.accepted.load(std::memory_order_relaxed);
    c.refused += l.refused.load(std::memory_order_relaxed);
    c.bytes_in += l.bytes_in.load(std::memory_order_relaxed);
    c.bytes_out += l.bytes_out.load(std::memory_order_relaxed);
  }
  return c;
}

void Server::RequestStop() noexcept {
  stop_now_.store(true);
  size_t n = wake_count_.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i) {
    uint64_t one = 1;
    ssize_t written = ::write(wake_fds_[i], &one, sizeof(one));
    (void)written;  // EAGAIN: the counter is already non-zero, the loop will wake anyway
  }
}

void Server::RequestDrain() noexcept {
  drain_.store(true);
  size_t n = wake_count_.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i) {
    uint64_t one = 1;
    ssize_t written = ::write(wake_fds_[i], &one, sizeof(one));
    (void)written;
  }
}

size_t Server::Shutdown(std::chrono::milliseconds grace) {
  RequestDrain();
  {
    std::unique_lock<std::mutex> lock(finished_mu_);
    finished_cv_.wait_for(lock, grace, [this] { return loops_running_.load() == 0; });
  }
  RequestStop();
  Wait();
  size_t cut = 0;
  for (const auto& loop : loops_) cut += loop->cut();
  return cut;
}

bool Server::stopped() const { return loops_running_.load() == 0; }

void Server::Wait() {
  std::lock_guard<std::mutex> lock(join_mu_);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void Server::Stop() {
  RequestStop();
  Wait();
}

}  // namespace cairn::http
