// The shape check; see shape_check.h for the rules and the texts.
#include "protocol/shape_check.h"

#include <array>
#include <cmath>
#include <string>
#include <string_view>

#include "protocol/attribute_json.h"
#include "types/base64.h"

namespace cairn::protocol {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// The JSON found, in the columns' order of the tables below.
enum Kind : uint8_t { kObject, kArray, kString, kNumber, kTrue, kFalse, kNull, kKindCount };
constexpr size_t kShapeTypeCount = static_cast<size_t>(ShapeType::kTimestamp) + 1;

using Row = std::array<std::string_view, kKindCount>;
using Table = std::array<Row, kShapeTypeCount>;

constexpr std::string_view kStructureNotExpected =
    "Start of structure or map found where not expected.";
constexpr std::string_view kListNotExpected = "Start of list found where not expected";
constexpr std::string_view kUnexpectedValue = "Unexpected value type in payload";
constexpr std::string_view kUnexpectedField = "Unexpected field type";
constexpr std::string_view kNullInSet = "Unexpected null value in a set";
constexpr std::string_view kBlobFromNumber =
    "class com.amazon.coral.value.json.numbers.TruncatedNumber can not be converted to an Blob";
constexpr std::string_view kBlobFromBoolean =
    "class java.lang.Boolean can not be converted to an Blob";

// The text for (shape expected: row, JSON found: column). Empty: the JSON fits (for null: the
// operation's decoder decides). A cell of a fitting pair that is not empty is the text for a value
// of that kind that still does not fit: a non-integral number for integer and long.
// Columns:  object  array  string  number  true  false  null (a list entry or map value)
constexpr Table kGenericTexts = {{
    /* kStructure */ {"", kListNotExpected, kUnexpectedValue, kUnexpectedValue, kUnexpectedValue,
                      kUnexpectedValue, ""},
    /* kList */
    {kStructureNotExpected, "", kUnexpectedValue, kUnexpectedValue, kUnexpectedValue,
     kUnexpectedValue, ""},
    /* kMap */
    {"", kListNotExpected, kUnexpectedValue, kUnexpectedValue, kUnexpectedValue, kUnexpectedValue,
     ""},
    /* kString */
    {kStructureNotExpected, kListNotExpected, "", "NUMBER_VALUE cannot be converted to String",
     "TRUE_VALUE cannot be converted to String", "FALSE_VALUE cannot be converted to String",
     "NULL_VALUE cannot be converted to String"},
    /* kBlob */
    {kStructureNotExpected, kListNotExpected, "", "NUMBER_VALUE cannot be converted to ByteBuffer",
     "TRUE_VALUE cannot be converted to ByteBuffer",
     "FALSE_VALUE cannot be converted to ByteBuffer",
     "NULL_VALUE cannot be converted to ByteBuffer"},
    /* kBoolean */
    {kStructureNotExpected, kListNotExpected, "STRING_VALUE cannot be converted to Boolean",
     "NUMBER_VALUE cannot be converted to Boolean", "", "",
     "NULL_VALUE cannot be converted to Boolean"},
    /* kInteger */
    {kStructureNotExpected, kListNotExpected, "STRING_VALUE cannot be converted to Integer",
     "NUMBER_VALUE cannot be converted to Integer", "TRUE_VALUE cannot be converted to Integer",
     "FALSE_VALUE cannot be converted to Integer", "NULL_VALUE cannot be converted to Integer"},
    /* kLong */
    {kStructureNotExpected, kListNotExpected, "STRING_VALUE cannot be converted to Long",
     "NUMBER_VALUE cannot be converted to Long", "TRUE_VALUE cannot be converted to Long",
     "FALSE_VALUE cannot be converted to Long", "NULL_VALUE cannot be converted to Long"},
    /* kFloat */
    {kStructureNotExpected, kListNotExpected, "STRING_VALUE cannot be converted to Float", "",
     "TRUE_VALUE cannot be converted to Float", "FALSE_VALUE cannot be converted to Float",
     "NULL_VALUE cannot be converted to Float"},
    /* kDouble */
    {kStructureNotExpected, kListNotExpected, "STRING_VALUE cannot be converted to Double", "",
     "TRUE_VALUE cannot be converted to Double", "FALSE_VALUE cannot be converted to Double",
     "NULL_VALUE cannot be converted to Double"},
    /* kTimestamp */
    {kStructureNotExpected, kListNotExpected, "STRING_VALUE cannot be converted to Date", "",
     "TRUE_VALUE cannot be converted to Date", "FALSE_VALUE cannot be converted to Date",
     "NULL_VALUE cannot be converted to Date"},
}};

// The attribute-value codec's texts (protocol/attribute_json.cc), for the shapes marked
// attribute_value_codec; only list, map, string, blob and boolean shapes are. The other rows repeat
// the generic ones.
constexpr Table kCodecTexts = {{
    /* kStructure */ kGenericTexts[0],
    /* kList */
    {kStructureNotExpected, "", kUnexpectedField, kUnexpectedField, kUnexpectedField,
     kUnexpectedField, ""},
    /* kMap */
    {"",
     "Unrecognized collection type java.util.Map<java.lang.String, "
     "com.amazonaws.dynamodb.v20120810.AttributeValue>",
     kUnexpectedValue, kUnexpectedValue, kUnexpectedValue, kUnexpectedValue, ""},
    /* kString */
    {kStructureNotExpected, "Unrecognized collection type class java.lang.String", "",
     "NUMBER_VALUE cannot be converted to String", "TRUE_VALUE cannot be converted to String",
     "FALSE_VALUE cannot be converted to String", kNullInSet},
    /* kBlob */
    {kStructureNotExpected, "Unrecognized collection type class java.nio.ByteBuffer", "",
     kBlobFromNumber, kBlobFromBoolean, kBlobFromBoolean, kNullInSet},
    /* kBoolean */
    {kStructureNotExpected, "Unrecognized collection type class java.lang.Boolean",
     "STRING_VALUE cannot be converted to Boolean", "NUMBER_VALUE cannot be converted to Boolean",
     "", "", ""},
    /* kInteger */ kGenericTexts[6],
    /* kLong */ kGenericTexts[7],
    /* kFloat */ kGenericTexts[8],
    /* kDouble */ kGenericTexts[9],
    /* kTimestamp */ kGenericTexts[10],
}};

std::string_view Text(const Shape& shape, Kind found) {
  const Table& table = shape.attribute_value_codec ? kCodecTexts : kGenericTexts;
  return table[static_cast<size_t>(shape.type)][found];
}

Kind KindOf(element e) {
  switch (e.type()) {
    case element_type::OBJECT:
      return kObject;
    case element_type::ARRAY:
      return kArray;
    case element_type::STRING:
      return kString;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return kNumber;
    case element_type::BOOL:
      return e.get_bool().value_unsafe() ? kTrue : kFalse;
    case element_type::NULL_VALUE:
      return kNull;
  }
  return kNull;
}

// An integer or long member accepts an integral number within int64 (api/params.cc, AsInt).
bool IsIntegral(element e) {
  switch (e.type()) {
    case element_type::INT64:
      return true;
    case element_type::DOUBLE: {
      const double d = e.get_double().value_unsafe();
      return d >= -9223372036854775808.0 && d < 9223372036854775808.0 && std::trunc(d) == d;
    }
    default:
      return false;  // UINT64: beyond int64
  }
}

// One walk. Check() returns false when the walk must stop: error_ holds the mismatch, or (error_
// empty) an attribute value nests deeper than the codec accepts.
class Walker {
 public:
  bool Check(const Shape& shape, element e, int level) {
    const Kind kind = KindOf(e);
    switch (shape.type) {
      case ShapeType::kStructure:
        return kind == kObject ? Structure(shape, e.get_object().value_unsafe(), level)
                               : Fail(Text(shape, kind));
      case ShapeType::kList:
        return kind == kArray ? List(shape, e.get_array().value_unsafe(), level)
                              : Fail(Text(shape, kind));
      case ShapeType::kMap:
        return kind == kObject ? Map(shape, e.get_object().value_unsafe(), level)
                               : Fail(Text(shape, kind));
      case ShapeType::kString:
        return kind == kString || Fail(Text(shape, kind));
      case ShapeType::kBlob:
        return kind == kString ? Base64(e.get_string().value_unsafe()) : Fail(Text(shape, kind));
      case ShapeType::kBoolean:
        return kind == kTrue || kind == kFalse || Fail(Text(shape, kind));
      case ShapeType::kInteger:
      case ShapeType::kLong:
        return (kind == kNumber && IsIntegral(e)) || Fail(Text(shape, kind));
      case ShapeType::kFloat:
      case ShapeType::kDouble:
      case ShapeType::kTimestamp:
        return kind == kNumber || Fail(Text(shape, kind));
    }
    return true;
  }

