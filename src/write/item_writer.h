// ItemWriter: the one place where "this item goes from OLD to NEW" becomes storage operations.
// Every writer of items goes through it: PutItem, UpdateItem, DeleteItem, BatchWriteItem,
// TransactWriteItems (api/), the Time to Live sweep (ttl/) and the index backfill (backfill/); so
// will PartiQL, restores, imports and replication.
//
// The sequence, written once (ItemWriter::Write, WriteMany and IndexItem below):
//   lock    the item's stripe (txn/lock_table.h), or all the stripes of a batch in one LockMany;
//   table   re-read the table's descriptor under the lock, so an index or stream added since the
//           request began is maintained too (its backfill takes the same lock);
//   read    the item as it is now (skipped for a blind write of a table with nothing to maintain);
//   decide  the caller's function checks its condition and says what the item becomes;
//   stage   the item, its LSI/GSI entries (index/index_entries.h), its stream record
//           (streams/stream_log.h) and, while point-in-time recovery is on, its change record
//           (storage/backup_keys.h: the item as it was, for a restore) into one batch;
//   commit  one atomic engine write; unlock.
// Invariants: between the read and the commit no other writer touches the item (in this process:
// the stripe lock; across servers sharing a RADOS pool: the commit is guarded on the values read,
// storage/write_scope.h, and fails with IOError if another server wrote one), so conditions are
// checked against exactly the item they replace; index entries and stream records are committed in
// the same atomic batch as the item, so an acknowledged write never leaves them behind; a
// multi-item write either commits every change or none (check all, then write all), except a
// batch (Waiting::kBatch) on an engine atomic per shard only, written shard by shard.
//
// The engine seam: Commit() is the only place that knows the staged changes go to one atomic
// batch. An engine that is atomic only within one shard (RADOS) implements it differently: the
// item, its LSI entries and stream record guarded in the shard's object, GSI entries through an
// outbox; nothing above this class changes.
//
// Errors (Status codes):
//   OK         written (or nothing to write: a delete of an absent item, a decision of kNone);
//   Aborted    a decide function returned false: nothing was written; the caller has its reason;
//   NotFound   the table was dropped (or dropped and re-created) since the caller looked it up;
//   Busy       a transaction held one of the items for longer than the conflict wait
//              (DynamoDB's TransactionConflict); nothing was written;
//   other      a storage failure; nothing was written.
// Thread safety: all methods may be called concurrently from any thread. A decide function runs
// with the item's stripe locked: it must not call back into the writer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/catalog.h"
#include "storage/engine.h"
#include "storage/write_scope.h"
#include "streams/stream_log.h"
#include "txn/lock_table.h"
#include "types/attribute_value.h"
#include "util/status.h"
#include "write/request_tokens.h"

namespace cairn::write {

// What a write does to one item; decided by the caller with the item as it is.
struct Change {
  enum class Kind : uint8_t { kNone, kPut, kDelete };
  Kind kind = Kind::kNone;
  const Item* new_item = nullptr;  // kPut: owned by the caller, alive until the write returns
  bool by_service = false;         // a deletion by Time to Live: its stream record says so
};

// Whether a write needs the item as it was. kIfMaintained: only when the table (as it is under the
// lock) has indexes or a stream, which need it; a blind PutItem or DeleteItem then reads nothing,
// and its decide function sees the item as absent.
enum class ReadOld : uint8_t { kAlways, kIfMaintained };

// How a write waits for the items' locks.
enum class Waiting : uint8_t {
  kWrite,        // a single-item write: fails with Busy when a transaction holds the item
  kBatch,        // BatchWriteItem, TTL, backfill: waits for whoever holds the items
  kTransaction,  // TransactWriteItems: marks the stripes it holds; Busy as for kWrite
};

// One item of a multi-item write.
struct Target {
  std::shared_ptr<const storage::TableInfo> table;  // as the request saw it
  std::string key;                                  // the item's storage key
};

// The item stored under `key`, or nullopt. Reads take no locks.
Result<std::optional<Item>> ReadItem(storage::Engine& engine, std::string_view key,
                                     const storage::Snapshot* snapshot = nullptr);
// ReadItem of every key, read at once (Engine::MultiGet: in parallel on RADOS); not atomic.
std::vector<Result<std::optional<Item>>> ReadItems(storage::Engine& engine,
                                                   const std::vector<std::string>& keys);

class ItemWriter {
 public:
  struct Options {
    // How long a write waits for an item that a transaction holds (--conflict-wait).
    std::chrono::microseconds conflict_wait{100000};
    // Called while a transaction holds its locks, before it reads (tests only: the hidden
    // --test-transaction-hold flag sets it to make "a transaction is ongoing" observable).
    std::function<void()> on_transaction_locked;
  };

