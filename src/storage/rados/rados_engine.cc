// RadosEngine: the Engine on librados. Public entry point: OpenRadosEngine (rados_engine.h).
// Internals: ToStatus (error mapping), Effect (one object's share of a batch, and its encoding in the redo record), RadosIterator
// (paged omap reads), the engine itself (Get, Write with the redo log, replay at open, the lease).
// Which object holds a key, and which objects cover a range: rados_layout.h.
#include "storage/rados/rados_engine.h"

#include <rados/librados.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "storage/key_encoding.h"
#include "storage/rados/rados_layout.h"
#include "util/big_endian.h"

namespace cairn::storage {
namespace {

using rados::IdOf;
using rados::kCatalogObject;
using rados::Layout;
using rados::ObjectRef;

constexpr const char* kDirectoryObject = "cairn.directory";
constexpr const char* kRedoObject = "cairn.redo";
constexpr size_t kFirstPage = 32;
constexpr size_t kMaxPage = 512;
constexpr int kApplyAttempts = 5;
// The single-server lease (rados_engine.h): a cls_lock on the catalog object, renewed every
// kLeaseSeconds / 3; a server that starts waits up to kLeaseWaitSeconds for it.
constexpr const char* kLeaseName = "cairn.server";
constexpr int kLeaseSeconds = 10;
constexpr int kLeaseWaitSeconds = kLeaseSeconds + 10;

Status ToStatus(int r, std::string_view what, std::string_view oid) {
  std::string msg = "rados: " + std::string(what) + " " + std::string(oid) + ": " + std::strerror(-r);
  switch (-r) {
    case ETIMEDOUT:
    case EAGAIN:
    case EBUSY:
    case ENOSPC:
    case EDQUOT:
      return Status::Busy(std::move(msg));
    default:
      return Status::IOError(std::move(msg));
  }
}


std::string OmapKey(Column c, std::string_view key) {
  std::string k(1, static_cast<char>(c));
  k.append(key);
  return k;
}

// One object's share of a batch: apply as clear (if set), then remove, then set.
struct Effect {
  bool clear = false;
  std::map<std::string, std::optional<std::string>> keys;  // omap key -> value, or removal

