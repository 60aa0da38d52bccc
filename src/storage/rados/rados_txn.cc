// Transactions on RADOS (rados_txn.h; docs/rados.md section 6). Internals: the record's encoding,
// parallel ops (aio_operate), the coordinator, recovery, the read-and-validate.
#include "storage/rados/rados_txn.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include "storage/rados/rados_layout.h"
#include "storage/rados/rados_wire.h"
#include "storage/rados/shard_state.h"
#include "storage/write_scope.h"
#include "util/big_endian.h"

namespace cairn::storage::rados {
namespace {

constexpr const char* kLockName = "cairn.txn";
constexpr int kLedgers = 16;
constexpr int kReadAttempts = 8;
constexpr int kFinishAttempts = 4;
const std::string kPending = "PENDING", kCommitted = "COMMITTED", kCancelled = "CANCELLED";

Status Fail(int r, std::string_view what, std::string_view oid) {
  std::string msg =
      "rados: " + std::string(what) + " " + std::string(oid) + ": " + std::strerror(-r);
  if (r == -ETIMEDOUT || r == -EAGAIN || r == -EBUSY) return Status::Busy(msg);
  return Status::IOError(msg);
}

std::string Str(const librados::bufferlist& bl) { return bl.to_str(); }



// "ops": u32 objects; per object: name, u32 keys; per key: key, u8 has value, value.
std::string EncodeOps(const Changes& c) {
  std::string out;
  AppendBigEndian32(&out, uint32_t(c.size()));
  for (const auto& [name, ch] : c) {
    AppendBytes(&out, name);
    AppendBigEndian32(&out, uint32_t(ch.keys.size()));
    for (const auto& [k, v] : ch.keys) {
      AppendBytes(&out, k);
      out.push_back(v ? 1 : 0);
      if (v) AppendBytes(&out, *v);
    }
  }
  return out;
}
bool DecodeOps(std::string_view in, Changes* out) {
  if (in.size() < 4) return false;
  uint32_t objects = ReadBigEndian32(in);
  in.remove_prefix(4);
  for (uint32_t i = 0; i < objects; ++i) {
    std::string name;
    if (!TakeBytes(&in, &name) || in.size() < 4) return false;
    uint32_t keys = ReadBigEndian32(in);
    in.remove_prefix(4);
    ObjectChange& ch = (*out)[name];
    for (uint32_t j = 0; j < keys; ++j) {
      std::string k, v;
      if (!TakeBytes(&in, &k) || in.empty()) return false;
      const bool has = in[0] != 0;
      in.remove_prefix(1);
      if (has && !TakeBytes(&in, &v)) return false;
      ch.keys[k] = has ? std::optional<std::string>(std::move(v)) : std::nullopt;
    }
  }
  return in.empty();
}
// "intents": u32 objects; per object: name, u32 keys, keys.
std::string EncodeIntents(const std::map<std::string, std::set<std::string>>& m) {
  std::string out;
  AppendBigEndian32(&out, uint32_t(m.size()));
  for (const auto& [name, keys] : m) {
    AppendBytes(&out, name);
    AppendBigEndian32(&out, uint32_t(keys.size()));
    for (const auto& k : keys) AppendBytes(&out, k);
  }
  return out;
}
bool DecodeIntents(std::string_view in, std::map<std::string, std::set<std::string>>* out) {
  if (in.size() < 4) return false;
  uint32_t objects = ReadBigEndian32(in);
  in.remove_prefix(4);
  for (uint32_t i = 0; i < objects; ++i) {
    std::string name;
    if (!TakeBytes(&in, &name) || in.size() < 4) return false;
    uint32_t keys = ReadBigEndian32(in);
    in.remove_prefix(4);
    for (uint32_t j = 0; j < keys; ++j) {
      std::string k;
      if (!TakeBytes(&in, &k)) return false;
      (*out)[name].insert(std::move(k));
    }
  }
  return in.empty();
}

// Ops on several objects at once (aio_operate); results in order.
class Parallel {
 public:
  explicit Parallel(librados::IoCtx* ctx) : io(ctx) {}
  struct Release {
    void operator()(librados::AioCompletion* c) const { c->release(); }
  };
  librados::IoCtx* io;
  std::vector<std::unique_ptr<librados::AioCompletion, Release>> done;
  std::vector<int> started;

