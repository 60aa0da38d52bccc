// pace: an open-loop, fixed-rate HTTP/1.1 load generator for bench/run's latency at a fixed rate.
//
// Concept. A closed-loop generator (wrk) sends a connection's next request when the previous answer
// arrives, so the request rate follows the server and the latency of a slow moment is hidden
// ("coordinated omission"); wrk's millisecond timers also fire hundreds of paced connections in the
// same millisecond. pace instead fixes the schedule in advance: request k is *due* at
// t0 + k / rate (uniform spacing; exponential gaps with --poisson), whatever the server does. A due
// request goes to a free keep-alive connection; when none is free it waits in a queue, and its
// latency still runs from its due time.
//
// Invariants.
//  - Latency = the time the answer's last bytes arrived - the request's due time (never its send
//    time): waiting for a free connection, which a slow server causes, is part of the figure. The
//    arrival is the kernel's receive timestamp of those bytes (SO_TIMESTAMPNS; on loopback, the
//    moment the server's send reached our socket), so the generator's own wake-up to read them
//    is not counted; without one (--rx-stamp off) it is when the generator read them.
//  - --realtime on asks for SCHED_FIFO priority 10 (root or CAP_SYS_NICE; RESULT says realtime=1
//    if granted): the generator then never waits behind the server's threads for a core, so its
//    own delays leave the figures; but the kernel then moves the server's threads off the core
//    pace uses, and reads get slower (bench/README.md has the paired runs). Off by default.
//  - Never early: a request is sent at or after its due time. Between due times the generator
//    sleeps in epoll_pwait2 with a nanosecond timeout and a 1 ns timer slack (the default slack
//    is 50 us); it never spins.
//  - "lag" of a request = when the generator noticed it was due - its due time: the generator's own
//    delay (its loop, its wake-up, the cores it shares with the server). A request with lag above
//    --late-us is "late"; many late requests mean the generator did not keep up and the latencies
//    include its delay. Even on an idle machine the median lag is the wake-up latency of a timed
//    sleep (tens of us in a VM). "queued" requests found no free connection (the server was
//    slower than the schedule, or there are too few connections). Latencies from the send are
//    reported too (p50_send_us, p99_send_us: not corrected, for comparison).
//  - A connection has at most one request outstanding, so an answer belongs to the request its
//    connection sent: a GetItem answer must carry the requested pk, a Query answer that pk and
//    "Count":10 (--check on); --check ignore counts only the HTTP status (nginx's fixed answer).
//  - Only requests due in [t0 + warmup, t0 + warmup + duration) count in the statistics; latencies
//    are kept exactly (one number per request) and sorted at the end.
//
// Workloads and data set: those of bench/dynamo.lua (same table "bench", keys
// pk "p%07d" % (i / ipp), sk "s%02d" % (i % ipp), same headers and JSON bodies), keys drawn
// uniformly over the loaded items.
//
// Output: one line "RESULT key=value ..." (bench/run parses it, as wrk's RESULT line from
// dynamo.lua). Usage: pace --port P --mode get|put|update|query|mix --rate R [options]; see
// Usage().

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int64_t kNsPerUs = 1000;
constexpr int64_t kNsPerSec = 1000000000;

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}

