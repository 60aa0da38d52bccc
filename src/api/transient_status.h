// TransientStatuses: --delay-transient-statuses (DynamoDB Local's -delayTransientStatuses). Cairn
// applies a control-plane change at once; with a delay set, the table is CREATING after
// CreateTable, UPDATING after UpdateTable, and DELETING after DeleteTable (DescribeTable still
// finds it) for at least that long, as DynamoDB's tables take time to change state, so SDK
// waiters (boto3's table_exists / table_not_exists) run their polling loop. A GSI added by
// UpdateTable stays CREATING (Backfilling) at least as long too (backfill/backfill.h).
// What a status means, as in DynamoDB ("You can perform read and write operations only on an
// ACTIVE table", CreateTable's reference):
//   - CREATING: the data plane answers ResourceNotFoundException ("Requested resource not
//     found"; FindTable hides it); UpdateTable and DeleteTable answer ResourceInUseException
//     (RefuseUnlessActive);
//   - UPDATING: reads and writes work; another UpdateTable, or a DeleteTable ("If a table is in
//     CREATING or UPDATING states, then DynamoDB returns a ResourceInUseException"), is refused;
//   - DELETING: gone for the data plane (the table is dropped at once), described until the
//     delay passed;
//   - a GSI CREATING: queries of it are refused (ValidationException, api/query_scan.cc), the
//     table stays usable and UpdateTable may run ("After the index begins backfilling, you can
//     use UpdateTable to perform other operations").
// Under --throttle also DynamoDB's limit on simultaneous table operations per account
// (LimitExceededException's reference: "up to 500 simultaneous table operations", "When you are
// creating a table with one or more secondary indexes, you can have up to 250 such requests"):
// CheckSimultaneousTableOperations counts the namespace's tables CREATING, UPDATING or DELETING.
// With no delay (the default) nothing is recorded and every table is ACTIVE at once.
// In memory only: after a restart every table is ACTIVE (or gone).
// Thread safety: all methods may be called concurrently (one mutex, taken only with a delay set).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "protocol/errors.h"
#include "storage/catalog.h"

namespace cairn::api {

struct ServerContext;

// DynamoDB's limits on simultaneous table operations per account (see above).
inline constexpr size_t kMaxSimultaneousTableOperations = 500;
inline constexpr size_t kMaxSimultaneousCreatesWithIndexes = 250;

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

  // The tables of namespace `ns` CREATING, UPDATING or DELETING now; `creating_with_indexes`
  // receives how many of them are CREATING with a secondary index.
  size_t InTransition(std::string_view ns, size_t* creating_with_indexes);

 private:
  using Clock = std::chrono::steady_clock;
  struct Transition {
    std::string_view status;
    Clock::time_point until;
    std::string ns;
    bool with_indexes = false;
  };
  const std::chrono::milliseconds delay_;
  std::mutex mu_;
  std::map<uint32_t, Transition> tables_;  // by table id. GUARDED_BY(mu_)
  // (ns, name) -> (dropped descriptor, until). GUARDED_BY(mu_)
  std::map<std::pair<std::string, std::string>,
           std::pair<std::shared_ptr<const storage::TableInfo>, Clock::time_point>, std::less<>>
      deleting_;
};

// The status a table has now: CREATING while a restore or an import fills it, else what
// --delay-transient-statuses reports (ACTIVE without it).
std::string_view CurrentTableStatus(const ServerContext& server, const storage::TableInfo& table);

// UpdateTable's and DeleteTable's refusal of a table that is not ACTIVE: ResourceInUseException
// "Attempt to change a resource which is still in use: Table is being created: NAME" (or "being
// updated"), or nullopt when it is ACTIVE.
std::optional<protocol::ApiError> RefuseUnlessActive(const ServerContext& server,
                                                     const storage::TableInfo& table);

// --throttle with --delay-transient-statuses: LimitExceededException when namespace `ns` already
// has 500 table operations running (250 creations with indexes, when `creating_with_indexes`).
std::optional<protocol::ApiError> CheckSimultaneousTableOperations(const ServerContext& server,
                                                                   std::string_view ns,
                                                                   bool creating_with_indexes);

}  // namespace cairn::api
