#include "storage/background_priority.h"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include <spdlog/spdlog.h>

namespace cairn::storage {
namespace {

pid_t ThisThread() { return static_cast<pid_t>(syscall(SYS_gettid)); }

// Returns whether the policy was set (a thread that has exited is simply skipped).
bool SetPolicy(pid_t thread, bool idle) {
  sched_param param{};
  param.sched_priority = 0;
  return sched_setscheduler(thread, idle ? SCHED_IDLE : SCHED_OTHER, &param) == 0;
}

// Whether a thread of this process may go to SCHED_IDLE and come back.
bool Reversible() {
  bool ok = false;
  std::thread probe([&ok] { ok = SetPolicy(0, true) && SetPolicy(0, false); });
  probe.join();
  return ok;
}

std::string_view ConditionName(rocksdb::WriteStallCondition c) {
  switch (c) {
    case rocksdb::WriteStallCondition::kNormal: return "normal";
    case rocksdb::WriteStallCondition::kDelayed: return "delayed";
    case rocksdb::WriteStallCondition::kStopped: return "stopped";
  }
  return "unknown";
}

}  // namespace

std::shared_ptr<BackgroundPriority> BackgroundPriority::Make() {
  static const bool reversible = Reversible();  // the same for the whole process
  if (!reversible) return nullptr;
  return std::shared_ptr<BackgroundPriority>(new BackgroundPriority());
}

BackgroundPriority::~BackgroundPriority() { Detach(); }

void BackgroundPriority::Attach(rocksdb::DB* db) {
  Detach();
  {
    std::lock_guard<std::mutex> lock(db_mu_);
    db_ = db;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
    watch_until_ = std::chrono::steady_clock::now() + kEventWindow;  // a recovery may be flushing
  }
  watcher_ = std::thread([this] { Watch(); });
}

void BackgroundPriority::Detach() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  {
    std::lock_guard<std::mutex> lock(db_mu_);
    db_ = nullptr;
  }
  // Closing waits for the jobs in progress: at normal priority, so they cannot be starved.
  std::lock_guard<std::mutex> lock(mu_);
  for (pid_t thread : threads_) SetPolicy(thread, false);
  stalled_ = false;
}

void BackgroundPriority::Enroll() {
  const pid_t self = ThisThread();
  {
    std::lock_guard<std::mutex> lock(mu_);
    threads_.insert(self);
    SetPolicy(self, !stalled_ && !stopping_);
  }
  Wake();
}

void BackgroundPriority::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    watch_until_ = std::chrono::steady_clock::now() + kEventWindow;
  }
  cv_.notify_all();
}

void BackgroundPriority::OnFlushBegin(rocksdb::DB*, const rocksdb::FlushJobInfo&) { Enroll(); }

void BackgroundPriority::OnCompactionBegin(rocksdb::DB*, const rocksdb::CompactionJobInfo&) {
  Enroll();
}

// Called on the writing thread when its write switched to a new memtable: a flush is now due,
// and a thread under SCHED_IDLE may not get to begin it.
void BackgroundPriority::OnMemTableSealed(const rocksdb::MemTableInfo&) { Wake(); }

void BackgroundPriority::OnStallConditionsChanged(const rocksdb::WriteStallInfo& info) {
  // Delayed or stopped writes are RocksDB's back-pressure when flushes and compactions fall
  // behind: every write of the family waits (writes of an event loop hold up its connections).
  // In memory RocksDB's own LOG, which records them, is discarded; these lines are what shows
  // them: a warning when writes start to wait (bench/run counts them per run), info when they
  // are normal again. They may come late (see the header): the watcher decides the priority.
  spdlog::log(info.condition.cur == rocksdb::WriteStallCondition::kNormal ? spdlog::level::info
                                                                          : spdlog::level::warn,
              "storage: writes to column family {} are {} (were {})", info.cf_name,
              ConditionName(info.condition.cur), ConditionName(info.condition.prev));
  Wake();
}

bool BackgroundPriority::Read(bool* stalled, bool* busy) {
  if (db_ == nullptr) return false;
  uint64_t stopped = 0, delayed_rate = 0, flushes = 0, compactions = 0;
  if (!db_->GetIntProperty(rocksdb::DB::Properties::kIsWriteStopped, &stopped) ||
      !db_->GetIntProperty(rocksdb::DB::Properties::kActualDelayedWriteRate, &delayed_rate))
    return false;
  // Without these two the watcher keeps to its event window.
  db_->GetIntProperty(rocksdb::DB::Properties::kNumRunningFlushes, &flushes);
  db_->GetIntProperty(rocksdb::DB::Properties::kNumRunningCompactions, &compactions);
  *stalled = stopped != 0 || delayed_rate != 0;
  *busy = flushes + compactions != 0;
  return true;
}

void BackgroundPriority::SetStalled(bool stalled) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stalled == stalled_ || stopping_) return;
  stalled_ = stalled;
  if (stalled) ++raises_;
  for (pid_t thread : threads_) SetPolicy(thread, !stalled);
}

void BackgroundPriority::Watch() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    bool stalled = false, busy = false, read = false;
    {
      std::lock_guard<std::mutex> db_lock(db_mu_);
      read = Read(&stalled, &busy);
    }
    if (read) SetStalled(stalled);
    lock.lock();
    const auto now = std::chrono::steady_clock::now();
    if (stalled_ || busy || now < watch_until_) {
      cv_.wait_for(lock, kPollInterval, [this] { return stopping_; });
    } else {
      // Nothing due: until a memtable is sealed, a job begins or a stall is reported.
      cv_.wait(lock, [this] { return stopping_ || std::chrono::steady_clock::now() < watch_until_; });
    }
  }
}

bool BackgroundPriority::idle() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !stalled_;
}

int BackgroundPriority::raises() const {
  std::lock_guard<std::mutex> lock(mu_);
  return raises_;
}

std::set<pid_t> BackgroundPriority::threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_;
}

}  // namespace cairn::storage
