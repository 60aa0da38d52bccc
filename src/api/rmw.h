// ReadModifyWrite: the logic every single-item write shares (PutItem, UpdateItem, DeleteItem; the
// batch and transaction writes later): lock the item's stripe, read the current item, let the
// operation decide (check its condition, compute the new item), write one atomic batch, unlock.
// Invariant: between the read and the write no other writer touches the item (the stripe lock), so
// conditions are checked against exactly the item they replace. Reads take no locks.
#pragma once

#include <optional>
#include <string>

#include "api/context.h"
#include "storage/catalog.h"
#include "types/attribute_value.h"

namespace cairn::api {

struct WriteDecision {
  enum class Kind { kNone, kPut, kDelete };
  Kind kind = Kind::kNone;
  Item new_item;  // for kPut
};

// `decide(const Item* old, WriteDecision* decision)` returns an OpResult: an error aborts with
// nothing written. `old_item` receives the item as it was (nullopt if absent).
template <typename Decide>
OpResult ReadModifyWrite(ServerContext& server, const storage::TableInfo& table,
                         const std::string& key, std::optional<Item>* old_item, Decide&& decide);

// Non-template parts.
uint64_t LockHash(uint32_t table_id, std::string_view key);
Result<std::optional<Item>> ReadItem(ServerContext& server, std::string_view key);
Status ApplyDecision(ServerContext& server, const std::string& key, const WriteDecision& d);

template <typename Decide>
OpResult ReadModifyWrite(ServerContext& server, const storage::TableInfo& table,
                         const std::string& key, std::optional<Item>* old_item, Decide&& decide) {
  auto guard = server.locks->Lock(LockHash(table.id, key));
  auto old = ReadItem(server, key);
  if (!old.ok()) return ApiError::FromStatus(old.status());
  WriteDecision d;
  OpResult r = decide(old->has_value() ? &**old : nullptr, &d);
  *old_item = std::move(*old);
  if (r) return r;
  if (d.kind == WriteDecision::Kind::kNone) return std::nullopt;
  Status s = ApplyDecision(server, key, d);
  if (!s.ok()) return ApiError::FromStatus(s);
  return std::nullopt;
}

}  // namespace cairn::api
