#include "index/backfill.h"

#include <spdlog/spdlog.h>

#include "index/index_entries.h"
#include "storage/key_encoding.h"
#include "types/binary_codec.h"

namespace cairn::index {

uint64_t ItemLockHash(std::string_view storage_key) { return storage::PartitionHash(storage_key); }

void Backfiller::Start(std::shared_ptr<const storage::TableInfo> table, uint32_t index_id) {
  std::lock_guard lock(mu_);
  if (stop_.load()) return;
  threads_.emplace_back([this, table = std::move(table), index_id] { Run(table, index_id); });
}

void Backfiller::ResumeAll() {
  for (const auto& t : catalog_->TablesBackfilling())
    for (const auto& x : t->indexes)
      if (x.backfilling) Start(t, x.id);
}

void Backfiller::Stop() {
  stop_.store(true);
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    threads.swap(threads_);
  }
  for (auto& t : threads)
    if (t.joinable()) t.join();
}

void Backfiller::Run(std::shared_ptr<const storage::TableInfo> table, uint32_t index_id) {
  // Only the index being built: the others are maintained by the writers already.
  storage::TableInfo one = *table;
  one.indexes.clear();
  for (const auto& x : table->indexes)
    if (x.id == index_id) one.indexes.push_back(x);
  if (one.indexes.empty()) return;

  storage::ReadOptions ro;
  ro.lower_bound = storage::TablePrefix(table->id);
  ro.upper_bound = storage::TableEnd(table->id);
  auto it = engine_->NewIterator(storage::Column::kData, ro);
  size_t items = 0;
  for (it->Seek(ro.lower_bound); it->Valid() && !stop_.load(); it->Next()) {
    std::string key(it->key());
    auto guard = locks_->Lock(ItemLockHash(key));
    std::string value;
    Status s = engine_->Get(storage::Column::kData, key, &value);
    if (s.IsNotFound()) continue;  // deleted since the walk saw it
    if (!s.ok()) {
      spdlog::error("backfill of {}: {}", one.indexes[0].name, s.ToString());
      return;
    }
    auto item = DecodeItem(value);
    if (!item.ok()) continue;
    storage::WriteBatch batch;
    AddIndexUpdates(one, nullptr, &*item, &batch);
    if (!batch.empty()) {
      s = engine_->Write(batch);
      if (!s.ok()) {
        spdlog::error("backfill of {}: {}", one.indexes[0].name, s.ToString());
        return;
      }
    }
    ++items;
  }
  if (stop_.load() || !it->status().ok()) return;  // resumed at the next start
  Status s = catalog_->Modify(table->ns, table->name, table->id, [index_id](storage::TableInfo& t) {
    for (auto& x : t.indexes)
      if (x.id == index_id) x.backfilling = false;
  });
  if (!s.ok() && !s.IsNotFound()) spdlog::error("backfill: {}", s.ToString());
  spdlog::info("backfilled index {} of {} ({} items)", one.indexes[0].name, table->name, items);
}

}  // namespace cairn::index