// splitmix64: small, fast, good enough for picking keys.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
  double Unit() { return double(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
};

enum class Mode { kGet, kPut, kUpdate, kQuery, kMix };
enum class Kind { kGet, kPut, kUpdate, kQuery };

struct Options {
  int port = 0;
  Mode mode = Mode::kGet;
  long parts = 10000;
  long ipp = 10;
  bool check = true;
  double rate = 0;
  double duration = 10;
  double warmup = 0.5;
  int conns = 32;
  bool poisson = false;
  int64_t late_us = 100;
  double timeout = 5;
  uint64_t seed = 0;
  bool rx_stamp = true;
  bool realtime = false;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "pace: %s\n"
               "usage: pace --port P --rate R [--mode get|put|update|query|mix] [--parts 10000]\n"
               "            [--ipp 10] [--check on|ignore] [--duration 10] [--warmup 0.5]\n"
               "            [--conns 32] [--poisson] [--late-us 100] [--timeout 5] [--seed N]\n"
               "            [--rx-stamp on|off] [--realtime on|off]\n",
               why);
  std::exit(2);
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--poisson") {
      o.poisson = true;
      continue;
    }
    if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
    std::string v = argv[++i];
    if (a == "--port") o.port = std::atoi(v.c_str());
    else if (a == "--rate") o.rate = std::atof(v.c_str());
    else if (a == "--parts") o.parts = std::atol(v.c_str());
    else if (a == "--ipp") o.ipp = std::atol(v.c_str());
    else if (a == "--duration") o.duration = std::atof(v.c_str());
    else if (a == "--warmup") o.warmup = std::atof(v.c_str());
    else if (a == "--conns") o.conns = std::atoi(v.c_str());
    else if (a == "--late-us") o.late_us = std::atol(v.c_str());
    else if (a == "--timeout") o.timeout = std::atof(v.c_str());
    else if (a == "--seed") o.seed = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--rx-stamp") {
      if (v != "on" && v != "off") Usage("--rx-stamp is on or off");
      o.rx_stamp = v == "on";
    } else if (a == "--realtime") {
      if (v != "on" && v != "off") Usage("--realtime is on or off");
      o.realtime = v == "on";
    } else if (a == "--check") {
      if (v != "on" && v != "ignore") Usage("--check is on or ignore");
      o.check = v == "on";
    } else if (a == "--mode") {
      if (v == "get") o.mode = Mode::kGet;
      else if (v == "put") o.mode = Mode::kPut;
      else if (v == "update") o.mode = Mode::kUpdate;
      else if (v == "query") o.mode = Mode::kQuery;
      else if (v == "mix") o.mode = Mode::kMix;
      else Usage(("unknown mode " + v).c_str());
    } else {
      Usage(("unknown option " + a).c_str());
    }
  }
  if (o.port <= 0 || o.port > 65535) Usage("--port is required");
  if (!(o.rate > 0)) Usage("--rate must be > 0");
  if (o.parts <= 0 || o.ipp <= 0 || o.conns <= 0 || !(o.duration > 0) || o.warmup < 0 ||
      !(o.timeout > 0) || o.late_us < 0)
    Usage("bad numeric option");
  return o;
}

// ---------------------------------------------------------------------------------------------
// Requests: the same bytes as bench/dynamo.lua's.

const char kPrefix[] =
    "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Content-Type: application/x-amz-json-1.0\r\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host, Signature=0\r\nX-Amz-Date: 20240101T000000Z\r\n"
    "X-Amz-Target: DynamoDB_20120810.";

class Requests {
 public:
  Requests(const Options& o, Rng& rng) : o_(o), rng_(rng) {
    // Random ~180-character values for d, so that blocks of items do not compress away.
    static const char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 1021; ++i) {
      std::string s(180, ' ');
      for (char& c : s) c = kAlphabet[rng_.Below(64)];
      pool_.push_back(std::move(s));
    }
  }

  // Writes the next request into `out`; returns its kind and the partition it names.
  Kind Make(std::string& out, long& part) {
    Kind kind = Kind::kGet;
    switch (o_.mode) {
      case Mode::kGet: kind = Kind::kGet; break;
      case Mode::kPut: kind = Kind::kPut; break;
      case Mode::kUpdate: kind = Kind::kUpdate; break;
      case Mode::kQuery: kind = Kind::kQuery; break;
      case Mode::kMix: kind = rng_.Below(10) < 8 ? Kind::kGet : Kind::kUpdate; break;
    }
    part = long(rng_.Below(uint64_t(o_.parts)));
    long sort = long(rng_.Below(uint64_t(o_.ipp)));
    body_.clear();
    switch (kind) {
      case Kind::kGet:
        body_ = "{\"TableName\":\"bench\",\"Key\":" + KeyJson(part, sort) + "}";
        Http("GetItem", out);
        break;
      case Kind::kPut:
        body_ = "{\"TableName\":\"bench\",\"Item\":{\"pk\":{\"S\":\"" + Pk(part) +
                "\"},\"sk\":{\"S\":\"" + Sk(sort) + "\"},\"c\":{\"N\":\"0\"},\"d\":{\"S\":\"" +
                pool_[rng_.Below(pool_.size())] + "\"}}}";
        Http("PutItem", out);
        break;
      case Kind::kUpdate:
        body_ = "{\"TableName\":\"bench\",\"Key\":" + KeyJson(part, sort) +
                ",\"UpdateExpression\":\"SET c = c + :one\",\"ExpressionAttributeValues\":"
                "{\":one\":{\"N\":\"1\"}}}";
        Http("UpdateItem", out);
        break;
      case Kind::kQuery:
        body_ = "{\"TableName\":\"bench\",\"KeyConditionExpression\":\"pk = :p\","
                "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"" + Pk(part) + "\"}}}";
        Http("Query", out);
        break;
    }
    return kind;
  }

  static std::string Pk(long p) {
    char b[32];
    std::snprintf(b, sizeof b, "p%07ld", p);
    return b;
  }

 private:
  static std::string Sk(long s) {
    char b[32];
    std::snprintf(b, sizeof b, "s%02ld", s);
    return b;
  }
  static std::string KeyJson(long p, long s) {
    return "{\"pk\":{\"S\":\"" + Pk(p) + "\"},\"sk\":{\"S\":\"" + Sk(s) + "\"}}";
  }
  void Http(const char* op, std::string& out) {
    out.assign(kPrefix);
    out += op;
    out += "\r\nContent-Length: ";
    out += std::to_string(body_.size());
    out += "\r\n\r\n";
    out += body_;
  }

  const Options& o_;
  Rng& rng_;
  std::vector<std::string> pool_;
  std::string body_;
};

