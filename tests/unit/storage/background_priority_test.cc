// BackgroundPriority on a real RocksDB: the thread that runs a flush enrolls and runs under
// SCHED_IDLE; writes the database stops or delays move every enrolled thread to SCHED_OTHER, seen
// by the watcher while the write still waits (RocksDB's own notification comes after it), until
// they are normal again; a new job takes the policy of the moment; Detach leaves them normal.
#include "storage/background_priority.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <sched.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

namespace cairn::storage {
namespace {

class BackgroundPriorityTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(rocksdb::Options()); }
  // Opens a new database in a new directory with the listener and `o`'s other settings.
  void Open(rocksdb::Options o) {
    priority_ = BackgroundPriority::Make();
    if (priority_ == nullptr) {
      GTEST_SKIP() << "this process may not undo SCHED_IDLE (needs root, CAP_SYS_NICE or "
                      "RLIMIT_NICE 20): the listener is not used here";
    }
    std::string tmpl = (std::filesystem::temp_directory_path() / "cairn_prio_XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    o.create_if_missing = true;
    o.listeners.insert(o.listeners.begin(), priority_);  // first: it enrolls before others run
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir_, &db).ok());
    db_.reset(db);
    priority_->Attach(db);
  }
  void TearDown() override { Close(); }
  void Close() {
    if (priority_) priority_->Detach();
    if (db_) {
      ASSERT_TRUE(db_->Close().ok());
    }
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    dir_.clear();
  }
  // Writes a key and flushes, waiting: RocksDB runs the flush on a background thread.
  void WriteAndFlush(const std::string& key) {
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), key, "v").ok());
    rocksdb::FlushOptions f;
    f.wait = true;
    ASSERT_TRUE(db_->Flush(f).ok());
  }
  static rocksdb::WriteStallInfo Stall(const std::string& family, rocksdb::WriteStallCondition c) {
    rocksdb::WriteStallInfo info;
    info.cf_name = family;
    info.condition.cur = c;
    info.condition.prev = rocksdb::WriteStallCondition::kNormal;
    return info;
  }
  // Waits (at most 10 s) until `done` holds.
  template <typename F>
  static bool Eventually(F done) {
    for (int i = 0; i < 1000; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  }
  void ExpectPolicy(int policy) {
    ASSERT_FALSE(priority_->threads().empty());
    for (pid_t t : priority_->threads()) EXPECT_EQ(sched_getscheduler(t), policy) << "thread " << t;
  }

  std::shared_ptr<BackgroundPriority> priority_;
  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
};

TEST_F(BackgroundPriorityTest, FlushThreadEnrollsUnderSchedIdle) {
  EXPECT_TRUE(priority_->threads().empty());
  WriteAndFlush("a");
  EXPECT_TRUE(priority_->idle());
  ExpectPolicy(SCHED_IDLE);
  // This (foreground) thread is never touched.
  EXPECT_EQ(sched_getscheduler(0), SCHED_OTHER);
}

// Every change of the stall condition is logged: a warning when writes start to wait (bench/run
// counts those lines per run), info when they are normal again.
TEST_F(BackgroundPriorityTest, StallChangesAreLogged) {
  std::ostringstream text;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text);
  sink->set_pattern("%l %v");
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("stall_test", sink);
  logger->set_level(spdlog::level::info);
  spdlog::set_default_logger(logger);
  priority_->OnStallConditionsChanged(Stall("data", rocksdb::WriteStallCondition::kDelayed));
  priority_->OnStallConditionsChanged(Stall("index", rocksdb::WriteStallCondition::kStopped));
  auto normal = Stall("data", rocksdb::WriteStallCondition::kNormal);
  normal.condition.prev = rocksdb::WriteStallCondition::kDelayed;
  priority_->OnStallConditionsChanged(normal);
  spdlog::set_default_logger(previous);
  EXPECT_EQ(text.str(),
            "warning storage: writes to column family data are delayed (were normal)\n"
            "warning storage: writes to column family index are stopped (were normal)\n"
            "info storage: writes to column family data are normal (were delayed)\n");
}

