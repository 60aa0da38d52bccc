// Backups: records, the background copy of a backup, restores, and the trimming of point-in-time
// change logs (backups.h). Record format (meta column, "B:" ns "\0" ARN; docs/format.md): a
// version byte (1), then length-prefixed fields (u32 BE length, bytes) in this order: ARN, name,
// namespace, status, creation time, size, item count, id (numbers as decimal text), and the source
// table's descriptor (storage::EncodeTableInfo). Nothing here throws.
#include "backup/backups.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <random>

#include "backup/point_in_time.h"
#include "storage/backup_keys.h"
#include "storage/key_encoding.h"
#include "types/binary_codec.h"
#include "util/big_endian.h"
#include "util/clock.h"

namespace cairn::backup {
namespace {

constexpr std::string_view kRecordPrefix = "B:";
// Version 2 appends the BackupType; a version 1 record is a USER backup.
constexpr char kRecordVersion = 2;
constexpr size_t kCopyBatch = 1000;    // items per engine batch when a backup is copied
constexpr size_t kRestoreBatch = 100;  // items per writer batch when a table is restored
constexpr size_t kProgressEvery = 50000;

std::string RecordKey(std::string_view ns, std::string_view arn) {
  std::string k(kRecordPrefix);
  k.append(ns);
  k.push_back('\0');
  k.append(arn);
  return k;
}

void AddField(std::string* out, std::string_view v) {
  AppendBigEndian32(out, uint32_t(v.size()));
  out->append(v);
}

std::string Num(double d) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.6f", d);
  return buf;
}

bool NextField(std::string_view* in, std::string_view* field) {
  if (in->size() < 4) return false;
  const uint32_t n = ReadBigEndian32(*in);
  if (in->size() - 4 < n) return false;
  *field = in->substr(4, n);
  in->remove_prefix(4 + size_t(n));
  return true;
}

template <typename T>
bool ParseNumber(std::string_view s, T* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

std::string NewBackupArn(const storage::TableInfo& t, double now) {
  thread_local std::mt19937 rng{std::random_device{}()};
  char suffix[40];
  snprintf(suffix, sizeof suffix, "%014lld-%08x", static_cast<long long>(std::llround(now * 1000)),
           static_cast<unsigned>(rng()));
  return t.Arn() + "/backup/" + suffix;
}

}  // namespace

std::string EncodeBackupRecord(const BackupRecord& r) {
  std::string out(1, kRecordVersion);
  AddField(&out, r.arn);
  AddField(&out, r.name);
  AddField(&out, r.ns);
  AddField(&out, std::to_string(static_cast<int>(r.status)));
  AddField(&out, Num(r.creation_time));
  AddField(&out, std::to_string(r.size_bytes));
  AddField(&out, std::to_string(r.item_count));
  AddField(&out, std::to_string(r.id));
  AddField(&out, storage::EncodeTableInfo(r.table));
  AddField(&out, std::to_string(static_cast<int>(r.type)));
  return out;
}

Result<BackupRecord> DecodeBackupRecord(std::string_view in) {
  const Status bad = Status::Corruption("malformed backup record");
  if (in.empty() || (in[0] != 1 && in[0] != kRecordVersion)) return bad;
  const int version = in[0];
  in.remove_prefix(1);
  BackupRecord r;
  std::string_view f[10];
  for (int i = 0; i < (version == 1 ? 9 : 10); ++i)
    if (!NextField(&in, &f[i])) return bad;
  if (!in.empty()) return bad;
  if (version >= 2) {
    int type = 0;
    if (!ParseNumber(f[9], &type) || type < 0 || type > 1) return bad;
    r.type = static_cast<BackupType>(type);
  }
  int status = 0;
  if (!ParseNumber(f[3], &status) || status < 0 || status > 1) return bad;
  r.arn = f[0];
  r.name = f[1];
  r.ns = f[2];
  r.status = static_cast<BackupStatus>(status);
  if (!ParseNumber(f[4], &r.creation_time) || !ParseNumber(f[5], &r.size_bytes) ||
      !ParseNumber(f[6], &r.item_count) || !ParseNumber(f[7], &r.id))
    return bad;
  auto table = storage::DecodeTableInfo(f[8]);
  if (!table.ok()) return table.status();
  r.table = std::move(table).value();
  return r;
}

Status Backups::Start() {
  storage::ReadOptions ro;
  ro.lower_bound = std::string(kRecordPrefix);
  ro.upper_bound = storage::PrefixSuccessor(kRecordPrefix);
  std::vector<BackupRecord> interrupted;
  {
    auto it = engine_->NewIterator(storage::Column::kMeta, ro);
    std::lock_guard lock(mu_);
    for (it->Seek(ro.lower_bound); it->Valid(); it->Next()) {
      auto r = DecodeBackupRecord(it->value());
      if (!r.ok()) return Status::Corruption("backup record " + std::string(it->key()) + ": " +
                                             r.status().ToString());
      if (r->status == BackupStatus::kCreating) {
        interrupted.push_back(std::move(r).value());
        continue;
      }
      auto rec = std::make_shared<const BackupRecord>(std::move(r).value());
      backups_[rec->ns][rec->arn] = rec;
    }
    CAIRN_RETURN_IF_ERROR(it->status());
  }
  for (const auto& r : interrupted) {
    storage::WriteBatch b;
    b.Delete(storage::Column::kMeta, RecordKey(r.ns, r.arn));
    b.DeleteRange(storage::Column::kBackup, storage::TablePrefix(r.id), storage::TableEnd(r.id));
    CAIRN_RETURN_IF_ERROR(engine_->Write(b));
    spdlog::warn("backup {} was being created when the server stopped: removed", r.arn);
  }
  for (const auto& t : catalog_->AllTables()) {
    if (!t->restoring()) continue;
    if (!t->restore_source_backup_arn.empty()) {
      std::lock_guard lock(mu_);
      restoring_from_.insert(t->restore_source_backup_arn);
    }
    spdlog::info("resuming the restore of table {}", t->name);
    Spawn([this, t] { RunRestore(t); });
  }
  Spawn([this] { TrimLoop(); });
  return Status::OK();
}

void Backups::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_.store(true);
  }
  stop_cv_.notify_all();
  std::vector<Worker> workers;
  {
    std::lock_guard lock(mu_);
    workers.swap(workers_);
  }
  for (auto& w : workers)
    if (w.thread.joinable()) w.thread.join();
}