// ---------------------------------------------------------------------------------------------
// Responses: HTTP/1.1 status line, headers, a body of Content-Length bytes or chunked.

struct Response {
  int status = 0;
  bool close = false;  // Connection: close, or HTTP/1.0 without keep-alive
  std::string body;
};

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool IContains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (IEquals(hay.substr(i, needle.size()), needle)) return true;
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses one response at the start of `buf`. Returns the bytes it takes (> 0), 0 when `buf` does
// not hold all of it yet, -1 when it is malformed.
long ParseResponse(std::string_view buf, Response& r) {
  size_t head_end = buf.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return buf.size() > 65536 ? -1 : 0;
  std::string_view head = buf.substr(0, head_end);
  size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1.") return -1;
  bool http10 = status_line[7] == '0';
  std::string_view code = status_line.substr(9, 3);
  if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  r.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  long length = -1;
  bool chunked = false, keep_alive = false;
  r.close = false;
  size_t pos = eol == std::string_view::npos ? head.size() : eol + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(pos, end - pos);
    pos = end + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return -1;
    std::string_view name = Trim(line.substr(0, colon)), value = Trim(line.substr(colon + 1));
    if (IEquals(name, "content-length")) {
      if (value.empty() || value.size() > 12) return -1;
      length = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return -1;
        length = length * 10 + (c - '0');
      }
    } else if (IEquals(name, "transfer-encoding")) {
      chunked = IContains(value, "chunked");
    } else if (IEquals(name, "connection")) {
      if (IContains(value, "close")) r.close = true;
      if (IContains(value, "keep-alive")) keep_alive = true;
    }
  }
  if (http10 && !keep_alive) r.close = true;
  size_t at = head_end + 4;
  if (r.status / 100 == 1 || r.status == 204 || r.status == 304) {
    r.body.clear();
    return long(at);
  }
  if (chunked) {
    r.body.clear();
    for (;;) {
      size_t line_end = buf.find("\r\n", at);
      if (line_end == std::string_view::npos) return 0;
      long size = 0;
      size_t i = at;
      for (; i < line_end; ++i) {
        char c = buf[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) break;  // a chunk extension (";...") may follow
        size = size * 16 + d;
        if (size > (1L << 30)) return -1;
      }
      if (i == at) return -1;
      at = line_end + 2;
      if (size == 0) {  // trailers, then an empty line
        for (;;) {
          size_t e = buf.find("\r\n", at);
          if (e == std::string_view::npos) return 0;
          bool empty = e == at;
          at = e + 2;
          if (empty) return long(at);
        }
      }
      if (buf.size() < at + size_t(size) + 2) return 0;
      r.body.append(buf.substr(at, size_t(size)));
      if (buf.substr(at + size_t(size), 2) != "\r\n") return -1;
      at += size_t(size) + 2;
    }
  }
  if (length < 0) return -1;  // a body up to the close: not keep-alive, not supported here
  if (buf.size() < at + size_t(length)) return 0;
  r.body.assign(buf.substr(at, size_t(length)));
  return long(at + size_t(length));
}

// ---------------------------------------------------------------------------------------------
// The generator.

