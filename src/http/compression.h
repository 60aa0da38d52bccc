// Content codings (RFC 9110 8.4) both ways, with zlib:
//   - requests: the Content-Encoding a client applied to its body (gzip, deflate) is undone;
//   - responses: Accept-Encoding is negotiated (RFC 9110 12.5.3) and a large answer compressed.
// Invariants: Inflate() never writes more than `max_output` bytes of result and never trusts sizes
// declared by the input (a "zip bomb" stops at the limit with kTooLarge). EncodeResponse() never
// sends a coding the client refused, and sends identity when the client accepts nothing we have.
// Stateless functions; safe to call from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "http/message.h"

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

// --- responses ---------------------------------------------------------------------------------

// What an Accept-Encoding header allows, among the codings we can produce.
struct EncodingChoice {
  // The acceptable coding of highest weight: gzip, deflate (zlib format) or identity. Ties prefer
  // gzip, then deflate, then identity. kIdentity also when nothing at all is acceptable.
  ContentCoding coding = ContentCoding::kIdentity;
  // False when the client refused an unencoded answer ("identity;q=0", or "*;q=0" without an
  // entry for identity).
  bool identity_acceptable = true;
};

// Reads an Accept-Encoding value (RFC 9110 12.5.3): codings are case-insensitive ("x-gzip" is
// gzip), "q=0" forbids one, "*" stands for every coding not listed, identity is acceptable unless
// refused but loses to any listed coding of positive weight. An element with a malformed weight is
// ignored; the first entry for a coding counts. An empty value (or no header) means identity.
EncodingChoice NegotiateEncoding(std::string_view accept_encoding);

// Compresses `input` with `coding` (REQUIRES: kGzip or kDeflate) into *out, replacing its contents.
// False if zlib fails or the input is over 4 GB.
bool EncodeBody(ContentCoding coding, std::string_view input, std::string* out);

// Answers larger than this many bytes are compressed when the client accepts a coding.
inline constexpr size_t kMinEncodedResponseBytes = 4096;

// Compresses response.body as the request's Accept-Encoding asks: when a coding is preferred and
// the body is over kMinEncodedResponseBytes (any size when identity was refused), and compression
// makes it smaller (or identity was refused). Then sets `Content-Encoding` and `Vary:
// Accept-Encoding` in response.headers; the server writes Content-Length from the encoded body.
// A response that already has a Content-Encoding header is left alone. A handler whose other
// headers describe the body as sent (a checksum) computes them after this call.
void EncodeResponse(const Request& request, Response& response);

}  // namespace cairn::http
