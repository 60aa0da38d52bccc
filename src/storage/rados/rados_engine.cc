// RadosEngine: the Engine on librados. Public entry point: OpenRadosEngine (rados_engine.h).
// Internals: ToStatus (error mapping), Effect (one object's share of a batch, and its encoding in the redo record), RadosIterator
// (paged omap reads), the engine itself (Get, Write with the redo log, replay at open, the lease).
// Which object holds a key, and which objects cover a range: rados_layout.h.
#include "storage/rados/rados_engine.h"

#include <rados/librados.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "storage/key_encoding.h"
#include "storage/rados/gsi_outbox.h"
#include "storage/rados/rados_batch.h"
#include "storage/rados/rados_layout.h"
#include "storage/rados/rados_ops.h"
#include "storage/rados/rados_tokens.h"
#include "storage/rados/rados_txn.h"
#include "storage/rados/shard_splitter.h"
#include "storage/rados/shard_state.h"
#include "storage/rados/stream_shard.h"
#include "storage/write_scope.h"
#include "util/big_endian.h"
#include "storage/rados/rados_wire.h"

namespace cairn::storage {
namespace {

using rados::AppendBytes;
using rados::NowSeconds;

using rados::IdOf;
using rados::kCatalogObject;
using rados::Layout;
using rados::ObjectRef;
using rados::Shard;

constexpr const char* kDirectoryObject = "cairn.directory";
// The redo log of the first step (one per pool), replayed at open if a server of that version left
// records there; each server now has its own, "cairn.redo.<server id>", listed in cairn.servers.
constexpr const char* kLegacyRedoObject = "cairn.redo";
constexpr const char* kServersObject = "cairn.servers";
// The catalog's version: an xattr of the catalog object, 20 digits, guarded by every catalog write.
constexpr const char* kCatalogVersion = "cairn.version";
constexpr size_t kFirstPage = 32;
constexpr size_t kMaxPage = 512;
constexpr int kApplyAttempts = 5;
// A write that finds its shard frozen waits this long for the split to finish (polling its state),
// then is placed again (docs/rados.md section 3: a freeze lasts the last copy's diff).
constexpr int kFrozenWaitMs = 3000;
// Times a write without reads is placed again after its shard moved; a write with reads goes
// back to its writer instead, which reads again (write/item_writer.h).
constexpr int kMovedAttempts = 5;
// Times a read follows a retired shard to its children in one call.
constexpr int kFollowAttempts = 16;
// Each server's lease (rados_engine.h): a cls_lock on its own redo object, renewed every
// kLeaseSeconds / 3; a server whose lease lapsed is recovered by any other (its records replayed).
constexpr const char* kLeaseName = "cairn.server";
constexpr int kLeaseSeconds = 10;
constexpr int kLeaseWaitSeconds = kLeaseSeconds + 10;

Status ToStatus(int r, std::string_view what, std::string_view oid) {
  std::string msg = "rados: " + std::string(what) + " " + std::string(oid) + ": " + std::strerror(-r);
  switch (-r) {
    case ETIMEDOUT:
    case EAGAIN:
    case EBUSY:
    case ENOSPC:
    case EDQUOT:
      return Status::Busy(std::move(msg));
    default:
      return Status::IOError(std::move(msg));
  }
}


std::string OmapKey(Column c, std::string_view key) {
  std::string k(1, static_cast<char>(c));
  k.append(key);
  return k;
}

// One object's share of a batch: apply as clear (if set), then remove, then set.
struct Effect {
  bool clear = false;
  std::map<std::string, std::optional<std::string>> keys;  // omap key -> value, or removal

