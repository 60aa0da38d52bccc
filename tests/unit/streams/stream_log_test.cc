// StreamLog and the stream record codec: a record round-trips through its binary format for every
// view type and event (INSERT, MODIFY, REMOVE, a deletion by Time to Live); the images follow the
// view type; a change that leaves the item as it was makes no record; sequence numbers follow the
// commit order when several threads commit at once; Load() resumes the sequence after a reopen;
// Trim() removes the records past the retention and moves the trim horizon; records stored as JSON
// by earlier versions still decode (and trim); corrupt values are errors, never crashes.
#include "streams/stream_log.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/engine.h"
#include "streams/stream_record.h"
#include "types/binary_codec.h"

namespace cairn::streams {
namespace {

using storage::Column;
using storage::Engine;

constexpr StreamViewType kAllViews[] = {StreamViewType::kKeysOnly, StreamViewType::kNewImage,
                                        StreamViewType::kOldImage,
                                        StreamViewType::kNewAndOldImages};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cairn_streams_XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::unique_ptr<Engine> Open(const std::string& dir = "") {
  storage::Options o;
  o.in_memory = dir.empty();
  o.data_dir = dir;
  o.block_cache_bytes = 8 << 20;
  Result<std::unique_ptr<Engine>> r = storage::OpenRocksDBEngine(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

uint64_t NowMs() {
  using namespace std::chrono;
  return uint64_t(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

std::shared_ptr<const storage::TableInfo> StreamTable(StreamViewType view, uint32_t stream_id = 7,
                                                      bool range = true) {
  auto t = std::make_shared<storage::TableInfo>();
  t->id = 3;
  t->name = "tbl";
  t->region = "eu-west-1";
  t->hash = {"pk", AttributeType::kS};
  if (range) t->range = storage::KeyElement{"sk", AttributeType::kN};
  t->stream_id = stream_id;
  t->stream_enabled = true;
  t->stream_view_type = std::string(StreamViewTypeText(view));
  t->stream_label = "2026-01-01T00:00:00.000";
  return t;
}

Item MakeItem(std::string pk, std::string sk, std::string payload) {
  Item item;
  item["pk"] = AttributeValue::String(std::move(pk));
  item["sk"] = AttributeValue::Num(std::move(sk));
  item["payload"] = AttributeValue::String(std::move(payload));
  item["set"] = AttributeValue::Set(AttributeType::kNS, {"1", "2.5"});
  item["bin"] = AttributeValue::Binary(std::string("\x00\xff", 2));
  return item;
}

Item KeyOf(const Item& item) {
  Item key;
  key.emplace("pk", item.at("pk"));
  key.emplace("sk", item.at("sk"));
  return key;
}

std::string Encoded(const Item& item) {
  std::string out;
  EncodeItem(item, &out);
  return out;
}

Item Decoded(std::string_view bytes) {
  Result<Item> item = DecodeItem(bytes);
  EXPECT_TRUE(item.ok()) << item.status().ToString();
  return item.ok() ? *item : Item();
}

struct Row {
  uint32_t stream_id;
  uint64_t seq;
  std::string value;
};

// Every record of the stream column, in key order.
std::vector<Row> ReadAll(Engine* engine) {
  std::vector<Row> rows;
  auto it = engine->NewIterator(Column::kStream, storage::ReadOptions());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view k = it->key();
    EXPECT_EQ(k.size(), 12u);
    if (k.size() != 12) continue;
    Row row{0, 0, std::string(it->value())};
    for (size_t i = 0; i < 4; ++i) row.stream_id = (row.stream_id << 8) | uint8_t(k[i]);
    for (size_t i = 4; i < 12; ++i) row.seq = (row.seq << 8) | uint8_t(k[i]);
    rows.push_back(std::move(row));
  }
  EXPECT_TRUE(it->status().ok());
  return rows;
}

StreamRecord MustDecode(const std::string& value, uint64_t* written_ms = nullptr) {
  Result<StoredRecord> stored = DecodeRecordValue(value);
  EXPECT_TRUE(stored.ok()) << stored.status().ToString();
  if (!stored.ok() || !stored->record) {
    ADD_FAILURE() << "not a binary record";
    return {};
  }
  EXPECT_FALSE(stored->json);
  if (written_ms) *written_ms = stored->written_ms;
  return *stored->record;
}

// Writes one batch with the change old -> new (either may be null) of `table`.
Status CommitOne(StreamLog* log, const std::shared_ptr<const storage::TableInfo>& table,
                 const Item* old_item, const Item* new_item, bool by_ttl = false) {
  PendingRecords pending;
  StreamLog::Add(table, old_item, new_item, by_ttl, &pending);
  storage::WriteBatch batch;
  return log->Commit(&batch, pending);
}

// A value as the JSON-writing versions stored it: written_ms then the GetRecords JSON.
std::string LegacyValue(uint64_t written_ms, uint64_t seq) {
  std::string v;
  for (int s = 56; s >= 0; s -= 8) v.push_back(char((written_ms >> s) & 0xFF));
  v += R"({"eventID":"0123456789abcdef0123456789abcdef","eventName":"INSERT","eventVersion":"1.1",)"
       R"("eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":)"
       R"({"ApproximateCreationDateTime":1700000000,"Keys":{"pk":{"S":"a"}},"SequenceNumber":")" +
       StreamLog::FormatSequence(seq) + R"(","SizeBytes":3,"StreamViewType":"KEYS_ONLY"}})";
  return v;
}

// ---------------------------------------------------------------------------------------------
// The codec.

TEST(StreamRecordTest, RoundTripsEveryViewTypeAndEvent) {
  std::string keys = Encoded(KeyOf(MakeItem("a", "1", "x")));
  std::string new_image = Encoded(MakeItem("a", "1", "new"));
  std::string old_image = Encoded(MakeItem("a", "1", "old"));
  struct Event {
    EventName name;
    bool by_ttl, has_new, has_old;
  };
  const Event events[] = {{EventName::kInsert, false, true, false},
                          {EventName::kModify, false, true, true},
                          {EventName::kRemove, false, false, true},
                          {EventName::kRemove, true, false, true}};  // Time to Live
  for (StreamViewType view : kAllViews) {
    for (const Event& e : events) {
      StreamRecord r;
      r.event_name = e.name;
      r.view_type = view;
      r.by_ttl = e.by_ttl;
      r.creation_ms = 1700000000123;
      r.size_bytes = 300;  // a two-byte varint
      r.event_id = "0123456789abcdef0123456789abcdef";
      r.region = "us-east-1";
      r.keys = keys;
      if (e.has_new && HasNewImage(view)) r.new_image = new_image;
      if (e.has_old && HasOldImage(view)) r.old_image = old_image;
      std::string value;
      EncodeRecordValue(1700000000456, r, &value);
      SCOPED_TRACE(std::string(StreamViewTypeText(view)) + " " +
                   std::string(EventNameText(e.name)) + (e.by_ttl ? " TTL" : ""));
      ASSERT_NE(value[8], '{');
      uint64_t written_ms = 0;
      EXPECT_EQ(MustDecode(value, &written_ms), r);
      EXPECT_EQ(written_ms, 1700000000456u);
      EXPECT_EQ(RecordWrittenMs(value), 1700000000456u);
    }
  }
}

TEST(StreamRecordTest, MatchesTheExampleInFormatMd) {
  std::string keys = Encoded(Item{{"pk", AttributeValue::String("a")}});
  StreamRecord r;
  r.creation_ms = 1700000000123;
  r.size_bytes = 3;
  r.event_id = "e";
  r.region = "us-east-1";
  r.keys = keys;
  std::string value;
  EncodeRecordValue(1700000000123, r, &value);
  const unsigned char expected[] = {
      0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x7B, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x7B, 0x03, 0x01, 0x65, 0x09, 0x75, 0x73, 0x2D, 0x65,
      0x61, 0x73, 0x74, 0x2D, 0x31, 0x08, 0x01, 0x01, 0x02, 0x70, 0x6B, 0x00, 0x01, 0x61};
  EXPECT_EQ(value, std::string(reinterpret_cast<const char*>(expected), sizeof expected));
}

TEST(StreamRecordTest, SetRecordTimesStampsBothTimes) {
  std::string keys = Encoded(Item{{"pk", AttributeValue::String("a")}});
  StreamRecord r;
  r.event_id = "id";
  r.region = "r";
  r.keys = keys;
  std::string value;
  EncodeRecordValue(0, r, &value);
  SetRecordTimes(&value, 1234567890123, 1234567890000);
  uint64_t written_ms = 0;
  StreamRecord back = MustDecode(value, &written_ms);
  EXPECT_EQ(written_ms, 1234567890123u);
  EXPECT_EQ(back.creation_ms, 1234567890000u);
  r.creation_ms = 1234567890000;
  EXPECT_EQ(back, r);
}

TEST(StreamRecordTest, DecodesTheOldJsonFormat) {
  std::string value = LegacyValue(1700000000999, 42);
  Result<StoredRecord> stored = DecodeRecordValue(value);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->written_ms, 1700000000999u);
  ASSERT_TRUE(stored->json);
  EXPECT_FALSE(stored->record);
  EXPECT_EQ(*stored->json, std::string_view(value).substr(8));
  EXPECT_EQ(RecordWrittenMs(value), 1700000000999u);
}

