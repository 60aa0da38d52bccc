// GsiOutbox (gsi_outbox.h): encodings, IndexPlaces, the guarded apply, the drainer and its leases.
#include "storage/rados/gsi_outbox.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "storage/catalog.h"
#include "util/big_endian.h"
#include "storage/rados/rados_wire.h"
#include "storage/rados/shard_state.h"

namespace cairn::storage::rados {
namespace {

constexpr const char* kOutboxLease = "cairn.outbox";
constexpr size_t kPage = 256;





struct Release {
  void operator()(librados::AioCompletion* c) const { c->release(); }
};
using Completion = std::unique_ptr<librados::AioCompletion, Release>;

Status Failed(int r, std::string_view what, std::string_view oid) {
  return Status::IOError("rados: " + std::string(what) + " " + std::string(oid) + ": " +
                         std::strerror(-r));
}

}  // namespace

std::string VersionDigits(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu", static_cast<unsigned long long>(v));
  return buf;
}

uint64_t VersionOf(std::string_view stored) {
  if (stored.size() < kVersionDigits) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < kVersionDigits; ++i) {
    if (stored[i] < '0' || stored[i] > '9') return 0;
    v = v * 10 + uint64_t(stored[i] - '0');
  }
  return v;
}

bool GsiValue(std::string_view stored, std::string* value) {
  if (stored.size() < kVersionDigits) return false;
  stored.remove_prefix(kVersionDigits);
  if (stored == "~") return false;
  value->assign(stored);
  return true;
}

uint64_t NextVersion(uint64_t old) {
  static std::atomic<uint64_t> last{0};
  uint64_t v = std::max(old + 1, NowMicros());
  uint64_t seen = last.load();
  while (true) {
    const uint64_t next = std::max(v, seen + 1);
    if (last.compare_exchange_weak(seen, next)) return next;
  }
}

std::string EncodeOutboxEntry(uint64_t version, const std::vector<GsiChange>& changes) {
  std::string out = VersionDigits(version);
  AppendBigEndian32(&out, uint32_t(changes.size()));
  for (const GsiChange& c : changes) {
    AppendBytes(&out, c.key);
    out.push_back(c.value ? 1 : 0);
    if (c.value) AppendBytes(&out, *c.value);
  }
  return out;
}

bool DecodeOutboxEntry(std::string_view in, uint64_t* version, std::vector<GsiChange>* changes) {
  *version = VersionOf(in);
  if (*version == 0 || in.size() < kVersionDigits + 4) return false;
  in.remove_prefix(kVersionDigits);
  const uint32_t n = ReadBigEndian32(in);
  in.remove_prefix(4);
  changes->clear();
  for (uint32_t i = 0; i < n; ++i) {
    GsiChange c;
    if (!TakeBytes(&in, &c.key) || in.empty()) return false;
    const bool has = in[0] != 0;
    in.remove_prefix(1);
    if (has) {
      std::string v;
      if (!TakeBytes(&in, &v)) return false;
      c.value = std::move(v);
    }
    changes->push_back(std::move(c));
  }
  return in.empty();
}

std::string OutboxKey(std::string_view item_key, uint64_t version) {
  std::string k(1, kOutboxByte);
  k.append(item_key);
  k += VersionDigits(version);
  return k;
}

// ---- IndexPlaces ------------------------------------------------------------------------------

bool IndexPlaces::Local(uint32_t index_id, uint32_t* table) {
  for (int pass = 0; pass < 2; ++pass) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = known_.find(index_id);
      if (it != known_.end()) {
        *table = it->second.first;
        return it->second.second;
      }
    }
    if (pass == 0 && !Refresh(nullptr).ok()) break;
  }
  return false;
}

Status IndexPlaces::Refresh(std::map<uint32_t, std::vector<uint32_t>>* tables_with_gsis) {
  // The table descriptors: meta keys "T:<namespace>\0<name>" (storage/catalog.cc), omap keys
  // behind the meta column's byte 0x00.
  const std::string prefix = std::string(1, '\0') + "T:";
  std::string after = prefix;
  std::map<uint32_t, std::pair<uint32_t, bool>> found;
  while (true) {
    std::map<std::string, librados::bufferlist> vals;
    bool more = false;
    int rval = 0;
    librados::ObjectReadOperation op;
    op.omap_get_vals2(after, prefix, 512, &vals, &more, &rval);
    int r = io_->operate(kCatalogObject, &op, nullptr);
    if (r == -ENOENT) break;
    if (r < 0) return Failed(r, "read from", kCatalogObject);
    for (auto& [k, v] : vals) {
      auto info = DecodeTableInfo(std::string_view(v.c_str(), v.length()));
      if (!info.ok()) continue;
      for (const IndexInfo& x : info->indexes) {
        found[x.id] = {info->id, !x.global};
        if (tables_with_gsis && x.global) (*tables_with_gsis)[info->id].push_back(x.id);
      }
    }
    if (!more || vals.empty()) break;
    after = vals.rbegin()->first;
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, place] : found) known_[id] = place;  // ids are never reused: keep the others
  return Status::OK();
}

