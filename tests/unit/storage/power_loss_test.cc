// Power loss: what a write acknowledged by the RocksDB engine is worth when the machine, not the
// process, dies.
//
// The contract (engine.h, ARCHITECTURE.md): with Options::sync (the server's --sync) a Write() that
// returned OK is fsynced, so it survives a power loss. Without it a power loss may lose the last
// writes, but the database must still open consistent: every batch whole or absent (no torn item,
// no index entry without its item, no item without its entry, no stream record without its
// change), and, with one writer, what survives is a prefix of the writes in commit order.
//
// How: PowerLossFileSystem, a rocksdb::FileSystemWrapper over the default file system, records for
// each file the engine writes how many of its bytes were synced, and which new files and renames
// a fsync of their directory made durable. Crash() freezes it: every later write, sync, rename or
// delete fails and does nothing, so the engine (closed next) cannot save anything. Apply() then
// does to the directory what a power loss may do: files are cut to their synced length, files
// created and renames made since the last fsync of their directory are undone; in the "torn"
// variant the write-ahead log files keep a random part of their unsynced tail, which may end in
// the middle of a record. The engine reopens on the directory, and the test compares what it finds
// with the writes it made. Each trial crashes the same directory several times, so a crash during
// or just after recovery is covered too.
// Not modelled: an unlink not followed by a fsync of its directory is taken as durable (RocksDB
// deletes only obsolete files); data never synced is never kept except the torn WAL tails.
//
// The writes are shaped as the item writer (write/item_writer.h) shapes a write of a table with a
// global secondary index and a stream: one engine batch with the item (data column, encoded with
// types/binary_codec.h under a storage/key_encoding.h item key), the deletion of its old index
// entry and the put of its new one (index column, laid out as index/index_entries.h lays out a
// KEYS_ONLY entry: index id, the index key as partition, the item's key after it), and its stream
// record (stream column, keyed by sequence number); some writes delete the item.
//
// Figures: CAIRN_POWER_LOSS_TRIALS trials per test (default 8; 100 with CAIRN_LONG=1, which
// `./cairn.sh test --long` sets), each with kCrashesPerTrial crash points; CAIRN_POWER_LOSS_SEED
// replays a run's seeds. The counts are printed at the end of each test.
#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <stdlib.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/engine.h"
#include "storage/key_encoding.h"
#include "storage/rocksdb_engine.h"
#include "types/attribute_value.h"
#include "types/binary_codec.h"

namespace cairn::storage {
namespace {

using rocksdb::FileOptions;
using rocksdb::FSDirectory;
using rocksdb::FSWritableFile;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

std::string Clean(const std::string& path) {
  std::string p = std::filesystem::path(path).lexically_normal().string();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string DirOf(const std::string& path) {
  return Clean(std::filesystem::path(Clean(path)).parent_path().string());
}

bool IsWal(const std::string& path) {
  return path.size() > 4 && path.compare(path.size() - 4, 4, ".log") == 0;
}

IOStatus PowerIsOff() { return IOStatus::IOError("simulated power loss"); }

// What the file system knows of one file written since the engine opened.
struct FileState {
  uint64_t size = 0;           // bytes appended
  uint64_t synced = 0;         // bytes a Sync/Fsync made durable
  bool entry_durable = false;  // its name survives (false: created since its directory's fsync)
};

class PowerLossFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit PowerLossFileSystem(uint64_t seed)
      : FileSystemWrapper(rocksdb::FileSystem::Default()), rng_(seed) {}
  const char* Name() const override { return "PowerLossFileSystem"; }

  IOStatus NewWritableFile(const std::string& f, const FileOptions& options,
                           std::unique_ptr<FSWritableFile>* result, IODebugContext* dbg) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (crashed_) return PowerIsOff();
    const std::string name = Clean(f);
    const bool existed = target()->FileExists(name, IOOptions(), dbg).ok();
    std::unique_ptr<FSWritableFile> file;
    IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
    if (!s.ok()) return s;
    auto state = std::make_shared<FileState>();
    auto old = files_.find(name);
    state->entry_durable = existed && (old == files_.end() || old->second->entry_durable);
    files_[name] = state;
    result->reset(new TrackedFile(std::move(file), state, this));
    return s;
  }

