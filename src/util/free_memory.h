// FreeMemoryReturner: hands the memory the allocator holds free back to the system, so that the
// resident size follows the live data rather than its peak (a memtable flushed frees 16 MB at once,
// a compaction its buffers, a large request its body).
//
// The release binary links tcmalloc (CMakeLists.txt, CAIRN_MALLOC), which keeps freed pages in its
// page heap for reuse and gives them back only when told to. glibc's malloc, used by the sanitizer
// builds and the unit tests, unmaps large blocks as they are freed and needs nothing. The tcmalloc
// entry points are weak symbols: present only when the binary links tcmalloc; otherwise the
// returner starts no thread and does nothing.
//
// Invariants: one thread while it lives, waking every `period`; what it releases is decided by
// ReleasePolicy (below) from two readings of the allocator. While the server is busy it releases
// only when the page heap holds at least `threshold` bytes free (a property read under tcmalloc's
// lock otherwise: a few hundred nanoseconds), and then only what is above `keep`: the next
// memtable reuses those pages without faulting them in again. Releasing everything each period
// cost PutItem 4-9% of CPU per request (paired runs); keeping 8 MB costs it nothing measurable.
// Once nothing has been allocated or freed for `quiet_periods` periods in a row (an idle server),
// it releases all the free pages, once: whether 100k items loaded in memory left 51 or 60 MB
// resident depended on where the last flush left the free pages against the threshold (bench/run
// --startup-rss, runs of the same binary); an idle server now holds only its live data. (73 MB
// with tcmalloc and no returner, 46 MB with glibc.) Destruction stops and joins the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

extern "C" void MallocExtension_ReleaseToSystem(size_t num_bytes) __attribute__((weak));
extern "C" int MallocExtension_GetNumericProperty(const char* property, size_t* value)
    __attribute__((weak));

namespace cairn {

// The returner's decision, apart from the allocator so that it can be tested: Next() takes one
// period's readings and says how many bytes to release (0: none).
class ReleasePolicy {
 public:
  ReleasePolicy(size_t threshold, size_t keep, int quiet_periods)
      : threshold_(threshold), keep_(keep), quiet_periods_(quiet_periods) {}

  // free_bytes: what the page heap holds free; allocated_bytes: what the program holds.
  size_t Next(size_t free_bytes, size_t allocated_bytes) {
    const bool quiet = seen_ && free_bytes == last_free_ && allocated_bytes == last_allocated_;
    seen_ = true;
    last_free_ = free_bytes;
    last_allocated_ = allocated_bytes;
    quiet_ = quiet ? quiet_ + 1 : 0;
    if (free_bytes >= threshold_) return free_bytes - keep_;
    // Idle: once per quiet stretch (the release changes free_bytes, which starts a new one).
    if (quiet_ == quiet_periods_ && free_bytes > 0) return free_bytes;
    return 0;
  }

 private:
  const size_t threshold_;
  const size_t keep_;
  const int quiet_periods_;
  bool seen_ = false;
  size_t last_free_ = 0;
  size_t last_allocated_ = 0;
  int quiet_ = 0;  // periods in a row with the same readings
};

class FreeMemoryReturner {
 public:
  explicit FreeMemoryReturner(std::chrono::milliseconds period = std::chrono::milliseconds(100),
                              size_t threshold = size_t{12} << 20, size_t keep = size_t{8} << 20,
                              int quiet_periods = 3)
      : period_(period), policy_(threshold, keep, quiet_periods) {
    if (MallocExtension_ReleaseToSystem == nullptr ||
        MallocExtension_GetNumericProperty == nullptr)
      return;  // not tcmalloc: nothing to return
    thread_ = std::thread([this] { Loop(); });
  }
  FreeMemoryReturner(const FreeMemoryReturner&) = delete;
  FreeMemoryReturner& operator=(const FreeMemoryReturner&) = delete;
  ~FreeMemoryReturner() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  // Whether a thread runs (the binary links tcmalloc).
  bool active() const { return thread_.joinable(); }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, period_, [this] { return stopping_; })) {
      size_t free_bytes = 0;
      size_t allocated_bytes = 0;
      if (!MallocExtension_GetNumericProperty("tcmalloc.pageheap_free_bytes", &free_bytes) ||
          !MallocExtension_GetNumericProperty("generic.current_allocated_bytes", &allocated_bytes))
        continue;
      if (size_t release = policy_.Next(free_bytes, allocated_bytes))
        MallocExtension_ReleaseToSystem(release);
    }
  }

  const std::chrono::milliseconds period_;
  ReleasePolicy policy_;  // used by the thread only
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;     // declared last: started once the members above exist
};

}  // namespace cairn
