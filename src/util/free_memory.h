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
// Invariants: one thread while it lives, waking every `period`; it releases only when the page heap
// holds at least `threshold` bytes free (a property read under tcmalloc's lock otherwise: a few
// hundred nanoseconds), so a steady load that reuses its memory pays nothing. Destruction stops
// and joins the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

extern "C" void MallocExtension_ReleaseFreeMemory(void) __attribute__((weak));
extern "C" int MallocExtension_GetNumericProperty(const char* property, size_t* value)
    __attribute__((weak));

namespace cairn {

class FreeMemoryReturner {
 public:
  explicit FreeMemoryReturner(std::chrono::milliseconds period = std::chrono::milliseconds(100),
                              size_t threshold = size_t{4} << 20)
      : period_(period), threshold_(threshold) {
    if (MallocExtension_ReleaseFreeMemory == nullptr ||
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
      if (MallocExtension_GetNumericProperty("tcmalloc.pageheap_free_bytes", &free_bytes) &&
          free_bytes >= threshold_)
        MallocExtension_ReleaseFreeMemory();
    }
  }

  const std::chrono::milliseconds period_;
  const size_t threshold_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;     // declared last: started once the members above exist
};

}  // namespace cairn
