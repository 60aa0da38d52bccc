// Caller: who sent a request, from its SigV4 credential scope
// ("<access key id>/<date>/<region>/<service>/aws4_request"), read from the Authorization header's
// Credential parameter or, for a presigned request, from the X-Amz-Credential query parameter.
// As in DynamoDB Local, the (access key id, region) pair selects the namespace of tables
// (storage/namespace.h), unless the server runs with --shared-db. This file checks only the
// signature's presence and form, with DynamoDB's errors; the signature itself is verified by
// auth/sigv4.h, and only when the server runs with --credentials (without it any secret key
// works, as with DynamoDB Local).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/errors.h"

namespace cairn::auth {

struct Caller {
  std::string access_key;
  std::string region;
  std::string ns;  // the namespace of the caller's tables
};

// What a request carries about its signature. The views belong to the caller and must outlive
// the calls below.
struct SignedRequest {
  bool has_authorization = false;  // an Authorization header, even an empty one
  std::string_view authorization;  // its value
  bool has_date = false;           // an X-Amz-Date or a Date header
  std::string_view query;          // the request target's query string (after '?'), or empty
  // What only signature verification (auth/sigv4.h) reads:
  std::string_view method;  // "POST"
  std::string_view path;    // the request target's path, as received (still percent-encoded)
  // Every header, (lower-case name, value) in arrival order; null when not given.
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  std::string_view payload;  // the body as received (before any Content-Encoding is undone)
};

// The signature's parameters, as Authenticate() found them (from the Authorization header, or
// from the query of a presigned request).
struct SignatureParts {
  bool presigned = false;
  std::string algorithm;       // "AWS4-HMAC-SHA256"
  std::string credential;      // "<key>/<date>/<region>/<service>/aws4_request"
  std::string signed_headers;  // "content-type;host;x-amz-date"
  std::string signature;       // hex
  std::string date;            // presigned: X-Amz-Date of the query; else empty (a header)
  bool has_expires = false;    // presigned: X-Amz-Expires given
  std::string expires;         // its value
};

// Reads the caller's credential scope. Returns true and fills *caller, or false and *error, as
// DynamoDB answers (the texts are AWS's):
//   - both an Authorization header and X-Amz-Algorithm in the query -> InvalidSignatureException
//     "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.";
//   - neither, or an Authorization header that is not an AWS4 one ("AWS4-...") ->
//     MissingAuthenticationTokenException "Request is missing Authentication Token";
//   - an AWS4 header without Credential, Signature or SignedHeaders, or a request with neither
//     X-Amz-Date nor Date -> IncompleteSignatureException, one sentence per missing part, then
//     "Authorization=<the header>";
//   - a presigned request (X-Amz-Algorithm in the query) without X-Amz-Credential, X-Amz-Signature,
//     X-Amz-SignedHeaders or X-Amz-Date -> IncompleteSignatureException, one sentence per missing
//     parameter, then "Re-examine the query-string parameters.";
//   - a credential that is not "<key>/<date>/<region>/<service>/aws4_request" ->
//     IncompleteSignatureException "Credential should be scoped to a valid region. ...".
// When `parts` is not null, it receives the signature's parameters on success.
bool Authenticate(const SignedRequest& request, bool shared_db, Caller* caller,
                  protocol::ApiError* error, SignatureParts* parts = nullptr);

// Query-string helpers shared with auth/sigv4.cc.
// Percent-decoding of a query component ('+' is a space, as form encoding writes it).
std::string UnescapeQueryComponent(std::string_view s);
// Every "name=value" pair of a query string, decoded, in order (repeats kept; a pair without '='
// has an empty value; empty pairs are skipped).
std::vector<std::pair<std::string, std::string>> QueryPairs(std::string_view query);

}  // namespace cairn::auth
