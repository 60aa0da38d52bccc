// SharedTokens: ClientRequestToken records kept by the storage itself, so that every server of a
// shared store (the RADOS engine: several cairn servers on one pool) finds them. The item writer's
// RequestTokens (write/request_tokens.h) hands its calls to the engine's SharedTokens when the
// engine has one (Engine::SharedRequestTokens), and keeps them in process otherwise.
// Semantics (as RequestTokens): Try claims a token for a request (its canonical text), or says the
// token was used with another request (kMismatch), is still being answered (kInProgress), or was
// answered (kDone, the answer in *response; an empty answer: the request was applied but its
// server died before answering, so the caller answers as for a success) within the last 10
// minutes; Finish records the answer
// of a claim; Release drops a claim whose request failed.
// Thread safety: all methods may be called concurrently.
#pragma once

#include <string>
#include <string_view>

namespace cairn::storage {

enum class TokenClaim : unsigned char {
  kClaimed,     // new: the caller runs the request
  kMismatch,    // the token was used with another request
  kInProgress,  // the first request with the token still runs
  kDone,        // answered before: *response holds the answer
};

class SharedTokens {
 public:
  virtual ~SharedTokens() = default;
  virtual TokenClaim Try(const std::string& key, std::string_view request,
                         std::string* response) = 0;
  virtual void Finish(const std::string& key, std::string response) = 0;
  virtual void Release(const std::string& key) = 0;
};

}  // namespace cairn::storage
