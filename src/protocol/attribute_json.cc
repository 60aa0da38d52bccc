// DynamoDB JSON <-> AttributeValue. See attribute_json.h for the error policy.
//
// The SerializationException texts are those of DynamoDB's JSON deserializer (as recorded by
// dynalite's validations); DynamoDB reports them while parsing, before validating anything, so the
// decoder throws them at once but only remembers the first ValidationException and throws it when
// the whole value has been read.
#include "protocol/attribute_json.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/errors.h"
#include "types/base64.h"
#include "types/number.h"

namespace cairn::protocol {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr const char* kStructureNotExpected = "Start of structure or map found where not expected.";
constexpr const char* kUnexpectedValueType = "Unexpected value type in payload";
constexpr const char* kListNotExpected = "Start of list found where not expected";
constexpr const char* kUnexpectedFieldType = "Unexpected field type";

[[noreturn]] void ThrowSerialization(std::string message) {
  Throw(ApiError::Serialization(std::move(message)));
}

// Copies out of simdjson's result wrappers. REQUIRES: e has that type. (Iterating
// `e.get_object().value_unsafe()` directly would iterate a destroyed temporary.)
simdjson::dom::object ObjectOf(element e) { return e.get_object().value_unsafe(); }
simdjson::dom::array ArrayOf(element e) { return e.get_array().value_unsafe(); }

bool IsNumberType(element_type t) {
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

// The members of "[a, b]" as the client sent them.
std::string CollectionText(const std::vector<std::string_view>& members) {
  std::string out = "[";
  for (size_t i = 0; i < members.size(); ++i) {
    if (i > 0) out.append(", ");
    out.append(members[i]);
  }
  out.push_back(']');
  return out;
}

bool HasDuplicates(const std::vector<std::string>& members) {
  if (members.size() < 2) return false;
  std::vector<std::string_view> sorted(members.begin(), members.end());
  std::sort(sorted.begin(), sorted.end());
  return std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end();
}

class Decoder {
 public:
  // Throws the remembered ValidationException, if any.
  void Finish() {
    if (validation_) ThrowValidation(std::move(*validation_));
  }

  // `parent_level`: the L/M nesting level of the value containing e (0 for an item's attribute).
  void Value(element e, int parent_level, AttributeValue* out) {
    switch (e.type()) {
      case element_type::OBJECT:
        break;
      case element_type::NULL_VALUE:
        Invalid(
            "Supplied AttributeValue is empty, must contain exactly one of the supported "
            "datatypes");
        return;
      case element_type::ARRAY:
        ThrowSerialization(kListNotExpected);
      default:
        ThrowSerialization(kUnexpectedValueType);
    }
    int types = 0;
    for (simdjson::dom::key_value_pair member : ObjectOf(e)) {
      AttributeType t;
      // Unknown members are ignored, as DynamoDB's JSON protocol ignores them.
      if (!ParseTypeName(member.key, &t)) continue;
      if (member.value.is_null()) continue;  // a null member is an absent member
      ++types;
      if (types == 1) {
        Typed(t, member.value, parent_level, out);
      } else {
        AttributeValue ignored;
        Typed(t, member.value, parent_level, &ignored);
      }
    }
    if (types == 0) {
      Invalid(
          "Supplied AttributeValue is empty, must contain exactly one of the supported "
          "datatypes");
    } else if (types > 1) {
      Invalid(
          "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
          "of the supported datatypes");
    }
  }

  void Attributes(simdjson::dom::object object, int level, AttributeMap* out) {
    for (simdjson::dom::key_value_pair member : object) {
      AttributeValue v;
      Value(member.value, level, &v);
      out->insert_or_assign(std::string(member.key), std::move(v));
    }
  }

 private:
  void Invalid(std::string message) {
    if (!validation_) validation_ = std::move(message);
  }

  void Typed(AttributeType t, element v, int parent_level, AttributeValue* out) {
    out->type = t;
    switch (t) {
      case AttributeType::kS:
        out->s = std::string(String(v));
        return;
      case AttributeType::kN:
        out->s = NumberText(String(v));
        return;
      case AttributeType::kB:
        out->s = Blob(v);
        return;
      case AttributeType::kBOOL:
        out->boolean = Boolean(v);
        return;
      case AttributeType::kNULL:
        out->boolean = true;
        if (!Boolean(v)) {
          Invalid(
              "One or more parameter values were invalid: Null attribute value types must "
              "have the value of true");
        }
        return;
      case AttributeType::kM: {
        const int level = Nest(parent_level);
        switch (v.type()) {
          case element_type::OBJECT:
            break;
          case element_type::ARRAY:
            ThrowSerialization(
                "Unrecognized collection type java.util.Map<java.lang.String, "
                "com.amazonaws.dynamodb.v20120810.AttributeValue>");
          default:
            ThrowSerialization(kUnexpectedValueType);
        }
        Attributes(ObjectOf(v), level, &out->map);
        return;
      }
      case AttributeType::kL: {
        const int level = Nest(parent_level);
        simdjson::dom::array array = List(v);
        out->list.resize(array.size());
        size_t i = 0;
        for (element item : array) Value(item, level, &out->list[i++]);
        return;
      }
      case AttributeType::kSS:
        StringSet(v, out);
        return;
      case AttributeType::kNS:
        NumberSet(v, out);
        return;
      case AttributeType::kBS:
        BinarySet(v, out);
        return;
    }
  }

  static int Nest(int parent_level) {
    if (parent_level + 1 > kMaxNestingLevels) {
      ThrowValidation("Nesting Levels have exceeded supported limits");
    }
    return parent_level + 1;
  }

  static std::string_view String(element v) {
    switch (v.type()) {
      case element_type::STRING:
        return v.get_string().value_unsafe();
      case element_type::BOOL:
        ThrowSerialization(v.get_bool().value_unsafe()
                               ? "TRUE_VALUE cannot be converted to String"
                               : "FALSE_VALUE cannot be converted to String");
      case element_type::ARRAY:
        ThrowSerialization("Unrecognized collection type class java.lang.String");
      case element_type::OBJECT:
        ThrowSerialization(kStructureNotExpected);
      default:
        if (IsNumberType(v.type()))
          ThrowSerialization("NUMBER_VALUE cannot be converted to String");
        ThrowSerialization(kUnexpectedValueType);
    }
  }

  static std::string Blob(element v) {
    switch (v.type()) {
      case element_type::STRING:
        break;
      case element_type::BOOL:
        ThrowSerialization("class java.lang.Boolean can not be converted to an Blob");
      case element_type::ARRAY:
        ThrowSerialization("Unrecognized collection type class java.nio.ByteBuffer");
      case element_type::OBJECT:
        ThrowSerialization(kStructureNotExpected);
      default:
        if (IsNumberType(v.type())) {
          ThrowSerialization(
              "class com.amazon.coral.value.json.numbers.TruncatedNumber can not "
              "be converted to an Blob");
        }
        ThrowSerialization(kUnexpectedValueType);
    }
    Result<std::string> raw = Base64Decode(v.get_string().value_unsafe());
    if (!raw.ok()) ThrowSerialization(raw.status().message());
    return std::move(raw).value();
  }

  static bool Boolean(element v) {
    switch (v.type()) {
      case element_type::BOOL:
        return v.get_bool().value_unsafe();
      case element_type::STRING:
        ThrowSerialization("STRING_VALUE cannot be converted to Boolean");
      case element_type::ARRAY:
        ThrowSerialization("Unrecognized collection type class java.lang.Boolean");
      case element_type::OBJECT:
        ThrowSerialization(kStructureNotExpected);
      default:
        if (IsNumberType(v.type()))
          ThrowSerialization("NUMBER_VALUE cannot be converted to Boolean");
        ThrowSerialization(kUnexpectedValueType);
    }
  }

  static simdjson::dom::array List(element v) {
    switch (v.type()) {
      case element_type::ARRAY:
        return v.get_array().value_unsafe();
      case element_type::OBJECT:
        ThrowSerialization(kStructureNotExpected);
      default:
        ThrowSerialization(kUnexpectedFieldType);
    }
  }

  // Canonical text of a number; remembers the error (and keeps the text) if it is not one.
  std::string NumberText(std::string_view text) {
    Result<Number> n = Number::Parse(text);
    if (!n.ok()) {
      Invalid(n.status().message());
      return std::string(text);
    }
    return n->ToString();
  }

  // Set members as sent (for the duplicates message); null members are a serialization error.
  static std::vector<std::string_view> SetMembers(element v) {
    simdjson::dom::array array = List(v);
    std::vector<std::string_view> members;
    members.reserve(array.size());
    for (element m : array) {
      if (m.is_null()) ThrowSerialization("Unexpected null value in a set");
      members.push_back(m.type() == element_type::STRING ? m.get_string().value_unsafe()
                                                         : std::string_view());
    }
    return members;
  }

  void StringSet(element v, AttributeValue* out) {
    std::vector<std::string_view> sent = SetMembers(v);
    out->set.reserve(sent.size());
    for (element m : ArrayOf(v)) out->set.emplace_back(String(m));
    if (out->set.empty()) {
      Invalid("One or more parameter values were invalid: An string set  may not be empty");
    } else if (HasDuplicates(out->set)) {
      Invalid("One or more parameter values were invalid: Input collection " +
              CollectionText(sent) + " contains duplicates.");
    }
  }

  void NumberSet(element v, AttributeValue* out) {
    std::vector<std::string_view> sent = SetMembers(v);
    out->set.reserve(sent.size());
    for (element m : ArrayOf(v)) out->set.emplace_back(String(m));
    if (out->set.empty()) {
      Invalid("One or more parameter values were invalid: An number set  may not be empty");
      return;
    }
    for (std::string& m : out->set) {
      Result<Number> n = Number::Parse(m);
      if (!n.ok()) {
        Invalid(n.status().message());
        return;
      }
      m = n->ToString();
    }
    if (HasDuplicates(out->set)) {
      Invalid("One or more parameter values were invalid: Input collection " +
              CollectionText(sent) + " contains duplicates.");
    }
  }

  void BinarySet(element v, AttributeValue* out) {
    std::vector<std::string_view> sent = SetMembers(v);
    out->set.reserve(sent.size());
    for (element m : ArrayOf(v)) out->set.push_back(Blob(m));
    if (out->set.empty()) {
      Invalid("One or more parameter values were invalid: Binary sets should not be empty");
    } else if (HasDuplicates(out->set)) {
      Invalid("One or more parameter values were invalid: Input collection " +
              CollectionText(sent) + " contains duplicates.");
    }
  }

  std::optional<std::string> validation_;
};

}  // namespace

AttributeValue ValueFromJson(element e) {
  Decoder decoder;
  AttributeValue v;
  decoder.Value(e, 0, &v);
  decoder.Finish();
  return v;
}

Item ItemFromJson(element object) {
  Item item;
  switch (object.type()) {
    case element_type::OBJECT:
      break;
    case element_type::NULL_VALUE:
      return item;
    case element_type::ARRAY:
      ThrowSerialization(
          "Unrecognized collection type java.util.Map<java.lang.String, "
          "com.amazonaws.dynamodb.v20120810.AttributeValue>");
    default:
      ThrowSerialization(kUnexpectedValueType);
  }
  return ItemFromJson(ObjectOf(object));
}

Item ItemFromJson(simdjson::dom::object object) {
  Item item;
  Decoder decoder;
  decoder.Attributes(object, 0, &item);
  decoder.Finish();
  return item;
}

void WriteValueJson(JsonWriter& w, const AttributeValue& v) {
  w.BeginObject();
  w.Key(TypeName(v.type));
  switch (v.type) {
    case AttributeType::kS:
    case AttributeType::kN:
      w.String(v.s);
      break;
    case AttributeType::kB:
      w.Base64(v.s);
      break;
    case AttributeType::kBOOL:
      w.Bool(v.boolean);
      break;
    case AttributeType::kNULL:
      w.Bool(true);
      break;
    case AttributeType::kM:
      WriteItemJson(w, v.map);
      break;
    case AttributeType::kL:
      w.BeginArray();
      for (const AttributeValue& e : v.list) WriteValueJson(w, e);
      w.EndArray();
      break;
    case AttributeType::kSS:
    case AttributeType::kNS:
      w.BeginArray();
      for (const std::string& m : v.set) w.String(m);
      w.EndArray();
      break;
    case AttributeType::kBS:
      w.BeginArray();
      for (const std::string& m : v.set) w.Base64(m);
      w.EndArray();
      break;
  }
  w.EndObject();
}

void WriteItemJson(JsonWriter& w, const Item& item) {
  w.BeginObject();
  for (const auto& [name, v] : item) {
    w.Key(name);
    WriteValueJson(w, v);
  }
  w.EndObject();
}

}  // namespace cairn::protocol
