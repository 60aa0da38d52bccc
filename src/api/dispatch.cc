// The request path for the DynamoDB JSON protocol: target -> caller -> JSON -> shape check (the
// service model's types, protocol/shape_check.h) -> operation -> reply.
#include "api/dispatch.h"

#include <spdlog/spdlog.h>
#include <isa-l/crc.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <cctype>
#include <optional>
#include <random>
#include <string_view>
#include <unordered_map>

#include "api/admin.h"
#include "api/capacity.h"
#include "api/operations.h"
#include "auth/sigv4.h"
#include "http/compression.h"
#include "protocol/constraint_check.h"
#include "protocol/service_model.h"
#include "protocol/shape_check.h"
#include "throttle/request_partitions.h"
#include "util/clock.h"

namespace cairn::api {
namespace {

constexpr std::string_view kTargetPrefix = "DynamoDB_20120810.";
constexpr std::string_view kTarget20111205Prefix = "DynamoDB_20111205.";
constexpr std::string_view kStreamsTargetPrefix = "DynamoDBStreams_20120810.";
// The services' names in the service model (protocol/service_model.h): the prefixes without '.'.
constexpr std::string_view kService = kTargetPrefix.substr(0, kTargetPrefix.size() - 1);
constexpr std::string_view kStreamsService =
    kStreamsTargetPrefix.substr(0, kStreamsTargetPrefix.size() - 1);

struct OperationEntry {
  std::string_view name;
  OpFn fn;
};

// Every operation served, DynamoDB's then DynamoDB Streams'; the position is the metrics' index.
constexpr OperationEntry kOperations[] = {
    {"CreateTable", &CreateTable},
    {"DescribeTable", &DescribeTable},
    {"UpdateTable", &UpdateTable},
    {"DeleteTable", &DeleteTable},
    {"ListTables", &ListTables},
    {"TagResource", &TagResource},
    {"UntagResource", &UntagResource},
    {"ListTagsOfResource", &ListTagsOfResource},
    {"DescribeLimits", &DescribeLimits},
    {"DescribeEndpoints", &DescribeEndpoints},
    {"PutItem", &PutItem},
    {"GetItem", &GetItem},
    {"DeleteItem", &DeleteItem},
    {"UpdateItem", &UpdateItem},
    {"BatchGetItem", &BatchGetItem},
    {"BatchWriteItem", &BatchWriteItem},
    {"TransactWriteItems", &TransactWriteItems},
    {"TransactGetItems", &TransactGetItems},
    {"UpdateTimeToLive", &UpdateTimeToLive},
    {"DescribeTimeToLive", &DescribeTimeToLive},
    {"DescribeContinuousBackups", &DescribeContinuousBackups},
    {"UpdateContinuousBackups", &UpdateContinuousBackups},
    {"CreateBackup", &CreateBackup},
    {"DescribeBackup", &DescribeBackup},
    {"ListBackups", &ListBackups},
    {"DeleteBackup", &DeleteBackup},
    {"RestoreTableFromBackup", &RestoreTableFromBackup},
    {"RestoreTableToPointInTime", &RestoreTableToPointInTime},
    {"ExportTableToPointInTime", &ExportTableToPointInTime},
    {"DescribeExport", &DescribeExport},
    {"ListExports", &ListExports},
    {"ImportTable", &ImportTable},
    {"DescribeImport", &DescribeImport},
    {"ListImports", &ListImports},
    {"Query", &Query},
    {"Scan", &Scan},
    {"ExecuteStatement", &ExecuteStatement},
    {"BatchExecuteStatement", &BatchExecuteStatement},
    {"ExecuteTransaction", &ExecuteTransaction},
};
constexpr OperationEntry kStreamsOperations[] = {
    {"ListStreams", &ListStreams},
    {"DescribeStream", &DescribeStream},
    {"GetShardIterator", &GetShardIterator},
    {"GetRecords", &GetRecords},
};
constexpr size_t kStreamsBase = std::size(kOperations);
// "Unknown" in MetricOperationNames().
constexpr size_t kUnknownOperation = kStreamsBase + std::size(kStreamsOperations);

// name -> index into kOperations (DynamoDB) or kStreamsOperations (DynamoDB Streams).
using OperationIndex = std::unordered_map<std::string_view, size_t>;

template <size_t N>
OperationIndex IndexOf(const OperationEntry (&entries)[N]) {
  OperationIndex index;
  for (size_t i = 0; i < N; ++i) index.emplace(entries[i].name, i);
  return index;
}

const OperationIndex& Operations() {
  static const OperationIndex ops = IndexOf(kOperations);
  return ops;
}

const OperationIndex& StreamsOperations() {
  static const OperationIndex ops = IndexOf(kStreamsOperations);
  return ops;
}

// Why a body is not JSON, in plain words: DynamoDB's texts here come from its Java parser.
std::string_view MalformedBodyMessage(simdjson::error_code code) {
  switch (code) {
    case simdjson::EMPTY:
      return "No content to map due to end-of-input";
    case simdjson::UTF8_ERROR:
      return "Invalid UTF-8 in the request body";
    case simdjson::STRING_ERROR:
    case simdjson::UNESCAPED_CHARS:
      return "Invalid JSON string in the request body: a bad escape, a lone surrogate or an "
             "unescaped control character";
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "Invalid JSON number in the request body: malformed or out of range";
    case simdjson::DEPTH_ERROR:
      return "The request body nests JSON too deeply";
    default:
      return "Malformed JSON in the request body";
  }
}

// DynamoDB's request ids: 52 characters of [A-Z0-9]. An id only has to be unique, so each byte of
// a splitmix64 stream (seeded per thread from std::random_device) becomes one character by
// multiply-and-shift, (byte * 36) >> 8: 7 or 8 of the 256 byte values per character. The id used
// to take one `% 36` and `/ 36` of an mt19937_64 draw per character: ~1,000 instructions of every
// request (callgrind), against ~200 now.
std::string NewRequestId() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local uint64_t state = (static_cast<uint64_t>(std::random_device{}()) << 32) ^
                                std::random_device{}();
  // Seven splitmix64 outputs, 8 characters each, into a local buffer: the first 52 are the id.
  // (Writing through the string, with its bound checked per character, cost ~680 instructions
  // a request; bench/instructions.)
  char buf[56];
  for (size_t i = 0; i < sizeof buf; i += 8) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);  // splitmix64
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    for (size_t j = 0; j < 8; ++j, z >>= 8) buf[i + j] = kAlphabet[((z & 0xFF) * 36) >> 8];
  }
  return std::string(buf, 52);
}