  void AddTo(librados::ObjectWriteOperation* op) const {
    op->create(false);  // so removals and clears of a missing object succeed
    if (clear) op->omap_clear();
    std::set<std::string> rm;
    std::map<std::string, librados::bufferlist> set;
    for (const auto& [k, v] : keys) {
      if (!v) {
        rm.insert(k);
      } else {
        librados::bufferlist bl;
        bl.append(v->data(), v->size());
        set.emplace(k, std::move(bl));
      }
    }
    if (!rm.empty()) op->omap_rm_keys(rm);
    if (!set.empty()) op->omap_set(set);
  }
};

using Effects = std::map<std::string, Effect>;  // by object name

void AppendBytes(std::string* out, std::string_view s) {
  AppendBigEndian32(out, uint32_t(s.size()));
  out->append(s);
}

// The redo record: u32 objects; per object: name, u8 clear, u32 keys; per key: key, u8 has value,
// value (if any). Strings are u32 BE length | bytes.
std::string EncodeEffects(const Effects& effects) {
  std::string out;
  AppendBigEndian32(&out, uint32_t(effects.size()));
  for (const auto& [name, e] : effects) {
    AppendBytes(&out, name);
    out.push_back(e.clear ? 1 : 0);
    AppendBigEndian32(&out, uint32_t(e.keys.size()));
    for (const auto& [k, v] : e.keys) {
      AppendBytes(&out, k);
      out.push_back(v ? 1 : 0);
      if (v) AppendBytes(&out, *v);
    }
  }
  return out;
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v) {
    if (in_.size() < 1) return false;
    *v = uint8_t(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U32(uint32_t* v) {
    if (in_.size() < 4) return false;
    *v = ReadBigEndian32(in_);
    in_.remove_prefix(4);
    return true;
  }
  bool Bytes(std::string* s) {
    uint32_t n = 0;
    if (!U32(&n) || in_.size() < n) return false;
    s->assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

bool DecodeEffects(std::string_view in, Effects* out) {
  Reader r(in);
  uint32_t objects = 0;
  if (!r.U32(&objects)) return false;
  for (uint32_t i = 0; i < objects; ++i) {
    std::string name;
    uint8_t clear = 0;
    uint32_t keys = 0;
    if (!r.Bytes(&name) || !r.U8(&clear) || !r.U32(&keys)) return false;
    Effect& e = (*out)[name];
    e.clear = clear != 0;
    for (uint32_t j = 0; j < keys; ++j) {
      std::string k, v;
      uint8_t has = 0;
      if (!r.Bytes(&k) || !r.U8(&has)) return false;
      if (has && !r.Bytes(&v)) return false;
      e.keys[k] = has ? std::optional<std::string>(std::move(v)) : std::nullopt;
    }
  }
  return r.done();
}

class RadosSnapshot final : public Snapshot {};  // read-latest: see rados_engine.h

}  // namespace

class RadosEngine final : public Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(const RadosOptions& options);
  ~RadosEngine() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (renewer_.joinable()) {
      renewer_.join();
      io_.unlock(kCatalogObject, kLeaseName, cookie_);  // the next server need not wait
    }
    io_.close();
    cluster_.shutdown();
  }

  Status Get(Column c, std::string_view key, std::string* value, const Snapshot*) override;
  Status Write(const WriteBatch& batch) override;
  std::unique_ptr<Iterator> NewIterator(Column c, const ReadOptions& options) override;
  std::unique_ptr<Snapshot> GetSnapshot() override { return std::make_unique<RadosSnapshot>(); }
  void CompactRange(Column, std::string_view, std::string_view) override {}

  // Reads up to `max` entries of `object` in column c with keys in [from, upper) (from inclusive
  // when `inclusive`, else exclusive; from empty: the object's first key), in order. *more: the
  // object may have more keys in range after the last one returned.
  Status ReadPage(Column c, const std::string& object, const std::string& from, bool inclusive,
                  const std::string& upper, size_t max,
                  std::vector<std::pair<std::string, std::string>>* out, bool* more);
  // The objects covering [lower, upper) of column c, reading the directory when needed.
  Status Objects(Column c, const std::string& lower, const std::string& upper,
                 std::vector<ObjectRef>* out);

 private:
  explicit RadosEngine(int shard_bits) : layout_(shard_bits) {}
  Status Register(const std::vector<std::pair<Column, uint32_t>>& ids);
  Status Apply(const Effects& effects);
  Status Replay();
  int TakeLease(uint8_t flags);
  Status AcquireLease();
  void RenewLoop();

  Layout layout_;
  librados::Rados cluster_;
  librados::IoCtx io_;
  std::mutex mu_;
  std::set<std::pair<Column, uint32_t>> registered_;  // GUARDED_BY(mu_)
  std::atomic<uint64_t> next_record_{0};
  std::atomic<bool> poisoned_{false};  // an apply failed, or the lease was lost: writes refused
  std::string cookie_;                 // this server's lease holder id
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread renewer_;
};

// ---- iterator --------------------------------------------------------------------------------

class RadosIterator final : public Iterator {
 public:
  RadosIterator(RadosEngine* engine, Column c, const ReadOptions& o)
      : engine_(engine), c_(c), lower_(o.lower_bound), upper_(o.upper_bound) {}

  bool Valid() const override { return status_.ok() && pos_ < page_.size(); }
  void Seek(std::string_view target) override {
    std::string t(target);
    if (!lower_.empty() && t < lower_) t = lower_;
    if (!Prepare()) return;
    Forward(IndexOf(t), t, true);
  }
  void SeekForPrev(std::string_view target) override {
    if (!upper_.empty() && target >= std::string_view(upper_)) return SeekToLast();
    if (!Prepare()) return;
    std::string t(target);
    Backward(IndexOf(t), t, true);
  }
  void SeekToFirst() override {
    if (!Prepare()) return;
    Forward(0, lower_, true);
  }
  void SeekToLast() override {
    if (!Prepare()) return;
    if (objects_.empty()) return Clear();
    Backward(objects_.size() - 1, "", false);
  }
  void Next() override {
    if (!Valid()) return;
    if (++pos_ < page_.size()) return;
    std::string last = page_.back().first;
    if (forward_more_) {
      Forward(obj_, last, false, true);
    } else {
      Forward(obj_ + 1, "", true, true);
    }
  }
  void Prev() override {
    if (!Valid()) return;
    if (pos_ > 0) {
      --pos_;
      return;
    }
    std::string first = page_.front().first;
    if (obj_ == 0 && before_done_) return Clear();
    if (before_done_) {
      Backward(obj_ - 1, "", false);
    } else {
      Backward(obj_, first, false);
    }
  }
  std::string_view key() const override { return page_[pos_].first; }
  std::string_view value() const override { return page_[pos_].second; }
  Status status() const override { return status_; }