  IOStatus ReopenWritableFile(const std::string& f, const FileOptions& options,
                              std::unique_ptr<FSWritableFile>* result,
                              IODebugContext* dbg) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (crashed_) return PowerIsOff();
    const std::string name = Clean(f);
    std::unique_ptr<FSWritableFile> file;
    IOStatus s = target()->ReopenWritableFile(name, options, &file, dbg);
    if (!s.ok()) return s;
    std::shared_ptr<FileState>& state = files_[name];
    if (!state) {  // written before this engine opened: durable as it is
      state = std::make_shared<FileState>();
      uint64_t size = 0;
      IOStatus ss = target()->GetFileSize(name, IOOptions(), &size, dbg);
      if (!ss.ok()) return ss;
      state->size = state->synced = size;
      state->entry_durable = true;
    }
    result->reset(new TrackedFile(std::move(file), state, this));
    return s;
  }

  // Used only with recycle_log_file_num > 0, which the engine does not set.
  IOStatus ReuseWritableFile(const std::string&, const std::string&, const FileOptions&,
                             std::unique_ptr<FSWritableFile>*, IODebugContext*) override {
    return IOStatus::NotSupported("PowerLossFileSystem: ReuseWritableFile");
  }

  IOStatus NewDirectory(const std::string& name, const IOOptions& options,
                        std::unique_ptr<FSDirectory>* result, IODebugContext* dbg) override {
    std::unique_ptr<FSDirectory> dir;
    IOStatus s = target()->NewDirectory(name, options, &dir, dbg);
    if (s.ok()) result->reset(new TrackedDirectory(std::move(dir), Clean(name), this));
    return s;
  }

