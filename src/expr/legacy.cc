// Legacy parameter forms -> expression trees; see legacy.h for the semantics and messages.
#include "expr/legacy.h"

#include <array>
#include <set>
#include <string>
#include <vector>

#include "protocol/attribute_json.h"
#include "protocol/errors.h"
#include "expr/evaluate.h"

namespace cairn::expr {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

// --- JSON access, with the deserializer errors of api/params.cc ---

[[noreturn]] void WrongType(element e, std::string_view wanted) {
  std::string found;
  switch (e.type()) {
    case element_type::OBJECT:
      protocol::Throw(
          protocol::ApiError::Serialization("Start of structure or map found where not expected."));
    case element_type::ARRAY:
      protocol::Throw(protocol::ApiError::Serialization("Start of list found where not expected"));
    case element_type::STRING:
      found = "STRING_VALUE";
      break;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      found = "NUMBER_VALUE";
      break;
    case element_type::BOOL:
      found = e.get_bool().value() ? "TRUE_VALUE" : "FALSE_VALUE";
      break;
    case element_type::NULL_VALUE:
      found = "NULL_VALUE";
      break;
  }
  protocol::Throw(
      protocol::ApiError::Serialization(found + " cannot be converted to " + std::string(wanted)));
}

std::optional<element> Member(simdjson::dom::object o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
  return e;
}

std::string_view AsString(element e) {
  if (!e.is_string()) WrongType(e, "String");
  return e.get_string().value_unsafe();
}

bool AsBool(element e) {
  if (!e.is_bool()) WrongType(e, "Boolean");
  return e.get_bool().value_unsafe();
}

simdjson::dom::object AsObject(element e) {
  if (!e.is_object()) {
    if (e.is_array())
      protocol::Throw(protocol::ApiError::Serialization("Start of list found where not expected"));
    protocol::Throw(protocol::ApiError::Serialization("Unexpected value type in payload"));
  }
  return e.get_object().value_unsafe();
}

simdjson::dom::array AsArray(element e) {
  if (!e.is_array()) {
    if (e.is_object()) {
      protocol::Throw(
          protocol::ApiError::Serialization("Start of structure or map found where not expected."));
    }
    protocol::Throw(protocol::ApiError::Serialization("Unexpected value type in payload"));
  }
  return e.get_array().value_unsafe();
}

[[noreturn]] void Invalid(const std::string& reason) {
  protocol::ThrowValidation(std::string(kInvalid) + reason);
}

// A request-validation ("coral") error about one member, as DynamoDB words a single violation.
[[noreturn]] void EnumViolation(std::string_view value, const std::string& field,
                                std::string_view allowed) {
  protocol::ThrowValidation("1 validation error detected: Value '" + std::string(value) + "' at '" +
                       field +
                       "' failed to satisfy constraint: Member must satisfy enum value set: " +
                       std::string(allowed));
}
[[noreturn]] void NullViolation(const std::string& field) {
  protocol::ThrowValidation("1 validation error detected: Value null at '" + field +
                       "' failed to satisfy constraint: Member must not be null");
}

// --- comparison operators ---

enum class LegacyOp : uint8_t {
  kEQ,
  kNE,
  kLE,
  kLT,
  kGE,
  kGT,
  kNotNull,
  kNull,
  kContains,
  kNotContains,
  kBeginsWith,
  kIn,
  kBetween,
};

struct OpEntry {
  std::string_view name;
  LegacyOp op;
};
constexpr std::array<OpEntry, 13> kOps = {{
    {"EQ", LegacyOp::kEQ},
    {"NE", LegacyOp::kNE},
    {"LE", LegacyOp::kLE},
    {"LT", LegacyOp::kLT},
    {"GE", LegacyOp::kGE},
    {"GT", LegacyOp::kGT},
    {"NOT_NULL", LegacyOp::kNotNull},
    {"NULL", LegacyOp::kNull},
    {"CONTAINS", LegacyOp::kContains},
    {"NOT_CONTAINS", LegacyOp::kNotContains},
    {"BEGINS_WITH", LegacyOp::kBeginsWith},
    {"IN", LegacyOp::kIn},
    {"BETWEEN", LegacyOp::kBetween},
}};
// The order in which DynamoDB lists the enum in its validation message.
constexpr std::string_view kOpEnumText =
    "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]";

// `field_prefix` is e.g. "expected" or "scanFilter"; the violation names
// "<prefix>.<attr>.member.comparisonOperator".
LegacyOp ParseOp(std::string_view text, std::string_view field_prefix, std::string_view attr) {
  for (const OpEntry& e : kOps) {
    if (e.name == text) return e.op;
  }
  EnumViolation(text,
                std::string(field_prefix) + "." + std::string(attr) + ".member.comparisonOperator",
                kOpEnumText);
}

bool IsScalar(AttributeType t) {
  return t == AttributeType::kS || t == AttributeType::kN || t == AttributeType::kB;
}

// Argument count and types, as DynamoDB checks them.
void CheckArguments(LegacyOp op, std::string_view op_name,
                    const std::vector<AttributeValue>& args) {
  size_t n = args.size();
  bool count_ok = false;
  switch (op) {
    case LegacyOp::kNotNull:
    case LegacyOp::kNull:
      count_ok = n == 0;
      break;
    case LegacyOp::kIn:
      count_ok = n >= 1;
      break;
    case LegacyOp::kBetween:
      count_ok = n == 2;
      break;
    default:
      count_ok = n == 1;
      break;
  }
  if (!count_ok) {
    Invalid("Invalid number of argument(s) for the " + std::string(op_name) +
            " ComparisonOperator");
  }
  auto type_error = [&](const AttributeValue& v) {
    Invalid("ComparisonOperator " + std::string(op_name) + " is not valid for " +
            std::string(TypeName(v.type)) + " AttributeValue type");
  };
  switch (op) {
    case LegacyOp::kLE:
    case LegacyOp::kLT:
    case LegacyOp::kGE:
    case LegacyOp::kGT:
    case LegacyOp::kContains:
    case LegacyOp::kNotContains:
    case LegacyOp::kIn:
    case LegacyOp::kBetween:
      for (const AttributeValue& v : args) {
        if (!IsScalar(v.type)) type_error(v);
      }
      break;
    case LegacyOp::kBeginsWith:
      if (args[0].type != AttributeType::kS && args[0].type != AttributeType::kB) {
        type_error(args[0]);
      }
      break;
    case LegacyOp::kEQ:
    case LegacyOp::kNE:
    case LegacyOp::kNotNull:
    case LegacyOp::kNull:
      break;
  }
  if (op == LegacyOp::kBetween) {
    if (args[0].type != args[1].type) {
      Invalid("AttributeValues inside AttributeValueList must be of same type");
    }
    if (CompareScalars(args[0], args[1]) > 0) {
      protocol::ThrowValidation(
          "The BETWEEN condition was provided a range where the lower bound is greater than the "
          "upper bound");
    }
  }
}

Operand PathOf(std::string_view attr) {
  return Operand::OfPath(Path{PathElement::Name(std::string(attr))});
}

Condition Node(Condition::Kind kind, std::string_view attr, std::vector<AttributeValue> args) {
  Condition c;
  c.kind = kind;
  c.operands.push_back(PathOf(attr));
  for (AttributeValue& v : args) c.operands.push_back(Operand::OfValue(std::move(v)));
  return c;
}

Condition Comparison(CompareOp op, std::string_view attr, std::vector<AttributeValue> args) {
  Condition c = Node(Condition::Kind::kCompare, attr, std::move(args));
  c.op = op;
  return c;
}

// REQUIRES: CheckArguments passed.
Condition BuildCondition(LegacyOp op, std::string_view attr, std::vector<AttributeValue> args) {
  switch (op) {
    case LegacyOp::kEQ:
      return Comparison(CompareOp::kEq, attr, std::move(args));
    case LegacyOp::kNE:
      return Comparison(CompareOp::kNe, attr, std::move(args));
    case LegacyOp::kLE:
      return Comparison(CompareOp::kLe, attr, std::move(args));
    case LegacyOp::kLT:
      return Comparison(CompareOp::kLt, attr, std::move(args));
    case LegacyOp::kGE:
      return Comparison(CompareOp::kGe, attr, std::move(args));
    case LegacyOp::kGT:
      return Comparison(CompareOp::kGt, attr, std::move(args));
    case LegacyOp::kNotNull:
      return Node(Condition::Kind::kAttributeExists, attr, {});
    case LegacyOp::kNull:
      return Node(Condition::Kind::kAttributeNotExists, attr, {});
    case LegacyOp::kContains:
      return Node(Condition::Kind::kContains, attr, std::move(args));
    case LegacyOp::kNotContains: {
      // DynamoDB: NOT_CONTAINS on an absent attribute is false.
      Condition c;
      c.kind = Condition::Kind::kAnd;
      c.children.push_back(Node(Condition::Kind::kAttributeExists, attr, {}));
      Condition negated;
      negated.kind = Condition::Kind::kNot;
      negated.children.push_back(Node(Condition::Kind::kContains, attr, std::move(args)));
      c.children.push_back(std::move(negated));
      return c;
    }
    case LegacyOp::kBeginsWith:
      return Node(Condition::Kind::kBeginsWith, attr, std::move(args));
    case LegacyOp::kIn:
      return Node(Condition::Kind::kIn, attr, std::move(args));
    case LegacyOp::kBetween:
      return Node(Condition::Kind::kBetween, attr, std::move(args));
  }
  return Condition();
}

std::vector<AttributeValue> DecodeList(element list) {
  std::vector<AttributeValue> out;
  for (element v : AsArray(list)) out.push_back(protocol::ValueFromJson(v));
  return out;
}

// AND (default) or OR of `parts`; kTrue when empty.
std::shared_ptr<const Condition> Combine(std::vector<Condition> parts,
                                         std::optional<std::string_view> conditional_operator) {
  bool is_or = false;
  if (conditional_operator) {
    if (*conditional_operator == "OR") {
      is_or = true;
    } else if (*conditional_operator != "AND") {
      EnumViolation(*conditional_operator, "conditionalOperator", "[OR, AND]");
    }
  }
  auto c = std::make_shared<Condition>();
  if (parts.empty()) {
    c->kind = Condition::Kind::kTrue;
  } else if (parts.size() == 1) {
    *c = std::move(parts.front());
  } else {
    c->kind = is_or ? Condition::Kind::kOr : Condition::Kind::kAnd;
    c->children = std::move(parts);
  }
  return c;
}

struct ComparisonEntry {
  LegacyOp op;
  std::string_view op_name;
  std::vector<AttributeValue> args;
};

// A {ComparisonOperator, AttributeValueList} entry of QueryFilter, ScanFilter or KeyConditions.
ComparisonEntry ReadComparison(std::string_view attr, element value, std::string_view field) {
  simdjson::dom::object o = AsObject(value);
  std::optional<element> op = Member(o, "ComparisonOperator");
  if (!op)
    NullViolation(std::string(field) + "." + std::string(attr) + ".member.comparisonOperator");
  ComparisonEntry entry;
  entry.op_name = AsString(*op);
  entry.op = ParseOp(entry.op_name, field, attr);
  if (std::optional<element> list = Member(o, "AttributeValueList")) entry.args = DecodeList(*list);
  CheckArguments(entry.op, entry.op_name, entry.args);
  return entry;
}

}  // namespace

