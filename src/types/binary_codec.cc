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
// pointer. Decoding reads through ItemFormatReader (binary_codec.h), which checks every length
// against the bytes left before using it.
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

// Builds an Item from the bytes, walking the grammar with ItemFormatReader (which checks every
// rule). protocol/stored_item_json.cc walks the same grammar to write JSON; keep the two in step.
class ItemBuilder {
 public:
  explicit ItemBuilder(std::string_view bytes) : reader_(bytes) {}

  bool ReadItem(Item* out) {
    return reader_.ReadVersion() && ReadAttrs(out, 0) && reader_.Finish();
  }

  Status status() const { return reader_.status(); }

 private:
  bool ReadAttrs(AttributeMap* out, int depth) {
    uint64_t count;
    if (!reader_.ReadCount(AttributeType::kM, &count)) return false;
    std::string_view name;
    for (uint64_t i = 0; i < count; ++i) {
      if (!reader_.ReadName(i, &name)) return false;
      auto it = out->emplace_hint(out->end(), std::string(name), AttributeValue());
      if (!ReadValue(&it->second, depth)) return false;
    }
    return true;
  }

  bool ReadValue(AttributeValue* v, int depth) {
    if (!reader_.ReadType(&v->type)) return false;
    std::string_view bytes;
    switch (v->type) {
      case AttributeType::kS:
      case AttributeType::kB:
        if (!reader_.ReadBytes(&bytes)) return false;
        v->s.assign(bytes.data(), bytes.size());
        return true;
      case AttributeType::kN:
        if (!reader_.ReadNumber(&bytes)) return false;
        v->s.assign(bytes.data(), bytes.size());
        return true;
      case AttributeType::kBOOL:
        return reader_.ReadBool(&v->boolean);
      case AttributeType::kNULL:
        v->boolean = true;
        return true;
      case AttributeType::kM:
        return reader_.CheckNesting(depth) && ReadAttrs(&v->map, depth + 1);
      case AttributeType::kL: {
        uint64_t count;
        if (!reader_.CheckNesting(depth) || !reader_.ReadCount(v->type, &count)) return false;
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
        if (!reader_.ReadCount(v->type, &count)) return false;
        v->set.resize(count);
        for (std::string& m : v->set) {
          if (!reader_.ReadBytes(&bytes)) return false;
          m.assign(bytes.data(), bytes.size());
        }
        return true;
      }
    }
    return false;  // unreachable: ReadType accepts only the ten types
  }

  ItemFormatReader reader_;
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
  ItemBuilder builder(bytes);
  Item item;
  if (!builder.ReadItem(&item)) return builder.status();
  return item;
}

}  // namespace cairn