// ---- applying ---------------------------------------------------------------------------------

Status GsiOutbox::ApplyChanges(uint64_t version, const std::vector<GsiChange>& changes) {
  const std::string v = VersionDigits(version);
  struct One {
    std::string object, key, stored;
  };
  std::vector<One> pending;
  for (const GsiChange& c : changes) {
    One o;
    o.object = layout_->ObjectOf(Column::kIndex, c.key).name;
    o.key = std::string(1, static_cast<char>(Column::kIndex)) + c.key;
    o.stored = v + (c.value ? *c.value : std::string("~"));
    pending.push_back(std::move(o));
  }
  Status last;
  int moves = 0;
  for (int attempt = 0; attempt < 3 + moves && !pending.empty(); ++attempt) {
    std::vector<librados::ObjectWriteOperation> ops(pending.size());
    std::vector<Completion> done;
    for (size_t i = 0; i < pending.size(); ++i) {
      // Not into a shard frozen or retired by a split; the stored value must be older (or
      // absent: "" is less than any value).
      AddWritableGuard(&ops[i]);
      ops[i].omap_cmp({{pending[i].key, {Bl(pending[i].stored), int(LIBRADOS_CMPXATTR_OP_LT)}}},
                      nullptr);
      ops[i].omap_set({{pending[i].key, Bl(pending[i].stored)}});
      done.emplace_back(librados::Rados::aio_create_completion());
      if (io_->aio_operate(pending[i].object, done.back().get(), &ops[i]) < 0) done.back().reset();
    }
    std::vector<One> again;
    for (size_t i = 0; i < pending.size(); ++i) {
      int r = -EIO;
      if (done[i]) {
        done[i]->wait_for_complete();
        r = done[i]->get_return_value();
      }
      if (r == -ECANCELED && hooks_.moved && moves < 64 && hooks_.moved(pending[i].object)) {
        ++moves;  // split meanwhile: the entry's shard now, by the map that learnt it
        pending[i].object = layout_->ObjectOf(Column::kIndex, pending[i].key.substr(1)).name;
        again.push_back(std::move(pending[i]));
        continue;
      }
      if (r == -ECANCELED) {
        counters_.stale_skipped.fetch_add(1);  // as new or newer already there
        continue;
      }
      if (r >= 0 && pending[i].stored.size() == v.size() + 1 && pending[i].stored.back() == '~') {
        // A tombstone: its object is due for a sweep once the grace passed.
        const auto when =
            std::chrono::steady_clock::now() + std::chrono::seconds(grace_seconds_ + 1);
        std::lock_guard<std::mutex> lock(mu_);
        due_.emplace(pending[i].object, when);  // an earlier due time stays
        continue;
      }
      if (r == -ENOENT) {
        // A guard on a missing object fails: create it (empty), then guard again.
        librados::ObjectWriteOperation create;
        create.create(false);
        io_->operate(pending[i].object, &create);
      } else if (r >= 0) {
        if (hooks_.wrote) hooks_.wrote(pending[i].object, 1);
        continue;
      } else {
        last = Failed(r, "write to", pending[i].object);
      }
      again.push_back(std::move(pending[i]));
    }
    pending = std::move(again);
  }
  return pending.empty() ? Status::OK() : (last.ok() ? Status::IOError("rados: GSI apply") : last);
}

Status GsiOutbox::Apply(const std::string& shard_object, const std::string& outbox_key,
                        const std::string& value) {
  uint64_t version = 0;
  std::vector<GsiChange> changes;
  if (!DecodeOutboxEntry(value, &version, &changes))
    return Status::Corruption("rados: outbox entry in " + shard_object + " cannot be decoded");
  if (Status s = ApplyChanges(version, changes); !s.ok()) return s;
  librados::ObjectWriteOperation rm;
  rm.omap_cmp({{outbox_key, {Bl(value), int(LIBRADOS_CMPXATTR_OP_EQ)}}}, nullptr);
  rm.omap_rm_keys({outbox_key});
  int r = io_->operate(shard_object, &rm);
  if (r < 0 && r != -ECANCELED && r != -ENOENT) return Failed(r, "write to", shard_object);
  if (r >= 0) counters_.entries_applied.fetch_add(1);
  return Status::OK();
}

