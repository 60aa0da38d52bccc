// See plan.h. Errors travel as a thrown PlanError inside this file only; PlanStatement() returns
// them as a Status.
#include "partiql/plan.h"

#include <algorithm>

namespace cairn::partiql {
namespace {

struct PlanError {
  std::string message;
};
[[noreturn]] void Fail(std::string message) { throw PlanError{std::move(message)}; }

std::string Quoted(std::string_view s) {
  std::string out;
  protocol::JsonWriter::AppendQuoted(&out, s);
  return out;
}

struct Bound {
  std::string type;
  std::string json;
};

// {"<type>":<inner>} -> <inner>, for the elements of a set.
std::string Inner(const Bound& b) {
  size_t prefix = b.type.size() + 4;  // {"T":
  return b.json.substr(prefix, b.json.size() - prefix - 1);
}

class Planner {
 public:
  explicit Planner(const std::vector<Parameter>& parameters) : parameters_(parameters) {}

  // A value expression bound to its AttributeValue. nullopt for MISSING (a map member that is
  // MISSING is left out, as in PartiQL).
  std::optional<Bound> Bind(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kLiteral: return Bound{e.type, e.text};
      case ExprKind::kParameter: {
        const Parameter& p = parameters_.at(static_cast<size_t>(e.index));
        return Bound{p.type, p.json};
      }
      case ExprKind::kMissing: return std::nullopt;
      case ExprKind::kList: {
        std::string json = "{\"L\":[";
        bool first = true;
        for (const Expr& c : e.children) {
          std::optional<Bound> b = Bind(c);
          if (!b) Fail("MISSING is not a value of a list");
          if (!first) json += ",";
          first = false;
          json += b->json;
        }
        return Bound{"L", json + "]}"};
      }
      case ExprKind::kMap: {
        std::string json = "{\"M\":{";
        bool first = true;
        for (size_t i = 0; i < e.children.size(); ++i) {
          std::optional<Bound> b = Bind(e.children[i]);
          if (!b) continue;
          if (!first) json += ",";
          first = false;
          json += Quoted(e.keys[i]) + ":" + b->json;
        }
        return Bound{"M", json + "}}"};
      }
      case ExprKind::kSet: {
        std::string type;
        std::string json;
        for (const Expr& c : e.children) {
          std::optional<Bound> b = Bind(c);
          if (!b || (b->type != "S" && b->type != "N" && b->type != "B")) {
            Fail("A set may hold only strings, numbers or binary values");
          }
          if (!type.empty() && b->type != type) Fail("All the values of a set must be of one type");
          type = b->type;
          json += (json.empty() ? "" : ",") + Inner(*b);
        }
        return Bound{type + "S", "{\"" + type + "S\":[" + json + "]}"};
      }
      default: Fail("Unsupported value");
    }
  }

  std::string Name(const std::string& name) {
    for (const auto& [placeholder, n] : names_) {
      if (n == name) return placeholder;
    }
    std::string placeholder = "#n" + std::to_string(names_.size());
    names_.emplace_back(placeholder, name);
    return placeholder;
  }
  std::string Value(std::string json) {
    std::string placeholder = ":v" + std::to_string(values_.size());
    values_.emplace_back(placeholder, std::move(json));
    return placeholder;
  }
  std::string RenderPath(const Path& path) {
    std::string out;
    for (const PathElement& el : path) {
      if (el.index >= 0) {
        out += '[';
        out += std::to_string(el.index);
        out += ']';
      } else {
        if (!out.empty()) out += ".";
        out += Name(el.name);
      }
    }
    return out;
  }

  static bool IsValue(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kLiteral:
      case ExprKind::kParameter:
      case ExprKind::kList:
      case ExprKind::kMap:
      case ExprKind::kSet: return true;
      default: return false;
    }
  }