 private:
  bool Prepare() {
    Clear();
    if (prepared_) return true;
    status_ = engine_->Objects(c_, lower_, upper_, &objects_);
    prepared_ = status_.ok();
    return prepared_;
  }
  void Clear() {
    page_.clear();
    pos_ = 0;
  }
  // The index of the object whose range holds `key` (the last one starting at or before it).
  size_t IndexOf(const std::string& key) const {
    size_t i = 0;
    while (i + 1 < objects_.size() && objects_[i + 1].start <= key) ++i;
    return i;
  }
  // The first entry at or after `from` (inclusive or not; "" = the object's start), in object
  // `i` or the ones after it.
  // `continuing`: a Next past the page (pages grow while a walk goes on).
  void Forward(size_t i, std::string from, bool inclusive, bool continuing = false) {
    Clear();
    grow_ = continuing ? std::min(grow_ + 1, 4) : 0;
    const size_t page = std::min(kMaxPage, kFirstPage << grow_);
    for (; i < objects_.size(); ++i, from.clear(), inclusive = true) {
      if (from.empty() && !lower_.empty()) from = lower_;
      if (from.empty()) inclusive = true;
      bool more = false;
      status_ = engine_->ReadPage(c_, objects_[i].name, from, inclusive, upper_, page, &page_,
                                  &more);
      if (!status_.ok()) return Clear();
      if (!page_.empty()) {
        obj_ = i;
        forward_more_ = more;
        before_done_ = false;
        pos_ = 0;
        return;
      }
    }
  }
  // The last entry before `to` (at or before, when inclusive; "" = the object's end), in object
  // `i` or the ones before it.
  void Backward(size_t i, std::string to, bool inclusive) {
    Clear();
    while (true) {
      if (i >= objects_.size()) return;
      // Read the object's keys in [lower, to) forward, keeping the last kMaxPage.
      std::vector<std::pair<std::string, std::string>> kept, chunk;
      bool dropped = false;
      std::string from = lower_;
      bool from_inclusive = true;
      std::string bound = to.empty() ? upper_ : to;
      if (!to.empty() && inclusive) {
        bound = to;
        bound.push_back('\0');  // the smallest key after `to`
        if (!upper_.empty() && bound > upper_) bound = upper_;
      }
      while (true) {
        bool more = false;
        status_ = engine_->ReadPage(c_, objects_[i].name, from, from_inclusive, bound, kMaxPage,
                                    &chunk, &more);
        if (!status_.ok()) return Clear();
        if (chunk.empty()) break;
        for (auto& kv : chunk) kept.push_back(std::move(kv));
        if (kept.size() > kMaxPage) {
          kept.erase(kept.begin(), kept.end() - kMaxPage);
          dropped = true;
        }
        if (!more) break;
        from = kept.back().first;
        from_inclusive = false;
      }
      if (!kept.empty()) {
        page_ = std::move(kept);
        pos_ = page_.size() - 1;
        obj_ = i;
        before_done_ = !dropped;
        forward_more_ = true;  // unknown: Next reads on
        return;
      }
      if (i == 0) return;
      --i;
      to.clear();
      inclusive = false;
    }
  }

