// Base64: the standard alphabet with padding (RFC 4648 section 4), as DynamoDB's B and BS values
// travel in JSON. Decoding is strict, like the AWS Java codec behind DynamoDB: the length must be a
// multiple of 4, '=' may only end the text (at most two), and the unused bits of the last symbol
// must be zero, so every accepted text is the canonical encoding of its bytes. No whitespace.
// Stateless functions: safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace cairn {

// The length of the base64 text of n bytes.
constexpr size_t Base64Length(size_t n) { return (n + 2) / 3 * 4; }
// Writes the base64 text of `raw` at out, which has room for Base64Length(raw.size()) bytes;
// returns the end of what it wrote.
char* Base64EncodeTo(std::string_view raw, char* out);
// Appends the base64 text of `raw` to *out.
void Base64Encode(std::string_view raw, std::string* out);
std::string Base64Encode(std::string_view raw);

// Returns the decoded bytes, or Status::InvalidArgument with the message DynamoDB puts in its
// SerializationException:
//   "Base64 encoded length is expected a multiple of 4 bytes but found: <length>"
//   "Invalid Base64 character: '<c>'"            (also '=' in a wrong place)
//   "Invalid last non-pad Base64 character dectected"   (sic: DynamoDB's spelling; non-zero bits)
Result<std::string> Base64Decode(std::string_view text);

}  // namespace cairn