  // `streams` may be null (no stream log: tests of lower layers).
  ItemWriter(storage::Engine* engine, storage::Catalog* catalog, txn::LockTable* locks,
             streams::StreamLog* streams, Options options)
      : engine_(engine),
        catalog_(catalog),
        locks_(locks),
        streams_(streams),
        options_(std::move(options)) {
    if (engine_) tokens_.Share(engine_->SharedRequestTokens());
  }

  // One item: lock, re-read the table, read the item (as `read` says), `decide`, stage, commit.
  // `decide(const storage::TableInfo& current, const Item* old, Change* change) -> bool`; false
  // aborts (Aborted). `old_out` receives the item as it was (nullopt: absent or not read).
  template <typename Decide>
  Status Write(const storage::TableInfo& table, std::string_view key, ReadOld read,
               std::optional<Item>* old_out, Decide&& decide);

  // Several items, atomically: lock every stripe at once (ascending order: no deadlock), then for
  // each target in order re-read its table and its item and call
  // `decide(size_t k, const storage::TableInfo& current, const Item* old, Change* change) -> bool`
  // for every target, even after one returned false (so a transaction reports every reason); if
  // any returned false nothing is written (Aborted). `olds` receives each item as it was.
  // With kTransaction or kWrite, Busy leaves the conflicting stripe in *conflict_stripe.
  // With kBatch (BatchWriteItem, not atomic in DynamoDB) an engine atomic per shard only may
  // write the items shard by shard (storage/write_scope.h, MarkBatch): when it fails after
  // writing some (WriteScope::Written), the next attempt reads, decides and writes only the
  // others; a failure returned at the end may leave some items written.
  template <typename Decide>
  Status WriteMany(const std::vector<Target>& targets, Waiting waiting, ReadOld read,
                   std::vector<std::optional<Item>>* olds, Decide&& decide,
                   size_t* conflict_stripe = nullptr);

  // The backfill of a new index: puts the entry of the item under `key` into index `index_id` of
  // `table` only (the other indexes are maintained by the writes themselves), under the item's
  // lock, with the item as it is now. OK when the item is gone meanwhile; NotFound when the table
  // or the index was dropped meanwhile (the backfill then stops).
  Status IndexItem(const storage::TableInfo& table, uint32_t index_id, std::string_view key);

  // A consistent view of several items, as TransactGetItems needs: waits until no transaction
  // holds any of them (Busy after the conflict wait, the stripe in *conflict_stripe), then takes
  // a snapshot. Since every multi-item write is one atomic batch, the snapshot never shows half.
  Result<std::unique_ptr<storage::Snapshot>> SnapshotOf(const std::vector<Target>& targets,
                                                        size_t* conflict_stripe);

  // The lock hash of an item: what every writer of the item locks. Its stripe is
  // txn::LockTable::StripeOf(LockHash(key)).
  static uint64_t LockHash(std::string_view key);
  // How many times a write reads and decides again when its guarded commit found an item changed
  // by another server (storage/write_scope.h); then the engine's error (a retryable 500).
  static constexpr int kAttempts = 8;

  // Returns once every write that was in progress when it was called has committed or given up:
  // each write after it re-reads the table's descriptor under its lock, so it sees every catalog
  // change published before the call (point-in-time recovery turned on logs all later writes).
  void WaitForWritesInProgress() { locks_->WaitForHolders(); }

  // ClientRequestToken records of TransactWriteItems (write/request_tokens.h).
  RequestTokens& tokens() { return tokens_; }
  storage::Engine& engine() { return *engine_; }

 private:
  // The descriptor of `table` as it is now; nullptr when it was dropped (or re-created).
  std::shared_ptr<const storage::TableInfo> CurrentTable(const storage::TableInfo& table) const;
  // True when a change to an item of `t` needs the item as it was.
  static bool NeedsOld(const storage::TableInfo& t, ReadOld read);
  // Adds one item's change to the batch: the item, its index entries, its stream record.
  static void Stage(const std::shared_ptr<const storage::TableInfo>& table, std::string_view key,
                    const Item* old_item, const Change& change, storage::WriteBatch* batch,
                    streams::PendingRecords* pending);
  // Adds the point-in-time recovery change record of a write to the batch (PITR on).
  static void StageChangeRecord(uint32_t table_id, std::string_view key, const Item* old_item,
                                storage::WriteBatch* batch);
  // Writes the staged batch and stream records atomically.
  Status Commit(storage::WriteBatch* batch, const streams::PendingRecords& pending);
  std::optional<txn::LockTable::Guard> LockAll(const std::vector<Target>& targets, Waiting waiting,
                                               size_t* conflict_stripe);