  void AddTo(librados::ObjectWriteOperation* op) const {
    op->create(false);  // so removals and clears of a missing object succeed
    if (clear) op->omap_clear();
    rados::AddKeyChanges(keys, op);
  }
};

using Effects = std::map<std::string, Effect>;  // by object name


// The redo record: u32 objects; per object: name, u8 clear, u32 keys; per key: key, u8 has value,
// value (if any). Strings are u32 BE length | bytes.
std::string EncodeEffects(const Effects& effects) {
  std::string out;
  AppendBigEndian32(&out, uint32_t(effects.size()));
  for (const auto& [name, e] : effects) {
    AppendBytes(&out, name);
    out.push_back(e.clear ? 1 : 0);
    AppendBigEndian32(&out, uint32_t(e.keys.size()));
    for (const auto& [k, v] : e.keys) {
      AppendBytes(&out, k);
      out.push_back(v ? 1 : 0);
      if (v) AppendBytes(&out, *v);
    }
  }
  return out;
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v) {
    if (in_.size() < 1) return false;
    *v = uint8_t(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U32(uint32_t* v) {
    if (in_.size() < 4) return false;
    *v = ReadBigEndian32(in_);
    in_.remove_prefix(4);
    return true;
  }
  bool Bytes(std::string* s) {
    uint32_t n = 0;
    if (!U32(&n) || in_.size() < n) return false;
    s->assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

bool DecodeEffects(std::string_view in, Effects* out) {
  Reader r(in);
  uint32_t objects = 0;
  if (!r.U32(&objects)) return false;
  for (uint32_t i = 0; i < objects; ++i) {
    std::string name;
    uint8_t clear = 0;
    uint32_t keys = 0;
    if (!r.Bytes(&name) || !r.U8(&clear) || !r.U32(&keys)) return false;
    Effect& e = (*out)[name];
    e.clear = clear != 0;
    for (uint32_t j = 0; j < keys; ++j) {
      std::string k, v;
      uint8_t has = 0;
      if (!r.Bytes(&k) || !r.U8(&has)) return false;
      if (has && !r.Bytes(&v)) return false;
      e.keys[k] = has ? std::optional<std::string>(std::move(v)) : std::nullopt;
    }
  }
  return r.done();
}

class RadosSnapshot final : public Snapshot {};  // read-latest: see rados_engine.h

// The item values (kData keys) this thread read by Get, by object then omap key (nullopt: absent),
// since its last Write: that Write is guarded on them (rados_engine.h, "Guards").
struct Remembered {
  const void* engine = nullptr;
  uint64_t generation = 0;  // the WriteScope they were read in
  std::map<std::string, std::map<std::string, std::optional<std::string>>> reads;
  void Clear() { reads.clear(); }
};
thread_local Remembered t_remembered;


std::string Digits20(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu", static_cast<unsigned long long>(v));
  return buf;
}

// The watch on the catalog object: another server's change reloads this one's catalog before the
// notification is acknowledged, so the writer's answer comes after every server saw the change.
class CatalogWatch final : public librados::WatchCtx2 {
 public:
  explicit CatalogWatch(std::function<void(uint64_t notifier)> on_notify)
      : on_notify_(std::move(on_notify)) {}
  void handle_notify(uint64_t notify_id, uint64_t cookie, uint64_t notifier_id,
                     librados::bufferlist&) override {
    on_notify_(notifier_id);
    if (ack_) ack_(notify_id, cookie);
  }
  void handle_error(uint64_t, int) override { on_notify_(0); }
  std::function<void(uint64_t, uint64_t)> ack_;

 private:
  std::function<void(uint64_t)> on_notify_;
};

}  // namespace

class RadosEngine final : public Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(const RadosOptions& options);
  ~RadosEngine() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (outbox_) {
      outbox_->Stop();
      // One line for the tests' figures (tests/rados/test_two_servers.py prints it).
      const auto& n = outbox_->counters();
      std::fprintf(stderr,
                   "rados: GSI outbox: %llu entries applied (%llu by the drainer), %llu stale GSI "
                   "puts refused by their guard, %llu tombstones removed\n",
                   static_cast<unsigned long long>(n.entries_applied.load()),
                   static_cast<unsigned long long>(n.drained.load()),
                   static_cast<unsigned long long>(n.stale_skipped.load()),
                   static_cast<unsigned long long>(n.tombstones_removed.load()));
    }
    {
      const auto& b = rados::batch_counters();
      std::fprintf(stderr,
                   "rados: batches by shard: %llu shard ops written, %llu shards decided again "
                   "(an item changed), %llu ops sent again after a transaction\n",
                   static_cast<unsigned long long>(b.written.load()),
                   static_cast<unsigned long long>(b.redecided.load()),
                   static_cast<unsigned long long>(b.resent.load()));
    }
    if (splitter_) {
      splitter_->Stop();
      const auto& n = splitter_->counters();
      std::fprintf(stderr,
                   "rados: shard splits: %llu done (%llu resumed from another attempt), %llu "
                   "given up, %llu size checks (%llu past the bound, not splittable: one "
                   "partition); %llu reads followed a retired shard to its "
                   "children, %llu writes placed again after their shard moved\n",
                   static_cast<unsigned long long>(n.splits.load()),
                   static_cast<unsigned long long>(n.resumed.load()),
                   static_cast<unsigned long long>(n.gave_up.load()),
                   static_cast<unsigned long long>(n.checks.load()),
                   static_cast<unsigned long long>(n.unsplittable.load()),
                   static_cast<unsigned long long>(reads_followed_.load()),
                   static_cast<unsigned long long>(writes_moved_.load()));
    }
    if (renewer_.joinable()) renewer_.join();
    if (watch_handle_ != 0) io_.unwatch2(watch_handle_);
    if (reloader_.joinable()) reloader_.join();
    if (!cookie_.empty()) {
      // A clean stop: nothing of this server's is unfinished unless writes were stopped.
      if (!poisoned_.load()) {
        io_.remove(redo_);
        librados::ObjectWriteOperation rm;
        rm.omap_rm_keys({cookie_});
        io_.operate(kServersObject, &rm);
      } else {
        io_.unlock(redo_, kLeaseName, cookie_);
      }
    }
    io_.close();
    cluster_.shutdown();
  }

  Status Get(Column c, std::string_view key, std::string* value, const Snapshot*) override;
  std::vector<Status> MultiGet(Column c, const std::vector<std::string>& keys,
                               std::vector<std::string>* values, const Snapshot* snapshot) override;
  Status Write(const WriteBatch& batch) override;
  std::unique_ptr<Iterator> NewIterator(Column c, const ReadOptions& options) override;
  std::unique_ptr<Snapshot> GetSnapshot() override { return std::make_unique<RadosSnapshot>(); }
  Result<std::unique_ptr<Snapshot>> GetSnapshotOf(Column c,
                                                  const std::vector<std::string>& keys) override;
  bool PreparesTransactions() const override { return true; }
  SharedTokens* SharedRequestTokens() override { return tokens_.get(); }
  ShardedStreams* ShardedStreamRecords() override { return stream_shards_.get(); }
  void CompactRange(Column, std::string_view, std::string_view) override {}

  // Reads up to `max` entries of `object` in column c with keys in [from, upper) (from inclusive
  // when `inclusive`, else exclusive; from empty: the object's first key), in order. *more: the
  // object may have more keys in range after the last one returned.
  // *retired: the object is retired by a split (nothing read; the cache learnt it): read its
  // children (Layout::Children) from the same key instead.
  Status ReadPage(Column c, const std::string& object, const std::string& from, bool inclusive,
                  const std::string& upper, size_t max,
                  std::vector<std::pair<std::string, std::string>>* out, bool* more,
                  bool* retired);
  // The objects covering [lower, upper) of column c, reading the directory when needed.
  Status Objects(Column c, const std::string& lower, const std::string& upper,
                 std::vector<ObjectRef>* out);
  void OnCatalogChange(std::function<Status()> reload);

 private:
  RadosEngine(int shard_bits, std::chrono::milliseconds conflict_wait)
      : layout_(
            shard_bits, [this](Column c, uint32_t id) { return OwnerOf(c, id); },
            [this](const std::string& owner) { return shard_maps_->Get(owner); }),
        places_(&io_),
        shard_maps_(std::make_unique<rados::ShardMaps>(&io_, shard_bits)),
        conflict_wait_(conflict_wait) {}
  // item's shard object, gsi_outbox.h).
  ObjectRef ObjectFor(Column c, std::string_view key) { return layout_.ObjectOf(c, key); }
  // Whose objects hold the keys of id in column c: "t<id>", "i<id>" for a GSI, "t<table>" for
  // an LSI of that table.
  std::string OwnerOf(Column c, uint32_t id);

  // ---- shard splitting (shard_splitter.h) ----
  // A shard object's state as a read found it: a retired one teaches the cache its split.
  // True if retired.
  bool NoteShardState(const std::string& object, std::string_view state);
  // After a write to `object` failed a guard: whether the shard moved under it (retired: the
  // cache learnt the split; frozen: waited for, up to kFrozenWaitMs, and its splitter told), so
  // the write must be placed again by the current map. False for any other object.
  bool ShardMoved(const std::string& object);
  // `effect` of object `name` (retired) spread over the live objects that hold its keys now.
  void Replace(const std::string& name, const Effect& effect, Effects* out);
  // One attempt of Write; *moved: a shard object of the batch was frozen or retired (nothing of
  // the batch applied). *written: the shard objects written and how many keys each.
  Status WriteOnce(const WriteBatch& batch, Remembered* reads, bool* moved,
                   std::vector<std::pair<std::string, size_t>>* written);
  // A stored value as the engine's callers see it: items without their version, GSI entries
  // without theirs; false for a GSI tombstone (absent to readers).
  static bool Visible(Column c, const std::string& object, std::string* value);
  // The version of item `key` as this write's writer read it (0: absent or not read).
  static uint64_t RememberedVersion(const Remembered& reads, const std::string& object,
                                    std::string_view key);
  Status Register(const std::vector<std::pair<Column, uint32_t>>& ids);
  Status Apply(const Effects& effects);
  // Replays every record of a redo object (this server's at open, or a lapsed server's).
  Status Replay(const std::string& redo);
  int TakeLease(const std::string& redo, uint8_t flags);
  Status AcquireLease();
  // Writes this server's heartbeat (wall-clock seconds) into cairn.servers.
  Status Beat();
  // Replays the redo objects of the servers whose lease lapsed; waits up to `wait` for leases
  // still held (a killed server's lapses within kLeaseSeconds).
  Status RecoverOthers(std::chrono::seconds wait);
  void RenewLoop();
  // The catalog: its version as last loaded, the watch, the reload on another server's change.
  Status ReadCatalogVersion(uint64_t* v);
  void ReloadCatalog();
  void ReloaderLoop();
  // One object's op of a batch with its guards: the catalog's version, remembered item reads.
  void AddGuards(const std::string& object, librados::ObjectWriteOperation* op,
                 const Remembered& reads);

  // A stream record to be numbered in its item's shard op (ShardedStreams::RecordKey, whose
  // partition prefix names the shard): a pending key of that object's effect (stream_shard.h).
  void AddStreamRecord(const WriteBatch::Op& op, uint64_t base_us, uint32_t index,
                       Effects* effects);
  // Whether a shard object holds stream records (a counter of some stream).
  Result<bool> HasStreamRecords(const std::string& object);

  // A write of a transaction's scope over several objects (rados_txn.h): the coordinator.
  // `hold_wait`: how long it waits for items held by live transactions; `token`: the request's
  // ClientRequestToken claim (may be null).
  Status WriteTransaction(const Effects& effects, Remembered* reads,
                          std::chrono::milliseconds hold_wait,
                          const rados::TokenRef* token = nullptr);
  // A batch's write (WriteScope::InBatch) over several shard objects (rados_batch.h): one guarded
  // op per shard, not atomic across them. Objects written go to *written.
  Status WriteBatchByShard(const Effects& effects, const Remembered& reads,
                           std::set<std::string>* written);
  // How long a batch waits for an item a live transaction holds: past the transaction lock's
  // lapse, so an abandoned one is always cancelled meanwhile (RocksDB's batch waits too).
  std::chrono::milliseconds BatchHoldWait() const {
    return std::max(conflict_wait_, std::chrono::milliseconds((rados::Transactions::kLeaseSeconds +
                                                               2) * 1000));
  }
  // Whether server `id` has a heartbeat in cairn.servers younger than a lease.
  bool ServerAlive(const std::string& id);

  Layout layout_;
  librados::Rados cluster_;
  librados::IoCtx io_;
  rados::IndexPlaces places_;
  std::unique_ptr<rados::ShardMaps> shard_maps_;
  std::unique_ptr<rados::ShardSplitter> splitter_;  // after the lease (it needs the server id)
  std::atomic<uint64_t> reads_followed_{0};  // reads that met a retired shard (for the tests)
  std::atomic<uint64_t> writes_moved_{0};    // writes whose shard was frozen or retired
  std::unique_ptr<rados::GsiOutbox> outbox_;
  // Whether a writer applies its own outbox entries before answering (rados_engine.h: off only
  // for the test of the drainer, CAIRN_RADOS_TEST_DRAINER_ONLY).
  bool writer_applies_ = true;
  std::chrono::milliseconds conflict_wait_;      // RadosOptions::conflict_wait_ms
  std::unique_ptr<rados::Transactions> txns_;  // after the lease (it needs the server id)
  std::unique_ptr<rados::RadosTokens> tokens_;
  // Stream records in the shard objects (stream_shard.h).
  std::unique_ptr<rados::RadosStreamShards> stream_shards_;
  uint64_t sweeps_ = 0;  // renewal rounds (the token sweep runs every tenth)
  std::mutex mu_;
  std::set<std::pair<Column, uint32_t>> registered_;  // GUARDED_BY(mu_)
  std::atomic<uint64_t> next_record_{0};
  std::atomic<bool> poisoned_{false};  // an apply failed, or the lease was lost: writes refused
  std::string cookie_;                 // this server's id (lease cookie, redo object suffix)
  std::string redo_;                   // "cairn.redo.<cookie_>"
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread renewer_;
  // The catalog (rados_engine.h "Several servers"): catalog writes are serialized in-process by
  // catalog_mu_ and across servers by the version guard.
  std::mutex catalog_mu_;
  uint64_t catalog_version_ = 0;       // GUARDED_BY(catalog_mu_)
  std::mutex reload_mu_;               // held while reload_ runs
  std::function<Status()> reload_;     // GUARDED_BY(reload_mu_)
  std::unique_ptr<CatalogWatch> watch_;
  uint64_t watch_handle_ = 0;
  bool reload_wanted_ = false;         // GUARDED_BY(mu_): a guard failed, reload asynchronously
  std::thread reloader_;
};

// ---- iterator --------------------------------------------------------------------------------

class RadosIterator final : public Iterator {
 public:
  RadosIterator(RadosEngine* engine, Column c, const ReadOptions& o)
      : engine_(engine), c_(c), lower_(o.lower_bound), upper_(o.upper_bound) {}

