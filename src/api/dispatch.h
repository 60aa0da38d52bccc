// Dispatcher: the DynamoDB JSON protocol on top of HTTP. One request's path:
//   X-Amz-Target -> operation; Authorization -> caller (namespace); body -> JSON; operation ->
//   response JSON; then the headers DynamoDB sends (x-amzn-RequestId, x-amz-crc32). Paths under
//   /console are the web console's (console/console.h), answered by it before any of this.
// This is the only place an ApiError becomes an HTTP reply, and the only catch of an ApiException
// that ends a request; the few others reword one on its way (src/README.md, "Errors").
// Thread safety: Handle() may run on every event-loop thread at once; per-thread state (the JSON
// parser) is thread_local.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string_view>
#include <vector>

#include "api/context.h"
#include "console/console.h"
#include "http/cors.h"
#include "http/message.h"
#include "metrics/registry.h"

namespace cairn::api {

class Dispatcher {
 public:
  // `metrics` (may be null: nothing is measured) records every request of the protocol; with
  // config.metrics_on_main_port, GET /metrics answers its scrape.
  explicit Dispatcher(ServerContext* server, metrics::Registry* metrics = nullptr);

  void Handle(const http::Request& request, http::Response& response);

 private:
  // On success the body is in *body; otherwise the error is returned. `table`, when not null,
  // receives the request's TableName (for the request log); `*operation` the operation's index
  // in MetricOperationNames() (left alone when the request names none Cairn serves). A fault rule
  // that fired (faults/injector.h) is left in *fault for Handle (latency, drop).
  OpResult Run(const http::Request& request, std::string* body, std::string* table,
               size_t* operation, std::optional<faults::Decision>* fault);
  // The caller's credential scope into *caller and, with --credentials, the request's SigV4
  // signature checked against the configured keys: nullopt, or DynamoDB's error. Also guards
  // the admin API.
  std::optional<ApiError> Authenticated(const http::Request& request, auth::Caller* caller) const;

  ServerContext* server_;
  http::Cors cors_;  // --cors: browser origins allowed
  metrics::Registry* metrics_;
  console::Console console_;  // GET /console: the web console (--no-console turns it off)
};

// The operations as the metrics label them (metrics/request_metrics.h): every operation of the
// DynamoDB and DynamoDB Streams APIs that Cairn serves, then "Unknown" (a request that names none
// of them: an unknown X-Amz-Target, a health check, another path or method). The 2011-12-05 API's
// operations count as their 2012-08-10 namesakes. Fixed for the life of the process.
const std::vector<std::string_view>& MetricOperationNames();
// The error types as the metrics label them: protocol/errors.h's kErrorTypes, then "Other" (at
// index kErrorTypeCount, what ErrorTypeIndex() gives a type the list lacks).
const std::vector<std::string_view>& MetricErrorTypeNames();

// The x-amz-crc32 header value for a body: zlib's CRC32, in decimal.
uint32_t BodyCrc32(std::string_view body);

// The service model's checks of a 2012-08-10 request body, as Run applies them: its JSON types
// (SerializationException), then its constraints (one ValidationException). The 2011-12-05 API
// runs them on the requests it translates (legacy_20111205_shapes.h, CallCurrent), so both
// versions reject what the current one rejects, with its messages.
std::optional<ApiError> CheckAgainstModel(std::string_view operation, simdjson::dom::element body);

}  // namespace cairn::api