  void Write(const std::string& oid, librados::ObjectWriteOperation* op) {
    done.emplace_back(librados::Rados::aio_create_completion());
    started.push_back(io->aio_operate(oid, done.back().get(), op));
  }
  void Read(const std::string& oid, librados::ObjectReadOperation* op) {
    done.emplace_back(librados::Rados::aio_create_completion());
    started.push_back(io->aio_operate(oid, done.back().get(), op, nullptr));
  }
  // Waits for all; returns each op's result; *versions (if given) each object's version.
  std::vector<int> Wait(std::vector<uint64_t>* versions = nullptr) {
    std::vector<int> out;
    for (size_t i = 0; i < done.size(); ++i) {
      if (started[i] < 0) {
        out.push_back(started[i]);
        if (versions) versions->push_back(0);
        continue;
      }
      done[i]->wait_for_complete();
      out.push_back(done[i]->get_return_value());
      if (versions) versions->push_back(done[i]->get_version64());
    }
    return out;
  }
};

// omap_cmp(key == value) for each; value "" for an absent key.
void AddCmpEq(const std::map<std::string, std::string>& eq, librados::ObjectWriteOperation* op) {
  if (eq.empty()) return;
  std::map<std::string, std::pair<librados::bufferlist, int>> cmp;
  for (const auto& [k, v] : eq) cmp.emplace(k, std::make_pair(Bl(v), int(LIBRADOS_CMPXATTR_OP_EQ)));
  op->omap_cmp(cmp, nullptr);
}

void AddChange(const ObjectChange& ch, librados::ObjectWriteOperation* op) {
  std::set<std::string> rm;
  std::map<std::string, librados::bufferlist> set;
  for (const auto& [k, v] : ch.keys) {
    if (v)
      set.emplace(k, Bl(*v));
    else
      rm.insert(k);
  }
  if (!rm.empty()) op->omap_rm_keys(rm);
  if (!set.empty()) op->omap_set(set);
}

}  // namespace

Status Transactions::ItemChanged() {
  WriteScope::MarkChanged();
  return Status::IOError("rados: the item changed meanwhile (another server wrote it); retry");
}

std::string Transactions::IntentKey(const std::string& data_omap_key) {
  std::string k = data_omap_key;
  k[0] = char(kIntentByte);
  return k;
}

void Transactions::AddNoIntentGuards(const std::set<std::string>& data_keys,
                                     librados::ObjectWriteOperation* op) {
  std::map<std::string, std::string> eq;
  for (const auto& k : data_keys)
    if (IsDataKey(k)) eq.emplace(IntentKey(k), std::string());
  AddCmpEq(eq, op);
}

std::string Transactions::LedgerOf(const std::string& id) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : id) h = (h ^ c) * 16777619u;
  return "xlog." + std::to_string(h % kLedgers);
}

Transactions::Counters Transactions::counters() const {
  Counters c;
  c.committed = committed_.load();
  c.cancelled = cancelled_.load();
  c.conflicts = conflicts_.load();
  c.recovered = recovered_.load();
  c.read_retries = read_retries_.load();
  return c;
}

