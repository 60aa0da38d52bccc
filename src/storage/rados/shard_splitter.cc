// See shard_splitter.h.
#include "storage/rados/shard_splitter.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>

#include "storage/rados/rados_layout.h"
#include "storage/rados/rados_ops.h"
#include "storage/rados/rados_wire.h"
#include "storage/rados/shard_state.h"

namespace cairn::storage::rados {
namespace {

constexpr const char* kSplitLease = "cairn.split";
constexpr int kSplitLeaseSeconds = 10;
constexpr auto kRenewEvery = std::chrono::seconds(3);
constexpr size_t kSyncPage = 64;  // items are up to 400 KB: a page is at most ~25 MB
constexpr size_t kFlushEvery = 128;
// How long a frozen parent waits for the transaction intents in it to be applied or removed.
constexpr auto kIntentWait = std::chrono::seconds(2);

Status Failed(int r, std::string_view what, std::string_view oid) {
  return OpFailed(r, "split: " + std::string(what), oid);
}

std::string Str(const librados::bufferlist& bl) { return bl.to_str(); }

// The keys a split moves to the children: items (0x01), LSI entries (0x02), GSI outbox entries
// (0x10) and transaction intents (0x11), each an engine key (id, hash, ...) after its byte. The
// header (0x00) and stream records (0x03) stay in the parent.
bool Moves(std::string_view omap_key) {
  if (omap_key.size() < 13) return false;
  const char b = omap_key[0];
  return b == 0x01 || b == 0x02 || b == 0x10 || b == 0x11;
}

// Pages through one object's omap in key order.
class OmapReader {
 public:
  OmapReader(librados::IoCtx* io, std::string object) : io_(io), object_(std::move(object)) {}
  // The next key (skipping the header keys), or false at the end; errors in status().
  bool Next(std::string* key, std::string* value) {
    while (true) {
      if (pos_ != page_.end()) {
        *key = pos_->first;
        *value = Str(pos_->second);
        ++pos_;
        if (!key->empty() && (*key)[0] == 0x00) continue;
        return true;
      }
      if (done_) return false;
      page_.clear();
      bool more = false;
      int rval = 0;
      librados::ObjectReadOperation op;
      op.omap_get_vals2(after_, kSyncPage, &page_, &more, &rval);
      int r = io_->operate(object_, &op, nullptr);
      if (r == -ENOENT) r = 0;
      if (r < 0) {
        status_ = Failed(r, "read from", object_);
        done_ = true;
        return false;
      }
      if (page_.empty() || !more) done_ = true;
      if (!page_.empty()) after_ = page_.rbegin()->first;
      pos_ = page_.begin();
      if (page_.empty()) return false;
    }
  }
  const Status& status() const { return status_; }