  RadosEngine* engine_;
  Column c_;
  const std::string lower_, upper_;
  bool prepared_ = false;
  std::vector<ObjectRef> objects_;
  std::vector<std::pair<std::string, std::string>> page_;  // engine keys (no column byte)
  size_t pos_ = 0;
  size_t obj_ = 0;
  bool forward_more_ = false;  // the object may hold more keys after the page
  bool before_done_ = false;   // the object holds no key in range before the page
  int grow_ = 0;               // forward pages read in a row: the next is larger
  Status status_;
};

// ---- engine ----------------------------------------------------------------------------------

Result<std::unique_ptr<Engine>> RadosEngine::Open(const RadosOptions& options) {
  if (options.shard_bits < 0 || options.shard_bits > 16)
    return Status::IOError("rados: shard bits must be 0..16");
  std::unique_ptr<RadosEngine> e(new RadosEngine(options.shard_bits));
  int r = e->cluster_.init2(options.client.c_str(), "ceph", 0);
  if (r < 0) return ToStatus(r, "init", options.client);
  r = e->cluster_.conf_read_file(options.conf_file.c_str());
  if (r < 0) return ToStatus(r, "reading", options.conf_file);
  const std::string timeout = std::to_string(std::max(1, int(options.op_timeout_seconds)));
  for (const char* k : {"rados_osd_op_timeout", "rados_mon_op_timeout", "client_mount_timeout"}) {
    r = e->cluster_.conf_set(k, timeout.c_str());
    if (r < 0) return ToStatus(r, "setting", k);
  }
  r = e->cluster_.connect();
  if (r < 0) return ToStatus(r, "connecting with", options.conf_file);
  r = e->cluster_.ioctx_create(options.pool.c_str(), e->io_);
  if (r < 0) return ToStatus(r, "opening pool", options.pool);
  if (Status s = e->AcquireLease(); !s.ok()) return s;
  if (Status s = e->Replay(); !s.ok()) return s;
  return std::unique_ptr<Engine>(std::move(e));
}

int RadosEngine::TakeLease(uint8_t flags) {
  struct timeval duration = {kLeaseSeconds, 0};
  return io_.lock_exclusive(kCatalogObject, kLeaseName, cookie_, "cairn server", &duration, flags);
}

Status RadosEngine::AcquireLease() {
  cookie_ = std::to_string(cluster_.get_instance_id());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kLeaseWaitSeconds);
  while (true) {
    int r = TakeLease(0);
    if (r == 0) break;
    if (r != -EBUSY || std::chrono::steady_clock::now() > deadline) {
      if (r == -EBUSY)
        return Status::IOError("rados: another cairn server holds the pool (lease " +
                               std::string(kLeaseName) + " on " + kCatalogObject +
                               "); several servers on one pool are not supported yet");
      return ToStatus(r, "taking the lease on", kCatalogObject);
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  renewer_ = std::thread([this] { RenewLoop(); });
  return Status::OK();
}

void RadosEngine::RenewLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::seconds(kLeaseSeconds) / 3, [this] { return stopping_; })) {
    lock.unlock();
    int r = TakeLease(LIBRADOS_LOCK_FLAG_MUST_RENEW);
    if (r < 0) r = TakeLease(LIBRADOS_LOCK_FLAG_MAY_RENEW);  // one more try
    lock.lock();
    if (r < 0) poisoned_.store(true);  // another server may write now: stop writing
  }
}

Status RadosEngine::Get(Column c, std::string_view key, std::string* value, const Snapshot*) {
  const ObjectRef o = layout_.ObjectOf(c, key);
  const std::string k = OmapKey(c, key);
  librados::ObjectReadOperation op;
  std::map<std::string, librados::bufferlist> vals;
  int rval = 0;
  op.omap_get_vals_by_keys({k}, &vals, &rval);
  int r = io_.operate(o.name, &op, nullptr);
  if (r == -ENOENT) return Status::NotFound();
  if (r < 0) return ToStatus(r, "get from", o.name);
  auto it = vals.find(k);
  if (it == vals.end()) return Status::NotFound();
  value->assign(it->second.c_str(), it->second.length());
  return Status::OK();
}

Status RadosEngine::ReadPage(Column c, const std::string& object, const std::string& from,
                             bool inclusive, const std::string& upper, size_t max,
                             std::vector<std::pair<std::string, std::string>>* out, bool* more) {
  out->clear();
  *more = false;
  const std::string prefix(1, static_cast<char>(c));
  const std::string start = OmapKey(c, from);
  librados::ObjectReadOperation op;
  std::map<std::string, librados::bufferlist> first, vals;
  int r1 = 0, r2 = 0;
  // omap_get_vals2's start_after is exclusive: the start key itself is read by key, in the same
  // op (one state of the object).
  if (inclusive) op.omap_get_vals_by_keys({start}, &first, &r1);
  op.omap_get_vals2(start, prefix, max, &vals, more, &r2);
  int r = io_.operate(object, &op, nullptr);
  if (r == -ENOENT) return Status::OK();
  if (r < 0) return ToStatus(r, "read from", object);
  const std::string end = upper.empty() ? std::string() : OmapKey(c, upper);
  auto add = [&](const std::string& k, librados::bufferlist& v) {
    if (!end.empty() && k >= end) {
      *more = false;
      return false;
    }
    out->emplace_back(k.substr(1), std::string(v.c_str(), v.length()));
    return true;
  };
  for (auto& [k, v] : first)
    if (!add(k, v)) return Status::OK();
  for (auto& [k, v] : vals)
    if (!add(k, v)) return Status::OK();
  return Status::OK();
}