  // An operand of a condition.
  std::string Operand(const Expr& e) {
    if (e.kind == ExprKind::kPath) return RenderPath(e.path);
    if (e.kind == ExprKind::kFunction && e.text == "size") {
      if (e.children.size() != 1 || e.children[0].kind != ExprKind::kPath) {
        Fail("Incorrect arguments for function size");
      }
      return "size(" + RenderPath(e.children[0].path) + ")";
    }
    if (e.kind == ExprKind::kMissing) {
      Fail("MISSING can only be tested with IS MISSING or IS NOT MISSING");
    }
    if (IsValue(e)) return Value(Bind(e)->json);
    Fail("Unsupported operand");
  }

  std::string Condition(const Expr& e) {
    switch (e.kind) {
      // Operands are rendered one statement at a time, so placeholders number left to right.
      case ExprKind::kCompare: {
        std::string out = Operand(e.children[0]);
        return out + " " + e.text + " " + Operand(e.children[1]);
      }
      case ExprKind::kBetween: {
        std::string out = Operand(e.children[0]);
        out += " BETWEEN " + Operand(e.children[1]);
        return out + " AND " + Operand(e.children[2]);
      }
      case ExprKind::kIn: {
        std::string out = Operand(e.children[0]) + " IN (";
        for (size_t i = 1; i < e.children.size(); ++i) {
          out += (i > 1 ? ", " : "") + Operand(e.children[i]);
        }
        return out + ")";
      }
      case ExprKind::kIsMissing: {
        if (e.children[0].kind != ExprKind::kPath) Fail("IS MISSING applies to a path");
        std::string p = RenderPath(e.children[0].path);
        return (e.negated ? "attribute_exists(" : "attribute_not_exists(") + p + ")";
      }
      case ExprKind::kIsNull: {
        // True only for an attribute of type NULL: an absent one IS MISSING, not NULL (DynamoDB's
        // PartiQL keeps the two apart, as its data types do).
        if (e.children[0].kind != ExprKind::kPath) Fail("IS NULL applies to a path");
        std::string test =
            "attribute_type(" + RenderPath(e.children[0].path) + ", " +
            Value("{\"S\":\"NULL\"}") + ")";
        return e.negated ? "(NOT " + test + ")" : test;
      }
      case ExprKind::kAnd:
      case ExprKind::kOr: {
        std::string out = "(" + Condition(e.children[0]);
        out += e.kind == ExprKind::kAnd ? " AND " : " OR ";
        return out + Condition(e.children[1]) + ")";
      }
      case ExprKind::kNot: return "(NOT " + Condition(e.children[0]) + ")";
      case ExprKind::kFunction: {
        if (e.text == "size") break;
        std::string out = e.text + "(";
        for (size_t i = 0; i < e.children.size(); ++i) {
          out += (i > 0 ? ", " : "") + Operand(e.children[i]);
        }
        return out + ")";
      }
      default: break;
    }
    Fail("Unsupported condition");
  }

  // The right side of SET.
  std::string SetValue(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kArithmetic: {
        // An UpdateExpression holds one + or - per value.
        for (const Expr& c : e.children) {
          if (c.kind == ExprKind::kArithmetic) Fail(kArithmeticMessage);
        }
        std::string out = SetValue(e.children[0]);
        return out + " " + e.text + " " + SetValue(e.children[1]);
      }
      case ExprKind::kFunction: {
        if (e.text != "list_append" && e.text != "if_not_exists") break;
        std::string out = e.text + "(";
        for (size_t i = 0; i < e.children.size(); ++i) {
          out += (i > 0 ? ", " : "") + SetValue(e.children[i]);
        }
        return out + ")";
      }
      case ExprKind::kPath: return RenderPath(e.path);
      default:
        if (IsValue(e)) return Value(Bind(e)->json);
        break;
    }
    Fail("Unsupported value in SET");
  }

  std::vector<std::pair<std::string, std::string>> names_;
  std::vector<std::pair<std::string, std::string>> values_;

 private:
  const std::vector<Parameter>& parameters_;
};

void Flatten(const Expr& e, std::vector<const Expr*>& out) {
  if (e.kind == ExprKind::kAnd) {
    Flatten(e.children[0], out);
    Flatten(e.children[1], out);
  } else {
    out.push_back(&e);
  }
}

