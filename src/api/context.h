// ServerContext: what every operation may use (engine, catalog, locks, settings), created once by
// main() and shared by all event-loop threads. OpContext: one request's view: the server, the
// caller and the response being written.
// Thread safety: ServerContext members are themselves thread-safe; an OpContext belongs to one
// request on one thread.
#pragma once

#include <optional>

#include "api/protocol_names.h"
#include "api/params.h"
#include "auth/credentials.h"
#include "config.h"
#include "backfill/backfill.h"
#include "streams/stream_log.h"
#include "storage/catalog.h"
#include "storage/engine.h"
#include "write/item_writer.h"

namespace cairn::api {

struct ServerContext {
  Config config;
  storage::Engine* engine = nullptr;
  storage::Catalog* catalog = nullptr;
  write::ItemWriter* writer = nullptr;  // every item write goes through it
  backfill::Backfiller* backfiller = nullptr;
  streams::StreamLog* streams = nullptr;
};

struct OpContext {
  ServerContext& server;
  const auth::Caller& caller;
  JsonWriter& out;  // the response body; an operation writes one JSON object on success
};

// An operation: decodes and validates its parameters (throwing ApiException for malformed
// requests), executes, and writes its response. Returns an ApiError for the outcomes clients cause
// every day (missing table, failed condition), nullopt on success.
using OpResult = std::optional<ApiError>;
using OpFn = OpResult (*)(OpContext& ctx, const Params& params);

}  // namespace cairn::api
