// WriteShards: a BatchWriteItem over several shard objects as one guarded op per shard
// (docs/rados.md section 2 "BatchWriteItem" and "Status"), not atomic across shards (nor is
// DynamoDB's BatchWriteItem; each item's write is).
// Each shard object's op carries omap_cmp(EQ) on every item value the batch read there (absent =
// ""), omap_cmp(0x11|key == "") (no transaction's intent, rados_txn.h) for every item it writes or
// read there, then the object's writes (items, LSI entries, GSI outbox entries). All the ops are
// in flight together (aio_operate). A cancelled op:
//  - an intent held it: the intents' transactions are resolved (Transactions::Resolve: finished
//    when decided or abandoned, waited for while live, up to `hold_wait`), then the op is sent
//    again (bounded rounds): the batch's write lands after the transaction's, never under it;
//    still held after `hold_wait`: Busy (TransactionConflict), the item's key in
//    WriteScope::ConflictKey();
//  - a value it read changed (another server wrote the item), or `moved(object)` says a split
//    froze or retired the shard (every op is guarded on the shard being writable,
//    shard_state.h): that shard is not written, and the result is Transactions::ItemChanged()
//    (the item writer reads, decides and writes again the items of the shards not written,
//    placed by the current shard map).
// The objects written are put in *written, their items' engine keys in WriteScope::Written(),
// whatever the result (the caller applies their GSI outbox entries and skips them next time).
// REQUIRES: every object of `changes` holds items (stream records are in their items' ops,
// stream_shard.h; PITR records, in objects of their own, need the atomic path: the engine runs
// such a batch as a transaction).
// Thread safety: as the engine's Write.
#pragma once

#include <rados/librados.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include "storage/rados/rados_txn.h"
#include "util/status.h"

namespace cairn::storage::rados {

Status WriteShards(librados::IoCtx* io, Transactions* txns, const Changes& changes,
                   const Reads& reads, std::chrono::milliseconds hold_wait,
                   const std::function<bool(const std::string&)>& moved,
                   std::set<std::string>* written);

// This process's figures (for the tests' logs): shard ops written, shards left to be decided
// again (a value read changed), ops sent again after a transaction's intents were resolved.
struct BatchCounters {
  std::atomic<uint64_t> written{0}, redecided{0}, resent{0};
};
BatchCounters& batch_counters();

// The ops of one shard object (exposed for the unit tests): the value guards of `reads` in it,
// the no-intent guards of its items (written or read), its writes.
struct ShardGuards {
  std::map<std::string, std::string> eq;  // omap key -> expected value ("" = absent)
  std::set<std::string> items;            // data omap keys written or read
};
ShardGuards GuardsOf(const std::string& object, const ObjectChange& change, const Reads& reads);

}  // namespace cairn::storage::rados
