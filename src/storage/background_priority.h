// BackgroundPriority: RocksDB's flush and compaction threads yield the CPU to the threads that
// answer requests, except while writes wait for them.
//
// Concept. On a machine with few cores a flush (about 150 ms of CPU for a 16 MB memtable) or a
// compaction competes with the event loops at equal priority, and requests queue behind it: at a
// fixed half of the maximum UpdateItem rate the p99 was 20-240 ms, all of it in the flush windows.
// With the background threads under SCHED_IDLE the scheduler runs them on the cycles the event
// loops leave, and an event loop that wakes preempts them at once: the same runs gave a p99 of
// 1.3-1.5 ms. At full load there are no spare cycles, so flushes fall behind until RocksDB delays
// or stops writes; from then on the background threads run at normal priority, until the
// database's writes are normal again. So background work is never starved for longer than it takes
// the watcher to notice, and writes never wait on a thread that cannot run.
//
// How a stall is noticed. RocksDB's own stall notification (OnStallConditionsChanged) cannot be
// the signal: a stop caused by a write that fills the last memtable is reported from that write's
// context only once the write has finished waiting, that is after the stall (and its "stopped"
// can arrive after the "normal" that ends it). With other processes keeping the cores busy, a
// flush thread left under SCHED_IDLE then got no CPU and a PutItem waited 29 s. So a watcher
// thread, running at normal priority, reads the database's own state (`rocksdb.is-write-stopped`,
// `rocksdb.actual-delayed-write-rate`) every kPollInterval while background work may be due: a
// flush or compaction running, or less than kEventWindow since a memtable was sealed or a job
// began (a flush can be queued behind a starved thread before it begins). Otherwise it sleeps
// until the next such event. The notifications only log, and wake the watcher.
//
// Invariants.
//  - Used only where it can be undone: Make() returns nullptr unless this process may set a
//    thread back from SCHED_IDLE to SCHED_OTHER (root, CAP_SYS_NICE or an RLIMIT_NICE of 20;
//    tried once, on a short-lived thread). Without that, the background threads keep the normal
//    policy, as without this listener.
//  - A background thread enrolls itself when it begins a flush or a compaction (RocksDB calls the
//    listener on that thread), taking the policy of the moment; a change of the stall state moves
//    every enrolled thread.
//  - Idle iff the watcher's last reading found writes neither stopped nor delayed. Before Attach
//    and after Detach nothing is read: idle, and after Detach every enrolled thread is back at
//    normal priority (so the jobs that closing the database waits for are not starved).
//  - The database is read only between Attach and Detach, by the watcher alone; Detach returns
//    once the watcher has stopped, so the database may be closed after it. Lock order: the
//    watcher holds db_mu_ while it calls into RocksDB (which takes its own mutex); no listener
//    callback takes db_mu_, and RocksDB calls them without its mutex held.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/listener.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace cairn::storage {

class BackgroundPriority final : public rocksdb::EventListener {
 public:
  static constexpr std::chrono::milliseconds kPollInterval{10};
  static constexpr std::chrono::milliseconds kEventWindow{1000};

  // nullptr when this process could not undo SCHED_IDLE (see above).
  static std::shared_ptr<BackgroundPriority> Make();
  ~BackgroundPriority() override;

  // Starts watching `db` (opened with this listener); Detach stops, before `db` is closed.
  void Attach(rocksdb::DB* db);
  void Detach();

  const char* Name() const override { return "cairn::BackgroundPriority"; }
  void OnFlushBegin(rocksdb::DB* db, const rocksdb::FlushJobInfo& info) override;
  void OnCompactionBegin(rocksdb::DB* db, const rocksdb::CompactionJobInfo& info) override;
  void OnMemTableSealed(const rocksdb::MemTableInfo& info) override;
  void OnStallConditionsChanged(const rocksdb::WriteStallInfo& info) override;

  // Whether the enrolled threads run under SCHED_IDLE now, which they are, and how many times
  // stalled writes have raised them (for tests).
  bool idle() const;
  std::set<pid_t> threads() const;
  int raises() const;

 private:
  BackgroundPriority() = default;
  void Enroll();
  // Something that may lead to a stall happened: the watcher reads for kEventWindow from now.
  void Wake();
  void Watch();
  // One reading of the database; false if it could not be read. Called with db_mu_ held.
  bool Read(bool* stalled, bool* busy);
  // Moves every enrolled thread when the state changes.
  void SetStalled(bool stalled);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::set<pid_t> threads_;  // GUARDED_BY(mu_): enrolled background threads
  bool stalled_ = false;     // GUARDED_BY(mu_): the watcher's last reading
  int raises_ = 0;           // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point watch_until_{};  // GUARDED_BY(mu_)
  bool stopping_ = false;                                // GUARDED_BY(mu_)

  std::mutex db_mu_;
  rocksdb::DB* db_ = nullptr;  // GUARDED_BY(db_mu_)
  std::thread watcher_;        // started by Attach, joined by Detach
};

}  // namespace cairn::storage
