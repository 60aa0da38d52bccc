#include "streams/stream_log.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include "storage/key_encoding.h"
#include "streams/stream_record.h"
#include "types/binary_codec.h"
#include "util/big_endian.h"

namespace cairn::streams {
namespace {

uint64_t NowMs() {
  using namespace std::chrono;
  return uint64_t(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

// The stream id of a record key. REQUIRES: key.size() >= 4.
uint32_t StreamIdOf(std::string_view key) { return ReadBigEndian32(key); }

std::string EventId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
           static_cast<unsigned long long>(rng()));
  return buf;
}

Item KeyOf(const storage::TableInfo& t, const Item& item) {
  Item key;
  if (auto h = item.find(t.hash.name); h != item.end()) key.emplace(h->first, h->second);
  if (t.range)
    if (auto r = item.find(t.range->name); r != item.end()) key.emplace(r->first, r->second);
  return key;
}

// The stored value of a change's record, with its times still to be set (SetRecordTimes).
Result<std::string> EncodeChange(const PendingRecords::Change& c) {
  const storage::TableInfo& t = *c.table;
  std::optional<StreamViewType> view = ParseStreamViewType(t.stream_view_type);
  if (!view) return Status::InvalidArgument("unknown StreamViewType '" + t.stream_view_type + "'");
  const Item& any = c.new_item ? *c.new_item : *c.old_item;
  Item keys = KeyOf(t, any);
  bool new_image = c.new_item && HasNewImage(*view);
  bool old_image = c.old_item && HasOldImage(*view);
  std::string keys_bytes, new_bytes, old_bytes, event_id = EventId();
  EncodeItem(keys, &keys_bytes);
  StreamRecord r;
  r.event_name = !c.old_item   ? EventName::kInsert
                 : !c.new_item ? EventName::kRemove
                               : EventName::kModify;
  r.view_type = *view;
  r.by_ttl = c.by_ttl;
  r.size_bytes = ItemSize(keys);
  r.event_id = event_id;
  r.region = t.region;
  r.keys = keys_bytes;
  if (new_image) {
    EncodeItem(*c.new_item, &new_bytes);
    r.new_image = new_bytes;
    r.size_bytes += ItemSize(*c.new_item);
  }
  if (old_image) {
    EncodeItem(*c.old_item, &old_bytes);
    r.old_image = old_bytes;
    r.size_bytes += ItemSize(*c.old_item);
  }
  std::string value;
  EncodeRecordValue(0, r, &value);
  return value;
}

}  // namespace

std::string StreamLog::FormatSequence(uint64_t seq) {
  char buf[32];
  snprintf(buf, sizeof buf, "%021llu", static_cast<unsigned long long>(seq));
  return buf;
}

std::string StreamLog::RecordKey(uint32_t stream_id, uint64_t seq) {
  std::string k = storage::TablePrefix(stream_id);
  AppendBigEndian64(&k, seq);
  return k;
}

Status StreamLog::Load() {
  storage::ReadOptions ro;
  auto it = engine_->NewIterator(storage::Column::kStream, ro);
  uint64_t max = 0, min = UINT64_MAX;
  // Keys are ordered by stream, then sequence: look at each stream's first and last record.
  for (it->SeekToFirst(); it->Valid();) {
    std::string_view key = it->key();
    if (key.size() != 12) {
      it->Next();
      continue;
    }
    min = std::min(min, ReadBigEndian64(key.substr(4)));
    std::string end = storage::TableEnd(StreamIdOf(key));
    it->SeekForPrev(end);
    if (it->Valid() && it->key().size() == 12) max = std::max(max, ReadBigEndian64(it->key().substr(4)));
    it->Seek(end);
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  next_.store(max + 1);
  trim_horizon_.store(min == UINT64_MAX ? max + 1 : min);
  return Status::OK();
}

void StreamLog::Add(const std::shared_ptr<const storage::TableInfo>& table, const Item* old_item,
                    const Item* new_item, bool by_ttl, PendingRecords* pending) {
  if (!table->stream_enabled || table->stream_id == 0) return;
  if (!old_item && !new_item) return;
  if (old_item && new_item && *old_item == *new_item) return;  // a write that changes nothing
  PendingRecords::Change c;
  c.table = table;
  if (old_item) c.old_item = *old_item;
  if (new_item) c.new_item = *new_item;
  c.by_ttl = by_ttl;
  pending->changes.push_back(std::move(c));
}

Status StreamLog::Commit(storage::WriteBatch* batch, const PendingRecords& pending) {
  if (pending.changes.empty()) return engine_->Write(*batch);
  if (engine_->ShardedStreamRecords()) {
    // The engine numbers each record in its item's shard op (storage/engine.h).
    const uint64_t now = NowMs();
    for (const auto& c : pending.changes) {
      CAIRN_ASSIGN_OR_RETURN(std::string value, EncodeChange(c));
      SetRecordTimes(&value, now, now);
      const Item& any = c.new_item ? *c.new_item : *c.old_item;
      auto pk = any.find(c.table->hash.name);
      if (pk == any.end()) return Status::InvalidArgument("stream record without its partition key");
      batch->Put(storage::Column::kStream,
                 storage::ShardedStreams::RecordKey(c.table->stream_id,
                                                    storage::PartitionPrefix(c.table->id, pk->second)),
                 value);
    }
    return engine_->Write(*batch);
  }
  // Encoding (the bulk of the work: the images) happens before the lock; numbering, the time and
  // the write under it.
  std::vector<std::string> values;
  values.reserve(pending.changes.size());
  for (const auto& c : pending.changes) {
    CAIRN_ASSIGN_OR_RETURN(std::string value, EncodeChange(c));
    values.push_back(std::move(value));
  }
  std::lock_guard lock(mu_);
  uint64_t now = NowMs();
  uint64_t seq = next_.load();
  for (size_t i = 0; i < values.size(); ++i) {
    SetRecordTimes(&values[i], now, now);
    batch->Put(storage::Column::kStream, RecordKey(pending.changes[i].table->stream_id, seq),
               values[i]);
    ++seq;
  }
  Status s = engine_->Write(*batch);
  if (s.ok()) next_.store(seq);
  return s;
}

void StreamLog::Trim(const storage::Catalog* catalog) {
  double cutoff = double(NowMs()) - retention_seconds_ * 1000;
  uint64_t cutoff_ms = cutoff > 0 ? uint64_t(cutoff) : 0;
  if (storage::ShardedStreams* sharded = engine_->ShardedStreamRecords()) {
    if (!catalog) return;
    const uint64_t now = NowMs();
    const double interval_ms = std::min(60.0, retention_seconds_ / 4) * 1000;
    if (double(now - last_sharded_trim_ms_) < interval_ms) return;
    last_sharded_trim_ms_ = now;
    std::vector<std::shared_ptr<const storage::TableInfo>> streams = catalog->AllTables();
    for (auto& r : catalog->AllRetiredStreams()) streams.push_back(std::move(r));
    for (const auto& t : streams) {
      if (t->stream_id == 0) continue;
      auto shards = sharded->Shards(t->id);
      if (!shards.ok()) continue;
      // Failures are retried next round (the guard makes a trim by several servers harmless).
      for (const auto& shard : *shards) (void)sharded->Trim(t->id, shard.name, t->stream_id, cutoff_ms);
    }
    return;
  }
  storage::ReadOptions ro;
  auto it = engine_->NewIterator(storage::Column::kStream, ro);
  storage::WriteBatch batch;
  uint64_t trimmed_to = 0;
  for (it->SeekToFirst(); it->Valid();) {
    std::string_view key = it->key();
    std::string_view value = it->value();
    // Every format starts with the time it was written (stream_record.h).
    if (key.size() == 12 && value.size() >= 8 && RecordWrittenMs(value) < cutoff_ms) {
      batch.Delete(storage::Column::kStream, key);
      trimmed_to = std::max(trimmed_to, ReadBigEndian64(key.substr(4)));
      it->Next();
      continue;
    }
    // The rest of this stream is younger: skip to the next stream.
    if (key.size() < 4) break;
    uint32_t id = StreamIdOf(key);
    if (id == UINT32_MAX) break;
    it->Seek(storage::TableEnd(id));
  }
  if (batch.empty()) return;
  if (engine_->Write(batch).ok() && trimmed_to + 1 > trim_horizon_.load())
    trim_horizon_.store(trimmed_to + 1);
}

}  // namespace cairn::streams