 private:
  librados::IoCtx* io_;
  std::string object_;
  std::string after_;
  std::map<std::string, librados::bufferlist> page_;
  std::map<std::string, librados::bufferlist>::iterator pos_ = page_.end();
  bool done_ = false;
  Status status_;
};

// A child's pending changes, written in ops guarded on the child being "s" (syncing).
struct ChildWriter {
  librados::IoCtx* io;
  std::string object;
  std::string syncing;  // the child's state while this splitter owns it: "s:<token>"
  std::map<std::string, librados::bufferlist> set;
  std::set<std::string> rm;
  Status Flush() {
    if (set.empty() && rm.empty()) return Status::OK();
    librados::ObjectWriteOperation op;
    op.omap_cmp({{kStateKey, {Bl(syncing), int(LIBRADOS_CMPXATTR_OP_EQ)}}}, nullptr);
    if (!rm.empty()) op.omap_rm_keys(rm);
    if (!set.empty()) op.omap_set(set);
    int r = io->operate(object, &op);
    set.clear();
    rm.clear();
    if (r == -ECANCELED)
      return Status::Aborted("rados: split: child " + object + " is live or another's");
    return r < 0 ? Failed(r, "write to", object) : Status::OK();
  }
  Status Set(const std::string& k, const std::string& v) {
    set[k] = Bl(v);
    return set.size() + rm.size() >= kFlushEvery ? Flush() : Status::OK();
  }
  Status Remove(const std::string& k) {
    rm.insert(k);
    return set.size() + rm.size() >= kFlushEvery ? Flush() : Status::OK();
  }
};

}  // namespace

// ---- ShardMaps --------------------------------------------------------------------------------

Status ShardMaps::Load(const std::string& owner, ShardMap* out) {
  const int r = ForEachOmapKey(io_, MapObject(owner), [&](const std::string& k) {
    Shard s;
    if (Shard::Parse(k, &s)) out->Learn(s);
  });
  return r < 0 ? Failed(r, "read from", MapObject(owner)) : Status::OK();
}

std::shared_ptr<const ShardMap> ShardMaps::Get(const std::string& owner) {
  const auto now = std::chrono::steady_clock::now();
  std::shared_ptr<const ShardMap> cached;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = maps_.find(owner);
    if (it != maps_.end()) {
      if (now - it->second.loaded < kMapRefresh) return it->second.map;
      cached = it->second.map;
      it->second.loaded = now;  // one reader refreshes; the others use the cached map meanwhile
    }
  }
  ShardMap loaded(initial_depth_);
  const bool ok = Load(owner, &loaded).ok();
  std::lock_guard<std::mutex> lock(mu_);
  Cached& slot = maps_[owner];
  if (!slot.map) {
    if (!ok) {
      maps_.erase(owner);  // read again next time
      return std::make_shared<const ShardMap>(std::move(loaded));
    }
    slot.map = std::make_shared<const ShardMap>(std::move(loaded));
    slot.loaded = now;
    return slot.map;
  }
  // Learnt or loaded meanwhile: merge (maps only grow).
  bool changed = false;
  auto merged = std::make_shared<ShardMap>(*slot.map);
  for (const Shard& s : loaded.retired()) changed = merged->Learn(s) || changed;
  if (changed) slot.map = std::move(merged);
  (void)cached;
  return slot.map;
}

std::vector<Shard> ShardMaps::AllShards(const std::string& owner) {
  ShardMap fresh(initial_depth_);
  if (Load(owner, &fresh).ok())
    for (const Shard& s : fresh.retired()) Learn(owner, s);
  return Get(owner)->AllShards();
}

void ShardMaps::Learn(const std::string& owner, Shard retired) {
  auto current = Get(owner);
  if (current->IsRetired(retired)) return;
  std::lock_guard<std::mutex> lock(mu_);
  Cached& slot = maps_[owner];
  auto next = std::make_shared<ShardMap>(slot.map ? *slot.map : *current);
  if (!next->Learn(retired)) return;
  slot.map = std::move(next);
  if (slot.loaded == std::chrono::steady_clock::time_point{})
    slot.loaded = std::chrono::steady_clock::now();
}

Status ShardMaps::Publish(const std::string& owner, Shard retired) {
  librados::ObjectWriteOperation op;
  op.omap_set({{retired.Name(), Bl(std::to_string(NowSeconds()))}});
  int r = io_->operate(MapObject(owner), &op);
  if (r < 0) return Failed(r, "write to", MapObject(owner));
  Learn(owner, retired);
  return Status::OK();
}

// ---- ShardSplitter ----------------------------------------------------------------------------

ShardSplitter::ShardSplitter(librados::IoCtx* io, ShardMaps* maps, std::string cookie,
                             uint64_t shard_keys)
    : io_(io),
      maps_(maps),
      cookie_(std::move(cookie)),
      shard_keys_(shard_keys),
      check_every_(std::max<uint64_t>(16, shard_keys / 8)) {
  if (const char* p = std::getenv("CAIRN_RADOS_TEST_SPLIT_PAUSE"); p && *p)
    test_pause_seconds_ = std::atof(p);
}

void ShardSplitter::Start() { thread_ = std::thread([this] { Loop(); }); }

void ShardSplitter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ShardSplitter::Wrote(const std::string& object, size_t keys) {
  if (shard_keys_ == 0 || object.empty() || (object[0] != 't' && object[0] != 'i')) return;
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t& n = written_[object];
  n += keys;
  if (n < check_every_) return;
  n = 0;
  due_.insert(object);
  cv_.notify_all();
}

