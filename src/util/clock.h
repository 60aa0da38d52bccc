// EpochSeconds: the wall clock as DynamoDB's timestamps carry it, seconds since the Unix epoch
// with millisecond precision (CreationDateTime, restorable times, Time to Live comparisons).
// Stateless; safe from any thread.
#pragma once

#include <chrono>

namespace cairn {

inline double EpochSeconds() {
  using namespace std::chrono;
  return double(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()) /
         1000.0;
}

}  // namespace cairn
