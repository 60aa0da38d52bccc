// Binary item codec: an Item <-> the compact bytes stored as an item's value (the "item value
// format", docs/format.md). The first byte is the format version (1); then the attribute map with
// varint lengths and one AttributeType byte per value, recursively for L and M.
// Invariants: EncodeItem output always decodes to an equal Item; DecodeItem never reads outside
// `bytes`, never recurses deeper than kMaxStoredNesting, and reports any malformed input as
// Status::Corruption. Every rule of the format that a reader checks lives in ItemFormatReader, the
// one reader of the format's primitives: DecodeItem and protocol::WriteStoredItem (which writes
// JSON straight from the bytes) both use it, so they accept exactly the same bytes. Stateless
// functions: safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "types/attribute_value.h"
#include "util/status.h"

namespace cairn {

// Current item value format. Stored on disk: a new format gets a new number, old ones stay
// readable.
inline constexpr uint8_t kItemFormatVersion = 1;

// The deepest L/M nesting DecodeItem accepts. DynamoDB allows 32 levels; this leaves room so that a
// stored item is never unreadable, while bounding recursion on corrupt input.
inline constexpr int kMaxStoredNesting = 64;

// Appends the encoding of `item` to *out (one allocation at most).
void EncodeItem(const Item& item, std::string* out);

// Decodes a whole item value. Returns Status::Corruption if the bytes are not exactly one
// well-formed item of a known format version (truncated, trailing bytes, bad type byte, map keys
// not in strictly increasing order, nesting deeper than kMaxStoredNesting, ...).
Result<Item> DecodeItem(std::string_view bytes);

// ItemFormatReader: a cursor over bytes in the item value format that reads the format's
// primitives (version byte, varints, counts, names, type bytes, payloads) and checks every rule
// docs/format.md states for them. A decoder walks the grammar (item := version attrs, recursively
// for L and M) and asks the reader for each primitive in order:
//
//   ReadVersion(), then attrs := ReadCount(kM), then per attribute ReadName() and a value;
//   value := ReadType(), then by type: S, B: ReadBytes(); N: ReadNumber(); BOOL: ReadBool();
//            NULL: nothing; M: CheckNesting(depth) and attrs; L: CheckNesting(depth),
//            ReadCount(kL) and values; SS, NS, BS: ReadCount(type) and ReadBytes() per member;
//   and Finish() after the item.
//
// Invariants: never reads outside the bytes given; a method that returns false has found
// corruption, and status() then describes it (the reader must not be used further); views handed
// out point into the input. Methods are inline: the JSON transcoder is on the read path of
// GetItem, Query and Scan. Does not own the bytes; one reader per decode, not thread-safe.
class ItemFormatReader {
 public:
  explicit ItemFormatReader(std::string_view bytes)
      : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  // The format version byte: must be kItemFormatVersion.
  [[nodiscard]] bool ReadVersion() {
    if (p_ == end_) return Fail("empty");
    version_ = static_cast<uint8_t>(*p_++);
    if (version_ != kItemFormatVersion) return Fail(kUnknownVersion);
    return true;
  }

  // Unsigned LEB128, at most 10 bytes, minimal (no trailing 0x00 group), value < 2^64.
  [[nodiscard]] bool ReadVarint(uint64_t* v) {
    if (p_ != end_ && static_cast<uint8_t>(*p_) < 0x80) {  // one byte: most lengths and counts
      *v = static_cast<uint8_t>(*p_++);
      return true;
    }
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return Fail("truncated varint");
      const uint8_t b = static_cast<uint8_t>(*p_++);
      if (shift == 63 && b > 1) return Fail("varint overflow");
      result |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        // Only the minimal encoding is valid, so that an item has exactly one encoding.
        if (b == 0 && shift > 0) return Fail("non-minimal varint");
        *v = result;
        return true;
      }
    }
    return Fail("varint too long");
  }

  // The element count of a container of type `container` (kM for an item's or a map's attributes,
  // kL, kSS, kNS, kBS). It may not exceed the bytes left divided by the smallest encoding of an
  // element (2 for an attribute: name length and type byte; 1 otherwise), so a corrupt count
  // cannot make the caller allocate more than the input justifies.
  [[nodiscard]] bool ReadCount(AttributeType container, uint64_t* count) {
    if (!ReadVarint(count)) return false;
    const uint64_t min_element_bytes = container == AttributeType::kM ? 2 : 1;
    if (*count > static_cast<uint64_t>(end_ - p_) / min_element_bytes) {
      return Fail("count exceeds input");
    }
    return true;
  }

  // len:varint byte[len]: an S or B payload, a set member, or (through ReadName) a name.
  [[nodiscard]] bool ReadBytes(std::string_view* out) {
    uint64_t len;
    if (!ReadVarint(&len)) return false;
    if (len > static_cast<uint64_t>(end_ - p_)) return Fail("length exceeds input");
    *out = std::string_view(p_, static_cast<size_t>(len));
    p_ += len;
    return true;
  }

  // The name of attribute number `index` of a map. Names are in strictly increasing unsigned byte
  // order, so when index > 0, *name must hold the previous attribute's name on entry; it holds the
  // new name on return.
  [[nodiscard]] bool ReadName(uint64_t index, std::string_view* name) {
    const std::string_view prev = *name;
    if (!ReadBytes(name)) return false;
    if (index > 0 && !(prev < *name)) return Fail("attribute names not in increasing order");
    return true;
  }

  // A type byte: one of the ten AttributeType values.
  [[nodiscard]] bool ReadType(AttributeType* type) {
    if (p_ == end_) return Fail("truncated value");
    const uint8_t b = static_cast<uint8_t>(*p_++);
    if (b > static_cast<uint8_t>(AttributeType::kBS)) return Fail("unknown type byte");
    *type = static_cast<AttributeType>(b);
    return true;
  }

  // An N payload: canonical Number text, never empty.
  [[nodiscard]] bool ReadNumber(std::string_view* out) {
    if (!ReadBytes(out)) return false;
    if (out->empty()) return Fail("empty number");
    return true;
  }

  // A BOOL payload: 0 (false) or 1 (true).
  [[nodiscard]] bool ReadBool(bool* out) {
    if (p_ == end_) return Fail("truncated BOOL");
    const uint8_t b = static_cast<uint8_t>(*p_++);
    if (b > 1) return Fail("bad BOOL byte");
    *out = b == 1;
    return true;
  }

  // Call before reading the contents of an L or M value at nesting `depth` (the number of L and M
  // values around it: 0 for an attribute of the item). At most kMaxStoredNesting levels, which
  // also bounds a decoder's recursion on corrupt input.
  [[nodiscard]] bool CheckNesting(int depth) {
    if (depth >= kMaxStoredNesting) return Fail("nesting too deep");
    return true;
  }

  // After the item: the value must end exactly there.
  [[nodiscard]] bool Finish() {
    if (p_ != end_) return Fail("trailing bytes");
    return true;
  }

  // Status::Corruption("item value: <what was wrong>") once a method has returned false.
  Status status() const {
    std::string message = std::string("item value: ") + error_;
    if (error_ == kUnknownVersion) {
      message += ' ';
      message += std::to_string(version_);
    }
    return Status::Corruption(std::move(message));
  }

 private:
  static constexpr char kUnknownVersion[] = "unknown format version";

  bool Fail(const char* why) {
    error_ = why;
    return false;
  }

  const char* p_;
  const char* end_;
  const char* error_ = "";
  uint8_t version_ = kItemFormatVersion;
};

}  // namespace cairn
