// Stored item -> DynamoDB JSON. The walk mirrors DecodeItem's (types/binary_codec.cc) and reads
// every primitive through ItemFormatReader, which holds all of the format's rules; so the two
// accept exactly the same bytes (a property test in stored_item_json_test.cc compares them on
// random items and corruptions). Nothing is allocated per value: strings are written from views
// into the stored bytes, B values are base64-encoded straight into the output.
//
// The output goes through a Cursor, not through JsonWriter's appends: each write first makes sure
// of room for its largest possible size (a string of n bytes: 6n + 2, every byte escaped), growing
// the string only when it lacks it, then writes with plain stores. Through the appends, each with
// its own check of the string's capacity, a Query of 10 items of 4 attributes cost 66,176
// instructions; this way 62,906 (bench/instructions).
#include "protocol/stored_item_json.h"

#include <algorithm>
#include <cstring>

#include "types/attribute_value.h"
#include "types/base64.h"
#include "types/binary_codec.h"

namespace cairn::protocol {
namespace {

// Writes into *s from its current end. Every write makes room for itself first; the string's size
// runs ahead of what is written (zero-filled by resize, then overwritten) until the destructor
// trims it to the written end.
class Cursor {
 public:
  Cursor(std::string* s, size_t expected) : s_(s), written_(s->size()) { Grow(expected); }
  ~Cursor() { s_->resize(static_cast<size_t>(p_ - s_->data())); }  // Finish
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  void Put(char c) {
    Room(1);
    *p_++ = c;
  }
  void Put(std::string_view text) {
    Room(text.size());
    std::memcpy(p_, text.data(), text.size());
    p_ += text.size();
  }
  void Quoted(std::string_view s) {
    Room(JsonWriter::QuotedBound(s.size()));
    p_ = JsonWriter::WriteQuoted(p_, s);
  }
  void Base64(std::string_view raw) {
    Room(Base64Length(raw.size()) + 2);
    *p_++ = '"';
    p_ = Base64EncodeTo(raw, p_);
    *p_++ = '"';
  }

 private:
  void Room(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) Grow(n);
  }
  // Makes room for at least n more bytes, and for half as much again as written so far (growth in
  // proportion to the output, so a large item resizes a few times, not once per value).
  void Grow(size_t n) {
    const size_t at = p_ ? static_cast<size_t>(p_ - s_->data()) : written_;
    s_->resize(at + std::max(n, (at - written_) / 2 + 64));
    p_ = s_->data() + at;
    end_ = s_->data() + s_->size();
  }

  std::string* s_;
  const size_t written_;  // the string's size before this item
  char* p_ = nullptr;
  char* end_ = nullptr;
};

class Transcoder {
 public:
  Transcoder(std::string_view stored, Cursor& out) : reader_(stored), out_(out) {}

  // Writes the whole item; adds its DynamoDB size (ItemSize) to *size.
  bool WriteItem(size_t* size) {
    uint64_t count;
    return reader_.ReadVersion() && WriteAttrs(0, &count, size) && reader_.Finish();
  }

  Status status() const { return reader_.status(); }

 private:
  // attrs as a JSON object of attribute values; *count is the number of attributes. Adds the names'
  // and values' sizes to *size.
  bool WriteAttrs(int depth, uint64_t* count, size_t* size) {
    if (!reader_.ReadCount(AttributeType::kM, count)) return false;
    out_.Put('{');
    std::string_view name;
    for (uint64_t i = 0; i < *count; ++i) {
      if (!reader_.ReadName(i, &name)) return false;
      if (i > 0) out_.Put(',');
      out_.Quoted(name);
      out_.Put(':');
      if (!WriteValue(depth, size)) return false;
      *size += name.size();
    }
    out_.Put('}');
    return true;
  }

  // One value as {"<type>": ...}, as WriteValueJson writes it; adds its Size() to *size.
  bool WriteValue(int depth, size_t* size) {
    static constexpr std::string_view kOpen[] = {
        R"({"S":)", R"({"N":)", R"({"B":)", R"({"BOOL":)", R"({"NULL":)",
        R"({"M":)", R"({"L":[)", R"({"SS":[)", R"({"NS":[)", R"({"BS":[)"};
    AttributeType type;
    if (!reader_.ReadType(&type)) return false;
    out_.Put(kOpen[static_cast<size_t>(type)]);
    std::string_view bytes;
    switch (type) {
      case AttributeType::kS:
        if (!reader_.ReadBytes(&bytes)) return false;
        out_.Quoted(bytes);
        *size += bytes.size();
        break;
      case AttributeType::kN:
        if (!reader_.ReadNumber(&bytes)) return false;
        out_.Quoted(bytes);
        *size += NumberSize(bytes);
        break;
      case AttributeType::kB:
        if (!reader_.ReadBytes(&bytes)) return false;
        out_.Base64(bytes);
        *size += bytes.size();
        break;
      case AttributeType::kBOOL: {
        bool b;
        if (!reader_.ReadBool(&b)) return false;
        out_.Put(b ? std::string_view("true") : std::string_view("false"));
        *size += 1;
        break;
      }
      case AttributeType::kNULL:
        out_.Put("true");
        *size += 1;
        break;
      case AttributeType::kM: {
        uint64_t count;
        if (!reader_.CheckNesting(depth) || !WriteAttrs(depth + 1, &count, size)) return false;
        *size += 3 + count;
        break;
      }
      case AttributeType::kL: {
        uint64_t count;
        if (!reader_.CheckNesting(depth) || !reader_.ReadCount(type, &count)) return false;
        for (uint64_t i = 0; i < count; ++i) {
          if (i > 0) {
            out_.Put(',');
          }
          if (!WriteValue(depth + 1, size)) return false;
        }
        out_.Put(']');
        *size += 3 + count;
        break;
      }
      case AttributeType::kSS:
      case AttributeType::kNS:
      case AttributeType::kBS: {
        uint64_t count;
        if (!reader_.ReadCount(type, &count)) return false;
        for (uint64_t i = 0; i < count; ++i) {
          if (!reader_.ReadBytes(&bytes)) return false;
          if (i > 0) {
            out_.Put(',');
          }
          if (type == AttributeType::kBS) {
            out_.Base64(bytes);
            *size += bytes.size();
          } else {
            out_.Quoted(bytes);
            *size += type == AttributeType::kNS ? NumberSize(bytes) : bytes.size();
          }
        }
        out_.Put(']');
        break;
      }
    }
    out_.Put('}');
    return true;
  }

  ItemFormatReader reader_;
  Cursor& out_;
};

}  // namespace

Result<size_t> WriteStoredItem(std::string_view stored, JsonWriter& w) {
  size_t size = 0;
  bool ok;
  Status status;
  {
    // About what the JSON of a small item takes: its bytes, plus quotes, braces and type names.
    Cursor out(w.RawValue(), 2 * stored.size() + 64);
    Transcoder transcoder(stored, out);
    ok = transcoder.WriteItem(&size);
    if (!ok) status = transcoder.status();
  }
  if (!ok) return status;
  return size;
}

}  // namespace cairn::protocol
