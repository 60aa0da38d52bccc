// KeyConditionExpression reduction; see key_condition.h.
#include "expr/key_condition.h"

#include "protocol/errors.h"
#include "expr/evaluate.h"
#include "expr/parser.h"

namespace cairn::expr {
namespace {

[[noreturn]] void InvalidOperator(std::string_view op) {
  protocol::ThrowValidation("Invalid operator used in KeyConditionExpression: " + std::string(op));
}
[[noreturn]] void NotSupported() { protocol::ThrowValidation("Query key condition not supported"); }

// Rejects every node other than AND, the comparisons except <>, BETWEEN and begins_with, in tree
// order.
void CheckOperators(const Condition& c) {
  switch (c.kind) {
    case Condition::Kind::kOr:
      InvalidOperator("OR");
    case Condition::Kind::kNot:
      InvalidOperator("NOT");
    case Condition::Kind::kIn:
      InvalidOperator("IN");
    case Condition::Kind::kAttributeExists:
      InvalidOperator("attribute_exists");
    case Condition::Kind::kAttributeNotExists:
      InvalidOperator("attribute_not_exists");
    case Condition::Kind::kAttributeType:
      InvalidOperator("attribute_type");
    case Condition::Kind::kContains:
      InvalidOperator("contains");
    case Condition::Kind::kCompare:
      if (c.op == CompareOp::kNe) InvalidOperator("<>");
      break;
    case Condition::Kind::kAnd:
    case Condition::Kind::kBetween:
    case Condition::Kind::kBeginsWith:
    case Condition::Kind::kTrue:
      break;
  }
  for (const Operand& o : c.operands) {
    if (o.kind == Operand::Kind::kSize) InvalidOperator("size");
  }
  for (const Condition& child : c.children) CheckOperators(child);
}

void CollectLeaves(const Condition& c, std::vector<const Condition*>* leaves) {
  if (c.kind == Condition::Kind::kAnd) {
    for (const Condition& child : c.children) CollectLeaves(child, leaves);
  } else {
    leaves->push_back(&c);
  }
}

// One leaf as "attribute op values".
struct Leaf {
  const Path* path = nullptr;
  KeyCondition::Op op = KeyCondition::Op::kNone;
  const AttributeValue* a = nullptr;
  const AttributeValue* b = nullptr;
};

KeyCondition::Op FromCompare(CompareOp op, bool flipped) {
  switch (op) {
    case CompareOp::kEq:
      return KeyCondition::Op::kEQ;
    case CompareOp::kLt:
      return flipped ? KeyCondition::Op::kGT : KeyCondition::Op::kLT;
    case CompareOp::kLe:
      return flipped ? KeyCondition::Op::kGE : KeyCondition::Op::kLE;
    case CompareOp::kGt:
      return flipped ? KeyCondition::Op::kLT : KeyCondition::Op::kGT;
    case CompareOp::kGe:
      return flipped ? KeyCondition::Op::kLE : KeyCondition::Op::kGE;
    case CompareOp::kNe:
      break;
  }
  NotSupported();
}

bool IsPath(const Operand& o) { return o.kind == Operand::Kind::kPath; }
bool IsValue(const Operand& o) { return o.kind == Operand::Kind::kValue; }

Leaf ToLeaf(const Condition& c) {
  Leaf leaf;
  const std::vector<Operand>& ops = c.operands;
  switch (c.kind) {
    case Condition::Kind::kCompare:
      if (IsPath(ops[0]) && IsValue(ops[1])) {
        leaf = {&ops[0].path, FromCompare(c.op, false), &ops[1].value, nullptr};
      } else if (IsValue(ops[0]) && IsPath(ops[1])) {
        leaf = {&ops[1].path, FromCompare(c.op, true), &ops[0].value, nullptr};
      } else {
        NotSupported();
      }
      break;
    case Condition::Kind::kBetween:
      if (!IsPath(ops[0]) || !IsValue(ops[1]) || !IsValue(ops[2])) NotSupported();
      leaf = {&ops[0].path, KeyCondition::Op::kBetween, &ops[1].value, &ops[2].value};
      break;
    case Condition::Kind::kBeginsWith:
      if (!IsPath(ops[0]) || !IsValue(ops[1])) NotSupported();
      leaf = {&ops[0].path, KeyCondition::Op::kBeginsWith, &ops[1].value, nullptr};
      break;
    default:
      NotSupported();
  }
  if (leaf.path->size() != 1) {
    protocol::ThrowValidation(
        "Invalid KeyConditionExpression: KeyConditionExpressions cannot have conditions on nested "
        "attributes");
  }
  return leaf;
}

}  // namespace

bool KeyCondition::MatchesRange(const AttributeValue& v) const {
  if (op == Op::kNone) return true;
  if (v.type != a.type || !v.is_scalar_key_type()) return false;
  int c = CompareScalars(v, a);
  switch (op) {
    case Op::kEQ:
      return c == 0;
    case Op::kLT:
      return c < 0;
    case Op::kLE:
      return c <= 0;
    case Op::kGT:
      return c > 0;
    case Op::kGE:
      return c >= 0;
    case Op::kBetween:
      return c >= 0 && v.type == b.type && CompareScalars(v, b) <= 0;
    case Op::kBeginsWith:
      return v.s.size() >= a.s.size() && v.s.compare(0, a.s.size(), a.s) == 0;
    case Op::kNone:
      break;
  }
  return true;
}

std::shared_ptr<const Condition> ParseKeyConditionTree(std::string_view text,
                                                       ExpressionContext& ctx) {
  std::shared_ptr<const Condition> cond = ParseCondition(text, "KeyConditionExpression", ctx);
  CheckOperators(*cond);
  return cond;
}

KeyCondition ParseKeyCondition(std::string_view text, ExpressionContext& ctx,
                               std::string_view hash_key_name, std::string_view range_key_name) {
  return ReduceKeyCondition(*ParseKeyConditionTree(text, ctx), hash_key_name, range_key_name);
}

KeyCondition ReduceKeyCondition(const Condition& cond, std::string_view hash_key_name,
                                std::string_view range_key_name) {
  CheckOperators(cond);
  std::vector<const Condition*> nodes;
  CollectLeaves(cond, &nodes);
  std::vector<Leaf> leaves;
  leaves.reserve(nodes.size());
  for (const Condition* n : nodes) leaves.push_back(ToLeaf(*n));
  for (size_t i = 0; i < leaves.size(); ++i) {
    for (size_t j = i + 1; j < leaves.size(); ++j) {
      if (leaves[i].path->front().name == leaves[j].path->front().name) {
        protocol::ThrowValidation(
            "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one "
            "condition per key");
      }
    }
  }
  const Leaf* hash = nullptr;
  const Leaf* range = nullptr;
  bool other = false;
  for (const Leaf& l : leaves) {
    const std::string& name = l.path->front().name;
    if (name == hash_key_name) {
      hash = &l;
    } else if (!range_key_name.empty() && name == range_key_name) {
      range = &l;
    } else {
      other = true;
    }
  }
  if (hash == nullptr) {
    protocol::ThrowValidation("Query condition missed key schema element: " +
                         std::string(hash_key_name));
  }
  if (other) {
    if (!range_key_name.empty() && range == nullptr) {
      protocol::ThrowValidation("Query condition missed key schema element: " +
                           std::string(range_key_name));
    }
    NotSupported();
  }
  if (hash->op != KeyCondition::Op::kEQ) NotSupported();
  KeyCondition kc;
  kc.hash_name = std::string(hash_key_name);
  kc.hash_value = *hash->a;
  if (range != nullptr) {
    kc.range_name = std::string(range_key_name);
    kc.op = range->op;
    kc.a = *range->a;
    if (range->b != nullptr) kc.b = *range->b;
  }
  return kc;
}

MultiKeyCondition ReduceMultiKeyCondition(const Condition& cond,
                                          const std::vector<std::string>& hash_names,
                                          const std::vector<std::string>& range_names) {
  CheckOperators(cond);
  std::vector<const Condition*> nodes;
  CollectLeaves(cond, &nodes);
  std::vector<Leaf> leaves;
  for (const Condition* n : nodes) leaves.push_back(ToLeaf(*n));
  auto find = [&](const std::string& name) -> const Leaf* {
    const Leaf* found = nullptr;
    for (const Leaf& l : leaves) {
      if (l.path->front().name != name) continue;
      if (found)
        protocol::ThrowValidation(
            "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one "
            "condition per key");
      found = &l;
    }
    return found;
  };
  MultiKeyCondition kc;
  size_t used = 0;
  for (const auto& h : hash_names) {
    const Leaf* l = find(h);
    if (!l) protocol::ThrowValidation("Query condition missed key schema element: " + h);
    if (l->op != KeyCondition::Op::kEQ) NotSupported();
    kc.hash_values.push_back(*l->a);
    ++used;
  }
  bool ended = false;  // a gap or an inequality was seen
  for (const auto& r : range_names) {
    const Leaf* l = find(r);
    if (!l) {
      ended = true;
      continue;
    }
    if (ended) NotSupported();
    ++used;
    if (l->op == KeyCondition::Op::kEQ) {
      kc.range_equal.push_back(*l->a);
      continue;
    }
    kc.op = l->op;
    kc.a = *l->a;
    if (l->b) kc.b = *l->b;
    ended = true;
  }
  if (used != leaves.size()) NotSupported();  // a condition on a non-key attribute
  if (kc.op == KeyCondition::Op::kNone && !kc.range_equal.empty() &&
      kc.range_equal.size() == range_names.size()) {
    // `=` on every RANGE attribute: the last one is the range condition itself.
    kc.op = KeyCondition::Op::kEQ;
    kc.a = kc.range_equal.back();
    kc.range_equal.pop_back();
  }
  return kc;
}

}  // namespace cairn::expr