  bool Valid() const override { return status_.ok() && pos_ < page_.size(); }
  void Seek(std::string_view target) override {
    std::string t(target);
    if (!lower_.empty() && t < lower_) t = lower_;
    if (!Prepare()) return;
    Forward(IndexOf(t), t, true);
  }
  void SeekForPrev(std::string_view target) override {
    if (!upper_.empty() && target >= std::string_view(upper_)) return SeekToLast();
    if (!Prepare()) return;
    std::string t(target);
    Backward(IndexOf(t), t, true);
  }
  void SeekToFirst() override {
    if (!Prepare()) return;
    Forward(0, lower_, true);
  }
  void SeekToLast() override {
    if (!Prepare()) return;
    if (objects_.empty()) return Clear();
    Backward(objects_.size() - 1, "", false);
  }
  void Next() override {
    if (!Valid()) return;
    if (++pos_ < page_.size()) return;
    std::string last = page_.back().first;
    if (forward_more_) {
      Forward(obj_, last, false, true);
    } else {
      Forward(obj_ + 1, "", true, true);
    }
  }
  void Prev() override {
    if (!Valid()) return;
    if (pos_ > 0) {
      --pos_;
      return;
    }
    std::string first = page_.front().first;
    if (obj_ == 0 && before_done_) return Clear();
    if (before_done_) {
      Backward(obj_ - 1, "", false);
    } else {
      Backward(obj_, first, false);
    }
  }
  std::string_view key() const override { return page_[pos_].first; }
  std::string_view value() const override { return page_[pos_].second; }
  Status status() const override { return status_; }

 private:
  bool Prepare() {
    Clear();
    if (prepared_) return true;
    status_ = engine_->Objects(c_, lower_, upper_, &objects_);
    prepared_ = status_.ok();
    return prepared_;
  }
  void Clear() {
    page_.clear();
    pos_ = 0;
  }
  // The index of the object whose range holds `key` (the last one starting at or before it).
  size_t IndexOf(const std::string& key) const {
    size_t i = 0;
    while (i + 1 < objects_.size() && objects_[i + 1].start <= key) ++i;
    return i;
  }
  // The first entry at or after `from` (inclusive or not; "" = the object's start), in object
  // `i` or the ones after it.
  // `continuing`: a Next past the page (pages grow while a walk goes on).
  void Forward(size_t i, std::string from, bool inclusive, bool continuing = false) {
    Clear();
    grow_ = continuing ? std::min(grow_ + 1, 4) : 0;
    const size_t page = std::min(kMaxPage, kFirstPage << grow_);
    while (i < objects_.size()) {
      if (from.empty() && !lower_.empty()) from = lower_;
      if (from.empty()) inclusive = true;
      bool more = false, retired = false;
      status_ = engine_->ReadPage(c_, objects_[i].name, from, inclusive, upper_, page, &page_,
                                  &more, &retired);
      if (!status_.ok()) return Clear();
      if (retired) {  // split: go on in the child holding `from`, from the same key
        if (!Splice(i)) return Clear();
        if (!from.empty() && objects_[i + 1].start <= from) ++i;
        continue;
      }
      if (!page_.empty()) {
        obj_ = i;
        forward_more_ = more;
        before_done_ = false;
        pos_ = 0;
        return;
      }
      ++i;
      from.clear();
      inclusive = true;
    }
  }
  // Replaces retired object i by its two children (in key order; a child retired too is
  // replaced when it is read). False, with an error status, if it cannot be.
  bool Splice(size_t i) {
    std::vector<ObjectRef> children = Layout::Children(objects_[i]);
    if (children.size() != 2 || ++splices_ > kFollowAttempts * 64) {
      status_ = Status::IOError("rados: " + objects_[i].name + " retired, children unknown");
      return false;
    }
    objects_[i] = std::move(children[0]);
    objects_.insert(objects_.begin() + i + 1, std::move(children[1]));
    return true;
  }
  // The last entry before `to` (at or before, when inclusive; "" = the object's end), in object
  // `i` or the ones before it.
  void Backward(size_t i, std::string to, bool inclusive) {
    Clear();
    while (true) {
      if (i >= objects_.size()) return;
      // Read the object's keys in [lower, to) forward, keeping the last kMaxPage.
      std::vector<std::pair<std::string, std::string>> kept, chunk;
      bool dropped = false;
      std::string from = lower_;
      bool from_inclusive = true;
      std::string bound = to.empty() ? upper_ : to;
      if (!to.empty() && inclusive) {
        bound = to;
        bound.push_back('\0');  // the smallest key after `to`
        if (!upper_.empty() && bound > upper_) bound = upper_;
      }
      bool retired = false;
      while (true) {
        bool more = false;
        status_ = engine_->ReadPage(c_, objects_[i].name, from, from_inclusive, bound, kMaxPage,
                                    &chunk, &more, &retired);
        if (!status_.ok()) return Clear();
        if (retired || chunk.empty()) break;
        for (auto& kv : chunk) kept.push_back(std::move(kv));
        if (kept.size() > kMaxPage) {
          kept.erase(kept.begin(), kept.end() - kMaxPage);
          dropped = true;
        }
        if (!more) break;
        from = kept.back().first;
        from_inclusive = false;
      }
      if (retired) {  // split: the child holding `to` (the later child when to is the end)
        if (!Splice(i)) return Clear();
        if (to.empty() || objects_[i + 1].start <= to) ++i;
        continue;
      }
      if (!kept.empty()) {
        page_ = std::move(kept);
        pos_ = page_.size() - 1;
        obj_ = i;
        before_done_ = !dropped;
        forward_more_ = true;  // unknown: Next reads on
        return;
      }
      if (i == 0) return;
      --i;
      to.clear();
      inclusive = false;
    }
  }