  IOStatus RenameFile(const std::string& s, const std::string& t, const IOOptions& options,
                      IODebugContext* dbg) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (crashed_) return PowerIsOff();
    PendingRename r{Clean(s), Clean(t), std::nullopt};
    if (target()->FileExists(r.to, options, dbg).ok()) {
      std::string old;
      IOStatus rs = rocksdb::ReadFileToString(target(), r.to, &old);
      if (!rs.ok()) return rs;
      r.replaced = std::move(old);
    }
    IOStatus st = target()->RenameFile(r.from, r.to, options, dbg);
    if (!st.ok()) return st;
    MoveState(r.from, r.to);
    renames_.push_back(std::move(r));
    return st;
  }

  IOStatus DeleteFile(const std::string& f, const IOOptions& options,
                      IODebugContext* dbg) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (crashed_) return PowerIsOff();
    IOStatus s = target()->DeleteFile(f, options, dbg);
    if (s.ok()) files_.erase(Clean(f));
    return s;
  }

  IOStatus Truncate(const std::string& f, size_t size, const IOOptions& options,
                    IODebugContext* dbg) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (crashed_) return PowerIsOff();
    IOStatus s = target()->Truncate(f, size, options, dbg);
    auto it = files_.find(Clean(f));
    if (s.ok() && it != files_.end()) {
      it->second->size = size;
      it->second->synced = std::min<uint64_t>(it->second->synced, size);
    }
    return s;
  }

  // The power goes off: from now on nothing reaches the disk.
  void Crash() {
    std::lock_guard<std::mutex> lock(mu_);
    crashed_ = true;
  }

  // What the disk holds when the power comes back (see the file comment). Call after the engine
  // is closed. Afterwards every file is taken as durable, and the power is on again.
  void Apply(bool torn_wal_tails) {
    std::lock_guard<std::mutex> lock(mu_);
    const IOOptions io;
    for (auto r = renames_.rbegin(); r != renames_.rend(); ++r) {
      if (target()->FileExists(r->to, io, nullptr).ok()) {
        EXPECT_TRUE(target()->RenameFile(r->to, r->from, io, nullptr).ok()) << r->to;
      }
      MoveState(r->to, r->from);
      if (r->replaced) {
        EXPECT_TRUE(rocksdb::WriteStringToFile(target(), *r->replaced, r->to, true).ok()) << r->to;
      }
    }
    renames_.clear();
    for (const auto& [name, state] : files_) {
      if (!target()->FileExists(name, io, nullptr).ok()) continue;
      if (!state->entry_durable) {
        EXPECT_TRUE(target()->DeleteFile(name, io, nullptr).ok()) << name;
        ++dropped_files_;
        continue;
      }
      uint64_t keep = state->synced;
      if (torn_wal_tails && IsWal(name) && state->size > state->synced) {
        keep += std::uniform_int_distribution<uint64_t>(0, state->size - state->synced)(rng_);
      }
      if (keep < state->size) {
        std::error_code ec;  // the default FileSystem has no Truncate
        std::filesystem::resize_file(name, keep, ec);
        EXPECT_FALSE(ec) << name << ": " << ec.message();
        dropped_bytes_ += state->size - keep;
      }
    }
    files_.clear();
    crashed_ = false;
  }

  uint64_t dropped_files() const { return dropped_files_; }
  uint64_t dropped_bytes() const { return dropped_bytes_; }

 private:
  struct PendingRename {
    std::string from, to;
    std::optional<std::string> replaced;  // what `to` held before, if it existed
  };

  class TrackedFile final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    TrackedFile(std::unique_ptr<FSWritableFile> file, std::shared_ptr<FileState> state,
                PowerLossFileSystem* fs)
        : FSWritableFileOwnerWrapper(std::move(file)), state_(std::move(state)), fs_(fs) {}

    IOStatus Append(const Slice& data, const IOOptions& options, IODebugContext* dbg) override {
      std::lock_guard<std::mutex> lock(fs_->mu_);
      if (fs_->crashed_) return PowerIsOff();
      IOStatus s = target()->Append(data, options, dbg);
      if (s.ok()) state_->size += data.size();
      return s;
    }
    IOStatus Append(const Slice& data, const IOOptions& options,
                    const rocksdb::DataVerificationInfo&, IODebugContext* dbg) override {
      return Append(data, options, dbg);
    }
    IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                              IODebugContext* dbg) override {
      std::lock_guard<std::mutex> lock(fs_->mu_);
      if (fs_->crashed_) return PowerIsOff();
      IOStatus s = target()->PositionedAppend(data, offset, options, dbg);
      if (s.ok()) state_->size = std::max<uint64_t>(state_->size, offset + data.size());
      return s;
    }
    IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                              const rocksdb::DataVerificationInfo&, IODebugContext* dbg) override {
      return PositionedAppend(data, offset, options, dbg);
    }
    IOStatus Truncate(uint64_t size, const IOOptions& options, IODebugContext* dbg) override {
      std::lock_guard<std::mutex> lock(fs_->mu_);
      if (fs_->crashed_) return PowerIsOff();
      IOStatus s = target()->Truncate(size, options, dbg);
      if (s.ok()) {
        state_->size = size;
        state_->synced = std::min(state_->synced, size);
      }
      return s;
    }
    IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
      return Durable(options, dbg, false);
    }
    IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
      return Durable(options, dbg, true);
    }
    // Closing keeps the real file's descriptor from leaking even after the crash; what it holds
    // is decided by Apply() from the recorded state.
    IOStatus Close(const IOOptions& options, IODebugContext* dbg) override {
      IOStatus s = target()->Close(options, dbg);
      std::lock_guard<std::mutex> lock(fs_->mu_);
      return fs_->crashed_ ? PowerIsOff() : s;
    }

   private:
    IOStatus Durable(const IOOptions& options, IODebugContext* dbg, bool fsync) {
      std::lock_guard<std::mutex> lock(fs_->mu_);
      if (fs_->crashed_) return PowerIsOff();
      IOStatus s = fsync ? target()->Fsync(options, dbg) : target()->Sync(options, dbg);
      if (s.ok()) state_->synced = state_->size;
      return s;
    }

    std::shared_ptr<FileState> state_;
    PowerLossFileSystem* fs_;
  };

  class TrackedDirectory final : public rocksdb::FSDirectoryWrapper {
   public:
    TrackedDirectory(std::unique_ptr<FSDirectory> dir, std::string name, PowerLossFileSystem* fs)
        : FSDirectoryWrapper(std::move(dir)), name_(std::move(name)), fs_(fs) {}
    IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
      return FsyncWithDirOptions(options, dbg, rocksdb::DirFsyncOptions());
    }
    IOStatus FsyncWithDirOptions(const IOOptions& options, IODebugContext* dbg,
                                 const rocksdb::DirFsyncOptions& dir_options) override {
      std::lock_guard<std::mutex> lock(fs_->mu_);
      if (fs_->crashed_) return PowerIsOff();
      IOStatus s = FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options);
      if (s.ok()) fs_->DirectorySynced(name_);
      return s;
    }

   private:
    std::string name_;
    PowerLossFileSystem* fs_;
  };

  // REQUIRES: mu_ held.
  void DirectorySynced(const std::string& dir) {
    for (auto& [name, state] : files_) {
      if (DirOf(name) == dir) state->entry_durable = true;
    }
    std::erase_if(renames_, [&](const PendingRename& r) { return DirOf(r.to) == dir; });
  }
  // REQUIRES: mu_ held.
  void MoveState(const std::string& from, const std::string& to) {
    auto it = files_.find(from);
    if (it == files_.end()) {
      files_.erase(to);
      return;
    }
    files_[to] = it->second;
    files_.erase(from);
  }

  std::mutex mu_;
  bool crashed_ = false;                                     // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<FileState>> files_;  // GUARDED_BY(mu_)
  std::vector<PendingRename> renames_;                       // GUARDED_BY(mu_)
  std::mt19937_64 rng_;                                      // GUARDED_BY(mu_)
  uint64_t dropped_files_ = 0, dropped_bytes_ = 0;           // GUARDED_BY(mu_)
};

