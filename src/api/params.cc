#include "api/params.h"

namespace cairn::api {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// DynamoDB's deserializer messages for a value of the wrong JSON type.
[[noreturn]] void WrongType(element e, std::string_view wanted) {
  std::string found;
  switch (e.type()) {
    case element_type::OBJECT:
      Throw(ApiError::Serialization("Start of structure or map found where not expected."));
    case element_type::ARRAY:
      Throw(ApiError::Serialization("Start of list found where not expected"));
    case element_type::STRING: found = "STRING_VALUE"; break;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: found = "NUMBER_VALUE"; break;
    case element_type::BOOL: found = e.get_bool().value() ? "TRUE_VALUE" : "FALSE_VALUE"; break;
    case element_type::NULL_VALUE: found = "NULL_VALUE"; break;
  }
  Throw(ApiError::Serialization(found + " cannot be converted to " + std::string(wanted)));
}

}  // namespace

std::optional<element> Member(simdjson::dom::object o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
  if (e.is_null()) return std::nullopt;
  return e;
}

std::string_view AsString(element e) {
  if (!e.is_string()) WrongType(e, "String");
  return e.get_string().value();
}

int64_t AsInt(element e) {
  if (e.is_int64()) return e.get_int64().value();
  if (e.is_uint64()) Throw(ApiError::Serialization("NUMBER_VALUE cannot be converted to Long"));
  if (e.is_double()) {
    double d = e.get_double().value();
    if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
    Throw(ApiError::Serialization("NUMBER_VALUE cannot be converted to Long"));
  }
  WrongType(e, "Long");
}

bool AsBool(element e) {
  if (!e.is_bool()) WrongType(e, "Boolean");
  return e.get_bool().value();
}

simdjson::dom::object AsObject(element e) {
  if (!e.is_object()) {
    if (e.is_array()) Throw(ApiError::Serialization("Start of list found where not expected"));
    Throw(ApiError::Serialization("Unexpected value type in payload"));
  }
  return e.get_object().value();
}

simdjson::dom::array AsArray(element e) {
  if (!e.is_array()) {
    if (e.is_object())
      Throw(ApiError::Serialization("Start of structure or map found where not expected."));
    Throw(ApiError::Serialization("Unexpected value type in payload"));
  }
  return e.get_array().value();
}

Params::Params(simdjson::dom::object object) : object_(object) {
  for (simdjson::dom::key_value_pair member : object) {
    if (count_ == kIndexed) {
      indexed_ = false;
      break;
    }
    entries_[count_++] = {member.key, member.value};
  }
}

std::optional<element> Params::Get(std::string_view key) const {
  if (!indexed_) return Member(object_, key);
  for (size_t i = 0; i < count_; ++i) {
    if (entries_[i].key == key) {
      if (entries_[i].value.is_null()) return std::nullopt;
      return entries_[i].value;
    }
  }
  return std::nullopt;
}

bool Params::Has(std::string_view key) const { return Get(key).has_value(); }

std::optional<std::string_view> Params::String(std::string_view key) const {
  auto e = Get(key);
  if (!e) return std::nullopt;
  return AsString(*e);
}
std::optional<int64_t> Params::Int(std::string_view key) const {
  auto e = Get(key);
  if (!e) return std::nullopt;
  return AsInt(*e);
}
std::optional<bool> Params::Bool(std::string_view key) const {
  auto e = Get(key);
  if (!e) return std::nullopt;
  return AsBool(*e);
}
std::optional<simdjson::dom::object> Params::Object(std::string_view key) const {
  auto e = Get(key);
  if (!e) return std::nullopt;
  return AsObject(*e);
}
std::optional<simdjson::dom::array> Params::Array(std::string_view key) const {
  auto e = Get(key);
  if (!e) return std::nullopt;
  return AsArray(*e);
}

void Violations::Null(std::string_view field) {
  Add("Value null at '" + std::string(field) +
      "' failed to satisfy constraint: Member must not be null");
}

void Violations::ThrowIfAny() const {
  if (items_.empty()) return;
  std::string msg = std::to_string(items_.size()) +
                    (items_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < items_.size(); ++i) {
    if (i) msg += "; ";
    msg += items_[i];
  }
  ThrowValidation(std::move(msg));
}

std::string_view TableNameFromParameter(std::string_view name) {
  if (name.starts_with("arn:")) {
    size_t p = name.find(":table/");
    if (p != std::string_view::npos) {
      std::string_view rest = name.substr(p + 7);
      size_t slash = rest.find('/');  // ".../table/T/stream/..." is not a table ARN, keep the name
      return slash == std::string_view::npos ? rest : rest.substr(0, slash);
    }
  }
  return name;
}

void CheckTableName(Violations& v, std::optional<std::string_view> name, std::string_view field,
                    bool allow_arn) {
  if (!name) {
    v.Null(field);
    return;
  }
  std::string_view n = *name;
  // Built only when there is something to report: this runs on every request.
  auto violation = [&](std::string_view constraint) {
    v.Add("Value '" + std::string(*name) + "' at '" + std::string(field) +
          "' failed to satisfy constraint: Member must " + std::string(constraint));
  };
  if (allow_arn && n.starts_with("arn:")) {
    if (n.size() > 1024) violation("have length less than or equal to 1024");
    n = TableNameFromParameter(n);
  } else if (n.size() > 255) {
    violation(allow_arn ? "have length less than or equal to 1024"
                        : "have length less than or equal to 255");
  }
  if (n.size() < 3) violation("have length greater than or equal to 3");
  for (char c : n) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == '-')) {
      violation("satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
      break;
    }
  }
}

void CheckEnum(Violations& v, std::optional<std::string_view> value, std::string_view field,
               std::initializer_list<std::string_view> allowed) {
  if (!value) return;
  for (auto a : allowed)
    if (a == *value) return;
  std::string set;
  for (auto a : allowed) {
    if (!set.empty()) set += ", ";
    set += a;
  }
  v.Add("Value '" + std::string(*value) + "' at '" + std::string(field) +
        "' failed to satisfy constraint: Member must satisfy enum value set: [" + set + "]");
}

}  // namespace cairn::api