bool SamePath(const Expr& e, const Path& path) {
  if (e.kind != ExprKind::kPath || e.path.size() != path.size()) return false;
  for (size_t i = 0; i < path.size(); ++i) {
    if (e.path[i].name != path[i].name || e.path[i].index != path[i].index) return false;
  }
  return true;
}

bool IsAttribute(const Expr& e, const std::string& name) {
  return e.kind == ExprKind::kPath && e.path.size() == 1 && e.path[0].index < 0 &&
         e.path[0].name == name;
}

// Removes from `conjuncts` the equality `name = value` (either way round) and returns the value.
const Expr* TakeEquality(std::vector<const Expr*>& conjuncts, const std::string& name) {
  for (auto it = conjuncts.begin(); it != conjuncts.end(); ++it) {
    const Expr& c = **it;
    if (c.kind != ExprKind::kCompare || c.text != "=") continue;
    const Expr* value = nullptr;
    if (IsAttribute(c.children[0], name) && Planner::IsValue(c.children[1])) value = &c.children[1];
    if (IsAttribute(c.children[1], name) && Planner::IsValue(c.children[0])) value = &c.children[0];
    if (value) {
      conjuncts.erase(it);
      return value;
    }
  }
  return nullptr;
}

// The values a condition gives the key attribute `name`: one for `name = v` (either way round),
// the candidates of `name IN (v, ...)`, the values of an OR of such conditions; none otherwise.
std::vector<const Expr*> KeyValues(const Expr& c, const std::string& name) {
  std::vector<const Expr*> out;
  if (c.kind == ExprKind::kCompare && c.text == "=") {
    if (IsAttribute(c.children[0], name) && Planner::IsValue(c.children[1])) {
      out.push_back(&c.children[1]);
    } else if (IsAttribute(c.children[1], name) && Planner::IsValue(c.children[0])) {
      out.push_back(&c.children[0]);
    }
  } else if (c.kind == ExprKind::kIn && IsAttribute(c.children[0], name)) {
    for (size_t i = 1; i < c.children.size(); ++i) {
      if (!Planner::IsValue(c.children[i])) return {};
      out.push_back(&c.children[i]);
    }
  } else if (c.kind == ExprKind::kOr) {
    for (const Expr& side : c.children) {
      std::vector<const Expr*> values = KeyValues(side, name);
      if (values.empty()) return {};
      out.insert(out.end(), values.begin(), values.end());
    }
  }
  return out;
}

// Removes from `conjuncts` the first condition that gives `name` its values, and returns them
// bound, duplicates dropped, in the order written; empty when no condition does.
std::vector<std::string> TakeKeyValues(Planner& planner, std::vector<const Expr*>& conjuncts,
                                       const std::string& name) {
  for (auto it = conjuncts.begin(); it != conjuncts.end(); ++it) {
    std::vector<const Expr*> values = KeyValues(**it, name);
    if (values.empty()) continue;
    std::vector<std::string> bound;
    for (const Expr* v : values) {
      std::string json = planner.Bind(*v)->json;
      if (std::find(bound.begin(), bound.end(), json) == bound.end()) bound.push_back(json);
    }
    conjuncts.erase(it);
    return bound;
  }
  return {};
}

// Removes from `conjuncts` a condition on the sort key that a key condition can hold.
const Expr* TakeSortKeyCondition(std::vector<const Expr*>& conjuncts, const std::string& name) {
  for (auto it = conjuncts.begin(); it != conjuncts.end(); ++it) {
    const Expr& c = **it;
    bool fits = false;
    if (c.kind == ExprKind::kCompare && c.text != "<>") {
      fits = IsAttribute(c.children[0], name) && Planner::IsValue(c.children[1]);
    } else if (c.kind == ExprKind::kBetween) {
      fits = IsAttribute(c.children[0], name) && Planner::IsValue(c.children[1]) &&
             Planner::IsValue(c.children[2]);
    } else if (c.kind == ExprKind::kFunction && c.text == "begins_with" &&
               c.children.size() == 2) {
      fits = IsAttribute(c.children[0], name) && Planner::IsValue(c.children[1]);
    }
    if (fits) {
      conjuncts.erase(it);
      return &c;
    }
  }
  return nullptr;
}

