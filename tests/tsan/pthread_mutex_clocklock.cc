// pthread_mutex_clocklock for ThreadSanitizer builds (CAIRN_TSAN) only: GCC 12's libtsan has no
// interceptor for it, and libstdc++'s std::timed_mutex::try_lock_for (txn/lock_table.cc) calls it.
// TSan then never sees that lock taken, and reports its unlock as "unlock of an unlocked mutex"
// and the accesses it protects as races: false reports (tests/tsan/run's first run showed them in
// LockTableTest and ItemWriterTest.ConcurrentReadModifyWritesLoseNoUpdate). This definition, linked
// into every executable of the TSan build, takes the lock through pthread_mutex_timedlock, which
// libtsan intercepts, so TSan sees every acquisition and keeps its happens-before edges.
// Semantics kept: the deadline is converted from `clock` to CLOCK_REALTIME once, on entry.
#include <pthread.h>
#include <time.h>

#include <cerrno>

extern "C" int pthread_mutex_clocklock(pthread_mutex_t* mutex, clockid_t clock,
                                       const struct timespec* abstime) {
  if (clock == CLOCK_REALTIME) return pthread_mutex_timedlock(mutex, abstime);
  if (clock != CLOCK_MONOTONIC) return EINVAL;
  struct timespec now_clock, now_real;
  clock_gettime(clock, &now_clock);
  clock_gettime(CLOCK_REALTIME, &now_real);
  long long ns = (static_cast<long long>(abstime->tv_sec) - now_clock.tv_sec) * 1000000000LL +
                 (abstime->tv_nsec - now_clock.tv_nsec) + now_real.tv_nsec;
  struct timespec deadline;
  deadline.tv_sec = now_real.tv_sec + ns / 1000000000LL;
  deadline.tv_nsec = ns % 1000000000LL;
  if (deadline.tv_nsec < 0) {
    deadline.tv_nsec += 1000000000LL;
    deadline.tv_sec -= 1;
  }
  return pthread_mutex_timedlock(mutex, &deadline);
}
