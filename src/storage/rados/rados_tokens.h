// RadosTokens: the ClientRequestToken records (storage/shared_tokens.h) in the RADOS pool, so a
// TransactWriteItems retried through any server of the pool is applied once (docs/rados.md
// section 6, "Status", "ClientRequestToken").
// Objects: "cairn.token.<16 hex digits>" per token, named by a 64-bit FNV-1a hash of the
// caller's key (namespace \0 token): data = the request's canonical text; xattrs "cairn.key" (the
// key, to tell a hash collision), "cairn.at" (wall-clock seconds of the claim, then of the
// answer), "cairn.server" (the claimant's server id), "cairn.txn" (the transaction record the
// claimant's request runs, rados_txn.h), "cairn.outcome" (COMMITTED once that transaction is
// applied, written by whoever finished it) and "cairn.answer" (once answered).
// "cairn.tokens.<n>" (n < 16) lists answered tokens (object -> seconds) for the sweep that
// removes them after 10 minutes.
// Claim = create the object exclusively (one op with its text, time and server): exactly one
// server wins a token. The claim is this thread's until Finish or Release (Current(): the engine
// hands it to the transaction coordinator). A later request with the token (Judge):
//  - answered, or its transaction COMMITTED: the answer (an empty one when only the outcome is
//    known: the claimant died before answering; the caller answers as for success), or
//    IdempotentParameterMismatch for another request text;
//  - unanswered while the claimant lives (its heartbeat in cairn.servers is fresh):
//    TransactionInProgress;
//  - unanswered and the claimant dead (no fresh heartbeat; or, for a claim naming no server,
//    older than kAbandonSeconds; or any claim older than 10 minutes): if it names a transaction,
//    that one is settled first (Transactions::Settle: finished by recovery when decided or
//    abandoned; TransactionInProgress while its coordinator's lock still holds), then the claim
//    is looked at again: COMMITTED -> the answer as above; otherwise the transaction was never
//    applied, and the claim is replaced (the request runs anew).
// An answer older than 10 minutes is expired (removed, guarded on its time, then claimed again).
// Errors: a failed RADOS call answers kInProgress (TransactionInProgressException: retry later)
// rather than risk applying twice; Finish/Release failures leave the claim to expire.
// Thread safety: all methods may be called concurrently.
#pragma once

#include <rados/librados.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "storage/rados/rados_txn.h"
#include "storage/shared_tokens.h"

namespace cairn::storage::rados {

class RadosTokens final : public SharedTokens {
 public:
  static constexpr int kLifetimeSeconds = 600;
  static constexpr int kAbandonSeconds = 60;

  // `server`: this server's id; `alive(id)`: whether server `id` holds a fresh heartbeat;
  // `settle(txn id)`: Transactions::Settle.
  RadosTokens(librados::IoCtx* io, std::string server,
              std::function<bool(const std::string&)> alive,
              std::function<bool(const std::string&)> settle)
      : io_(io), server_(std::move(server)), alive_(std::move(alive)), settle_(std::move(settle)) {}
  TokenClaim Try(const std::string& key, std::string_view request, std::string* response) override;
  void Finish(const std::string& key, std::string response) override;
  void Release(const std::string& key) override;
  // Removes answered tokens older than 10 minutes (the engine's renewal thread calls it).
  void Sweep();
  // The claim this thread holds (claimed by Try, not yet finished or released), if any.
  std::optional<TokenRef> Current() const;

  // What a claim object holds (as read), and what a request with the token does about it.
  struct ClaimState {
    std::string key, request, at, server, txn, outcome, answer;
    bool answered = false;
  };
  enum class Verdict {
    kReplace,      // expired, abandoned and never applied, or another key's: remove, claim again
    kMismatch,     // another request's
    kInProgress,   // its claimant still runs it
    kDone,         // answered: state.answer
    kDoneByOutcome,  // applied (COMMITTED) but unanswered: the claimant died; answer as success
    kSettle,       // the claimant died: settle state.txn, then look again
  };
  // `now`: wall-clock seconds; `claimant_alive`: the claimant's heartbeat is fresh (asked only
  // for an unanswered claim naming a server); `txn_settled`: state.txn was settled already.
  static Verdict Judge(const ClaimState& state, const std::string& key, std::string_view request,
                       uint64_t now, bool claimant_alive, bool txn_settled);
  static std::string ObjectOf(const std::string& key);

 private:
  static std::string LedgerOf(const std::string& oid);
  void Answer(const std::string& oid, const std::string& response,
              const std::string* guard_txn);
  librados::IoCtx* io_;
  std::string server_;
  std::function<bool(const std::string&)> alive_, settle_;
};

}  // namespace cairn::storage::rados
