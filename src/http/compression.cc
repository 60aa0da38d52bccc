// Content-Encoding decoding with zlib's streaming inflate, growing the output in steps so that a
// small compressed body claiming a huge size cannot allocate more than the limit.
#include "http/compression.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>

namespace cairn::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

// Inflates all of `input` with the given zlib window bits, appending to *out. Sets
// *data_error_at_start when the very first bytes were rejected (the raw-deflate retry below).
InflateResult InflateWith(int window_bits, std::string_view input, size_t max_output,
                          std::string* out, bool* data_error_at_start) {
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return InflateResult::kCorrupt;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  size_t produced = out->size();
  InflateResult result = InflateResult::kCorrupt;
  bool first_call = true;
  for (;;) {
    if (produced == out->size()) {
      // One byte of room past the limit, so that an oversize result is detected, not truncated.
      if (out->size() > max_output) {
        result = InflateResult::kTooLarge;
        break;
      }
      size_t grown = std::max<size_t>(out->size() * 2, 16 * 1024);
      grown = std::min(grown, max_output + 1);
      out->resize(std::max(grown, out->size() + 1));
    }
    size_t room = std::min<size_t>(out->size() - produced, UINT32_MAX);
    zs.next_out = reinterpret_cast<Bytef*>(out->data() + produced);
    zs.avail_out = static_cast<uInt>(room);
    int rc = inflate(&zs, Z_NO_FLUSH);
    produced += room - zs.avail_out;
    if (rc == Z_DATA_ERROR && first_call && produced == 0) *data_error_at_start = true;
    first_call = false;
    if (produced > max_output) {
      result = InflateResult::kTooLarge;
      break;
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) {
        result = InflateResult::kOk;
        break;
      }
      // Another gzip member follows (RFC 1952 2.2); zlib and raw deflate allow no trailing data.
      if (window_bits <= 15) break;
      if (inflateReset(&zs) != Z_OK) break;
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) continue;  // output full: grow and go on
    break;  // Z_DATA_ERROR, Z_MEM_ERROR, or Z_BUF_ERROR with all input used (truncated)
  }
  inflateEnd(&zs);
  out->resize(std::min(produced, out->size()));
  return result;
}

}  // namespace

ContentCoding ParseContentCoding(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.empty() || EqualsIgnoreCase(v, "identity")) return ContentCoding::kIdentity;
  if (EqualsIgnoreCase(v, "gzip") || EqualsIgnoreCase(v, "x-gzip")) return ContentCoding::kGzip;
  if (EqualsIgnoreCase(v, "deflate")) return ContentCoding::kDeflate;
  return ContentCoding::kUnsupported;
}

InflateResult Inflate(ContentCoding coding, std::string_view input, size_t max_output,
                      std::string* out) {
  out->clear();
  bool data_error_at_start = false;
  if (coding == ContentCoding::kGzip) {
    return InflateWith(16 + MAX_WBITS, input, max_output, out, &data_error_at_start);
  }
  InflateResult r = InflateWith(MAX_WBITS, input, max_output, out, &data_error_at_start);
  if (r == InflateResult::kCorrupt && data_error_at_start) {
    // Some clients send raw deflate under "deflate" (the RFC 2616 confusion); accept it as well.
    out->clear();
    r = InflateWith(-MAX_WBITS, input, max_output, out, &data_error_at_start);
  }
  return r;
}

}  // namespace cairn::http
