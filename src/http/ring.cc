// Ring: setup with the cheapest flags this kernel takes, the buffer ring, requests, completions.
#include "http/ring.h"

#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace cairn::http {
namespace {

constexpr uintptr_t kKindMask = 3;

uint64_t Tag(void* owner, Ring::Kind kind) {
  return reinterpret_cast<uintptr_t>(owner) | static_cast<uintptr_t>(kind);
}

// Multishot receive and buffer rings need Linux 6.0 (buffer rings: 5.19).
bool KernelAtLeast(int major, int minor) {
  utsname u{};
  if (::uname(&u) != 0) return false;
  int ma = 0, mi = 0;
  if (std::sscanf(u.release, "%d.%d", &ma, &mi) != 2) return false;
  return ma > major || (ma == major && mi >= minor);
}

}  // namespace

std::unique_ptr<Ring> Ring::Create(std::string* why) {
  if (!KernelAtLeast(6, 0)) {
    *why = "Linux 6.0 or later is needed (multishot receive)";
    return nullptr;
  }
  std::unique_ptr<Ring> r(new Ring());
  io_uring_params p{};
  p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER |
            IORING_SETUP_DEFER_TASKRUN;
  p.cq_entries = kEntries * 16;
  int rc = io_uring_queue_init_params(kEntries, &r->ring_, &p);
  if (rc == -EINVAL) {  // before Linux 6.1: no single issuer / deferred task work
    p = io_uring_params{};
    p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
    p.cq_entries = kEntries * 16;
    rc = io_uring_queue_init_params(kEntries, &r->ring_, &p);
  }
  if (rc < 0) {
    *why = std::string("io_uring_setup: ") + std::strerror(-rc);
    return nullptr;
  }
  r->ring_ready_ = true;
  void* mem = ::mmap(nullptr, kBuffers * sizeof(io_uring_buf), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    *why = std::string("mmap: ") + std::strerror(errno);
    return nullptr;
  }
  r->buffers_ = static_cast<io_uring_buf_ring*>(mem);
  mem = ::mmap(nullptr, kBuffers * kBufferBytes, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) {
    *why = std::string("mmap: ") + std::strerror(errno);
    return nullptr;
  }
  r->buffer_memory_ = static_cast<char*>(mem);
  io_uring_buf_ring_init(r->buffers_);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uintptr_t>(r->buffers_);
  reg.ring_entries = kBuffers;
  reg.bgid = kBufferGroup;
  rc = io_uring_register_buf_ring(&r->ring_, &reg, 0);
  if (rc < 0) {
    *why = std::string("io_uring_register_buf_ring: ") + std::strerror(-rc);
    return nullptr;
  }
  r->buffers_registered_ = true;
  const int mask = io_uring_buf_ring_mask(kBuffers);
  for (unsigned i = 0; i < kBuffers; ++i) {
    io_uring_buf_ring_add(r->buffers_, r->buffer_memory_ + i * kBufferBytes, kBufferBytes,
                          static_cast<unsigned short>(i), mask, static_cast<int>(i));
  }
  io_uring_buf_ring_advance(r->buffers_, kBuffers);
  return r;
}

Ring::~Ring() {
  // Whatever is still in flight dies with the ring; the loop has quiesced it (or given up on
  // it, in which case the buffers are left mapped rather than reused under a late receive).
  if (ring_ready_) {
    if (buffers_registered_) io_uring_unregister_buf_ring(&ring_, kBufferGroup);
    io_uring_queue_exit(&ring_);
  }
  if (in_flight_ == 0) {
    if (buffer_memory_ != nullptr) ::munmap(buffer_memory_, kBuffers * kBufferBytes);
    if (buffers_ != nullptr) ::munmap(buffers_, kBuffers * sizeof(io_uring_buf));
  }
}

