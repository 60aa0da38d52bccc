// Binary item codec; the byte grammar is in docs/format.md ("Item value format (version 1)"):
//
//   item   := version:u8(=1) attrs
//   attrs  := count:varint (name value)[count]       names in strictly increasing byte order
//   name   := len:varint byte[len]
//   value  := type:u8 payload                         type = AttributeType (attribute_value.h)
//     S, N, B    := len:varint byte[len]              N as canonical text, B raw bytes
//     BOOL       := u8 (0 or 1)
//     NULL       := (empty)
//     M          := attrs
//     L          := count:varint value[count]
//     SS, NS, BS := count:varint (len:varint byte[len])[count]
//   varint := unsigned LEB128 (7 bits per byte, low group first, at most 10 bytes, minimal)
//
// Encoding computes the exact size first, so it resizes the output once and writes through a
// pointer. Decoding checks every length against the bytes left before using it.
#include "types/binary_codec.h"

#include <cstring>

namespace cairn {
namespace {

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

char* PutBytes(char* p, std::string_view s) {
  p = PutVarint(p, s.size());
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

size_t BytesSize(std::string_view s) { return VarintSize(s.size()) + s.size(); }

size_t ValueSize(const AttributeValue& v);

size_t AttrsSize(const AttributeMap& m) {
  size_t n = VarintSize(m.size());
  for (const auto& [name, value] : m) n += BytesSize(name) + ValueSize(value);
  return n;
}

size_t ValueSize(const AttributeValue& v) {
  size_t n = 1;  // type byte
  switch (v.type) {
    case AttributeType::kS:
    case AttributeType::kN:
    case AttributeType::kB:
      return n + BytesSize(v.s);
    case AttributeType::kBOOL:
      return n + 1;
    case AttributeType::kNULL:
      return n;
    case AttributeType::kM:
      return n + AttrsSize(v.map);
    case AttributeType::kL:
      n += VarintSize(v.list.size());
      for (const AttributeValue& e : v.list) n += ValueSize(e);
      return n;
    case AttributeType::kSS:
    case AttributeType::kNS:
    case AttributeType::kBS:
      n += VarintSize(v.set.size());
      for (const std::string& m : v.set) n += BytesSize(m);
      return n;
  }
  return n;
}

char* PutValue(char* p, const AttributeValue& v);

char* PutAttrs(char* p, const AttributeMap& m) {
  p = PutVarint(p, m.size());
  for (const auto& [name, value] : m) {
    p = PutBytes(p, name);
    p = PutValue(p, value);
  }
  return p;
}

char* PutValue(char* p, const AttributeValue& v) {
  *p++ = static_cast<char>(v.type);
  switch (v.type) {
    case AttributeType::kS:
    case AttributeType::kN:
    case AttributeType::kB:
      return PutBytes(p, v.s);
    case AttributeType::kBOOL:
      *p++ = v.boolean ? 1 : 0;
      return p;
    case AttributeType::kNULL:
      return p;
    case AttributeType::kM:
      return PutAttrs(p, v.map);
    case AttributeType::kL:
      p = PutVarint(p, v.list.size());
      for (const AttributeValue& e : v.list) p = PutValue(p, e);
      return p;
    case AttributeType::kSS:
    case AttributeType::kNS:
    case AttributeType::kBS:
      p = PutVarint(p, v.set.size());
      for (const std::string& m : v.set) p = PutBytes(p, m);
      return p;
  }
  return p;
}

// Reads from [p_, end_). Every method returns false on malformed input and sets error_.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  bool ReadAttrs(AttributeMap* out, int depth) {
    uint64_t count;
    // Each attribute takes at least 2 bytes (name length, type).
    if (!ReadCount(&count, 2)) return false;
    std::string_view prev;
    for (uint64_t i = 0; i < count; ++i) {
      std::string_view name;
      if (!ReadBytes(&name)) return false;
      if (i > 0 && !(prev < name)) return Fail("attribute names not in increasing order");
      prev = name;
      auto it = out->emplace_hint(out->end(), std::string(name), AttributeValue());
      if (!ReadValue(&it->second, depth)) return false;
    }
    return true;
  }