  RadosEngine* engine_;
  Column c_;
  const std::string lower_, upper_;
  bool prepared_ = false;
  std::vector<ObjectRef> objects_;
  std::vector<std::pair<std::string, std::string>> page_;  // engine keys (no column byte)
  size_t pos_ = 0;
  size_t obj_ = 0;
  bool forward_more_ = false;  // the object may hold more keys after the page
  bool before_done_ = false;   // the object holds no key in range before the page
  int grow_ = 0;               // forward pages read in a row: the next is larger
  int splices_ = 0;            // retired objects replaced by their children (bounded)
  Status status_;
};

// ---- engine ----------------------------------------------------------------------------------

Result<std::unique_ptr<Engine>> RadosEngine::Open(const RadosOptions& options) {
  if (options.shard_bits < 0 || options.shard_bits > 16)
    return Status::IOError("rados: shard bits must be 0..16");
  if (options.conflict_wait_ms < 0) return Status::IOError("rados: negative conflict wait");
  std::unique_ptr<RadosEngine> e(new RadosEngine(
      options.shard_bits,
      std::chrono::milliseconds(static_cast<int64_t>(options.conflict_wait_ms + 0.999))));
  int r = e->cluster_.init2(options.client.c_str(), "ceph", 0);
  if (r < 0) return ToStatus(r, "init", options.client);
  r = e->cluster_.conf_read_file(options.conf_file.c_str());
  if (r < 0) return ToStatus(r, "reading", options.conf_file);
  const std::string timeout = std::to_string(std::max(1, int(options.op_timeout_seconds)));
  for (const char* k : {"rados_osd_op_timeout", "rados_mon_op_timeout", "client_mount_timeout"}) {
    r = e->cluster_.conf_set(k, timeout.c_str());
    if (r < 0) return ToStatus(r, "setting", k);
  }
  r = e->cluster_.connect();
  if (r < 0) return ToStatus(r, "connecting with", options.conf_file);
  r = e->cluster_.ioctx_create(options.pool.c_str(), e->io_);
  if (r < 0) return ToStatus(r, "opening pool", options.pool);
  if (Status s = e->AcquireLease(); !s.ok()) return s;
  if (Status s = e->Replay(kLegacyRedoObject); !s.ok()) return s;
  if (Status s = e->RecoverOthers(std::chrono::seconds(kLeaseWaitSeconds)); !s.ok()) return s;
  {
    std::lock_guard<std::mutex> lock(e->catalog_mu_);
    if (Status s = e->ReadCatalogVersion(&e->catalog_version_); !s.ok()) return s;
  }
  const char* drainer_only = std::getenv("CAIRN_RADOS_TEST_DRAINER_ONLY");
  e->writer_applies_ = !(drainer_only && *drainer_only && std::string(drainer_only) != "0");
  e->splitter_ = std::make_unique<rados::ShardSplitter>(&e->io_, e->shard_maps_.get(), e->cookie_,
                                                        options.shard_keys);
  e->splitter_->Start();
  rados::GsiOutbox::SplitHooks hooks;
  hooks.moved = [p = e.get()](const std::string& object) { return p->ShardMoved(object); };
  hooks.wrote = [p = e.get()](const std::string& object, size_t keys) {
    p->splitter_->Wrote(object, keys);
  };
  e->outbox_ = std::make_unique<rados::GsiOutbox>(&e->io_, &e->layout_, &e->places_,
                                                  std::move(hooks));
  // Test hook: a short tombstone grace (tests/rados/test_batches_and_tokens.py sees them leave).
  if (const char* grace = std::getenv("CAIRN_RADOS_TEST_TOMBSTONE_GRACE_S"); grace && *grace)
    e->outbox_->SetTombstoneGrace(std::max(1, std::atoi(grace)));
  e->stream_shards_ = std::make_unique<rados::RadosStreamShards>(&e->io_, &e->layout_);
  // Stream records are numbered by cls_lua: say at start if it is missing (the server still
  // serves; a stream write then fails whole).
  if (Status s = e->stream_shards_->CheckLua(); !s.ok())
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
  e->outbox_->Start(e->cookie_);
  e->renewer_ = std::thread([p = e.get()] { p->RenewLoop(); });
  return std::unique_ptr<Engine>(std::move(e));
}

int RadosEngine::TakeLease(const std::string& redo, uint8_t flags) {
  struct timeval duration = {kLeaseSeconds, 0};
  return io_.lock_exclusive(redo, kLeaseName, cookie_, "cairn server", &duration, flags);
}

Status RadosEngine::AcquireLease() {
  cookie_ = std::to_string(cluster_.get_instance_id());
  redo_ = std::string("cairn.redo.") + cookie_;
  int r = TakeLease(redo_, 0);
  if (r < 0) return ToStatus(r, "taking the lease on", redo_);
  txns_ = std::make_unique<rados::Transactions>(&io_, cookie_, conflict_wait_);
  tokens_ = std::make_unique<rados::RadosTokens>(
      &io_, cookie_, [this](const std::string& id) { return ServerAlive(id); },
      [this](const std::string& txn) { return txns_->Settle(txn); });
  return Beat();
}

Status RadosEngine::Beat() {
  librados::ObjectWriteOperation op;
  librados::bufferlist bl;
  const std::string now = Digits20(NowSeconds());
  bl.append(now.data(), now.size());
  op.omap_set({{cookie_, bl}});
  int r = io_.operate(kServersObject, &op);
  return r < 0 ? ToStatus(r, "write to", kServersObject) : Status::OK();
}

bool RadosEngine::ServerAlive(const std::string& id) {
  librados::ObjectReadOperation op;
  std::map<std::string, librados::bufferlist> vals;
  int rval = 0;
  op.omap_get_vals_by_keys({id}, &vals, &rval);
  int r = io_.operate(kServersObject, &op, nullptr);
  if (r < 0 && r != -ENOENT) return true;  // unknown: not taken as dead
  auto it = vals.find(id);
  if (it == vals.end()) return false;  // recovered (its entry removed) or stopped
  const uint64_t beat = std::strtoull(it->second.to_str().c_str(), nullptr, 10);
  return beat + kLeaseSeconds >= NowSeconds();
}

Status RadosEngine::RecoverOthers(std::chrono::seconds wait) {
  std::set<std::string> others;
  const uint64_t now = NowSeconds();
  {
    std::string after;
    while (true) {
      std::map<std::string, librados::bufferlist> vals;
      bool more = false;
      int rval = 0;
      librados::ObjectReadOperation op;
      op.omap_get_vals2(after, 1000, &vals, &more, &rval);
      int r = io_.operate(kServersObject, &op, nullptr);
      if (r == -ENOENT) break;
      if (r < 0) return ToStatus(r, "read from", kServersObject);
      for (const auto& [k, v] : vals) {
        if (k == cookie_) continue;
        const uint64_t beat = std::strtoull(v.to_str().c_str(), nullptr, 10);
        // A heartbeat within two renewals: alive, not waited for (if it died, a later round
        // of the renewal loop recovers it once its lease lapsed).
        if (wait.count() > 0 && beat + 2 * kLeaseSeconds / 3 + 1 >= now) continue;
        others.insert(k);
      }
      if (!more || vals.empty()) break;
      after = vals.rbegin()->first;
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (!others.empty()) {
    for (auto it = others.begin(); it != others.end();) {
      const std::string redo = std::string("cairn.redo.") + *it;
      int r = TakeLease(redo, 0);
      if (r == -EBUSY) {  // alive (or not lapsed yet)
        ++it;
        continue;
      }
      if (r < 0) return ToStatus(r, "taking the lease on", redo);
      // Its lease lapsed (or it stopped): its unfinished batches are ours to finish.
      if (Status s = Replay(redo); !s.ok()) return s;
      io_.remove(redo);
      librados::ObjectWriteOperation rm;
      rm.omap_rm_keys({*it});
      r = io_.operate(kServersObject, &rm);
      if (r < 0) return ToStatus(r, "write to", kServersObject);
      it = others.erase(it);
    }
    if (others.empty() || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return Status::OK();
}

void RadosEngine::RenewLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::seconds(kLeaseSeconds) / 3, [this] { return stopping_; })) {
    lock.unlock();
    int r = TakeLease(redo_, LIBRADOS_LOCK_FLAG_MUST_RENEW);
    if (r < 0) r = TakeLease(redo_, LIBRADOS_LOCK_FLAG_MAY_RENEW);  // one more try
    // Another server whose lease lapsed: finish its batches (no wait: the next round retries).
    if (r >= 0) {
      // Failures here are retried next round (a stale heartbeat only makes an opening server
      // wait for our lease, which it cannot take).
      (void)Beat();
      (void)RecoverOthers(std::chrono::seconds(0));
      txns_->Sweep();  // transactions whose coordinator died
      if (sweeps_++ % 10 == 0) tokens_->Sweep();
    }
    lock.lock();
    // Our lease lapsed: another server may replay our records over later writes: stop writing.
    if (r < 0) poisoned_.store(true);
  }
}

Status RadosEngine::ReadCatalogVersion(uint64_t* v) {
  librados::bufferlist bl;
  int r = io_.getxattr(kCatalogObject, kCatalogVersion, bl);
  if (r == -ENOENT || r == -ENODATA) {
    *v = 0;
    return Status::OK();
  }
  if (r < 0) return ToStatus(r, "read from", kCatalogObject);
  *v = std::strtoull(std::string(bl.c_str(), bl.length()).c_str(), nullptr, 10);
  return Status::OK();
}

void RadosEngine::OnCatalogChange(std::function<Status()> reload) {
  {
    std::lock_guard<std::mutex> lock(reload_mu_);
    reload_ = std::move(reload);
  }
  if (watch_) return;
  watch_ = std::make_unique<CatalogWatch>([this](uint64_t notifier) {
    if (notifier == cluster_.get_instance_id()) return;  // our own change: already loaded
    ReloadCatalog();
  });
  watch_->ack_ = [this](uint64_t notify_id, uint64_t cookie) {
    librados::bufferlist none;
    io_.notify_ack(kCatalogObject, notify_id, cookie, none);
  };
  // The catalog object must exist to be watched.
  librados::ObjectWriteOperation create;
  create.create(false);
  io_.operate(kCatalogObject, &create);
  int r = io_.watch2(kCatalogObject, &watch_handle_, watch_.get());
  if (r < 0) watch_handle_ = 0;  // the reloader's periodic poll still catches changes
  // A change another server made between this server's first catalog load and the watch
  // notified nobody here: reload once now that the watch is up, before requests are served
  // (otherwise only the 5 s poll would see it, and a table just created elsewhere would be
  // unknown here meanwhile).
  ReloadCatalog();
  reloader_ = std::thread([this] { ReloaderLoop(); });
}

// Version first, then the catalog: the loaded state is at least as new as the version, so a
// write based on it can only fail its guard spuriously (and reload), never pass on a stale state.
void RadosEngine::ReloadCatalog() {
  uint64_t v = 0;
  {
    std::lock_guard<std::mutex> lock(catalog_mu_);
    if (!ReadCatalogVersion(&v).ok()) return;
  }
  {
    std::lock_guard<std::mutex> lock(reload_mu_);
    if (!reload_ || !reload_().ok()) return;
  }
  std::lock_guard<std::mutex> lock(catalog_mu_);
  catalog_version_ = std::max(catalog_version_, v);
}

// Reloads when a catalog guard failed (a writer cannot reload itself: it holds the catalog's
// lock), and every 5 s as a backstop for a missed notification.
void RadosEngine::ReloaderLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::seconds(5), [this] { return stopping_ || reload_wanted_; });
    if (stopping_) break;
    reload_wanted_ = false;
    lock.unlock();
    uint64_t v = 0, known = 0;
    {
      std::lock_guard<std::mutex> c(catalog_mu_);
      known = catalog_version_;
      if (!ReadCatalogVersion(&v).ok()) v = known;
    }
    if (v != known) ReloadCatalog();
    lock.lock();
  }
}

