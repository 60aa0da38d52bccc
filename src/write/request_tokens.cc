#include "write/request_tokens.h"

namespace cairn::write {

void RequestTokens::Evict(std::chrono::steady_clock::time_point now) {
  while (!order_.empty() &&
         (now - order_.front().first > kLifetime || order_.size() > kMaxTokens)) {
    auto it = entries_.find(order_.front().second);
    if (it != entries_.end() && it->second.done && it->second.at == order_.front().first)
      entries_.erase(it);
    order_.pop_front();
  }
}

RequestTokens::Claim RequestTokens::Try(const std::string& key, std::string_view request,
                                        std::string* response) {
  if (shared_) return shared_->Try(key, request, response);
  std::lock_guard lock(mu_);
  Evict(std::chrono::steady_clock::now());
  auto [it, fresh] = entries_.try_emplace(key);
  if (fresh) {
    it->second.request = std::string(request);
    return Claim::kClaimed;
  }
  if (it->second.request != request) return Claim::kMismatch;
  if (!it->second.done) return Claim::kInProgress;
  *response = it->second.response;
  return Claim::kDone;
}

void RequestTokens::Finish(const std::string& key, std::string response) {
  if (shared_) return shared_->Finish(key, std::move(response));
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  Entry& e = entries_[key];
  e.response = std::move(response);
  e.at = now;
  e.done = true;
  order_.emplace_back(now, key);
  Evict(now);
}

void RequestTokens::Release(const std::string& key) {
  if (shared_) return shared_->Release(key);
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end() && !it->second.done) entries_.erase(it);
}

}  // namespace cairn::write