  bool ReadValue(AttributeValue* v, int depth) {
    if (p_ == end_) return Fail("truncated value");
    const uint8_t type = static_cast<uint8_t>(*p_++);
    if (type > static_cast<uint8_t>(AttributeType::kBS)) return Fail("unknown type byte");
    v->type = static_cast<AttributeType>(type);
    switch (v->type) {
      case AttributeType::kS:
      case AttributeType::kB:
        return ReadString(&v->s);
      case AttributeType::kN:
        if (!ReadString(&v->s)) return false;
        if (v->s.empty()) return Fail("empty number");
        return true;
      case AttributeType::kBOOL: {
        if (p_ == end_) return Fail("truncated BOOL");
        const uint8_t b = static_cast<uint8_t>(*p_++);
        if (b > 1) return Fail("bad BOOL byte");
        v->boolean = b == 1;
        return true;
      }
      case AttributeType::kNULL:
        v->boolean = true;
        return true;
      case AttributeType::kM:
        if (depth >= kMaxStoredNesting) return Fail("nesting too deep");
        return ReadAttrs(&v->map, depth + 1);
      case AttributeType::kL: {
        if (depth >= kMaxStoredNesting) return Fail("nesting too deep");
        uint64_t count;
        if (!ReadCount(&count, 1)) return false;
        v->list.resize(count);
        for (AttributeValue& e : v->list) {
          if (!ReadValue(&e, depth + 1)) return false;
        }
        return true;
      }
      case AttributeType::kSS:
      case AttributeType::kNS:
      case AttributeType::kBS: {
        uint64_t count;
        if (!ReadCount(&count, 1)) return false;
        v->set.resize(count);
        for (std::string& m : v->set) {
          if (!ReadString(&m)) return false;
        }
        return true;
      }
    }
    return Fail("unknown type byte");
  }

  bool at_end() const { return p_ == end_; }
  const char* error() const { return error_; }

 private:
  bool Fail(const char* why) {
    error_ = why;
    return false;
  }

  bool ReadVarint(uint64_t* v) {
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

  // A count of elements that each need at least `min_bytes` bytes: bounded by what is left, so a
  // corrupt count cannot make the caller allocate more than the input justifies.
  bool ReadCount(uint64_t* count, size_t min_bytes) {
    if (!ReadVarint(count)) return false;
    if (*count > static_cast<uint64_t>(end_ - p_) / min_bytes) return Fail("count exceeds input");
    return true;
  }

  bool ReadBytes(std::string_view* out) {
    uint64_t len;
    if (!ReadVarint(&len)) return false;
    if (len > static_cast<uint64_t>(end_ - p_)) return Fail("length exceeds input");
    *out = std::string_view(p_, static_cast<size_t>(len));
    p_ += len;
    return true;
  }

  bool ReadString(std::string* out) {
    std::string_view s;
    if (!ReadBytes(&s)) return false;
    out->assign(s.data(), s.size());
    return true;
  }

  const char* p_;
  const char* end_;
  const char* error_ = "";
};

}  // namespace

void EncodeItem(const Item& item, std::string* out) {
  const size_t start = out->size();
  const size_t size = 1 + AttrsSize(item);
  out->resize(start + size);
  char* p = out->data() + start;
  *p++ = static_cast<char>(kItemFormatVersion);
  PutAttrs(p, item);
}

Result<Item> DecodeItem(std::string_view bytes) {
  if (bytes.empty()) return Status::Corruption("item value: empty");
  if (static_cast<uint8_t>(bytes[0]) != kItemFormatVersion) {
    return Status::Corruption("item value: unknown format version " +
                              std::to_string(static_cast<uint8_t>(bytes[0])));
  }
  Reader reader(bytes.substr(1));
  Item item;
  if (!reader.ReadAttrs(&item, 0)) {
    return Status::Corruption(std::string("item value: ") + reader.error());
  }
  if (!reader.at_end()) return Status::Corruption("item value: trailing bytes");
  return item;
}

}  // namespace cairn