// ---- the drainer ------------------------------------------------------------------------------

void GsiOutbox::Start(const std::string& cookie) {
  cookie_ = cookie;
  thread_ = std::thread([this] { Loop(); });
}

void GsiOutbox::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  while (!held_.empty()) {
    const std::string object = held_.begin()->first;
    Forget(object);
    io_->unlock(object, kOutboxLease, cookie_);
  }
}

void GsiOutbox::Forget(const std::string& shard_object) {
  held_.erase(shard_object);
  auto w = watches_.find(shard_object);
  if (w == watches_.end()) return;
  if (w->second.second != 0) io_->unwatch2(w->second.second);
  retired_.push_back(std::move(w->second.first));  // a late callback may still run: kept
  watches_.erase(w);
}

void GsiOutbox::Wake::handle_notify(uint64_t notify_id, uint64_t cookie, uint64_t,
                                    librados::bufferlist&) {
  {
    std::lock_guard<std::mutex> lock(outbox_->mu_);
    outbox_->woken_.insert(object_);
  }
  outbox_->cv_.notify_all();
  librados::bufferlist none;
  outbox_->io_->notify_ack(object_, notify_id, cookie, none);
}

void GsiOutbox::Notify(const std::string& shard_object) {
  librados::bufferlist none;
  io_->notify2(shard_object, none, 1000, nullptr);  // no watcher (no holder): the poll drains
}

bool GsiOutbox::HoldLease(const std::string& shard_object) {
  const auto now = std::chrono::steady_clock::now();
  auto h = held_.find(shard_object);
  if (h != held_.end() && now - h->second < std::chrono::seconds(kOutboxLeaseSeconds) / 3)
    return true;
  auto b = busy_.find(shard_object);
  if (h == held_.end() && b != busy_.end() && now < b->second) return false;
  struct timeval duration = {kOutboxLeaseSeconds, 0};
  int r = io_->lock_exclusive(shard_object, kOutboxLease, cookie_, "gsi outbox", &duration,
                              LIBRADOS_LOCK_FLAG_MAY_RENEW);
  if (r >= 0) {
    held_[shard_object] = now;
    busy_.erase(shard_object);
    if (!watches_.count(shard_object)) {
      auto wake = std::make_unique<Wake>(this, shard_object);
      uint64_t handle = 0;
      if (io_->watch2(shard_object, &handle, wake.get()) < 0) handle = 0;  // the poll remains
      watches_[shard_object] = {std::move(wake), handle};
    }
    return true;
  }
  Forget(shard_object);
  busy_[shard_object] = now + std::chrono::seconds(kOutboxLeaseSeconds) / 3;
  return false;
}

Status GsiOutbox::Drain(const std::string& shard_object) {
  const std::string prefix(1, kOutboxByte);
  std::string after = prefix;
  while (true) {
    std::map<std::string, librados::bufferlist> vals;
    bool more = false;
    int rval = 0;
    librados::ObjectReadOperation op;
    op.omap_get_vals2(after, prefix, kPage, &vals, &more, &rval);
    int r = io_->operate(shard_object, &op, nullptr);
    if (r == -ENOENT) return Status::OK();
    if (r < 0) return Failed(r, "read from", shard_object);
    for (auto& [k, v] : vals) {
      if (Status s = Apply(shard_object, k, v.to_str()); !s.ok()) return s;
      counters_.drained.fetch_add(1);
    }
    if (!more || vals.empty()) return Status::OK();
    after = vals.rbegin()->first;
  }
}

void GsiOutbox::SweepDue() {
  std::vector<std::string> now_due;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = due_.begin(); it != due_.end();) {
      if (it->second > now) {
        ++it;
        continue;
      }
      now_due.push_back(it->first);
      it = due_.erase(it);
    }
  }
  for (const std::string& object : now_due) {
    size_t young = 0;
    Status s = Sweep(object, &young);
    if (s.ok() && young == 0) continue;
    // Younger tombstones (or a failure): again a second later.
    std::lock_guard<std::mutex> lock(mu_);
    due_.emplace(object, now + std::chrono::seconds(1));
  }
}

