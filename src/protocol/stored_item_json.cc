// Stored item -> DynamoDB JSON. The walk mirrors DecodeItem's (types/binary_codec.cc) and reads
// every primitive through ItemFormatReader, which holds all of the format's rules; so the two
// accept exactly the same bytes (a property test in stored_item_json_test.cc compares them on
// random items and corruptions). Nothing is allocated per value: strings are written from views
// into the stored bytes, and B values are base64-encoded straight into the output.
#include "protocol/stored_item_json.h"

#include "types/attribute_value.h"
#include "types/binary_codec.h"

namespace cairn::protocol {
namespace {

class Transcoder {
 public:
  Transcoder(std::string_view stored, JsonWriter& w) : reader_(stored), w_(w) {}

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
    w_.BeginObject();
    std::string_view name;
    for (uint64_t i = 0; i < *count; ++i) {
      if (!reader_.ReadName(i, &name)) return false;
      w_.Key(name);
      if (!WriteValue(depth, size)) return false;
      *size += name.size();
    }
    w_.EndObject();
    return true;
  }

  // One value as {"<type>": ...}, as WriteValueJson writes it; adds its Size() to *size. Scalars
  // go to WriteScalar; maps, lists and sets are written here, through the writer.
  bool WriteValue(int depth, size_t* size) {
    AttributeType type;
    if (!reader_.ReadType(&type)) return false;
    if (type <= AttributeType::kNULL) return WriteScalar(type, size);
    w_.BeginObject();
    w_.Key(TypeName(type));
    std::string_view bytes;
    switch (type) {
      case AttributeType::kS:
      case AttributeType::kN:
      case AttributeType::kB:
      case AttributeType::kBOOL:
      case AttributeType::kNULL:
        return false;  // not reached: WriteScalar writes them (above)
      case AttributeType::kM: {
        uint64_t count;
        if (!reader_.CheckNesting(depth) || !WriteAttrs(depth + 1, &count, size)) return false;
        *size += 3 + count;
        break;
      }
      case AttributeType::kL: {
        uint64_t count;
        if (!reader_.CheckNesting(depth) || !reader_.ReadCount(type, &count)) return false;
        w_.BeginArray();
        for (uint64_t i = 0; i < count; ++i) {
          if (!WriteValue(depth + 1, size)) return false;
        }
        w_.EndArray();
        *size += 3 + count;
        break;
      }
      case AttributeType::kSS:
      case AttributeType::kNS:
      case AttributeType::kBS: {
        uint64_t count;
        if (!reader_.ReadCount(type, &count)) return false;
        w_.BeginArray();
        for (uint64_t i = 0; i < count; ++i) {
          if (!reader_.ReadBytes(&bytes)) return false;
          if (type == AttributeType::kBS) {
            w_.Base64(bytes);
            *size += bytes.size();
          } else {
            w_.String(bytes);
            *size += type == AttributeType::kNS ? NumberSize(bytes) : bytes.size();
          }
        }
        w_.EndArray();
        break;
      }
    }
    w_.EndObject();
    return true;
  }

  // A value of one of the five scalar types, written whole as one JSON value: the opening
  // {"<type>": is one literal, the value is appended directly. Through the writer's BeginObject,
  // Key(TypeName) and EndObject this was ~200 instructions more per attribute (bench/instructions,
  // Query of 10 items of 4 attributes).
  bool WriteScalar(AttributeType type, size_t* size) {
    static constexpr std::string_view kOpen[] = {R"({"S":)", R"({"N":)", R"({"B":)",
                                                 R"({"BOOL":)", R"({"NULL":)"};
    std::string* out = w_.RawValue();
    out->append(kOpen[static_cast<size_t>(type)]);
    std::string_view bytes;
    switch (type) {
      case AttributeType::kS:
        if (!reader_.ReadBytes(&bytes)) return false;
        JsonWriter::AppendQuoted(out, bytes);
        *size += bytes.size();
        break;
      case AttributeType::kN:
        if (!reader_.ReadNumber(&bytes)) return false;
        JsonWriter::AppendQuoted(out, bytes);
        *size += NumberSize(bytes);
        break;
      case AttributeType::kB:
        if (!reader_.ReadBytes(&bytes)) return false;
        JsonWriter::AppendBase64(out, bytes);
        *size += bytes.size();
        break;
      case AttributeType::kBOOL: {
        bool b;
        if (!reader_.ReadBool(&b)) return false;
        out->append(b ? "true" : "false");
        *size += 1;
        break;
      }
      default:  // kNULL
        out->append("true");
        *size += 1;
        break;
    }
    out->push_back('}');
    return true;
  }

  ItemFormatReader reader_;
  JsonWriter& w_;
};

}  // namespace

Result<size_t> WriteStoredItem(std::string_view stored, JsonWriter& w) {
  size_t size = 0;
  Transcoder transcoder(stored, w);
  if (!transcoder.WriteItem(&size)) return transcoder.status();
  return size;
}

}  // namespace cairn::protocol
