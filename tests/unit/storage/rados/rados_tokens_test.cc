// RadosTokens' decisions (rados_tokens.h, Judge): what a request with a ClientRequestToken does
// about the claim object it found: its answer, IdempotentParameterMismatch, in progress while
// the claimant lives, and after the claimant died: settle the named transaction first, then
// answer from its outcome (COMMITTED: applied once, never again) or run anew. Also the claim
// object's name. No cluster needed.
#include "storage/rados/rados_tokens.h"

#include <gtest/gtest.h>

#include <string>

namespace cairn::storage::rados {
namespace {

using V = RadosTokens::Verdict;
constexpr uint64_t kNow = 1'800'000'000;
const std::string kKey = std::string("NS") + '\0' + "token-1";
const std::string kRequest = R"({"TransactItems":[1]})";

RadosTokens::ClaimState Claim(uint64_t age, std::string server = "4242") {
  RadosTokens::ClaimState s;
  s.key = kKey;
  s.request = kRequest;
  s.at = std::to_string(kNow - age);
  s.server = std::move(server);
  return s;
}

V Judge(const RadosTokens::ClaimState& s, bool alive, bool settled = false,
        const std::string& request = kRequest) {
  return RadosTokens::Judge(s, kKey, request, kNow, alive, settled);
}

TEST(RadosTokens, AnsweredClaims) {
  auto s = Claim(5);
  s.answered = true;
  s.answer = "{}";
  EXPECT_EQ(Judge(s, false), V::kDone);
  EXPECT_EQ(Judge(s, true, false, "other"), V::kMismatch);
  s.at = std::to_string(kNow - RadosTokens::kLifetimeSeconds - 1);  // expired: claimed again
  EXPECT_EQ(Judge(s, true), V::kReplace);
  s.at = std::to_string(kNow - RadosTokens::kLifetimeSeconds);
  EXPECT_EQ(Judge(s, true), V::kDone);
}

TEST(RadosTokens, ALiveClaimantsClaimIsInProgress) {
  auto s = Claim(RadosTokens::kAbandonSeconds * 5);  // old, but its server lives
  s.txn = "4242.1.0";
  EXPECT_EQ(Judge(s, true), V::kInProgress);
  EXPECT_EQ(Judge(s, true, false, "other"), V::kMismatch);
  // Past the token's lifetime even a live claimant's claim is given up.
  s.at = std::to_string(kNow - RadosTokens::kLifetimeSeconds - 1);
  EXPECT_EQ(Judge(s, true), V::kSettle);
}

TEST(RadosTokens, ADeadClaimantsTransactionIsSettledThenAnsweredFromItsOutcome) {
  auto s = Claim(3);
  s.txn = "4242.1700000000000000.3";
  EXPECT_EQ(Judge(s, false), V::kSettle);  // at once: no fixed 60 s
  // Settled and not committed (cancelled, or never prepared): the token is free again.
  EXPECT_EQ(Judge(s, false, true), V::kReplace);
  // Committed (by the claimant before it died, or by recovery): applied, so never again.
  s.outcome = kCommitted;
  EXPECT_EQ(Judge(s, false), V::kDoneByOutcome);
  EXPECT_EQ(Judge(s, true), V::kDoneByOutcome);
  EXPECT_EQ(Judge(s, false, false, "other"), V::kMismatch);
}

TEST(RadosTokens, ADeadClaimantWithoutATransactionLeavesTheTokenFree) {
  EXPECT_EQ(Judge(Claim(1), false), V::kReplace);
  EXPECT_EQ(Judge(Claim(1), false, false, "other"), V::kReplace);
}

TEST(RadosTokens, ClaimsOfAnEarlierVersionNamingNoServerAreAbandonedAfterAMinute) {
  auto s = Claim(RadosTokens::kAbandonSeconds, "");
  EXPECT_EQ(Judge(s, false), V::kInProgress);
  s.at = std::to_string(kNow - RadosTokens::kAbandonSeconds - 1);
  EXPECT_EQ(Judge(s, false), V::kReplace);
}

TEST(RadosTokens, AnotherKeysObjectIsReplaced) {
  auto s = Claim(1);
  s.key = "NS" + std::string(1, '\0') + "token-2";  // a hash collision
  s.answered = true;
  EXPECT_EQ(Judge(s, true), V::kReplace);
}

TEST(RadosTokens, AClockAheadOfOursIsAgeZero) {
  auto s = Claim(0);
  s.at = std::to_string(kNow + 1000);
  s.answered = true;
  EXPECT_EQ(Judge(s, true), V::kDone);
}

TEST(RadosTokens, ObjectNames) {
  const std::string a = RadosTokens::ObjectOf(kKey);
  EXPECT_EQ(a.rfind("cairn.token.", 0), 0u);
  EXPECT_EQ(a.size(), std::string("cairn.token.").size() + 16);
  EXPECT_EQ(a, RadosTokens::ObjectOf(kKey));
  EXPECT_NE(a, RadosTokens::ObjectOf("NS" + std::string(1, '\0') + "token-2"));
  // The namespace counts: the same token of another caller is another object.
  EXPECT_NE(a, RadosTokens::ObjectOf("MS" + std::string(1, '\0') + "token-1"));
}

}  // namespace
}  // namespace cairn::storage::rados