Status RadosEngine::Get(Column c, std::string_view key, std::string* value,
                        const Snapshot* snapshot) {
  // TransactGetItems' view (GetSnapshotOf): the values as read and validated, stored form.
  if (auto* captured = dynamic_cast<const rados::CapturedSnapshot*>(snapshot);
      captured && c == Column::kData) {
    auto it = captured->values.find(std::string(key));
    if (it != captured->values.end()) {
      if (!it->second) return Status::NotFound();
      *value = *it->second;
      if (!Visible(c, ObjectFor(c, key).name, value)) return Status::NotFound();
      return Status::OK();
    }
  }
  const std::string k = OmapKey(c, key);
  ObjectRef o;
  std::map<std::string, librados::bufferlist> vals;
  // A shard object's state is read with the key: a retired shard (split) is followed to the
  // child that holds the key now (the cache learnt the split).
  for (int follow = 0;; ++follow) {
    o = ObjectFor(c, key);
    const bool shard = rados::IsShardObject(o.name);
    librados::ObjectReadOperation op;
    vals.clear();
    int rval = 0;
    if (shard) {
      op.omap_get_vals_by_keys({k, rados::kStateKey}, &vals, &rval);
    } else {
      op.omap_get_vals_by_keys({k}, &vals, &rval);
    }
    int r = io_.operate(o.name, &op, nullptr);
    if (r < 0 && r != -ENOENT) return ToStatus(r, "get from", o.name);
    auto st = vals.find(rados::kStateKey);
    if (!shard || st == vals.end() ||
        !NoteShardState(o.name, std::string_view(st->second.c_str(), st->second.length())))
      break;
    reads_followed_.fetch_add(1);
    if (follow >= kFollowAttempts) return Status::IOError("rados: " + o.name + " retired");
  }
  auto it = vals.find(k);
  Remembered& m = t_remembered;
  if (c == Column::kData && WriteScope::Active()) {
    if (m.engine != this || m.generation != WriteScope::Generation()) {
      m.Clear();
      m.engine = this;
      m.generation = WriteScope::Generation();
    }
    m.reads[o.name][k] = it == vals.end() ? std::nullopt
                                          : std::optional<std::string>(std::string(
                                                it->second.c_str(), it->second.length()));
  }
  if (it == vals.end()) return Status::NotFound();
  value->assign(it->second.c_str(), it->second.length());
  if (!Visible(c, o.name, value)) return Status::NotFound();
  return Status::OK();
}

// One omap_get_vals_by_keys per object, all in flight at once (aio_operate), then every answer.
// Inside a WriteScope the reads must be remembered for the guard (Get does it): one by one.
std::vector<Status> RadosEngine::MultiGet(Column c, const std::vector<std::string>& keys,
                                          std::vector<std::string>* values,
                                          const Snapshot* snapshot) {
  if (keys.size() < 2 || (c == Column::kData && WriteScope::Active()) ||
      dynamic_cast<const rados::CapturedSnapshot*>(snapshot))  // TransactGetItems' view: Get
    return Engine::MultiGet(c, keys, values, snapshot);
  values->assign(keys.size(), std::string());
  std::vector<Status> statuses(keys.size(), Status::NotFound());
  struct ObjectRead {
    std::set<std::string> omap_keys;
    std::vector<size_t> positions;  // into keys
    librados::ObjectReadOperation op;
    std::map<std::string, librados::bufferlist> vals;
    int rval = 0;
    std::unique_ptr<librados::AioCompletion, void (*)(librados::AioCompletion*)> done{
        nullptr, [](librados::AioCompletion* a) { a->release(); }};
  };
  std::map<std::string, ObjectRead> reads;  // by object name
  for (size_t i = 0; i < keys.size(); ++i) {
    ObjectRead& r = reads[ObjectFor(c, keys[i]).name];  // as Get: LSI entries in the item's shard
    r.omap_keys.insert(OmapKey(c, keys[i]));
    r.positions.push_back(i);
  }
  for (auto& [name, r] : reads) {
    if (rados::IsShardObject(name)) r.omap_keys.insert(rados::kStateKey);
    r.op.omap_get_vals_by_keys(r.omap_keys, &r.vals, &r.rval);
    r.done.reset(librados::Rados::aio_create_completion());
    if (io_.aio_operate(name, r.done.get(), &r.op, nullptr) < 0) r.done.reset();
  }
  bool retired = false;
  for (auto& [name, r] : reads) {
    if (!r.done) continue;
    r.done->wait_for_complete();
    auto st = r.vals.find(rados::kStateKey);
    if (st != r.vals.end() &&
        NoteShardState(name, std::string_view(st->second.c_str(), st->second.length())))
      retired = true;
  }
  // A shard split under the read: key by key, each following its shard (Get).
  if (retired) {
    reads_followed_.fetch_add(1);
    return Engine::MultiGet(c, keys, values, snapshot);
  }
  for (auto& [name, r] : reads) {
    int rc = -EIO;
    if (r.done) rc = r.done->get_return_value();
    for (size_t i : r.positions) {
      if (rc < 0 && rc != -ENOENT) {
        statuses[i] = ToStatus(rc, "get from", name);
        continue;
      }
      auto it = r.vals.find(OmapKey(c, keys[i]));
      if (it == r.vals.end()) continue;  // NotFound
      (*values)[i].assign(it->second.c_str(), it->second.length());
      // As Get: an item's stored version and a GSI tombstone are not the caller's.
      if (Visible(c, name, &(*values)[i])) statuses[i] = Status::OK();
    }
  }
  return statuses;
}

Status RadosEngine::ReadPage(Column c, const std::string& object, const std::string& from,
                             bool inclusive, const std::string& upper, size_t max,
                             std::vector<std::pair<std::string, std::string>>* out, bool* more,
                             bool* retired) {
  out->clear();
  *more = false;
  *retired = false;
  const bool shard = rados::IsShardObject(object);
  const std::string prefix(1, static_cast<char>(c));
  std::string start = OmapKey(c, from);
  const std::string end = upper.empty() ? std::string() : OmapKey(c, upper);
  // Tombstones of a GSI are skipped: a page of nothing but tombstones reads on.
  while (true) {
    librados::ObjectReadOperation op;
    std::map<std::string, librados::bufferlist> first, vals, state;
    int r1 = 0, r2 = 0, r3 = 0;
    // omap_get_vals2's start_after is exclusive: the start key itself is read by key, in the
    // same op (one state of the object), as is the shard's state (retired: its children).
    if (inclusive) op.omap_get_vals_by_keys({start}, &first, &r1);
    if (shard) op.omap_get_vals_by_keys({rados::kStateKey}, &state, &r3);
    op.omap_get_vals2(start, prefix, max, &vals, more, &r2);
    int r = io_.operate(object, &op, nullptr);
    if (r == -ENOENT) return Status::OK();
    if (r < 0) return ToStatus(r, "read from", object);
    if (auto st = state.find(rados::kStateKey);
        st != state.end() &&
        NoteShardState(object, std::string_view(st->second.c_str(), st->second.length()))) {
      out->clear();
      *more = false;
      *retired = true;
      reads_followed_.fetch_add(1);
      return Status::OK();
    }
    bool past = false;
    auto add = [&](const std::string& k, librados::bufferlist& v) {
      if (!end.empty() && k >= end) {
        *more = false;
        past = true;
        return false;
      }
      std::string value(v.c_str(), v.length());
      if (Visible(c, object, &value)) out->emplace_back(k.substr(1), std::move(value));
      return true;
    };
    for (auto& [k, v] : first)
      if (!add(k, v)) return Status::OK();
    for (auto& [k, v] : vals)
      if (!add(k, v)) return Status::OK();
    if (!out->empty() || !*more || vals.empty() || past) return Status::OK();
    start = vals.rbegin()->first;
    inclusive = false;
  }
}

Status RadosEngine::Objects(Column c, const std::string& lower, const std::string& upper,
                            std::vector<ObjectRef>* out) {
  out->clear();
  uint32_t first = 0, last = 0;
  if (c != Column::kMeta && !Layout::IdRange(lower, upper, &first, &last)) return Status::OK();
  if (c == Column::kMeta || first == last) {
    *out = layout_.Objects(c, lower, upper, {first});
    return Status::OK();
  }
  // Several ids: the directory says which exist.
  std::vector<uint32_t> ids;
  const char letter = static_cast<char>(c);
  const int r = rados::ForEachOmapKey(&io_, kDirectoryObject, [&](const std::string& k) {
    if (k.size() != 5 || k[0] != letter) return;
    const uint32_t id = IdOf(std::string_view(k).substr(1));
    if (id >= first && id <= last) ids.push_back(id);
  });
  if (r < 0) return ToStatus(r, "read from", kDirectoryObject);
  *out = layout_.Objects(c, lower, upper, ids);
  return Status::OK();
}

std::string RadosEngine::OwnerOf(Column c, uint32_t id) {
  uint32_t table = 0;
  if (c == Column::kIndex && places_.Local(id, &table)) return "t" + std::to_string(table);
  static constexpr char kLetter[] = {'m', 't', 'i', 's', 'b'};
  return std::string(1, kLetter[static_cast<size_t>(c)]) + std::to_string(id);
}

