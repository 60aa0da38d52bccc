// Request body decoding: the Content-Encoding codings a client may apply to a request body
// (gzip, deflate), undone with zlib.
// Invariant: Inflate() never writes more than `max_output` bytes of result and never trusts sizes
// declared by the input (a "zip bomb" stops at the limit with kTooLarge).
// Stateless functions; safe to call from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cairn::http {

enum class ContentCoding : unsigned char {
  kIdentity,     // no header, or "identity"
  kGzip,         // "gzip" or "x-gzip" (RFC 1952)
  kDeflate,      // "deflate": zlib format (RFC 1950); raw deflate (RFC 1951) is accepted too
  kUnsupported,  // anything else, including lists of codings ("gzip, br")
};

// Maps a Content-Encoding header value (case-insensitive, surrounding spaces ignored).
ContentCoding ParseContentCoding(std::string_view header_value);

enum class InflateResult : unsigned char {
  kOk,
  kCorrupt,   // not valid data of that coding, or truncated
  kTooLarge,  // the decoded body would exceed max_output bytes
};

// Decodes `input` (REQUIRES: coding is kGzip or kDeflate) into *out, replacing its contents and
// reusing its capacity. Concatenated gzip members are decoded one after another (RFC 1952).
InflateResult Inflate(ContentCoding coding, std::string_view input, size_t max_output,
                      std::string* out);

}  // namespace cairn::http