io_uring_sqe* Ring::Sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {  // full: hand the queued requests to the kernel, then there is room
    BeforeSubmit();
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

bool Ring::Receive(int fd, void* owner) {
  io_uring_sqe* sqe = Sqe();
  if (sqe == nullptr) return false;
  io_uring_prep_recv_multishot(sqe, fd, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = kBufferGroup;
  io_uring_sqe_set_data64(sqe, Tag(owner, Kind::kReceive));
  ++in_flight_;
  return true;
}

bool Ring::Send(int fd, const char* data, size_t size, void* owner) {
  io_uring_sqe* sqe = Sqe();
  if (sqe == nullptr) return false;
  io_uring_prep_send(sqe, fd, data, size, MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, Tag(owner, Kind::kSend));
  ++in_flight_;
  return true;
}

bool Ring::PollIn(int fd, void* owner) {
  io_uring_sqe* sqe = Sqe();
  if (sqe == nullptr) return false;
  io_uring_prep_poll_add(sqe, fd, POLLIN);
  io_uring_sqe_set_data64(sqe, Tag(owner, Kind::kPoll));
  ++in_flight_;
  return true;
}

bool Ring::Cancel(void* owner, Kind kind) {
  io_uring_sqe* sqe = Sqe();
  if (sqe == nullptr) return false;
  io_uring_prep_cancel64(sqe, Tag(owner, kind), 0);
  io_uring_sqe_set_data64(sqe, 0);
  return true;
}

bool Ring::CancelFd(int fd) {
  io_uring_sqe* sqe = Sqe();
  if (sqe == nullptr) return false;
  io_uring_prep_cancel_fd(sqe, fd, IORING_ASYNC_CANCEL_ALL);
  io_uring_sqe_set_data64(sqe, 0);
  return true;
}

int Ring::Wait(std::chrono::milliseconds timeout) {
  io_uring_cqe* cqe = nullptr;
  int rc;
  BeforeSubmit();
  if (timeout.count() <= 0) {
    rc = io_uring_submit_and_get_events(&ring_);
  } else {
    __kernel_timespec ts{};
    ts.tv_sec = timeout.count() / 1000;
    ts.tv_nsec = (timeout.count() % 1000) * 1000000;
    rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
  }
  if (rc >= 0 || rc == -EINTR || rc == -ETIME || rc == -EBUSY || rc == -EAGAIN) return 0;
  return -rc;
}

bool Ring::Decode(const io_uring_cqe* cqe, Completion* out, int* buffer) {
  if (cqe->flags & IORING_CQE_F_BUFFER)
    *buffer = static_cast<int>(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
  const uint64_t tag = io_uring_cqe_get_data64(cqe);
  if (tag == 0) return false;  // a cancellation's own completion
  out->kind = static_cast<Kind>(tag & kKindMask);
  out->owner = reinterpret_cast<void*>(tag & ~kKindMask);
  out->result = cqe->res;
  out->more = (cqe->flags & IORING_CQE_F_MORE) != 0;
  if (!out->more) --in_flight_;
  if (*buffer >= 0 && cqe->res > 0) {
    out->data = std::string_view(buffer_memory_ + static_cast<size_t>(*buffer) * kBufferBytes,
                                 static_cast<size_t>(cqe->res));
  }
  return true;
}

void Ring::GiveBack(int buffer) {
  io_uring_buf_ring_add(buffers_, buffer_memory_ + static_cast<size_t>(buffer) * kBufferBytes,
                        kBufferBytes, static_cast<unsigned short>(buffer),
                        io_uring_buf_ring_mask(kBuffers), 0);
  io_uring_buf_ring_advance(buffers_, 1);
}

bool Ring::Quiesce(std::chrono::milliseconds timeout) {
  if (in_flight_ == 0) return true;
  if (io_uring_sqe* sqe = Sqe()) {
    io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
    io_uring_sqe_set_data64(sqe, 0);
  }
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (in_flight_ > 0) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    if (Wait(left) != 0) break;
    ForEachCompletion([](const Completion&) {});
  }
  return in_flight_ == 0;
}

}  // namespace cairn::http