TEST(StreamRecordTest, RejectsCorruptValues) {
  std::string keys = Encoded(Item{{"pk", AttributeValue::String("a")}});
  std::string image = Encoded(MakeItem("a", "1", "x"));
  StreamRecord r;
  r.event_name = EventName::kModify;
  r.view_type = StreamViewType::kNewAndOldImages;
  r.event_id = "id";
  r.region = "us-east-1";
  r.keys = keys;
  r.new_image = image;
  r.old_image = image;
  std::string good;
  EncodeRecordValue(5, r, &good);
  ASSERT_TRUE(DecodeRecordValue(good).ok());

  // Every truncation is an error (and reads nothing past the end: run under ASan).
  for (size_t n = 0; n < good.size(); ++n)
    EXPECT_FALSE(DecodeRecordValue(good.substr(0, n)).ok()) << "length " << n;
  auto corrupt = [&](size_t at, char byte) {
    std::string v = good;
    v[at] = byte;
    return DecodeRecordValue(v).status();
  };
  EXPECT_EQ(corrupt(8, 0x02).code(), Status::Code::kCorruption);  // unknown format
  EXPECT_EQ(corrupt(8, 0x00).code(), Status::Code::kCorruption);
  EXPECT_EQ(corrupt(9, 0x03).code(), Status::Code::kCorruption);   // eventName
  EXPECT_EQ(corrupt(10, 0x0E).code(), Status::Code::kCorruption);  // unknown flag 0x08
  EXPECT_EQ(corrupt(11, 0x04).code(), Status::Code::kCorruption);  // StreamViewType
  EXPECT_EQ(DecodeRecordValue(good + "x").status().code(), Status::Code::kCorruption);
  // Dropping the OldImage flag leaves its bytes behind: trailing bytes.
  EXPECT_EQ(corrupt(10, 0x02).code(), Status::Code::kCorruption);
  // A length past the end: the eventID's, after written_ms, 4 bytes, creation_ms, size_bytes (0).
  std::string huge = good.substr(0, 21) + "\xff\xff\xff\xff\x0f" + good.substr(21);
  EXPECT_EQ(DecodeRecordValue(huge).status().code(), Status::Code::kCorruption);
}