std::string Conjunction(Planner& planner, const std::vector<const Expr*>& conjuncts) {
  std::string out;
  for (const Expr* c : conjuncts) {
    out += (out.empty() ? "" : " AND ") + planner.Condition(*c);
  }
  return out;
}

// The key of an item statement: every key attribute's equality, taken from `conjuncts`.
std::string ItemKey(Planner& planner, std::vector<const Expr*>& conjuncts, const KeyNames& key) {
  std::string json = "{";
  bool first = true;
  for (const auto* names : {&key.hash, &key.range}) {
    for (const std::string& name : *names) {
      const Expr* value = TakeEquality(conjuncts, name);
      if (!value) Fail(kKeyEqualityMessage);
      if (!first) json += ',';
      json += Quoted(name);
      json += ':';
      json += planner.Bind(*value)->json;
      first = false;
    }
  }
  return json + "}";
}

std::string ReturnValues(Returning r) {
  switch (r) {
    case Returning::kNone: return "";
    case Returning::kAllOld: return "ALL_OLD";
    case Returning::kModifiedOld: return "UPDATED_OLD";
    case Returning::kAllNew: return "ALL_NEW";
    case Returning::kModifiedNew: return "UPDATED_NEW";
  }
  return "";
}

void PlanSelect(const Statement& st, Planner& planner, const KeyNames& table_key,
                const KeyNames* index_key, Plan& plan) {
  const KeyNames& key = index_key ? *index_key : table_key;
  std::vector<const Expr*> conjuncts;
  if (st.where) Flatten(*st.where, conjuncts);
  std::vector<const Expr*> rest = conjuncts;
  // Each partition key attribute's values; several only for a single-attribute partition key.
  std::vector<std::pair<std::string, std::vector<std::string>>> hash;
  for (const std::string& name : key.hash) {
    std::vector<const Expr*> after = rest;
    std::vector<std::string> values = TakeKeyValues(planner, after, name);
    if (values.empty() || (values.size() > 1 && key.hash.size() > 1)) break;
    rest = std::move(after);
    hash.emplace_back(name, std::move(values));
  }
  if (!key.hash.empty() && hash.size() == key.hash.size()) {
    // The sort key's values (`sk = v`, `sk IN [...]`, an OR of equalities) make each read one
    // key; with ORDER BY, several of them stay a condition of each partition's Query instead,
    // which returns them in order.
    std::vector<const Expr*> after_range = rest;
    std::vector<std::string> range_values;
    if (key.range.size() == 1) {
      std::vector<const Expr*> after = rest;
      std::vector<std::string> values = TakeKeyValues(planner, after, key.range[0]);
      if (values.size() == 1 || (values.size() > 1 && !st.order_by)) {
        range_values = std::move(values);
        after_range = std::move(after);
      }
    }
    const std::vector<std::string>& hash_values = hash[0].second;
    size_t reads = hash_values.size() * std::max<size_t>(range_values.size(), 1);
    bool whole_key = key.range.empty() || !range_values.empty();
    if (!index_key && reads == 1 && after_range.empty() && !st.order_by && whole_key) {
      plan.operation = Operation::kGetItem;
      std::string json = "{";
      for (const auto& [name, values] : hash) {
        if (json.size() > 1) json += ',';
        json += Quoted(name);
        json += ':';
        json += values[0];
      }
      if (!range_values.empty()) {
        json += ',';
        json += Quoted(key.range[0]);
        json += ':';
        json += range_values[0];
      }
      plan.key = json + "}";
    } else {
      plan.operation = Operation::kQuery;
      std::string kc;
      std::string hash_placeholder;
      for (const auto& [name, values] : hash) {
        std::string placeholder = planner.Value(values[0]);
        if (hash_placeholder.empty()) hash_placeholder = placeholder;
        kc += (kc.empty() ? "" : " AND ") + planner.Name(name) + " = " + placeholder;
      }
      std::string range_placeholder;
      if (!range_values.empty()) {
        range_placeholder = planner.Value(range_values[0]);
        kc += " AND " + planner.Name(key.range[0]) + " = " + range_placeholder;
        rest = std::move(after_range);
      } else if (key.range.size() == 1) {
        if (const Expr* sort = TakeSortKeyCondition(rest, key.range[0])) {
          kc += " AND " + planner.Condition(*sort);
        }
      }
      if (reads > 1) {
        // Every partition key with every sort key, in the order written.
        plan.key_placeholders.push_back(hash_placeholder);
        if (!range_placeholder.empty()) plan.key_placeholders.push_back(range_placeholder);
        for (const std::string& h : hash_values) {
          if (range_values.empty()) {
            plan.key_reads.push_back({h});
          } else {
            for (const std::string& r : range_values) plan.key_reads.push_back({h, r});
          }
        }
      }
      plan.key_condition = kc;
      plan.condition = Conjunction(planner, rest);
    }
  } else {
    plan.operation = Operation::kScan;
    if (st.where) plan.condition = planner.Condition(*st.where);
  }
  if (st.order_by) {
    if (plan.operation != Operation::kQuery) {
      Fail(kOrderByMessage);
    }
    if (key.range.size() != 1 || st.order_by->size() != 1 ||
        (*st.order_by)[0].name != key.range[0]) {
      Fail("ORDER BY is only supported on the sort key of the table or index");
    }
    plan.scan_index_forward = !st.descending;
  }
  std::string projection;
  for (const Path& p : st.projection) {
    projection += (projection.empty() ? "" : ", ") + planner.RenderPath(p);
  }
  plan.projection = projection;
}