std::shared_ptr<const Condition> ConvertExpected(
    simdjson::dom::object expected, std::optional<std::string_view> conditional_operator) {
  std::vector<Condition> parts;
  for (auto field : expected) {
    std::string_view attr = field.key;
    simdjson::dom::object o = AsObject(field.value);
    std::optional<element> value = Member(o, "Value");
    std::optional<element> exists = Member(o, "Exists");
    std::optional<element> op = Member(o, "ComparisonOperator");
    std::optional<element> list = Member(o, "AttributeValueList");
    std::optional<bool> exists_flag;
    if (exists) exists_flag = AsBool(*exists);
    std::optional<AttributeValue> decoded;
    if (value) decoded = protocol::ValueFromJson(*value);
    std::string for_attribute = " for Attribute: " + std::string(attr);
    if (value && list)
      Invalid("Value and AttributeValueList cannot be used together" + for_attribute);
    if (!op) {
      if (list) {
        Invalid("AttributeValueList can only be used with a ComparisonOperator" + for_attribute);
      }
      if (exists_flag == false) {
        if (decoded) Invalid("Value cannot be used when Exists is false" + for_attribute);
        parts.push_back(Node(Condition::Kind::kAttributeNotExists, attr, {}));
        continue;
      }
      if (!decoded) {
        Invalid(std::string("Value must be provided when Exists is ") +
                (exists_flag ? "true" : "null") + for_attribute);
      }
      std::vector<AttributeValue> args;
      args.push_back(std::move(*decoded));
      parts.push_back(Comparison(CompareOp::kEq, attr, std::move(args)));
      continue;
    }
    std::string_view op_name = AsString(*op);
    LegacyOp legacy_op = ParseOp(op_name, "expected", attr);
    if (exists_flag) {
      Invalid("Exists and ComparisonOperator cannot be used together" + for_attribute);
    }
    std::vector<AttributeValue> args;
    if (list) {
      args = DecodeList(*list);
    } else if (decoded) {
      args.push_back(std::move(*decoded));
    }
    CheckArguments(legacy_op, op_name, args);
    parts.push_back(BuildCondition(legacy_op, attr, std::move(args)));
  }
  return Combine(std::move(parts), conditional_operator);
}

