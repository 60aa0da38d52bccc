#include "backfill/backfill.h"

#include <spdlog/spdlog.h>

#include "storage/key_encoding.h"

namespace cairn::backfill {

void Backfiller::Start(std::shared_ptr<const storage::TableInfo> table, uint32_t index_id) {
  std::lock_guard lock(mu_);
  if (stop_.load()) return;
  running_.fetch_add(1, std::memory_order_relaxed);
  threads_.emplace_back([this, table = std::move(table), index_id] {
    Run(table, index_id);
    running_.fetch_sub(1, std::memory_order_relaxed);
  });
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
  const storage::IndexInfo* index = nullptr;
  for (const auto& x : table->indexes)
    if (x.id == index_id) index = &x;
  if (!index) return;
  const auto started = std::chrono::steady_clock::now();

  storage::ReadOptions ro;
  ro.lower_bound = storage::TablePrefix(table->id);
  ro.upper_bound = storage::TableEnd(table->id);
  auto it = engine_->NewIterator(storage::Column::kData, ro);
  size_t items = 0;
  for (it->Seek(ro.lower_bound); it->Valid() && !stop_.load(); it->Next()) {
    Status s = writer_->IndexItem(*table, index_id, it->key());
    if (s.IsNotFound()) return;  // the index or its table was dropped: nothing left to build
    if (!s.ok()) {
      spdlog::error("backfill of {}: {}", index->name, s.ToString());
      return;
    }
    ++items;
    items_indexed_.fetch_add(1, std::memory_order_relaxed);
  }
  if (stop_.load() || !it->status().ok()) return;  // resumed at the next start
  while (std::chrono::steady_clock::now() - started < min_duration_) {
    if (stop_.load()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Status s = catalog_->Modify(table->ns, table->name, table->id, [index_id](storage::TableInfo& t) {
    for (auto& x : t.indexes)
      if (x.id == index_id) x.backfilling = false;
    return Status::OK();
  });
  if (!s.ok() && !s.IsNotFound()) spdlog::error("backfill: {}", s.ToString());
  spdlog::info("backfilled index {} of {} ({} items)", index->name, table->name, items);
}

}  // namespace cairn::backfill
