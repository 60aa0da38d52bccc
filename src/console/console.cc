// The web console's answers: its files from memory, the namespace list from the catalog
// (console.h has the contract).
#include "console/console.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "console/assets.h"
#include "protocol/json_writer.h"
#include "storage/namespace.h"

namespace cairn::console {
namespace {

constexpr std::string_view kPrefix = "/console";
constexpr std::string_view kNamespacesPath = "/console/api/namespaces";

// The console runs only its own files and talks only to its own origin: a page elsewhere cannot
// frame it, and injected markup could neither load nor send anything elsewhere.
void AddSecurityHeaders(http::Response& response) {
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
      "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
}

void PlainError(int status, std::string_view message, http::Response& response) {
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body.assign(message);
  response.body.push_back('\n');
}

// True when an If-None-Match header value names `etag` (a list, or "*").
bool EtagMatches(std::string_view header, std::string_view etag) {
  if (header.empty()) return false;
  size_t start = 0;
  while (start < header.size()) {
    size_t comma = header.find(',', start);
    std::string_view tag = header.substr(start, comma == std::string_view::npos
                                                    ? std::string_view::npos
                                                    : comma - start);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);  // weak comparison (RFC 9110 13.1.2)
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

}  // namespace

bool Console::Owns(std::string_view path) const {
  if (!options_.enabled || !path.starts_with(kPrefix)) return false;
  return path.size() == kPrefix.size() || path[kPrefix.size()] == '/';
}

void Console::Handle(const http::Request& request, std::string_view path,
                     http::Response& response) const {
  AddSecurityHeaders(response);
  if (request.method != "GET" && request.method != "HEAD") {
    response.headers.emplace_back("Allow", "GET, HEAD");
    PlainError(405, "The console answers GET and HEAD only.", response);
    return;
  }
  if (path == kNamespacesPath) {
    Namespaces(response);
    return;
  }
  for (const Asset& asset : Assets()) {
    if (asset.path != path) continue;
    response.headers.emplace_back("ETag", std::string(asset.etag));
    if (EtagMatches(request.Header("if-none-match"), asset.etag)) {
      response.status = 304;
      response.content_type.clear();
      response.body.clear();
      return;
    }
    response.status = 200;
    response.content_type.assign(asset.content_type);
    response.body.assign(asset.body);
    return;
  }
  PlainError(404, "No such page in the console.", response);
}

void Console::Namespaces(http::Response& response) const {
  response.content_type = "application/json";
  protocol::JsonWriter out(&response.body);
  if (!options_.list_namespaces) {
    response.status = 403;
    out.BeginObject();
    out.KV("message",
           "The list of namespaces is offered only while signatures are not checked: sign in "
           "with an access key.");
    out.EndObject();
    return;
  }
  std::map<std::string, int64_t, std::less<>> counts;
  for (const auto& table : catalog_->AllTables()) ++counts[table->ns];
  std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  out.BeginObject();
  out.Key("SharedDb");
  out.Bool(options_.shared_db);
  out.Key("Namespaces");
  out.BeginArray();
  if (options_.shared_db && sorted.empty()) sorted.emplace_back(storage::kSharedNamespace, 0);
  for (const auto& [ns, count] : sorted) {
    out.BeginObject();
    out.KV("Namespace", ns);
    std::string key, region;
    if (storage::ParseNamespace(ns, &key, &region)) {
      out.KV("AccessKeyId", key);
      out.KV("Region", region);
    }
    out.Key("TableCount");
    out.Int(count);
    out.EndObject();
  }
  out.EndArray();
  out.EndObject();
}

}  // namespace cairn::console