Status Transactions::Run(const Changes& changes, const Reads& reads) {
  for (int attempt = 0;; ++attempt) {
    const std::string id =
        server_ + "." + std::to_string(NowMicros()) + "." + std::to_string(next_.fetch_add(1));
    const std::string rec = "x." + id;
    Record r;
    r.ops = changes;
    for (const auto& [obj, keys] : reads)
      for (const auto& kv : keys)
        if (IsDataKey(kv.first)) r.intents[obj].insert(IntentKey(kv.first));
    for (const auto& [obj, ch] : changes)
      for (const auto& kv : ch.keys)
        if (IsDataKey(kv.first)) r.intents[obj].insert(IntentKey(kv.first));

    // 1. The record (created exclusively) and its ledger entry, then the coordinator's lock.
    {
      librados::ObjectWriteOperation create, ledger;
      create.create(true);
      create.omap_set({{"state", Bl(kPending)},
                       {"coord", Bl(server_)},
                       {"ops", Bl(EncodeOps(r.ops))},
                       {"intents", Bl(EncodeIntents(r.intents))}});
      ledger.omap_set({{id, Bl(std::to_string(NowSeconds()))}});
      Parallel p(io_);
      p.Write(rec, &create);
      p.Write(LedgerOf(id), &ledger);
      auto res = p.Wait();
      for (size_t i = 0; i < res.size(); ++i)
        if (res[i] < 0) {
          RemoveRecord(id);
          return Fail(res[i], "write to", i == 0 ? rec : LedgerOf(id));
        }
      timeval duration{kLeaseSeconds, 0};
      int l = io_->lock_exclusive(rec, kLockName, id, "cairn transaction", &duration, 0);
      if (l < 0) {
        RemoveRecord(id);
        return Fail(l, "locking", rec);
      }
    }

    // 2. Prepare, every shard object at once.
    std::vector<std::string> objects;
    for (const auto& [obj, keys] : r.intents) objects.push_back(obj);
    auto prepare_op = [&](const std::string& obj, librados::ObjectWriteOperation* op) {
      std::map<std::string, std::string> eq;
      auto it = reads.find(obj);
      if (it != reads.end())
        for (const auto& [k, v] : it->second) eq.emplace(k, v ? *v : std::string());
      std::map<std::string, librados::bufferlist> set;
      for (const auto& ik : r.intents[obj]) {
        eq.emplace(ik, std::string());
        set.emplace(ik, Bl(id));
      }
      // Not into a shard frozen or retired by a split (shard_state.h).
      if (IsShardObject(obj)) AddWritableGuard(op);
      AddCmpEq(eq, op);
      op->omap_set(set);
    };
    std::vector<int> res;
    {
      std::vector<librados::ObjectWriteOperation> ops(objects.size());
      Parallel p(io_);
      for (size_t i = 0; i < objects.size(); ++i) {
        prepare_op(objects[i], &ops[i]);
        p.Write(objects[i], &ops[i]);
      }
      res = p.Wait();
    }
    for (size_t i = 0; i < objects.size(); ++i) {
      if (res[i] != -ENOENT) continue;
      // The OSD refuses a guard on a missing object: create it empty (what was read), guard again.
      librados::ObjectWriteOperation create;
      create.create(false);
      res[i] = io_->operate(objects[i], &create);
      if (res[i] < 0) continue;
      librados::ObjectWriteOperation op;
      prepare_op(objects[i], &op);
      res[i] = io_->operate(objects[i], &op);
    }
    bool prepared = true;
    for (int x : res) prepared = prepared && x == 0;
    if (prepared) WriteScope::OnPrepared();  // the test hold: the items are held now

    // 3. The decision: the commit point.
    {
      librados::ObjectWriteOperation decide;
      std::map<std::string, std::pair<librados::bufferlist, int>> cmp;
      cmp.emplace("state", std::make_pair(Bl(kPending), int(LIBRADOS_CMPXATTR_OP_EQ)));
      decide.omap_cmp(cmp, nullptr);
      decide.omap_set({{"state", Bl(prepared ? kCommitted : kCancelled)}});
      int d = io_->operate(rec, &decide);
      if (d < 0) {
        // Cancelled by a recovering server (we stalled past the lease), or unknown: whoever
        // finishes the record decides; nothing of ours is applied unless it says COMMITTED.
        Recover(id, false);
        return d == -ECANCELED ? Status::IOError(
                                     "rados: the transaction was cancelled by recovery "
                                     "(its coordinator stalled); retry")
                               : Fail(d, "write to", rec);
      }
    }

    // 4. Apply (or remove the intents), 5. remove the record.
    if (prepared) {
      if (Status s = Finish(id, r, true); !s.ok()) return s;  // COMMITTED: the sweeper finishes it
      RemoveRecord(id);
      committed_.fetch_add(1);
      return Status::OK();
    }
    Status fs = Finish(id, r, false);
    if (fs.ok()) RemoveRecord(id);
    cancelled_.fetch_add(1);
    // Why: another transaction's intent (wait for it, bounded), or a value that changed.
    Held held = Held::kNone;
    for (size_t i = 0; i < objects.size(); ++i) {
      if (res[i] == 0) continue;
      if (res[i] != -ECANCELED) return Fail(res[i], "write to", objects[i]);
      std::set<std::string> data_keys;
      for (const auto& ik : r.intents[objects[i]]) {
        std::string k = ik;
        k[0] = char(kDataByte);
        data_keys.insert(k);
      }
      Held h = Resolve(objects[i], data_keys, std::chrono::milliseconds(100));
      if (h == Held::kHeld) return Status::Busy("a transaction of another server holds an item");
      if (h == Held::kResolved) held = h;
    }
    if (held == Held::kResolved && attempt < 2) continue;  // the intents are gone: try again
    return ItemChanged();
  }
}