Status GsiOutbox::Sweep(const std::string& gsi_object, size_t* young) {
  const std::string prefix(1, static_cast<char>(Column::kIndex));
  const uint64_t horizon = NowMicros() - uint64_t(grace_seconds_) * 1000000;
  std::string after = prefix;
  while (true) {
    std::map<std::string, librados::bufferlist> vals;
    bool more = false;
    int rval = 0;
    librados::ObjectReadOperation op;
    op.omap_get_vals2(after, prefix, kPage, &vals, &more, &rval);
    int r = io_->operate(gsi_object, &op, nullptr);
    if (r == -ENOENT) return Status::OK();
    if (r < 0) return Failed(r, "read from", gsi_object);
    for (auto& [k, v] : vals) {
      const std::string stored = v.to_str();
      std::string ignored;
      if (GsiValue(stored, &ignored)) continue;
      if (VersionOf(stored) >= horizon) {
        if (young) ++*young;
        continue;
      }
      librados::ObjectWriteOperation rm;
      AddWritableGuard(&rm);  // a frozen or retired shard's tombstones: swept in its children
      rm.omap_cmp({{k, {Bl(stored), int(LIBRADOS_CMPXATTR_OP_EQ)}}}, nullptr);
      rm.omap_rm_keys({k});
      if (io_->operate(gsi_object, &rm) >= 0) counters_.tombstones_removed.fetch_add(1);
    }
    if (!more || vals.empty()) return Status::OK();
    after = vals.rbegin()->first;
  }
}

bool GsiOutbox::Pending(const std::string& shard_object) {
  const std::string prefix(1, kOutboxByte);
  std::map<std::string, librados::bufferlist> vals;
  bool more = false;
  int rval = 0;
  librados::ObjectReadOperation op;
  op.omap_get_vals2(prefix, prefix, 1, &vals, &more, &rval);
  return io_->operate(shard_object, &op, nullptr) >= 0 && !vals.empty();
}

// Each round (every second, or at once when a writer notified a held shard): the notified shards,
// then the next kShardsPerRound shards of the tables with a GSI (round robin; an idle shard costs
// one read and no lease), then the tombstone sweep of one shard. The list of those tables is read
// again every kRefreshSeconds.
void GsiOutbox::Loop() {
  constexpr size_t kShardsPerRound = 64;
  constexpr auto kRefresh = std::chrono::seconds(5);
  struct TableShard {
    std::string object;
    std::vector<std::string> gsi_objects;
  };
  std::vector<TableShard> shards;
  size_t cursor = 0, sweep_cursor = 0;
  std::chrono::steady_clock::time_point refreshed{};
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_ || !woken_.empty(); });
    if (stopping_) break;
    std::set<std::string> woken;
    std::swap(woken, woken_);
    lock.unlock();
    const auto now = std::chrono::steady_clock::now();
    if (now - refreshed >= kRefresh) {
      std::map<uint32_t, std::vector<uint32_t>> tables;
      if (places_->Refresh(&tables).ok()) {
        refreshed = now;
        shards.clear();
        std::set<std::string> live;
        for (const auto& [table, gsis] : tables) {
          // The live shards of the table and of its GSIs (their maps split as they grow): the
          // j-th live shard of a GSI has its tombstones swept by the holder of table shard j
          // modulo the table's number of shards.
          const size_t first = shards.size();
          for (const ObjectRef& o : layout_->LiveObjects(Column::kData, table)) {
            live.insert(o.name);
            shards.push_back(TableShard{o.name, {}});
          }
          const size_t n = shards.size() - first;
          for (uint32_t gsi : gsis) {
            const std::vector<ObjectRef> g = layout_->LiveObjects(Column::kIndex, gsi);
            for (size_t j = 0; j < g.size() && n > 0; ++j)
              shards[first + j % n].gsi_objects.push_back(g[j].name);
          }
        }
        // Tables gone (or without a GSI now): forget their leases (they lapse by themselves).
        std::vector<std::string> gone;
        for (const auto& [object, since] : held_)
          if (!live.count(object)) gone.push_back(object);
        for (const std::string& object : gone) Forget(object);
        for (auto it = busy_.begin(); it != busy_.end();)
          it = live.count(it->first) ? std::next(it) : busy_.erase(it);
      }
    }
    for (const std::string& object : woken)
      if (HoldLease(object)) (void)Drain(object);  // failures: a later round tries again
    SweepDue();
    if (shards.empty()) {
      lock.lock();
      continue;
    }
    for (size_t i = 0; i < std::min(shards.size(), kShardsPerRound); ++i) {
      const TableShard& shard = shards[cursor++ % shards.size()];
      if (!held_.count(shard.object) && !Pending(shard.object)) continue;
      if (HoldLease(shard.object)) (void)Drain(shard.object);
    }
    const TableShard& shard = shards[sweep_cursor++ % shards.size()];
    if (!shard.gsi_objects.empty() && HoldLease(shard.object))
      for (const std::string& gsi : shard.gsi_objects) (void)Sweep(gsi);
    lock.lock();
  }
}

}  // namespace cairn::storage::rados