// --- the writes
// -----------------------------------------------------------------------------------

constexpr uint32_t kTableId = 7;
constexpr uint32_t kIndexId = 9;
constexpr uint32_t kStreamId = 11;
constexpr int kKeys = 40;
constexpr int kCrashesPerTrial = 3;
constexpr int kMaxWritesPerCrash = 120;

struct Figures {
  uint64_t crash_points = 0;
  uint64_t acknowledged = 0;  // writes that returned OK before their crash
  uint64_t lost = 0;          // of them, absent after the crash
  uint64_t dropped_files = 0, dropped_bytes = 0;

  void Add(const Figures& f) {
    crash_points += f.crash_points;
    acknowledged += f.acknowledged;
    lost += f.lost;
    dropped_files += f.dropped_files;
    dropped_bytes += f.dropped_bytes;
  }
};

std::string KeyName(int k) { return "k" + std::to_string(k); }

std::string ItemKey(int k) {
  std::string out;
  AppendItemKey(&out, kTableId, AttributeValue::String(KeyName(k)), nullptr);
  return out;
}

// Write number `seq` sets key k to this item (or deletes it: nullopt). A pure function of (k, seq),
// so that any item found after a crash can be compared byte for byte with what was written.
std::optional<Item> ItemOf(int k, uint64_t seq) {
  if (seq % 9 == 0) return std::nullopt;
  Item item;
  item["pk"] = AttributeValue::String(KeyName(k));
  item["seq"] = AttributeValue::Num(std::to_string(seq));
  if (seq % 4 != 0) item["g"] = AttributeValue::String("g" + std::to_string(seq % 5));  // sparse
  item["pad"] =
      AttributeValue::String(std::string(seq * 37 % 400, static_cast<char>('a' + seq % 26)));
  return item;
}