TEST(StreamRecordTest, NamesAndViewTypes) {
  EXPECT_EQ(EventNameText(EventName::kInsert), "INSERT");
  EXPECT_EQ(EventNameText(EventName::kModify), "MODIFY");
  EXPECT_EQ(EventNameText(EventName::kRemove), "REMOVE");
  for (StreamViewType v : kAllViews) EXPECT_EQ(ParseStreamViewType(StreamViewTypeText(v)), v);
  EXPECT_FALSE(ParseStreamViewType("keys_only"));
  EXPECT_FALSE(ParseStreamViewType(""));
  // Stored numbers: pinned here so that a renumbering fails a test.
  EXPECT_EQ(uint8_t(EventName::kRemove), 2);
  EXPECT_EQ(uint8_t(StreamViewType::kKeysOnly), 0);
  EXPECT_EQ(uint8_t(StreamViewType::kNewImage), 1);
  EXPECT_EQ(uint8_t(StreamViewType::kOldImage), 2);
  EXPECT_EQ(uint8_t(StreamViewType::kNewAndOldImages), 3);
}

// ---------------------------------------------------------------------------------------------
// StreamLog.

TEST(StreamLogTest, WritesRecordsWithTheImagesTheViewTypeAsksFor) {
  for (StreamViewType view : kAllViews) {
    SCOPED_TRACE(StreamViewTypeText(view));
    auto engine = Open();
    StreamLog log(engine.get(), 3600);
    ASSERT_TRUE(log.Load().ok());
    auto table = StreamTable(view);
    Item v1 = MakeItem("a", "1", "one"), v2 = MakeItem("a", "1", "two");
    uint64_t before = NowMs();
    ASSERT_TRUE(CommitOne(&log, table, nullptr, &v1).ok());                   // INSERT
    ASSERT_TRUE(CommitOne(&log, table, &v1, &v2).ok());                       // MODIFY
    ASSERT_TRUE(CommitOne(&log, table, &v2, nullptr).ok());                   // REMOVE
    ASSERT_TRUE(CommitOne(&log, table, nullptr, &v1).ok());                   // INSERT
    ASSERT_TRUE(CommitOne(&log, table, &v1, nullptr, /*by_ttl=*/true).ok());  // TTL
    uint64_t after = NowMs();
    EXPECT_EQ(log.next_sequence(), 6u);

    std::vector<Row> rows = ReadAll(engine.get());
    ASSERT_EQ(rows.size(), 5u);
    struct Expect {
      EventName name;
      const Item* old_item;
      const Item* new_item;
      bool by_ttl;
    };
    const Expect expect[] = {{EventName::kInsert, nullptr, &v1, false},
                             {EventName::kModify, &v1, &v2, false},
                             {EventName::kRemove, &v2, nullptr, false},
                             {EventName::kInsert, nullptr, &v1, false},
                             {EventName::kRemove, &v1, nullptr, true}};
    std::set<std::string> event_ids;
    for (size_t i = 0; i < rows.size(); ++i) {
      SCOPED_TRACE(i);
      const Expect& e = expect[i];
      EXPECT_EQ(rows[i].stream_id, 7u);
      EXPECT_EQ(rows[i].seq, i + 1);
      uint64_t written_ms = 0;
      StreamRecord r = MustDecode(rows[i].value, &written_ms);
      EXPECT_EQ(r.event_name, e.name);
      EXPECT_EQ(r.by_ttl, e.by_ttl);
      EXPECT_EQ(r.view_type, view);
      EXPECT_EQ(r.region, "eu-west-1");
      EXPECT_GE(written_ms, before);
      EXPECT_LE(written_ms, after);
      EXPECT_EQ(r.creation_ms, written_ms);
      EXPECT_EQ(r.event_id.size(), 32u);
      EXPECT_EQ(r.event_id.find_first_not_of("0123456789abcdef"), std::string_view::npos);
      event_ids.insert(std::string(r.event_id));
      const Item& any = e.new_item ? *e.new_item : *e.old_item;
      EXPECT_EQ(Decoded(r.keys), KeyOf(any));
      size_t size = ItemSize(KeyOf(any));
      bool want_new = e.new_item && HasNewImage(view), want_old = e.old_item && HasOldImage(view);
      ASSERT_EQ(r.new_image.has_value(), want_new);
      ASSERT_EQ(r.old_image.has_value(), want_old);
      if (want_new) {
        EXPECT_EQ(Decoded(*r.new_image), *e.new_item);
        size += ItemSize(*e.new_item);
      }
      if (want_old) {
        EXPECT_EQ(Decoded(*r.old_image), *e.old_item);
        size += ItemSize(*e.old_item);
      }
      EXPECT_EQ(r.size_bytes, size);
    }
    EXPECT_EQ(event_ids.size(), rows.size());
  }
}

