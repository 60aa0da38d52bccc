// Helpers shared by the expr/ unit tests: terse value builders and a fixture holding one request's
// ExpressionAttributeNames/Values.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/errors.h"
#include "expr/resolve.h"
#include "types/attribute_value.h"

namespace cairn::expr::testing {

inline AttributeValue S(std::string s) { return AttributeValue::String(std::move(s)); }
inline AttributeValue N(std::string s) { return AttributeValue::Num(std::move(s)); }
inline AttributeValue B(std::string s) { return AttributeValue::Binary(std::move(s)); }
inline AttributeValue Bool(bool b) { return AttributeValue::Bool(b); }
inline AttributeValue Null() { return AttributeValue::Null(); }
inline AttributeValue L(std::vector<AttributeValue> v) {
  return AttributeValue::List(std::move(v));
}
inline AttributeValue M(AttributeMap m) { return AttributeValue::Map(std::move(m)); }
inline AttributeValue SS(std::vector<std::string> v) {
  return AttributeValue::Set(AttributeType::kSS, std::move(v));
}
inline AttributeValue NS(std::vector<std::string> v) {
  return AttributeValue::Set(AttributeType::kNS, std::move(v));
}
inline AttributeValue BS(std::vector<std::string> v) {
  return AttributeValue::Set(AttributeType::kBS, std::move(v));
}

// The message of the ValidationException `f` throws, or "<no error>".
inline std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const protocol::ApiException& e) {
    if (e.error.type != "ValidationException") return "<" + e.error.type + "> " + e.error.message;
    return e.error.message;
  }
  return "<no error>";
}

// One request's placeholders.
struct Placeholders {
  NameMap names;
  Item values;
  ExpressionContext ctx;

  Placeholders() {
    ctx.names = &names;
    ctx.values = &values;
  }
  Placeholders(const Placeholders&) = delete;
};

}  // namespace cairn::expr::testing