Status RadosEngine::Objects(Column c, const std::string& lower, const std::string& upper,
                            std::vector<ObjectRef>* out) {
  out->clear();
  uint32_t first = 0, last = 0;
  if (c != Column::kMeta && !Layout::IdRange(lower, upper, &first, &last)) return Status::OK();
  if (c == Column::kMeta || first == last) {
    *out = layout_.Objects(c, lower, upper, {first});
    return Status::OK();
  }
  // Several ids: the directory says which exist.
  std::vector<uint32_t> ids;
  std::string after;
  const std::string prefix(1, static_cast<char>(c));
  while (true) {
    std::set<std::string> keys;
    bool more = false;
    librados::ObjectReadOperation op;
    int rval = 0;
    op.omap_get_keys2(after, 1000, &keys, &more, &rval);
    int r = io_.operate(kDirectoryObject, &op, nullptr);
    if (r == -ENOENT) break;
    if (r < 0) return ToStatus(r, "read from", kDirectoryObject);
    for (const std::string& k : keys)
      if (k.size() == 5 && k[0] == prefix[0]) {
        const uint32_t id = IdOf(std::string_view(k).substr(1));
        if (id >= first && id <= last) ids.push_back(id);
      }
    if (!more || keys.empty()) break;
    after = *keys.rbegin();
  }
  *out = layout_.Objects(c, lower, upper, ids);
  return Status::OK();
}

std::unique_ptr<Iterator> RadosEngine::NewIterator(Column c, const ReadOptions& options) {
  return std::make_unique<RadosIterator>(this, c, options);
}

Status RadosEngine::Register(const std::vector<std::pair<Column, uint32_t>>& ids) {
  std::map<std::string, librados::bufferlist> add;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& id : ids) {
      if (registered_.count(id)) continue;
      std::string k(1, static_cast<char>(id.first));
      AppendBigEndian32(&k, id.second);
      add.emplace(k, librados::bufferlist());
    }
  }
  if (add.empty()) return Status::OK();
  librados::ObjectWriteOperation op;
  op.omap_set(add);
  int r = io_.operate(kDirectoryObject, &op);
  if (r < 0) return ToStatus(r, "write to", kDirectoryObject);
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& id : ids) registered_.insert(id);
  return Status::OK();
}

Status RadosEngine::Apply(const Effects& effects) {
  std::vector<std::pair<const std::string*, const Effect*>> pending;
  for (const auto& [name, e] : effects) pending.emplace_back(&name, &e);
  Status last;
  for (int attempt = 0; attempt < kApplyAttempts && !pending.empty(); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50 << attempt));
    struct Release {
      void operator()(librados::AioCompletion* c) const { c->release(); }
    };
    std::vector<std::unique_ptr<librados::AioCompletion, Release>> done;
    std::vector<librados::ObjectWriteOperation> ops(pending.size());
    for (size_t i = 0; i < pending.size(); ++i) {
      pending[i].second->AddTo(&ops[i]);
      done.emplace_back(librados::Rados::aio_create_completion());
      int r = io_.aio_operate(*pending[i].first, done.back().get(), &ops[i]);
      if (r < 0) done.back().reset();
    }
    std::vector<std::pair<const std::string*, const Effect*>> failed;
    for (size_t i = 0; i < pending.size(); ++i) {
      int r = -EIO;
      if (done[i]) {
        done[i]->wait_for_complete();
        r = done[i]->get_return_value();
      }
      if (r < 0) {
        failed.push_back(pending[i]);
        last = ToStatus(r, "write to", *pending[i].first);
      }
    }
    pending = std::move(failed);
  }
  return pending.empty() ? Status::OK() : last;
}

