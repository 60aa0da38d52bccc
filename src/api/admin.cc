// The admin API's endpoints (see admin.h): faults, reset, snapshots.
#include "api/admin.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "storage/namespace.h"

namespace cairn::api {
namespace {

void Answer(http::Response& resp, int status, std::string body) {
  resp.status = status;
  resp.content_type = "application/json";
  resp.body = std::move(body);
}

void Fail(http::Response& resp, int status, std::string_view message) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.KV("message", message);
  w.EndObject();
  Answer(resp, status, std::move(body));
}

int64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

void Faults(ServerContext& server, const http::Request& req, std::string_view rest,
            http::Response& resp) {
  faults::FaultInjector& f = *server.faults;
  if (!rest.empty()) {  // /faults/<id>
    if (req.method != "DELETE") return Fail(resp, 405, "use DELETE to remove one rule");
    if (!f.Remove(rest)) return Fail(resp, 404, "no fault rule " + std::string(rest));
    return Answer(resp, 200, "{}");
  }
  if (req.method == "GET") return Answer(resp, 200, f.ToJson());
  if (req.method == "DELETE") {
    f.Clear();
    return Answer(resp, 200, "{}");
  }
  if (req.method == "PUT") {
    if (Status s = f.Replace(req.body); !s.ok()) return Fail(resp, 400, s.message());
    spdlog::info("admin: fault rules replaced");
    return Answer(resp, 200, "{}");
  }
  if (req.method == "POST") {
    std::vector<std::string> ids;
    if (Status s = f.Add(req.body, &ids); !s.ok()) return Fail(resp, 400, s.message());
    std::string body;
    JsonWriter w(&body);
    w.BeginObject();
    w.Key("ids");
    w.BeginArray();
    for (const auto& id : ids) w.String(id);
    w.EndArray();
    w.EndObject();
    return Answer(resp, 200, std::move(body));
  }
  Fail(resp, 405, "use GET, POST, PUT or DELETE");
}

void Reset(ServerContext& server, const http::Request& req, http::Response& resp) {
  if (req.method != "POST") return Fail(resp, 405, "use POST");
  std::optional<std::string> ns;
  std::string_view body = req.body;
  while (!body.empty() && (body.front() == ' ' || body.front() == '\n')) body.remove_prefix(1);
  if (!body.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::object o;
    if (parser.parse(req.body.data(), req.body.size()).get(o) != simdjson::SUCCESS)
      return Fail(resp, 400, "expected a JSON object");
    std::string_view text, key, region;
    const bool has_key = o["access_key_id"].get(key) == simdjson::SUCCESS;
    const bool has_region = o["region"].get(region) == simdjson::SUCCESS;
    if (o["namespace"].get(text) == simdjson::SUCCESS) {
      ns = std::string(text);
    } else if (has_key && has_region) {
      ns = server.config.shared_db ? std::string(storage::kSharedNamespace)
                                   : storage::NamespaceOf(key, region);
    } else if (has_key || has_region || o.size() != 0) {
      return Fail(resp, 400,
                  "expected {}, {\"namespace\": \"...\"} or {\"access_key_id\": \"...\", "
                  "\"region\": \"...\"}");
    }
  }
  const auto start = std::chrono::steady_clock::now();
  auto dropped = server.catalog->DropAll(ns ? &*ns : nullptr);
  if (!dropped.ok()) return Fail(resp, 500, dropped.status().ToString());
  const int64_t micros = MicrosSince(start);
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("tables_dropped");
  w.UInt(*dropped);
  w.Key("microseconds");
  w.Int(micros);
  w.EndObject();
  Answer(resp, 200, std::move(out));
}

void WriteInfo(JsonWriter& w, const storage::DatabaseSnapshots::Info& info) {
  w.KV("name", info.name);
  w.Key("keys");
  w.UInt(info.keys);
  w.Key("bytes");
  w.UInt(info.bytes);
}

void Snapshots(ServerContext& server, const http::Request& req, std::string_view rest,
               http::Response& resp) {
  storage::DatabaseSnapshots& snaps = *server.snapshots;
  std::string out;
  JsonWriter w(&out);
  if (rest.empty()) {
    if (req.method != "GET") return Fail(resp, 405, "use GET");
    w.BeginObject();
    w.Key("snapshots");
    w.BeginArray();
    for (const auto& info : snaps.List()) {
      w.BeginObject();
      WriteInfo(w, info);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return Answer(resp, 200, std::move(out));
  }
  bool restore = false;
  if (rest.ends_with("/restore")) {
    restore = true;
    rest.remove_suffix(std::string_view("/restore").size());
  }
  if (rest.empty() || rest.find('/') != std::string_view::npos)
    return Fail(resp, 404, "expected /cairn/admin/snapshots/<name>[/restore]");
  const std::string name(rest);
  const auto start = std::chrono::steady_clock::now();
  if (restore) {
    if (req.method != "POST") return Fail(resp, 405, "use POST");
    Status s = snaps.Restore(name);
    if (s.IsNotFound()) return Fail(resp, 404, s.message());
    if (!s.ok()) return Fail(resp, 500, s.ToString());
    w.BeginObject();
    w.Key("microseconds");
    w.Int(MicrosSince(start));
    w.EndObject();
    return Answer(resp, 200, std::move(out));
  }
  if (req.method == "DELETE") {
    if (!snaps.Delete(name)) return Fail(resp, 404, "no snapshot named " + name);
    return Answer(resp, 200, "{}");
  }
  if (req.method != "POST") return Fail(resp, 405, "use POST to save, DELETE to remove");
  auto info = snaps.Save(name);
  if (!info.ok()) return Fail(resp, 500, info.status().ToString());
  w.BeginObject();
  WriteInfo(w, *info);
  w.Key("microseconds");
  w.Int(MicrosSince(start));
  w.EndObject();
  Answer(resp, 200, std::move(out));
}

}  // namespace

void HandleAdmin(ServerContext& server, const http::Request& req, std::string_view path,
                 http::Response& resp) {
  std::string_view rest = path.substr(kAdminPathPrefix.size());
  auto section = [&rest](std::string_view name) {
    if (rest == name) {
      rest = {};
      return true;
    }
    if (rest.starts_with(name) && rest.size() > name.size() && rest[name.size()] == '/') {
      rest.remove_prefix(name.size() + 1);
      return true;
    }
    return false;
  };
  if (section("faults")) return Faults(server, req, rest, resp);
  if (section("reset") && rest.empty()) return Reset(server, req, resp);
  if (section("snapshots")) return Snapshots(server, req, rest, resp);
  Fail(resp, 404, "no admin endpoint " + std::string(path));
}

}  // namespace cairn::api
