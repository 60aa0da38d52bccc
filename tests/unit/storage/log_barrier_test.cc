// LogBarrier: flushes the attached engine's log when it buffers one, nothing otherwise; a failed
// flush reaches on_failure before Run() returns; after Detach the engine is no longer touched.
#include "storage/log_barrier.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace cairn::storage {
namespace {

// Only what the barrier uses: BuffersLog and FlushLog.
class FakeEngine final : public Engine {
 public:
  explicit FakeEngine(bool buffers) : buffers_(buffers) {}
  Status Get(Column, std::string_view, std::string*, const Snapshot*) override {
    return Status::NotFound();
  }
  Status Write(const WriteBatch&) override { return Status::OK(); }
  std::unique_ptr<Iterator> NewIterator(Column, const ReadOptions&) override { return nullptr; }
  std::unique_ptr<Snapshot> GetSnapshot() override { return nullptr; }
  void CompactRange(Column, std::string_view, std::string_view) override {}
  bool BuffersLog() const override { return buffers_; }
  Status FlushLog() override {
    ++flushes;
    return fail ? Status::IOError("No space left on device") : Status::OK();
  }

  int flushes = 0;
  bool fail = false;

 private:
  bool buffers_;
};

TEST(LogBarrierTest, FlushesOnlyAnAttachedEngineThatBuffersItsLog) {
  std::vector<std::string> failures;
  LogBarrier barrier([&](const Status& s) { failures.push_back(s.ToString()); });
  FakeEngine buffering(true), writing_through(false);
  barrier.Run();  // nothing attached yet (storage still opening)
  barrier.Attach(&writing_through);
  barrier.Run();
  EXPECT_EQ(writing_through.flushes, 0);
  barrier.Attach(&buffering);
  barrier.Run();
  barrier.Run();
  EXPECT_EQ(buffering.flushes, 2);
  barrier.Detach();
  barrier.Run();
  EXPECT_EQ(buffering.flushes, 2);
  EXPECT_TRUE(failures.empty());
}

TEST(LogBarrierTest, AFailedFlushReachesOnFailureBeforeRunReturns) {
  std::vector<std::string> failures;
  LogBarrier barrier([&](const Status& s) { failures.push_back(s.ToString()); });
  FakeEngine engine(true);
  barrier.Attach(&engine);
  engine.fail = true;
  barrier.Run();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("No space left on device"), std::string::npos);
}

}  // namespace
}  // namespace cairn::storage