TEST(StreamLogTest, KeysOfAHashOnlyTable) {
  auto engine = Open();
  StreamLog log(engine.get(), 3600);
  ASSERT_TRUE(log.Load().ok());
  auto table = StreamTable(StreamViewType::kKeysOnly, 7, /*range=*/false);
  Item item = MakeItem("a", "1", "x");
  ASSERT_TRUE(CommitOne(&log, table, nullptr, &item).ok());
  std::vector<Row> rows = ReadAll(engine.get());
  ASSERT_EQ(rows.size(), 1u);
  Item key{{"pk", AttributeValue::String("a")}};
  StreamRecord r = MustDecode(rows[0].value);
  EXPECT_EQ(Decoded(r.keys), key);
  EXPECT_EQ(r.size_bytes, ItemSize(key));
}

TEST(StreamLogTest, AChangeThatLeavesTheItemEqualMakesNoRecord) {
  auto table = StreamTable(StreamViewType::kNewAndOldImages);
  Item a = MakeItem("a", "1", "x");
  Item same = a;
  // Equal as DynamoDB compares: numbers by value, sets in any order.
  same["set"] = AttributeValue::Set(AttributeType::kNS, {"2.5", "1"});
  PendingRecords pending;
  StreamLog::Add(table, &a, &same, false, &pending);
  StreamLog::Add(table, nullptr, nullptr, false, &pending);  // deleting an absent item
  EXPECT_TRUE(pending.changes.empty());

  auto engine = Open();
  StreamLog log(engine.get(), 3600);
  ASSERT_TRUE(log.Load().ok());
  storage::WriteBatch batch;
  batch.Put(Column::kData, "item", "v");
  ASSERT_TRUE(log.Commit(&batch, pending).ok());  // still writes the batch
  std::string v;
  EXPECT_TRUE(engine->Get(Column::kData, "item", &v).ok());
  EXPECT_TRUE(ReadAll(engine.get()).empty());
  EXPECT_EQ(log.next_sequence(), 1u);

  Item b = MakeItem("a", "1", "y");
  StreamLog::Add(table, &a, &b, false, &pending);
  EXPECT_EQ(pending.changes.size(), 1u);
}