// The tables a request names, for fault rules by table: TableName, RequestItems' keys (batches),
// TransactItems' TableNames.
std::vector<std::string_view> TablesOf(simdjson::dom::object doc) {
  std::vector<std::string_view> tables;
  if (std::string_view name; doc["TableName"].get(name) == simdjson::SUCCESS)
    tables.push_back(name);
  if (simdjson::dom::object items; doc["RequestItems"].get(items) == simdjson::SUCCESS)
    for (auto [name, value] : items) tables.push_back(name);
  if (simdjson::dom::array items; doc["TransactItems"].get(items) == simdjson::SUCCESS) {
    for (auto item : items) {
      simdjson::dom::object o;
      if (item.get(o) != simdjson::SUCCESS) continue;
      for (auto [kind, action] : o) {
        if (std::string_view name; action["TableName"].get(name) == simdjson::SUCCESS)
          tables.push_back(name);
      }
    }
  }
  return tables;
}

// --throttle: whether an operation reads or writes items (nullopt: neither, not throttled).
std::optional<throttle::Kind> ThrottledKind(std::string_view op) {
  if (op == "GetItem" || op == "BatchGetItem" || op == "Query" || op == "Scan" ||
      op == "TransactGetItems")
    return throttle::Kind::kRead;
  if (op == "PutItem" || op == "UpdateItem" || op == "DeleteItem" || op == "BatchWriteItem" ||
      op == "TransactWriteItems")
    return throttle::Kind::kWrite;
  return std::nullopt;
}

