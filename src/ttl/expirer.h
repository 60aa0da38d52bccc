// Expirer: the background sweep of Time to Live. Every interval (--ttl-interval, default 1 s) it
// walks each table whose TTL is enabled and deletes the items whose TTL attribute (a Number of
// epoch seconds) is in the past, through the normal write path: under the item's lock, after
// reading the item again, with its index entries and a REMOVE stream record whose userIdentity is
// the DynamoDB service. As in DynamoDB, an item whose TTL attribute is not a Number, or is more
// than five years in the past, never expires, and an expired item stays readable until the sweep
// deletes it. The same thread trims stream records past their retention.
// Thread safety: Start()/Stop() from one thread (main); the sweep runs on its own thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "api/context.h"

namespace cairn::ttl {

class Expirer {
 public:
  Expirer(api::ServerContext* server, double interval_seconds)
      : server_(server), interval_seconds_(interval_seconds) {}
  ~Expirer() { Stop(); }

  void Start();
  void Stop();

  // One sweep of every TTL-enabled table, as the thread does it; returns the items deleted.
  size_t SweepOnce();

 private:
  void Run();

  api::ServerContext* server_;
  double interval_seconds_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace cairn::ttl
