#include "streams/stream_log.h"

#include <chrono>
#include <cstdio>
#include <random>

#include "protocol/attribute_json.h"
#include "protocol/json_writer.h"
#include "storage/key_encoding.h"

namespace cairn::streams {
namespace {

double NowSeconds() {
  using namespace std::chrono;
  return double(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()) /
         1000.0;
}

void PutU64(std::string* out, uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out->push_back(char((v >> s) & 0xFF));
}
uint64_t GetU64(std::string_view in) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < in.size(); ++i) v = (v << 8) | uint8_t(in[i]);
  return v;
}

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

// The record's JSON, as GetRecords returns it.
std::string Render(const PendingRecords::Change& c, uint64_t seq, double now) {
  const storage::TableInfo& t = *c.table;
  const Item& any = c.new_item ? *c.new_item : *c.old_item;
  Item keys = KeyOf(t, any);
  const std::string& view = t.stream_view_type;
  bool new_image = c.new_item && (view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES");
  bool old_image = c.old_item && (view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES");
  size_t size = ItemSize(keys) + (new_image ? ItemSize(*c.new_item) : 0) +
                (old_image ? ItemSize(*c.old_item) : 0);
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.KV("eventID", EventId());
  w.KV("eventName", !c.old_item ? "INSERT" : !c.new_item ? "REMOVE" : "MODIFY");
  w.KV("eventVersion", "1.1");
  w.KV("eventSource", "aws:dynamodb");
  w.KV("awsRegion", t.region);
  w.Key("dynamodb");
  w.BeginObject();
  w.Key("ApproximateCreationDateTime");
  w.Double(double(int64_t(now)));  // DynamoDB rounds it to the second
  w.Key("Keys");
  protocol::WriteItemJson(w, keys);
  if (new_image) {
    w.Key("NewImage");
    protocol::WriteItemJson(w, *c.new_item);
  }
  if (old_image) {
    w.Key("OldImage");
    protocol::WriteItemJson(w, *c.old_item);
  }
  w.KV("SequenceNumber", StreamLog::FormatSequence(seq));
  w.Key("SizeBytes");
  w.UInt(size);
  w.KV("StreamViewType", view);
  w.EndObject();
  if (c.by_ttl) {
    // The Streams API spells these members PrincipalId and Type (its service model); Lambda's
    // event format lower-cases them.
    w.Key("userIdentity");
    w.BeginObject();
    w.KV("PrincipalId", "dynamodb.amazonaws.com");
    w.KV("Type", "Service");
    w.EndObject();
  }
  w.EndObject();
  return out;
}

}  // namespace

std::string StreamLog::FormatSequence(uint64_t seq) {
  char buf[32];
  snprintf(buf, sizeof buf, "%021llu", static_cast<unsigned long long>(seq));
  return buf;
}

std::string StreamLog::RecordKey(uint32_t stream_id, uint64_t seq) {
  std::string k = storage::TablePrefix(stream_id);
  PutU64(&k, seq);
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
    min = std::min(min, GetU64(key.substr(4)));
    std::string end = storage::TableEnd(uint32_t(GetU64(std::string(4, '\0') + std::string(key.substr(0, 4)))));
    it->SeekForPrev(end);
    if (it->Valid() && it->key().size() == 12) max = std::max(max, GetU64(it->key().substr(4)));
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
  std::lock_guard lock(mu_);
  double now = NowSeconds();
  uint64_t seq = next_.load();
  for (const auto& c : pending.changes) {
    std::string value;
    PutU64(&value, uint64_t(now * 1000));
    value.append(Render(c, seq, now));
    batch->Put(storage::Column::kStream, RecordKey(c.table->stream_id, seq), value);
    ++seq;
  }
  Status s = engine_->Write(*batch);
  if (s.ok()) next_.store(seq);
  return s;
}

void StreamLog::Trim() {
  uint64_t cutoff_ms = uint64_t((NowSeconds() - retention_seconds_) * 1000);
  storage::ReadOptions ro;
  auto it = engine_->NewIterator(storage::Column::kStream, ro);
  storage::WriteBatch batch;
  uint64_t trimmed_to = 0;
  for (it->SeekToFirst(); it->Valid();) {
    std::string_view key = it->key();
    std::string_view value = it->value();
    if (key.size() == 12 && value.size() >= 8 && GetU64(value) < cutoff_ms) {
      batch.Delete(storage::Column::kStream, key);
      trimmed_to = std::max(trimmed_to, GetU64(key.substr(4)));
      it->Next();
      continue;
    }
    // The rest of this stream is younger: skip to the next stream.
    if (key.size() < 4) break;
    std::string stream(key.substr(0, 4));
    uint32_t id = (uint32_t(uint8_t(stream[0])) << 24) | (uint32_t(uint8_t(stream[1])) << 16) |
                  (uint32_t(uint8_t(stream[2])) << 8) | uint8_t(stream[3]);
    if (id == UINT32_MAX) break;
    it->Seek(storage::TableEnd(id));
  }
  if (batch.empty()) return;
  if (engine_->Write(batch).ok() && trimmed_to + 1 > trim_horizon_.load())
    trim_horizon_.store(trimmed_to + 1);
}

}  // namespace cairn::streams