// A listener after BackgroundPriority that holds every flush at its start until released.
class FlushGate final : public rocksdb::EventListener {
 public:
  void OnFlushBegin(rocksdb::DB*, const rocksdb::FlushJobInfo&) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
  }
  void WaitForFlushes(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return waiting_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_ = 0;   // GUARDED_BY(mu_)
  bool open_ = false;  // GUARDED_BY(mu_)
};

// Writes stopped by DB::Flush: with two memtables waiting for a flush that cannot finish, writes
// stop, the watcher raises the background threads (the held flush thread among them); a job that
// begins meanwhile runs at normal priority too; once the flushes are through, writes are normal
// and the threads idle again.
TEST_F(BackgroundPriorityTest, RocksDBsOwnWriteStopRaisesThenTheFlushLowers) {
  Close();
  auto gate = std::make_shared<FlushGate>();
  rocksdb::Options o;
  o.max_write_buffer_number = 2;
  o.listeners.push_back(gate);  // Open() puts BackgroundPriority before it
  Open(o);
  rocksdb::FlushOptions no_wait;
  no_wait.wait = false;
  ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), "a", "v").ok());
  ASSERT_TRUE(db_->Flush(no_wait).ok());  // memtable 1 waits for its flush, which the gate holds
  gate->WaitForFlushes(1);
  EXPECT_EQ(priority_->raises(), 0);
  ExpectPolicy(SCHED_IDLE);
  ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), "b", "v").ok());
  no_wait.allow_write_stall = true;
  ASSERT_TRUE(db_->Flush(no_wait).ok());  // memtable 2 waits too: writes stop
  EXPECT_TRUE(Eventually([&] { return priority_->raises() == 1; }));
  EXPECT_FALSE(priority_->idle());
  ExpectPolicy(SCHED_OTHER);
  gate->Open();
  rocksdb::FlushOptions wait;
  ASSERT_TRUE(db_->Flush(wait).ok());
  EXPECT_TRUE(Eventually([&] { return priority_->idle(); }));
  ExpectPolicy(SCHED_IDLE);
  EXPECT_EQ(priority_->raises(), 1);
  // Closing: every enrolled thread back at normal priority, whatever the state was.
  priority_->Detach();
  ExpectPolicy(SCHED_OTHER);
}

// The stall that RocksDB reports late: a write fills the last memtable while the flush cannot
// finish, and waits. Its own notification would come only after it stopped waiting; the watcher
// sees `rocksdb.is-write-stopped` and raises the threads while the writer still waits (which is
// what lets a flush thread under SCHED_IDLE run on a machine whose cores other processes keep
// busy: before, a PutItem waited 29 s there).
TEST_F(BackgroundPriorityTest, AWriteThatFillsTheLastMemtableRaisesWhileItWaits) {
  Close();
  auto gate = std::make_shared<FlushGate>();
  rocksdb::Options o;
  o.write_buffer_size = 64 << 10;
  o.max_write_buffer_number = 2;
  o.listeners.push_back(gate);
  Open(o);
  std::atomic<int> written{0};
  std::thread writer([&] {
    const std::string value(1000, 'v');
    for (int i = 0; i < 1000; ++i) {
      if (!db_->Put(rocksdb::WriteOptions(), "k" + std::to_string(i), value).ok()) return;
      written.store(i + 1);
    }
  });
  uint64_t stopped = 0;
  EXPECT_TRUE(Eventually([&] {
    return db_->GetIntProperty(rocksdb::DB::Properties::kIsWriteStopped, &stopped) && stopped;
  }));
  // The writer is blocked in the stall, and the threads are raised meanwhile.
  gate->WaitForFlushes(1);
  EXPECT_TRUE(Eventually([&] { return priority_->raises() >= 1; }));
  EXPECT_FALSE(priority_->idle());
  EXPECT_LT(written.load(), 1000);
  ExpectPolicy(SCHED_OTHER);
  gate->Open();
  writer.join();
  EXPECT_EQ(written.load(), 1000);
  EXPECT_TRUE(Eventually([&] { return priority_->idle(); }));
  ExpectPolicy(SCHED_IDLE);
}

}  // namespace
}  // namespace cairn::storage