void ShardSplitter::Suspect(const std::string& object) {
  if (object.empty() || (object[0] != 't' && object[0] != 'i')) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (suspects_.size() < 4096) suspects_.insert(object);
}

void ShardSplitter::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  auto last_round = std::chrono::steady_clock::now();
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_ || !due_.empty(); });
    if (stopping_) break;
    std::set<std::string> due;
    std::swap(due, due_);
    // Once a second: retry the suspects (frozen shards whose splitter may have died).
    std::set<std::string> suspects;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_round >= std::chrono::seconds(1)) {
      suspects = suspects_;
      last_round = now;
    }
    lock.unlock();
    for (const std::string& object : due) (void)Check(object);  // failures: a later check
    for (const std::string& object : suspects) {
      std::string state;
      bool exists = false;
      if (!ReadState(object, &state, &exists).ok()) continue;
      // Still copying or frozen: finish it if its lease is ours to take (the check does).
      if (exists && (state == kCopying || IsFrozen(state))) {
        (void)Check(object);
        if (!ReadState(object, &state, &exists).ok()) continue;
      }
      if (!exists || state.empty() || IsRetired(state)) {
        std::lock_guard<std::mutex> l(mu_);
        suspects_.erase(object);
      }
    }
    lock.lock();
  }
}

Status ShardSplitter::ReadState(const std::string& object, std::string* state, bool* exists) {
  librados::ObjectReadOperation op;
  std::map<std::string, librados::bufferlist> vals;
  int rval = 0;
  op.omap_get_vals_by_keys({kStateKey}, &vals, &rval);
  int r = io_->operate(object, &op, nullptr);
  *exists = r != -ENOENT;
  state->clear();
  if (r == -ENOENT) return Status::OK();
  if (r < 0) return Failed(r, "read from", object);
  if (auto it = vals.find(kStateKey); it != vals.end()) *state = Str(it->second);
  return Status::OK();
}

Status ShardSplitter::CountKeys(const std::string& object, uint64_t* n, bool* one_hash) {
  *n = 0;
  *one_hash = true;
  std::optional<uint64_t> first_hash;
  const int r = ForEachOmapKey(io_, object, [&](const std::string& k) {
    ++*n;
    if (!Moves(k)) return;
    const uint64_t hash = HashOf(std::string_view(k).substr(1));
    if (!first_hash) first_hash = hash;
    if (hash != *first_hash) *one_hash = false;
  });
  return r < 0 ? Failed(r, "read from", object) : Status::OK();
}

bool ShardSplitter::RenewLease(const std::string& object, bool first) {
  const auto now = std::chrono::steady_clock::now();
  if (!first && now - renewed_ < kRenewEvery) return true;
  struct timeval duration = {kSplitLeaseSeconds, 0};
  int r = io_->lock_exclusive(object, kSplitLease, cookie_, "cairn split", &duration,
                              first ? LIBRADOS_LOCK_FLAG_MAY_RENEW : LIBRADOS_LOCK_FLAG_MUST_RENEW);
  if (r < 0) return false;
  renewed_ = now;
  return true;
}

// Sets the state of `object` from `expected` ("" = absent) to `*next` (nullptr = remove).
Status ShardSplitter::SetState(const std::string& object, const std::string& expected,
                               const std::string* next) {
  librados::ObjectWriteOperation op;
  op.omap_cmp({{kStateKey, {Bl(expected), int(LIBRADOS_CMPXATTR_OP_EQ)}}}, nullptr);
  if (next) {
    op.omap_set({{kStateKey, Bl(*next)}});
  } else {
    op.omap_rm_keys({kStateKey});
  }
  int r = io_->operate(object, &op);
  if (r == -ECANCELED) return Status::Aborted("rados: split: " + object + " changed state");
  return r < 0 ? Failed(r, "write to", object) : Status::OK();
}

