// LogBarrier: the server's output barrier (http/server.h ServerOptions::before_output) for an
// engine that buffers its log (storage/engine.h FlushLog): before answers leave, the log that
// the writes they tell of went to is handed to the operating system.
//
// Invariants.
//  - Run() calls FlushLog on the attached engine, or does nothing while none is attached (before
//    storage is open: no write has been answered yet; or an engine that does not buffer).
//  - Detach() returns once no Run() is inside the engine, so the engine may be closed after it.
//  - A FlushLog that fails calls `on_failure` with its status, before Run() returns: the caller
//    must then not let the answers leave (main.cc stops the process: what was acknowledged since
//    the last flush may not be in the log).
// Thread safety: all methods may be called concurrently (Run from every event loop at once).
#pragma once

#include <functional>
#include <mutex>
#include <utility>

#include "storage/engine.h"
#include "util/status.h"

namespace cairn::storage {

class LogBarrier {
 public:
  explicit LogBarrier(std::function<void(const Status&)> on_failure)
      : on_failure_(std::move(on_failure)) {}

  // From now on Run() flushes `engine`'s log, if it buffers one.
  void Attach(Engine* engine) {
    std::lock_guard<std::mutex> lock(mu_);
    engine_ = engine != nullptr && engine->BuffersLog() ? engine : nullptr;
  }
  void Detach() { Attach(nullptr); }

  void Run() {
    std::lock_guard<std::mutex> lock(mu_);
    if (engine_ == nullptr) return;
    if (Status s = engine_->FlushLog(); !s.ok()) on_failure_(s);
  }

 private:
  std::function<void(const Status&)> on_failure_;
  std::mutex mu_;
  Engine* engine_ = nullptr;  // GUARDED_BY(mu_)
};

}  // namespace cairn::storage
