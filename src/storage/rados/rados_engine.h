// RadosEngine: the Engine of engine.h on a Ceph RADOS pool (librados), first step of issue 20
// (docs/rados.md, "Status" says what of the design this is). Built only when CMake finds librados
// (option CAIRN_RADOS) and built as the plug-in cairn-rados.so, which storage/rados_plugin.h loads).
//
// Mapping (docs/rados.md section 1): every engine key lives as an omap key `column byte | key` in
// exactly one object of the pool, chosen from the key alone:
//   kMeta   -> "cairn.catalog"
//   kData   -> "t<table id>.<d>-<p>"  the live shard of the table whose partition hashes start with
//   kIndex  -> "i<index id>.<d>-<p>"  the d bits p (hex): the table's shard map (shard_map.h) says
//                                     which are live; it starts as the 2^shard_bits shards of depth
//                                     shard_bits, and a table shard past shard_keys omap keys is
//                                     split online (shard_splitter.h; every write to a shard object
//                                     is guarded on its state, shard_state.h, and every read reads
//                                     it: a retired shard is followed to its children);
//                                     an LSI's entries in its table's "t<table id>.<d>-<p>" instead
//   kStream -> "s<stream id>"         records numbered by a caller (none today); a record to be
//                                     numbered here (ShardedStreams::RecordKey) goes into its
//                                     item's "t<table id>.<d>-<p>", in the item's op (stream_shard.h)
//   kBackup -> "b<id>"
// where the id is the key's first 4 bytes (u32 BE) and the hash its next 8 (storage/key_encoding.h),
// so each object holds one contiguous key range and objects in key order are the column in order.
// "cairn.directory" lists, per column, the ids that have objects (omap `column | id u32 BE`): a range
// over several ids (a whole-column iteration) reads it; it is written before the first write to an
// id (idempotent, so a crash in between leaves only an entry for an empty id).
//
// Reads: Get is one omap_get_vals_by_keys. An iterator reads pages of the omap in key order
// (omap_get_vals2, 32 entries first, doubling to 512) from the objects covering its bounds, lazily;
// backwards (Prev, SeekForPrev, SeekToLast) it reads an object's keys forward up to the position and
// keeps the last page (omap has no reverse listing): correct, costlier for long reverse walks.
//
// Writes: a batch's ops are reduced per object to one effect (clear the omap?, keys removed, keys
// set; in batch order, a later op on a key wins). DeleteRange over a whole object clears it; over
// part of one, its keys in the range are listed and removed. A batch touching one object is ONE
// RADOS write op: atomic and durable on the acting OSDs when it returns. A batch touching several
// objects first writes its reduced form as one record in this server's redo object (one atomic
// op), then applies the guarded object's op (below), then the others' (in parallel, aio_operate),
// then removes the record. Replaying a record is applying it again (the ops are idempotent). If an
// apply fails past its retries, the engine refuses every later write (IOError) until a restart:
// a later write could otherwise be overwritten by the replay of that record.
// Several servers on one pool (docs/rados.md "Status"):
//  - Each server has an id (its librados instance id), a redo object "cairn.redo.<id>", a lease
//    on it (exclusive cls_lock "cairn.server", 10 s, renewed every ~3 s) and a heartbeat in
//    "cairn.servers" (omap id -> wall-clock seconds). Any server that can take another's lease
//    (lapsed: that server died or stalled) replays its records and removes it: at open (waiting
//    up to 20 s for a server whose heartbeat is stale), then in every renewal round. A server
//    whose own renewal fails stops writing (IOError), since others may now replay its records.
//    The first step's pool-wide "cairn.redo" is still replayed at open.
//  - Guards: inside a storage::WriteScope (write/item_writer.h's read-decide-commit), the item
//    values Get returns are remembered per thread, and the scope's Write is conditional on them:
//    omap_cmp(EQ) on each (an absent item compares as ""), in the same op as the writes of that
//    object. A failed guard writes nothing and returns IOError ("the item changed meanwhile"; the
//    API answers 500, which SDKs retry, and the retry decides again on the new item). With
//    several objects, the op of the object holding the guarded items is applied first, guarded,
//    after the redo record (a refusal removes the record). A transaction's scope over several
//    objects runs the coordinator (rados_txn.h); a batch's scope (BatchWriteItem) over several
//    shard objects is one guarded op per shard (rados_batch.h; as a transaction when it has
//    stream or PITR records); guards in a second object of any other multi-object write (none
//    of ItemWriter's today) are only checked by reading before the record: NOT atomic.
//    The wait for an item held by another server's transaction is RadosOptions::conflict_wait_ms
//    (--conflict-wait); a batch waits past the transaction lock's lapse, as LockMany does.
//  - The catalog: every write to "cairn.catalog" is guarded on its version (xattr
//    "cairn.version", 20 digits, cmpxattr EQ) and sets version + 1; a refusal asks the reloader
//    thread to reload the catalog and returns IOError (retry). After a catalog write the server
//    sends notify2 on the catalog object (2 s timeout); every server watches it and, on another's
//    notification, reads the version and reloads its catalog (WatchRadosCatalog's callback)
//    before acknowledging: so a table created through one server is visible through the others
//    when the creator answers. The reloader also polls the version every 5 s (a missed notify).
//  - Indexes (gsi_outbox.h): item values are stored as `version (20 digits) | value` (readers get
//    the value); an item write's LSI entries go into its shard object's op, its GSI changes into
//    one outbox entry in that op, applied afterwards by version-guarded puts and tombstones (by
//    the writer before it answers, else by the shard's lease holder); GSI reads skip tombstones.
//    Test hook: with CAIRN_RADOS_TEST_DRAINER_ONLY=1 in its environment a server leaves every
//    entry to the lease holders (tests/rados/test_two_servers.py checks the drainer alone).
// What this does NOT give yet (docs/rados.md "Status"): isolation of a multi-object batch from
// concurrent readers (a reader may see some objects of it applied and others not); atomic guards
// across objects (the transaction coordinator); a replay of a dead server's record after
// another server wrote the same keys overwrites them; snapshots: GetSnapshot returns a marker and
// every read sees the latest state.
// Streams (stream_shard.h): records are numbered per storage shard inside the item's op by
// cls_lua (ShardedStreamRecords()); a DeleteRange over a whole shard object that holds stream
// records removes its item keys one by one instead of clearing it, so the records stay readable.
// Errors: librados -ETIMEDOUT, -EAGAIN, -EBUSY, -ENOSPC, -EDQUOT -> Busy; other errors -> IOError;
// a missing object reads as empty. Each operation is bounded by RadosOptions::op_timeout_seconds.
// Thread safety: as Engine. Iterators must be destroyed before the engine.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "storage/engine.h"
#include "util/status.h"