Status ShardSplitter::Check(const std::string& object) {
  std::string owner;
  Shard shard;
  if (!ParseShardObject(object, &owner, &shard)) return Status::OK();
  if (shard.depth >= kMaxShardDepth) return Status::OK();
  counters_.checks.fetch_add(1);
  std::string state;
  bool exists = false;
  if (Status s = ReadState(object, &state, &exists); !s.ok() || !exists) return s;
  if (IsRetired(state)) {  // published? (a crash between the retirement and the map write)
    if (!maps_->Get(owner)->IsRetired(shard)) return maps_->Publish(owner, shard);
    return Status::OK();
  }
  if (state.empty()) {
    uint64_t n = 0;
    bool one_hash = true;
    if (Status s = CountKeys(object, &n, &one_hash); !s.ok()) return s;
    librados::ObjectWriteOperation op;  // the approximate count, while it is still writable
    AddWritableGuard(&op);
    op.omap_set({{kCountKey, Bl(std::to_string(n))}});
    io_->operate(object, &op);
    if (n <= shard_keys_) return Status::OK();
    // Keys that all have one hash (one partition key with many items) stay together whatever
    // the split: splitting would only make empty shards, at every depth. The shard stays whole.
    // (Keys of several partitions that share the next bits split into an empty child and a
    // full one, which splits again at its next check, until they part.)
    if (one_hash) {
      counters_.unsplittable.fetch_add(1);
      return Status::OK();
    }
  }
  if (!state.empty() && state != kCopying && !IsFrozen(state)) return Status::OK();  // a child
  if (!RenewLease(object, true)) return Status::OK();  // another server splits it
  Status s = Split(object, owner, shard, state);
  io_->unlock(object, kSplitLease, cookie_);
  if (!s.ok())
    std::fprintf(stderr, "rados: split of %s not done: %s\n", object.c_str(),
                 s.ToString().c_str());
  return s;
}

Status ShardSplitter::Split(const std::string& object, const std::string& owner, Shard shard,
                            const std::string& seen_state) {
  // Under the lease: read the state again (the size check ran before it).
  std::string state;
  bool exists = false;
  if (Status s = ReadState(object, &state, &exists); !s.ok()) return s;
  if (IsRetired(state)) return maps_->Publish(owner, shard);
  if (!state.empty() && state != kCopying && !IsFrozen(state)) return Status::OK();
  const bool resumed = !state.empty();
  (void)seen_state;
  const auto [low, high] = shard.Children();
  const std::string children[2] = {owner + "." + low.Name(), owner + "." + high.Name()};
  // 1. Copying; the children, created syncing (or found from an earlier attempt).
  if (state.empty()) {
    const std::string next = kCopying;
    if (Status s = SetState(object, "", &next); !s.ok()) return s;
    state = next;
  }
  // The children's state names this attempt: a splitter that lost its lease (stalled) then
  // fails every write to them.
  const std::string syncing =
      std::string(kSyncing) + ":" + cookie_ + "." + std::to_string(++attempts_);
  bool children_live = false;
  for (const std::string& child : children) {
    librados::ObjectWriteOperation create;
    create.create(true);
    create.omap_set({{kStateKey, Bl(syncing)}});
    int r = io_->operate(child, &create);
    if (r == -EEXIST) {
      std::string cs;
      bool ce = false;
      if (Status s = ReadState(child, &cs, &ce); !s.ok()) return s;
      if (cs.empty()) {
        children_live = true;  // activated before a crash: only the retirement remains
        continue;
      }
      if (cs[0] != kSyncing[0])
        return Status::Corruption("rados: split: child " + child + " in state " + cs);
      if (Status s = SetState(child, cs, &syncing); !s.ok()) return s;  // ours now
      continue;
    }
    if (r < 0) return Failed(r, "creating", child);
  }
  if (children_live && !IsFrozen(state))
    return Status::Corruption("rados: split: children of " + object + " live, parent not frozen");
  if (!children_live) {
    // 2. The copy, while writes go on (skipped when resuming a frozen parent).
    uint64_t n = 0;
    if (!IsFrozen(state)) {
      if (Status s = Sync(object, shard.depth + 1, children, syncing, &n); !s.ok()) return s;
      // 3. Freeze.
      const std::string next = kFrozen;
      if (Status s = SetState(object, kCopying, &next); !s.ok()) return s;
      state = next;
      if (test_pause_seconds_ > 0) {
        std::fprintf(stderr, "rados: split of %s frozen, pausing %.1f s (test hook)\n",
                     object.c_str(), test_pause_seconds_);
        std::fflush(stderr);
        std::this_thread::sleep_for(std::chrono::duration<double>(test_pause_seconds_));
        test_pause_seconds_ = 0;
      }
    }
    if (!RenewLease(object, false)) return Status::Busy("rados: split: lease lost");
    // No transaction may hold an item of the parent: its apply would write the parent after
    // the last copy. Prepares fail on the frozen state, so the intents only go.
    const auto deadline = std::chrono::steady_clock::now() + kIntentWait;
    while (true) {
      std::map<std::string, librados::bufferlist> intents;
      bool more = false;
      int rval = 0;
      librados::ObjectReadOperation op;
      op.omap_get_vals2("", std::string(1, 0x11), 1, &intents, &more, &rval);
      int r = io_->operate(object, &op, nullptr);
      if (r < 0) return Failed(r, "read from", object);
      const bool held = !intents.empty();
      if (!held) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        const std::string back = kCopying;
        (void)SetState(object, kFrozen, &back);
        counters_.gave_up.fetch_add(1);
        return Status::Busy("rados: split: transaction intents stayed in " + object);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (Status s = Sync(object, shard.depth + 1, children, syncing, &n); !s.ok()) return s;
    // 4. The children live, then the parent retired: the commit point.
    for (const std::string& child : children) {
      Status s = SetState(child, syncing, nullptr);
      if (!s.ok() && s.code() != Status::Code::kAborted) return s;
    }
  }
  const std::string retired = std::string(1, kRetiredPrefix) + ":" + low.Name() + "," + high.Name();
  if (Status s = SetState(object, kFrozen, &retired); !s.ok()) return s;
  if (Status s = maps_->Publish(owner, shard); !s.ok()) return s;
  counters_.splits.fetch_add(1);
  if (resumed) counters_.resumed.fetch_add(1);
  std::fprintf(stderr, "rados: split %s into %s and %s%s\n", object.c_str(), children[0].c_str(),
               children[1].c_str(), resumed ? " (resumed)" : "");
  // The children may be past the bound themselves.
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& child : children) due_.insert(child);
  suspects_.erase(object);
  return Status::OK();
}