TEST(StreamLogTest, NoRecordWithoutAnEnabledStream) {
  Item a = MakeItem("a", "1", "x");
  PendingRecords pending;
  auto disabled = std::make_shared<storage::TableInfo>(*StreamTable(StreamViewType::kKeysOnly));
  disabled->stream_enabled = false;
  StreamLog::Add(disabled, nullptr, &a, false, &pending);
  auto never = std::make_shared<storage::TableInfo>(*StreamTable(StreamViewType::kKeysOnly));
  never->stream_id = 0;
  StreamLog::Add(never, nullptr, &a, false, &pending);
  EXPECT_TRUE(pending.changes.empty());
}

TEST(StreamLogTest, RecordsCommitWithTheirBatch) {
  auto engine = Open();
  StreamLog log(engine.get(), 3600);
  ASSERT_TRUE(log.Load().ok());
  auto table = StreamTable(StreamViewType::kNewImage);
  Item a = MakeItem("a", "1", "x"), b = MakeItem("b", "2", "y");
  PendingRecords pending;
  StreamLog::Add(table, nullptr, &a, false, &pending);
  StreamLog::Add(table, nullptr, &b, false, &pending);
  storage::WriteBatch batch;
  batch.Put(Column::kData, "item", "v");
  ASSERT_TRUE(log.Commit(&batch, pending).ok());
  std::string v;
  EXPECT_TRUE(engine->Get(Column::kData, "item", &v).ok());
  std::vector<Row> rows = ReadAll(engine.get());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].seq, 1u);
  EXPECT_EQ(rows[1].seq, 2u);
  EXPECT_EQ(Decoded(*MustDecode(rows[0].value).new_image), a);
  EXPECT_EQ(Decoded(*MustDecode(rows[1].value).new_image), b);
}

