// PartitionsOf: the partition keys a request names (see request_partitions.h).
#include "throttle/request_partitions.h"

#include <cctype>
#include <optional>
#include <string>
#include <vector>

namespace cairn::throttle {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// The canonical text of the partition key of `item` (a Key or an Item), or nullopt.
std::optional<std::string> KeyOf(element item, const std::vector<storage::KeyElement>& hash) {
  object o;
  if (item.get(o) != simdjson::SUCCESS || hash.empty()) return std::nullopt;
  std::string key;
  for (const auto& k : hash) {
    element v;
    if (o[k.name].get(v) != simdjson::SUCCESS) return std::nullopt;
    if (!key.empty()) key.push_back('\x1f');
    key += simdjson::minify(v);
  }
  return key;
}

void Add(Partitions* p, element item, const std::vector<storage::KeyElement>& hash) {
  if (auto key = KeyOf(item, hash)) p->keys.push_back(std::move(*key));
}

std::string Trimmed(std::string_view s) {
  while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.front())) || s.front() == '('))
    s.remove_prefix(1);
  while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) || s.back() == ')'))
    s.remove_suffix(1);
  return std::string(s);
}

// The clauses of a key condition: split at each top-level AND (a BETWEEN's AND splits too, which
// leaves no equality behind).
std::vector<std::string> Clauses(std::string_view expr) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i + 3 <= expr.size(); ++i) {
    auto upper = [&](size_t j) { return std::toupper(static_cast<unsigned char>(expr[j])); };
    const bool word_before = i > 0 && !std::isspace(static_cast<unsigned char>(expr[i - 1])) &&
                             expr[i - 1] != ')';
    const bool word_after = i + 3 < expr.size() &&
                            !std::isspace(static_cast<unsigned char>(expr[i + 3])) &&
                            expr[i + 3] != '(';
    if (upper(i) == 'A' && upper(i + 1) == 'N' && upper(i + 2) == 'D' && !word_before &&
        !word_after) {
      out.push_back(Trimmed(expr.substr(start, i - start)));
      start = i + 3;
    }
  }
  out.push_back(Trimmed(expr.substr(start)));
  return out;
}

// The partition key value a Query's key condition fixes (`hash`: the attribute names of the
// table's or the GSI's partition key).
void AddQueryKey(Partitions* p, object q, const std::vector<storage::KeyElement>& hash) {
  object values, names;
  const bool has_values = q["ExpressionAttributeValues"].get(values) == simdjson::SUCCESS;
  const bool has_names = q["ExpressionAttributeNames"].get(names) == simdjson::SUCCESS;
  std::string_view expr;
  if (q["KeyConditionExpression"].get(expr) == simdjson::SUCCESS && has_values) {
    std::string key;
    for (const auto& k : hash) {
      std::optional<std::string> value;
      for (const std::string& clause : Clauses(expr)) {
        size_t eq = clause.find('=');
        if (eq == std::string::npos || eq == 0 || clause.find('=', eq + 1) != std::string::npos)
          continue;
        const char before = clause[eq - 1];
        if (before == '<' || before == '>' || before == '!') continue;
        std::string left = Trimmed(std::string_view(clause).substr(0, eq));
        std::string right = Trimmed(std::string_view(clause).substr(eq + 1));
        if (left.starts_with(':')) std::swap(left, right);
        if (!right.starts_with(':')) continue;
        std::string name = left;
        if (name.starts_with('#')) {
          std::string_view resolved;
          if (!has_names || names[name].get(resolved) != simdjson::SUCCESS) continue;
          name = std::string(resolved);
        }
        element v;
        if (name == k.name && values[right].get(v) == simdjson::SUCCESS) {
          value = simdjson::minify(v);
          break;
        }
      }
      if (!value) return;
      if (!key.empty()) key.push_back('\x1f');
      key += *value;
    }
    p->keys.push_back(std::move(key));
    return;
  }
  // The older KeyConditions: {"pk": {"AttributeValueList": [v], "ComparisonOperator": "EQ"}}.
  object conditions;
  if (q["KeyConditions"].get(conditions) != simdjson::SUCCESS) return;
  std::string key;
  for (const auto& k : hash) {
    array list;
    element v;
    std::string_view op;
    if (conditions[k.name]["ComparisonOperator"].get(op) != simdjson::SUCCESS || op != "EQ" ||
        conditions[k.name]["AttributeValueList"].get(list) != simdjson::SUCCESS ||
        list.at(0).get(v) != simdjson::SUCCESS)
      return;
    if (!key.empty()) key.push_back('\x1f');
    key += simdjson::minify(v);
  }
  p->keys.push_back(std::move(key));
}

}  // namespace

Partitions PartitionsOf(std::string_view op, object request, std::string_view name_param,
                        const storage::TableInfo& table) {
  Partitions p;
  const std::vector<storage::KeyElement> table_hash{table.hash};
  if (op == "GetItem" || op == "UpdateItem" || op == "DeleteItem") {
    if (element key; request["Key"].get(key) == simdjson::SUCCESS) Add(&p, key, table_hash);
  } else if (op == "PutItem") {
    if (element item; request["Item"].get(item) == simdjson::SUCCESS) Add(&p, item, table_hash);
  } else if (op == "BatchGetItem") {
    array keys;
    if (request["RequestItems"][name_param]["Keys"].get(keys) == simdjson::SUCCESS)
      for (element key : keys) Add(&p, key, table_hash);
  } else if (op == "BatchWriteItem") {
    array writes;
    if (request["RequestItems"][name_param].get(writes) == simdjson::SUCCESS) {
      for (element w : writes) {
        element item;
        if (w["PutRequest"]["Item"].get(item) == simdjson::SUCCESS ||
            w["DeleteRequest"]["Key"].get(item) == simdjson::SUCCESS)
          Add(&p, item, table_hash);
      }
    }
  } else if (op == "TransactGetItems" || op == "TransactWriteItems") {
    array items;
    if (request["TransactItems"].get(items) == simdjson::SUCCESS) {
      for (element entry : items) {
        object o;
        if (entry.get(o) != simdjson::SUCCESS) continue;
        for (auto [kind, action] : o) {
          std::string_view name;
          if (action["TableName"].get(name) != simdjson::SUCCESS || name != name_param) continue;
          element item;
          if (action[kind == "Put" ? "Item" : "Key"].get(item) == simdjson::SUCCESS)
            Add(&p, item, table_hash);
        }
      }
    }
  } else if (op == "Query") {
    std::string_view index;
    const storage::IndexInfo* x = nullptr;
    if (request["IndexName"].get(index) == simdjson::SUCCESS) x = table.FindIndex(index);
    if (x != nullptr && x->global) {
      p.index = x->name;
      AddQueryKey(&p, request, x->hash);
    } else {
      AddQueryKey(&p, request, table_hash);
    }
  }
  return p;
}

}  // namespace cairn::throttle
