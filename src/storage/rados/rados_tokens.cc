// RadosTokens (rados_tokens.h): ClientRequestToken records as pool objects.
#include "storage/rados/rados_tokens.h"
#include "storage/rados/rados_wire.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

namespace cairn::storage::rados {
namespace {

constexpr const char* kKey = "cairn.key";
constexpr const char* kAt = "cairn.at";
constexpr const char* kAnswer = "cairn.answer";
constexpr int kLedgers = 16;



uint64_t Fnv64(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace

std::string RadosTokens::ObjectOf(const std::string& key) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "cairn.token.%016llx",
                static_cast<unsigned long long>(Fnv64(key)));
  return buf;
}

std::string RadosTokens::LedgerOf(const std::string& oid) {
  return "cairn.tokens." + std::to_string(Fnv64(oid) % kLedgers);
}

TokenClaim RadosTokens::Try(const std::string& key, std::string_view request,
                            std::string* response) {
  const std::string oid = ObjectOf(key);
  for (int round = 0; round < 3; ++round) {
    librados::ObjectWriteOperation claim;
    claim.create(true);
    claim.write_full(Bl(request));
    claim.setxattr(kKey, Bl(key));
    claim.setxattr(kAt, Bl(std::to_string(NowSeconds())));
    int r = io_->operate(oid, &claim);
    if (r == 0) return TokenClaim::kClaimed;
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
    const std::string at = attrs.count(kAt) ? attrs[kAt].to_str() : std::string();
    const uint64_t age =
        NowSeconds() - std::min<uint64_t>(NowSeconds(), std::strtoull(at.c_str(), nullptr, 10));
    const bool done = attrs.count(kAnswer) > 0;
    const bool same_key = attrs.count(kKey) && attrs[kKey].to_str() == key;
    if (!same_key || (done && age > kLifetimeSeconds) || (!done && age > kAbandonSeconds)) {
      // Expired, abandoned, or another key's (a hash collision, or garbage): replace it, guarded
      // on the time read, so two servers do not both replace it.
      librados::ObjectWriteOperation rm;
      rm.cmpxattr(kAt, LIBRADOS_CMPXATTR_OP_EQ, Bl(at));
      rm.remove();
      io_->operate(oid, &rm);
      continue;
    }
    if (text.to_str() != request) return TokenClaim::kMismatch;
    if (!done) return TokenClaim::kInProgress;
    *response = attrs[kAnswer].to_str();
    return TokenClaim::kDone;
  }
  return TokenClaim::kInProgress;
}

void RadosTokens::Finish(const std::string& key, std::string response) {
  const std::string oid = ObjectOf(key);
  const std::string now = std::to_string(NowSeconds());
  librados::ObjectWriteOperation op;
  op.assert_exists();
  op.setxattr(kAnswer, Bl(response));
  op.setxattr(kAt, Bl(now));
  if (io_->operate(oid, &op) < 0) return;
  librados::ObjectWriteOperation entry;
  entry.omap_set({{oid, Bl(now)}});
  io_->operate(LedgerOf(oid), &entry);
}

void RadosTokens::Release(const std::string& key) {
  librados::ObjectWriteOperation rm;
  rm.cmpxattr(kAnswer, LIBRADOS_CMPXATTR_OP_EQ, Bl(""));  // absent compares as "": unanswered
  rm.remove();
  io_->operate(ObjectOf(key), &rm);
}

void RadosTokens::Sweep() {
  const uint64_t now = NowSeconds();
  for (int n = 0; n < kLedgers; ++n) {
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
      rm.cmpxattr(kAt, LIBRADOS_CMPXATTR_OP_EQ, Bl(t));  // not a newer claim of the same name
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