void PlanWrite(const Statement& st, Planner& planner, const KeyNames& key, Plan& plan) {
  const std::string& hash_name = key.hash.at(0);
  if (st.kind == StatementKind::kInsert) {
    std::optional<Bound> item = st.value ? planner.Bind(*st.value) : std::nullopt;
    if (!item || item->type != "M") Fail("The value of an INSERT must be a map: VALUE {...}");
    plan.operation = Operation::kPutItem;
    plan.insert = true;
    plan.item = item->json.substr(5, item->json.size() - 6);  // {"M":{...}} -> {...}
    plan.condition = "attribute_not_exists(" + planner.Name(hash_name) + ")";
    return;
  }
  std::vector<const Expr*> conjuncts;
  if (st.where) Flatten(*st.where, conjuncts);
  plan.key = ItemKey(planner, conjuncts, key);
  switch (st.kind) {
    case StatementKind::kUpdate: {
      plan.operation = Operation::kUpdateItem;
      std::string set, remove, add, del;
      for (const UpdateAction& a : st.actions) {
        std::string path = planner.RenderPath(a.path);
        if (a.remove) {
          remove += (remove.empty() ? "" : ", ") + path;
          continue;
        }
        const Expr& v = a.value;
        if (v.kind == ExprKind::kFunction && (v.text == "set_add" || v.text == "set_delete")) {
          if (v.children.size() != 2) Fail("Incorrect number of arguments for " + v.text);
          // They run as ADD or DELETE on the attribute set, which they must therefore name.
          if (!SamePath(v.children[0], a.path)) {
            Fail(v.text + " must take the attribute being set as its first argument");
          }
          std::optional<Bound> b = planner.Bind(v.children[1]);
          if (!b) Fail("Incorrect arguments for " + v.text);
          std::string& out = v.text == "set_add" ? add : del;
          out += (out.empty() ? "" : ", ") + path + " " + planner.Value(b->json);
          continue;
        }
        set += (set.empty() ? "" : ", ") + path + " = " + planner.SetValue(v);
      }
      std::string u;
      if (!set.empty()) u += "SET " + set;
      if (!remove.empty()) u += (u.empty() ? "" : " ") + std::string("REMOVE ") + remove;
      if (!add.empty()) u += (u.empty() ? "" : " ") + std::string("ADD ") + add;
      if (!del.empty()) u += (u.empty() ? "" : " ") + std::string("DELETE ") + del;
      plan.update = u;
      // PartiQL's UPDATE changes an existing item; it never creates one.
      std::string rest = Conjunction(planner, conjuncts);
      plan.condition = "attribute_exists(" + planner.Name(hash_name) + ")" +
                       (rest.empty() ? "" : " AND (" + rest + ")");
      plan.return_values = ReturnValues(st.returning);
      return;
    }
    case StatementKind::kDelete:
      if (st.returning != Returning::kNone && st.returning != Returning::kAllOld) {
        Fail("DELETE supports only RETURNING ALL OLD *");
      }
      plan.operation = Operation::kDeleteItem;
      plan.condition = Conjunction(planner, conjuncts);
      plan.return_values = ReturnValues(st.returning);
      return;
    case StatementKind::kExists: {
      plan.operation = Operation::kConditionCheck;
      std::string exists = "attribute_exists(" + planner.Name(hash_name) + ")";
      std::string rest = Conjunction(planner, conjuncts);
      if (!rest.empty()) exists += " AND (" + rest + ")";
      plan.condition = st.negated ? "NOT (" + exists + ")" : exists;
      return;
    }
    default: Fail("Unsupported statement");
  }
}

}  // namespace

