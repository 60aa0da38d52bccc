#include "write/item_writer.h"

#include <atomic>
#include <chrono>

#include "index/index_entries.h"
#include "storage/backup_keys.h"
#include "storage/key_encoding.h"
#include "types/binary_codec.h"

namespace cairn::write {

Result<std::optional<Item>> ReadItem(storage::Engine& engine, std::string_view key,
                                     const storage::Snapshot* snapshot) {
  std::string value;
  Status s = engine.Get(storage::Column::kData, key, &value, snapshot);
  if (s.IsNotFound()) return std::optional<Item>();
  if (!s.ok()) return s;
  auto item = DecodeItem(value);
  if (!item.ok()) return item.status();
  return std::optional<Item>(std::move(item).value());
}

std::vector<Result<std::optional<Item>>> ReadItems(storage::Engine& engine,
                                                   const std::vector<std::string>& keys) {
  std::vector<std::string> values;
  std::vector<Status> statuses = engine.MultiGet(storage::Column::kData, keys, &values);
  std::vector<Result<std::optional<Item>>> items;
  items.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      items.emplace_back(std::optional<Item>());
    } else if (!statuses[i].ok()) {
      items.emplace_back(statuses[i]);
    } else {
      auto item = DecodeItem(values[i]);
      if (item.ok()) {
        items.emplace_back(std::optional<Item>(std::move(item).value()));
      } else {
        items.emplace_back(item.status());
      }
    }
  }
  return items;
}

// XXH3 of the whole storage key (table id, partition key, sort key): each item its own stripe.
uint64_t ItemWriter::LockHash(std::string_view key) { return storage::PartitionHash(key); }

std::shared_ptr<const storage::TableInfo> ItemWriter::CurrentTable(
    const storage::TableInfo& table) const {
  auto current = catalog_->Find(table.ns, table.name);
  if (!current || current->id != table.id) return nullptr;
  return current;
}

bool ItemWriter::NeedsOld(const storage::TableInfo& t, ReadOld read) {
  return read == ReadOld::kAlways || !t.indexes.empty() || t.stream_enabled ||
         t.pitr_enabled_time != 0;
}

void ItemWriter::Stage(const std::shared_ptr<const storage::TableInfo>& table,
                       std::string_view key, const Item* old_item, const Change& change,
                       storage::WriteBatch* batch, streams::PendingRecords* pending) {
  const Item* new_item = nullptr;
  if (change.kind == Change::Kind::kPut) {
    std::string value;
    EncodeItem(*change.new_item, &value);
    batch->Put(storage::Column::kData, key, value);
    new_item = change.new_item;
  } else {
    batch->Delete(storage::Column::kData, key);
  }
  // The item's index ops right after its own op: the RADOS engine takes the GSI ops that follow
  // an item op as that item's (storage/rados/gsi_outbox.h).
  if (!table->indexes.empty()) index::AddIndexUpdates(*table, old_item, new_item, batch);
  if (table->pitr_enabled_time != 0) StageChangeRecord(table->id, key, old_item, batch);
  streams::StreamLog::Add(table, old_item, new_item, change.by_service, pending);
}

// Point-in-time recovery's undo record of one write (storage/backup_keys.h): the item as it was,
// stamped now. Staged under the item's lock, so one item's records are in commit order.
void ItemWriter::StageChangeRecord(uint32_t table_id, std::string_view key, const Item* old_item,
                                   storage::WriteBatch* batch) {
  static std::atomic<uint64_t> sequence{0};
  const uint64_t now_us = uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  std::string old_bytes;
  if (old_item) EncodeItem(*old_item, &old_bytes);
  batch->Put(storage::Column::kBackup,
             storage::ChangeRecordKey(table_id, now_us, sequence.fetch_add(1)),
             storage::ChangeRecordValue(key, old_item ? &old_bytes : nullptr));
}

Status ItemWriter::Commit(storage::WriteBatch* batch, const streams::PendingRecords& pending) {
  if (!streams_) return engine_->Write(*batch);
  return streams_->Commit(batch, pending);
}

std::optional<txn::LockTable::Guard> ItemWriter::LockAll(const std::vector<Target>& targets,
                                                         Waiting waiting,
                                                         size_t* conflict_stripe) {
  std::vector<uint64_t> hashes;
  hashes.reserve(targets.size());
  for (const Target& t : targets) hashes.push_back(LockHash(t.key));
  if (waiting == Waiting::kBatch) return locks_->LockMany(std::move(hashes));
  const auto holder = waiting == Waiting::kTransaction ? txn::LockTable::Holder::kTransaction
                                                       : txn::LockTable::Holder::kWrite;
  return locks_->TryLockMany(std::move(hashes), holder, options_.conflict_wait, conflict_stripe);
}

Status ItemWriter::IndexItem(const storage::TableInfo& table, uint32_t index_id,
                             std::string_view key) {
  auto guard = locks_->Lock(LockHash(key));
  storage::WriteScope scope;
  // Under the lock, the table as it is now: an index dropped (or a table deleted) meanwhile gets no
  // more entries.
  auto current = CurrentTable(table);
  if (!current) return Status::NotFound("table dropped");
  const storage::IndexInfo* index = nullptr;
  for (const auto& x : current->indexes)
    if (x.id == index_id) index = &x;
  if (!index) return Status::NotFound("index dropped");
  auto item = ReadItem(*engine_, key);
  if (!item.ok()) return item.status();
  if (!item->has_value()) return Status::OK();  // deleted since the caller saw it
  // Only the index being built: the others are maintained by the writes themselves.
  storage::WriteBatch batch;
  index::AddIndexUpdate(*index, *current, nullptr, &**item, &batch);
  if (batch.empty()) return Status::OK();
  return engine_->Write(batch);
}

Result<std::unique_ptr<storage::Snapshot>> ItemWriter::SnapshotOf(
    const std::vector<Target>& targets, size_t* conflict_stripe) {
  auto guard = LockAll(targets, Waiting::kWrite, conflict_stripe);
  if (!guard) return Status::Busy("a transaction holds an item");
  std::vector<std::string> keys;
  for (const Target& t : targets) keys.push_back(t.key);
  storage::WriteScope::ConflictKey().clear();
  auto snapshot = engine_->GetSnapshotOf(storage::Column::kData, keys);
  if (!snapshot.ok() && snapshot.status().IsBusy() && conflict_stripe &&
      !storage::WriteScope::ConflictKey().empty())
    *conflict_stripe = txn::LockTable::StripeOf(LockHash(storage::WriteScope::ConflictKey()));
  return snapshot;
}

}  // namespace cairn::write
