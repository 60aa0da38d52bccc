// WorkerPool: a fixed set of threads that run tasks in submission order (FIFO), for a Server whose
// Handler blocks for a long time per request (ServerOptions::workers: a storage engine whose every
// call is a network round trip, such as RADOS). The event loops hand each request's Handler call
// to the pool and go on serving their other connections; the task posts its connection back to
// its loop when done (server.cc).
//
// Invariants: every submitted task runs exactly once, on one of the pool's threads; the destructor
// runs the tasks still queued, then joins the threads (so a task never outlives the pool).
// Thread safety: Submit() from any thread. REQUIRES: no task submits after the destructor began.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace cairn::http {

class WorkerPool {
 public:
  // Starts `threads` threads (at least 1). Throws std::system_error if a thread cannot start.
  explicit WorkerPool(size_t threads) {
    if (threads == 0) threads = 1;
    threads_.reserve(threads);
    try {
      for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
    } catch (...) {
      Stop();
      throw;
    }
  }
  ~WorkerPool() { Stop(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Submit(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks_.push_back(std::move(task));
    }
    ready_.notify_one();
  }

  size_t size() const { return threads_.size(); }

 private:
  void Run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        ready_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;  // stopping, and nothing left to run
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();  // tasks catch their own exceptions (server.cc)
    }
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                    // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace cairn::http