// The path of a request target: without its query, an absolute-form target ("http://host/")
// reduced.
std::string_view RequestPath(std::string_view url) {
  std::string_view path = url;
  if (size_t scheme = path.find("://"); scheme != std::string_view::npos && path[0] != '/') {
    size_t slash = path.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
  }
  return path.substr(0, path.find_first_of("?#"));
}

}  // namespace

// ISA-L's CRC-32 (the gzip/zlib polynomial, folded with PCLMULQDQ where the CPU has it, as it
// picks at run time): 47 ns for a 2,500-byte body where zlib's crc32 took 420-1,240 ns, ~3% of a
// Query's CPU.
uint32_t BodyCrc32(std::string_view body) {
  return crc32_gzip_refl(0, reinterpret_cast<const unsigned char*>(body.data()), body.size());
}

std::optional<ApiError> CheckAgainstModel(std::string_view operation,
                                          simdjson::dom::element body) {
  const protocol::Shape* input = protocol::FindInputShape(kService, operation);
  if (input == nullptr) return ApiError::InternalServerError();
  if (std::optional<ApiError> error = protocol::CheckShape(*input, body)) return error;
  return protocol::CheckConstraints(*input, body);
}

const std::vector<std::string_view>& MetricOperationNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const OperationEntry& e : kOperations) v.push_back(e.name);
    for (const OperationEntry& e : kStreamsOperations) v.push_back(e.name);
    v.push_back("Unknown");
    return v;
  }();
  return names;
}

const std::vector<std::string_view>& MetricErrorTypeNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v(std::begin(protocol::kErrorTypes),
                                    std::end(protocol::kErrorTypes));
    v.push_back("Other");
    return v;
  }();
  return names;
}

std::optional<ApiError> Dispatcher::Authenticated(const http::Request& req,
                                                  auth::Caller* caller) const {
  ApiError auth_error;
  auth::SignedRequest signed_request;
  signed_request.has_authorization = req.HasHeader("authorization");
  signed_request.authorization = req.Header("authorization");
  signed_request.has_date = req.HasHeader("x-amz-date") || req.HasHeader("date");
  signed_request.path = RequestPath(req.url);
  if (size_t q = req.url.find('?'); q != std::string_view::npos)
    signed_request.query = req.url.substr(q + 1, req.url.find('#', q) - q - 1);
  signed_request.method = req.method;
  signed_request.headers = &req.headers;
  signed_request.payload = req.wire_body;
  auth::SignatureParts signature;
  if (!auth::Authenticate(signed_request, server_->config.shared_db, caller, &auth_error,
                          server_->credentials != nullptr ? &signature : nullptr))
    return auth_error;
  if (server_->credentials != nullptr)
    return auth::sigv4::VerifySignature(signed_request, signature, *server_->credentials,
                                        static_cast<int64_t>(EpochSeconds()));
  return std::nullopt;
}