TEST(StreamLogTest, UnknownViewTypeWritesNothing) {
  auto engine = Open();
  StreamLog log(engine.get(), 3600);
  ASSERT_TRUE(log.Load().ok());
  auto table = std::make_shared<storage::TableInfo>(*StreamTable(StreamViewType::kKeysOnly));
  table->stream_view_type = "EVERYTHING";
  Item a = MakeItem("a", "1", "x");
  PendingRecords pending;
  StreamLog::Add(table, nullptr, &a, false, &pending);
  storage::WriteBatch batch;
  batch.Put(Column::kData, "item", "v");
  EXPECT_TRUE(log.Commit(&batch, pending).IsInvalidArgument());
  std::string v;
  EXPECT_TRUE(engine->Get(Column::kData, "item", &v).IsNotFound());
  EXPECT_TRUE(ReadAll(engine.get()).empty());
  EXPECT_EQ(log.next_sequence(), 1u);
}

// Several threads commit batches of one or two records each, to two streams. The sequence numbers
// are 1..n without gaps or repeats, each thread's records come in the order it committed them, a
// record's time never decreases with its sequence number, and a thread that returned from
// Commit() sees next_sequence() past its records.
TEST(StreamLogTest, SequenceNumbersFollowCommitOrderAcrossThreads) {
  constexpr int kThreads = 6, kCommits = 150;
  auto engine = Open();
  StreamLog log(engine.get(), 3600);
  ASSERT_TRUE(log.Load().ok());
  auto t1 = StreamTable(StreamViewType::kNewImage, 7);
  auto t2 = StreamTable(StreamViewType::kKeysOnly, 9);
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      for (int i = 0; i < kCommits; ++i) {
        Item item = MakeItem("t" + std::to_string(th), std::to_string(i), "p");
        PendingRecords pending;
        StreamLog::Add(th % 2 ? t1 : t2, nullptr, &item, false, &pending);
        if (i % 3 == 0) StreamLog::Add(th % 2 ? t2 : t1, nullptr, &item, false, &pending);
        storage::WriteBatch batch;
        if (!log.Commit(&batch, pending).ok()) failed = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_FALSE(failed);

  std::vector<Row> rows = ReadAll(engine.get());
  const size_t per_thread = kCommits + (kCommits + 2) / 3;
  ASSERT_EQ(rows.size(), kThreads * per_thread);
  EXPECT_EQ(log.next_sequence(), rows.size() + 1);
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.seq < b.seq; });
  std::map<std::string, int> last_commit;  // thread -> its last commit seen, in sequence order
  uint64_t last_ms = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].seq, i + 1);
    uint64_t written_ms = 0;
    StreamRecord r = MustDecode(rows[i].value, &written_ms);
    EXPECT_GE(written_ms, last_ms);
    last_ms = written_ms;
    Item key = Decoded(r.keys);
    std::string thread = key.at("pk").s;
    int commit = std::stoi(key.at("sk").s);
    auto [it, first] = last_commit.emplace(thread, commit);
    if (!first) {
      // The second record of a two-record batch repeats the commit number.
      EXPECT_GE(commit, it->second) << thread;
      it->second = commit;
    }
  }
  EXPECT_EQ(last_commit.size(), size_t(kThreads));
}

