// Small pieces every file of the RADOS engine writes its records with: a librados bufferlist of
// some bytes, wall-clock time (record times, leases, token expiry: servers compare them, so not a
// monotonic clock), and length-prefixed strings (u32 big-endian length, then the bytes) for the
// records the engine encodes itself (redo records, outbox entries, transaction records).
// TakeBytes returns false, consuming nothing useful, on input too short for its length.
#pragma once

#include <rados/librados.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/big_endian.h"

namespace cairn::storage::rados {

inline librados::bufferlist Bl(std::string_view s) {
  librados::bufferlist bl;
  bl.append(s.data(), s.size());
  return bl;
}

inline uint64_t NowSeconds() {
  return uint64_t(std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
}

inline uint64_t NowMicros() {
  return uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
}

inline void AppendBytes(std::string* out, std::string_view s) {
  AppendBigEndian32(out, uint32_t(s.size()));
  out->append(s);
}

inline bool TakeBytes(std::string_view* in, std::string* s) {
  if (in->size() < 4) return false;
  const uint32_t n = ReadBigEndian32(*in);
  in->remove_prefix(4);
  if (in->size() < n) return false;
  s->assign(in->substr(0, n));
  in->remove_prefix(n);
  return true;
}

}  // namespace cairn::storage::rados