Status Transactions::Finish(const std::string& id, const Record& r, bool commit) {
  std::set<std::string> objects;
  for (const auto& [obj, ch] : r.intents) objects.insert(obj);
  if (commit)
    for (const auto& [obj, ch] : r.ops) objects.insert(obj);
  std::vector<std::string> pending(objects.begin(), objects.end());
  Status last;
  for (int attempt = 0; attempt < kFinishAttempts && !pending.empty(); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50 << attempt));
    std::vector<librados::ObjectWriteOperation> ops(pending.size());
    Parallel p(io_);
    for (size_t i = 0; i < pending.size(); ++i) {
      const std::string& obj = pending[i];
      auto in = r.intents.find(obj);
      const bool held = in != r.intents.end() && !in->second.empty();
      if (held) {
        std::map<std::string, std::string> eq;
        for (const auto& ik : in->second) eq.emplace(ik, id);
        AddCmpEq(eq, &ops[i]);
      } else {
        ops[i].create(false);
      }
      auto ch = r.ops.find(obj);
      if (commit && ch != r.ops.end()) AddChange(ch->second, &ops[i]);
      if (held) ops[i].omap_rm_keys(in->second);
      p.Write(obj, &ops[i]);
    }
    auto res = p.Wait();
    std::vector<std::string> failed;
    for (size_t i = 0; i < pending.size(); ++i) {
      // -ECANCELED: our intents are gone (finished already); -ENOENT: the object was removed.
      if (res[i] == 0 || res[i] == -ECANCELED || res[i] == -ENOENT) continue;
      failed.push_back(pending[i]);
      last = Fail(res[i], "write to", pending[i]);
    }
    pending = std::move(failed);
  }
  return pending.empty() ? Status::OK() : last;
}

void Transactions::RemoveRecord(const std::string& id) {
  librados::ObjectWriteOperation rm_rec, rm_entry;
  rm_rec.remove();
  rm_entry.omap_rm_keys({id});
  Parallel p(io_);
  p.Write("x." + id, &rm_rec);
  p.Write(LedgerOf(id), &rm_entry);
  p.Wait();
}

Transactions::Found Transactions::ReadRecord(const std::string& id, Record* out) {
  librados::ObjectReadOperation op;
  std::map<std::string, librados::bufferlist> vals;
  int rval = 0;
  op.omap_get_vals_by_keys({"state", "coord", "ops", "intents"}, &vals, &rval);
  int r = io_->operate("x." + id, &op, nullptr);
  if (r == -ENOENT) return Found::kMissing;
  if (r < 0) return Found::kError;
  if (!vals.count("state")) return Found::kMissing;
  out->state = Str(vals["state"]);
  out->coord = Str(vals["coord"]);
  const std::string ops = Str(vals["ops"]), intents = Str(vals["intents"]);
  if (!DecodeOps(ops, &out->ops) || !DecodeIntents(intents, &out->intents)) return Found::kError;
  return Found::kRecord;
}

