// DatabaseSnapshots: whole-database copies through the engine seam (see database_snapshots.h).
#include "storage/database_snapshots.h"

namespace cairn::storage {
namespace {

// Past every key of every column: meta keys are text ("T:", "R:", "C:..."), the others start with
// a 4-byte id below UINT32_MAX.
const std::string& EndOfKeys() {
  static const std::string end(16, '\xff');
  return end;
}

}  // namespace

Result<DatabaseSnapshots::Info> DatabaseSnapshots::Save(const std::string& name) {
  auto copy = std::make_shared<Copy>();
  copy->info.name = name;
  std::unique_ptr<Snapshot> at = engine_->GetSnapshot();
  for (int c = 0; c < kColumnCount; ++c) {
    ReadOptions ro;
    ro.snapshot = at.get();
    auto it = engine_->NewIterator(static_cast<Column>(c), ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      copy->columns[c].emplace_back(std::string(it->key()), std::string(it->value()));
      copy->info.bytes += it->key().size() + it->value().size();
    }
    CAIRN_RETURN_IF_ERROR(it->status());
    copy->info.keys += copy->columns[c].size();
  }
  Info info = copy->info;
  std::lock_guard lock(mu_);
  copies_[name] = std::move(copy);
  return info;
}

Status DatabaseSnapshots::Restore(const std::string& name) {
  std::shared_ptr<const Copy> copy;
  {
    std::lock_guard lock(mu_);
    auto it = copies_.find(name);
    if (it == copies_.end()) return Status::NotFound("no snapshot named " + name);
    copy = it->second;
  }
  WriteBatch b;
  for (int c = 0; c < kColumnCount; ++c) {
    b.DeleteRange(static_cast<Column>(c), "", EndOfKeys());
    for (const auto& [k, v] : copy->columns[c]) b.Put(static_cast<Column>(c), k, v);
  }
  CAIRN_RETURN_IF_ERROR(engine_->Write(b));
  return catalog_->Reload();
}

bool DatabaseSnapshots::Delete(const std::string& name) {
  std::lock_guard lock(mu_);
  return copies_.erase(name) > 0;
}

std::vector<DatabaseSnapshots::Info> DatabaseSnapshots::List() const {
  std::lock_guard lock(mu_);
  std::vector<Info> out;
  for (const auto& [name, copy] : copies_) out.push_back(copy->info);
  return out;
}

}  // namespace cairn::storage