TEST(StreamLogTest, LoadResumesTheSequenceAfterReopen) {
  TempDir dir;
  auto table = StreamTable(StreamViewType::kNewAndOldImages, 7);
  auto other = StreamTable(StreamViewType::kKeysOnly, 12);
  Item a = MakeItem("a", "1", "x"), b = MakeItem("a", "1", "y");
  {
    auto engine = Open(dir.path());
    StreamLog log(engine.get(), 3600);
    ASSERT_TRUE(log.Load().ok());
    EXPECT_EQ(log.next_sequence(), 1u);
    EXPECT_EQ(log.trim_horizon(), 1u);
    ASSERT_TRUE(CommitOne(&log, table, nullptr, &a).ok());
    ASSERT_TRUE(CommitOne(&log, other, nullptr, &a).ok());
    ASSERT_TRUE(CommitOne(&log, table, &a, &b).ok());
    EXPECT_EQ(log.next_sequence(), 4u);
  }
  {
    auto engine = Open(dir.path());
    StreamLog log(engine.get(), 3600);
    ASSERT_TRUE(log.Load().ok());
    EXPECT_EQ(log.next_sequence(), 4u);
    EXPECT_EQ(log.trim_horizon(), 1u);
    ASSERT_TRUE(CommitOne(&log, other, &a, nullptr).ok());
    std::vector<Row> rows = ReadAll(engine.get());
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[3].stream_id, 12u);
    EXPECT_EQ(rows[3].seq, 4u);
    EXPECT_EQ(MustDecode(rows[3].value).event_name, EventName::kRemove);
    EXPECT_EQ(log.next_sequence(), 5u);
  }
}

// Records past the retention go, in every stream; younger ones stay; the trim horizon moves past
// the last record removed. Old JSON records are trimmed by the same time prefix, and are counted
// by Load().
TEST(StreamLogTest, TrimRemovesRecordsPastTheRetention) {
  auto engine = Open();
  const uint64_t old_ms = NowMs() - 2 * 3600 * 1000;
  {
    storage::WriteBatch batch;
    std::string keys = Encoded(Item{{"pk", AttributeValue::String("a")}});
    StreamRecord r;
    r.event_id = "id";
    r.region = "us-east-1";
    r.keys = keys;
    r.creation_ms = old_ms;
    std::string binary;
    EncodeRecordValue(old_ms, r, &binary);
    batch.Put(Column::kStream, StreamLog::RecordKey(5, 1), binary);
    batch.Put(Column::kStream, StreamLog::RecordKey(7, 2), LegacyValue(old_ms + 1, 2));
    ASSERT_TRUE(engine->Write(batch).ok());
  }
  StreamLog log(engine.get(), 3600);
  ASSERT_TRUE(log.Load().ok());
  EXPECT_EQ(log.next_sequence(), 3u);
  EXPECT_EQ(log.trim_horizon(), 1u);
  Item a = MakeItem("a", "1", "x");
  ASSERT_TRUE(CommitOne(&log, StreamTable(StreamViewType::kKeysOnly, 7), nullptr, &a).ok());
  ASSERT_TRUE(CommitOne(&log, StreamTable(StreamViewType::kKeysOnly, 5), nullptr, &a).ok());

  log.Trim();
  std::vector<Row> rows = ReadAll(engine.get());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].stream_id, 5u);
  EXPECT_EQ(rows[0].seq, 4u);
  EXPECT_EQ(rows[1].stream_id, 7u);
  EXPECT_EQ(rows[1].seq, 3u);
  EXPECT_EQ(log.trim_horizon(), 3u);
  EXPECT_EQ(log.next_sequence(), 5u);

  log.Trim();  // nothing more to trim
  EXPECT_EQ(ReadAll(engine.get()).size(), 2u);
  EXPECT_EQ(log.trim_horizon(), 3u);

  // With no retention at all everything written before now goes.
  StreamLog zero(engine.get(), 0);
  ASSERT_TRUE(zero.Load().ok());
  EXPECT_EQ(zero.trim_horizon(), 3u);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  zero.Trim();
  EXPECT_TRUE(ReadAll(engine.get()).empty());
  EXPECT_EQ(zero.trim_horizon(), 5u);
}

TEST(StreamLogTest, FormatsSequenceNumbersAndKeys) {
  EXPECT_EQ(StreamLog::FormatSequence(42), "000000000000000000042");
  EXPECT_EQ(StreamLog::RecordKey(0x01020304, 0x0506),
            std::string("\x01\x02\x03\x04\x00\x00\x00\x00\x00\x00\x05\x06", 12));
}

}  // namespace
}  // namespace cairn::streams
