// Fuzz target: the JSON -> AttributeValue decoder (src/protocol/attribute_json.h).
// Feeds: the first byte chooses ValueFromJson (one attribute value, as an ExpressionAttributeValues
// entry) or ItemFromJson (an item or key); the rest is parsed by simdjson as the request body is.
// Asserts, beyond no crash and no sanitizer report:
//  - a rejection is an ApiException carrying SerializationException or ValidationException (HTTP
//    400), never another exception;
//  - round trip: what decodes, written back with WriteValueJson/WriteItemJson, parses and decodes
//    to an equal value, and writing that gives the same JSON text again (the writer's form is a
//    fixed point);
//  - what decodes is storable: EncodeItem/DecodeItem (types/binary_codec.h) round trip it.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "protocol/attribute_json.h"
#include "protocol/errors.h"
#include "types/binary_codec.h"

namespace {

using cairn::AttributeValue;
using cairn::Item;

simdjson::dom::parser& Parser() {
  static simdjson::dom::parser parser;
  return parser;
}

std::string Write(const Item& item) {
  std::string out;
  cairn::protocol::JsonWriter w(&out);
  cairn::protocol::WriteItemJson(w, item);
  return out;
}

// Decodes the JSON text written by Write() again; it must decode.
Item Reread(const std::string& json) {
  simdjson::dom::parser parser;  // not Parser(): the caller's document still lives there
  simdjson::dom::element doc;
  FUZZ_CHECK(parser.parse(simdjson::padded_string(json)).get(doc) == simdjson::SUCCESS);
  try {
    return cairn::protocol::ItemFromJson(doc);
  } catch (const cairn::protocol::ApiException& e) {
    std::fprintf(stderr, "re-decoding %s: %s\n", json.c_str(), e.error.message.c_str());
    FUZZ_CHECK(false && "the writer's JSON does not decode");
  }
  return {};
}

void CheckRoundTrip(const Item& item) {
  const std::string json = Write(item);
  const Item again = Reread(json);
  FUZZ_CHECK(again == item);
  FUZZ_CHECK(Write(again) == json);
  std::string bytes;
  cairn::EncodeItem(item, &bytes);
  cairn::Result<Item> stored = cairn::DecodeItem(bytes);
  FUZZ_CHECK(stored.ok());
  FUZZ_CHECK(stored.value() == item);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool whole_item = data[0] & 1;
  simdjson::dom::element doc;
  if (Parser().parse(reinterpret_cast<const char*>(data + 1), size - 1).get(doc) !=
      simdjson::SUCCESS)
    return 0;
  Item item;
  try {
    if (whole_item) {
      item = cairn::protocol::ItemFromJson(doc);
    } else {
      item.emplace("v", cairn::protocol::ValueFromJson(doc));
    }
  } catch (const cairn::protocol::ApiException& e) {
    FUZZ_CHECK(e.error.http_status == 400);
    FUZZ_CHECK(e.error.type == "SerializationException" || e.error.type == "ValidationException");
    return 0;
  }
  CheckRoundTrip(item);
  return 0;
}
