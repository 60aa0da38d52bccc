// ControlPlaneRates: --throttle's limits on the control plane's request rates, as DynamoDB
// documents them per account (here: per namespace, which is what an access key and a region
// select) in its API reference:
//   CreateBackup                     50 per second
//   DeleteBackup, DescribeBackup, DescribeContinuousBackups, RestoreTableFromBackup,
//   ListTagsOfResource               10 per second
//   ListBackups, TagResource, UntagResource   5 per second
//   DescribeLimits                   once a minute ("You can expect throttling errors if you call
//                                    it more than once in a minute")
// Each (namespace, operation) has a token bucket holding one second's worth (DescribeLimits: one
// call) and refilled at its rate; a request over it is answered ThrottlingException ("Rate of
// requests exceeds the allowed throughput.", HTTP 400), which the SDKs retry with backoff.
// Operations without a documented rate (CreateTable, DescribeTable, ...) are not limited here;
// CreateTable / UpdateTable / DeleteTable have DynamoDB's limit on simultaneous table operations
// instead (api/transient_status.h).
// Thread safety: all methods may be called concurrently (one mutex).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "protocol/errors.h"

namespace cairn::throttle {

struct ControlPlaneRate {
  double per_second = 0;
  double burst = 0;  // what the bucket holds at most
};

// DynamoDB's documented rate of `operation`, or nullopt when it has none.
std::optional<ControlPlaneRate> ControlPlaneRateOf(std::string_view operation);

class ControlPlaneRates {
 public:
  // Nullopt when a request of `operation` by namespace `ns` may run now (and counts it), else
  // the ThrottlingException to answer.
  std::optional<protocol::ApiError> Admit(std::string_view ns, std::string_view operation);

 private:
  using Clock = std::chrono::steady_clock;
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Bucket, std::less<>> buckets_;  // GUARDED_BY(mu_)
};

}  // namespace cairn::throttle