bool Transactions::Recover(const std::string& id, bool from_sweep) {
  for (int round = 0; round < 2; ++round) {
    Record r;
    switch (ReadRecord(id, &r)) {
      case Found::kMissing:
        if (from_sweep) RemoveRecord(id);  // the ledger entry of a removed record
        return true;
      case Found::kError:
        return false;
      case Found::kRecord:
        break;
    }
    if (r.state == kCommitted || r.state == kCancelled) {
      if (!Finish(id, r, r.state == kCommitted).ok()) return false;
      RemoveRecord(id);
      if (r.coord != server_) recovered_.fetch_add(1);
      return true;
    }
    // PENDING: only once the coordinator's lock lapsed (or it never took it, long ago).
    timeval duration{kLeaseSeconds, 0};
    // The coordinator's cookie is the txn id; a recoverer's its server's.
    int l = io_->lock_exclusive("x." + id, kLockName, "recovery." + server_, "cairn recovery",
                                &duration, 0);
    if (l < 0 && l != -EEXIST) return false;  // held: the coordinator is alive
    librados::ObjectWriteOperation cancel;
    std::map<std::string, std::pair<librados::bufferlist, int>> cmp;
    cmp.emplace("state", std::make_pair(Bl(kPending), int(LIBRADOS_CMPXATTR_OP_EQ)));
    cancel.omap_cmp(cmp, nullptr);
    cancel.omap_set({{"state", Bl(kCancelled)}});
    int c = io_->operate("x." + id, &cancel);
    if (c < 0 && c != -ECANCELED) return false;
    // Cancelled now, or decided meanwhile: the next round finishes it as recorded.
  }
  return false;
}

