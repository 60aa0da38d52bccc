// UpdateExpression application; see update.h for the semantics.
//
// Two phases: first every action's new value is computed from the unmodified item (so actions see
// the old item, as in DynamoDB), then the writes are made in action order, and last the removals,
// in descending path order so that list indexes still mean the original positions.
#include "expr/update.h"

#include <algorithm>

#include "protocol/errors.h"
#include "expr/evaluate.h"
#include "types/number.h"

namespace cairn::expr {
namespace {

[[noreturn]] void MissingAttribute() {
  protocol::ThrowValidation(
      "The provided expression refers to an attribute that does not exist in the item");
}
[[noreturn]] void IncorrectType() {
  protocol::ThrowValidation("An operand in the update expression has an incorrect data type");
}
[[noreturn]] void InvalidPath() {
  protocol::ThrowValidation("The document path provided in the update expression is invalid for update");
}

Number ToNumber(const AttributeValue& v) {
  Result<Number> n = Number::Parse(v.s);
  if (!n.ok()) protocol::ThrowValidation(n.status().message());
  return *n;
}

AttributeValue EvaluateValue(const Operand& o, const Item& item) {
  switch (o.kind) {
    case Operand::Kind::kValue:
      return o.value;
    case Operand::Kind::kPath: {
      const AttributeValue* v = FindPath(item, o.path);
      if (v == nullptr) MissingAttribute();
      return *v;
    }
    case Operand::Kind::kIfNotExists: {
      const AttributeValue* v = FindPath(item, o.args[0].path);
      if (v != nullptr) return *v;
      return EvaluateValue(o.args[1], item);
    }
    case Operand::Kind::kListAppend: {
      AttributeValue a = EvaluateValue(o.args[0], item);
      AttributeValue b = EvaluateValue(o.args[1], item);
      if (a.type != AttributeType::kL || b.type != AttributeType::kL) IncorrectType();
      a.list.reserve(a.list.size() + b.list.size());
      for (AttributeValue& e : b.list) a.list.push_back(std::move(e));
      return a;
    }
    case Operand::Kind::kPlus:
    case Operand::Kind::kMinus: {
      AttributeValue a = EvaluateValue(o.args[0], item);
      AttributeValue b = EvaluateValue(o.args[1], item);
      if (a.type != AttributeType::kN || b.type != AttributeType::kN) IncorrectType();
      Number x = ToNumber(a);
      Number y = ToNumber(b);
      Result<Number> r =
          o.kind == Operand::Kind::kPlus ? Number::Add(x, y) : Number::Subtract(x, y);
      if (!r.ok()) protocol::ThrowValidation(r.status().message());
      return AttributeValue::Num(r->ToString());
    }
    case Operand::Kind::kSize:
      break;  // conditions only; the parser never puts it in an update
  }
  IncorrectType();
}

[[noreturn]] void TypeMismatch(bool legacy) {
  if (legacy) protocol::ThrowValidation("Type mismatch for attribute to update");
  IncorrectType();
}

// ADD: the new value of the attribute, given its current value (or nullptr). Legacy ADD also
// appends to a list.
AttributeValue Add(const AttributeValue* current, const AttributeValue& operand, bool legacy) {
  if (current == nullptr) return operand;
  if (current->type != operand.type) TypeMismatch(legacy);
  if (operand.type == AttributeType::kL && legacy) {
    AttributeValue result = *current;
    result.list.insert(result.list.end(), operand.list.begin(), operand.list.end());
    return result;
  }
  if (operand.type == AttributeType::kN) {
    Result<Number> r = Number::Add(ToNumber(*current), ToNumber(operand));
    if (!r.ok()) protocol::ThrowValidation(r.status().message());
    return AttributeValue::Num(r->ToString());
  }
  if (!operand.is_set()) TypeMismatch(legacy);
  AttributeValue result = *current;
  for (const std::string& m : operand.set) {
    if (std::find(result.set.begin(), result.set.end(), m) == result.set.end()) {
      result.set.push_back(m);
    }
  }
  return result;
}

// DELETE: the set left after removing the operand's members (possibly empty).
AttributeValue Delete(const AttributeValue& current, const AttributeValue& operand, bool legacy) {
  if (current.type != operand.type || !operand.is_set()) TypeMismatch(legacy);
  AttributeValue result;
  result.type = current.type;
  for (const std::string& m : current.set) {
    if (std::find(operand.set.begin(), operand.set.end(), m) == operand.set.end()) {
      result.set.push_back(m);
    }
  }
  return result;
}

// The container holding the last element of `path`, or nullptr for a top-level path (whose
// container is the item itself). Throws InvalidPath when an intermediate element is missing or
// of the wrong type.
AttributeValue* Parent(Item& item, const Path& path) {
  if (path.size() == 1) return nullptr;
  auto top = item.find(path.front().name);
  if (top == item.end()) InvalidPath();
  AttributeValue* cur = &top->second;
  for (size_t i = 1; i + 1 < path.size(); ++i) {
    const PathElement& e = path[i];
    if (e.is_index()) {
      if (cur->type != AttributeType::kL || static_cast<size_t>(e.index) >= cur->list.size()) {
        InvalidPath();
      }
      cur = &cur->list[static_cast<size_t>(e.index)];
    } else {
      if (cur->type != AttributeType::kM) InvalidPath();
      auto it = cur->map.find(e.name);
      if (it == cur->map.end()) InvalidPath();
      cur = &it->second;
    }
  }
  return cur;
}

void Write(Item& item, const Path& path, AttributeValue value) {
  AttributeValue* parent = Parent(item, path);
  const PathElement& last = path.back();
  if (parent == nullptr) {
    item.insert_or_assign(last.name, std::move(value));
    return;
  }
  if (last.is_index()) {
    if (parent->type != AttributeType::kL) InvalidPath();
    size_t i = static_cast<size_t>(last.index);
    if (i < parent->list.size()) {
      parent->list[i] = std::move(value);
    } else {
      parent->list.push_back(std::move(value));
    }
    return;
  }
  if (parent->type != AttributeType::kM) InvalidPath();
  parent->map.insert_or_assign(last.name, std::move(value));
}

void Remove(Item& item, const Path& path) {
  AttributeValue* parent = Parent(item, path);
  const PathElement& last = path.back();
  if (parent == nullptr) {
    item.erase(last.name);
    return;
  }
  if (last.is_index()) {
    if (parent->type != AttributeType::kL) InvalidPath();
    size_t i = static_cast<size_t>(last.index);
    if (i < parent->list.size()) parent->list.erase(parent->list.begin() + static_cast<long>(i));
    return;
  }
  if (parent->type != AttributeType::kM) InvalidPath();
  parent->map.erase(last.name);
}

// Descending path order: within one list, higher indexes first.
bool PathGreater(const Path* a, const Path* b) {
  size_t n = std::min(a->size(), b->size());
  for (size_t i = 0; i < n; ++i) {
    const PathElement& x = (*a)[i];
    const PathElement& y = (*b)[i];
    if (x == y) continue;
    if (x.is_index() && y.is_index()) return x.index > y.index;
    if (x.is_index() != y.is_index()) return x.is_index();
    return x.name > y.name;
  }
  return a->size() > b->size();
}

}  // namespace

void ApplyUpdate(const UpdateExpr& u, Item& item, std::vector<Path>* updated) {
  struct Pending {
    const Path* path;
    bool remove;
    AttributeValue value;
  };
  std::vector<Pending> pending;
  pending.reserve(u.actions.size());
  // Phase 1: compute, against the unmodified item.
  for (const UpdateAction& a : u.actions) {
    switch (a.kind) {
      case UpdateAction::Kind::kSet:
        pending.push_back({&a.path, false, EvaluateValue(a.value, item)});
        break;
      case UpdateAction::Kind::kRemove:
        pending.push_back({&a.path, true, AttributeValue()});
        break;
      case UpdateAction::Kind::kAdd:
        pending.push_back({&a.path, false, Add(FindPath(item, a.path), a.value.value, u.legacy)});
        break;
      case UpdateAction::Kind::kDelete: {
        const AttributeValue* current = FindPath(item, a.path);
        if (current == nullptr) break;
        AttributeValue rest = Delete(*current, a.value.value, u.legacy);
        bool empty = rest.set.empty();
        pending.push_back({&a.path, empty, std::move(rest)});
        break;
      }
    }
    if (updated != nullptr) updated->push_back(a.path);
  }
  // Phase 2: writes in action order, then removals from the last list position backwards.
  std::vector<const Path*> removals;
  for (Pending& p : pending) {
    if (p.remove) {
      removals.push_back(p.path);
    } else {
      Write(item, *p.path, std::move(p.value));
    }
  }
  std::sort(removals.begin(), removals.end(), PathGreater);
  for (const Path* p : removals) Remove(item, *p);
}

}  // namespace cairn::expr
