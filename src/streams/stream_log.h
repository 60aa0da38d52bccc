// StreamLog: DynamoDB Streams records, written in the same atomic batch as the item change they
// describe, with sequence numbers in commit order.
//
// A writer collects the changes of its batch (Add), then writes the batch through Commit(). For a
// batch with records, Commit() encodes them first (stream_record.h: the binary record format, with
// the Keys and images in the item value format; GetRecords renders the JSON when it reads them),
// then takes the log's mutex, numbers and stamps the records and writes the whole batch before
// releasing it: so sequence numbers are in commit order, a record's time never decreases with its
// sequence number (Trim() relies on it), and a reader that has seen record n has seen every record
// before n (GetRecords never skips one that commits late). Batches without records (tables without
// a stream) do not touch the mutex.
// A change that leaves the item as it was produces no record. Records older than the retention
// (24 hours, --stream-retention for tests) are trimmed by Trim().
// Stored (docs/format.md, "Stream records"): key = stream id u32 BE | sequence number u64 BE; value
// as stream_record.h describes. An engine that numbers records itself, per storage shard (RADOS:
// storage/engine.h, ShardedStreams), gets each record under ShardedStreams::RecordKey (its item's
// partition prefix) instead, stamped but unnumbered: Commit takes no lock for it, and
// next_sequence() / trim_horizon() do not describe those streams (GetRecords asks the engine). This layer needs only storage/ and types/: it never writes JSON.
// Thread safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/catalog.h"
#include "storage/engine.h"
#include "types/attribute_value.h"

namespace cairn::streams {

// The changes of one batch that go to streams.
struct PendingRecords {
  struct Change {
    std::shared_ptr<const storage::TableInfo> table;
    std::optional<Item> old_item, new_item;
    bool by_ttl = false;  // a deletion by Time to Live (userIdentity: the DynamoDB service)
  };
  std::vector<Change> changes;
};

class StreamLog {
 public:
  StreamLog(storage::Engine* engine, double retention_seconds)
      : engine_(engine), retention_seconds_(retention_seconds) {}

  // Reads the last sequence number and the trim horizon back from the engine. Call once before
  // serving. Returns the iterator's error, if any.
  Status Load();

  // Notes the change of one item of `table` (either image may be null). Does nothing when the
  // table has no enabled stream or the item did not change.
  static void Add(const std::shared_ptr<const storage::TableInfo>& table, const Item* old_item,
                  const Item* new_item, bool by_ttl, PendingRecords* pending);

  // Writes `batch` plus the records of `pending`, atomically. Returns what Engine::Write returns,
  // or InvalidArgument (nothing written) when a table's stream_view_type is not one of DynamoDB's
  // four.
  Status Commit(storage::WriteBatch* batch, const PendingRecords& pending);

  // The sequence number the next record will get.
  uint64_t next_sequence() const { return next_.load(); }
  // The first sequence number still kept (records before it were trimmed).
  uint64_t trim_horizon() const { return trim_horizon_.load(); }
  double retention_seconds() const { return retention_seconds_; }

  // Deletes records older than the retention. Called by the background sweeper. With an engine
  // that numbers records per storage shard (storage/engine.h, ShardedStreams), the streams to trim
  // come from `catalog` (tables' and retired streams), at most every min(60 s, retention / 4).
  void Trim(const storage::Catalog* catalog = nullptr);

  // Sequence numbers as DynamoDB Streams prints them: decimal, 21 digits.
  static std::string FormatSequence(uint64_t seq);
  static std::string RecordKey(uint32_t stream_id, uint64_t seq);

 private:
  storage::Engine* engine_;
  double retention_seconds_;
  std::mutex mu_;  // held while numbering and writing a batch with records
  std::atomic<uint64_t> next_{1};
  std::atomic<uint64_t> trim_horizon_{1};
  uint64_t last_sharded_trim_ms_ = 0;  // the sweeper's thread only
};

}  // namespace cairn::streams