Transactions::Held Transactions::Resolve(const std::string& object,
                                         const std::set<std::string>& data_keys,
                                         std::chrono::milliseconds conflict_wait) {
  std::set<std::string> wanted;
  for (const auto& k : data_keys)
    if (IsDataKey(k)) wanted.insert(IntentKey(k));
  if (wanted.empty()) return Held::kNone;
  const auto deadline = std::chrono::steady_clock::now() + conflict_wait;
  bool resolved = false;
  while (true) {
    librados::ObjectReadOperation op;
    std::map<std::string, librados::bufferlist> vals;
    int rval = 0;
    op.omap_get_vals_by_keys(wanted, &vals, &rval);
    int r = io_->operate(object, &op, nullptr);
    if (r < 0 || vals.empty()) return resolved ? Held::kResolved : Held::kNone;
    std::string held;
    for (const auto& [ik, v] : vals) {
      if (Recover(Str(v), false)) {
        resolved = true;
        continue;
      }
      // A record gone (finished) leaves no intent behind; a live one holds the item.
      held = ik;
    }
    if (held.empty()) {
      // Intents without a live record: stale (their transaction finished elsewhere): drop them.
      librados::ObjectWriteOperation rm;
      std::map<std::string, std::string> eq;
      for (const auto& [ik, v] : vals) eq.emplace(ik, Str(v));
      AddCmpEq(eq, &rm);
      std::set<std::string> keys;
      for (const auto& kv : vals) keys.insert(kv.first);
      rm.omap_rm_keys(keys);
      io_->operate(object, &rm);
      return Held::kResolved;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      WriteScope::ConflictKey() = held.substr(1);  // the item's engine key
      conflicts_.fetch_add(1);
      return Held::kHeld;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void Transactions::Sweep() {
  const uint64_t now = NowSeconds();
  for (int n = 0; n < kLedgers; ++n) {
    const std::string ledger = "xlog." + std::to_string(n);
    librados::ObjectReadOperation op;
    std::map<std::string, librados::bufferlist> vals;
    bool more = false;
    int rval = 0;
    op.omap_get_vals2("", 64, &vals, &more, &rval);
    if (io_->operate(ledger, &op, nullptr) < 0) continue;
    for (const auto& [id, at] : vals) {
      const uint64_t t = std::strtoull(Str(at).c_str(), nullptr, 10);
      if (t + kLeaseSeconds > now) continue;  // young: its coordinator is at work
      Recover(id, true);
    }
  }
}

Result<std::unique_ptr<Snapshot>> Transactions::ReadConsistent(
    const std::map<std::string, std::vector<std::string>>& keys_by_object,
    std::chrono::milliseconds conflict_wait, std::map<std::string, std::string>* retired) {
  std::vector<std::string> objects;
  for (const auto& kv : keys_by_object) objects.push_back(kv.first);
  for (int attempt = 0; attempt < kReadAttempts; ++attempt) {
    auto snap = std::make_unique<CapturedSnapshot>();
    std::vector<std::map<std::string, librados::bufferlist>> vals(objects.size());
    std::vector<int> rvals(objects.size());
    std::vector<librados::ObjectReadOperation> ops(objects.size());
    Parallel p(io_);
    for (size_t i = 0; i < objects.size(); ++i) {
      std::set<std::string> wanted;
      for (const auto& k : keys_by_object.at(objects[i])) {
        const std::string dk = char(kDataByte) + k;
        wanted.insert(dk);
        wanted.insert(IntentKey(dk));
      }
      if (IsShardObject(objects[i])) wanted.insert(kStateKey);
      ops[i].omap_get_vals_by_keys(wanted, &vals[i], &rvals[i]);
      p.Read(objects[i], &ops[i]);
    }
    std::vector<uint64_t> versions;
    auto res = p.Wait(&versions);
    bool intents = false;
    for (size_t i = 0; i < objects.size(); ++i) {
      if (res[i] < 0 && res[i] != -ENOENT) return Fail(res[i], "read from", objects[i]);
      if (auto st = vals[i].find(kStateKey); st != vals[i].end() && IsRetired(Str(st->second)))
        (*retired)[objects[i]] = Str(st->second);
    }
    if (!retired->empty()) return Status::Aborted("rados: a shard was split");
    for (size_t i = 0; i < objects.size(); ++i) {
      std::set<std::string> data_keys;
      for (const auto& k : keys_by_object.at(objects[i])) {
        const std::string dk = char(kDataByte) + k;
        data_keys.insert(dk);
        auto it = vals[i].find(dk);
        snap->values[k] =
            it == vals[i].end() ? std::nullopt : std::optional<std::string>(Str(it->second));
        if (vals[i].count(IntentKey(dk))) intents = true;
      }
      if (!intents) continue;
      if (Resolve(objects[i], data_keys, conflict_wait) == Held::kHeld)
        return Status::Busy("a transaction of another server holds an item");
      break;
    }
    if (intents) {
      read_retries_.fetch_add(1);
      continue;  // finished meanwhile: read again
    }
    if (objects.size() == 1) return std::unique_ptr<Snapshot>(std::move(snap));
    // Validate: no object changed since it was read (one version, one state).
    std::vector<librados::ObjectReadOperation> checks(objects.size());
    std::vector<uint64_t> sizes(objects.size());
    Parallel q(io_);
    for (size_t i = 0; i < objects.size(); ++i) {
      if (res[i] == -ENOENT)
        checks[i].stat(&sizes[i], nullptr, nullptr);
      else
        checks[i].assert_version(versions[i]);
      q.Read(objects[i], &checks[i]);
    }
    auto ok = q.Wait();
    bool same = true;
    for (size_t i = 0; i < objects.size(); ++i)
      same = same && (res[i] == -ENOENT ? ok[i] == -ENOENT : ok[i] == 0);
    if (same) return std::unique_ptr<Snapshot>(std::move(snap));
    read_retries_.fetch_add(1);
  }
  WriteScope::ConflictKey() = keys_by_object.begin()->second.front();
  conflicts_.fetch_add(1);
  return Status::Busy("the items kept changing");
}

}  // namespace cairn::storage::rados
