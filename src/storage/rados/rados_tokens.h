// RadosTokens: the ClientRequestToken records (storage/shared_tokens.h) in the RADOS pool, so a
// TransactWriteItems retried through any server of the pool is applied once (docs/rados.md
// section 6, "Status").
// Objects: "cairn.token.<16 hex digits>" per token, named by a 64-bit FNV-1a hash of the
// caller's key (namespace \0 token): data = the request's canonical text; xattrs "cairn.key" (the
// key, to tell a hash collision), "cairn.at" (wall-clock seconds of the claim, then of the answer)
// and "cairn.answer" (once answered). "cairn.tokens.<n>" (n < 16) lists answered tokens
// (object -> seconds) for the sweep that removes them after 10 minutes.
// Claim = create the object exclusively (one op with its text and time): exactly one server wins
// a token. A claim older than kAbandonSeconds without an answer is taken as abandoned (its server
// died) and may be claimed again; an answer older than 10 minutes is expired (removed, guarded on
// its time, then claimed again).
// Errors: a failed RADOS call answers kInProgress (TransactionInProgressException: retry later)
// rather than risk applying twice; Finish/Release failures leave the claim to expire.
// Thread safety: all methods may be called concurrently.
#pragma once

#include <rados/librados.hpp>

#include <string>
#include <string_view>

#include "storage/shared_tokens.h"

namespace cairn::storage::rados {

class RadosTokens final : public SharedTokens {
 public:
  static constexpr int kLifetimeSeconds = 600;
  static constexpr int kAbandonSeconds = 60;

  explicit RadosTokens(librados::IoCtx* io) : io_(io) {}
  TokenClaim Try(const std::string& key, std::string_view request, std::string* response) override;
  void Finish(const std::string& key, std::string response) override;
  void Release(const std::string& key) override;
  // Removes answered tokens older than 10 minutes (the engine's renewal thread calls it).
  void Sweep();

 private:
  static std::string ObjectOf(const std::string& key);
  static std::string LedgerOf(const std::string& oid);
  librados::IoCtx* io_;
};

}  // namespace cairn::storage::rados