struct Conn {
  enum class State { kDown, kConnecting, kIdle, kBusy };
  int fd = -1;
  State state = State::kDown;
  bool want_out = false;  // EPOLLOUT registered
  std::string out;        // the request being sent
  size_t out_off = 0;
  std::string in;  // bytes of the answer read so far
  int64_t retry_at = 0;
  // The outstanding request (state kBusy).
  int64_t due = 0, sent = 0;
  Kind kind = Kind::kGet;
  long part = 0;
  bool measured = false;
};

struct Stats {
  std::vector<int64_t> latencies;  // ns from the due time, measured requests with any answer
  std::vector<int64_t> from_send;  // ns from the send (not coordinated-omission corrected)
  std::vector<int64_t> lags;       // ns from the due time to the generator noticing it
  uint64_t non2xx = 0, wrong = 0, sock_connect = 0, sock_read = 0, sock_write = 0,
           sock_timeout = 0, unsent = 0;
  uint64_t scheduled = 0, late = 0, queued = 0, late_sent = 0;
  int64_t max_lag = 0;
  int64_t last_answer = 0;
  std::set<int> statuses_seen;
  std::string statuses;
};

// Asks for SCHED_FIFO at priority 10 when `want`; true if this thread (pace's only one) has it.
bool RealTime(bool want) {
  if (!want) return false;
  sched_param param{};
  param.sched_priority = 10;
  return sched_setscheduler(0, SCHED_FIFO, &param) == 0;
}

class Generator {
 public:
  explicit Generator(const Options& o)
      : o_(o), rng_{o.seed ? o.seed : uint64_t(NowNs()) ^ uint64_t(getpid())}, requests_(o_, rng_) {
    addr_.sin_family = AF_INET;
    addr_.sin_port = htons(uint16_t(o.port));
    addr_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    conns_.resize(size_t(o.conns));
  }