std::string IndexEntryKey(const Item& item) {
  std::string out;
  const AttributeValue pk = item.at("pk");
  AppendItemKey(&out, kIndexId, item.at("g"), &pk);
  return out;
}

std::string IndexEntryValue(const Item& item) {
  Item keys{{"pk", item.at("pk")}, {"g", item.at("g")}};
  std::string out;
  EncodeItem(keys, &out);
  return out;
}

std::string StreamKey(uint64_t seq) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(kStreamId >> shift));
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(seq >> shift));
  return out;
}

// The writes made so far on one directory, and the items they leave.
struct History {
  std::vector<int> key_of;  // key_of[seq - 1]: the key write seq wrote
  std::map<int, Item> state;

  uint64_t size() const { return key_of.size(); }

  // The batch of write seq = size() + 1 to key k, staged as the item writer stages it.
  WriteBatch Next(int k) {
    const uint64_t seq = size() + 1;
    WriteBatch b;
    std::optional<Item> now = ItemOf(k, seq);
    auto old = state.find(k);
    if (old != state.end() && old->second.count("g"))
      b.Delete(Column::kIndex, IndexEntryKey(old->second));
    std::string record;
    if (now) {
      std::string value;
      EncodeItem(*now, &value);
      b.Put(Column::kData, ItemKey(k), value);
      if (now->count("g")) b.Put(Column::kIndex, IndexEntryKey(*now), IndexEntryValue(*now));
      record = value;
    } else {
      b.Delete(Column::kData, ItemKey(k));
      EncodeItem(Item{{"pk", AttributeValue::String(KeyName(k))}}, &record);
    }
    b.Put(Column::kStream, StreamKey(seq), record);
    return b;
  }
  void Applied(int k) {
    const uint64_t seq = size() + 1;
    key_of.push_back(k);
    std::optional<Item> now = ItemOf(k, seq);
    if (now) {
      state[k] = *now;
    } else {
      state.erase(k);
    }
  }
  // The history of the first n writes only.
  void TruncateTo(uint64_t n) {
    key_of.resize(n);
    state.clear();
    for (uint64_t seq = 1; seq <= n; ++seq) {
      std::optional<Item> it = ItemOf(key_of[seq - 1], seq);
      if (it) {
        state[key_of[seq - 1]] = *it;
      } else {
        state.erase(key_of[seq - 1]);
      }
    }
  }
};

std::map<std::string, std::string> ReadColumn(Engine* engine, Column c) {
  std::map<std::string, std::string> out;
  std::unique_ptr<Iterator> it = engine->NewIterator(c, ReadOptions());
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace(it->key(), it->value());
  EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  return out;
}

