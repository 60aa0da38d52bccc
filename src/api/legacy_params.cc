// Legacy parameters: JSON -> the typed entries of expr/legacy.h; see legacy_params.h.
#include "api/legacy_params.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "api/params.h"
#include "api/protocol_names.h"
#include "expr/legacy.h"

namespace cairn::api {
namespace {

using simdjson::dom::element;

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

[[noreturn]] void Invalid(const std::string& reason) {
  ThrowValidation(std::string(kInvalid) + reason);
}

// A request-validation ("coral") error about one member, as DynamoDB words a single violation.
[[noreturn]] void EnumViolation(std::string_view value, const std::string& field,
                                std::string_view allowed) {
  ThrowValidation("1 validation error detected: Value '" + std::string(value) + "' at '" + field +
                  "' failed to satisfy constraint: Member must satisfy enum value set: " +
                  std::string(allowed));
}
[[noreturn]] void NullViolation(const std::string& field) {
  ThrowValidation("1 validation error detected: Value null at '" + field +
                  "' failed to satisfy constraint: Member must not be null");
}

// The order in which DynamoDB lists the enum in its validation message.
constexpr std::string_view kOperatorEnumText =
    "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]";

// `field` is e.g. "expected" or "scanFilter"; the violation names
// "<field>.<attr>.member.comparisonOperator".
expr::ComparisonOperator ReadOperator(element e, std::string_view field, std::string_view attr) {
  std::string_view name = AsString(e);
  expr::ComparisonOperator op = expr::ComparisonOperator::kEq;
  if (!expr::LookupComparisonOperator(name, &op)) {
    EnumViolation(name,
                  std::string(field) + "." + std::string(attr) + ".member.comparisonOperator",
                  kOperatorEnumText);
  }
  return op;
}

expr::ConditionalOperator ReadConditionalOperator(std::optional<std::string_view> text) {
  if (!text || *text == "AND") return expr::ConditionalOperator::kAnd;
  if (*text == "OR") return expr::ConditionalOperator::kOr;
  EnumViolation(*text, "conditionalOperator", "[OR, AND]");
}

std::vector<AttributeValue> ReadValueList(element list) {
  std::vector<AttributeValue> out;
  for (element v : AsArray(list)) out.push_back(ValueFromJson(v));
  return out;
}

// An Expected entry: {Value, Exists} or {ComparisonOperator, AttributeValueList (or Value)}.
expr::LegacyComparison ReadExpectedEntry(std::string_view attr, element entry) {
  simdjson::dom::object o = AsObject(entry);
  std::optional<element> value = Member(o, "Value");
  std::optional<element> exists = Member(o, "Exists");
  std::optional<element> op = Member(o, "ComparisonOperator");
  std::optional<element> list = Member(o, "AttributeValueList");
  std::optional<bool> exists_flag;
  if (exists) exists_flag = AsBool(*exists);
  std::optional<AttributeValue> decoded;
  if (value) decoded = ValueFromJson(*value);
  std::string for_attribute = " for Attribute: " + std::string(attr);
  if (value && list)
    Invalid("Value and AttributeValueList cannot be used together" + for_attribute);
  expr::LegacyComparison c;
  c.attribute = std::string(attr);
  if (!op) {
    if (list) {
      Invalid("AttributeValueList can only be used with a ComparisonOperator" + for_attribute);
    }
    if (exists_flag == false) {
      if (decoded) Invalid("Value cannot be used when Exists is false" + for_attribute);
      c.op = expr::ComparisonOperator::kNull;
      return c;
    }
    if (!decoded) {
      Invalid(std::string("Value must be provided when Exists is ") +
              (exists_flag ? "true" : "null") + for_attribute);
    }
    c.op = expr::ComparisonOperator::kEq;
    c.values.push_back(std::move(*decoded));
    return c;
  }
  c.op = ReadOperator(*op, "expected", attr);
  if (exists_flag) {
    Invalid("Exists and ComparisonOperator cannot be used together" + for_attribute);
  }
  if (list) {
    c.values = ReadValueList(*list);
  } else if (decoded) {
    c.values.push_back(std::move(*decoded));
  }
  return c;
}

// A {ComparisonOperator, AttributeValueList} entry of QueryFilter, ScanFilter or KeyConditions.
expr::LegacyComparison ReadComparison(std::string_view attr, element entry,
                                      std::string_view field) {
  simdjson::dom::object o = AsObject(entry);
  std::optional<element> op = Member(o, "ComparisonOperator");
  if (!op)
    NullViolation(std::string(field) + "." + std::string(attr) + ".member.comparisonOperator");
  expr::LegacyComparison c;
  c.attribute = std::string(attr);
  c.op = ReadOperator(*op, field, attr);
  if (std::optional<element> list = Member(o, "AttributeValueList")) {
    c.values = ReadValueList(*list);
  }
  return c;
}

// An AttributeUpdates entry: {Action (PUT when absent), Value}.
expr::LegacyUpdate ReadAttributeUpdate(std::string_view attr, element entry) {
  simdjson::dom::object o = AsObject(entry);
  expr::LegacyUpdate u;
  u.attribute = std::string(attr);
  if (std::optional<element> a = Member(o, "Action")) {
    std::string_view action = AsString(*a);
    if (action == "ADD") {
      u.action = expr::LegacyUpdate::Action::kAdd;
    } else if (action == "DELETE") {
      u.action = expr::LegacyUpdate::Action::kDelete;
    } else if (action != "PUT") {
      EnumViolation(action, "attributeUpdates." + std::string(attr) + ".member.action",
                    "[ADD, PUT, DELETE]");
    }
  }
  if (std::optional<element> v = Member(o, "Value")) u.value = ValueFromJson(*v);
  return u;
}

}  // namespace

// Each function converts an entry as soon as it is read: its errors come before the next entry's.

std::shared_ptr<const expr::Condition> DecodeExpected(
    simdjson::dom::object expected, std::optional<std::string_view> conditional_operator) {
  std::vector<expr::Condition> entries;
  for (auto [attr, entry] : expected)
    entries.push_back(expr::ConvertComparison(ReadExpectedEntry(attr, entry)));
  expr::ConditionalOperator op = ReadConditionalOperator(conditional_operator);
  return expr::CombineComparisons(std::move(entries), op);
}

std::shared_ptr<const expr::Condition> DecodeFilter(
    simdjson::dom::object filter, FilterKind kind,
    std::optional<std::string_view> conditional_operator) {
  std::string_view field = kind == FilterKind::kQueryFilter ? "queryFilter" : "scanFilter";
  std::vector<expr::Condition> entries;
  for (auto [attr, entry] : filter)
    entries.push_back(expr::ConvertComparison(ReadComparison(attr, entry, field)));
  expr::ConditionalOperator op = ReadConditionalOperator(conditional_operator);
  return expr::CombineComparisons(std::move(entries), op);
}

expr::KeyCondition DecodeKeyConditions(simdjson::dom::object key_conditions,
                                       std::string_view hash_key_name,
                                       std::string_view range_key_name) {
  std::vector<expr::Condition> entries;
  for (auto [attr, entry] : key_conditions)
    entries.push_back(expr::ConvertKeyComparison(ReadComparison(attr, entry, "keyConditions")));
  return expr::CombineKeyComparisons(std::move(entries), hash_key_name, range_key_name);
}

std::shared_ptr<const expr::UpdateExpr> DecodeAttributeUpdates(simdjson::dom::object updates) {
  std::vector<expr::UpdateAction> actions;
  for (auto [attr, entry] : updates)
    actions.push_back(expr::ConvertAttributeUpdate(ReadAttributeUpdate(attr, entry)));
  return expr::CombineAttributeUpdates(std::move(actions));
}

std::shared_ptr<const expr::Projection> DecodeAttributesToGet(simdjson::dom::array names) {
  if (names.size() == 0) {
    ThrowValidation(
        "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1");
  }
  std::vector<std::string> out;
  std::set<std::string_view> seen;
  for (element e : names) {
    std::string_view name = AsString(e);
    if (!seen.insert(name).second) {
      Invalid("Duplicate value in attribute name: " + std::string(name));
    }
    out.emplace_back(name);
  }
  return expr::ConvertAttributesToGet(out);
}

}  // namespace cairn::api
