#include "protocol/stored_item_json.h"

#include "types/attribute_value.h"
#include "types/base64.h"

namespace cairn::protocol {
namespace {

class Transcoder {
 public:
  Transcoder(std::string_view in, JsonWriter& w) : p_(in.data()), end_(in.data() + in.size()), w_(w) {}

  bool Item(size_t* size) {
    if (p_ == end_ || *p_ != 1) return false;  // version 1
    ++p_;
    if (!Attrs(size, 0)) return false;
    return p_ == end_;
  }

 private:
  bool Varint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      uint8_t b = uint8_t(*p_++);
      r |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) {
        *v = r;
        return true;
      }
    }
    return false;
  }
  bool Bytes(std::string_view* out) {
    uint64_t n;
    if (!Varint(&n) || n > uint64_t(end_ - p_)) return false;
    *out = std::string_view(p_, n);
    p_ += n;
    return true;
  }

  bool Attrs(size_t* size, int depth) {
    uint64_t count;
    if (!Varint(&count) || count > uint64_t(end_ - p_)) return false;
    w_.BeginObject();
    for (uint64_t i = 0; i < count; ++i) {
      std::string_view name;
      if (!Bytes(&name)) return false;
      w_.Key(name);
      size_t value_size = 0;
      if (!Value(&value_size, depth)) return false;
      *size += name.size() + value_size;
    }
    w_.EndObject();
    return true;
  }

  bool Value(size_t* size, int depth) {
    if (p_ == end_ || depth > 64) return false;
    auto type = AttributeType(uint8_t(*p_++));
    w_.BeginObject();
    std::string_view bytes;
    switch (type) {
      case AttributeType::kS:
        if (!Bytes(&bytes)) return false;
        w_.KV("S", bytes);
        *size = bytes.size();
        break;
      case AttributeType::kN:
        if (!Bytes(&bytes)) return false;
        w_.KV("N", bytes);
        *size = NumberSize(bytes);
        break;
      case AttributeType::kB:
        if (!Bytes(&bytes)) return false;
        base64_.clear();
        Base64Encode(bytes, &base64_);
        w_.KV("B", base64_);
        *size = bytes.size();
        break;
      case AttributeType::kBOOL:
        if (p_ == end_) return false;
        w_.Key("BOOL");
        w_.Bool(*p_++ != 0);
        *size = 1;
        break;
      case AttributeType::kNULL:
        w_.Key("NULL");
        w_.Bool(true);
        *size = 1;
        break;
      case AttributeType::kM: {
        w_.Key("M");
        size_t inner = 0;
        uint64_t before = Peek();
        if (!Attrs(&inner, depth + 1)) return false;
        *size = 3 + before + inner;
        break;
      }
      case AttributeType::kL: {
        uint64_t count;
        if (!Varint(&count) || count > uint64_t(end_ - p_)) return false;
        w_.Key("L");
        w_.BeginArray();
        size_t inner = 3 + count;
        for (uint64_t i = 0; i < count; ++i) {
          size_t element = 0;
          if (!Value(&element, depth + 1)) return false;
          inner += element;
        }
        w_.EndArray();
        *size = inner;
        break;
      }
      case AttributeType::kSS:
      case AttributeType::kNS:
      case AttributeType::kBS: {
        uint64_t count;
        if (!Varint(&count) || count > uint64_t(end_ - p_)) return false;
        w_.Key(type == AttributeType::kSS ? "SS" : type == AttributeType::kNS ? "NS" : "BS");
        w_.BeginArray();
        size_t inner = 0;
        for (uint64_t i = 0; i < count; ++i) {
          if (!Bytes(&bytes)) return false;
          if (type == AttributeType::kBS) {
            base64_.clear();
            Base64Encode(bytes, &base64_);
            w_.String(base64_);
            inner += bytes.size();
          } else {
            w_.String(bytes);
            inner += type == AttributeType::kNS ? NumberSize(bytes) : bytes.size();
          }
        }
        w_.EndArray();
        *size = inner;
        break;
      }
      default:
        return false;
    }
    w_.EndObject();
    return true;
  }

  // The attribute count of the map about to be read (a map costs 1 byte per element).
  uint64_t Peek() {
    const char* save = p_;
    uint64_t count = 0;
    if (!Varint(&count)) count = 0;
    p_ = save;
    return count;
  }

  const char* p_;
  const char* end_;
  JsonWriter& w_;
  std::string base64_;
};

}  // namespace

Result<size_t> WriteStoredItem(std::string_view stored, JsonWriter& w) {
  size_t size = 0;
  Transcoder t(stored, w);
  if (!t.Item(&size)) return Status::Corruption("stored item");
  return size;
}

}  // namespace cairn::protocol
