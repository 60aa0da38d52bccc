// Fuzz target: the HTTP request parser (src/http/connection.h: llhttp with Cairn's callbacks, the
// header/body limits, Content-Encoding decoding, pipelining and closing).
// Seam: http::Connection's public interface. It takes a connected non-blocking socket; here that
// is one end of a socketpair, the fuzzer writing the input into the other end and reading the
// replies from it, so the connection runs its real read/parse/handle/write path, unmodified.
// Feeds: byte 0 chooses how the rest is delivered (0: one write; n: writes of n bytes, each
// followed by an EPOLLIN event, as a slow client's segments arrive); then the peer shuts down its
// write side, as a client that has sent everything does. Limits are small (body 4 KB, headers
// 2 KB) so that the 413/431 paths are reached. The Handler answers "ok", throws for the URL
// "/throw", and answers status 1000 (out of range) for "/bad-status".
// Asserts, beyond no crash, no sanitizer report and no hang:
//  - what reaches the Handler keeps the Request invariants (message.h): a method, lower-case
//    header names, body within max_body_bytes and followed by 64 zero bytes;
//  - every request handled gets a response, and every response starts with "HTTP/1.1 ";
//  - the connection ends (kDone) once the peer has closed and read everything.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/connection.h"
#include "http/date_cache.h"
#include "http/message.h"
#include "http/server.h"

namespace {

using cairn::http::Connection;

constexpr size_t kMaxBody = 4096;
size_t handled = 0;

void Handle(const cairn::http::Request& req, cairn::http::Response& resp) {
  ++handled;
  FUZZ_CHECK(!req.method.empty());
  for (const auto& [name, value] : req.headers)
    for (char ch : name) FUZZ_CHECK(!std::isupper(static_cast<unsigned char>(ch)));
  FUZZ_CHECK(req.body.size() <= kMaxBody);
  FUZZ_CHECK(req.wire_body.size() <= kMaxBody);
  for (size_t i = 0; i < Connection::kBodyPadding; ++i) FUZZ_CHECK(req.body.data()[req.body.size() + i] == 0);
  if (req.url == "/throw") throw std::runtime_error("fuzz handler throws");
  if (req.url == "/bad-status") resp.status = 1000;
  resp.body = "ok";
}

// Reads everything the connection sent so far.
void ReadReplies(int fd, std::string* out) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return;
    out->append(buf, static_cast<size_t>(n));
  }
}

size_t CountResponses(std::string_view out) {
  // The Handler's bodies never contain "HTTP/1.1 ", so each occurrence starts a response (a
  // server-made error body is a short JSON message).
  size_t count = 0;
  for (size_t pos = out.find("HTTP/1.1 "); pos != std::string_view::npos;
       pos = out.find("HTTP/1.1 ", pos + 1))
    ++count;
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // the "handler threw" lines
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const cairn::http::Handler handler = Handle;
  static cairn::http::ServerOptions options = [] {
    cairn::http::ServerOptions o;
    o.max_body_bytes = kMaxBody;
    o.max_header_bytes = 2048;
    return o;
  }();
  static cairn::http::DateCache date;
  static char read_buffer[16384];
  static cairn::http::LoopCounters counters;  // a Connection counts its bytes there
  int fds[2];
  FUZZ_CHECK(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
  const int peer = fds[1];
  cairn::http::ConnectionEnv env;
  env.handler = &handler;
  env.options = &options;
  env.date = &date;
  env.read_buffer = read_buffer;
  env.read_buffer_size = sizeof read_buffer;
  env.counters = &counters;
  handled = 0;
  std::string replies;
  {
    Connection conn(fds[0], env);
    const size_t step = data[0] == 0 ? size : data[0];
    for (size_t pos = 1; pos < size && !conn.done(); pos += step) {
      const size_t len = std::min(step, size - pos);
      FUZZ_CHECK(::write(peer, data + pos, len) == static_cast<ssize_t>(len));
      conn.OnEvents(EPOLLIN | (conn.WantedEvents() & EPOLLOUT));
      ReadReplies(peer, &replies);
    }
    ::shutdown(peer, SHUT_WR);
    for (int i = 0; i < 1000 && !conn.done(); ++i) {
      conn.OnEvents(conn.WantedEvents());
      ReadReplies(peer, &replies);
    }
    FUZZ_CHECK(conn.done());
  }
  ReadReplies(peer, &replies);
  ::close(peer);
  FUZZ_CHECK(CountResponses(replies) >= handled);
  if (!replies.empty()) FUZZ_CHECK(replies.compare(0, 9, "HTTP/1.1 ") == 0);
  return 0;
}