OpResult Dispatcher::Run(const http::Request& req, std::string* body, std::string* table,
                         size_t* operation, std::optional<faults::Decision>* fault) {
  std::string_view target = req.Header("x-amz-target");
  // A request names one operation. Repeated X-Amz-Target headers read as HTTP reads repeated
  // headers, one comma-separated list (RFC 9110 5.3), which names no operation.
  size_t target_count = 0;
  std::string targets;
  for (const auto& [name, value] : req.headers) {
    if (name != "x-amz-target") continue;
    if (target_count++ > 0) targets.push_back(',');
    targets.append(value);
  }
  if (target_count > 1) return ApiError::UnknownOperation(targets);
  OpFn fn = nullptr;
  // The operation's input shape in DynamoDB's service model: both 2012-08-10 services have one
  // (the 2011-12-05 API keeps its own checks). An operation of the model that Cairn does not serve
  // still has its body checked, as DynamoDB would, before it is answered UnknownOperationException.
  const protocol::Shape* input = nullptr;
  if (target.starts_with(kTargetPrefix)) {
    std::string_view name = target.substr(kTargetPrefix.size());
    const auto& ops = Operations();
    if (auto op = ops.find(name); op != ops.end()) {
      fn = kOperations[op->second].fn;
      *operation = op->second;
    }
    input = protocol::FindInputShape(kService, name);
  } else if (target.starts_with(kStreamsTargetPrefix)) {
    if (server_->streams) {
      std::string_view name = target.substr(kStreamsTargetPrefix.size());
      const auto& ops = StreamsOperations();
      if (auto op = ops.find(name); op != ops.end()) {
        fn = kStreamsOperations[op->second].fn;
        *operation = kStreamsBase + op->second;
      }
      input = protocol::FindInputShape(kStreamsService, name);
    }
  } else if (target.starts_with(kTarget20111205Prefix)) {
    std::string_view name = target.substr(kTarget20111205Prefix.size());
    fn = FindOperation20111205(name);
    const auto& ops = Operations();
    if (auto op = ops.find(name); fn != nullptr && op != ops.end()) *operation = op->second;
  }
  if (fn == nullptr && input == nullptr) return ApiError::UnknownOperation(target);

  auth::Caller caller;
  // --credentials: the signature itself, before the body is even parsed (as DynamoDB: a request
  // that is not signed right learns nothing about its body).
  if (std::optional<ApiError> error = Authenticated(req, &caller)) return error;

  // The HTTP layer keeps SIMDJSON_PADDING zero bytes after the body, so it parses in place.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (simdjson::error_code code =
          parser.parse(reinterpret_cast<const uint8_t*>(req.body.data()), req.body.size(), false)
              .get(doc))
    return ApiError::Serialization(std::string(MalformedBodyMessage(code)));
  // DynamoDB deserializes the body against the input shape before it validates anything: a value
  // of the wrong JSON type anywhere is a SerializationException before any other error.
  if (input != nullptr) {
    if (std::optional<ApiError> error = protocol::CheckShape(*input, doc)) return error;
  }
  if (!doc.is_object())
    return ApiError::Serialization("Start of list found where not expected");
  if (std::string_view name; table != nullptr && doc["TableName"].get(name) == simdjson::SUCCESS)
    *table = name;
  if (fn == nullptr) return ApiError::UnknownOperation(target);  // in the model, not served
  // Then the model's constraints (protocol/constraint_check.h): every violation in one
  // ValidationException, before the operation's own checks and before any table is looked up.
  if (input != nullptr) {
    if (std::optional<ApiError> error = protocol::CheckConstraints(*input, doc)) return error;
  }

  JsonWriter writer(body);
  OpContext ctx{*server_, caller, writer};
  // Fault injection, once the request is known valid: an injected error (or a dropped
  // connection) stands in for the operation, which does not run and so writes nothing.
  if (server_->faults != nullptr && server_->faults->active()) {
    *fault = server_->faults->Decide(target.substr(target.rfind('.') + 1),
                                     TablesOf(doc.get_object().value()));
    if (fault->has_value()) {
      if ((*fault)->error) return (*fault)->error;
      if ((*fault)->drop_connection) return ApiError::InternalServerError();  // never sent
      ctx.unprocessed_fraction = (*fault)->unprocessed;
      ctx.unprocessed_seed = (*fault)->unprocessed_seed;
    }
  }
  // --throttle (throttle/throttler.h): admitted while the buckets of the tables it names hold
  // capacity (a throttled request runs nothing, so writes nothing), then charged what it
  // consumed, as its ConsumedCapacity computes it.
  // The partition keys it names have buckets too (throttle/request_partitions.h).
  std::optional<throttle::Kind> throttled;
  std::map<std::string, throttle::Partitions, std::less<>> partitions;  // by table name
  const std::string_view op_name = target.substr(target.rfind('.') + 1);
  if (server_->throttler != nullptr) {
    if (auto error = server_->throttler->control_plane.Admit(caller.ns, op_name)) return *error;
  }
  if (server_->throttler != nullptr && (throttled = ThrottledKind(op_name))) {
    simdjson::dom::object o = doc.get_object().value();
    std::string_view index;
    if (o["IndexName"].get(index) != simdjson::SUCCESS) index = {};
    std::vector<std::string_view> names = TablesOf(o);  // a transaction repeats its tables
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (std::string_view name : names) {
      auto t = server_->catalog->Find(caller.ns, TableNameFromParameter(name));
      if (!t) continue;
      throttle::Partitions more = throttle::PartitionsOf(op_name, o, name, *t);
      throttle::Partitions& p = partitions[t->name];  // a name and an ARN: one table
      p.index = std::move(more.index);
      p.keys.insert(p.keys.end(), more.keys.begin(), more.keys.end());
      if (auto error = server_->throttler->Admit(*t, *throttled, index, p)) return *error;
    }
  }
  Meter meter;
  std::optional<ScopedMeter> metering;
  if (throttled) metering.emplace(&meter);
  try {
    OpResult result = fn(ctx, Params(doc.get_object().value()));
    for (const auto& [name, units] : meter.by_table) {
      auto t = server_->catalog->Find(caller.ns, name);
      if (!t) continue;
      double table_units = units.table;
      for (const auto& [x, u] : units.local) table_units += u;  // an LSI uses the table's
      std::vector<std::pair<std::string, double>> gsi(units.global.begin(), units.global.end());
      server_->throttler->Consume(*t, *throttled, table_units, gsi);
      if (auto p = partitions.find(name); p != partitions.end()) {
        auto g = p->second.index.empty() ? units.global.end() : units.global.find(p->second.index);
        server_->throttler->ConsumePartitions(
            *t, *throttled, p->second, g != units.global.end() ? g->second : table_units);
      }
    }
    return result;
  } catch (const ApiException& e) {
    return e.error;
  } catch (const std::bad_alloc&) {
    return ApiError::InternalServerError();
  } catch (const std::exception& e) {
    spdlog::error("{} failed: {}", target, e.what());
    return ApiError::InternalServerError();
  }
}

