// Cors: Cross-Origin Resource Sharing for browser clients (the AWS SDK for JavaScript in a page,
// the web console of another origin), as DynamoDB Local serves it: allowed origins from --cors, a
// comma-separated list or "*" (the default, as DynamoDB Local's), or none.
//
// - A preflight (OPTIONS with Origin and Access-Control-Request-Method) from an allowed origin is
//   answered 200 with Access-Control-Allow-Origin, -Allow-Methods (GET, POST, OPTIONS),
//   -Allow-Headers (the headers the browser asks for, when each is one a DynamoDB client sends:
//   content-type, authorization, x-amz-*, amz-sdk-*, x-amzn-*, cache-control,
//   content-encoding, accept-encoding) and -Max-Age; from another origin, or asking for another
//   method or header, it gets 403 without CORS headers (the browser then refuses the call).
// - Every other answer to an allowed origin carries Access-Control-Allow-Origin and
//   Access-Control-Expose-Headers (x-amzn-RequestId, x-amz-crc32, x-amz-id-2), so the SDK reads
//   the request id and checks the CRC32. With a list of origins, the answer names the request's
//   origin and adds Vary: Origin.
// Plain data once built; safe to share across threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace cairn::http {

class Cors {
 public:
  // `spec`: "*" (any origin), "" (CORS off: no header is ever added, preflights are not
  // answered), or origins separated by commas ("https://a.example, http://localhost:3000").
  explicit Cors(std::string_view spec);

  bool enabled() const { return any_ || !origins_.empty(); }

  // True when `request` is a preflight (OPTIONS with Origin and Access-Control-Request-Method)
  // and CORS is enabled: `response` is then the whole answer.
  bool AnswerPreflight(const Request& request, Response& response) const;

  // Adds the CORS headers of an actual answer, when the request has an allowed Origin.
  void AddHeaders(const Request& request, Response& response) const;

 private:
  bool Allowed(std::string_view origin) const;
  void AddOrigin(std::string_view origin, Response& response) const;

  bool any_ = false;
  std::vector<std::string> origins_;
};

}  // namespace cairn::http
