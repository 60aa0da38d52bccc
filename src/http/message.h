// Request and Response: one HTTP/1.1 exchange as the server hands it to the application.
// The HTTP layer knows nothing of DynamoDB: it parses requests, calls the Handler, and writes the
// Response it filled. Header names in Request are lower-cased by the server.
// Ownership: a Request's views point into the connection's buffers and are valid only during the
// Handler call. Not thread-safe; each belongs to one connection on one event-loop thread.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cairn::http {

struct Request {
  std::string_view method;  // "POST", "GET", ...
  std::string_view url;     // "/"
  // (lower-case name, value) in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  // The body. The server keeps at least 64 bytes of zeroed padding after body.data() + body.size()
  // (simdjson parses in place without copying).
  std::string_view body;
  // The body as it arrived, before a Content-Encoding (gzip, deflate) was undone: what a SigV4
  // payload hash covers. Equals `body` when the request was not encoded.
  std::string_view wire_body;

  // First header with this lower-case name, or an empty view.
  std::string_view Header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
      if (k == lower_name) return v;
    return {};
  }
  bool HasHeader(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
      if (k == lower_name) return true;
    return false;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/x-amz-json-1.0";
  // Extra headers, written as given (Content-Length, Date, Connection are written by the server).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set by a Handler that injects faults (src/faults/): hold the answer this long before it is
  // sent, without holding up the loop's other connections (the loop's timer releases it; the
  // connection reads no further request meanwhile), and/or close the connection instead of
  // answering (after the delay, if any). Bounded by kMaxResponseDelay.
  std::chrono::milliseconds delay{0};
  bool drop = false;
};

inline constexpr std::chrono::milliseconds kMaxResponseDelay{60000};

// Called on the event-loop thread that owns the connection; must fill `response` and return.
using Handler = std::function<void(const Request& request, Response& response)>;

}  // namespace cairn::http
