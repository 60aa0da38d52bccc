// WriteOutcome: what the item writer's Status (write/item_writer.h) means to a client.
//   Aborted  -> the operation's own error (its condition failed, its update was invalid), which
//               its decide function recorded in `refused`;
//   Busy     -> TransactionConflictException "Transaction is ongoing for the item";
//   NotFound -> ResourceNotFoundException (the table was dropped while the request ran);
//   other    -> InternalServerError, logged (ApiError::FromStatus).
// Decide functions never let an exception through the writer: they catch a validation error of
// the item they compute and record it in `refused` (src/README.md, "Errors").
#pragma once

#include <optional>

#include "api/context.h"

namespace cairn::api {

inline constexpr const char* kTransactionOngoing = "Transaction is ongoing for the item";

inline OpResult WriteOutcome(const Status& s, std::optional<ApiError> refused = std::nullopt) {
  if (s.ok()) return std::nullopt;
  if (s.IsAborted()) return refused ? std::move(refused) : ApiError::InternalServerError();
  if (s.IsBusy()) return ApiError::TransactionConflict(kTransactionOngoing);
  if (s.IsNotFound()) return ApiError::ResourceNotFound();
  return ApiError::FromStatus(s);
}

}  // namespace cairn::api
