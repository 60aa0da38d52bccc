// Expirer: the background sweep of Time to Live. Every interval (--ttl-interval, default 1 s) it
// walks each table whose TTL is enabled and deletes the items whose TTL attribute (a Number of
// epoch seconds) is in the past, through the item writer (write/item_writer.h): under the item's
// lock, after reading the item again, with its index entries and a REMOVE stream record whose
// userIdentity is the DynamoDB service. As in DynamoDB, an item whose TTL attribute is not a Number, or is more
// than five years in the past, never expires, and an expired item stays readable until the sweep
// deletes it. The same thread trims stream records past their retention.
// The backlog (CountBacklog): the items of a table that have expired and await the sweep, counted
// by a scan that applies the same rule, for monitoring.
// Thread safety: Start()/Stop() from one thread (main); the sweep runs on its own thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "storage/catalog.h"
#include "types/attribute_value.h"
#include "storage/engine.h"
#include "streams/stream_log.h"
#include "write/item_writer.h"

namespace cairn::ttl {

// True when `item`'s attribute `attribute` is a Number of epoch seconds at or before `now`, but not
// more than five years before it (DynamoDB never expires those). `*expiry` gets the time when true.
bool Expired(const Item& item, const std::string& attribute, double now, double* expiry = nullptr);

// The TTL backlog of one table: expired items not yet deleted, and how long ago the oldest of them
// expired (0 when there is none).
struct Backlog {
  uint64_t items = 0;
  double oldest_seconds = 0;
};

// Counts `table`'s backlog at `now` (a scan of its items: as costly as one sweep of it that
// deletes nothing). A table without TTL enabled has none.
Backlog CountBacklog(storage::Engine* engine, const storage::TableInfo& table, double now);

class Expirer {
 public:
  // `streams` may be null (then nothing is trimmed).
  Expirer(storage::Engine* engine, storage::Catalog* catalog, write::ItemWriter* writer,
          streams::StreamLog* streams, double interval_seconds)
      : engine_(engine),
        catalog_(catalog),
        writer_(writer),
        streams_(streams),
        interval_seconds_(interval_seconds) {}
  ~Expirer() { Stop(); }

  void Start();
  void Stop();

  // One sweep of every TTL-enabled table, as the thread does it; returns the items deleted.
  size_t SweepOnce();

  // Progress, for monitoring (any thread): sweeps finished and items deleted since Start().
  uint64_t sweeps() const { return sweeps_.load(std::memory_order_relaxed); }
  uint64_t items_deleted() const { return items_deleted_.load(std::memory_order_relaxed); }

 private:
  void Run();

  storage::Engine* engine_;
  storage::Catalog* catalog_;
  write::ItemWriter* writer_;
  streams::StreamLog* streams_;
  double interval_seconds_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
  std::atomic<uint64_t> sweeps_{0};
  std::atomic<uint64_t> items_deleted_{0};
};

}  // namespace cairn::ttl
