#include "auth/credentials.h"

namespace cairn::auth {

bool Authenticate(std::string_view auth, bool shared_db, Caller* caller, protocol::ApiError* error) {
  if (auth.empty()) {
    *error = protocol::ApiError::MissingAuthenticationToken();
    return false;
  }
  size_t pos = auth.find("Credential=");
  if (pos == std::string_view::npos) {
    *error = protocol::ApiError::IncompleteSignature(
        "Authorization header requires 'Credential' parameter. Authorization header requires "
        "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
        "Authorization=" + std::string(auth));
    return false;
  }
  std::string_view scope = auth.substr(pos + 11);
  size_t end = scope.find_first_of(", ");
  if (end != std::string_view::npos) scope = scope.substr(0, end);
  // <access key id>/<date>/<region>/<service>/aws4_request
  size_t s1 = scope.find('/');
  size_t s2 = s1 == std::string_view::npos ? s1 : scope.find('/', s1 + 1);
  size_t s3 = s2 == std::string_view::npos ? s2 : scope.find('/', s2 + 1);
  if (s3 == std::string_view::npos || s1 == 0) {
    *error = protocol::ApiError::IncompleteSignature(
        "Credential should be scoped to a valid region. Authorization=" + std::string(auth));
    return false;
  }
  caller->access_key = std::string(scope.substr(0, s1));
  caller->region = std::string(scope.substr(s2 + 1, s3 - s2 - 1));
  if (caller->region.empty()) caller->region = "us-east-1";
  caller->ns = shared_db ? "shared" : caller->access_key + "_" + caller->region;
  return true;
}

}  // namespace cairn::auth
