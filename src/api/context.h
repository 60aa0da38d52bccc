// ServerContext: what every operation may use (engine, catalog, locks, settings), created once by
// main() and shared by all event-loop threads. OpContext: one request's view: the server, the
// caller and the response being written.
// Thread safety: ServerContext members are themselves thread-safe; an OpContext belongs to one
// request on one thread.
#pragma once

#include <optional>
#include <variant>

#include "api/protocol_names.h"
#include "api/transient_status.h"
#include "api/params.h"
#include "auth/credential_file.h"
#include "auth/credentials.h"
#include "config.h"
#include "faults/injector.h"
#include "backfill/backfill.h"
#include "backup/backups.h"
#include "streams/stream_log.h"
#include "storage/catalog.h"
#include "storage/database_snapshots.h"
#include "storage/engine.h"
#include "throttle/throttler.h"
#include "write/item_writer.h"

namespace cairn::api {

struct ServerContext {
  Config config;
  storage::Engine* engine = nullptr;
  storage::Catalog* catalog = nullptr;
  write::ItemWriter* writer = nullptr;  // every item write goes through it
  backfill::Backfiller* backfiller = nullptr;
  streams::StreamLog* streams = nullptr;
  // --credentials: the keys whose signatures are verified (auth/sigv4.h); null: no verification.
  const auth::CredentialStore* credentials = nullptr;
  faults::FaultInjector* faults = nullptr;          // --faults / admin API rules (may be idle)
  storage::DatabaseSnapshots* snapshots = nullptr;  // the admin API's saved databases
  throttle::Throttler* throttler = nullptr;  // --throttle (null: no capacity limits)
  TransientStatuses* transient = nullptr;  // --delay-transient-statuses (may be null: none)
  bool admin = false;  // /cairn/admin/ is served (--admin or --faults; api/admin.h)
  backup::Backups* backups = nullptr;  // on-demand backups, restores, PITR (backup/backups.h)
};

struct OpContext {
  ServerContext& server;
  const auth::Caller& caller;
  JsonWriter& out;  // the response body; an operation writes one JSON object on success
  // Fault injection (faults/injector.h): BatchWriteItem / BatchGetItem leave this fraction of
  // their requests unprocessed (faults::ChooseUnprocessed with this seed). 0: none.
  double unprocessed_fraction = 0;
  uint64_t unprocessed_seed = 0;
};

// An operation: decodes and validates its parameters (throwing ApiException for malformed
// requests), executes, and writes its response. Returns an ApiError for the outcomes clients cause
// every day (missing table, failed condition), nullopt on success.
using OpResult = std::optional<ApiError>;
using OpFn = OpResult (*)(OpContext& ctx, const Params& params);

// A value, or the DynamoDB error a client caused (a missing table or stream): how helpers of the
// operations return what clients cause every day, by value (src/README.md, "Errors").
template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}     // NOLINT: implicit by design
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  ApiError& error() { return std::get<1>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

// CAIRN_API_ASSIGN_OR_RETURN(lhs, expr): `expr` is an ApiResult; its error is returned from the
// enclosing function (an OpResult or ApiResult), its value moved into `lhs`.
#define CAIRN_API_ASSIGN_OR_RETURN(lhs, expr) \
  CAIRN_API_ASSIGN_OR_RETURN_IMPL(CAIRN_CONCAT(_api_result_, __LINE__), lhs, expr)
#define CAIRN_API_ASSIGN_OR_RETURN_IMPL(result, lhs, expr) \
  auto result = (expr);                                     \
  if (!result.ok()) return std::move(result.error());       \
  lhs = std::move(result.value())

}  // namespace cairn::api
