#include "storage/background_priority.h"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

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

void BackgroundPriority::Enroll() {
  const pid_t self = ThisThread();
  std::lock_guard<std::mutex> lock(mu_);
  threads_.insert(self);
  SetPolicy(self, stalled_.empty());
}

void BackgroundPriority::OnFlushBegin(rocksdb::DB*, const rocksdb::FlushJobInfo&) { Enroll(); }

void BackgroundPriority::OnCompactionBegin(rocksdb::DB*, const rocksdb::CompactionJobInfo&) {
  Enroll();
}

void BackgroundPriority::OnStallConditionsChanged(const rocksdb::WriteStallInfo& info) {
  // Delayed or stopped writes are RocksDB's back-pressure when flushes and compactions fall
  // behind: every write of the family waits (writes of an event loop hold up its connections).
  // In memory RocksDB's own LOG, which records them, is discarded; these lines are what shows
  // them: a warning when writes start to wait (bench/run counts them per run), info when they
  // are normal again.
  spdlog::log(info.condition.cur == rocksdb::WriteStallCondition::kNormal ? spdlog::level::info
                                                                          : spdlog::level::warn,
              "storage: writes to column family {} are {} (were {})", info.cf_name,
              ConditionName(info.condition.cur), ConditionName(info.condition.prev));
  std::lock_guard<std::mutex> lock(mu_);
  const bool was_idle = stalled_.empty();
  if (info.condition.cur == rocksdb::WriteStallCondition::kNormal)
    stalled_.erase(info.cf_name);
  else
    stalled_.insert(info.cf_name);
  const bool idle = stalled_.empty();
  if (idle == was_idle) return;
  if (!idle) ++raises_;
  for (pid_t thread : threads_) SetPolicy(thread, idle);
}

bool BackgroundPriority::idle() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stalled_.empty();
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
