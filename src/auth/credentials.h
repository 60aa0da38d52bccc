// Caller: who sent a request, from the SigV4 Authorization header's credential scope
// ("Credential=<access key id>/<date>/<region>/<service>/aws4_request").
// As in DynamoDB Local, the (access key id, region) pair selects the namespace of tables, unless the
// server runs with --shared-db. Signatures are not verified (Cairn is a local/self-hosted server; any
// secret key works, as with DynamoDB Local).
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

// Reads the Authorization header value. Errors (as DynamoDB): no header ->
// MissingAuthenticationTokenException; a header without a credential scope ->
// IncompleteSignatureException. Returns true and fills *caller on success.
bool Authenticate(std::string_view authorization, bool shared_db, Caller* caller, protocol::ApiError* error);

}  // namespace cairn::auth
