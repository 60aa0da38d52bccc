// Backfiller: builds a global secondary index added to an existing table (UpdateTable), on a
// background thread, while the table stays writable.
//
// How it stays correct: the index is published in the catalog (IndexStatus CREATING, Backfilling)
// before the backfill starts, so every write from then on maintains it (the item writer reads the
// descriptor under the item's lock). The backfill walks the table and, for each item, has the
// item writer put its entry (ItemWriter::IndexItem: under the item's lock, with the item as it is
// now); a write before or after that moment leaves the same entry. When the walk ends, the index becomes ACTIVE. An interrupted
// backfill (shutdown, crash) starts over at the next start; putting an entry twice is harmless.
// Thread safety: Start() may be called from any thread; Stop() joins every backfill.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/catalog.h"
#include "storage/engine.h"
#include "write/item_writer.h"

namespace cairn::backfill {

class Backfiller {
 public:
  // `min_duration`: a backfill lasts at least this long (--delay-transient-statuses), so that the
  // index is seen CREATING / Backfilling as on DynamoDB, where a backfill takes minutes.
  Backfiller(storage::Engine* engine, storage::Catalog* catalog, write::ItemWriter* writer,
             std::chrono::milliseconds min_duration = std::chrono::milliseconds(0))
      : engine_(engine), catalog_(catalog), writer_(writer), min_duration_(min_duration) {}
  ~Backfiller() { Stop(); }

  // Starts building index `index_id` of `table` (a descriptor that already lists it).
  void Start(std::shared_ptr<const storage::TableInfo> table, uint32_t index_id);
  // Starts every backfill the catalog lists as unfinished (after a restart).
  void ResumeAll();
  // Asks every backfill to stop and joins them.
  void Stop();

  // Progress, for monitoring (any thread): backfills running now, and items indexed by backfills
  // since the server started (an index's items are counted again if its backfill restarts).
  uint64_t running() const { return running_.load(std::memory_order_relaxed); }
  uint64_t items_indexed() const { return items_indexed_.load(std::memory_order_relaxed); }

 private:
  void Run(std::shared_ptr<const storage::TableInfo> table, uint32_t index_id);

  storage::Engine* engine_;
  storage::Catalog* catalog_;
  write::ItemWriter* writer_;
  const std::chrono::milliseconds min_duration_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> running_{0};
  std::atomic<uint64_t> items_indexed_{0};
  std::mutex mu_;
  std::vector<std::thread> threads_;  // GUARDED_BY(mu_)
};

}  // namespace cairn::backfill
