// Legacy parameter forms -> expression trees; see legacy.h for the semantics and messages.
#include "expr/legacy.h"

#include <array>
#include <utility>

#include "expr/evaluate.h"
#include "protocol/errors.h"

namespace cairn::expr {
namespace {

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

[[noreturn]] void Invalid(const std::string& reason) {
  protocol::ThrowValidation(std::string(kInvalid) + reason);
}

struct OperatorEntry {
  std::string_view name;
  ComparisonOperator op;
};
constexpr std::array<OperatorEntry, 13> kOperators = {{
    {"EQ", ComparisonOperator::kEq},
    {"NE", ComparisonOperator::kNe},
    {"LE", ComparisonOperator::kLe},
    {"LT", ComparisonOperator::kLt},
    {"GE", ComparisonOperator::kGe},
    {"GT", ComparisonOperator::kGt},
    {"NOT_NULL", ComparisonOperator::kNotNull},
    {"NULL", ComparisonOperator::kNull},
    {"CONTAINS", ComparisonOperator::kContains},
    {"NOT_CONTAINS", ComparisonOperator::kNotContains},
    {"BEGINS_WITH", ComparisonOperator::kBeginsWith},
    {"IN", ComparisonOperator::kIn},
    {"BETWEEN", ComparisonOperator::kBetween},
}};

bool IsScalar(AttributeType t) {
  return t == AttributeType::kS || t == AttributeType::kN || t == AttributeType::kB;
}

// Argument count and types, as DynamoDB checks them.
void CheckArguments(ComparisonOperator op, const std::vector<AttributeValue>& args) {
  std::string_view op_name = ComparisonOperatorName(op);
  size_t n = args.size();
  bool count_ok = false;
  switch (op) {
    case ComparisonOperator::kNotNull:
    case ComparisonOperator::kNull:
      count_ok = n == 0;
      break;
    case ComparisonOperator::kIn:
      count_ok = n >= 1;
      break;
    case ComparisonOperator::kBetween:
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
    case ComparisonOperator::kLe:
    case ComparisonOperator::kLt:
    case ComparisonOperator::kGe:
    case ComparisonOperator::kGt:
    case ComparisonOperator::kContains:
    case ComparisonOperator::kNotContains:
    case ComparisonOperator::kIn:
    case ComparisonOperator::kBetween:
      for (const AttributeValue& v : args) {
        if (!IsScalar(v.type)) type_error(v);
      }
      break;
    case ComparisonOperator::kBeginsWith:
      if (args[0].type != AttributeType::kS && args[0].type != AttributeType::kB) {
        type_error(args[0]);
      }
      break;
    case ComparisonOperator::kEq:
    case ComparisonOperator::kNe:
    case ComparisonOperator::kNotNull:
    case ComparisonOperator::kNull:
      break;
  }
  if (op == ComparisonOperator::kBetween) {
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
Condition BuildCondition(ComparisonOperator op, std::string_view attr,
                         std::vector<AttributeValue> args) {
  switch (op) {
    case ComparisonOperator::kEq:
      return Comparison(CompareOp::kEq, attr, std::move(args));
    case ComparisonOperator::kNe:
      return Comparison(CompareOp::kNe, attr, std::move(args));
    case ComparisonOperator::kLe:
      return Comparison(CompareOp::kLe, attr, std::move(args));
    case ComparisonOperator::kLt:
      return Comparison(CompareOp::kLt, attr, std::move(args));
    case ComparisonOperator::kGe:
      return Comparison(CompareOp::kGe, attr, std::move(args));
    case ComparisonOperator::kGt:
      return Comparison(CompareOp::kGt, attr, std::move(args));
    case ComparisonOperator::kNotNull:
      return Node(Condition::Kind::kAttributeExists, attr, {});
    case ComparisonOperator::kNull:
      return Node(Condition::Kind::kAttributeNotExists, attr, {});
    case ComparisonOperator::kContains:
      return Node(Condition::Kind::kContains, attr, std::move(args));
    case ComparisonOperator::kNotContains: {
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
    case ComparisonOperator::kBeginsWith:
      return Node(Condition::Kind::kBeginsWith, attr, std::move(args));
    case ComparisonOperator::kIn:
      return Node(Condition::Kind::kIn, attr, std::move(args));
    case ComparisonOperator::kBetween:
      return Node(Condition::Kind::kBetween, attr, std::move(args));
  }
  return Condition();
}

}  // namespace

bool LookupComparisonOperator(std::string_view name, ComparisonOperator* out) {
  for (const OperatorEntry& e : kOperators) {
    if (e.name == name) {
      *out = e.op;
      return true;
    }
  }
  return false;
}

std::string_view ComparisonOperatorName(ComparisonOperator op) {
  for (const OperatorEntry& e : kOperators) {
    if (e.op == op) return e.name;
  }
  return "";
}

Condition ConvertComparison(LegacyComparison c) {
  CheckArguments(c.op, c.values);
  return BuildCondition(c.op, c.attribute, std::move(c.values));
}

std::shared_ptr<const Condition> CombineComparisons(std::vector<Condition> entries,
                                                    ConditionalOperator op) {
  auto c = std::make_shared<Condition>();
  if (entries.empty()) {
    c->kind = Condition::Kind::kTrue;
  } else if (entries.size() == 1) {
    *c = std::move(entries.front());
  } else {
    c->kind = op == ConditionalOperator::kOr ? Condition::Kind::kOr : Condition::Kind::kAnd;
    c->children = std::move(entries);
  }
  return c;
}

Condition ConvertKeyComparison(LegacyComparison c) {
  CheckArguments(c.op, c.values);
  switch (c.op) {
    case ComparisonOperator::kEq:
    case ComparisonOperator::kLe:
    case ComparisonOperator::kLt:
    case ComparisonOperator::kGe:
    case ComparisonOperator::kGt:
    case ComparisonOperator::kBeginsWith:
    case ComparisonOperator::kBetween:
      break;
    default:
      protocol::ThrowValidation("Attempted conditional constraint is not an indexable operation");
  }
  return BuildCondition(c.op, c.attribute, std::move(c.values));
}

KeyCondition CombineKeyComparisons(std::vector<Condition> entries, std::string_view hash_key_name,
                                   std::string_view range_key_name) {
  if (entries.empty()) {
    protocol::ThrowValidation("Query condition missed key schema element: " +
                              std::string(hash_key_name));
  }
  Condition all;
  all.kind = Condition::Kind::kAnd;
  all.children = std::move(entries);
  return ReduceKeyCondition(all, hash_key_name, range_key_name);
}

UpdateAction ConvertAttributeUpdate(LegacyUpdate u) {
  UpdateAction act;
  act.path = Path{PathElement::Name(std::move(u.attribute))};
  if (!u.value) {
    if (u.action != LegacyUpdate::Action::kDelete)
      Invalid("Only DELETE action is allowed when no attribute value is specified");
    act.kind = UpdateAction::Kind::kRemove;
    return act;
  }
  AttributeType t = u.value->type;
  switch (u.action) {
    case LegacyUpdate::Action::kPut:
      act.kind = UpdateAction::Kind::kSet;
      break;
    case LegacyUpdate::Action::kAdd:
      if (t != AttributeType::kN && !u.value->is_set() && t != AttributeType::kL) {
        Invalid("ADD action is not supported for the type " + std::string(TypeName(t)));
      }
      act.kind = UpdateAction::Kind::kAdd;
      break;
    case LegacyUpdate::Action::kDelete:
      if (!u.value->is_set()) {
        Invalid("DELETE action with value is not supported for the type " +
                std::string(TypeName(t)));
      }
      act.kind = UpdateAction::Kind::kDelete;
      break;
  }
  act.value = Operand::OfValue(std::move(*u.value));
  return act;
}

std::shared_ptr<const UpdateExpr> CombineAttributeUpdates(std::vector<UpdateAction> actions) {
  auto u = std::make_shared<UpdateExpr>();
  u->legacy = true;
  u->actions = std::move(actions);
  return u;
}

std::shared_ptr<const Projection> ConvertAttributesToGet(const std::vector<std::string>& names) {
  auto p = std::make_shared<Projection>();
  for (const std::string& name : names) p->paths.push_back(Path{PathElement::Name(name)});
  return p;
}

}  // namespace cairn::expr
