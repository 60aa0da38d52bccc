// RadosEngine: the Engine of engine.h on a Ceph RADOS pool (librados), first step of issue 20
// (docs/rados.md, "Status" says what of the design this is). Built only when CMake finds librados
// (option CAIRN_RADOS; the macro CAIRN_HAVE_RADOS is then defined for the code that opens it).
//
// Mapping (docs/rados.md section 1): every engine key lives as an omap key `column byte | key` in
// exactly one object of the pool, chosen from the key alone:
//   kMeta   -> "cairn.catalog"
//   kData   -> "t<table id>.<d>-<p>"  the shard of the table whose partition hashes start with the
//   kIndex  -> "i<index id>.<d>-<p>"  d bits p (hex); d = RadosOptions::shard_bits, fixed (no splits)
//   kStream -> "s<stream id>"         (the design moves stream records into the table's shards later)
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
// objects first writes its reduced form as one record in "cairn.redo" (one atomic op), then applies
// each object's op (in parallel, aio_operate), then removes the record; OpenRadosEngine replays
// every record left there before anything is read (the ops are idempotent), so after kill -9 a
// batch is all or nothing once the engine is open again. If an apply fails past its retries, the
// engine refuses every later write (IOError) until a restart replays the record: a later write
// could otherwise be overwritten by that replay.
// One server per pool: the redo log is one per pool, replayed by whoever opens it, and the catalog
// is read once at start (several servers would allocate the same table ids). So the engine holds a
// lease, an exclusive cls_lock "cairn.server" on "cairn.catalog" for 10 s, renewed every 3 s by a
// thread; opening waits up to 20 s for it (a killed server's lease lapses) and then fails. A
// renewal that fails stops writes (IOError) as above. Closing releases it.
// What this does NOT give yet (docs/rados.md "Status"): isolation of a multi-object batch from
// concurrent readers (a reader may see some objects of it applied and others not); several
// servers on a pool; guarded (compare-and-set) writes; snapshots: GetSnapshot returns a marker and
// every read sees the latest state. Concurrent batches that write the same key may apply in a
// different order on different objects; Cairn's writers hold the item's lock (or the catalog's
// mutex) around such writes, so they do not race.
// Errors: librados -ETIMEDOUT, -EAGAIN, -EBUSY, -ENOSPC, -EDQUOT -> Busy; other errors -> IOError;
// a missing object reads as empty. Each operation is bounded by RadosOptions::op_timeout_seconds.
// Thread safety: as Engine. Iterators must be destroyed before the engine.
#pragma once

#include <memory>
#include <string>

#include "storage/engine.h"
#include "util/status.h"

namespace cairn::storage {

struct RadosOptions {
  std::string conf_file;                   // a ceph.conf naming the monitors (and keyring)
  std::string pool;                        // must exist
  std::string client = "client.admin";     // the cephx user
  int shard_bits = 2;                      // shards per table or index: 2^shard_bits, fixed
  double op_timeout_seconds = 30;          // rados_osd_op_timeout and rados_mon_op_timeout
};

// Connects, opens the pool and replays the redo log. Errors: IOError naming what failed (the
// configuration file, the connection, a missing pool, the replay).
Result<std::unique_ptr<Engine>> OpenRadosEngine(const RadosOptions& options);

}  // namespace cairn::storage
