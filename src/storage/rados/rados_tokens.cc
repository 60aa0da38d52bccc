// RadosTokens (rados_tokens.h): ClientRequestToken records as pool objects.
#include "storage/rados/rados_tokens.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "storage/rados/rados_wire.h"

namespace cairn::storage::rados {
namespace {

constexpr const char* kKey = "cairn.key";
constexpr const char* kAnswer = "cairn.answer";
constexpr const char* kServer = "cairn.server";
constexpr int kLedgersOfTokens = 16;

uint64_t Fnv64(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// The claim this thread holds (Try claimed it; Finish or Release end it).
struct HeldClaim {
  const RadosTokens* owner = nullptr;
  std::string key;
  TokenRef ref;
};
thread_local HeldClaim t_held;

}  // namespace

std::string RadosTokens::ObjectOf(const std::string& key) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "cairn.token.%016llx",
                static_cast<unsigned long long>(Fnv64(key)));
  return buf;
}

std::string RadosTokens::LedgerOf(const std::string& oid) {
  return "cairn.tokens." + std::to_string(Fnv64(oid) % kLedgersOfTokens);
}

RadosTokens::Verdict RadosTokens::Judge(const ClaimState& state, const std::string& key,
                                        std::string_view request, uint64_t now,
                                        bool claimant_alive, bool txn_settled) {
  if (state.key != key) return Verdict::kReplace;  // a hash collision, or garbage
  const uint64_t at = std::strtoull(state.at.c_str(), nullptr, 10);
  const uint64_t age = now - std::min(now, at);
  if (state.answered) {
    if (age > uint64_t(kLifetimeSeconds)) return Verdict::kReplace;  // expired
    return state.request == request ? Verdict::kDone : Verdict::kMismatch;
  }
  if (state.outcome == kCommitted)
    return state.request == request ? Verdict::kDoneByOutcome : Verdict::kMismatch;
  const bool gone = state.server.empty() ? age > uint64_t(kAbandonSeconds)
                                         : !claimant_alive || age > uint64_t(kLifetimeSeconds);
  if (gone) {
    if (!state.txn.empty() && !txn_settled) return Verdict::kSettle;
    return Verdict::kReplace;  // never applied: the token is free again
  }
  return state.request == request ? Verdict::kInProgress : Verdict::kMismatch;
}

TokenClaim RadosTokens::Try(const std::string& key, std::string_view request,
                            std::string* response) {
  const std::string oid = ObjectOf(key);
  std::string settled;  // the transaction settled in an earlier round
  for (int round = 0; round < 4; ++round) {
    const std::string at = std::to_string(NowSeconds());
    librados::ObjectWriteOperation claim;
    claim.create(true);
    claim.write_full(Bl(request));
    claim.setxattr(kKey, Bl(key));
    claim.setxattr(kTokenAtAttr, Bl(at));
    claim.setxattr(kServer, Bl(server_));
    int r = io_->operate(oid, &claim);
    if (r == 0) {
      t_held = HeldClaim{this, key, TokenRef{oid, at}};
      return TokenClaim::kClaimed;
    }
    if (r != -EEXIST) return TokenClaim::kInProgress;
    // Taken: read what it holds.
    librados::ObjectReadOperation read;
    librados::bufferlist text;
    std::map<std::string, librados::bufferlist> attrs;
    int rv1 = 0, rv2 = 0;
    read.read(0, 0, &text, &rv1);
    read.getxattrs(&attrs, &rv2);
    r = io_->operate(oid, &read, nullptr);
    if (r == -ENOENT) continue;  // removed meanwhile: claim again
    if (r < 0) return TokenClaim::kInProgress;
    auto attr = [&](const char* name) {
      auto it = attrs.find(name);
      return it == attrs.end() ? std::string() : it->second.to_str();
    };
    ClaimState state;
    state.key = attr(kKey);
    state.request = text.to_str();
    state.at = attr(kTokenAtAttr);
    state.server = attr(kServer);
    state.txn = attr(kTokenTxnAttr);
    state.outcome = attr(kTokenOutcomeAttr);
    state.answered = attrs.count(kAnswer) > 0;
    state.answer = attr(kAnswer);
    const bool alive =
        state.answered || state.server.empty() || state.server == server_ || alive_(state.server);
    switch (Judge(state, key, request, NowSeconds(), alive, !state.txn.empty() &&
                                                            state.txn == settled)) {
      case Verdict::kReplace: {
        // Guarded on the time read, so two servers do not both replace it.
        librados::ObjectWriteOperation rm;
        rm.cmpxattr(kTokenAtAttr, LIBRADOS_CMPXATTR_OP_EQ, Bl(state.at));
        rm.remove();
        io_->operate(oid, &rm);
        continue;
      }
      case Verdict::kMismatch:
        return TokenClaim::kMismatch;
      case Verdict::kInProgress:
        return TokenClaim::kInProgress;
      case Verdict::kDone:
        *response = state.answer;
        return TokenClaim::kDone;
      case Verdict::kDoneByOutcome:
        // Record the (empty) answer, so the token expires as an answered one.
        Answer(oid, std::string(), &state.txn);
        response->clear();
        return TokenClaim::kDone;
      case Verdict::kSettle:
        if (!settle_(state.txn)) return TokenClaim::kInProgress;  // its coordinator's lock holds
        settled = state.txn;  // look again: COMMITTED now, or never applied
        continue;
    }
  }
  return TokenClaim::kInProgress;
}

