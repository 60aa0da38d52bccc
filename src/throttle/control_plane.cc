// ControlPlaneRates: see control_plane.h.
#include "throttle/control_plane.h"

#include <algorithm>

namespace cairn::throttle {

std::optional<ControlPlaneRate> ControlPlaneRateOf(std::string_view op) {
  if (op == "CreateBackup") return ControlPlaneRate{50, 50};
  if (op == "DeleteBackup" || op == "DescribeBackup" || op == "DescribeContinuousBackups" ||
      op == "RestoreTableFromBackup" || op == "ListTagsOfResource")
    return ControlPlaneRate{10, 10};
  if (op == "ListBackups" || op == "TagResource" || op == "UntagResource")
    return ControlPlaneRate{5, 5};
  if (op == "DescribeLimits") return ControlPlaneRate{1.0 / 60, 1};
  return std::nullopt;
}

std::optional<protocol::ApiError> ControlPlaneRates::Admit(std::string_view ns,
                                                           std::string_view op) {
  const std::optional<ControlPlaneRate> rate = ControlPlaneRateOf(op);
  if (!rate) return std::nullopt;
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  auto [it, fresh] = buckets_.try_emplace(std::make_pair(std::string(ns), std::string(op)));
  Bucket& b = it->second;
  if (fresh) {
    b.tokens = rate->burst;
  } else {
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(rate->burst, b.tokens + elapsed * rate->per_second);
  }
  b.updated = now;
  if (b.tokens < 1) return protocol::ApiError::Throttling();
  b.tokens -= 1;
  return std::nullopt;
}

}  // namespace cairn::throttle
