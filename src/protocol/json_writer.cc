#include "protocol/json_writer.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace cairn::protocol {

void JsonWriter::Double(double v) {
  Sep();
  if (!std::isfinite(v)) { out_->append("0"); return; }
  char buf[64];
  // Whole numbers print without a fraction (DynamoDB's epoch-second timestamps carry millis: 1.7e9).
  int n = std::snprintf(buf, sizeof buf, "%.17g", v);
  // Prefer the shortest form that round-trips.
  for (int prec = 1; prec <= 17; ++prec) {
    char tmp[64];
    int m = std::snprintf(tmp, sizeof tmp, "%.*g", prec, v);
    if (std::strtod(tmp, nullptr) == v) { out_->append(tmp, m); return; }
  }
  out_->append(buf, n);
}

namespace {

// True when any of the 8 bytes of `x` needs escaping in a JSON string: a control character
// (< 0x20), '"' or '\\' (SWAR: the classic "has a zero byte" tests).
inline bool NeedsEscape8(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  uint64_t below_space = (x - kOnes * 0x20) & ~x & kHigh;
  uint64_t quote = x ^ (kOnes * '"');
  uint64_t backslash = x ^ (kOnes * '\\');
  uint64_t has_quote = (quote - kOnes) & ~quote & kHigh;
  uint64_t has_backslash = (backslash - kOnes) & ~backslash & kHigh;
  return (below_space | has_quote | has_backslash) != 0;
}

}  // namespace

void JsonWriter::AppendQuoted(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t start = 0;
  size_t i = 0;
  // Most strings need no escaping: skip clean 8-byte blocks at a time.
  while (true) {
    while (i + 8 <= s.size()) {
      uint64_t block;
      std::memcpy(&block, s.data() + i, 8);
      if (NeedsEscape8(block)) break;
      i += 8;
    }
    if (i >= s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out->append(s.data() + start, i - start);
    start = i + 1;
    ++i;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out->append(esc, 6);
      }
    }
  }
  out->append(s.data() + start, s.size() - start);
  out->push_back('"');
}

}  // namespace cairn::protocol