namespace cairn::storage {

struct RadosOptions {
  std::string conf_file;                   // a ceph.conf naming the monitors (and keyring)
  std::string pool;                        // must exist
  std::string client = "client.admin";     // the cephx user
  int shard_bits = 2;                      // initial shards per table or index: 2^shard_bits
  // A table shard object holding more omap keys than this is split (shard_splitter.h); 0: never.
  uint64_t shard_keys = 100000;
  double op_timeout_seconds = 30;          // rados_osd_op_timeout and rados_mon_op_timeout
  // How long a write waits for an item another server's transaction holds before answering
  // TransactionConflict (--conflict-wait, as the in-process lock table's wait).
  double conflict_wait_ms = 100;
};

// Connects, opens the pool and replays the redo log. Errors: IOError naming what failed (the
// configuration file, the connection, a missing pool, the replay).
Result<std::unique_ptr<Engine>> OpenRadosEngine(const RadosOptions& options);

// Several servers on one pool: `reload` (the catalog's Reload) is called whenever another server
// changed the catalog, before this server acknowledges the change's notification, and every 5 s
// if the catalog's version moved (a missed notification). No-op for an engine that is not RADOS.
// Call once before serving; call again with nullptr before the catalog is destroyed (it returns
// once no reload runs).
void WatchRadosCatalog(Engine* engine, std::function<Status()> reload);

}  // namespace cairn::storage
