// FaultInjector: opt-in failures for testing DynamoDB clients' unhappy paths (retries, backoff,
// partial batches, dropped connections), driven by rules from a file (--faults FILE, reloaded on
// SIGHUP) or the admin API (api/admin.h). Nothing here runs unless a rule exists: the dispatcher
// asks active() (one relaxed atomic load) before anything else.
//
// A rule matches a request by operation (the X-Amz-Target name, "PutItem"; absent: any) and
// table (the request's TableName, a RequestItems key, or a TransactItems table; absent: any). Each
// request is offered to the rules in order; the first matching rule that is not exhausted
// (`count` fires left) and whose `probability` draw succeeds fires, and only that one. A firing
// rule does one or more of:
//   - error:  one of DynamoDB's retryable or load errors, with DynamoDB's type, message and HTTP
//             status (protocol/errors.h): the operation does not run, so nothing is written;
//   - latency_ms: the answer is held back this long (http::Response::delay: the event loop goes on
//             serving other connections);
//   - drop_connection: the connection is closed without an answer (the operation does not run);
//   - unprocessed: BatchWriteItem / BatchGetItem only: this fraction of the batch's requests
//             (rounded up) is answered as UnprocessedItems / UnprocessedKeys and not applied; the
//             rest is.
// Counters per rule: `requests` (requests that matched its operation and table, fired or not, even
// once exhausted: a server-side count of an SDK's attempts) and `fired`.
// The random draws (probability, which batch requests go unprocessed) come from one generator
// seeded by the rules file's "seed", --faults-seed, or the admin API; the same seed and the same
// sequence of requests give the same faults.
//
// Rules file / admin API body (JSON):
//   {"seed": 7, "rules": [{"id": "r1", "operation": "PutItem", "table": "Orders", "count": 3,
//     "probability": 1.0, "error": "ProvisionedThroughputExceededException", "message": "...",
//     "latency_ms": 0, "drop_connection": false, "unprocessed": 0.5}]}
// A bad rule is refused whole, with a message naming the rule and the member.
// Thread safety: every method may be called from any thread; the rules sit behind one mutex, taken
// only when active().
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/errors.h"
#include "util/status.h"

namespace cairn::faults {

struct Rule {
  std::string id;         // given, or "r<n>"
  std::string operation;  // empty: any
  std::string table;      // empty: any
  double probability = 1;
  int64_t count = -1;  // fires left; -1: unlimited
  std::string error;   // canonical error type, empty: none
  std::string message;  // replaces DynamoDB's message when not empty
  int64_t latency_ms = 0;
  bool drop_connection = false;
  double unprocessed = 0;
  // Counters.
  int64_t requests = 0;
  int64_t fired = 0;
};

// What happens to one request.
struct Decision {
  std::optional<protocol::ApiError> error;
  int64_t latency_ms = 0;
  bool drop_connection = false;
  double unprocessed = 0;       // fraction of a batch's requests left unprocessed
  uint64_t unprocessed_seed = 0;  // picks which ones (ChooseUnprocessed)
};

// The indexes of `total` requests left unprocessed for `fraction` (ceil(fraction * total) of them,
// drawn with `seed`): true at the unprocessed ones.
std::vector<bool> ChooseUnprocessed(size_t total, double fraction, uint64_t seed);

// The injectable errors, by DynamoDB's type name ("ThrottlingException"); the short forms without
// "Exception" are accepted too. nullopt for any other name.
std::optional<protocol::ApiError> InjectableError(std::string_view type);

class FaultInjector {
 public:
  FaultInjector();

  // Near-zero cost when false: no rule exists.
  bool active() const { return active_.load(std::memory_order_relaxed); }

  // The first rule that fires for this request (see above), or nullopt.
  std::optional<Decision> Decide(std::string_view operation,
                                 const std::vector<std::string_view>& tables);

  // Replaces every rule by those of `json` (a rules document; its seed, if any, reseeds).
  // InvalidArgument naming the problem; nothing changes then.
  Status Replace(std::string_view json);
  // Appends the rules of `json` (a rules document or a single rule object); their ids in *ids.
  Status Add(std::string_view json, std::vector<std::string>* ids);
  // Removes one rule; false when there is none with that id.
  bool Remove(std::string_view id);
  void Clear();
  void Reseed(uint64_t seed);

  // {"seed": n, "rules": [{...rule..., "requests": n, "fired": n}]}
  std::string ToJson() const;

 private:
  // Parses a document into rules (ids assigned) and an optional seed. REQUIRES: mu_ held.
  Status Parse(std::string_view json, bool allow_single_rule, std::vector<Rule>* rules,
               std::optional<uint64_t>* seed);
  void Publish() { active_.store(!rules_.empty(), std::memory_order_relaxed); }

  std::atomic<bool> active_{false};
  mutable std::mutex mu_;
  std::vector<Rule> rules_;  // GUARDED_BY(mu_)
  uint64_t seed_ = 0;        // GUARDED_BY(mu_)
  std::mt19937_64 rng_;      // GUARDED_BY(mu_)
  uint64_t next_id_ = 1;     // GUARDED_BY(mu_)
};

}  // namespace cairn::faults