void Backups::Spawn(std::function<void()> fn) {
  std::vector<Worker> finished;
  {
    std::lock_guard lock(mu_);
    if (stop_.load()) return;
    auto done = std::make_shared<std::atomic<bool>>(false);
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (it->done->load()) {
        finished.push_back(std::move(*it));
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
    workers_.push_back({std::thread([fn = std::move(fn), done] {
                          fn();
                          done->store(true);
                        }),
                        done});
  }
  for (auto& w : finished) w.thread.join();  // already ended: returns at once
}

Result<std::shared_ptr<const BackupRecord>> Backups::Create(
    std::shared_ptr<const storage::TableInfo> table, std::string name) {
  CAIRN_ASSIGN_OR_RETURN(uint32_t id, catalog_->AllocateId());
  auto r = std::make_shared<BackupRecord>();
  r->creation_time = EpochSeconds();
  r->arn = NewBackupArn(*table, r->creation_time);
  r->name = std::move(name);
  r->ns = table->ns;
  r->id = id;
  r->table = *table;
  return Start(std::move(r), nullptr);
}

Result<std::shared_ptr<const BackupRecord>> Backups::CreateSystemBackup(
    std::shared_ptr<const storage::TableInfo> table, std::shared_ptr<storage::Snapshot> snapshot) {
  CAIRN_ASSIGN_OR_RETURN(uint32_t id, catalog_->AllocateId());
  auto r = std::make_shared<BackupRecord>();
  r->creation_time = EpochSeconds();
  r->arn = NewBackupArn(*table, r->creation_time);
  r->name = table->name + "$DeletedTableBackup";
  r->ns = table->ns;
  r->id = id;
  r->table = *table;
  r->type = BackupType::kSystem;
  return Start(std::move(r), std::move(snapshot));
}

// Persists `r` (CREATING) and copies its items in the background from `snapshot`, or from a
// snapshot taken now when it is null.
Result<std::shared_ptr<const BackupRecord>> Backups::Start(
    std::shared_ptr<BackupRecord> r, std::shared_ptr<storage::Snapshot> snapshot) {
  {
    std::lock_guard lock(mu_);
    if (!snapshot) {
      for (const auto& [arn, other] : backups_[r->ns])
        if (other->status == BackupStatus::kCreating && other->table.id == r->table.id)
          return Status::Busy("a backup of the table is being created");
      // The snapshot is taken under mu_ after the table was looked up: it holds every write
      // acknowledged before CreateBackup was answered.
      snapshot = engine_->GetSnapshot();
    }
    storage::WriteBatch b;
    b.Put(storage::Column::kMeta, RecordKey(r->ns, r->arn), EncodeBackupRecord(*r));
    CAIRN_RETURN_IF_ERROR(engine_->Write(b));
    backups_[r->ns][r->arn] = r;
  }
  std::shared_ptr<const BackupRecord> published = r;
  Spawn([this, published, snapshot] { RunBackup(published, snapshot); });
  return published;
}

void Backups::RunBackup(std::shared_ptr<const BackupRecord> record,
                        std::shared_ptr<storage::Snapshot> snapshot) {
  const auto started = std::chrono::steady_clock::now();
  storage::ReadOptions ro;
  ro.snapshot = snapshot.get();
  ro.lower_bound = storage::TablePrefix(record->table.id);
  ro.upper_bound = storage::TableEnd(record->table.id);
  auto it = engine_->NewIterator(storage::Column::kData, ro);
  storage::WriteBatch batch;
  int64_t items = 0, bytes = 0;
  Status s;
  for (it->Seek(ro.lower_bound); it->Valid() && !stop_.load(); it->Next()) {
    auto item = DecodeItem(it->value());
    if (!item.ok()) {
      s = item.status();
      break;
    }
    bytes += int64_t(ItemSize(*item));
    ++items;
    batch.Put(storage::Column::kBackup, storage::BackupItemKey(record->id, it->key()), it->value());
    if (batch.ops().size() >= kCopyBatch) {
      s = engine_->Write(batch);
      if (!s.ok()) break;
      batch.Clear();
    }
    if (options_.item_delay.count() > 0) std::this_thread::sleep_for(options_.item_delay);
  }
  if (s.ok()) s = it->status();
  if (stop_.load()) return;  // removed at the next start (Start(): interrupted backups)
  auto done = std::make_shared<BackupRecord>(*record);
  done->status = BackupStatus::kAvailable;
  done->size_bytes = bytes;
  done->item_count = items;
  if (s.ok()) {
    batch.Put(storage::Column::kMeta, RecordKey(done->ns, done->arn), EncodeBackupRecord(*done));
    s = engine_->Write(batch);
  }
  std::lock_guard lock(mu_);
  auto& of_ns = backups_[record->ns];
  if (!s.ok()) {
    spdlog::error("backup {} failed: {}", record->arn, s.ToString());
    storage::WriteBatch undo;
    undo.Delete(storage::Column::kMeta, RecordKey(record->ns, record->arn));
    undo.DeleteRange(storage::Column::kBackup, storage::TablePrefix(record->id),
                     storage::TableEnd(record->id));
    engine_->Write(undo).IgnoreError();  // Start() removes it otherwise
    of_ns.erase(record->arn);
    return;
  }
  of_ns[record->arn] = done;
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("backup {} of table {}: {} items, {} bytes, in {:.3f} s", record->arn,
               record->table.name, items, bytes, secs);
}

std::shared_ptr<const BackupRecord> Backups::Find(std::string_view ns,
                                                  std::string_view arn) const {
  std::lock_guard lock(mu_);
  auto n = backups_.find(ns);
  if (n == backups_.end()) return nullptr;
  auto b = n->second.find(arn);
  return b == n->second.end() ? nullptr : b->second;
}

std::vector<std::shared_ptr<const BackupRecord>> Backups::List(std::string_view ns) const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const BackupRecord>> out;
  auto n = backups_.find(ns);
  if (n != backups_.end())
    for (const auto& [arn, r] : n->second) out.push_back(r);
  return out;
}