Status ShardSplitter::Sync(const std::string& parent, int child_depth,
                           const std::string child_names[2], const std::string& syncing,
                           uint64_t* parent_keys) {
  *parent_keys = 0;
  OmapReader from(io_, parent);
  OmapReader child_readers[2] = {OmapReader(io_, child_names[0]), OmapReader(io_, child_names[1])};
  ChildWriter writers[2] = {{io_, child_names[0], syncing, {}, {}},
                            {io_, child_names[1], syncing, {}, {}}};
  // Each child's next unconsumed key (valid when has[i]).
  std::string next_key[2], next_value[2];
  bool has[2];
  for (int i = 0; i < 2; ++i) has[i] = child_readers[i].Next(&next_key[i], &next_value[i]);
  std::string k, v;
  while (from.Next(&k, &v)) {
    ++*parent_keys;
    if (!Moves(k)) continue;
    if (!RenewLease(parent, false)) return Status::Busy("rados: split: lease lost");
    const int c = int((HashOf(std::string_view(k).substr(1)) >> (64 - child_depth)) & 1);
    // Keys of the child before k are not in the parent (any more).
    while (has[c] && next_key[c] < k) {
      if (Status s = writers[c].Remove(next_key[c]); !s.ok()) return s;
      has[c] = child_readers[c].Next(&next_key[c], &next_value[c]);
    }
    if (has[c] && next_key[c] == k) {
      if (next_value[c] != v)
        if (Status s = writers[c].Set(k, v); !s.ok()) return s;
      has[c] = child_readers[c].Next(&next_key[c], &next_value[c]);
    } else {
      if (Status s = writers[c].Set(k, v); !s.ok()) return s;
    }
  }
  if (!from.status().ok()) return from.status();
  for (int c = 0; c < 2; ++c) {
    while (has[c]) {
      if (Status s = writers[c].Remove(next_key[c]); !s.ok()) return s;
      has[c] = child_readers[c].Next(&next_key[c], &next_value[c]);
    }
    if (!child_readers[c].status().ok()) return child_readers[c].status();
    if (Status s = writers[c].Flush(); !s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace cairn::storage::rados