bool RadosEngine::NoteShardState(const std::string& object, std::string_view state) {
  if (!rados::IsRetired(state)) return false;
  std::string owner;
  Shard shard;
  if (rados::ParseShardObject(object, &owner, &shard)) shard_maps_->Learn(owner, shard);
  return true;
}

bool RadosEngine::ShardMoved(const std::string& object) {
  if (!rados::IsShardObject(object)) return false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kFrozenWaitMs);
  bool moved = false;
  while (true) {
    librados::ObjectReadOperation op;
    std::map<std::string, librados::bufferlist> vals;
    int rval = 0;
    op.omap_get_vals_by_keys({rados::kStateKey}, &vals, &rval);
    if (io_.operate(object, &op, nullptr) < 0) return moved;
    auto st = vals.find(rados::kStateKey);
    const std::string state = st == vals.end() ? "" : std::string(st->second.c_str(),
                                                                   st->second.length());
    if (NoteShardState(object, state)) return true;
    if (!rados::IsFrozen(state)) return moved;
    moved = true;
    if (splitter_) splitter_->Suspect(object);  // its splitter may have died: the lease tells
    if (std::chrono::steady_clock::now() >= deadline) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void RadosEngine::Replace(const std::string& name, const Effect& effect, Effects* out) {
  std::string owner;
  Shard shard;
  if (!rados::ParseShardObject(name, &owner, &shard)) {
    (*out)[name] = effect;
    return;
  }
  auto map = shard_maps_->Get(owner);
  auto object_of = [&](std::string_view omap_key) {
    return owner + "." + map->Find(rados::HashOf(omap_key.substr(1))).Name();
  };
  if (effect.clear)
    for (const Shard& s : map->Covering(shard.First(), shard.Last()))
      (*out)[owner + "." + s.Name()].clear = true;
  for (const auto& [k, v] : effect.keys) (*out)[object_of(k)].keys[k] = v;
}

bool RadosEngine::Visible(Column c, const std::string& object, std::string* value) {
  if (c == Column::kData) {
    if (value->size() >= rados::kVersionDigits) value->erase(0, rados::kVersionDigits);
    return true;
  }
  if (c == Column::kIndex && !object.empty() && object[0] == 'i') {
    std::string v;
    if (!rados::GsiValue(*value, &v)) return false;
    *value = std::move(v);
  }
  return true;
}

std::unique_ptr<Iterator> RadosEngine::NewIterator(Column c, const ReadOptions& options) {
  return std::make_unique<RadosIterator>(this, c, options);
}

Status RadosEngine::Register(const std::vector<std::pair<Column, uint32_t>>& ids) {
  std::map<std::string, librados::bufferlist> add;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& id : ids) {
      if (registered_.count(id)) continue;
      std::string k(1, static_cast<char>(id.first));
      AppendBigEndian32(&k, id.second);
      add.emplace(k, librados::bufferlist());
    }
  }
  if (add.empty()) return Status::OK();
  librados::ObjectWriteOperation op;
  op.omap_set(add);
  int r = io_.operate(kDirectoryObject, &op);
  if (r < 0) return ToStatus(r, "write to", kDirectoryObject);
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& id : ids) registered_.insert(id);
  return Status::OK();
}

// Every op on a shard object is guarded on its state (not frozen nor retired by a split): one
// that fails there is placed again by the current map (Replace), after a freeze is waited for.
Status RadosEngine::Apply(const Effects& effects) {
  Effects pending = effects;
  Status last;
  int errors = 0, moves = 0, rounds = 0;
  while (!pending.empty() && errors < kApplyAttempts && ++rounds < 200) {
    struct Release {
      void operator()(librados::AioCompletion* c) const { c->release(); }
    };
    std::vector<const std::string*> names;
    std::vector<std::unique_ptr<librados::AioCompletion, Release>> done;
    std::vector<librados::ObjectWriteOperation> ops(pending.size());
    for (const auto& [name, e] : pending) {
      const size_t i = names.size();
      names.push_back(&name);
      if (rados::IsShardObject(name)) rados::AddWritableGuard(&ops[i]);
      e.AddTo(&ops[i]);
      done.emplace_back(librados::Rados::aio_create_completion());
      int r = io_.aio_operate(name, done.back().get(), &ops[i]);
      if (r < 0) done.back().reset();
    }
    Effects failed;
    bool error = false;
    for (size_t i = 0; i < names.size(); ++i) {
      int r = -EIO;
      if (done[i]) {
        done[i]->wait_for_complete();
        r = done[i]->get_return_value();
      }
      if (r >= 0) continue;
      const std::string& name = *names[i];
      const bool shard = rados::IsShardObject(name);
      if (r == -ENOENT && shard) {  // a guard on a missing object fails: create it, then again
        librados::ObjectWriteOperation create;
        create.create(false);
        io_.operate(name, &create);
      } else if (r == -ECANCELED && shard && moves < 64 && ShardMoved(name)) {
        ++moves;
        Replace(name, pending.at(name), &failed);
        continue;
      } else {
        error = true;
        last = ToStatus(r, "write to", name);
      }
      Effect& f = failed[name];
      const Effect& e = pending.at(name);
      f.clear = f.clear || e.clear;
      for (const auto& [k, v] : e.keys) f.keys[k] = v;
    }
    pending = std::move(failed);
    if (error && !pending.empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(50 << ++errors));
  }
  return pending.empty() ? Status::OK() : last;
}

Status RadosEngine::Write(const WriteBatch& batch) {
  if (batch.empty()) return Status::OK();
  if (poisoned_.load())
    return Status::IOError(
        "rados: writes stopped (a multi-object write failed to apply, or the server lease was "
        "lost); restart the server");
  // The guards: this thread's item reads since its last write (taken now, whatever happens).
  Remembered reads;
  if (t_remembered.engine == this && WriteScope::Active() &&
      t_remembered.generation == WriteScope::Generation())
    std::swap(reads.reads, t_remembered.reads);
  t_remembered.Clear();
  for (int attempt = 1;; ++attempt) {
    bool moved = false;
    std::vector<std::pair<std::string, size_t>> written;
    Status s = WriteOnce(batch, &reads, &moved, &written);
    if (s.ok())
      for (const auto& [object, keys] : written) splitter_->Wrote(object, keys);
    if (!moved) return s;
    writes_moved_.fetch_add(1);
    // A shard of the batch split under it (nothing applied): a writer that read items reads
    // them again where they are now (write/item_writer.h: it decides again); a blind write is
    // placed again by the map, which learnt the split.
    if (!reads.reads.empty() || attempt >= kMovedAttempts) return rados::Transactions::ItemChanged();
  }
}

