// RequestTokens: the ClientRequestToken records of TransactWriteItems. A repeated identical request
// within 10 minutes gets the first one's answer without being applied again; the same token with
// another request is IdempotentParameterMismatch; the same token while the first request runs is
// TransactionInProgress. SDKs send a fresh token with every call (boto3 fills it in), so the table
// is bounded: entries leave after 10 minutes, or oldest first beyond kMaxTokens.
//
// Protocol: Claim() first; on kClaimed the caller runs the request, then Finish() with its answer,
// or Release() if it failed (a retry may then apply). A claim that is neither finished nor
// released blocks its token until Release(): callers hold it in a scope guard.
// With an engine shared by several servers the records are the engine's (Share()).
// Thread safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "storage/shared_tokens.h"

namespace cairn::write {

class RequestTokens {
 public:
  static constexpr auto kLifetime = std::chrono::minutes(10);
  static constexpr size_t kMaxTokens = 100000;

  using Claim = storage::TokenClaim;  // kClaimed, kMismatch, kInProgress, kDone

  // Hands every call to `shared` (the engine's records, shared by the servers of a pool) when
  // not null. Call before serving.
  void Share(storage::SharedTokens* shared) { shared_ = shared; }

  // `key` identifies the token (the caller's namespace and the token); `request` is the request's
  // canonical text.
  Claim Try(const std::string& key, std::string_view request, std::string* response);
  // Records the answer of a claimed request.
  void Finish(const std::string& key, std::string response);
  // Drops a claim whose request failed. Does nothing for a finished one.
  void Release(const std::string& key);

 private:
  struct Entry {
    std::string request;
    std::string response;
    std::chrono::steady_clock::time_point at;
    bool done = false;  // false while the first request runs (then it is not in order_)
  };
  // REQUIRES: mu_ held.
  void Evict(std::chrono::steady_clock::time_point now);

  storage::SharedTokens* shared_ = nullptr;
  std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;  // GUARDED_BY(mu_)
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>>
      order_;  // GUARDED_BY(mu_); finished entries, oldest first
};

}  // namespace cairn::write
