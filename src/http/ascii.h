// ASCII case for HTTP: header names and tokens compare without case (RFC 9110 5.1), and the
// server keeps header names in lower case. Only the letters A-Z change; every other byte, and
// every byte >= 0x80, is left as it is (no locale).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace cairn::http {

// Lower-cases the letters of p[0, n) in place: 8 bytes at a time (SWAR: a byte whose low 7 bits
// are in 'A'..'Z' and whose high bit is clear gets 0x20; no sum carries into the next byte), then
// byte by byte. (Byte by byte throughout cost ~500 instructions a request for the header names of
// an SDK's request: bench/instructions.)
inline void LowerAscii(char* p, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    std::memcpy(&x, p + i, 8);
    const uint64_t low7 = x & ~kHigh;
    const uint64_t above_z = low7 + kOnes * (0x7F - 'Z');  // high bit: low7 > 'Z'
    const uint64_t from_a = low7 + kOnes * (0x80 - 'A');   // high bit: low7 >= 'A'
    x |= ((from_a ^ above_z) & ~x & kHigh) >> 2;
    std::memcpy(p + i, &x, 8);
  }
  for (; i < n; ++i) {
    if (p[i] >= 'A' && p[i] <= 'Z') p[i] = static_cast<char>(p[i] - 'A' + 'a');
  }
}

inline std::string Lower(std::string_view s) {
  std::string out(s);
  LowerAscii(out.data(), out.size());
  return out;
}

// Whether a, lower-cased, equals `lower` (which must be in lower case already).
inline bool EqualsIgnoreCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace cairn::http
