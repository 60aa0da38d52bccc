// Transactions: the transaction protocol of docs/rados.md section 6 on a RADOS pool shared by
// several cairn servers: the coordinator of a multi-object transactional write, the intents that
// hold its items, their recovery by any server, and the read-and-validate of TransactGetItems.
// The RADOS engine (rados_engine.cc) hands it the reduced batch of a write made inside a
// transaction's storage::WriteScope, and asks it about intents when one of its guarded item ops
// fails.
//
// Objects: "x.<txn id>" the transaction record (omap "state" PENDING | COMMITTED | CANCELLED,
// "coord" the coordinator's server id, "ops" the batch per object, "intents" the intent keys per
// object), locked by its coordinator (cls_lock "cairn.txn", cookie the txn id, 10 s, not
// renewed; a recoverer locks with "recovery.<server id>"); "xlog.<n>" (n < 16) the ledger
// of live records (omap txn id -> wall-clock seconds), walked by every server's sweeper.
// An intent is the omap key 0x11 | item key (the item's data omap key with 0x11 for its column
// byte) in the item's shard object; its value is the txn id.
//
// The coordinator (Run): record + ledger entry; lock; prepare: per shard object one op guarded on
// every item value the transaction read there and on "no intent" for every item it reads or
// writes there, setting its intents (all shards in parallel); decide: omap_cmp(state == PENDING)
// and set COMMITTED (the commit point), or CANCELLED when a prepare failed; apply: per object the
// batch's share, guarded on our intents (shard objects), removing them; then the record and its
// ledger entry are removed.
// Recovery (Resolve, Sweep): COMMITTED -> apply (guarded on the intents: applying twice does
// nothing); CANCELLED -> remove the intents; PENDING whose coordinator's lock lapsed (it died, or
// stalled 10 s) -> take the lock, guard PENDING -> CANCELLED (the coordinator's own decision then
// fails its guard), remove the intents; no record -> the intent is stale, removed.
// Invariants: an item with an intent is written only by its transaction's apply; the decision is
// one guarded write, so a transaction is applied entirely or not at all, whoever finishes it.
// ClientRequestTokens (rados_tokens.h): a transaction run for a claimed token always runs the
// protocol (even in one object) and names its record in the token's claim object (xattr
// "cairn.txn" = txn id, in parallel with the record's creation, guarded on the claim being ours);
// the record names the claim object ("token"). Whoever finishes a COMMITTED record with a token
// (the coordinator, or recovery) marks the claim "cairn.outcome" = COMMITTED (guarded on
// "cairn.txn" naming this record) before removing the record: so a retry after the claimant died
// settles the named transaction and answers from its outcome (docs/rados.md, "ClientRequestToken").
// Test hook: CAIRN_RADOS_TEST_COMMIT_HOLD_MS=n in the environment makes the coordinator sleep n ms
// right after its commit point (before the apply), so a test can kill it there.
// Errors: Busy (a live transaction holds an item past the conflict wait; its key in
// WriteScope::ConflictKey()); IOError "changed meanwhile" (a guard on a value read failed:
// retryable 500, as a single-item write); other librados failures as the engine maps them.
// Thread safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <rados/librados.hpp>
#include <set>
#include <string>
#include <vector>

#include "storage/engine.h"
#include "storage/rados/rados_txn_record.h"
#include "util/status.h"

namespace cairn::storage::rados {

// The values read by GetSnapshotOf (engine key -> value, nullopt: absent).
class CapturedSnapshot final : public Snapshot {
 public:
  std::map<std::string, std::optional<std::string>> values;
};

// A ClientRequestToken's claim object held by this thread's request (rados_tokens.h): its name
// and its claim time (the claim's "cairn.at", which guards writes to it).
struct TokenRef {
  std::string object, at;
};
// The claim object's xattrs the transaction writes (rados_tokens.h reads them).
inline constexpr const char* kTokenTxnAttr = "cairn.txn";
inline constexpr const char* kTokenOutcomeAttr = "cairn.outcome";
inline constexpr const char* kTokenAtAttr = "cairn.at";

class Transactions {
 public:
  static constexpr int kLeaseSeconds = 10;