// Checks the reopened database against the history; returns how many writes survived (the
// prefix), or nullopt after reporting a failure.
std::optional<uint64_t> CheckConsistent(Engine* engine, const History& h) {
  // The stream records: exactly the writes 1..n, each the record its write made.
  std::map<std::string, std::string> stream = ReadColumn(engine, Column::kStream);
  const uint64_t n = stream.size();
  if (n > h.size()) {
    ADD_FAILURE() << n << " stream records for " << h.size() << " writes";
    return std::nullopt;
  }
  History expected;
  expected.key_of.assign(h.key_of.begin(), h.key_of.begin() + n);
  expected.TruncateTo(n);
  uint64_t seq = 0;
  for (const auto& [key, value] : stream) {
    ++seq;
    if (key != StreamKey(seq)) {
      ADD_FAILURE() << "stream record " << seq << " missing: the survivors are not a prefix";
      return std::nullopt;
    }
    Result<Item> record = DecodeItem(value);
    if (!record.ok()) {
      ADD_FAILURE() << "torn stream record " << seq << ": " << record.status().ToString();
      return std::nullopt;
    }
    const int k = h.key_of[seq - 1];
    std::optional<Item> now = ItemOf(k, seq);
    if (now ? *record != *now : record->size() != 1 || record->at("pk").s != KeyName(k)) {
      ADD_FAILURE() << "stream record " << seq << " is not what write " << seq << " wrote";
      return std::nullopt;
    }
  }
  // The items: exactly the state after write n, each decoding whole.
  std::map<std::string, std::string> data = ReadColumn(engine, Column::kData);
  std::map<std::string, std::string> want_data, want_index;
  for (const auto& [k, item] : expected.state) {
    EncodeItem(item, &want_data[ItemKey(k)]);
    if (item.count("g")) want_index[IndexEntryKey(item)] = IndexEntryValue(item);
  }
  for (const auto& [key, value] : data) {
    if (!DecodeItem(value).ok()) {
      ADD_FAILURE() << "torn item: " << DecodeItem(value).status().ToString();
      return std::nullopt;
    }
  }
  if (data != want_data) {
    ADD_FAILURE() << "items differ from the state after the " << n
                  << " writes whose stream records survived (" << data.size() << " items, "
                  << want_data.size() << " expected)";
    return std::nullopt;
  }
  // The index: an entry for each item that has g, and nothing else (both ways).
  if (ReadColumn(engine, Column::kIndex) != want_index) {
    ADD_FAILURE() << "index entries do not match the items after " << n << " writes";
    return std::nullopt;
  }
  return n;
}