  int Run() {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) return Fail("epoll_create1");
    // Blocking connects before the clock starts: the run measures answers, not connection set-up.
    for (size_t i = 0; i < conns_.size(); ++i) {
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) return Fail("socket");
      if (connect(fd, reinterpret_cast<sockaddr*>(&addr_), sizeof addr_) != 0) {
        std::fprintf(stderr, "pace: connect to 127.0.0.1:%d: %s\n", o_.port, std::strerror(errno));
        return 1;
      }
      Adopt(i, fd, Conn::State::kIdle);
    }
    const int64_t t0 = NowNs() + kNsPerSec / 1000;
    const int64_t warm_end = t0 + int64_t(o_.warmup * kNsPerSec);
    const int64_t end = warm_end + int64_t(o_.duration * kNsPerSec);
    const int64_t timeout_ns = int64_t(o_.timeout * kNsPerSec);
    const double period_ns = kNsPerSec / o_.rate;
    int64_t next_due = t0;
    uint64_t k = 0;
    double poisson_at = double(t0);
    std::deque<int64_t> queue;  // due times of requests waiting for a free connection
    size_t counted = 0;         // the first `counted` of them are counted as queued already
    int64_t next_sweep = t0;    // next scan for answers older than --timeout
    epoll_event events[64];
    for (;;) {
      int64_t now = NowNs();
      // Requests that have become due.
      while (next_due < end && next_due <= now) {
        if (next_due >= warm_end) {
          int64_t lag = now - next_due;
          stats_.scheduled++;
          stats_.max_lag = std::max(stats_.max_lag, lag);
          stats_.lags.push_back(lag);
          if (lag > o_.late_us * kNsPerUs) stats_.late++;
        }
        queue.push_back(next_due);
        ++k;
        if (o_.poisson) {
          poisson_at += -std::log(1.0 - rng_.Unit()) * period_ns;
          next_due = int64_t(poisson_at);
        } else {
          next_due = t0 + int64_t(double(k) * period_ns);
        }
      }
      while (!queue.empty() && !idle_.empty()) {
        size_t i = idle_.front();
        idle_.pop_front();
        Send(i, queue.front(), warm_end);
        queue.pop_front();
        if (counted > 0) counted--;
      }
      for (; counted < queue.size(); ++counted)  // due, but every connection is busy
        if (queue[counted] >= warm_end) stats_.queued++;
      if (next_due >= end && queue.empty() && busy_ == 0) break;
      if (now >= end + timeout_ns) {  // give up on what is still queued or outstanding
        for (Conn& c : conns_)
          if (c.state == Conn::State::kBusy && c.measured) stats_.sock_timeout++;
        for (int64_t due : queue)
          if (due >= warm_end) stats_.unsent++;
        break;
      }
      if (now >= next_sweep) {
        Sweep(now, timeout_ns);
        next_sweep = now + 10 * 1000 * 1000;
      }
      int64_t wake = next_due < end ? next_due : end + timeout_ns;
      wake = std::min(wake, next_sweep);
      if (down_ > 0) wake = std::min(wake, now + 10 * 1000 * 1000);
      int64_t wait = std::max<int64_t>(0, wake - now);
      timespec ts{time_t(wait / kNsPerSec), long(wait % kNsPerSec)};
      int n = epoll_pwait2(ep_, events, 64, &ts, nullptr);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Fail("epoll_pwait2");
      }
      for (int e = 0; e < n; ++e) Handle(events[e].data.u32, events[e].events);
      if (down_ > 0) Reconnect(NowNs());
    }
    Report(warm_end);
    return 0;
  }

 private:
  int Fail(const char* what) {
    std::fprintf(stderr, "pace: %s: %s\n", what, std::strerror(errno));
    return 1;
  }

  void Adopt(size_t i, int fd, Conn::State state) {
    Conn& c = conns_[i];
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (o_.rx_stamp) setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    c.fd = fd;
    c.state = state;
    c.in.clear();
    c.want_out = state == Conn::State::kConnecting;
    epoll_event ev{};
    ev.events = EPOLLIN | (c.want_out ? uint32_t(EPOLLOUT) : 0u);
    ev.data.u32 = uint32_t(i);
    epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
    if (state == Conn::State::kIdle) idle_.push_back(i);
  }

  void WantOut(size_t i, bool on) {
    Conn& c = conns_[i];
    if (c.want_out == on) return;
    c.want_out = on;
    epoll_event ev{};
    ev.events = EPOLLIN | (on ? uint32_t(EPOLLOUT) : 0u);
    ev.data.u32 = uint32_t(i);
    epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
  }

  // Closes connection i (after an error or a "Connection: close"); it reconnects soon after.
  void Drop(size_t i, int64_t retry_at) {
    Conn& c = conns_[i];
    if (c.state == Conn::State::kBusy) busy_--;
    auto it = std::find(idle_.begin(), idle_.end(), i);
    if (it != idle_.end()) idle_.erase(it);
    if (c.fd >= 0) {
      epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
      close(c.fd);
    }
    c.fd = -1;
    c.state = Conn::State::kDown;
    c.retry_at = retry_at;
    down_++;
  }

  void Reconnect(int64_t now) {
    for (size_t i = 0; i < conns_.size(); ++i) {
      Conn& c = conns_[i];
      if (c.state != Conn::State::kDown || c.retry_at > now) continue;
      down_--;
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      if (fd < 0) {
        stats_.sock_connect++;
        c.retry_at = now + 10 * 1000 * 1000;
        down_++;
        continue;
      }
      int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr_), sizeof addr_);
      if (rc == 0) {
        Adopt(i, fd, Conn::State::kIdle);
      } else if (errno == EINPROGRESS) {
        Adopt(i, fd, Conn::State::kConnecting);
      } else {
        close(fd);
        stats_.sock_connect++;
        c.retry_at = now + 10 * 1000 * 1000;
        down_++;
      }
    }
  }

  void Send(size_t i, int64_t due, int64_t warm_end) {
    Conn& c = conns_[i];
    c.kind = requests_.Make(c.out, c.part);
    c.out_off = 0;
    c.due = due;
    c.sent = NowNs();
    c.measured = due >= warm_end;
    if (c.measured && c.sent - due > o_.late_us * kNsPerUs) stats_.late_sent++;
    c.state = Conn::State::kBusy;
    c.in.clear();
    busy_++;
    sent_++;
    Write(i);
  }

  void Write(size_t i) {
    Conn& c = conns_[i];
    while (c.out_off < c.out.size()) {
      ssize_t n = send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_off += size_t(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        WantOut(i, true);
        return;
      } else {
        if (c.measured) stats_.sock_write++;
        Drop(i, NowNs());
        return;
      }
    }
    WantOut(i, false);
  }

  void Handle(uint32_t i, uint32_t events) {
    Conn& c = conns_[i];
    if (c.state == Conn::State::kConnecting) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0 || (events & (EPOLLERR | EPOLLHUP))) {
        stats_.sock_connect++;
        Drop(i, NowNs() + 10 * 1000 * 1000);
        return;
      }
      if (events & EPOLLOUT) {
        c.state = Conn::State::kIdle;
        WantOut(i, false);
        idle_.push_back(i);
      }
      return;
    }
    if ((events & EPOLLOUT) && c.state == Conn::State::kBusy) Write(i);
    if (c.state == Conn::State::kDown) return;
    if (!(events & (EPOLLIN | EPOLLERR | EPOLLHUP))) return;
    char buf[65536];
    int64_t arrived = 0;  // the kernel's receive time of the last bytes read (0: none given)
    for (;;) {
      iovec iov{buf, sizeof buf};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec)) * 2];
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      if (o_.rx_stamp) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
      }
      ssize_t n = recvmsg(c.fd, &msg, 0);
      if (n > 0) {
        if (int64_t t = KernelStamp(msg); t != 0) arrived = t;
        if (c.state != Conn::State::kBusy) {  // bytes nobody asked for
          if (o_.check) stats_.wrong++;
          Drop(i, NowNs());
          return;
        }
        c.in.append(buf, size_t(n));
        if (size_t(n) == sizeof buf) continue;
        break;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      // n == 0 (closed by the server) or an error.
      if (c.state == Conn::State::kBusy && c.measured) stats_.sock_read++;
      Drop(i, NowNs());
      return;
    }
    if (c.state != Conn::State::kBusy || c.in.empty()) return;
    Response r;
    long used = ParseResponse(c.in, r);
    if (used == 0) return;
    int64_t now = NowNs();
    if (used < 0 || size_t(used) != c.in.size()) {  // malformed, or more than one answer
      if (c.measured) stats_.sock_read++;
      Drop(i, now);
      return;
    }
    Answer(c, r, arrived > 0 ? std::clamp(arrived, c.sent, now) : now);
    busy_--;
    c.in.clear();
    c.state = Conn::State::kIdle;
    if (r.close) {
      Drop(i, now);  // reconnects at once
      return;
    }
    idle_.push_back(i);
  }

  // The kernel's receive time (SO_TIMESTAMPNS, CLOCK_REALTIME) of the bytes `msg` returned, on
  // the monotonic clock; 0 when there is none. On loopback it is when the server's send reached
  // this socket, so an answer's time does not include the generator's own wake-up.
  static int64_t KernelStamp(msghdr& msg) {
    for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
      if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_TIMESTAMPNS) continue;
      timespec ts;
      std::memcpy(&ts, CMSG_DATA(cm), sizeof ts);
      timespec real, mono;
      clock_gettime(CLOCK_REALTIME, &real);
      clock_gettime(CLOCK_MONOTONIC, &mono);
      int64_t offset =
          (int64_t(real.tv_sec) - mono.tv_sec) * kNsPerSec + (real.tv_nsec - mono.tv_nsec);
      return int64_t(ts.tv_sec) * kNsPerSec + ts.tv_nsec - offset;
    }
    return 0;
  }

  // Records the answer `r` to connection c's request, complete at time `done`.
  void Answer(const Conn& c, const Response& r, int64_t done) {
    if (r.status >= 300 && !stats_.statuses_seen.count(r.status)) {
      stats_.statuses_seen.insert(r.status);
      std::string text = std::to_string(r.status) + ":" + r.body.substr(0, 160);
      for (char& ch : text)
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '|' || ch == '=')
          ch = '_';
      stats_.statuses += text + "|";
    }
    if (!c.measured) return;
    stats_.latencies.push_back(done - c.due);
    stats_.from_send.push_back(done - c.sent);
    stats_.last_answer = done;
    if (r.status >= 300) {
      stats_.non2xx++;
      return;
    }
    if (!o_.check) return;
    bool good = true;
    if (c.kind == Kind::kGet || c.kind == Kind::kQuery) {
      std::string want = "\"pk\":{\"S\":\"" + Requests::Pk(c.part) + "\"}";
      good = r.body.find(want) != std::string::npos;
      if (c.kind == Kind::kGet) good = good && r.body.find("\"Item\"") != std::string::npos;
      if (c.kind == Kind::kQuery) good = good && r.body.find("\"Count\":10") != std::string::npos;
    } else if (c.kind == Kind::kUpdate) {
      good = r.body.find("\"Item\"") == std::string::npos;  // no ReturnValues asked for
    }
    if (!good) stats_.wrong++;
  }

  // Answers that take longer than --timeout count as timeouts; their connection is replaced.
  void Sweep(int64_t now, int64_t timeout_ns) {
    for (size_t i = 0; i < conns_.size(); ++i) {
      Conn& c = conns_[i];
      if (c.state == Conn::State::kBusy && now - c.sent > timeout_ns) {
        if (c.measured) stats_.sock_timeout++;
        Drop(i, now);
      }
    }
  }

  void Report(int64_t warm_end) {
    std::vector<int64_t>& l = stats_.latencies;
    std::sort(l.begin(), l.end());
    std::sort(stats_.from_send.begin(), stats_.from_send.end());
    std::sort(stats_.lags.begin(), stats_.lags.end());
    auto pct_of = [](const std::vector<int64_t>& v, double p) -> double {
      if (v.empty()) return 0;
      size_t rank = size_t(std::ceil(p / 100.0 * double(v.size())));
      return double(v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)]) / kNsPerUs;
    };
    auto pct = [&](double p) { return pct_of(l, p); };
    double mean = 0;
    for (int64_t x : l) mean += double(x);
    mean = l.empty() ? 0 : mean / double(l.size()) / kNsPerUs;
    int64_t span = stats_.last_answer > warm_end ? stats_.last_answer - warm_end
                                                 : int64_t(o_.duration * kNsPerSec);
    double duration_us = double(span) / kNsPerUs;
    std::string statuses = stats_.statuses.empty() ? "-" : stats_.statuses;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    double cpu_us = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
                    double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    uint64_t all_sent = sent_;
    std::printf(
        "RESULT requests=%zu duration_us=%.0f answers=%zu rate=%.1f target_rate=%.1f conns=%d "
        "p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f mean_us=%.1f "
        "non2xx=%llu wrong=%llu sock_connect=%llu sock_read=%llu sock_write=%llu "
        "sock_timeout=%llu unsent=%llu scheduled=%llu late=%llu late_us=%lld late_sent=%llu "
        "queued=%llu p50_lag_us=%.1f p99_lag_us=%.1f max_lag_us=%.1f cpu_us_per_req=%.2f "
        "p50_send_us=%.1f p99_send_us=%.1f "
        "rx_stamp=%d realtime=%d statuses=%s\n",
        l.size(), duration_us, l.size(), double(l.size()) / (duration_us / 1e6), o_.rate, o_.conns,
        pct(50), pct(90), pct(99), pct(99.9), l.empty() ? 0.0 : double(l.back()) / kNsPerUs, mean,
        (unsigned long long)stats_.non2xx, (unsigned long long)stats_.wrong,
        (unsigned long long)stats_.sock_connect, (unsigned long long)stats_.sock_read,
        (unsigned long long)stats_.sock_write, (unsigned long long)stats_.sock_timeout,
        (unsigned long long)stats_.unsent, (unsigned long long)stats_.scheduled,
        (unsigned long long)stats_.late, (long long)o_.late_us,
        (unsigned long long)stats_.late_sent, (unsigned long long)stats_.queued,
        pct_of(stats_.lags, 50), pct_of(stats_.lags, 99),
        double(stats_.max_lag) / kNsPerUs, all_sent ? cpu_us / double(all_sent) : 0.0,
        pct_of(stats_.from_send, 50), pct_of(stats_.from_send, 99), o_.rx_stamp ? 1 : 0,
        realtime_ ? 1 : 0, statuses.c_str());
    std::fflush(stdout);
  }

  const Options o_;
  const bool realtime_ = RealTime(o_.realtime);
  Rng rng_;
  Requests requests_;
  sockaddr_in addr_{};
  int ep_ = -1;
  std::vector<Conn> conns_;
  std::deque<size_t> idle_;  // free connections, oldest first (requests spread over all of them)
  int busy_ = 0;
  int down_ = 0;
  uint64_t sent_ = 0;  // requests sent, warm-up included (for the CPU per request)
  Stats stats_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o = ParseOptions(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  // The default timer slack (50 us) would let every sleep overshoot its due time by up to 50 us.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  Generator g(o);
  return g.Run();
}