Result<std::shared_ptr<const BackupRecord>> Backups::Delete(std::string_view ns,
                                                            std::string_view arn) {
  std::shared_ptr<const BackupRecord> r;
  {
    std::lock_guard lock(mu_);
    auto n = backups_.find(ns);
    if (n == backups_.end()) return Status::NotFound();
    auto b = n->second.find(arn);
    if (b == n->second.end()) return Status::NotFound();
    r = b->second;
    if (r->status == BackupStatus::kCreating || restoring_from_.count(r->arn) != 0)
      return Status::Busy("the backup is in use");
    storage::WriteBatch batch;
    batch.Delete(storage::Column::kMeta, RecordKey(r->ns, r->arn));
    batch.DeleteRange(storage::Column::kBackup, storage::TablePrefix(r->id),
                      storage::TableEnd(r->id));
    CAIRN_RETURN_IF_ERROR(engine_->Write(batch));
    n->second.erase(b);
  }
  engine_->CompactRange(storage::Column::kBackup, storage::TablePrefix(r->id),
                        storage::TableEnd(r->id));
  return r;
}

Result<std::shared_ptr<const storage::TableInfo>> Backups::StartRestore(storage::TableInfo target) {
  const std::string from = target.restore_source_backup_arn;
  if (!from.empty()) {
    std::lock_guard lock(mu_);
    auto n = backups_.find(target.ns);
    if (n == backups_.end() || n->second.find(from) == n->second.end()) return Status::NotFound();
    if (n->second.find(from)->second->status != BackupStatus::kAvailable)
      return Status::Aborted("the backup is being created");
    restoring_from_.insert(from);  // DeleteBackup waits for the restore
  }
  auto created = catalog_->Create(std::move(target));
  if (!created.ok()) {
    if (!from.empty()) {
      std::lock_guard lock(mu_);
      restoring_from_.erase(restoring_from_.find(from));
    }
    return created.status();
  }
  std::shared_ptr<const storage::TableInfo> t = *created;
  spdlog::info("restoring table {} from {}", t->name,
               from.empty() ? t->restore_source_table_arn + " at " + Num(t->restore_date_time)
                            : from);
  Spawn([this, t] { RunRestore(t); });
  return t;
}

