// Ring: one event loop's io_uring (ServerOptions::event_loop = kIoUring), through which the loop
// receives from and sends to its plain-HTTP connections, and waits for everything else.
//
// Concept. With epoll a request costs at least two system calls (read, then send) and a share of
// an epoll_wait. On machines where a system call is dear (page-table isolation in a VM: about
// 1 us for an empty one here), those are a large part of a small request. With the ring, each
// connection has one multishot receive armed, whose data lands in buffers the loop provides (a
// buffer ring), and a response is one send request; the loop submits every request it queued and
// reaps every completion with one io_uring_enter per turn, however many connections were served.
// The loop's epoll instance (listeners, the wake-up eventfd, TLS connections) is polled through
// the ring too, so the loop blocks in one place.
//
// Invariants.
//  - Requests carry user_data = an owner pointer (4-byte aligned) | a kind in the low 2 bits.
//    Cancellations carry 0, and their completions are not reported.
//  - A receive's data (Completion::data) is valid only during the callback of ForEachCompletion;
//    its buffer goes back to the buffer ring afterwards.
//  - Until a request's last completion (more == false), the owner must stay alive and a send's
//    bytes unchanged. in_flight() counts those requests; Quiesce() cancels them all and reaps
//    until none is left, so that the loop may then free what they point to.
//  - Used by one thread: the one that called Create() (the ring is single-issuer).
#pragma once

#include <liburing.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace cairn::http {

class Ring {
 public:
  enum class Kind : uint8_t { kReceive = 1, kSend = 2, kPoll = 3 };
  struct Completion {
    Kind kind;
    void* owner;
    int result;             // bytes, 0 (end of stream), or -errno
    bool more;              // further completions of this request follow (multishot)
    std::string_view data;  // kReceive with result > 0
  };

  // The ring and its buffers, or null with `why` set: no io_uring here (an old kernel, a
  // seccomp profile, kernel.io_uring_disabled), or no buffer ring or multishot receive (Linux
  // < 6.0).
  static std::unique_ptr<Ring> Create(std::string* why);
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // Queue a request (submitted by the next Wait()). False only when the ring cannot take one even
  // after submitting what was queued.
  bool Receive(int fd, void* owner);                          // multishot, into the buffer ring
  bool Send(int fd, const char* data, size_t size, void* owner);
  bool PollIn(int fd, void* owner);                           // one-shot POLLIN
  bool Cancel(void* owner, Kind kind);                        // that request of `owner`
  bool CancelFd(int fd);                                      // every request on `fd`

  // Submits what is queued and waits until a completion is there or `timeout` has passed
  // (0: does not wait). Returns 0, or an errno other than EINTR, ETIME, EBUSY or EAGAIN.
  int Wait(std::chrono::milliseconds timeout);
  // Calls f(const Completion&) for every completion there now, oldest first; returns how many.
  template <class F>
  size_t ForEachCompletion(F&& f);

  // Called before every submission (Wait, or a full queue): the server's output barrier
  // (ServerOptions::before_output), so that it runs before the sends of a turn leave, once.
  // Null: none. REQUIRES: `f` outlives the ring.
  void set_before_submit(const std::function<void()>* f) { before_submit_ = f; }

  size_t in_flight() const { return in_flight_; }
  // Cancels everything in flight and reaps completions (reporting none) until nothing is, or
  // `timeout` has passed. True when nothing is left in flight.
  bool Quiesce(std::chrono::milliseconds timeout);

 private:
  Ring() = default;
  io_uring_sqe* Sqe();
  void BeforeSubmit() {
    if (before_submit_ != nullptr && *before_submit_) (*before_submit_)();
  }
  // Reads one completion into `out` (false: none, or one not to report); frees its buffer via
  // `buffer` (-1: none).
  bool Decode(const io_uring_cqe* cqe, Completion* out, int* buffer);
  void GiveBack(int buffer);

  static constexpr unsigned kEntries = 256;
  static constexpr unsigned kBuffers = 64;  // a power of two
  static constexpr size_t kBufferBytes = 16 * 1024;
  static constexpr int kBufferGroup = 0;

  io_uring ring_{};
  bool ring_ready_ = false;
  io_uring_buf_ring* buffers_ = nullptr;  // kBuffers entries; mmap'ed
  char* buffer_memory_ = nullptr;          // kBuffers * kBufferBytes; mmap'ed
  bool buffers_registered_ = false;
  size_t in_flight_ = 0;
  const std::function<void()>* before_submit_ = nullptr;
};

template <class F>
size_t Ring::ForEachCompletion(F&& f) {
  size_t n = 0;
  io_uring_cqe* cqe = nullptr;
  while (io_uring_peek_cqe(&ring_, &cqe) == 0 && cqe != nullptr) {
    Completion c;
    int buffer = -1;
    const bool report = Decode(cqe, &c, &buffer);
    io_uring_cqe_seen(&ring_, cqe);
    if (report) {
      ++n;
      f(static_cast<const Completion&>(c));
    }
    if (buffer >= 0) GiveBack(buffer);
  }
  return n;
}

}  // namespace cairn::http