std::shared_ptr<const Condition> ConvertFilter(
    simdjson::dom::object filter, FilterKind kind,
    std::optional<std::string_view> conditional_operator) {
  std::string_view field = kind == FilterKind::kQueryFilter ? "queryFilter" : "scanFilter";
  std::vector<Condition> parts;
  for (auto member : filter) {
    ComparisonEntry e = ReadComparison(member.key, member.value, field);
    parts.push_back(BuildCondition(e.op, member.key, std::move(e.args)));
  }
  return Combine(std::move(parts), conditional_operator);
}

KeyCondition ConvertKeyConditions(simdjson::dom::object key_conditions,
                                  std::string_view hash_key_name, std::string_view range_key_name) {
  Condition all;
  all.kind = Condition::Kind::kAnd;
  for (auto member : key_conditions) {
    ComparisonEntry e = ReadComparison(member.key, member.value, "keyConditions");
    switch (e.op) {
      case LegacyOp::kEQ:
      case LegacyOp::kLE:
      case LegacyOp::kLT:
      case LegacyOp::kGE:
      case LegacyOp::kGT:
      case LegacyOp::kBeginsWith:
      case LegacyOp::kBetween:
        break;
      default:
        protocol::ThrowValidation("Attempted conditional constraint is not an indexable operation");
    }
    all.children.push_back(BuildCondition(e.op, member.key, std::move(e.args)));
  }
  if (all.children.empty()) {
    protocol::ThrowValidation("Query condition missed key schema element: " +
                         std::string(hash_key_name));
  }
  return ReduceKeyCondition(all, hash_key_name, range_key_name);
}

