// AttributeValue: type names, factories, DynamoDB's size rule and deep equality. See
// attribute_value.h for the invariants.
#include "types/attribute_value.h"

#include <algorithm>
#include <utility>

#include "types/number.h"

namespace cairn {
namespace {

// The canonical form of N text, for comparison; text that is not a number compares as itself.
std::string CanonicalNumber(const std::string& text) {
  Result<Number> n = Number::Parse(text);
  return n.ok() ? n->ToString() : text;
}

bool NumberTextEqual(const std::string& a, const std::string& b) {
  if (a == b) return true;
  Result<Number> x = Number::Parse(a);
  Result<Number> y = Number::Parse(b);
  return x.ok() && y.ok() && *x == *y;
}

bool SetsEqual(const AttributeValue& a, const AttributeValue& b) {
  if (a.set.size() != b.set.size()) return false;
  if (a.set == b.set) return true;  // the common case: same order
  std::vector<std::string> x, y;
  if (a.type == AttributeType::kNS) {
    x.reserve(a.set.size());
    y.reserve(b.set.size());
    for (const std::string& m : a.set) x.push_back(CanonicalNumber(m));
    for (const std::string& m : b.set) y.push_back(CanonicalNumber(m));
  } else {
    x = a.set;
    y = b.set;
  }
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return x == y;
}

}  // namespace

// DynamoDB's size of an N value, the rule dynalite derived by measuring DynamoDB: the number is
// stored as base-100 digit pairs aligned on the decimal point, plus an exponent byte, plus a
// terminator byte for negatives. With d significant digits and adjusted exponent A (power of ten
// of the leading digit): 1 + ceil(d/2) + (d even and A even ? 1 : 0) + (negative ? 1 : 0); zero
// is 1.
size_t NumberSize(std::string_view text) {
  // Fast path for canonical text ("-123.45", "0.00012"); anything else goes through Number.
  if (text.find_first_not_of("-0123456789.") != std::string_view::npos) {
    Result<Number> n = Number::Parse(text);
    if (!n.ok()) return text.size();  // not a number: never happens for validated values
    return NumberSize(n->ToString());
  }
  bool negative = false;
  if (!text.empty() && text[0] == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  const size_t point = std::min(text.find('.'), text.size());
  // Leading and trailing zeros, skipping the point.
  size_t first = 0;
  while (first < text.size() && (text[first] == '0' || text[first] == '.')) ++first;
  if (first == text.size()) return 1;  // zero
  size_t last = text.size() - 1;
  while (text[last] == '0' || text[last] == '.') --last;
  int64_t digits = static_cast<int64_t>(last - first + 1);
  if (first < point && last > point) --digits;  // the point lies between them
  const int64_t adjusted = first < point ? static_cast<int64_t>(point - first) - 1
                                         : -static_cast<int64_t>(first - point);
  int64_t size = 1 + (digits + 1) / 2;
  if (digits % 2 == 0 && adjusted % 2 == 0) ++size;
  if (negative) ++size;
  return static_cast<size_t>(size);
}

namespace {

}  // namespace

std::string_view TypeName(AttributeType t) {
  switch (t) {
    case AttributeType::kS:
      return "S";
    case AttributeType::kN:
      return "N";
    case AttributeType::kB:
      return "B";
    case AttributeType::kBOOL:
      return "BOOL";
    case AttributeType::kNULL:
      return "NULL";
    case AttributeType::kM:
      return "M";
    case AttributeType::kL:
      return "L";
    case AttributeType::kSS:
      return "SS";
    case AttributeType::kNS:
      return "NS";
    case AttributeType::kBS:
      return "BS";
  }
  return "?";
}

bool ParseTypeName(std::string_view name, AttributeType* out) {
  static constexpr AttributeType kAll[] = {
      AttributeType::kS,    AttributeType::kN, AttributeType::kB, AttributeType::kBOOL,
      AttributeType::kNULL, AttributeType::kM, AttributeType::kL, AttributeType::kSS,
      AttributeType::kNS,   AttributeType::kBS};
  for (AttributeType t : kAll) {
    if (TypeName(t) == name) {
      *out = t;
      return true;
    }
  }
  return false;
}

AttributeValue AttributeValue::String(std::string v) {
  AttributeValue a;
  a.type = AttributeType::kS;
  a.s = std::move(v);
  return a;
}

AttributeValue AttributeValue::Num(std::string canonical) {
  AttributeValue a;
  a.type = AttributeType::kN;
  a.s = std::move(canonical);
  return a;
}

AttributeValue AttributeValue::Binary(std::string raw) {
  AttributeValue a;
  a.type = AttributeType::kB;
  a.s = std::move(raw);
  return a;
}

AttributeValue AttributeValue::Bool(bool v) {
  AttributeValue a;
  a.type = AttributeType::kBOOL;
  a.boolean = v;
  return a;
}

AttributeValue AttributeValue::Null() {
  AttributeValue a;
  a.type = AttributeType::kNULL;
  a.boolean = true;
  return a;
}

AttributeValue AttributeValue::List(std::vector<AttributeValue> v) {
  AttributeValue a;
  a.type = AttributeType::kL;
  a.list = std::move(v);
  return a;
}

AttributeValue AttributeValue::Map(AttributeMap v) {
  AttributeValue a;
  a.type = AttributeType::kM;
  a.map = std::move(v);
  return a;
}

AttributeValue AttributeValue::Set(AttributeType t, std::vector<std::string> members) {
  AttributeValue a;
  a.type = t;
  a.set = std::move(members);
  return a;
}

size_t AttributeValue::Size() const {
  switch (type) {
    case AttributeType::kS:
    case AttributeType::kB:
      return s.size();
    case AttributeType::kN:
      return NumberSize(s);
    case AttributeType::kBOOL:
    case AttributeType::kNULL:
      return 1;
    case AttributeType::kSS:
    case AttributeType::kBS: {
      size_t size = 0;
      for (const std::string& m : set) size += m.size();
      return size;
    }
    case AttributeType::kNS: {
      size_t size = 0;
      for (const std::string& m : set) size += NumberSize(m);
      return size;
    }
    case AttributeType::kL: {
      size_t size = 3 + list.size();
      for (const AttributeValue& v : list) size += v.Size();
      return size;
    }
    case AttributeType::kM: {
      size_t size = 3 + map.size();
      for (const auto& [name, v] : map) size += name.size() + v.Size();
      return size;
    }
  }
  return 0;
}

bool operator==(const AttributeValue& a, const AttributeValue& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case AttributeType::kS:
    case AttributeType::kB:
      return a.s == b.s;
    case AttributeType::kN:
      return NumberTextEqual(a.s, b.s);
    case AttributeType::kBOOL:
      return a.boolean == b.boolean;
    case AttributeType::kNULL:
      return true;
    case AttributeType::kSS:
    case AttributeType::kNS:
    case AttributeType::kBS:
      return SetsEqual(a, b);
    case AttributeType::kL:
      return a.list == b.list;
    case AttributeType::kM:
      return a.map == b.map;
  }
  return false;
}

size_t ItemSize(const Item& item) {
  size_t size = 0;
  for (const auto& [name, v] : item) size += name.size() + v.Size();
  return size;
}

}  // namespace cairn