Status RadosEngine::Write(const WriteBatch& batch) {
  if (batch.empty()) return Status::OK();
  if (poisoned_.load())
    return Status::IOError(
        "rados: writes stopped (a multi-object write failed to apply, or the server lease was "
        "lost); restart the server");
  Effects effects;
  std::vector<std::pair<Column, uint32_t>> ids;
  for (const WriteBatch::Op& op : batch.ops()) {
    switch (op.type) {
      case WriteBatch::OpType::kPut:
      case WriteBatch::OpType::kDelete: {
        const ObjectRef o = layout_.ObjectOf(op.column, op.key);
        if (op.column != Column::kMeta) ids.emplace_back(op.column, IdOf(op.key));
        auto& slot = effects[o.name].keys[OmapKey(op.column, op.key)];
        if (op.type == WriteBatch::OpType::kPut) {
          slot = op.value;
        } else {
          slot = std::nullopt;
        }
        break;
      }
      case WriteBatch::OpType::kDeleteRange: {
        if (op.key > op.value) return Status::IOError("DeleteRange: end key comes before start key");
        if (op.key == op.value) break;
        std::vector<ObjectRef> objects;
        if (Status s = Objects(op.column, op.key, op.value, &objects); !s.ok()) return s;
        const std::string begin_k = OmapKey(op.column, op.key);
        const std::string end_k = OmapKey(op.column, op.value);
        for (const ObjectRef& o : objects) {
          Effect& e = effects[o.name];
          const bool whole = o.start >= op.key && !o.end.empty() && o.end <= op.value &&
                             op.column != Column::kMeta;
          if (whole) {
            e.clear = true;
            e.keys.clear();
            continue;
          }
          // Part of the object: its keys in range are removed one by one (read now).
          for (auto& [k, v] : e.keys)
            if (k >= begin_k && k < end_k) v = std::nullopt;
          std::string from = op.key;
          bool inclusive = true;
          while (true) {
            std::vector<std::pair<std::string, std::string>> page;
            bool more = false;
            if (Status s = ReadPage(op.column, o.name, from, inclusive, op.value, kMaxPage, &page,
                                    &more);
                !s.ok())
              return s;
            for (const auto& kv : page) e.keys[OmapKey(op.column, kv.first)] = std::nullopt;
            if (!more || page.empty()) break;
            from = page.back().first;
            inclusive = false;
          }
        }
        break;
      }
    }
  }
  if (effects.empty()) return Status::OK();
  if (Status s = Register(ids); !s.ok()) return s;
  if (effects.size() == 1) {  // one object: one atomic op
    librados::ObjectWriteOperation op;
    effects.begin()->second.AddTo(&op);
    int r = io_.operate(effects.begin()->first, &op);
    return r < 0 ? ToStatus(r, "write to", effects.begin()->first) : Status::OK();
  }
  // Several objects: redo record, apply, remove the record.
  char name[32];
  std::snprintf(name, sizeof(name), "%020llu",
                static_cast<unsigned long long>(next_record_.fetch_add(1)));
  {
    librados::ObjectWriteOperation op;
    librados::bufferlist bl;
    const std::string record = EncodeEffects(effects);
    bl.append(record.data(), record.size());
    op.omap_set({{name, bl}});
    int r = io_.operate(kRedoObject, &op);
    if (r < 0) return ToStatus(r, "write to", kRedoObject);
  }
  if (Status s = Apply(effects); !s.ok()) {
    poisoned_.store(true);
    return s;
  }
  librados::ObjectWriteOperation rm;
  rm.omap_rm_keys({name});
  int r = io_.operate(kRedoObject, &rm);
  if (r < 0) {
    // Applied but still logged: a replay would repeat it over later writes.
    poisoned_.store(true);
    return ToStatus(r, "write to", kRedoObject);
  }
  return Status::OK();
}

Status RadosEngine::Replay() {
  while (true) {
    std::map<std::string, librados::bufferlist> records;
    bool more = false;
    librados::ObjectReadOperation op;
    int rval = 0;
    op.omap_get_vals2("", 16, &records, &more, &rval);
    int r = io_.operate(kRedoObject, &op, nullptr);
    if (r == -ENOENT || (r >= 0 && records.empty())) break;
    if (r < 0) return ToStatus(r, "read from", kRedoObject);
    for (auto& [name, bl] : records) {
      Effects effects;
      if (!DecodeEffects(std::string_view(bl.c_str(), bl.length()), &effects))
        return Status::Corruption("rados: redo record " + name + " cannot be decoded");
      if (Status s = Apply(effects); !s.ok()) return s;
      librados::ObjectWriteOperation rm;
      rm.omap_rm_keys({name});
      r = io_.operate(kRedoObject, &rm);
      if (r < 0) return ToStatus(r, "write to", kRedoObject);
    }
  }
  return Status::OK();
}

Result<std::unique_ptr<Engine>> OpenRadosEngine(const RadosOptions& options) {
  return RadosEngine::Open(options);
}

}  // namespace cairn::storage