std::shared_ptr<const UpdateExpr> ConvertAttributeUpdates(simdjson::dom::object updates) {
  auto u = std::make_shared<UpdateExpr>();
  u->legacy = true;
  for (auto member : updates) {
    std::string_view attr = member.key;
    simdjson::dom::object o = AsObject(member.value);
    std::string_view action = "PUT";
    if (std::optional<element> a = Member(o, "Action")) action = AsString(*a);
    if (action != "PUT" && action != "ADD" && action != "DELETE") {
      EnumViolation(action, "attributeUpdates." + std::string(attr) + ".member.action",
                    "[ADD, PUT, DELETE]");
    }
    std::optional<AttributeValue> value;
    if (std::optional<element> v = Member(o, "Value")) value = protocol::ValueFromJson(*v);
    UpdateAction act;
    act.path = Path{PathElement::Name(std::string(attr))};
    if (!value) {
      if (action != "DELETE")
        Invalid("Only DELETE action is allowed when no attribute value is specified");
      act.kind = UpdateAction::Kind::kRemove;
    } else if (action == "PUT") {
      act.kind = UpdateAction::Kind::kSet;
      act.value = Operand::OfValue(std::move(*value));
    } else if (action == "ADD") {
      AttributeType t = value->type;
      if (t != AttributeType::kN && !value->is_set() && t != AttributeType::kL) {
        Invalid("ADD action is not supported for the type " + std::string(TypeName(t)));
      }
      act.kind = UpdateAction::Kind::kAdd;
      act.value = Operand::OfValue(std::move(*value));
    } else {
      if (!value->is_set()) {
        Invalid("DELETE action with value is not supported for the type " +
                std::string(TypeName(value->type)));
      }
      act.kind = UpdateAction::Kind::kDelete;
      act.value = Operand::OfValue(std::move(*value));
    }
    u->actions.push_back(std::move(act));
  }
  return u;
}

std::shared_ptr<const Projection> ConvertAttributesToGet(simdjson::dom::array names) {
  auto p = std::make_shared<Projection>();
  std::set<std::string_view> seen;
  for (element e : names) {
    std::string_view name = AsString(e);
    if (!seen.insert(name).second) {
      Invalid("Duplicate value in attribute name: " + std::string(name));
    }
    p->paths.push_back(Path{PathElement::Name(std::string(name))});
  }
  return p;
}

}  // namespace cairn::expr
