// Caller: who sent a request, from its SigV4 credential scope
// ("<access key id>/<date>/<region>/<service>/aws4_request"), read from the Authorization header's
// Credential parameter or, for a presigned request, from the X-Amz-Credential query parameter.
// As in DynamoDB Local, the (access key id, region) pair selects the namespace of tables
// (storage/namespace.h), unless the server runs with --shared-db. Signatures are not verified
// (Cairn is a local/self-hosted server; any secret key works, as with DynamoDB Local): only their
// presence and form are checked, with DynamoDB's errors.
#pragma once

#include <string>
#include <string_view>

#include "protocol/errors.h"

namespace cairn::auth {

struct Caller {
  std::string access_key;
  std::string region;
  std::string ns;  // the namespace of the caller's tables
};

// What a request carries about its signature.
struct SignedRequest {
  bool has_authorization = false;  // an Authorization header, even an empty one
  std::string_view authorization;  // its value
  bool has_date = false;           // an X-Amz-Date or a Date header
  std::string_view query;          // the request target's query string (after '?'), or empty
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
bool Authenticate(const SignedRequest& request, bool shared_db, Caller* caller,
                  protocol::ApiError* error);

}  // namespace cairn::auth