  storage::Engine* engine_;
  storage::Catalog* catalog_;
  txn::LockTable* locks_;
  streams::StreamLog* streams_;
  Options options_;
  RequestTokens tokens_;
};

// --- templates ---

template <typename Decide>
Status ItemWriter::Write(const storage::TableInfo& table, std::string_view key, ReadOld read,
                         std::optional<Item>* old_out, Decide&& decide) {
  auto guard = locks_->TryLock(LockHash(key), options_.conflict_wait);
  if (!guard) return Status::Busy("a transaction holds the item");
  storage::WriteScope scope;  // the commit is guarded on the read (engines shared by servers)
  for (int attempt = 1;; ++attempt) {
    storage::WriteScope::TakeChanged();
    auto current = CurrentTable(table);
    if (!current) return Status::NotFound("table dropped");
    const bool reads = NeedsOld(*current, read);
    if (reads) {
      auto old = ReadItem(*engine_, key);
      if (!old.ok()) return old.status();
      *old_out = std::move(old).value();
    }
    const Item* before = old_out->has_value() ? &**old_out : nullptr;
    Change change;
    if (!decide(*current, before, &change))
      return Status::Aborted();
    // Known to be absent: nothing to delete, and no stream record for it.
    if (reads && !before && change.kind == Change::Kind::kDelete) change.kind = Change::Kind::kNone;
    if (change.kind == Change::Kind::kNone) return Status::OK();
    storage::WriteBatch batch;
    streams::PendingRecords pending;
    Stage(current, key, before, change, &batch, &pending);
    Status s = Commit(&batch, pending);
    // Another server wrote the item between our read and commit: read and decide again.
    if (!storage::WriteScope::TakeChanged() || attempt >= kAttempts) return s;
  }
}

template <typename Decide>
Status ItemWriter::WriteMany(const std::vector<Target>& targets, Waiting waiting, ReadOld read,
                             std::vector<std::optional<Item>>* olds, Decide&& decide,
                             size_t* conflict_stripe) {
  auto guard = LockAll(targets, waiting, conflict_stripe);
  if (!guard) return Status::Busy("a transaction holds an item");
  storage::WriteScope scope;  // the commit is guarded on the reads (engines shared by servers)
  // A batch may be written shard by shard (storage/write_scope.h): the items an attempt wrote
  // are done; a later attempt reads, decides and writes only the others.
  if (waiting == Waiting::kBatch) storage::WriteScope::MarkBatch();
  if (waiting == Waiting::kTransaction) {
    storage::WriteScope::MarkTransaction(&options_.on_transaction_locked);
    if (options_.on_transaction_locked && !engine_->PreparesTransactions())
      options_.on_transaction_locked();
  }
  const size_t n = targets.size();
  std::vector<bool> done(n, false);  // written by an earlier attempt (a batch, shard by shard)
  olds->assign(n, std::nullopt);
  for (int attempt = 1;; ++attempt) {
    storage::WriteScope::TakeChanged();
    storage::WriteScope::ConflictKey().clear();
    storage::WriteScope::Written().clear();
    std::vector<std::shared_ptr<const storage::TableInfo>> current(n);
    std::vector<Change> changes(n);
    bool refused = false;
    for (size_t k = 0; k < n; ++k) {
      if (done[k]) continue;
      (*olds)[k] = std::nullopt;
      current[k] = CurrentTable(*targets[k].table);
      if (!current[k]) return Status::NotFound("table dropped");
      const bool reads = NeedsOld(*current[k], read);
      if (reads) {
        auto old = ReadItem(*engine_, targets[k].key);
        if (!old.ok()) return old.status();
        (*olds)[k] = std::move(old).value();
      }
      const Item* before = (*olds)[k] ? &*(*olds)[k] : nullptr;
      if (!decide(k, *current[k], before, &changes[k]))
        refused = true;
      if (reads && !before && changes[k].kind == Change::Kind::kDelete)
        changes[k].kind = Change::Kind::kNone;
    }
    if (refused) return Status::Aborted();
    storage::WriteBatch batch;
    streams::PendingRecords pending;
    for (size_t k = 0; k < n; ++k) {
      if (changes[k].kind == Change::Kind::kNone) continue;
      Stage(current[k], targets[k].key, (*olds)[k] ? &*(*olds)[k] : nullptr, changes[k], &batch,
            &pending);
    }
    if (batch.empty() && pending.changes.empty()) return Status::OK();
    Status s = Commit(&batch, pending);
    // Another server's transaction holds an item (engines shared by servers name it).
    if (s.IsBusy() && conflict_stripe && !storage::WriteScope::ConflictKey().empty())
      *conflict_stripe = txn::LockTable::StripeOf(LockHash(storage::WriteScope::ConflictKey()));
    if (waiting == Waiting::kBatch && !s.ok())
      for (size_t k = 0; k < n; ++k)
        if (storage::WriteScope::Written().count(targets[k].key)) done[k] = true;
    // Another server wrote an item between our reads and commit: read and decide again.
    if (!storage::WriteScope::TakeChanged() || attempt >= kAttempts) return s;
  }
}

}  // namespace cairn::write
