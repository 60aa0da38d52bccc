// The 2011-12-05 API version (target prefix DynamoDB_20111205.), which boto 2's Layer1 speaks.
// Not implemented yet: every operation of that version is an UnknownOperationException.
#include "api/operations.h"

namespace cairn::api {

OpFn FindOperation20111205(std::string_view) { return nullptr; }

}  // namespace cairn::api
