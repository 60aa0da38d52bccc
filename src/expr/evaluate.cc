// Condition evaluation; see evaluate.h for the semantics.
#include "expr/evaluate.h"

#include <algorithm>
#include <unordered_set>

#include "types/number.h"

namespace cairn::expr {
namespace {

// An evaluated operand: a pointer into the item or the tree, or a value computed here (size()).
// Not copyable: `value` may point at `computed`.
struct Evaluated {
  Evaluated() = default;
  Evaluated(const Evaluated&) = delete;
  Evaluated& operator=(const Evaluated&) = delete;

  const AttributeValue* value = nullptr;  // nullptr: absent
  AttributeValue computed;
};

bool IsOrderedType(AttributeType t) {
  return t == AttributeType::kS || t == AttributeType::kN || t == AttributeType::kB;
}

void Evaluate(const Operand& o, const Item& item, Evaluated* out) {
  switch (o.kind) {
    case Operand::Kind::kPath:
      out->value = FindPath(item, o.path);
      return;
    case Operand::Kind::kValue:
      out->value = &o.value;
      return;
    case Operand::Kind::kSize: {
      Evaluated inner;
      Evaluate(o.args[0], item, &inner);
      out->value = nullptr;
      if (inner.value == nullptr) return;
      const AttributeValue& v = *inner.value;
      size_t size = 0;
      switch (v.type) {
        case AttributeType::kS:
        case AttributeType::kB:
          size = v.s.size();
          break;
        case AttributeType::kSS:
        case AttributeType::kNS:
        case AttributeType::kBS:
          size = v.set.size();
          break;
        case AttributeType::kL:
          size = v.list.size();
          break;
        case AttributeType::kM:
          size = v.map.size();
          break;
        default:
          return;  // N, BOOL, NULL have no size
      }
      out->computed = AttributeValue::Num(std::to_string(size));
      out->value = &out->computed;
      return;
    }
    case Operand::Kind::kIfNotExists:
    case Operand::Kind::kListAppend:
    case Operand::Kind::kPlus:
    case Operand::Kind::kMinus:
      // Update-only operands never reach a condition (the parser rejects them).
      out->value = nullptr;
      return;
  }
}

bool Ordered(const AttributeValue* a, const AttributeValue* b, int* cmp) {
  if (a == nullptr || b == nullptr || a->type != b->type || !IsOrderedType(a->type)) return false;
  *cmp = CompareScalars(*a, *b);
  return true;
}

bool Compare(CompareOp op, const AttributeValue* a, const AttributeValue* b) {
  int cmp = 0;
  switch (op) {
    case CompareOp::kEq:
      return a != nullptr && b != nullptr && *a == *b;
    case CompareOp::kNe:
      return !(a != nullptr && b != nullptr && *a == *b);
    case CompareOp::kLt:
      return Ordered(a, b, &cmp) && cmp < 0;
    case CompareOp::kLe:
      return Ordered(a, b, &cmp) && cmp <= 0;
    case CompareOp::kGt:
      return Ordered(a, b, &cmp) && cmp > 0;
    case CompareOp::kGe:
      return Ordered(a, b, &cmp) && cmp >= 0;
  }
  return false;
}

bool SetContains(const AttributeValue& set, const AttributeValue& v) {
  AttributeType member;
  switch (set.type) {
    case AttributeType::kSS:
      member = AttributeType::kS;
      break;
    case AttributeType::kNS:
      member = AttributeType::kN;
      break;
    case AttributeType::kBS:
      member = AttributeType::kB;
      break;
    default:
      return false;
  }
  if (v.type != member) return false;
  // N members and values are canonical text, so text equality is numeric equality.
  return std::find(set.set.begin(), set.set.end(), v.s) != set.set.end();
}

bool Contains(const AttributeValue& haystack, const AttributeValue& needle) {
  switch (haystack.type) {
    case AttributeType::kS:
    case AttributeType::kB:
      return needle.type == haystack.type && haystack.s.find(needle.s) != std::string::npos;
    case AttributeType::kSS:
    case AttributeType::kNS:
    case AttributeType::kBS:
      return SetContains(haystack, needle);
    case AttributeType::kL:
      for (const AttributeValue& e : haystack.list) {
        if (e == needle) return true;
      }
      return false;
    default:
      return false;
  }
}

bool EvaluateLeaf(const Condition& c, const Item& item) {
  switch (c.kind) {
    case Condition::Kind::kCompare: {
      Evaluated a, b;
      Evaluate(c.operands[0], item, &a);
      Evaluate(c.operands[1], item, &b);
      return Compare(c.op, a.value, b.value);
    }
    case Condition::Kind::kBetween: {
      Evaluated v, lo, hi;
      Evaluate(c.operands[0], item, &v);
      Evaluate(c.operands[1], item, &lo);
      Evaluate(c.operands[2], item, &hi);
      int c1 = 0, c2 = 0;
      return Ordered(v.value, lo.value, &c1) && Ordered(v.value, hi.value, &c2) && c1 >= 0 &&
             c2 <= 0;
    }
    case Condition::Kind::kIn: {
      Evaluated v;
      Evaluate(c.operands[0], item, &v);
      if (v.value == nullptr) return false;
      for (size_t i = 1; i < c.operands.size(); ++i) {
        Evaluated candidate;
        Evaluate(c.operands[i], item, &candidate);
        if (candidate.value != nullptr && *candidate.value == *v.value) return true;
      }
      return false;
    }
    case Condition::Kind::kAttributeExists:
      return FindPath(item, c.operands[0].path) != nullptr;
    case Condition::Kind::kAttributeNotExists:
      return FindPath(item, c.operands[0].path) == nullptr;
    case Condition::Kind::kAttributeType: {
      Evaluated v, type;
      Evaluate(c.operands[0], item, &v);
      Evaluate(c.operands[1], item, &type);
      return v.value != nullptr && type.value != nullptr && type.value->type == AttributeType::kS &&
             TypeName(v.value->type) == type.value->s;
    }
    case Condition::Kind::kBeginsWith: {
      Evaluated a, prefix;
      Evaluate(c.operands[0], item, &a);
      Evaluate(c.operands[1], item, &prefix);
      if (a.value == nullptr || prefix.value == nullptr) return false;
      if (a.value->type != prefix.value->type) return false;
      if (a.value->type != AttributeType::kS && a.value->type != AttributeType::kB) return false;
      return a.value->s.compare(0, prefix.value->s.size(), prefix.value->s) == 0 &&
             a.value->s.size() >= prefix.value->s.size();
    }
    case Condition::Kind::kContains: {
      Evaluated a, b;
      Evaluate(c.operands[0], item, &a);
      Evaluate(c.operands[1], item, &b);
      return a.value != nullptr && b.value != nullptr && Contains(*a.value, *b.value);
    }
    case Condition::Kind::kTrue:
      return true;
    case Condition::Kind::kOr:
    case Condition::Kind::kAnd:
    case Condition::Kind::kNot:
      break;
  }
  return false;
}

void CollectNames(const Operand& o, std::unordered_set<std::string_view>* seen,
                  std::vector<std::string>* out) {
  if (o.kind == Operand::Kind::kPath) {
    const std::string& n = o.path.front().name;
    if (seen->insert(n).second) out->push_back(n);
  }
  for (const Operand& a : o.args) CollectNames(a, seen, out);
}

void CollectNames(const Condition& c, std::unordered_set<std::string_view>* seen,
                  std::vector<std::string>* out) {
  for (const Operand& o : c.operands) CollectNames(o, seen, out);
  for (const Condition& child : c.children) CollectNames(child, seen, out);
}

}  // namespace

const AttributeValue* FindPath(const Item& item, const Path& path) {
  auto top = item.find(path.front().name);
  if (top == item.end()) return nullptr;
  const AttributeValue* cur = &top->second;
  for (size_t i = 1; i < path.size(); ++i) {
    const PathElement& e = path[i];
    if (e.is_index()) {
      if (cur->type != AttributeType::kL || static_cast<size_t>(e.index) >= cur->list.size()) {
        return nullptr;
      }
      cur = &cur->list[static_cast<size_t>(e.index)];
    } else {
      if (cur->type != AttributeType::kM) return nullptr;
      auto it = cur->map.find(e.name);
      if (it == cur->map.end()) return nullptr;
      cur = &it->second;
    }
  }
  return cur;
}

int CompareScalars(const AttributeValue& a, const AttributeValue& b) {
  if (a.type == AttributeType::kN) {
    Result<Number> x = Number::Parse(a.s);
    Result<Number> y = Number::Parse(b.s);
    if (x.ok() && y.ok()) return x->Compare(*y);
  }
  int c = a.s.compare(b.s);  // std::string compares bytes as unsigned char
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool EvaluateCondition(const Condition& c, const Item& item) {
  switch (c.kind) {
    case Condition::Kind::kOr:
      for (const Condition& child : c.children) {
        if (EvaluateCondition(child, item)) return true;
      }
      return false;
    case Condition::Kind::kAnd:
      for (const Condition& child : c.children) {
        if (!EvaluateCondition(child, item)) return false;
      }
      return true;
    case Condition::Kind::kNot:
      return !EvaluateCondition(c.children[0], item);
    default:
      return EvaluateLeaf(c, item);
  }
}

std::vector<std::string> ConditionTopLevelNames(const Condition& c) {
  std::vector<std::string> out;
  std::unordered_set<std::string_view> seen;
  CollectNames(c, &seen, &out);
  return out;
}

}  // namespace cairn::expr
