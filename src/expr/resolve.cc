// ExpressionAttributeNames/Values substitution and used/unused tracking; see resolve.h.
#include "expr/resolve.h"

#include "protocol/errors.h"

namespace cairn::expr {
namespace {

bool ValidPlaceholder(std::string_view key, char sigil) {
  if (key.size() < 2 || key[0] != sigil) return false;
  for (size_t i = 1; i < key.size(); ++i) {
    char c = key[i];
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

template <typename Map>
void CheckUsed(const Map* map, const std::set<std::string_view, std::less<>>& used,
               std::string_view member) {
  if (map == nullptr) return;
  std::string unused;
  for (const auto& [key, value] : *map) {
    if (used.count(key) != 0) continue;
    if (!unused.empty()) unused += ", ";
    unused += key;
  }
  if (unused.empty()) return;
  protocol::ThrowValidation("Value provided in " + std::string(member) +
                       " unused in expressions: keys: {" + unused + "}");
}

}  // namespace

const std::string* ExpressionContext::LookupName(std::string_view ref) {
  if (names == nullptr) return nullptr;
  auto it = names->find(ref);
  if (it == names->end()) return nullptr;
  used_names_.insert(it->first);
  return &it->second;
}

const AttributeValue* ExpressionContext::LookupValue(std::string_view ref) {
  if (values == nullptr) return nullptr;
  auto it = values->find(ref);
  if (it == values->end()) return nullptr;
  used_values_.insert(it->first);
  return &it->second;
}

void ExpressionContext::CheckAllUsed() const {
  CheckUsed(names, used_names_, "ExpressionAttributeNames");
  CheckUsed(values, used_values_, "ExpressionAttributeValues");
}

void ValidateExpressionAttributeMaps(const NameMap* names, const Item* values) {
  if (names != nullptr) {
    if (names->empty()) protocol::ThrowValidation("ExpressionAttributeNames must not be empty");
    for (const auto& [key, value] : *names) {
      if (!ValidPlaceholder(key, '#')) {
        protocol::ThrowValidation(
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + key + "\"");
      }
      // An empty attribute name is refused whether or not an expression uses it. NOT VERIFIED:
      // this text is not found in the repository or its references (issue 14); it is believed to
      // be DynamoDB's.
      if (value.empty()) {
        protocol::ThrowValidation(
            "ExpressionAttributeNames contains invalid value: Empty attribute name for key " + key);
      }
    }
  }
  if (values != nullptr) {
    if (values->empty()) protocol::ThrowValidation("ExpressionAttributeValues must not be empty");
    for (const auto& [key, value] : *values) {
      if (!ValidPlaceholder(key, ':')) {
        protocol::ThrowValidation(
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + key + "\"");
      }
    }
  }
}

}  // namespace cairn::expr
