// TransientStatuses: --delay-transient-statuses (DynamoDB Local's -delayTransientStatuses). Cairn
// applies a control-plane change at once; with a delay set, the table is *reported* CREATING
// after CreateTable, UPDATING after UpdateTable, and DELETING after DeleteTable (DescribeTable
// still finds it) for at least that long, as DynamoDB's tables take time to change state, so SDK
// waiters (boto3's table_exists / table_not_exists) run their polling loop. A GSI added by
// UpdateTable stays CREATING (Backfilling) at least as long too (backfill/backfill.h).
// With no delay (the default) nothing is recorded and every table is ACTIVE.
// In memory only: after a restart every table is ACTIVE (or gone).
// Thread safety: all methods may be called concurrently (one mutex, taken only with a delay set).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include "storage/catalog.h"

namespace cairn::api {

class TransientStatuses {
 public:
  explicit TransientStatuses(std::chrono::milliseconds delay) : delay_(delay) {}

  bool enabled() const { return delay_.count() > 0; }
  std::chrono::milliseconds delay() const { return delay_; }

  // Records that `table` is CREATING or UPDATING from now on, for the delay. Returns the status
  // to answer: `status`, or "ACTIVE" when no delay is set.
  std::string_view Begin(const storage::TableInfo& table, std::string_view status);
  // Records that `dropped` is DELETING for the delay (DescribeTable still describes it).
  void BeginDelete(std::shared_ptr<const storage::TableInfo> dropped);

  // The status to report for a live table: CREATING / UPDATING while one runs, else ACTIVE.
  std::string_view StatusOf(const storage::TableInfo& table);
  // A table of that name deleted less than the delay ago (and not created again), or nullptr.
  std::shared_ptr<const storage::TableInfo> Deleting(std::string_view ns, std::string_view name);

 private:
  using Clock = std::chrono::steady_clock;
  struct Transition {
    std::string_view status;
    Clock::time_point until;
  };
  const std::chrono::milliseconds delay_;
  std::mutex mu_;
  std::map<uint32_t, Transition> tables_;  // by table id. GUARDED_BY(mu_)
  // (ns, name) -> (dropped descriptor, until). GUARDED_BY(mu_)
  std::map<std::pair<std::string, std::string>,
           std::pair<std::shared_ptr<const storage::TableInfo>, Clock::time_point>, std::less<>>
      deleting_;
};

}  // namespace cairn::api