  // `conflict_wait`: how long a write waits for a live transaction's item (--conflict-wait).
  Transactions(librados::IoCtx* io, std::string server_id, std::chrono::milliseconds conflict_wait);

  // Runs a transaction's write: `changes` (no clears) and the guards `reads`, waiting up to
  // `hold_wait` for items held by live transactions; `token` (may be null) the request's claim.
  // OK: applied; Busy / IOError as above: nothing applied.
  Status Run(const Changes& changes, const Reads& reads, std::chrono::milliseconds hold_wait,
             const TokenRef* token = nullptr);
  std::chrono::milliseconds conflict_wait() const { return conflict_wait_; }

  // A guard on a value read failed: IOError, and WriteScope::MarkChanged() (the writer may read
  // and decide again).
  static Status ItemChanged();
  static bool IsDataKey(const std::string& omap_key) { return rados::IsDataKey(omap_key); }
  // Adds omap_cmp(intent == "") for every data omap key of `keys` to `op`.
  static void AddNoIntentGuards(const std::set<std::string>& data_keys,
                                librados::ObjectWriteOperation* op);

  enum class Held { kNone, kResolved, kHeld };
  // After a guarded op on `object` failed: reads the intents of `data_keys` there and finishes
  // the transactions they belong to when they are decided or abandoned, waiting up to
  // `conflict_wait` for live ones. kNone: no intent (the guard failed on a value); kResolved:
  // intents were there and are gone (retry the op); kHeld: a live transaction still holds one
  // (its engine key in WriteScope::ConflictKey()).
  Held Resolve(const std::string& object, const std::set<std::string>& data_keys,
               std::chrono::milliseconds conflict_wait);

  // Finishes the transactions in the ledger whose coordinator's lock lapsed (every renewal round).
  void Sweep();
  // Finishes transaction `id` if it is decided or abandoned (its coordinator's lock lapsed). True
  // when it is finished (or gone); false while it is live (or its record cannot be read).
  bool Settle(const std::string& id) { return Recover(id, false); }

  // TransactGetItems: `keys` (engine keys of column kData) by object -> values, read per object
  // with the object's version, then validated by an assert_version round; bounded retries.
  // A shard object found retired by a split (shard_splitter.h) goes into *retired (object ->
  // its state) and the answer is Aborted: the caller places the keys again and reads again.
  Result<std::unique_ptr<Snapshot>> ReadConsistent(
      const std::map<std::string, std::vector<std::string>>& keys_by_object,
      std::chrono::milliseconds conflict_wait, std::map<std::string, std::string>* retired);

  // This server's figures: transactions committed and cancelled, conflicts answered, records
  // of other servers finished, TransactGetItems rounds repeated. (Not exported yet.)
  struct Counters {
    uint64_t committed = 0, cancelled = 0, conflicts = 0, recovered = 0, read_retries = 0;
  };
  Counters counters() const;

 private:
  struct Record {
    std::string state, coord, token;  // token: the claim object of its ClientRequestToken
    Changes ops;
    IntentsByObject intents;
  };
  // Marks the claim object `token` of committed transaction `id` (guarded on the claim naming
  // it): OK also when the claim is gone or names another transaction.
  Status MarkCommitted(const std::string& token, const std::string& id);
  enum class Found { kRecord, kMissing, kError };
  Found ReadRecord(const std::string& id, Record* out);
  // Finishes a decided transaction: applies (commit) or only removes its intents.
  Status Finish(const std::string& id, const Record& r, bool commit);
  // Looks at the record of `id` and finishes it if decided or abandoned. True when finished (or
  // gone); false when it is live.
  bool Recover(const std::string& id, bool from_sweep);
  void RemoveRecord(const std::string& id);

  librados::IoCtx* io_;
  std::string server_;
  std::chrono::milliseconds conflict_wait_;
  std::chrono::milliseconds commit_hold_{0};  // CAIRN_RADOS_TEST_COMMIT_HOLD_MS
  std::atomic<uint64_t> next_{0};
  mutable std::atomic<uint64_t> committed_{0}, cancelled_{0}, conflicts_{0}, recovered_{0},
      read_retries_{0};
};

}  // namespace cairn::storage::rados
