// ShardMaps and ShardSplitter: online shard splitting for the RADOS engine (docs/rados.md
// section 3, "as built").
//
// ShardMaps is this server's cache of the shard maps (shard_map.h) of tables and GSIs. A map is
// kept in RADOS in its own object "cairn.shards.<owner>" ("cairn.shards.t42"): one omap key per
// retired shard (its name; the value is the wall-clock second of the split). Not in cairn.catalog:
// a map only grows (a split adds one key, idempotently), so its write needs no guard and no
// reload of the whole catalog on every server, whereas a catalog write bumps the catalog's
// version (every server reloads every table) and conflicts with every CreateTable or UpdateTable
// meanwhile. An owner's map is read on its first use and again every 5 s; between, the cache learns a split from
// the object itself: every read of a shard object also reads its state, and a retired one
// ("r:<children>") makes the reader learn the split and go on in the children; a write to it
// fails its state guard and the writer does the same. So a cache is never wrong for long, and a
// stale one costs one extra round trip, never a lost or a repeated key.
//
// ShardSplitter splits the table and GSI shard objects that hold more than `shard_keys` omap
// keys. Each server counts the keys its writes (and its GSI applier) set per shard object, and
// every max(16, shard_keys / 8) of them has the shard's size checked by its splitter thread: the
// check lists the keys (omap_get_keys2), stores the count under "count", and splits when the
// count passes the bound, unless all its keys have one partition hash (one partition key with
// many items: no split can part them, it would only make empty shards at every depth). A split,
// by the holder of the shard's lease (cls_lock "cairn.split",
// exclusive, 10 s, renewed while it copies):
//   1. parent state -> "c" (guarded on active); children created exclusively with state
//      "s:<token>" (this attempt's; a resumed split takes them over with its own token);
//   2. copy: the parent's keys (items, LSI entries, GSI outbox entries, transaction intents;
//      not its header, nor stream records, which stay in the parent) into the child their hash
//      falls in, while writers go on writing the parent;
//   3. parent state -> "f" (frozen; guarded on "c"): writes now fail their state guard and wait;
//      once no transaction intent is left in it (a prepared transaction's apply is not blocked
//      by the freeze), the copy runs again as a diff: keys changed since pass 2 set, keys gone
//      removed (every child write is guarded on the child's "s:<token>", so a splitter that lost its
//      lease cannot touch a child once it is live);
//   4. children state removed (active); parent state -> "r:<c0>,<c1>" (guarded on "f"): the
//      commit point; then the map object gains the parent's name (the epoch + 1);
//   5. the parent object stays, read-only, with its stream records (it is never removed).
// Crash or stall: a split resumes from the parent's state by whoever takes its lease next (the
// next size check of the shard, or a writer that waited on a frozen shard: it names the shard
// to its splitter, which retries the lease every second): "c" and "f" copy again (the children
// are reconciled, never trusted), "r" only publishes. Unpublished children are so kept and
// corrected rather than dropped.
// Test hook: CAIRN_RADOS_TEST_SPLIT_PAUSE=<seconds> makes this server's first split pause that
// long once its parent is frozen (tests/rados/test_shard_split.py kills it then).
// Thread safety: all public methods may be called concurrently.
#pragma once

#include <rados/librados.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/rados/shard_map.h"
#include "util/status.h"

namespace cairn::storage::rados {

class ShardMaps {
 public:
  ShardMaps(librados::IoCtx* io, int initial_depth) : io_(io), initial_depth_(initial_depth) {}

  // The map of `owner` ("t42", "i7"), read from RADOS on first use (the initial map if that
  // read fails: reads and writes then learn the splits from the objects).
  std::shared_ptr<const ShardMap> Get(const std::string& owner);
  // Every shard `owner` ever had, live and retired, in hash order: the storage shards whose
  // objects exist, for the stream shards (docs/rados.md section 4). Reads the map object again,
  // so splits by other servers are included.
  std::vector<Shard> AllShards(const std::string& owner);
  // A retired shard seen in an object: the cache learns the split (and the ones above it).
  void Learn(const std::string& owner, Shard retired);
  // Records a finished split in the owner's map object, then learns it.
  Status Publish(const std::string& owner, Shard retired);
  static std::string MapObject(const std::string& owner) { return "cairn.shards." + owner; }

 private:
  Status Load(const std::string& owner, ShardMap* out);

  librados::IoCtx* io_;
  const int initial_depth_;
  std::mutex mu_;
  // A cached map is read again after kMapRefresh (splits by other servers reach this cache
  // within that time even where no read or write of this server meets a retired shard).
  static constexpr auto kMapRefresh = std::chrono::seconds(5);
  struct Cached {
    std::shared_ptr<const ShardMap> map;
    std::chrono::steady_clock::time_point loaded;
  };
  std::map<std::string, Cached> maps_;  // GUARDED_BY(mu_)
};

class ShardSplitter {
 public:
  ShardSplitter(librados::IoCtx* io, ShardMaps* maps, std::string cookie, uint64_t shard_keys);
  ~ShardSplitter() { Stop(); }

  void Start();
  void Stop();
  // A write set `keys` omap keys in table shard object `object` (this server's count: every
  // max(16, shard_keys / 8) the shard's size is checked).
  void Wrote(const std::string& object, size_t keys);
  // A writer found `object` frozen: its splitter may have died. Retried every second until the
  // split is finished (by whoever holds the lease) or the lease is ours and we finish it.
  void Suspect(const std::string& object);

  struct Counters {
    std::atomic<uint64_t> checks{0};     // size checks run
    std::atomic<uint64_t> splits{0};     // splits this server finished
    std::atomic<uint64_t> resumed{0};    // of which it had found already started (c or f)
    std::atomic<uint64_t> gave_up{0};    // unfrozen again: transaction intents stayed
    std::atomic<uint64_t> unsplittable{0};  // past the bound, but all of one partition
  };
  const Counters& counters() const { return counters_; }

 private:
  void Loop();
  // Checks the size of `object` and splits it when it passes the bound, or resumes its split.
  Status Check(const std::string& object);
  Status Split(const std::string& object, const std::string& owner, Shard shard,
               const std::string& state);
  // Makes the children's keys equal to the parent's share of them (copy or diff).
  Status Sync(const std::string& parent, int child_depth, const std::string child_names[2],
              const std::string& syncing, uint64_t* parent_keys);
  Status ReadState(const std::string& object, std::string* state, bool* exists);
  // The object's omap keys; *one_hash: those a split moves all have one partition hash.
  Status CountKeys(const std::string& object, uint64_t* n, bool* one_hash);
  bool RenewLease(const std::string& object, bool first);
  Status SetState(const std::string& object, const std::string& expected,
                  const std::string* next);

  librados::IoCtx* io_;
  ShardMaps* maps_;
  const std::string cookie_;
  const uint64_t shard_keys_;
  const uint64_t check_every_;
  double test_pause_seconds_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                     // GUARDED_BY(mu_)
  std::map<std::string, uint64_t> written_;   // GUARDED_BY(mu_): keys set since the last check
  std::set<std::string> due_;                 // GUARDED_BY(mu_): to check now
  std::set<std::string> suspects_;            // GUARDED_BY(mu_): frozen, retried each second
  std::thread thread_;
  std::chrono::steady_clock::time_point renewed_;  // splitter thread only
  uint64_t attempts_ = 0;                          // splitter thread only
  Counters counters_;
};

}  // namespace cairn::storage::rados