std::optional<TokenRef> RadosTokens::Current() const {
  if (t_held.owner != this) return std::nullopt;
  return t_held.ref;
}

void RadosTokens::Answer(const std::string& oid, const std::string& response,
                         const std::string* guard_txn) {
  const std::string now = std::to_string(NowSeconds());
  librados::ObjectWriteOperation op;
  op.assert_exists();
  if (guard_txn) op.cmpxattr(kTokenTxnAttr, LIBRADOS_CMPXATTR_OP_EQ, Bl(*guard_txn));
  op.setxattr(kAnswer, Bl(response));
  op.setxattr(kTokenAtAttr, Bl(now));
  if (io_->operate(oid, &op) < 0) return;
  librados::ObjectWriteOperation entry;
  entry.omap_set({{oid, Bl(now)}});
  io_->operate(LedgerOf(oid), &entry);
}

void RadosTokens::Finish(const std::string& key, std::string response) {
  if (t_held.owner == this && t_held.key == key) t_held = HeldClaim{};
  Answer(ObjectOf(key), response, nullptr);
}

void RadosTokens::Release(const std::string& key) {
  if (t_held.owner == this && t_held.key == key) t_held = HeldClaim{};
  librados::ObjectWriteOperation rm;
  rm.cmpxattr(kAnswer, LIBRADOS_CMPXATTR_OP_EQ, Bl(""));  // absent compares as "": unanswered
  // Not a claim whose transaction committed (its apply failed, say): a retry must not apply it.
  rm.cmpxattr(kTokenOutcomeAttr, LIBRADOS_CMPXATTR_OP_EQ, Bl(""));
  rm.remove();
  io_->operate(ObjectOf(key), &rm);
}

void RadosTokens::Sweep() {
  const uint64_t now = NowSeconds();
  for (int n = 0; n < kLedgersOfTokens; ++n) {
    const std::string ledger = "cairn.tokens." + std::to_string(n);
    librados::ObjectReadOperation op;
    std::map<std::string, librados::bufferlist> vals;
    bool more = false;
    int rval = 0;
    op.omap_get_vals2("", 256, &vals, &more, &rval);
    if (io_->operate(ledger, &op, nullptr) < 0) continue;
    std::set<std::string> gone;
    for (const auto& [oid, at] : vals) {
      const std::string t = at.to_str();
      if (std::strtoull(t.c_str(), nullptr, 10) + kLifetimeSeconds > now) continue;
      librados::ObjectWriteOperation rm;
      rm.cmpxattr(kTokenAtAttr, LIBRADOS_CMPXATTR_OP_EQ, Bl(t));  // not a newer claim
      rm.remove();
      io_->operate(oid, &rm);
      gone.insert(oid);
    }
    if (gone.empty()) continue;
    librados::ObjectWriteOperation rm;
    rm.omap_rm_keys(gone);
    io_->operate(ledger, &rm);
  }
}

}  // namespace cairn::storage::rados
