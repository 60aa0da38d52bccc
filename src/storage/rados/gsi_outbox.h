// GsiOutbox: the RADOS engine's secondary indexes (docs/rados.md section 2, "GSIs: outbox and
// applier"), so that an item's index entries stay exact when several servers write it.
//
//  - LSI entries live in their item's shard object ("t<table>.<d>-<p>", omap `0x02 | entry key`):
//    an LSI entry's key hashes like its item (same partition bytes), so it falls in the same
//    shard, and the item, its guard and its LSI entries are one RADOS op. IndexPlaces says which
//    index ids are local, read from the catalog object's table descriptors (not from the Catalog
//    class, whose lock may be held while the engine writes).
//  - Item values are stored as `version (20 digits) | value`: version = max(old version + 1, now in
//    microseconds, the last one this server gave + 1), so it grows along an item's writes across
//    servers (each write is guarded on the value it replaces) and roughly tells the time.
//  - A write's GSI changes (the puts and deletes of kIndex entries of global indexes that follow
//    its item's kData op in the batch: write/item_writer.cc stages them so) become ONE outbox entry
//    `0x10 | item key | version` -> `version | n | (entry key, value or none)*` in the item's shard
//    object, in the same guarded op as the item.
//  - Applying an entry: per GSI entry, one op on its "i<index>.<d>-<p>" object (the live shard of
//    the GSI's map: GSI shards split as table shards do, and each op is also guarded on the
//    shard's state, shard_state.h), guarded by omap_cmp(stored LT new), new = `version | projected item` or, for a delete, the tombstone
//    `version | "~"`: the version leads, so an entry changes only to a newer version's state,
//    whoever applies it and however often. Then the outbox entry is removed, guarded on its value.
//    GSI reads (the engine's Get and iterator) strip the version and skip tombstones. Tombstones
//    older than the grace (kTombstoneGraceSeconds; SetTombstoneGrace, the test hook
//    CAIRN_RADOS_TEST_TOMBSTONE_GRACE_S) are removed (guarded on their value): the GSI objects
//    this server wrote tombstones into are swept once their grace passed (so a tombstone leaves
//    about one grace after its delete), and the shard's drainer sweeps round robin (a backstop
//    for those of a server that died).
//  - Who applies: the writer, right after its op (best effort: so a Query on the GSI after the
//    write sees it, as on one server); and a drainer thread per server, which every second looks
//    at the next 64 shards of the tables with a GSI (round robin) and drains those with entries
//    whose lease it holds or takes (cls_lock "cairn.outbox" on the shard object, 10 s, renewed):
//    so an entry whose writer died (or failed to apply it) is applied by the lease holder, and a
//    dead server's shards pass to another once its leases lapse. The holder watches
//    its shards: a writer whose own apply failed notifies the shard object, and the holder drains
//    at once rather than at its next poll. The lease only avoids duplicate work: correctness
//    rests on the guards.
//  - The backfill of a GSI (write/item_writer.h IndexItem: index ops without an item op, after a
//    read of the item) applies its entry at once through the same guarded puts, at the item's
//    version.
// Thread safety: all methods may be called concurrently.
#pragma once

#include <rados/librados.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "storage/rados/rados_layout.h"
#include "util/status.h"

namespace cairn::storage::rados {

inline constexpr size_t kVersionDigits = 20;
inline constexpr char kOutboxByte = 0x10;
inline constexpr int kOutboxLeaseSeconds = 10;
inline constexpr int kTombstoneGraceSeconds = 10 * kOutboxLeaseSeconds;

std::string VersionDigits(uint64_t v);
// The version leading a stored item or GSI value; 0 if it has none.
uint64_t VersionOf(std::string_view stored);
// A stored GSI value: false for a tombstone, else *value = the entry's value (version stripped).
bool GsiValue(std::string_view stored, std::string* value);

// The next version of an item whose stored version is `old` (0: absent or unknown).
uint64_t NextVersion(uint64_t old);

// One GSI change of an outbox entry: the entry key (kIndex engine key) and its value, or none for
// a delete.
struct GsiChange {
  std::string key;
  std::optional<std::string> value;
};
std::string EncodeOutboxEntry(uint64_t version, const std::vector<GsiChange>& changes);
bool DecodeOutboxEntry(std::string_view in, uint64_t* version, std::vector<GsiChange>* changes);
std::string OutboxKey(std::string_view item_key, uint64_t version);

// Which table an index belongs to, and whether it is local; from the catalog object.
class IndexPlaces {
 public:
  explicit IndexPlaces(librados::IoCtx* io) : io_(io) {}
  // True and *table when `index_id` is an LSI of table *table. An id not found is read again
  // from the catalog object (an index created since), then taken as global.
  bool Local(uint32_t index_id, uint32_t* table);
  // Re-reads the catalog; the tables that have a GSI, with their GSI ids.
  Status Refresh(std::map<uint32_t, std::vector<uint32_t>>* tables_with_gsis);