Status RadosEngine::WriteOnce(const WriteBatch& batch, Remembered* reads_in, bool* moved,
                              std::vector<std::pair<std::string, size_t>>* written) {
  Remembered& reads = *reads_in;
  Effects effects;
  std::vector<std::pair<Column, uint32_t>> ids;
  // Items get versions; GSI changes go to their item's outbox entry, or (no item op before them:
  // the backfill) are applied directly after the write (gsi_outbox.h).
  struct Outbound {
    std::string object, key, value;
  };
  std::vector<Outbound> outbound;
  std::map<std::string, std::pair<uint64_t, std::vector<rados::GsiChange>>> outbox;  // by item key
  std::vector<rados::GsiChange> direct;
  std::string item;  // the item key of the last kData op: the following index ops are its
  uint32_t records = 0;  // stream records of the batch, numbered in its items' ops (stream_shard.h)
  const uint64_t records_base = rados::NowMicros();  // their numbers are at least this
  for (const WriteBatch::Op& op : batch.ops()) {
    switch (op.type) {
      case WriteBatch::OpType::kPut:
      case WriteBatch::OpType::kDelete: {
        if (op.column == Column::kStream && op.key.size() > 12) {  // ShardedStreams::RecordKey
          if (op.type == WriteBatch::OpType::kPut) AddStreamRecord(op, records_base, records++, &effects);
          break;
        }
        const ObjectRef o = ObjectFor(op.column, op.key);
        if (op.column != Column::kMeta) ids.emplace_back(op.column, IdOf(op.key));
        const bool put = op.type == WriteBatch::OpType::kPut;
        if (op.column == Column::kIndex && o.name[0] == 'i') {  // a GSI entry
          rados::GsiChange change{op.key, put ? std::optional<std::string>(op.value) : std::nullopt};
          if (item.empty()) {
            direct.push_back(std::move(change));
          } else {
            outbox[item].second.push_back(std::move(change));
          }
          break;
        }
        auto& slot = effects[o.name].keys[OmapKey(op.column, op.key)];
        if (op.column == Column::kData) {
          item = op.key;
          auto& [version, changes] = outbox[item];
          if (version == 0) version = rados::NextVersion(RememberedVersion(reads, o.name, op.key));
          if (put) {
            slot = rados::VersionDigits(version) + op.value;
          } else {
            slot = std::nullopt;
          }
          break;
        }
        if (put) {
          slot = op.value;
        } else {
          slot = std::nullopt;
        }
        break;
      }
      case WriteBatch::OpType::kDeleteRange: {
        if (op.key > op.value) return Status::IOError("DeleteRange: end key comes before start key");
        if (op.key == op.value) break;
        std::vector<ObjectRef> objects;
        if (Status s = Objects(op.column, op.key, op.value, &objects); !s.ok()) return s;
        const std::string begin_k = OmapKey(op.column, op.key);
        const std::string end_k = OmapKey(op.column, op.value);
        for (const ObjectRef& o : objects) {
          Effect& e = effects[o.name];
          bool whole = o.start >= op.key && !o.end.empty() && o.end <= op.value &&
                       op.column != Column::kMeta &&
                       (op.column != Column::kIndex || o.name[0] == 'i');
          // A shard object with stream records keeps them (readable 24 h after DeleteTable).
          if (whole && op.column == Column::kData) {
            Result<bool> has = HasStreamRecords(o.name);
            if (!has.ok()) return has.status();
            whole = !*has;
          }
          if (whole) {
            e.clear = true;
            e.keys.clear();
            continue;
          }
          // Part of the object: its keys in range are removed one by one (read now).
          for (auto& [k, v] : e.keys)
            if (k >= begin_k && k < end_k) v = std::nullopt;
          std::string from = op.key;
          bool inclusive = true;
          while (true) {
            std::vector<std::pair<std::string, std::string>> page;
            bool more = false, retired = false;
            if (Status s = ReadPage(op.column, o.name, from, inclusive, op.value, kMaxPage, &page,
                                    &more, &retired);
                !s.ok())
              return s;
            if (retired) {  // split meanwhile (the map learnt it): plan the batch again
              *moved = true;
              return Status::IOError("rados: " + o.name + " was split; retry");
            }
            for (const auto& kv : page) e.keys[OmapKey(op.column, kv.first)] = std::nullopt;
            if (!more || page.empty()) break;
            from = page.back().first;
            inclusive = false;
          }
        }
        break;
      }
    }
  }
  // Each item's GSI changes: one outbox entry in the item's shard object, in its op.
  for (auto& [key, entry] : outbox) {
    if (entry.second.empty()) continue;
    const std::string object = ObjectFor(Column::kData, key).name;
    const std::string k = rados::OutboxKey(key, entry.first);
    std::string v = rados::EncodeOutboxEntry(entry.first, entry.second);
    effects[object].keys[k] = v;
    outbound.push_back({object, k, std::move(v)});
  }
  // After the write: apply what it put into outboxes (best effort: the drainer applies what is
  // left), and the backfill's changes (at the version of the item it read).
  // `only`: the objects written (a batch written by shard may fail after writing some).
  auto after = [&](Status s, const std::set<std::string>* only = nullptr) -> Status {
    if (!s.ok() && !only) return s;
    if (writer_applies_)
      for (const Outbound& o : outbound)
        if (!only || only->count(o.object))
          if (!outbox_->Apply(o.object, o.key, o.value).ok()) outbox_->Notify(o.object);
    if (!s.ok()) return s;
    if (!direct.empty()) {
      uint64_t version = 0;
      for (const auto& [object, keys] : reads.reads)
        for (const auto& [k, v] : keys)
          if (v) version = std::max(version, rados::VersionOf(*v));
      return outbox_->ApplyChanges(version ? version : rados::NextVersion(0), direct);
    }
    return s;
  };
  if (effects.empty()) return after(Status::OK());
  if (Status s = Register(ids); !s.ok()) return s;
  for (const auto& [name, e] : effects)
    if (rados::IsShardObject(name)) written->emplace_back(name, e.keys.size());
  const bool catalog_write = effects.count(kCatalogObject) > 0;
  // A transaction over several objects, written or only read (a ConditionCheck's item must not
  // change before the commit either; one object is one atomic op, guarded as any write), or any
  // with the test hold (so the hold happens while its items are held by intents).
  if (WriteScope::InTransaction() && !catalog_write) {
    std::set<std::string> touched;
    for (const auto& kv : effects) touched.insert(kv.first);
    for (const auto& kv : reads.reads) touched.insert(kv.first);
    // With a ClientRequestToken, always (its claim names the transaction's record).
    const std::optional<rados::TokenRef> token = tokens_->Current();
    if (touched.size() > 1 || WriteScope::HasOnPrepared() || token) {
      Status s = WriteTransaction(effects, &reads, conflict_wait_, token ? &*token : nullptr);
      // A prepare refused by a frozen or retired shard: placed again by the caller.
      if (!s.ok() && s.code() == Status::Code::kIOError)
        for (const std::string& name : touched)
          if (ShardMoved(name)) *moved = true;
      return after(s);
    }
  }
  // A batch over several shard objects: one guarded op per shard (rados_batch.h).
  if (WriteScope::InBatch() && !catalog_write) {
    size_t shards = 0;
    bool apart = false;  // PITR records: objects holding no item (stream records are in items' ops)
    for (const auto& [name, e] : effects) {
      bool items = false;
      for (const auto& kv : e.keys) items = items || rados::IsDataKey(kv.first);
      shards += items ? 1 : 0;
      apart = apart || !items;
    }
    if (shards > 1 && apart)  // atomic, so no record of an item not written (docs/rados.md)
      return after(WriteTransaction(effects, &reads, BatchHoldWait()));
    if (shards > 1) {
      std::set<std::string> shards_written;
      Status s = WriteBatchByShard(effects, reads, &shards_written);
      return after(s, &shards_written);
    }
  }
  std::unique_lock<std::mutex> catalog_lock(catalog_mu_, std::defer_lock);
  if (catalog_write) catalog_lock.lock();
  // The guarded object, applied first: the catalog's, else the one holding remembered reads (with
  // several, the others' guards are checked by reading them first: not atomic, rados_engine.h).
  std::string first;
  if (catalog_write) {
    first = kCatalogObject;
  } else {
    for (const auto& [name, keys] : reads.reads)
      if (effects.count(name)) {
        if (first.empty()) {
          first = name;
          continue;
        }
        librados::ObjectReadOperation check;
        std::set<std::string> wanted;
        for (const auto& kv : keys) wanted.insert(kv.first);
        std::map<std::string, librados::bufferlist> vals;
        int rval = 0;
        check.omap_get_vals_by_keys(wanted, &vals, &rval);
        int r = io_.operate(name, &check, nullptr);
        if (r < 0 && r != -ENOENT) return ToStatus(r, "read from", name);
        for (const auto& [k, v] : keys) {
          auto it = vals.find(k);
          const bool same = it == vals.end() ? !v
                                             : v && std::string_view(it->second.c_str(),
                                                                     it->second.length()) == *v;
          if (!same) return rados::Transactions::ItemChanged();
        }
      }
  }
  bool catalog_changed = false;
  auto guarded = [&](const std::string& name) -> Status {
    // The items this op reads or writes must not be held by a transaction (rados_txn.h).
    std::set<std::string> items;
    if (name != kCatalogObject) {
      for (const auto& kv : effects.at(name).keys) items.insert(kv.first);
      if (auto it = reads.reads.find(name); it != reads.reads.end())
        for (const auto& kv : it->second) items.insert(kv.first);
    }
    const bool shard = rados::IsShardObject(name);
    auto attempt = [&]() {
      librados::ObjectWriteOperation op;
      if (shard) rados::AddWritableGuard(&op);  // not frozen nor retired by a split
      AddGuards(name, &op, reads);
      rados::Transactions::AddNoIntentGuards(items, &op);
      effects.at(name).AddTo(&op);
      if (name == kCatalogObject) {
        librados::bufferlist v;
        const std::string next = Digits20(catalog_version_ + 1);
        v.append(next.data(), next.size());
        op.setxattr(kCatalogVersion, v);
      }
      return io_.operate(name, &op);
    };
    int r = attempt();
    if (r == -ENOENT) {
      // The OSD refuses a guard on a missing object (even one the same op creates): create it
      // empty (what the guards saw: every key absent), then guard again.
      librados::ObjectWriteOperation create;
      create.create(false);
      r = io_.operate(name, &create);
      if (r < 0) return ToStatus(r, "write to", name);
      r = attempt();
    }
    if (r == -ECANCELED && name != kCatalogObject) {
      // A transaction's intent (finish it if decided or abandoned, else wait, bounded), or a value.
      // A batch waits for the transaction, as it does on one server (RocksDB's LockMany).
      const auto wait = WriteScope::InBatch() ? BatchHoldWait() : conflict_wait_;
      switch (txns_->Resolve(name, items, wait)) {
        case rados::Transactions::Held::kHeld:
          return Status::Busy("a transaction of another server holds the item");
        case rados::Transactions::Held::kResolved:
          r = attempt();
          break;
        case rados::Transactions::Held::kNone:
          break;
      }
    }
    if (r == -ECANCELED && ShardMoved(name)) {
      *moved = true;
      return Status::IOError("rados: " + name + " is being split; retry");
    }
    if (r == -ECANCELED) {
      if (name == kCatalogObject) {
        std::lock_guard<std::mutex> lock(mu_);
        reload_wanted_ = true;
        cv_.notify_all();
        return Status::IOError(
            "rados: the catalog was changed by another server; this one reloads it, retry");
      }
      return rados::Transactions::ItemChanged();
    }
    if (r < 0) return ToStatus(r, "write to", name);
    if (name == kCatalogObject) {
      ++catalog_version_;
      catalog_changed = true;
    }
    return Status::OK();
  };
  // Tell the other servers, and wait (bounded) until each reloaded its catalog.
  auto announce = [&]() {
    if (!catalog_changed) return;
    librados::bufferlist none;
    io_.notify2(kCatalogObject, none, 2000, nullptr);
  };
  if (effects.size() == 1) {  // one object: one atomic op, its guards in it
    const std::string& name = effects.begin()->first;
    bool items = false;  // a blind item write is guarded too: on "no intent"
    for (const auto& kv : effects.begin()->second.keys)
      items = items || rados::Transactions::IsDataKey(kv.first);
    if (name == kCatalogObject || reads.reads.count(name) || items) {
      Status s = guarded(name);
      if (catalog_lock.owns_lock()) catalog_lock.unlock();
      if (s.ok()) announce();
      return after(s);
    }
    librados::ObjectWriteOperation op;
    const bool shard = rados::IsShardObject(name);
    if (shard) rados::AddWritableGuard(&op);
    effects.begin()->second.AddTo(&op);
    int r = io_.operate(name, &op);
    if (r == -ENOENT && shard) {  // a guard on a missing object fails: create it, then again
      librados::ObjectWriteOperation create;
      create.create(false);
      r = io_.operate(name, &create);
      if (r >= 0) {
        librados::ObjectWriteOperation again;
        rados::AddWritableGuard(&again);
        effects.begin()->second.AddTo(&again);
        r = io_.operate(name, &again);
      }
    }
    if (r == -ECANCELED && ShardMoved(name)) {
      *moved = true;
      return Status::IOError("rados: " + name + " is being split; retry");
    }
    return after(r < 0 ? ToStatus(r, "write to", name) : Status::OK());
  }
  // Several objects: redo record, the guarded object's op, the others, remove the record.
  const std::string name = Digits20(next_record_.fetch_add(1));
  {
    librados::ObjectWriteOperation op;
    librados::bufferlist bl;
    const std::string record = EncodeEffects(effects);
    bl.append(record.data(), record.size());
    op.omap_set({{name, bl}});
    int r = io_.operate(redo_, &op);
    if (r < 0) return ToStatus(r, "write to", redo_);
  }
  auto remove_record = [&]() -> Status {
    librados::ObjectWriteOperation rm;
    rm.omap_rm_keys({name});
    int r = io_.operate(redo_, &rm);
    if (r < 0) {
      // Applied but still logged: a replay would repeat it over later writes.
      poisoned_.store(true);
      return ToStatus(r, "write to", redo_);
    }
    return Status::OK();
  };
  if (!first.empty()) {
    if (Status s = guarded(first); !s.ok()) {
      // Nothing applied: drop the record (if that fails, a replay would apply a refused batch).
      if (Status rs = remove_record(); !rs.ok()) return rs;
      return s;
    }
    effects.erase(first);
  }
  if (Status s = Apply(effects); !s.ok()) {
    poisoned_.store(true);
    return s;
  }
  if (Status s = remove_record(); !s.ok()) return s;
  if (catalog_lock.owns_lock()) catalog_lock.unlock();
  announce();
  return after(Status::OK());
}

