// ReadModifyWrite: the logic every single-item write shares (PutItem, UpdateItem, DeleteItem; the
// batch and transaction writes later): lock the item's stripe, read the current item, let the
// operation decide (check its condition, compute the new item), write one atomic batch, unlock.
// Invariant: between the read and the write no other writer touches the item (the stripe lock), so
// conditions are checked against exactly the item they replace. Reads take no locks.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "api/context.h"
#include "storage/catalog.h"
#include "types/attribute_value.h"

namespace cairn::api {

struct WriteDecision {
  enum class Kind { kNone, kPut, kDelete };
  Kind kind = Kind::kNone;
  const Item* new_item = nullptr;  // for kPut: owned by the caller, alive until the write is done
};

// Whether the operation needs the item as it was. kIfMaintained: only if the table (as it is under
// the lock) has indexes or a stream, which need it; a blind PutItem or DeleteItem then reads
// nothing, and `decide` and `old_item` see the item as absent.
enum class OldItem { kRead, kIfMaintained };

// `decide(const Item* old, WriteDecision* decision)` returns an OpResult: an error aborts with
// nothing written. `old_item` receives the item as it was (nullopt if absent or not read).
template <typename Decide>
OpResult ReadModifyWrite(ServerContext& server, const storage::TableInfo& table,
                         const std::string& key, std::optional<Item>* old_item, Decide&& decide,
                         OldItem need = OldItem::kRead);

// Non-template parts.
inline constexpr const char* kTransactionOngoing = "Transaction is ongoing for the item";
// How long a write waits for a transaction holding its item (--conflict-wait).
inline std::chrono::microseconds ConflictWait(const ServerContext& server) {
  return std::chrono::microseconds(static_cast<int64_t>(server.config.conflict_wait_ms * 1000));
}
uint64_t LockHash(uint32_t table_id, std::string_view key);
Result<std::optional<Item>> ReadItem(ServerContext& server, std::string_view key);
// The table's descriptor as it is now; nullptr if it was dropped (or dropped and re-created) since
// `table` was read. Called under the item's lock, so that an index added since the request began
// (UpdateTable) is maintained too (its backfill takes the same lock).
std::shared_ptr<const storage::TableInfo> CurrentTable(ServerContext& server,
                                                       const storage::TableInfo& table);
// Writes the decision and the index entries it changes in one batch, for `current` (from
// CurrentTable). REQUIRES: the item's stripe is locked.
Status ApplyDecision(ServerContext& server,
                     const std::shared_ptr<const storage::TableInfo>& current,
                     const std::string& key, const Item* old_item, const WriteDecision& d);

// Writes `batch` (one item's change, with its index entries) and the item's stream record.
Status CommitBatch(ServerContext& server, storage::WriteBatch* batch,
                   const std::shared_ptr<const storage::TableInfo>& table, const Item* old_item,
                   const Item* new_item);

template <typename Decide>
OpResult ReadModifyWrite(ServerContext& server, const storage::TableInfo& table,
                         const std::string& key, std::optional<Item>* old_item, Decide&& decide,
                         OldItem need) {
  auto guard = server.locks->TryLock(LockHash(table.id, key), ConflictWait(server));
  if (!guard) return ApiError::TransactionConflict(kTransactionOngoing);
  auto current = CurrentTable(server, table);
  if (!current) return ApiError::ResourceNotFound();
  const bool read =
      need == OldItem::kRead || !current->indexes.empty() || current->stream_enabled;
  if (read) {
    auto old = ReadItem(server, key);
    if (!old.ok()) return ApiError::FromStatus(old.status());
    *old_item = std::move(*old);
  }
  WriteDecision d;
  const Item* before = old_item->has_value() ? &**old_item : nullptr;
  OpResult r = decide(before, &d);
  // Known to be absent: nothing to delete (and no stream record for it).
  if (read && !before && d.kind == WriteDecision::Kind::kDelete)
    d.kind = WriteDecision::Kind::kNone;
  if (!r && d.kind != WriteDecision::Kind::kNone) {
    Status s = ApplyDecision(server, current, key, before, d);
    if (!s.ok()) r = ApiError::FromStatus(s);
  }
  return r;
}

}  // namespace cairn::api