 private:
  librados::IoCtx* io_;
  std::mutex mu_;
  std::map<uint32_t, std::pair<uint32_t, bool>> known_;  // id -> (table, local); GUARDED_BY(mu_)
};

class GsiOutbox {
 public:
  // Shard splitting (shard_splitter.h): `moved(object)` says whether a GSI shard object whose
  // state guard refused a put was frozen (waited for) or retired (the map learnt it): the put is
  // then placed again; `wrote(object, keys)` counts the keys put, for the size checks.
  struct SplitHooks {
    std::function<bool(const std::string& object)> moved;
    std::function<void(const std::string& object, size_t keys)> wrote;
  };
  GsiOutbox(librados::IoCtx* io, const Layout* layout, IndexPlaces* places, SplitHooks hooks = {})
      : io_(io), layout_(layout), places_(places), hooks_(std::move(hooks)) {}
  ~GsiOutbox() { Stop(); }

  // Applies one outbox entry (stored under `outbox_key` in `shard_object` with `value`): the
  // guarded GSI puts, then the guarded removal of the entry.
  Status Apply(const std::string& shard_object, const std::string& outbox_key,
               const std::string& value);
  // The guarded puts alone (the backfill), at `version`.
  Status ApplyChanges(uint64_t version, const std::vector<GsiChange>& changes);

  // The drainer thread (this server's id as the lease cookie).
  void Start(const std::string& cookie);
  void Stop();
  // Tells the lease holder of `shard_object` to drain it now (a writer whose own apply failed).
  void Notify(const std::string& shard_object);
  // The tombstone grace in seconds (default kTombstoneGraceSeconds); call before Start.
  void SetTombstoneGrace(int seconds) { grace_seconds_ = seconds; }
  int tombstone_grace() const { return grace_seconds_; }

  // Figures since start, for tests and logs.
  struct Counters {
    std::atomic<uint64_t> entries_applied{0};  // outbox entries applied and removed
    std::atomic<uint64_t> stale_skipped{0};    // GSI puts refused by their guard (older version)
    std::atomic<uint64_t> drained{0};          // entries applied by the drainer (not the writer)
    std::atomic<uint64_t> tombstones_removed{0};
  };
  const Counters& counters() const { return counters_; }

 private:
  void Loop();
  // Applies every outbox entry of a shard object.
  Status Drain(const std::string& shard_object);
  // Removes the tombstones past the grace period from a GSI object; *young (if given) counts
  // the tombstones left because they are younger.
  Status Sweep(const std::string& gsi_object, size_t* young = nullptr);
  // The GSI objects due for a sweep (a tombstone written into them a grace ago): swept now.
  void SweepDue();
  bool HoldLease(const std::string& shard_object);
  // Whether a shard object has an outbox entry (one small read, no lease).
  bool Pending(const std::string& shard_object);
  void Forget(const std::string& shard_object);
  // The watch on a held shard: a writer's notification wakes the drainer.
  class Wake final : public librados::WatchCtx2 {
   public:
    Wake(GsiOutbox* outbox, std::string object) : outbox_(outbox), object_(std::move(object)) {}
    void handle_notify(uint64_t notify_id, uint64_t cookie, uint64_t, librados::bufferlist&) override;
    void handle_error(uint64_t, int) override {}

   private:
    GsiOutbox* outbox_;
    std::string object_;
  };

  librados::IoCtx* io_;
  const Layout* layout_;
  IndexPlaces* places_;
  SplitHooks hooks_;
  std::string cookie_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::set<std::string> woken_;  // GUARDED_BY(mu_): shards a writer notified
  // GSI objects this server wrote a tombstone into, and when to sweep them (grace + 1 s later).
  std::map<std::string, std::chrono::steady_clock::time_point> due_;  // GUARDED_BY(mu_)
  int grace_seconds_ = kTombstoneGraceSeconds;
  std::thread thread_;
  // Lease state of the drainer thread (only it touches them).
  std::map<std::string, std::chrono::steady_clock::time_point> held_, busy_;
  std::map<std::string, std::pair<std::unique_ptr<Wake>, uint64_t>> watches_;  // held shards
  std::vector<std::unique_ptr<Wake>> retired_;  // unwatched; freed with the outbox
  Counters counters_;
};

}  // namespace cairn::storage::rados
