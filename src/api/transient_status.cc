// TransientStatuses: see transient_status.h.
#include "api/transient_status.h"

#include "api/context.h"
#include "api/table_description.h"

namespace cairn::api {

std::string_view TransientStatuses::Begin(const storage::TableInfo& table,
                                          std::string_view status) {
  if (!enabled()) return "ACTIVE";
  std::lock_guard lock(mu_);
  tables_[table.id] = {status, Clock::now() + delay_, table.ns,
                       status == "CREATING" && !table.indexes.empty()};
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

size_t TransientStatuses::InTransition(std::string_view ns, size_t* creating_with_indexes) {
  *creating_with_indexes = 0;
  if (!enabled()) return 0;
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  size_t n = 0;
  for (auto it = tables_.begin(); it != tables_.end();) {
    if (now >= it->second.until) {
      it = tables_.erase(it);
      continue;
    }
    if (it->second.ns == ns) {
      ++n;
      if (it->second.with_indexes) ++*creating_with_indexes;
    }
    ++it;
  }
  for (auto it = deleting_.begin(); it != deleting_.end();) {
    if (now >= it->second.second) {
      it = deleting_.erase(it);
      continue;
    }
    if (it->first.first == ns) ++n;
    ++it;
  }
  return n;
}

std::string_view CurrentTableStatus(const ServerContext& server, const storage::TableInfo& t) {
  std::string_view status = TableStatusOf(t);
  if (status == "ACTIVE" && server.transient != nullptr) status = server.transient->StatusOf(t);
  return status;
}

std::optional<protocol::ApiError> RefuseUnlessActive(const ServerContext& server,
                                                     const storage::TableInfo& t) {
  const std::string_view status = CurrentTableStatus(server, t);
  if (status == "ACTIVE") return std::nullopt;
  return protocol::ApiError::ResourceInUse(
      std::string("Attempt to change a resource which is still in use: Table is being ") +
      (status == "CREATING" ? "created: " : "updated: ") + t.name);
}

std::optional<protocol::ApiError> CheckSimultaneousTableOperations(const ServerContext& server,
                                                                   std::string_view ns,
                                                                   bool creating_with_indexes) {
  if (server.throttler == nullptr || server.transient == nullptr) return std::nullopt;
  size_t with_indexes = 0;
  const size_t running = server.transient->InTransition(ns, &with_indexes);
  if (running >= kMaxSimultaneousTableOperations)
    return protocol::ApiError::LimitExceeded(
        "Subscriber limit exceeded: Only " + std::to_string(kMaxSimultaneousTableOperations) +
        " tables can be created, updated, or deleted simultaneously");
  if (creating_with_indexes && with_indexes >= kMaxSimultaneousCreatesWithIndexes)
    return protocol::ApiError::LimitExceeded(
        "Subscriber limit exceeded: Only " + std::to_string(kMaxSimultaneousCreatesWithIndexes) +
        " tables with secondary indexes can be in CREATING state at any given time. Please "
        "retry later.");
  return std::nullopt;
}

}  // namespace cairn::api
