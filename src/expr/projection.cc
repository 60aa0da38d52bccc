// Projecting an item by document paths; see projection.h.
#include "expr/projection.h"

#include <map>

#include "expr/evaluate.h"

namespace cairn::expr {
namespace {

// The part of the result under one position of the item: either the whole value there, or the
// selected map keys / list elements below it.
struct Node {
  const AttributeValue* whole = nullptr;
  std::map<std::string, Node, std::less<>> keys;
  std::map<int32_t, Node> elements;
};

AttributeValue Build(const Node& node) {
  if (node.whole != nullptr) return *node.whole;
  if (!node.elements.empty()) {
    std::vector<AttributeValue> list;
    list.reserve(node.elements.size());
    for (const auto& [index, child] : node.elements) list.push_back(Build(child));
    return AttributeValue::List(std::move(list));
  }
  AttributeMap map;
  for (const auto& [name, child] : node.keys) map.emplace(name, Build(child));
  return AttributeValue::Map(std::move(map));
}

}  // namespace

Item Project(const Item& item, const std::vector<Path>& paths) {
  std::map<std::string, Node, std::less<>> roots;
  for (const Path& path : paths) {
    const AttributeValue* value = FindPath(item, path);
    if (value == nullptr) continue;
    Node* node = &roots[path.front().name];
    for (size_t i = 1; i < path.size() && node->whole == nullptr; ++i) {
      const PathElement& e = path[i];
      node = e.is_index() ? &node->elements[e.index] : &node->keys[e.name];
    }
    if (node->whole == nullptr) {
      node->whole = value;
      node->keys.clear();
      node->elements.clear();
    }
  }
  Item result;
  for (const auto& [name, node] : roots) result.emplace(name, Build(node));
  return result;
}

}  // namespace cairn::expr