  std::optional<ApiError>& error() { return error_; }

 private:
  bool Fail(std::string_view text) {
    error_ = ApiError::Serialization(std::string(text));
    return false;
  }

  bool Structure(const Shape& shape, simdjson::dom::object object, int level) {
    for (simdjson::dom::key_value_pair member : object) {
      if (member.value.is_null()) continue;  // absent
      const ShapeMember* m = FindMember(shape, member.key);
      if (m == nullptr) continue;  // unknown members are ignored
      int inner = level;
      // An attribute value's L and M are one nesting level deeper (attribute_json.h).
      if (shape.is_attribute_value && (member.key == "L" || member.key == "M") &&
          ++inner > kMaxNestingLevels) {
        return false;
      }
      if (!Check(ShapeAt(m->shape), member.value, inner)) return false;
    }
    return true;
  }

  bool List(const Shape& shape, simdjson::dom::array array, int level) {
    const Shape& element_shape = ElementOf(shape);
    const std::string_view null_text = Text(element_shape, kNull);
    // An attribute value's set is checked for null entries before any entry is read.
    if (shape.attribute_value_codec && !null_text.empty()) {
      for (element entry : array)
        if (entry.is_null()) return Fail(null_text);
    }
    for (element entry : array) {
      if (entry.is_null()) {
        if (!null_text.empty()) return Fail(null_text);
        continue;
      }
      if (!Check(element_shape, entry, level)) return false;
    }
    return true;
  }

  bool Map(const Shape& shape, simdjson::dom::object object, int level) {
    const Shape& value_shape = MapValueOf(shape);
    const std::string_view null_text = Text(value_shape, kNull);
    for (simdjson::dom::key_value_pair entry : object) {
      if (entry.value.is_null()) {
        if (!null_text.empty()) return Fail(null_text);
        continue;
      }
      if (!Check(value_shape, entry.value, level)) return false;
    }
    return true;
  }

  bool Base64(std::string_view text) {
    Result<std::string> raw = Base64Decode(text);
    return raw.ok() || Fail(raw.status().message());
  }

  std::optional<ApiError> error_;
};

}  // namespace

std::optional<ApiError> CheckShape(const Shape& shape, element value) {
  if (value.is_null()) return std::nullopt;
  Walker walker;
  walker.Check(shape, value, 0);
  return std::move(walker.error());
}

}  // namespace cairn::protocol