void Backups::RunRestore(std::shared_ptr<const storage::TableInfo> target) {
  const auto started = std::chrono::steady_clock::now();
  size_t items = 0;
  Status s = target->restore_source_backup_arn.empty() ? FillFromPointInTime(target, &items)
                                                       : FillFromBackup(target, &items);
  if (!target->restore_source_backup_arn.empty()) {
    std::lock_guard lock(mu_);
    auto it = restoring_from_.find(target->restore_source_backup_arn);
    if (it != restoring_from_.end()) restoring_from_.erase(it);
  }
  if (stop_.load()) {
    spdlog::info("restore of table {} interrupted after {} items: resumed at the next start",
                 target->name, items);
    return;
  }
  if (s.IsNotFound() && catalog_->Find(target->ns, target->name) == nullptr) return;  // dropped
  if (!s.ok()) {
    // Failed cleanly: the half-filled table goes, it never becomes ACTIVE.
    spdlog::error("restore of table {} failed: {}; the table is deleted", target->name,
                  s.ToString());
    Status d = catalog_->Drop(target->ns, target->name, target->id);
    if (!d.ok() && !d.IsNotFound()) spdlog::error("restore of {}: {}", target->name, d.ToString());
    return;
  }
  s = catalog_->Modify(target->ns, target->name, target->id, [](storage::TableInfo& t) {
    t.restore_in_progress = false;
    return Status::OK();
  });
  if (!s.ok() && !s.IsNotFound()) {
    spdlog::error("restore of table {}: {}", target->name, s.ToString());
    return;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("restored table {}: {} items in {:.3f} s ({:.0f} items/s)", target->name, items,
               secs, secs > 0 ? double(items) / secs : 0.0);
}

Status Backups::PutItems(const std::shared_ptr<const storage::TableInfo>& target,
                         std::vector<std::pair<std::string, Item>>* batch, size_t* items) {
  if (batch->empty()) return Status::OK();
  if (stop_.load()) return Status::Aborted("stopping");
  std::vector<write::Target> targets;
  targets.reserve(batch->size());
  for (const auto& [key, item] : *batch) targets.push_back({target, key});
  std::vector<std::optional<Item>> olds;
  Status s = writer_->WriteMany(
      targets, write::Waiting::kBatch, write::ReadOld::kIfMaintained, &olds,
      [batch](size_t k, const storage::TableInfo&, const Item*, write::Change* c) {
        c->kind = write::Change::Kind::kPut;
        c->new_item = &(*batch)[k].second;
        return true;
      });
  if (!s.ok()) return s;
  const size_t before = *items;
  *items += batch->size();
  if (*items / kProgressEvery != before / kProgressEvery)
    spdlog::info("restore of table {}: {} items", target->name, *items);
  if (options_.item_delay.count() > 0)
    std::this_thread::sleep_for(options_.item_delay * batch->size());
  batch->clear();
  return Status::OK();
}

Status Backups::FillFromBackup(const std::shared_ptr<const storage::TableInfo>& target,
                               size_t* items) {
  auto record = Find(target->ns, target->restore_source_backup_arn);
  if (!record) return Status::Corruption("its backup is gone");
  storage::ReadOptions ro;
  ro.lower_bound = storage::TablePrefix(record->id);
  ro.upper_bound = storage::TableEnd(record->id);
  auto it = engine_->NewIterator(storage::Column::kBackup, ro);
  std::vector<std::pair<std::string, Item>> batch;
  for (it->Seek(ro.lower_bound); it->Valid(); it->Next()) {
    auto item = DecodeItem(it->value());
    if (!item.ok()) return item.status();
    batch.emplace_back(storage::ItemKeyFromBackup(target->id, it->key()), std::move(item).value());
    if (batch.size() >= kRestoreBatch) CAIRN_RETURN_IF_ERROR(PutItems(target, &batch, items));
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  return PutItems(target, &batch, items);
}

Status Backups::FillFromPointInTime(const std::shared_ptr<const storage::TableInfo>& target,
                                    size_t* items) {
  // The source: the table named by the ARN, still the one of that id.
  const std::string& arn = target->restore_source_table_arn;
  const size_t slash = arn.rfind('/');
  auto source = catalog_->Find(target->ns, arn.substr(slash + 1));
  if (!source || source->id != target->restore_source_id)
    return Status::Corruption("its source table is gone");
  auto snapshot = engine_->GetSnapshot();
  std::vector<std::pair<std::string, Item>> batch;
  CAIRN_RETURN_IF_ERROR(ForEachItemAt(
      *engine_, snapshot.get(), source->id, MicrosOf(target->restore_date_time),
      [&](std::string_view key, std::string_view bytes) -> Status {
        auto item = DecodeItem(bytes);
        if (!item.ok()) return item.status();
        batch.emplace_back(storage::ItemKeyFromBackup(target->id, key), std::move(item).value());
        if (batch.size() >= kRestoreBatch) return PutItems(target, &batch, items);
        return Status::OK();
      }));
  return PutItems(target, &batch, items);
}

void Backups::DropChangeLog(uint32_t table_id) {
  writer_->WaitForWritesInProgress();
  storage::WriteBatch b;
  b.DeleteRange(storage::Column::kBackup, storage::TablePrefix(table_id),
                storage::TableEnd(table_id));
  Status s = engine_->Write(b);
  if (!s.ok()) spdlog::error("point-in-time change log of table {}: {}", table_id, s.ToString());
}

void Backups::TrimLoop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      stop_cv_.wait_for(lock, options_.trim_interval, [this] { return stop_.load(); });
      if (stop_.load()) return;
    }
    TrimChangeLogs(EpochSeconds());
  }
}

