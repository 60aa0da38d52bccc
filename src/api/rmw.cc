#include "api/rmw.h"

#include "index/backfill.h"
#include "index/index_entries.h"
#include "storage/key_encoding.h"
#include "types/binary_codec.h"

namespace cairn::api {

uint64_t LockHash(uint32_t table_id, std::string_view key) {
  (void)table_id;  // the key starts with the table id already
  return index::ItemLockHash(key);  // the index backfill locks items the same way
}

Result<std::optional<Item>> ReadItem(ServerContext& server, std::string_view key) {
  std::string value;
  Status s = server.engine->Get(storage::Column::kData, key, &value);
  if (s.IsNotFound()) return std::optional<Item>();
  if (!s.ok()) return s;
  auto item = cairn::DecodeItem(value);
  if (!item.ok()) return item.status();
  return std::optional<Item>(std::move(item).value());
}

Status CommitBatch(ServerContext& server, storage::WriteBatch* batch,
                   const std::shared_ptr<const storage::TableInfo>& table, const Item* old_item,
                   const Item* new_item) {
  if (!server.streams) return server.engine->Write(*batch);
  streams::PendingRecords pending;
  streams::StreamLog::Add(table, old_item, new_item, false, &pending);
  return server.streams->Commit(batch, pending);
}

std::shared_ptr<const storage::TableInfo> CurrentTable(ServerContext& server,
                                                       const storage::TableInfo& table) {
  auto current = server.catalog->Find(table.ns, table.name);
  if (!current || current->id != table.id) return nullptr;
  return current;
}

Status ApplyDecision(ServerContext& server,
                     const std::shared_ptr<const storage::TableInfo>& current,
                     const std::string& key, const Item* old_item, const WriteDecision& d) {
  storage::WriteBatch batch;
  const Item* new_item = nullptr;
  if (d.kind == WriteDecision::Kind::kPut) {
    std::string value;
    cairn::EncodeItem(*d.new_item, &value);
    batch.Put(storage::Column::kData, key, value);
    new_item = d.new_item;
  } else {
    batch.Delete(storage::Column::kData, key);
  }
  if (!current->indexes.empty()) index::AddIndexUpdates(*current, old_item, new_item, &batch);
  return CommitBatch(server, &batch, current, old_item, new_item);
}

}  // namespace cairn::api
