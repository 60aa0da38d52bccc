// StartGate: requests wait until Open(), then run the guarded handler; after Fail() they are
// answered 503 through the error body; the state changes once.
#include "http/start_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace cairn::http {
namespace {

Handler Answering(std::atomic<int>* calls) {
  return [calls](const Request&, Response& response) {
    ++*calls;
    response.status = 200;
    response.body = "{}";
  };
}

ErrorBodyFn Marking() {
  return [](int status, Response& response) {
    response.body = "{\"status\":" + std::to_string(status) + "}";
  };
}

// Runs `handler` on a thread of its own (as an event loop would); the future has its response.
std::future<Response> Call(const Handler& handler) {
  return std::async(std::launch::async, [&handler] {
    Request request;
    Response response;
    handler(request, response);
    return response;
  });
}

TEST(StartGateTest, RequestsWaitUntilOpenThenRunTheHandler) {
  StartGate gate;
  std::atomic<int> calls{0};
  const Handler guarded = gate.Guard(Answering(&calls), Marking());
  std::future<Response> waiting = Call(guarded);
  // Not answered while the gate is closed (a bounded look: the wait does not end by itself).
  EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_FALSE(gate.open());
  gate.Open();
  EXPECT_TRUE(gate.open());
  const Response r = waiting.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{}");
  // Later requests run at once.
  Request request;
  Response later;
  guarded(request, later);
  EXPECT_EQ(later.status, 200);
  EXPECT_EQ(calls.load(), 2);
}

TEST(StartGateTest, FailAnswersWaitingAndLaterRequests503) {
  StartGate gate;
  std::atomic<int> calls{0};
  const Handler guarded = gate.Guard(Answering(&calls), Marking());
  std::future<Response> waiting = Call(guarded);
  gate.Fail();
  const Response r = waiting.get();
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "{\"status\":503}");
  gate.Open();  // too late: the state changes once
  EXPECT_FALSE(gate.open());
  Request request;
  Response later;
  guarded(request, later);
  EXPECT_EQ(later.status, 503);
  EXPECT_EQ(calls.load(), 0);
}

TEST(StartGateTest, FailWithoutErrorBodyGivesTheServersDefault) {
  StartGate gate;
  std::atomic<int> calls{0};
  const Handler guarded = gate.Guard(Answering(&calls), nullptr);
  gate.Fail();
  Request request;
  Response r;
  guarded(request, r);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.0");
  EXPECT_EQ(r.body, "{\"message\":\"Service Unavailable\"}");
}

TEST(StartGateTest, OpenThenFailKeepsServing) {
  StartGate gate;
  std::atomic<int> calls{0};
  const Handler guarded = gate.Guard(Answering(&calls), Marking());
  gate.Open();
  gate.Fail();
  Request request;
  Response r;
  guarded(request, r);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(calls.load(), 1);
}

}  // namespace
}  // namespace cairn::http