void Backups::TrimChangeLogs(double now) {
  std::vector<std::shared_ptr<const BackupRecord>> expired;
  {
    std::lock_guard lock(mu_);
    for (const auto& [ns, of_ns] : backups_)
      for (const auto& [arn, r] : of_ns)
        if (r->type == BackupType::kSystem && r->status == BackupStatus::kAvailable &&
            r->expiry_time() <= now)
          expired.push_back(r);
  }
  for (const auto& r : expired) {
    auto d = Delete(r->ns, r->arn);
    if (d.ok())
      spdlog::info("SYSTEM backup {} expired: deleted", r->arn);
    else if (!d.status().IsNotFound() && d.status().code() != Status::Code::kBusy)
      spdlog::error("expiring SYSTEM backup {}: {}", r->arn, d.status().ToString());
  }
  for (const auto& t : catalog_->AllTables()) {
    if (t->pitr_enabled_time == 0) continue;
    const double cutoff = now - double(t->pitr_recovery_days) * 86400;
    if (cutoff <= 0) continue;
    storage::WriteBatch b;
    b.DeleteRange(storage::Column::kBackup, storage::TablePrefix(t->id),
                  storage::ChangeRecordBound(t->id, MicrosOf(cutoff)));
    Status s = engine_->Write(b);
    if (!s.ok()) spdlog::error("trimming the change log of {}: {}", t->name, s.ToString());
  }
}

}  // namespace cairn::backup
