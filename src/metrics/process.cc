// Process figures from /proc/self (process.h).
#include "metrics/process.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

namespace cairn::metrics {
namespace {

// Resident pages from /proc/self/statm (its second field), in bytes; -1 if unreadable.
double ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  if (n != 2) return -1;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

// Entries of /proc/self/fd, less the one opendir holds; -1 if unreadable.
double OpenDescriptors() {
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  double n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n - 1;
}

}  // namespace

void WriteProcessMetrics(TextWriter& w, const BuildInfo& build,
                         std::chrono::steady_clock::time_point started, double started_epoch) {
  if (double rss = ResidentBytes(); rss >= 0) {
    w.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes");
    w.Sample("process_resident_memory_bytes", {}, rss);
  }
  if (double fds = OpenDescriptors(); fds >= 0) {
    w.Family("process_open_fds", "gauge", "Open file descriptors");
    w.Sample("process_open_fds", {}, fds);
  }
  if (rlimit lim{}; getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
    w.Family("process_max_fds", "gauge", "The descriptor limit (RLIMIT_NOFILE, soft)");
    w.Sample("process_max_fds", {}, static_cast<double>(lim.rlim_cur));
  }
  w.Family("process_start_time_seconds", "gauge", "Start time of the process, in epoch seconds");
  w.Sample("process_start_time_seconds", {}, started_epoch);
  w.Family("cairn_uptime_seconds", "gauge", "Seconds since the server started");
  w.Sample("cairn_uptime_seconds", {},
           std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  w.Family("cairn_build_info", "gauge", "The build serving: version and commit (always 1)");
  w.Sample("cairn_build_info", {{"version", build.version}, {"commit", build.commit}}, 1.0);
}

}  // namespace cairn::metrics
