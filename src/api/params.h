// Params: typed access to the members of a request's JSON body, and Violations, the collector of
// DynamoDB's request-validation ("coral") errors.
//
// A member of the wrong JSON type is a SerializationException, as DynamoDB's deserializer reports
// it; a value that breaks a documented constraint (length, range, enum) is a ValidationException
// that lists every violation: "1 validation error detected: Value null at 'tableName' failed to
// satisfy constraint: Member must not be null" or "2 validation errors detected: ...; ...".
// Views returned point into the parser's document and live as long as the request.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/protocol_names.h"

namespace cairn::api {

// The top-level members are read once, when Params is made, into a small array that each
// lookup scans (an operation asks for a dozen members, most of them absent: simdjson's at_key
// walked the document's members on every lookup, ~1,200 instructions an UpdateItem).
// The first of two members with the same name is the one found, as with at_key.
class Params {
 public:
  explicit Params(simdjson::dom::object object);

  bool Has(std::string_view key) const;
  // nullopt when absent or JSON null; SerializationException when of another JSON type.
  std::optional<std::string_view> String(std::string_view key) const;
  std::optional<int64_t> Int(std::string_view key) const;
  std::optional<bool> Bool(std::string_view key) const;
  std::optional<simdjson::dom::object> Object(std::string_view key) const;
  std::optional<simdjson::dom::array> Array(std::string_view key) const;
  // Any JSON type: for members whose decoder checks the type itself (attribute maps).
  std::optional<simdjson::dom::element> Get(std::string_view key) const;
  simdjson::dom::object object() const { return object_; }

 private:
  struct Entry {
    std::string_view key;
    simdjson::dom::element value;
  };
  static constexpr size_t kIndexed = 32;  // more than any input shape has members

  simdjson::dom::object object_;
  Entry entries_[kIndexed];
  size_t count_ = 0;
  bool indexed_ = true;  // false: more than kIndexed members; lookups go to the document
};

// Typed access to an element that is not a top-level member (array entries, nested structures).
std::string_view AsString(simdjson::dom::element e);
int64_t AsInt(simdjson::dom::element e);
bool AsBool(simdjson::dom::element e);
simdjson::dom::object AsObject(simdjson::dom::element e);
simdjson::dom::array AsArray(simdjson::dom::element e);
// A member of a nested object, or nullopt when absent or null.
std::optional<simdjson::dom::element> Member(simdjson::dom::object o, std::string_view key);

class Violations {
 public:
  // `message` is one violation, e.g. "Value null at 'tableName' failed to satisfy constraint:
  // Member must not be null".
  void Add(std::string message) { items_.push_back(std::move(message)); }
  void Null(std::string_view field);
  // Throws the ValidationException listing every violation, if any.
  void ThrowIfAny() const;
  bool empty() const { return items_.empty(); }

 private:
  std::vector<std::string> items_;
};

// DynamoDB's table-name constraints (3..255 characters of [a-zA-Z0-9_.-]); `field` is the member's
// name as DynamoDB prints it ("tableName"). When `allow_arn`, a table ARN is accepted too (up to
// 1024 characters) and its final "table/<name>" part is checked.
void CheckTableName(Violations& v, std::optional<std::string_view> name, std::string_view field,
                    bool allow_arn);

// The table name inside a TableName parameter, which may be a table ARN.
std::string_view TableNameFromParameter(std::string_view name_or_arn);

// Checks that `value` is one of `allowed`; adds DynamoDB's enum violation otherwise
// ("Value 'X' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [A, B]").
void CheckEnum(Violations& v, std::optional<std::string_view> value, std::string_view field,
               std::initializer_list<std::string_view> allowed);

}  // namespace cairn::api
