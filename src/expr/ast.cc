// Helpers of the expression syntax tree: path printing and the function table.
#include "expr/ast.h"

#include <array>
#include <unordered_set>

namespace cairn::expr {

std::string PathToString(const Path& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    const PathElement& e = path[i];
    if (e.is_index()) {
      out += '[';
      out += std::to_string(e.index);
      out += ']';
    } else {
      if (i > 0) out += '.';
      out += e.name;
    }
  }
  return out;
}

std::string PathToListString(const Path& path) {
  std::string out = "[";
  for (size_t i = 0; i < path.size(); ++i) {
    if (i > 0) out += ", ";
    const PathElement& e = path[i];
    if (e.is_index()) {
      out += '[';
      out += std::to_string(e.index);
      out += ']';
    } else {
      out += e.name;
    }
  }
  out += ']';
  return out;
}

namespace {

struct FunctionEntry {
  std::string_view name;
  Function id;
};

constexpr std::array<FunctionEntry, 8> kFunctions = {{
    {"attribute_exists", Function::kAttributeExists},
    {"attribute_not_exists", Function::kAttributeNotExists},
    {"attribute_type", Function::kAttributeType},
    {"begins_with", Function::kBeginsWith},
    {"contains", Function::kContains},
    {"size", Function::kSize},
    {"if_not_exists", Function::kIfNotExists},
    {"list_append", Function::kListAppend},
}};

}  // namespace

bool LookupFunction(std::string_view name, Function* out) {
  for (const FunctionEntry& f : kFunctions) {
    if (f.name == name) {
      *out = f.id;
      return true;
    }
  }
  return false;
}

std::string_view FunctionName(Function f) {
  for (const FunctionEntry& e : kFunctions) {
    if (e.id == f) return e.name;
  }
  return "";
}

std::string_view CompareOpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "<>";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "";
}

std::vector<std::string> UpdateExpr::TopLevelNames() const {
  std::vector<std::string> names;
  std::unordered_set<std::string_view> seen;
  for (const UpdateAction& a : actions) {
    const std::string& n = a.path.front().name;
    if (seen.insert(n).second) names.push_back(n);
  }
  return names;
}

}  // namespace cairn::expr