Result<Plan> PlanStatement(const Statement& statement, const std::vector<Parameter>& parameters,
                           const KeyNames& table_key, const KeyNames* index_key) {
  if (static_cast<size_t>(statement.parameter_count) != parameters.size()) {
    return Status::InvalidArgument(kParameterCountMessage);
  }
  Plan plan;
  plan.table = statement.table;
  plan.index = statement.index;
  Planner planner(parameters);
  try {
    if (statement.kind == StatementKind::kSelect) {
      PlanSelect(statement, planner, table_key, index_key, plan);
    } else {
      if (table_key.hash.empty()) return Status::InvalidArgument("The table has no key");
      PlanWrite(statement, planner, table_key, plan);
    }
  } catch (const PlanError& e) {
    return Status::InvalidArgument(e.message);
  }
  plan.names = std::move(planner.names_);
  plan.values = std::move(planner.values_);
  return plan;
}

Plan Plan::ForKeyRead(size_t i) const {
  Plan one = *this;
  const std::vector<std::string>& read = key_reads.at(i);
  for (auto& [placeholder, json] : one.values) {
    for (size_t k = 0; k < key_placeholders.size(); ++k) {
      if (placeholder == key_placeholders[k]) json = read.at(k);
    }
  }
  one.key_reads.clear();
  one.key_placeholders.clear();
  return one;
}

void WriteRequestMembers(const Plan& plan, protocol::JsonWriter& w) {
  w.KV("TableName", plan.table);
  if (plan.index) w.KV("IndexName", *plan.index);
  if (!plan.key.empty()) {
    w.Key("Key");
    w.Raw(plan.key);
  }
  if (!plan.item.empty()) {
    w.Key("Item");
    w.Raw(plan.item);
  }
  if (!plan.key_condition.empty()) w.KV("KeyConditionExpression", plan.key_condition);
  if (!plan.update.empty()) w.KV("UpdateExpression", plan.update);
  if (!plan.condition.empty()) {
    w.KV(plan.is_read() ? "FilterExpression" : "ConditionExpression", plan.condition);
  }
  if (!plan.projection.empty()) w.KV("ProjectionExpression", plan.projection);
  if (!plan.names.empty()) {
    w.Key("ExpressionAttributeNames");
    w.BeginObject();
    for (const auto& [placeholder, name] : plan.names) w.KV(placeholder, name);
    w.EndObject();
  }
  if (!plan.values.empty()) {
    w.Key("ExpressionAttributeValues");
    w.BeginObject();
    for (const auto& [placeholder, json] : plan.values) {
      w.Key(placeholder);
      w.Raw(json);
    }
    w.EndObject();
  }
  if (!plan.scan_index_forward) {
    w.Key("ScanIndexForward");
    w.Bool(false);
  }
  if (!plan.return_values.empty()) w.KV("ReturnValues", plan.return_values);
}

}  // namespace cairn::partiql
