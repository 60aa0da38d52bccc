// BackgroundPriority: RocksDB's flush and compaction threads yield the CPU to the threads that
// answer requests, except while writes wait for them.
//
// Concept. On a machine with few cores a flush (about 150 ms of CPU for a 16 MB memtable) or a
// compaction competes with the event loops at equal priority, and requests queue behind it: at a
// fixed half of the maximum UpdateItem rate the p99 was 20-240 ms, all of it in the flush windows.
// With the background threads under SCHED_IDLE the scheduler runs them on the cycles the event
// loops leave, and an event loop that wakes preempts them at once: the same runs gave a p99 of
// 1.3-1.5 ms. At full load there are no spare cycles, so flushes fall behind until RocksDB delays
// or stops writes; from then on the background threads run at normal priority, until every
// column family's writes are normal again. So background work is never starved for longer than
// it takes RocksDB to notice, and writes never wait on a thread that cannot run.
//
// Invariants.
//  - Used only where it can be undone: Make() returns nullptr unless this process may set a
//    thread back from SCHED_IDLE to SCHED_OTHER (root, CAP_SYS_NICE or an RLIMIT_NICE of 20;
//    tried once, on a short-lived thread). Without that, the background threads keep the normal
//    policy, as without this listener.
//  - A background thread enrolls itself when it begins a flush or a compaction (RocksDB calls the
//    listener on that thread), taking the policy of the moment; a change of the stall state moves
//    every enrolled thread.
//  - Idle iff no column family has delayed or stopped writes (RocksDB's WriteStallCondition).
#pragma once

#include <rocksdb/listener.h>
#include <sys/types.h>

#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace cairn::storage {

class BackgroundPriority final : public rocksdb::EventListener {
 public:
  // nullptr when this process could not undo SCHED_IDLE (see above).
  static std::shared_ptr<BackgroundPriority> Make();

  const char* Name() const override { return "cairn::BackgroundPriority"; }
  void OnFlushBegin(rocksdb::DB* db, const rocksdb::FlushJobInfo& info) override;
  void OnCompactionBegin(rocksdb::DB* db, const rocksdb::CompactionJobInfo& info) override;
  void OnStallConditionsChanged(const rocksdb::WriteStallInfo& info) override;

  // Whether the enrolled threads run under SCHED_IDLE now, which they are, and how many times
  // stalled writes have raised them (for tests).
  bool idle() const;
  std::set<pid_t> threads() const;
  int raises() const;

 private:
  BackgroundPriority() = default;
  void Enroll();

  mutable std::mutex mu_;
  std::set<pid_t> threads_;        // GUARDED_BY(mu_): enrolled background threads
  std::set<std::string> stalled_;  // GUARDED_BY(mu_): families with delayed or stopped writes
  int raises_ = 0;                 // GUARDED_BY(mu_)
};

}  // namespace cairn::storage
