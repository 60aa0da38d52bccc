// CORS answers; see cors.h.
#include "http/cors.h"

#include <algorithm>

#include "http/ascii.h"

namespace cairn::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A header a DynamoDB client (the SDKs, boto3, the console) may send from a browser.
bool ClientHeader(std::string_view lower) {
  static constexpr std::string_view kNames[] = {"content-type", "authorization", "cache-control",
                                                "content-encoding", "accept-encoding"};
  static constexpr std::string_view kPrefixes[] = {"x-amz-", "amz-sdk-", "x-amzn-"};
  for (auto n : kNames)
    if (lower == n) return true;
  for (auto p : kPrefixes)
    if (lower.starts_with(p) && lower.size() > p.size()) return true;
  return false;
}

constexpr std::string_view kAllowMethods = "GET, POST, OPTIONS";
constexpr std::string_view kExposeHeaders = "x-amzn-RequestId, x-amz-crc32, x-amz-id-2";
constexpr std::string_view kMaxAgeSeconds = "86400";

}  // namespace

Cors::Cors(std::string_view spec) {
  spec = Trim(spec);
  while (!spec.empty()) {
    size_t comma = spec.find(',');
    std::string_view origin = Trim(spec.substr(0, comma));
    if (origin == "*") {
      any_ = true;
    } else if (!origin.empty()) {
      while (origin.ends_with('/')) origin.remove_suffix(1);
      origins_.push_back(Lower(origin));
    }
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
  }
}

bool Cors::Allowed(std::string_view origin) const {
  if (origin.empty()) return false;
  if (any_) return true;
  const std::string lower = Lower(origin);
  return std::find(origins_.begin(), origins_.end(), lower) != origins_.end();
}

void Cors::AddOrigin(std::string_view origin, Response& response) const {
  if (any_) {
    response.headers.emplace_back("Access-Control-Allow-Origin", "*");
  } else {
    response.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    response.headers.emplace_back("Vary", "Origin");
  }
}

bool Cors::AnswerPreflight(const Request& request, Response& response) const {
  if (!enabled() || request.method != "OPTIONS" || !request.HasHeader("origin") ||
      !request.HasHeader("access-control-request-method"))
    return false;
  response.content_type.clear();
  response.body.clear();
  const std::string_view origin = request.Header("origin");
  const std::string_view method = Trim(request.Header("access-control-request-method"));
  bool ok = Allowed(origin) && (method == "POST" || method == "GET" || method == "OPTIONS");
  std::string allowed_headers;
  std::string_view asked = request.Header("access-control-request-headers");
  while (ok && !asked.empty()) {
    size_t comma = asked.find(',');
    const std::string name = Lower(Trim(asked.substr(0, comma)));
    if (!name.empty()) {
      ok = ClientHeader(name);
      if (!allowed_headers.empty()) allowed_headers += ", ";
      allowed_headers += name;
    }
    asked = comma == std::string_view::npos ? std::string_view() : asked.substr(comma + 1);
  }
  if (!ok) {
    response.status = 403;
    return true;
  }
  response.status = 200;
  AddOrigin(origin, response);
  response.headers.emplace_back("Access-Control-Allow-Methods", std::string(kAllowMethods));
  if (!allowed_headers.empty())
    response.headers.emplace_back("Access-Control-Allow-Headers", allowed_headers);
  response.headers.emplace_back("Access-Control-Max-Age", std::string(kMaxAgeSeconds));
  return true;
}

void Cors::AddHeaders(const Request& request, Response& response) const {
  const std::string_view origin = request.Header("origin");
  if (!enabled() || !Allowed(origin)) return;
  AddOrigin(origin, response);
  response.headers.emplace_back("Access-Control-Expose-Headers", std::string(kExposeHeaders));
}

}  // namespace cairn::http
