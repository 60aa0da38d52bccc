// A table at a past time, from its change log: see point_in_time.h.
#include "backup/point_in_time.h"

#include <cmath>

#include "storage/backup_keys.h"
#include "storage/key_encoding.h"
#include "util/big_endian.h"

namespace cairn::backup {

uint64_t MicrosOf(double epoch_seconds) {
  return epoch_seconds <= 0 ? 0 : uint64_t(std::llround(epoch_seconds * 1e6));
}

Result<ItemChanges> ChangesBetween(storage::Engine& engine, const storage::Snapshot* snapshot,
                                   uint32_t table_id, uint64_t after_us, uint64_t until_us) {
  ItemChanges changes;
  if (after_us == std::numeric_limits<uint64_t>::max() || until_us <= after_us + 1)
    return changes;
  storage::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.lower_bound = storage::ChangeRecordBound(table_id, after_us + 1);
  ro.upper_bound = until_us == std::numeric_limits<uint64_t>::max()
                       ? storage::TableEnd(table_id)
                       : storage::ChangeRecordBound(table_id, until_us);
  auto it = engine.NewIterator(storage::Column::kBackup, ro);
  for (it->Seek(ro.lower_bound); it->Valid(); it->Next()) {
    if (storage::SchemaRecordTable(it->value())) continue;  // the table's, not an item's
    auto r = storage::DecodeChangeRecord(it->value());
    const std::string_view key = it->key();
    if (!r || key.size() < 12) return Status::Corruption("malformed change record");
    const uint64_t stamp = ReadBigEndian64(key.substr(4));
    // Records of one item are in commit order: the first one holds its before-image.
    auto [entry, first] = changes.try_emplace(std::string(r->item_key));
    if (first && r->old_bytes) entry->second.before = std::string(*r->old_bytes);
    entry->second.last_write_us = stamp;
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  return changes;
}

Result<storage::TableInfo> TableInfoAt(storage::Engine& engine, const storage::Snapshot* snapshot,
                                       const storage::TableInfo& current, uint64_t at_us) {
  if (at_us == std::numeric_limits<uint64_t>::max()) return current;
  storage::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.lower_bound = storage::ChangeRecordBound(current.id, at_us + 1);
  ro.upper_bound = storage::TableEnd(current.id);
  auto it = engine.NewIterator(storage::Column::kBackup, ro);
  for (it->Seek(ro.lower_bound); it->Valid(); it->Next()) {
    auto bytes = storage::SchemaRecordTable(it->value());
    if (!bytes) continue;
    auto then = storage::DecodeTableInfo(*bytes);
    if (!then.ok()) return Status::Corruption("malformed schema record: " + then.status().ToString());
    return std::move(then).value();
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  return current;
}

Result<ChangeLogSize> MeasureChangeLog(storage::Engine& engine, uint32_t table_id) {
  ChangeLogSize size;
  storage::ReadOptions ro;
  ro.lower_bound = storage::TablePrefix(table_id);
  ro.upper_bound = storage::TableEnd(table_id);
  auto it = engine.NewIterator(storage::Column::kBackup, ro);
  for (it->Seek(ro.lower_bound); it->Valid(); it->Next()) {
    ++size.records;
    size.bytes += int64_t(it->key().size() + it->value().size());
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  return size;
}

Status ForEachItemAt(
    storage::Engine& engine, const storage::Snapshot* snapshot, uint32_t table_id, uint64_t at_us,
    const std::function<Status(std::string_view key, std::string_view bytes)>& fn) {
  CAIRN_ASSIGN_OR_RETURN(ItemChanges undo, ChangesBetween(engine, snapshot, table_id, at_us));
  storage::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.lower_bound = storage::TablePrefix(table_id);
  ro.upper_bound = storage::TableEnd(table_id);
  auto it = engine.NewIterator(storage::Column::kData, ro);
  for (it->Seek(ro.lower_bound); it->Valid(); it->Next()) {
    if (!undo.empty() && undo.count(std::string(it->key()))) continue;  // rebuilt below
    CAIRN_RETURN_IF_ERROR(fn(it->key(), it->value()));
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  for (const auto& [key, change] : undo)
    if (change.before) CAIRN_RETURN_IF_ERROR(fn(key, *change.before));
  return Status::OK();
}

Status ForEachChangeBetween(storage::Engine& engine, const storage::Snapshot* snapshot,
                            uint32_t table_id, uint64_t from_us, uint64_t to_us,
                            const std::function<Status(const NetChange& change)>& fn) {
  if (from_us == 0 || to_us <= from_us) return Status::OK();
  // The items written in [from, to), each with its before-image at from...
  CAIRN_ASSIGN_OR_RETURN(ItemChanges period,
                         ChangesBetween(engine, snapshot, table_id, from_us - 1, to_us));
  // ...and those written again at or after `to`, with their image at `to`.
  CAIRN_ASSIGN_OR_RETURN(ItemChanges later,
                         ChangesBetween(engine, snapshot, table_id, to_us - 1));
  std::optional<std::string> now;
  for (const auto& [key, change] : period) {
    const std::optional<std::string>* after;
    if (auto l = later.find(key); l != later.end()) {
      after = &l->second.before;
    } else {
      std::string bytes;
      Status s = engine.Get(storage::Column::kData, key, &bytes, snapshot);
      if (s.IsNotFound()) {
        now.reset();
      } else {
        CAIRN_RETURN_IF_ERROR(s);
        now = std::move(bytes);
      }
      after = &now;
    }
    if (!change.before && !*after) continue;  // created and deleted in the period
    CAIRN_RETURN_IF_ERROR(fn(NetChange{key, &change.before, after, change.last_write_us}));
  }
  return Status::OK();
}

}  // namespace cairn::backup
