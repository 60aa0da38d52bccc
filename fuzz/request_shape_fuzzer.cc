// Fuzz target: the request-shape checks (src/protocol/shape_check.h, constraint_check.h), the first
// things api/dispatch.cc does with a body.
// Feeds: "<Operation>\n<JSON body>". The first line names an operation of the service model
// (protocol/service_model.h, both services); a line that names none picks one by its bytes'
// sum. The body is parsed by simdjson as dispatch.cc does.
// Runs CheckShape(input, body) and, as dispatch.cc does when that passes, CheckConstraints.
// Asserts, beyond no crash, no hang and no sanitizer report:
//  - CheckShape returns nothing or a SerializationException (HTTP 400); CheckConstraints returns
//    nothing or a ValidationException (HTTP 400) whose message starts "N validation error(s)
//    detected: ";
//  - both are deterministic: a second call on the same body gives the same answer.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "protocol/constraint_check.h"
#include "protocol/service_model.h"
#include "protocol/shape_check.h"

namespace {

using cairn::protocol::ApiError;

bool Same(const std::optional<ApiError>& a, const std::optional<ApiError>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->type == b->type && a->message == b->message && a->http_status == b->http_status);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input_bytes(reinterpret_cast<const char*>(data), size);
  const size_t newline = input_bytes.find('\n');
  if (newline == std::string_view::npos) return 0;
  const std::string_view name = input_bytes.substr(0, newline);
  const cairn::protocol::Shape* found = cairn::protocol::FindInputShape("DynamoDB_20120810", name);
  if (found == nullptr) found = cairn::protocol::FindInputShape("DynamoDBStreams_20120810", name);
  if (found == nullptr) {
    const auto operations = cairn::protocol::Operations();
    size_t sum = 0;
    for (char ch : name) sum += static_cast<unsigned char>(ch);
    found = &cairn::protocol::ShapeAt(operations[sum % operations.size()].input);
  }
  const cairn::protocol::Shape& input = *found;
  static simdjson::dom::parser parser;
  simdjson::dom::element body;
  const std::string_view json = input_bytes.substr(newline + 1);
  if (parser.parse(json.data(), json.size()).get(body) != simdjson::SUCCESS) return 0;
  const std::optional<ApiError> shape_error = cairn::protocol::CheckShape(input, body);
  FUZZ_CHECK(Same(shape_error, cairn::protocol::CheckShape(input, body)));
  if (shape_error) {
    FUZZ_CHECK(shape_error->type == "SerializationException");
    FUZZ_CHECK(shape_error->http_status == 400);
    return 0;
  }
  if (!body.is_object()) return 0;  // dispatch.cc answers a SerializationException itself
  const std::optional<ApiError> error = cairn::protocol::CheckConstraints(input, body);
  FUZZ_CHECK(Same(error, cairn::protocol::CheckConstraints(input, body)));
  if (error) {
    FUZZ_CHECK(error->type == "ValidationException");
    FUZZ_CHECK(error->http_status == 400);
    const std::string& m = error->message;
    FUZZ_CHECK(m.find(" validation error") != std::string::npos &&
               m.find(" detected: ") != std::string::npos);
  }
  return 0;
}
