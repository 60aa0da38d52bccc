// StartGate (start_gate.h). The open state is checked with one acquire load per request; the
// mutex is only taken while starting.
#include "http/start_gate.h"

#include <utility>

namespace cairn::http {

Handler StartGate::Guard(Handler handler, ErrorBodyFn error_body) {
  return [this, handler = std::move(handler), error_body = std::move(error_body)](
             const Request& request, Response& response) {
    if (state_.load(std::memory_order_acquire) == State::kOpen || Wait() == State::kOpen) {
      handler(request, response);
      return;
    }
    // The same answer as a Server's own 503 (server.h): the process is stopping.
    response.status = 503;
    response.content_type = "application/x-amz-json-1.0";
    response.body = "{\"message\":\"Service Unavailable\"}";
    if (error_body) error_body(503, response);
  };
}

StartGate::State StartGate::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [this] { return state_.load(std::memory_order_acquire) != State::kStarting; });
  return state_.load(std::memory_order_acquire);
}

void StartGate::Set(State state) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_.load(std::memory_order_relaxed) != State::kStarting) return;
    state_.store(state, std::memory_order_release);
  }
  changed_.notify_all();
}

void StartGate::Open() { Set(State::kOpen); }

void StartGate::Fail() { Set(State::kFailed); }

}  // namespace cairn::http