class TempDir {
 public:
  TempDir() {
    // tmpfs when there is one: the simulated file system decides durability, real fsyncs only
    // cost time.
    std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                     ? std::filesystem::path("/dev/shm")
                                     : std::filesystem::temp_directory_path();
    std::string tmpl = (base / "cairn_power_loss_XXXXXX").string();
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

// One trial: a fresh directory, kCrashesPerTrial times: open, write from one thread (with
// flushes and compactions requested now and then) until the power goes off after a random number
// of acknowledged writes, close, lose what a power loss loses, reopen and check.
void RunTrial(bool sync, bool torn, uint64_t seed, Figures* figures) {
  TempDir dir;
  auto fs = std::make_shared<PowerLossFileSystem>(seed);
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  Options options;
  options.data_dir = dir.path();
  options.sync = sync;
  options.block_cache_bytes = 1 << 20;
  std::mt19937_64 rng(seed);
  History history;
  for (int crash = 0; crash < kCrashesPerTrial; ++crash) {
    Result<std::unique_ptr<Engine>> opened = OpenRocksDBEngine(options, env.get());
    ASSERT_TRUE(opened.ok()) << "crash " << crash << " (seed " << seed
                             << "): " << opened.status().ToString();
    std::unique_ptr<Engine> engine = std::move(opened).value();
    if (crash > 0) {  // checked after the last crash; a clean close and reopen change nothing
      std::optional<uint64_t> n = CheckConsistent(engine.get(), history);
      ASSERT_TRUE(n.has_value()) << "seed " << seed;
    }
    const uint64_t crash_after =
        std::uniform_int_distribution<uint64_t>(0, kMaxWritesPerCrash)(rng);
    std::atomic<uint64_t> acknowledged{history.size()};
    std::atomic<bool> done{false};
    const uint64_t start = history.size();
    std::thread writer([&, writer_seed = rng()] {
      std::mt19937_64 wrng(writer_seed);
      for (int i = 0; i < 4 * kMaxWritesPerCrash; ++i) {
        const int k = std::uniform_int_distribution<int>(0, kKeys - 1)(wrng);
        WriteBatch b = history.Next(k);
        const bool ok = engine->Write(b).ok();
        // A write that failed (the power went off during it) is in the history too, not
        // acknowledged: whether it survives is open, as for any write in flight.
        history.Applied(k);
        if (!ok) break;
        acknowledged.store(history.size());
        if (wrng() % 23 == 0) {  // a flush and compaction of one column, in the background
          engine->CompactRange(static_cast<Column>(wrng() % kColumnCount), "", "");
        }
      }
      done.store(true);
    });
    while (acknowledged.load() < start + crash_after && !done.load()) std::this_thread::yield();
    fs->Crash();
    writer.join();
    engine.reset();
    const uint64_t acked = acknowledged.load();
    fs->Apply(torn);
    ++figures->crash_points;

    opened = OpenRocksDBEngine(options, env.get());
    ASSERT_TRUE(opened.ok()) << "reopen after crash " << crash << " (seed " << seed
                             << "): " << opened.status().ToString();
    engine = std::move(opened).value();
    std::optional<uint64_t> n = CheckConsistent(engine.get(), history);
    ASSERT_TRUE(n.has_value()) << "seed " << seed;
    figures->acknowledged += acked - start;
    if (*n < acked) figures->lost += acked - std::max(*n, start);
    if (sync) {
      ASSERT_GE(*n, acked) << "a write acknowledged with sync was lost (seed " << seed << ")";
    }
    history.TruncateTo(*n);
    engine.reset();
  }
  figures->dropped_files += fs->dropped_files();
  figures->dropped_bytes += fs->dropped_bytes();
}

// Trials run kParallelTrials at a time: a flush or compaction that fails because the power went
// off makes RocksDB's background thread sleep a second before anything else ("wait a little bit
// before retrying", db_impl_compaction_flush.cc), and closing waits for it: a trial mostly waits.
constexpr int kParallelTrials = 4;

uint64_t FromEnvironment(const char* name, uint64_t otherwise) {
  const char* v = getenv(name);
  return v != nullptr && strtoull(v, nullptr, 10) > 0 ? strtoull(v, nullptr, 10) : otherwise;
}

void RunTrials(bool sync, bool torn) {
  const char* long_run = getenv("CAIRN_LONG");  // ./cairn.sh test --long
  const uint64_t trials = FromEnvironment(
      "CAIRN_POWER_LOSS_TRIALS", long_run != nullptr && std::string(long_run) == "1" ? 100 : 8);
  const uint64_t base_seed = FromEnvironment("CAIRN_POWER_LOSS_SEED", std::random_device()());
  std::atomic<uint64_t> next{0};
  std::mutex mu;
  Figures total;
  std::vector<std::thread> threads;
  for (int i = 0; i < kParallelTrials; ++i) {
    threads.emplace_back([&] {
      for (uint64_t t = next++; t < trials && !testing::Test::HasFailure(); t = next++) {
        Figures f;
        RunTrial(sync, torn, base_seed + t, &f);
        std::lock_guard<std::mutex> lock(mu);
        total.Add(f);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  printf(
      "power loss (%s, %s; seeds from %llu): %llu crash points, %llu acknowledged writes "
      "checked, %llu of them lost; %llu unsynced files and %llu bytes dropped\n",
      sync ? "sync" : "no sync", torn ? "torn WAL tails" : "unsynced data dropped",
      static_cast<unsigned long long>(base_seed),
      static_cast<unsigned long long>(total.crash_points),
      static_cast<unsigned long long>(total.acknowledged),
      static_cast<unsigned long long>(total.lost),
      static_cast<unsigned long long>(total.dropped_files),
      static_cast<unsigned long long>(total.dropped_bytes));
}

TEST(PowerLossTest, SyncedWritesSurvive) { RunTrials(/*sync=*/true, /*torn=*/false); }

TEST(PowerLossTest, SyncedWritesSurviveTornWalTails) { RunTrials(/*sync=*/true, /*torn=*/true); }

TEST(PowerLossTest, UnsyncedDatabaseOpensConsistent) { RunTrials(/*sync=*/false, /*torn=*/false); }

TEST(PowerLossTest, UnsyncedDatabaseOpensConsistentWithTornWalTails) {
  RunTrials(/*sync=*/false, /*torn=*/true);
}

}  // namespace
}  // namespace cairn::storage
