// Transactions on RADOS (rados_txn.h; docs/rados.md section 6). Internals: the record's encoding,
// parallel ops (aio_operate), the coordinator, recovery, the read-and-validate.
#include "storage/rados/rados_txn.h"

#include <atomic>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include "storage/rados/rados_layout.h"
#include "storage/rados/rados_wire.h"
#include "storage/rados/shard_state.h"
#include "storage/write_scope.h"
#include "util/big_endian.h"
#include "storage/rados/rados_ops.h"

namespace cairn::storage::rados {
namespace {

constexpr const char* kLockName = "cairn.txn";
constexpr int kReadAttempts = 8;
constexpr int kFinishAttempts = 4;

std::string Str(const librados::bufferlist& bl) { return bl.to_str(); }

}  // namespace

Status Transactions::ItemChanged() {
  WriteScope::MarkChanged();
  return Status::IOError("rados: the item changed meanwhile (another server wrote it); retry");
}

Transactions::Transactions(librados::IoCtx* io, std::string server_id,
                           std::chrono::milliseconds conflict_wait)
    : io_(io), server_(std::move(server_id)), conflict_wait_(conflict_wait) {
  if (const char* hold = std::getenv("CAIRN_RADOS_TEST_COMMIT_HOLD_MS"); hold && *hold)
    commit_hold_ = std::chrono::milliseconds(std::strtoll(hold, nullptr, 10));
}

void Transactions::AddNoIntentGuards(const std::set<std::string>& data_keys,
                                     librados::ObjectWriteOperation* op) {
  std::map<std::string, std::string> eq;
  for (const auto& k : data_keys)
    if (IsDataKey(k)) eq.emplace(IntentKey(k), std::string());
  AddCmpEq(eq, op);
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

Status Transactions::Run(const Changes& changes, const Reads& reads,
                         std::chrono::milliseconds hold_wait, const TokenRef* token) {
  for (int attempt = 0;; ++attempt) {
    const std::string id = TxnId(server_, NowMicros(), next_.fetch_add(1));
    const std::string rec = RecordObject(id);
    Record r;
    r.ops = changes;
    r.intents = IntentsOf(changes, reads);
    if (token) r.token = token->object;

    // 1. The record (created exclusively) and its ledger entry (and, with a ClientRequestToken,
    // the claim naming the record), then the coordinator's lock.
    {
      librados::ObjectWriteOperation create, ledger, claim;
      create.create(true);
      std::map<std::string, librados::bufferlist> fields = {
          {"state", Bl(kPending)},
          {"coord", Bl(server_)},
          {"ops", Bl(EncodeOps(r.ops))},
          {"intents", Bl(EncodeIntents(r.intents))}};
      if (token) fields.emplace("token", Bl(token->object));
      create.omap_set(fields);
      ledger.omap_set({{id, Bl(std::to_string(NowSeconds()))}});
      Parallel p(io_);
      p.Write(rec, &create);
      p.Write(LedgerOf(id), &ledger);
      if (token) {
        // Still our claim (not taken over as abandoned), still unanswered.
        claim.cmpxattr(kTokenAtAttr, LIBRADOS_CMPXATTR_OP_EQ, Bl(token->at));
        claim.setxattr(kTokenTxnAttr, Bl(id));
        p.Write(token->object, &claim);
      }
      auto res = p.Wait();
      for (size_t i = 0; i < res.size(); ++i)
        if (res[i] < 0) {
          RemoveRecord(id);
          if (i == 2)
            return Status::IOError("rados: the request token's claim was taken over; retry");
          return OpFailed(res[i], "write to", i == 0 ? rec : LedgerOf(id));
        }
      timeval duration{kLeaseSeconds, 0};
      int l = io_->lock_exclusive(rec, kLockName, id, "cairn transaction", &duration, 0);
      if (l < 0) {
        RemoveRecord(id);
        return OpFailed(l, "locking", rec);
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
    const std::string decision = Decision(res);
    const bool prepared = decision == kCommitted;
    if (prepared) WriteScope::OnPrepared();  // the test hold: the items are held now

    // 3. The decision: the commit point.
    {
      librados::ObjectWriteOperation decide;
      std::map<std::string, std::pair<librados::bufferlist, int>> cmp;
      cmp.emplace("state", std::make_pair(Bl(kPending), int(LIBRADOS_CMPXATTR_OP_EQ)));
      decide.omap_cmp(cmp, nullptr);
      decide.omap_set({{"state", Bl(decision)}});
      int d = io_->operate(rec, &decide);
      if (d < 0) {
        // Cancelled by a recovering server (we stalled past the lease), or unknown: whoever
        // finishes the record decides; nothing of ours is applied unless it says COMMITTED.
        Recover(id, false);
        return d == -ECANCELED ? Status::IOError(
                                     "rados: the transaction was cancelled by recovery "
                                     "(its coordinator stalled); retry")
                               : OpFailed(d, "write to", rec);
      }
    }

    // 4. Apply (or remove the intents), mark a token's claim, 5. remove the record.
    if (prepared) {
      if (commit_hold_.count() > 0) std::this_thread::sleep_for(commit_hold_);  // test hook
      Status s = Finish(id, r, true);
      // Committed whatever the apply did: a retry with the token must not apply it again.
      Status m = token ? MarkCommitted(token->object, id) : Status::OK();
      if (!s.ok()) return s;  // COMMITTED: the sweeper finishes it
      if (m.ok()) RemoveRecord(id);  // else the sweeper marks the claim, then removes it
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
      if (res[i] != -ECANCELED) return OpFailed(res[i], "write to", objects[i]);
      std::set<std::string> data_keys;
      for (const auto& ik : r.intents[objects[i]]) data_keys.insert(DataKeyOf(ik));
      Held h = Resolve(objects[i], data_keys, hold_wait);
      if (h == Held::kHeld) return Status::Busy("a transaction of another server holds an item");
      if (h == Held::kResolved) held = h;
    }
    if (held == Held::kResolved && attempt < 2) continue;  // the intents are gone: try again
    return ItemChanged();
  }
}

Status Transactions::MarkCommitted(const std::string& token, const std::string& id) {
  librados::ObjectWriteOperation op;
  op.cmpxattr(kTokenTxnAttr, LIBRADOS_CMPXATTR_OP_EQ, Bl(id));
  op.setxattr(kTokenOutcomeAttr, Bl(kCommitted));
  int r = io_->operate(token, &op);
  // Gone (expired, released) or naming another attempt: nothing of ours to mark.
  if (r < 0 && r != -ENOENT && r != -ECANCELED) return OpFailed(r, "write to", token);
  return Status::OK();
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
      last = OpFailed(res[i], "write to", pending[i]);
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
  p.Write(RecordObject(id), &rm_rec);
  p.Write(LedgerOf(id), &rm_entry);
  p.Wait();
}

Transactions::Found Transactions::ReadRecord(const std::string& id, Record* out) {
  librados::ObjectReadOperation op;
  std::map<std::string, librados::bufferlist> vals;
  int rval = 0;
  op.omap_get_vals_by_keys({"state", "coord", "ops", "intents", "token"}, &vals, &rval);
  int r = io_->operate(RecordObject(id), &op, nullptr);
  if (r == -ENOENT) return Found::kMissing;
  if (r < 0) return Found::kError;
  if (!vals.count("state")) return Found::kMissing;
  out->state = Str(vals["state"]);
  out->coord = Str(vals["coord"]);
  if (vals.count("token")) out->token = Str(vals["token"]);
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
      if (r.state == kCommitted && !r.token.empty() && !MarkCommitted(r.token, id).ok())
        return false;
      RemoveRecord(id);
      if (r.coord != server_) recovered_.fetch_add(1);
      return true;
    }
    // PENDING: only once the coordinator's lock lapsed (or it never took it, long ago).
    timeval duration{kLeaseSeconds, 0};
    // The coordinator's cookie is the txn id; a recoverer's its server's.
    int l = io_->lock_exclusive(RecordObject(id), kLockName, "recovery." + server_,
                                "cairn recovery", &duration, 0);
    if (l < 0 && l != -EEXIST) return false;  // held: the coordinator is alive
    librados::ObjectWriteOperation cancel;
    std::map<std::string, std::pair<librados::bufferlist, int>> cmp;
    cmp.emplace("state", std::make_pair(Bl(kPending), int(LIBRADOS_CMPXATTR_OP_EQ)));
    cancel.omap_cmp(cmp, nullptr);
    cancel.omap_set({{"state", Bl(kCancelled)}});
    int c = io_->operate(RecordObject(id), &cancel);
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
  auto pause = std::chrono::milliseconds(5);  // doubling to 80 ms: a long wait polls gently
  while (true) {
    librados::ObjectReadOperation op;
    std::map<std::string, librados::bufferlist> vals;
    int rval = 0;
    op.omap_get_vals_by_keys(wanted, &vals, &rval);
    int r = io_->operate(object, &op, nullptr);
    // Intents seen earlier and gone now: their transactions finished (by their coordinators or
    // by us): resolved, so the caller sends its op again.
    if (r < 0 || vals.empty()) return resolved ? Held::kResolved : Held::kNone;
    resolved = true;
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
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    std::this_thread::sleep_for(std::min(pause, left + std::chrono::milliseconds(1)));
    pause = std::min(pause * 2, std::chrono::milliseconds(80));
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
      if (res[i] < 0 && res[i] != -ENOENT) return OpFailed(res[i], "read from", objects[i]);
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
