// Point in time: a table's items as they were at a past moment, rebuilt from its items now and its
// point-in-time recovery change log (an undo log, storage/backup_keys.h). This is the one reader
// of that log: RestoreTableToPointInTime (backups.h) and the exports of a past time and the
// incremental exports (transfer/transfers.h) all go through it.
//
// Times are microseconds since the epoch. "The table at T" is the table after every write stamped
// at or before T and none stamped after: for an item written after T, the before-image of its
// first write after T; for any other item, the item now. A caller reads the items now and the
// change log from the same engine snapshot, so that the two agree.
//
// REQUIRES: T is inside the table's recovery window (the API layer checks it): records before the
// window are trimmed, so an earlier T would be rebuilt wrongly.
// Thread safety: stateless functions; the engine and snapshot are shared, read only.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/catalog.h"
#include "storage/engine.h"
#include "util/status.h"

namespace cairn::backup {

// What the change log says of one item written in a period.
struct ItemChange {
  std::optional<std::string> before;  // its stored bytes when the period began; nullopt: absent
  uint64_t last_write_us = 0;         // the stamp of its last write in the period
};
// Table item key (storage/key_encoding.h) -> its change.
using ItemChanges = std::unordered_map<std::string, ItemChange>;

// The items of table `table_id` written after `after_us` and before `until_us` (exclusive), read
// from `snapshot`. Corruption for a malformed record, or the engine's error.
Result<ItemChanges> ChangesBetween(storage::Engine& engine, const storage::Snapshot* snapshot,
                                   uint32_t table_id, uint64_t after_us,
                                   uint64_t until_us = std::numeric_limits<uint64_t>::max());

// Calls `fn(key, stored item bytes)` for every item of table `table_id` as it was at `at_us`, in
// no particular order, read from `snapshot`. Returns fn's first error, Corruption, or the
// engine's error.
Status ForEachItemAt(
    storage::Engine& engine, const storage::Snapshot* snapshot, uint32_t table_id, uint64_t at_us,
    const std::function<Status(std::string_view key, std::string_view bytes)>& fn);

// The net change of each item written in [from_us, to_us): its bytes before from_us and at to_us
// (nullopt: absent) and its last write's stamp. An item absent at both ends (created and deleted
// inside the period) is left out, as DynamoDB's incremental exports leave it out. Calls `fn` in no
// particular order; same errors as ForEachItemAt.
struct NetChange {
  std::string_view key;
  const std::optional<std::string>* old_bytes;
  const std::optional<std::string>* new_bytes;
  uint64_t last_write_us;
};
Status ForEachChangeBetween(storage::Engine& engine, const storage::Snapshot* snapshot,
                            uint32_t table_id, uint64_t from_us, uint64_t to_us,
                            const std::function<Status(const NetChange& change)>& fn);

// Table `current` (its descriptor now) as it was at `at_us`: the descriptor kept by the first
// schema record after at_us (storage/backup_keys.h), or `current` when its schema has not changed
// since. Of the result, only what a restore takes is of that time (keys, attribute definitions,
// indexes, billing, throughput, encryption, table class): the rest is the descriptor's then.
// Corruption for a malformed record, or the engine's error.
Result<storage::TableInfo> TableInfoAt(storage::Engine& engine, const storage::Snapshot* snapshot,
                                       const storage::TableInfo& current, uint64_t at_us);

// The size of table `table_id`'s change log now: its records, and their stored bytes (keys and
// values), which is what point-in-time recovery costs on disk beyond the items. Bounded by the
// trimming to the recovery period (backups.h). Errors: Corruption, the engine's.
struct ChangeLogSize {
  int64_t records = 0;
  int64_t bytes = 0;
};
Result<ChangeLogSize> MeasureChangeLog(storage::Engine& engine, uint32_t table_id);

// Epoch seconds (as the API's timestamps) to the change log's microseconds, rounded.
uint64_t MicrosOf(double epoch_seconds);

}  // namespace cairn::backup
