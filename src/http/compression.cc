// Content codings with zlib. Requests: streaming inflate, growing the output in steps so that a
// small compressed body claiming a huge size cannot allocate more than the limit. Responses: an
// Accept-Encoding parser (RFC 9110 12.5.3) and a one-shot deflate.
#include "http/compression.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>

#include "http/ascii.h"

namespace cairn::http {
namespace {

// Trims optional whitespace (RFC 9110 5.6.3: SP / HTAB).
std::string_view TrimOws(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// A qvalue (RFC 9110 12.4.2: "0" ["." 0*3DIGIT] / "1" ["." 0*3"0"]) in thousandths, or -1.
int ParseQValue(std::string_view v) {
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return -1;
  int whole = v[0] - '0';
  if (v.size() == 1) return whole * 1000;
  if (v[1] != '.' || v.size() > 5) return -1;
  int thousandths = 0;
  int scale = 100;
  for (size_t i = 2; i < v.size(); ++i, scale /= 10) {
    if (v[i] < '0' || v[i] > '9') return -1;
    thousandths += (v[i] - '0') * scale;
  }
  if (whole == 1 && thousandths != 0) return -1;
  return whole * 1000 + thousandths;
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
  v = TrimOws(v);
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

EncodingChoice NegotiateEncoding(std::string_view header) {
  // Weights in thousandths; -1: not listed.
  int gzip_q = -1, deflate_q = -1, identity_q = -1, star_q = -1;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view element = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    size_t semi = element.find(';');
    std::string_view coding = TrimOws(element.substr(0, semi));
    if (coding.empty()) continue;  // "#" lists allow empty elements
    int q = 1000;
    while (semi != std::string_view::npos && q >= 0) {
      element.remove_prefix(semi + 1);
      semi = element.find(';');
      std::string_view param = TrimOws(element.substr(0, semi));
      if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        q = ParseQValue(TrimOws(param.substr(2)));
      }  // other parameters are not defined for Accept-Encoding: ignored
    }
    if (q < 0) continue;  // a malformed weight: the element is ignored
    int* slot = nullptr;
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      slot = &gzip_q;
    } else if (EqualsIgnoreCase(coding, "deflate")) {
      slot = &deflate_q;
    } else if (EqualsIgnoreCase(coding, "identity")) {
      slot = &identity_q;
    } else if (coding == "*") {
      slot = &star_q;
    }
    if (slot != nullptr && *slot < 0) *slot = q;
  }
  if (gzip_q < 0) gzip_q = std::max(star_q, 0);
  if (deflate_q < 0) deflate_q = std::max(star_q, 0);
  EncodingChoice choice;
  // Unlisted identity is acceptable (unless "*;q=0") but below every listed positive weight.
  choice.identity_acceptable = identity_q > 0 || (identity_q < 0 && star_q != 0);
  int identity_weight = identity_q >= 0 ? identity_q : (star_q > 0 ? star_q : 0);
  int best = std::max(gzip_q, deflate_q);
  if (best > 0 && best >= identity_weight) {
    choice.coding = gzip_q >= deflate_q ? ContentCoding::kGzip : ContentCoding::kDeflate;
  }
  return choice;
}

bool EncodeBody(ContentCoding coding, std::string_view input, std::string* out) {
  out->clear();
  if (input.size() > UINT32_MAX / 2) return false;
  z_stream zs{};
  // Level 1: the answer is on the request path; JSON still shrinks several times.
  int window_bits = coding == ContentCoding::kGzip ? 16 + MAX_WBITS : MAX_WBITS;
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return false;
  }
  // deflateBound() covers the whole result of one Z_FINISH call, wrapper included.
  out->resize(deflateBound(&zs, static_cast<uLong>(input.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());
  int rc = deflate(&zs, Z_FINISH);
  size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    out->clear();
    return false;
  }
  out->resize(produced);
  return true;
}

void EncodeResponse(const Request& request, Response& response) {
  for (const auto& [name, value] : response.headers) {
    if (EqualsIgnoreCase(name, "content-encoding")) return;
  }
  EncodingChoice choice = NegotiateEncoding(request.Header("accept-encoding"));
  if (choice.coding == ContentCoding::kIdentity) return;
  if (choice.identity_acceptable && response.body.size() <= kMinEncodedResponseBytes) return;
  std::string encoded;
  if (!EncodeBody(choice.coding, response.body, &encoded)) return;
  if (choice.identity_acceptable && encoded.size() >= response.body.size()) return;
  response.body.swap(encoded);
  response.headers.emplace_back("Content-Encoding",
                                choice.coding == ContentCoding::kGzip ? "gzip" : "deflate");
  response.headers.emplace_back("Vary", "Accept-Encoding");
}

}  // namespace cairn::http
