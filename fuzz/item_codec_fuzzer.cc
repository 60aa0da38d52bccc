// Fuzz target: the binary item codec (src/types/binary_codec.h), the stored item format.
// Feeds: the first byte chooses the mode. Mode "bytes" gives the rest to DecodeItem as a stored
// value, possibly corrupt; mode "item" builds a valid Item from the rest (fuzz_values.h).
// Asserts, beyond no crash and no sanitizer report (DecodeItem must report any malformed bytes as
// Status::Corruption, never read outside them, never recurse without bound):
//  - bytes: what DecodeItem accepts re-encodes to exactly the same bytes (the format has one
//    encoding per item: minimal varints, names in increasing order), and a rejection is Corruption;
//  - item: DecodeItem(EncodeItem(item)) succeeds and equals item, and encoding is deterministic.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "fuzz_values.h"
#include "types/binary_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (data[0] & 1) {
    const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    cairn::Result<cairn::Item> item = cairn::DecodeItem(bytes);
    if (!item.ok()) {
      FUZZ_CHECK(item.status().code() == cairn::Status::Code::kCorruption);
      return 0;
    }
    std::string again;
    cairn::EncodeItem(item.value(), &again);
    FUZZ_CHECK(again == bytes);
    return 0;
  }
  FuzzedDataProvider p(data + 1, size - 1);
  const cairn::Item item = cairn::fuzz::FuzzItem(p);
  std::string bytes;
  cairn::EncodeItem(item, &bytes);
  cairn::Result<cairn::Item> decoded = cairn::DecodeItem(bytes);
  FUZZ_CHECK(decoded.ok());
  FUZZ_CHECK(decoded.value() == item);
  std::string again;
  cairn::EncodeItem(decoded.value(), &again);
  FUZZ_CHECK(again == bytes);
  return 0;
}