namespace {

console::Options ConsoleOptions(const Config& config) {
  console::Options options;
  options.enabled = !config.no_console;
  options.shared_db = config.shared_db;
  // The namespace list shows every caller's tables: offered only while signatures are not
  // checked (--credentials turns the checking on).
  options.list_namespaces = config.credentials_file.empty();
  return options;
}

}  // namespace

Dispatcher::Dispatcher(ServerContext* server, metrics::Registry* metrics)
    : server_(server),
      cors_(server->config.cors),
      metrics_(metrics),
      console_(ConsoleOptions(server->config), server->catalog) {}

void Dispatcher::Handle(const http::Request& req, http::Response& resp) {
  // --log-level debug: one line per request (operation, table, status, error type, bytes in and
  // out, microseconds); otherwise nothing of this is computed.
  const bool logged = spdlog::should_log(spdlog::level::debug);
  // --metrics / --metrics-port: every request is counted and timed (metrics/request_metrics.h).
  const auto started = logged || metrics_ != nullptr ? std::chrono::steady_clock::now()
                                                     : std::chrono::steady_clock::time_point();
  size_t operation = kUnknownOperation;
  size_t error_index = metrics::RequestMetrics::kNoError;
  auto record = [&] {
    if (metrics_ == nullptr) return;
    const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
    metrics_->requests().Record(operation, error_index, static_cast<uint64_t>(nanos));
  };
  std::string table, error_type;
  resp.status = 200;
  resp.body.clear();
  // A browser's CORS preflight (OPTIONS) is answered whole by the policy (http/cors.h).
  if (cors_.AnswerPreflight(req, resp)) {
    record();
    return;
  }
  const std::string_view path = RequestPath(req.url);
  // The web console (console/console.h) answers its own paths, same-origin only: without CORS
  // headers, and without the protocol's x-amzn-RequestId and x-amz-crc32.
  const bool console_page = console_.Owns(path);
  // DynamoDB answers the JSON protocol with the content type it was asked in: application/json
  // or (what the SDKs send) application/x-amz-json-1.0.
  std::string_view content_type = req.Header("content-type");
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  const bool plain_json = content_type.size() == 16 &&
                          std::equal(content_type.begin(), content_type.end(), "application/json",
                                     [](char a, char b) {
                                       return std::tolower(static_cast<unsigned char>(a)) == b;
                                     });
  if (metrics_ != nullptr && server_->config.metrics_on_main_port && req.method == "GET" &&
      path == "/metrics") {
    // --metrics: the scrape (Prometheus text format), not itself counted as a request.
    resp.content_type = std::string(metrics::kContentType);
    resp.body = metrics_->Scrape();
    http::EncodeResponse(req, resp);
    return;
  }
  static const size_t kUnknownOperationError =
      protocol::ErrorTypeIndex("UnknownOperationException");
  if (console_page) {
    console_.Handle(req, path, resp);
  } else if (server_->admin && path.starts_with(kAdminPathPrefix)) {
    // Cairn's admin API (api/admin.h), served only when enabled; otherwise this path is
    // answered below as any path DynamoDB does not serve.
    // With --credentials it takes a request signed with one of the configured keys, as any
    // DynamoDB request (an unsigned or badly signed one gets the same error, as JSON).
    auth::Caller admin_caller;
    std::optional<ApiError> refused;
    if (server_->credentials != nullptr) refused = Authenticated(req, &admin_caller);
    if (refused) {
      resp.status = refused->http_status;
      resp.content_type = "application/json";
      resp.body = refused->Body();
    } else {
      HandleAdmin(*server_, req, path, resp);
    }
  } else if (req.method != "POST" && req.method != "GET" && req.method != "HEAD") {
    // Only POST runs operations. DynamoDB answers other methods (PUT, DELETE, PATCH, an OPTIONS
    // that is not an allowed preflight, ...) 404 with this XML body, whatever the path and headers.
    resp.status = 404;
    resp.content_type.clear();
    resp.body = protocol::kUnknownOperationXmlBody;
    error_index = kUnknownOperationError;
  } else if (path != "/") {
    // DynamoDB serves only "/": POST for the operations, GET for the health line.
    std::string asked = std::string(req.method) + " " + std::string(req.url);
    ApiError error = ApiError::UnknownOperation(asked);
    error.http_status = 404;
    resp.status = error.http_status;
    resp.body = error.Body();
    error_index = kUnknownOperationError;
  } else if (req.method != "POST") {
    // DynamoDB answers a plain GET with a health line naming the host it was asked for; load
    // balancers and scripts use it.
    resp.content_type = "text/plain";
    resp.body = "healthy: ";
    resp.body.append(req.Header("host"));
    resp.body.push_back(' ');
  } else {
    std::optional<faults::Decision> fault;
    if (OpResult error = Run(req, &resp.body, logged ? &table : nullptr, &operation, &fault)) {
      resp.status = error->http_status;
      resp.body = error->Body();
      if (logged) error_type = error->type;
      if (metrics_ != nullptr) error_index = protocol::ErrorTypeIndex(error->type);
    }
    if (fault) {
      resp.delay = std::chrono::milliseconds(fault->latency_ms);
      resp.drop = fault->drop_connection;
      if (logged) error_type += fault->drop_connection ? " (fault: dropped)" : " (fault)";
    }
    if (plain_json) resp.content_type = "application/json";
  }
  // Compressed as Accept-Encoding asks; the CRC32 is of the body as sent, which is what botocore
  // (retryhandler.py CRC32Checker, over the undecoded bytes) and the SDKs check.
  http::EncodeResponse(req, resp);
  if (!console_page) {
    resp.headers.emplace_back("x-amzn-RequestId", NewRequestId());
    resp.headers.emplace_back("x-amz-crc32", std::to_string(BodyCrc32(resp.body)));
    cors_.AddHeaders(req, resp);
    record();  // the metrics count the protocol's requests, not the console's pages
  }
  if (logged) {
    std::string_view target = req.Header("x-amz-target");
    if (size_t dot = target.rfind('.'); dot != std::string_view::npos)
      target.remove_prefix(dot + 1);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
    spdlog::debug("request {} {} op={} table={} status={} error={} in={} out={} us={}", req.method,
                  req.url, target.empty() ? "-" : target, table.empty() ? "-" : table,
                  resp.status, error_type.empty() ? "-" : error_type, req.body.size(),
                  resp.body.size(), micros);
  }
}

}  // namespace cairn::api
