#include "protocol/json_writer.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "types/base64.h"

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

// Which bytes need escaping in a JSON string: control characters (< 0x20), '"' and '\\'.
constexpr auto kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

#if !defined(__SSE2__)
// True when any of the 8 bytes of `x` needs escaping (SWAR: the classic "has a zero byte" tests).
inline bool NeedsEscape8(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  uint64_t below_space = (x - kOnes * 0x20) & ~x & kHigh;
  uint64_t quote = x ^ (kOnes * '"');
  uint64_t backslash = x ^ (kOnes * '\\');
  uint64_t has_quote = (quote - kOnes) & ~quote & kHigh;
  uint64_t has_backslash = (backslash - kOnes) & ~backslash & kHigh;
  return (below_space | has_quote | has_backslash) != 0;
}
#else
// The bytes of v that need escaping, as a movemask.
inline int SpecialMask(__m128i v) {
  const __m128i last_control = _mm_set1_epi8(0x1f);
  // v <= 0x1f (unsigned) exactly when max(v, 0x1f) == 0x1f.
  const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(v, last_control), last_control);
  return _mm_movemask_epi8(_mm_or_si128(
      control, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                            _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')))));
}
#endif

// The length of the longest prefix of p[0, n) that needs no escaping: 16 bytes at a time with
// SSE2 (every x86-64 has it), then 8 (one 64-bit load into the same test), then byte by byte
// through a table; without SSE2, 8 at a time with 64-bit arithmetic, then the table. Most strings
// of a response are short (attribute names, numbers, keys): on x86-64 an earlier version tested
// the 8-byte step with 64-bit arithmetic too, whose seven constants and six saved registers cost
// more than the bytes of such a string (~60 instructions for "pk"; bench/instructions, Query of
// 10 items: 70,417 -> 67,505 instructions).
size_t CleanPrefix(const char* p, size_t n) {
  size_t i = 0;
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16) {
    const int mask = SpecialMask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
    if (mask != 0) return i + __builtin_ctz(mask);
  }
  if (i + 8 <= n) {
    const int mask =
        SpecialMask(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + i))) & 0xff;
    if (mask != 0) return i + __builtin_ctz(mask);
    i += 8;
  }
#else
  for (; i + 8 <= n; i += 8) {
    uint64_t block;
    std::memcpy(&block, p + i, 8);
    if (NeedsEscape8(block)) break;
  }
#endif
  while (i < n && !kNeedsEscape[static_cast<unsigned char>(p[i])]) ++i;
  return i;
}

// Writes the escape of c, a byte that needs one (kNeedsEscape), at p; returns its length.
size_t WriteEscape(unsigned char c, char* p) {
  static const char kHex[] = "0123456789abcdef";
  char short_form = 0;
  switch (c) {
    case '"': short_form = '"'; break;
    case '\\': short_form = '\\'; break;
    case '\n': short_form = 'n'; break;
    case '\r': short_form = 'r'; break;
    case '\t': short_form = 't'; break;
    case '\b': short_form = 'b'; break;
    case '\f': short_form = 'f'; break;
    default: {
      const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      std::memcpy(p, esc, 6);
      return 6;
    }
  }
  p[0] = '\\';
  p[1] = short_form;
  return 2;
}

}  // namespace

void JsonWriter::AppendBase64(std::string* out, std::string_view raw) {
  out->push_back('"');
  Base64Encode(raw, out);
  out->push_back('"');
}

// Most strings need no escaping: found by one scan, they are appended whole. (Growing `out` by
// resize() first, then copying, costs more: resize zero-fills; bench/instructions, Query of 10
// items: 80,514 instructions against 78,411 this way.)
void JsonWriter::AppendQuoted(std::string* out, std::string_view s) {
  size_t i = CleanPrefix(s.data(), s.size());
  if (i == s.size()) {
    out->push_back('"');
    out->append(s);
    out->push_back('"');
    return;
  }
  out->push_back('"');
  size_t start = 0;
  while (i < s.size()) {  // s[i] needs escaping
    char esc[6];
    out->append(s.data() + start, i - start);
    out->append(esc, WriteEscape(static_cast<unsigned char>(s[i]), esc));
    start = ++i;
    i += CleanPrefix(s.data() + i, s.size() - i);
  }
  out->append(s.data() + start, s.size() - start);
  out->push_back('"');
}

char* JsonWriter::WriteQuoted(char* p, std::string_view s) {
  *p++ = '"';
  size_t start = 0;
  size_t i = CleanPrefix(s.data(), s.size());
  while (i < s.size()) {  // s[i] needs escaping
    std::memcpy(p, s.data() + start, i - start);
    p += i - start;
    p += WriteEscape(static_cast<unsigned char>(s[i]), p);
    start = ++i;
    i += CleanPrefix(s.data() + i, s.size() - i);
  }
  std::memcpy(p, s.data() + start, s.size() - start);
  p += s.size() - start;
  *p++ = '"';
  return p;
}

}  // namespace cairn::protocol
