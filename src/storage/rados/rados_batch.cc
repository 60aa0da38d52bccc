// WriteShards (rados_batch.h): a batch written as one guarded op per shard object.
#include "storage/rados/rados_batch.h"

#include <cerrno>
#include <vector>

#include "storage/rados/rados_ops.h"
#include "storage/rados/shard_state.h"
#include "storage/write_scope.h"

namespace cairn::storage::rados {
namespace {

constexpr int kRounds = 4;  // sends of one shard's op (after intents were resolved)

}  // namespace

BatchCounters& batch_counters() {
  static BatchCounters counters;
  return counters;
}

ShardGuards GuardsOf(const std::string& object, const ObjectChange& change, const Reads& reads) {
  ShardGuards g;
  if (auto it = reads.find(object); it != reads.end())
    for (const auto& [k, v] : it->second) {
      g.eq.emplace(k, v ? *v : std::string());
      if (IsDataKey(k)) g.items.insert(k);
    }
  for (const auto& kv : change.keys)
    if (IsDataKey(kv.first)) g.items.insert(kv.first);
  for (const auto& k : g.items) g.eq.emplace(IntentKey(k), std::string());
  return g;
}

Status WriteShards(librados::IoCtx* io, Transactions* txns, const Changes& changes,
                   const Reads& reads, std::chrono::milliseconds hold_wait,
                   const std::function<bool(const std::string&)>& moved,
                   std::set<std::string>* written) {
  std::vector<std::string> pending;
  for (const auto& kv : changes) pending.push_back(kv.first);
  bool changed = false;
  Status failed;
  auto op_of = [&](const std::string& object, librados::ObjectWriteOperation* op) {
    const ObjectChange& change = changes.at(object);
    if (IsShardObject(object)) AddWritableGuard(op);  // not frozen nor retired by a split
    AddCmpEq(GuardsOf(object, change, reads).eq, op);
    AddChange(change, op);
  };
  for (int round = 0; round < kRounds && !pending.empty(); ++round) {
    std::vector<int> res;
    {
      std::vector<librados::ObjectWriteOperation> ops(pending.size());
      Parallel p(io);
      for (size_t i = 0; i < pending.size(); ++i) {
        op_of(pending[i], &ops[i]);
        p.Write(pending[i], &ops[i]);
      }
      res = p.Wait();
    }
    std::vector<std::string> again;
    for (size_t i = 0; i < pending.size(); ++i) {
      const std::string& object = pending[i];
      int r = res[i];
      if (r == -ENOENT) {
        // The OSD refuses a guard on a missing object (even one the op creates): create it empty
        // (what the guards saw: every key absent), then guard again.
        librados::ObjectWriteOperation create, op;
        create.create(false);
        r = io->operate(object, &create);
        if (r == 0) {
          op_of(object, &op);
          r = io->operate(object, &op);
        }
      }
      if (r == 0) {
        batch_counters().written.fetch_add(1);
        written->insert(object);
        for (const auto& kv : changes.at(object).keys)
          if (IsDataKey(kv.first)) WriteScope::Written().insert(kv.first.substr(1));
        continue;
      }
      if (r != -ECANCELED) {
        failed = OpFailed(r, "write to", object);
        continue;
      }
      // A split froze or retired the shard (the engine's map learnt it): its items are decided
      // again and placed by the new map.
      if (moved && moved(object)) {
        batch_counters().redecided.fetch_add(1);
        changed = true;
        continue;
      }
      // An intent (resolve it, then send again) or a value read (decide again).
      switch (txns->Resolve(object, GuardsOf(object, changes.at(object), reads).items,
                            hold_wait)) {
        case Transactions::Held::kHeld:
          return Status::Busy("a transaction of another server holds an item of the batch");
        case Transactions::Held::kResolved:
          batch_counters().resent.fetch_add(1);
          again.push_back(object);
          break;
        case Transactions::Held::kNone:
          batch_counters().redecided.fetch_add(1);
          changed = true;
          break;
      }
    }
    pending = std::move(again);
  }
  if (!failed.ok()) return failed;
  if (changed || !pending.empty()) return Transactions::ItemChanged();
  return Status::OK();
}

}  // namespace cairn::storage::rados
