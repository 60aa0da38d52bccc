// Ring (http/ring.h): receives into the buffer ring, sends, polls, cancellations, and the count
// of requests in flight that the event loop relies on before it frees a connection.
#include "http/ring.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace cairn::http {
namespace {

using std::chrono::milliseconds;

class RingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    ring_ = Ring::Create(&why);
    if (ring_ == nullptr) GTEST_SKIP() << "no io_uring here: " << why;
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds_), 0);
  }
  void TearDown() override {
    ring_.reset();
    for (int fd : fds_)
      if (fd >= 0) ::close(fd);
  }
  // Waits (up to a second) until at least `n` completions have come; returns them.
  std::vector<Ring::Completion> Reap(size_t n) {
    std::vector<Ring::Completion> got;
    data_.clear();
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (got.size() < n && std::chrono::steady_clock::now() < end) {
      EXPECT_EQ(ring_->Wait(milliseconds(50)), 0);
      ring_->ForEachCompletion([&](const Ring::Completion& c) {
        got.push_back(c);
        data_.emplace_back(c.data);  // the view dies with the callback
      });
    }
    return got;
  }

  std::unique_ptr<Ring> ring_;
  int fds_[2] = {-1, -1};
  std::vector<std::string> data_;
  int owner_ = 0;  // any 4-byte aligned address serves as an owner
};

TEST_F(RingTest, AMultishotReceiveDeliversEachArrivalAndStaysArmed) {
  ASSERT_TRUE(ring_->Receive(fds_[0], &owner_));
  EXPECT_EQ(ring_->in_flight(), 1u);
  for (const std::string msg : {"first", "second request"}) {
    ASSERT_EQ(::write(fds_[1], msg.data(), msg.size()), static_cast<ssize_t>(msg.size()));
    std::vector<Ring::Completion> got = Reap(1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].kind, Ring::Kind::kReceive);
    EXPECT_EQ(got[0].owner, &owner_);
    EXPECT_EQ(got[0].result, static_cast<int>(msg.size()));
    EXPECT_TRUE(got[0].more);
    EXPECT_EQ(data_[0], msg);
  }
  EXPECT_EQ(ring_->in_flight(), 1u);
  // The end of the stream ends the request.
  ::shutdown(fds_[1], SHUT_WR);
  std::vector<Ring::Completion> got = Reap(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].result, 0);
  EXPECT_FALSE(got[0].more);
  EXPECT_EQ(ring_->in_flight(), 0u);
}

TEST_F(RingTest, BuffersComeBackSoThatManyMoreArrivalsThanBuffersAreReceived) {
  ASSERT_TRUE(ring_->Receive(fds_[0], &owner_));
  std::string all, expected;
  for (int i = 0; i < 300; ++i) {  // more arrivals than the ring has buffers (64)
    const std::string msg = "message " + std::to_string(i) + ";";
    expected += msg;
    ASSERT_EQ(::write(fds_[1], msg.data(), msg.size()), static_cast<ssize_t>(msg.size()));
    for (const Ring::Completion& c : Reap(1)) {
      ASSERT_GT(c.result, 0) << "completion " << i;
      if (!c.more) {  // as the loop arms it again
        ASSERT_TRUE(ring_->Receive(fds_[0], &owner_));
      }
    }
    for (const std::string& d : data_) all += d;
  }
  EXPECT_EQ(all, expected);
}

TEST_F(RingTest, ASendArrivesWholeAndCountsItsBytes) {
  std::string big(300 * 1024, 'x');  // more than a socket buffer takes at once
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(ring_->Send(fds_[0], big.data(), big.size(), &owner_));
  std::string read;
  size_t sent = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((read.size() < big.size() || sent < big.size()) &&
         std::chrono::steady_clock::now() < end) {
    char buf[65536];
    ssize_t n = ::read(fds_[1], buf, sizeof(buf));
    if (n > 0) read.append(buf, static_cast<size_t>(n));
    ASSERT_EQ(ring_->Wait(milliseconds(0)), 0);
    ring_->ForEachCompletion([&](const Ring::Completion& c) {
      EXPECT_EQ(c.kind, Ring::Kind::kSend);
      ASSERT_GT(c.result, 0);
      sent += static_cast<size_t>(c.result);
      // A short send: the loop sends the rest (Connection::OnRingSent).
      if (sent < big.size()) {
        ASSERT_TRUE(ring_->Send(fds_[0], big.data() + sent, big.size() - sent, &owner_));
      }
    });
  }
  EXPECT_EQ(sent, big.size());
  EXPECT_EQ(read, big);
  EXPECT_EQ(ring_->in_flight(), 0u);
}

TEST_F(RingTest, CancellingAReceiveEndsItWithoutReportingTheCancellation) {
  ASSERT_TRUE(ring_->Receive(fds_[0], &owner_));
  ASSERT_EQ(ring_->Wait(milliseconds(0)), 0);  // submitted: armed in the kernel
  ASSERT_TRUE(ring_->Cancel(&owner_, Ring::Kind::kReceive));
  std::vector<Ring::Completion> got = Reap(1);
  ASSERT_EQ(got.size(), 1u);  // the receive's end only; the cancel request's own is not reported
  EXPECT_EQ(got[0].kind, Ring::Kind::kReceive);
  EXPECT_EQ(got[0].result, -ECANCELED);
  EXPECT_FALSE(got[0].more);
  EXPECT_EQ(ring_->in_flight(), 0u);
}

TEST_F(RingTest, CancelFdEndsEveryRequestOnTheSocket) {
  int other = 0;
  ASSERT_TRUE(ring_->Receive(fds_[0], &owner_));
  ASSERT_TRUE(ring_->PollIn(fds_[0], &other));
  ASSERT_EQ(ring_->Wait(milliseconds(0)), 0);
  ASSERT_TRUE(ring_->CancelFd(fds_[0]));
  std::vector<Ring::Completion> got = Reap(2);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(ring_->in_flight(), 0u);
}

TEST_F(RingTest, APollReportsReadinessOnce) {
  int efd = ::eventfd(0, EFD_NONBLOCK);
  ASSERT_GE(efd, 0);
  ASSERT_TRUE(ring_->PollIn(efd, &owner_));
  ASSERT_EQ(ring_->Wait(milliseconds(0)), 0);
  ring_->ForEachCompletion([](const Ring::Completion&) { ADD_FAILURE() << "not ready yet"; });
  uint64_t one = 1;
  ASSERT_EQ(::write(efd, &one, sizeof(one)), 8);
  std::vector<Ring::Completion> got = Reap(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kind, Ring::Kind::kPoll);
  EXPECT_FALSE(got[0].more);  // one-shot: the loop arms it again after each harvest
  EXPECT_EQ(ring_->in_flight(), 0u);
  ::close(efd);
}

TEST_F(RingTest, QuiesceEndsWhatIsInFlight) {
  ASSERT_TRUE(ring_->Receive(fds_[0], &owner_));
  ASSERT_TRUE(ring_->PollIn(fds_[0], &owner_));
  EXPECT_EQ(ring_->in_flight(), 2u);
  EXPECT_TRUE(ring_->Quiesce(std::chrono::seconds(1)));
  EXPECT_EQ(ring_->in_flight(), 0u);
}

TEST_F(RingTest, WaitReturnsWhenItsTimeIsUp) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(ring_->Wait(milliseconds(30)), 0);  // nothing in flight: ETIME is not an error
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(25));
}

}  // namespace
}  // namespace cairn::http
