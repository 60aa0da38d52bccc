// TransientStatuses: see transient_status.h.
#include "api/transient_status.h"

namespace cairn::api {

std::string_view TransientStatuses::Begin(const storage::TableInfo& table,
                                          std::string_view status) {
  if (!enabled()) return "ACTIVE";
  std::lock_guard lock(mu_);
  tables_[table.id] = {status, Clock::now() + delay_};
  deleting_.erase(std::make_pair(table.ns, table.name));  // the name is a live table again
  return status;
}

void TransientStatuses::BeginDelete(std::shared_ptr<const storage::TableInfo> dropped) {
  if (!enabled()) return;
  std::lock_guard lock(mu_);
  tables_.erase(dropped->id);
  auto key = std::make_pair(dropped->ns, dropped->name);
  deleting_[key] = {std::move(dropped), Clock::now() + delay_};
}

std::string_view TransientStatuses::StatusOf(const storage::TableInfo& table) {
  if (!enabled()) return "ACTIVE";
  std::lock_guard lock(mu_);
  auto it = tables_.find(table.id);
  if (it == tables_.end()) return "ACTIVE";
  if (Clock::now() >= it->second.until) {
    tables_.erase(it);
    return "ACTIVE";
  }
  return it->second.status;
}

std::shared_ptr<const storage::TableInfo> TransientStatuses::Deleting(std::string_view ns,
                                                                      std::string_view name) {
  if (!enabled()) return nullptr;
  std::lock_guard lock(mu_);
  auto it = deleting_.find(std::make_pair(std::string(ns), std::string(name)));
  if (it == deleting_.end()) return nullptr;
  if (Clock::now() >= it->second.second) {
    deleting_.erase(it);
    return nullptr;
  }
  return it->second.first;
}

}  // namespace cairn::api
