// ExpressionContext: the ExpressionAttributeNames and ExpressionAttributeValues of one request,
// shared by all the expressions of that request, with tracking of which placeholders the
// expressions used. DynamoDB rejects a request whose maps hold a placeholder no expression uses
// (CheckAllUsed) and an expression that uses a placeholder the maps do not define (the parser
// reports that).
//
// Ownership: the maps are borrowed and must outlive the context (they live in the request).
// Thread safety: one context per request, used by one thread; not thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "types/attribute_value.h"

namespace cairn::expr {

using NameMap = std::map<std::string, std::string, std::less<>>;

struct ExpressionContext {
  const NameMap* names = nullptr;  // ExpressionAttributeNames ("#n" -> attribute name), or null
  const Item* values = nullptr;    // ExpressionAttributeValues (":v" -> value), or null

  // Substitution: the name/value a placeholder stands for, marking it used; nullptr if undefined.
  const std::string* LookupName(std::string_view ref);
  const AttributeValue* LookupValue(std::string_view ref);

  // After all expressions of the request are parsed. Throws ValidationException (names first):
  //   "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}"
  //   "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a}"
  void CheckAllUsed() const;

 private:
  std::set<std::string_view, std::less<>> used_names_;   // views of keys of *names
  std::set<std::string_view, std::less<>> used_values_;  // views of keys of *values
};

// Request-level checks of the two maps, done before any expression is parsed. Throws
// ValidationException:
//   "ExpressionAttributeNames must not be empty" / "ExpressionAttributeValues must not be empty"
//     (when the member is present but empty: pass the maps of a present member, even if empty);
//   "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"" (keys must be '#'
//     followed by letters, digits or '_'); likewise "ExpressionAttributeValues contains invalid
//     key: ..." (':' followed by the same);
//   "ExpressionAttributeNames contains invalid value: Empty attribute name for key #a" (a name
//     that is the empty string; text not verified against DynamoDB).
void ValidateExpressionAttributeMaps(const NameMap* names, const Item* values);

}  // namespace cairn::expr