void RadosEngine::AddStreamRecord(const WriteBatch::Op& op, uint64_t base_us, uint32_t index,
                                  Effects* effects) {
  const std::string object = ObjectFor(Column::kData, std::string_view(op.key).substr(4)).name;
  (*effects)[object].keys[rados::PendingRecordKey(IdOf(op.key), base_us, index)] = op.value;
}

Result<bool> RadosEngine::HasStreamRecords(const std::string& object) {
  librados::ObjectReadOperation op;
  std::map<std::string, librados::bufferlist> vals;
  bool more = false;
  int rval = 0;
  const std::string prefix(1, char(rados::kStreamCounterByte));
  op.omap_get_vals2("", prefix, 1, &vals, &more, &rval);
  int r = io_.operate(object, &op, nullptr);
  if (r == -ENOENT) return false;
  if (r < 0) return ToStatus(r, "read from", object);
  return !vals.empty();
}

uint64_t RadosEngine::RememberedVersion(const Remembered& reads, const std::string& object,
                                        std::string_view key) {
  auto o = reads.reads.find(object);
  if (o == reads.reads.end()) return 0;
  auto k = o->second.find(OmapKey(Column::kData, key));
  if (k == o->second.end() || !k->second) return 0;
  return rados::VersionOf(*k->second);
}

Status RadosEngine::WriteTransaction(const Effects& effects, Remembered* reads,
                                     std::chrono::milliseconds hold_wait,
                                     const rados::TokenRef* token) {
  rados::Changes changes;
  for (const auto& [name, e] : effects) {
    if (e.clear) return Status::IOError("rados: a transaction cannot clear an object");
    changes[name].keys = e.keys;
  }
  return txns_->Run(changes, reads->reads, hold_wait, token);
}

Status RadosEngine::WriteBatchByShard(const Effects& effects, const Remembered& reads,
                                      std::set<std::string>* written) {
  rados::Changes changes;
  for (const auto& [name, e] : effects) {
    if (e.clear) return Status::IOError("rados: a batch cannot clear an object");
    changes[name].keys = e.keys;
  }
  return rados::WriteShards(
      &io_, txns_.get(), changes, reads.reads, BatchHoldWait(),
      [this](const std::string& object) { return ShardMoved(object); }, written);
}

Result<std::unique_ptr<Snapshot>> RadosEngine::GetSnapshotOf(Column c,
                                                             const std::vector<std::string>& keys) {
  if (c != Column::kData || keys.empty()) return GetSnapshot();
  for (int follow = 0;; ++follow) {
    std::map<std::string, std::vector<std::string>> by_object;
    for (const auto& k : keys) by_object[ObjectFor(c, k).name].push_back(k);
    std::map<std::string, std::string> retired;  // shard objects a split retired meanwhile
    auto snapshot = txns_->ReadConsistent(by_object, conflict_wait_, &retired);
    if (retired.empty()) return snapshot;
    reads_followed_.fetch_add(1);
    if (follow >= kFollowAttempts) return Status::IOError("rados: shards kept splitting; retry");
    for (const auto& [object, state] : retired) NoteShardState(object, state);
  }
}

void RadosEngine::AddGuards(const std::string& object, librados::ObjectWriteOperation* op,
                            const Remembered& reads) {
  if (object == kCatalogObject) {
    // REQUIRES: catalog_mu_ held. An absent xattr compares as "" (version 0, never written).
    librados::bufferlist v;
    if (catalog_version_ != 0) {
      const std::string digits = Digits20(catalog_version_);
      v.append(digits.data(), digits.size());
    }
    op->cmpxattr(kCatalogVersion, LIBRADOS_CMPXATTR_OP_EQ, v);
    return;
  }
  auto it = reads.reads.find(object);
  if (it == reads.reads.end()) return;
  // An absent key compares as empty; an item value never is (docs/rados.md section 1).
  std::map<std::string, std::pair<librados::bufferlist, int>> cmp;
  for (const auto& [k, v] : it->second) {
    librados::bufferlist bl;
    if (v) bl.append(v->data(), v->size());
    cmp.emplace(k, std::make_pair(std::move(bl), int(LIBRADOS_CMPXATTR_OP_EQ)));
  }
  op->omap_cmp(cmp, nullptr);
}

Status RadosEngine::Replay(const std::string& redo) {
  while (true) {
    std::map<std::string, librados::bufferlist> records;
    bool more = false;
    librados::ObjectReadOperation op;
    int rval = 0;
    op.omap_get_vals2("", 16, &records, &more, &rval);
    int r = io_.operate(redo, &op, nullptr);
    if (r == -ENOENT || (r >= 0 && records.empty())) break;
    if (r < 0) return ToStatus(r, "read from", redo);
    for (auto& [name, bl] : records) {
      Effects effects;
      if (!DecodeEffects(std::string_view(bl.c_str(), bl.length()), &effects))
        return Status::Corruption("rados: redo record " + redo + "/" + name + " cannot be decoded");
      if (Status s = Apply(effects); !s.ok()) return s;
      librados::ObjectWriteOperation rm;
      rm.omap_rm_keys({name});
      r = io_.operate(redo, &rm);
      if (r < 0) return ToStatus(r, "write to", redo);
    }
  }
  return Status::OK();
}

void WatchRadosCatalog(Engine* engine, std::function<Status()> reload) {
  if (auto* e = dynamic_cast<RadosEngine*>(engine)) e->OnCatalogChange(std::move(reload));
}

Result<std::unique_ptr<Engine>> OpenRadosEngine(const RadosOptions& options) {
  return RadosEngine::Open(options);
}

}  // namespace cairn::storage
