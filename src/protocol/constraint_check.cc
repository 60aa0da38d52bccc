// The constraint check; see constraint_check.h for the rules and their sources.
#include "protocol/constraint_check.h"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::protocol {
namespace {

using simdjson::dom::element;

constexpr int kMaxDepth = 32;  // path segments; the model's input shapes nest far less

// Exceptions: members whose 2022-model constraint DynamoDB evidently does not apply as written.
// - TableName (dynamodb service) in every input but CreateTableInput, and the keys of
//   RequestItems: DynamoDB accepts a table ARN there (its newer model types these members
//   TableArn, 1..1024). Cairn's hand-written CheckTableName(allow_arn) pins the answers: a name
//   over 255 characters is "Member must have length less than or equal to 1024"; an ARN up to
//   1024 characters is accepted and its "table/<name>" part is checked for the minimum length and
//   the pattern; the "Map keys" list says 1024 (api/batch_ops.cc). CreateTable and the streams
//   service's ListStreams keep 3..255 (test_streams_paging.py).
constexpr std::string_view kArnTableNameShape = "TableName";
constexpr std::string_view kArnExceptInput = "CreateTableInput";
constexpr int64_t kTableArnMax = 1024;

// Members whose 2022-model constraint DynamoDB's current answers show it no longer applies (the
// operation keeps its own check). By (structure, member):
enum class Waive : uint8_t { kMax, kRequired };
struct Exception {
  std::string_view structure, member;
  Waive waive;
};
constexpr Exception kExceptions[] = {
    // Multi-attribute GSI keys: DynamoDB now takes up to 4 partition and 4 sort key attributes
    // (test_gsi_multi_attribute_keys.py); the 2022 model's KeySchema says at most 2.
    {"GlobalSecondaryIndex", "KeySchema", Waive::kMax},
    {"CreateGlobalSecondaryIndexAction", "KeySchema", Waive::kMax},
    // Over 100 keys for one table: DynamoDB answers "Too many items requested for the
    // BatchGetItem call" (test_batch.py), not the list's length constraint.
    {"KeysAndAttributes", "Keys", Waive::kMax},
    // A GSI update may carry OnDemandThroughput or WarmThroughput instead of ProvisionedThroughput
    // (members newer than the 2022 model); the operation says what is wrong
    // (test_table_settings.py).
    {"UpdateGlobalSecondaryIndexAction", "ProvisionedThroughput", Waive::kRequired},
};

bool Waived(const Shape& structure, std::string_view member, Waive waive) {
  for (const Exception& e : kExceptions)
    if (e.waive == waive && e.member == member && e.structure == structure.name) return true;
  return false;
}

// One step of the path to the value being checked.
struct Segment {
  enum Kind : uint8_t { kMember, kIndex, kKey } kind;
  std::string_view text;  // kMember: the member's name; kKey: the map key
  size_t index = 0;       // kIndex: from 0
};

// Java's String.length(): UTF-16 code units.
int64_t Utf16Length(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    n += (c >= 0xF0) ? 2 : 1;          // a 4-byte sequence is a surrogate pair
  }
  return n;
}

// A pattern of the form "[class]+" or "[class]*" (ranges a-z and single characters; '\' escapes
// the next one), compiled: the bytes its class holds. `supported` is false for any other pattern.
struct ClassPattern {
  bool supported = false;
  bool allows_empty = false;        // the quantifier is '*'
  std::array<uint64_t, 4> bytes{};  // bit b: byte b is in the class

  bool Has(unsigned char c) const { return (bytes[c >> 6] >> (c & 63)) & 1; }
};

ClassPattern CompileClassPattern(std::string_view pattern) {
  ClassPattern out;
  if (pattern.size() < 3 || pattern.front() != '[') return out;
  const char quantifier = pattern.back();
  if ((quantifier != '+' && quantifier != '*') || pattern[pattern.size() - 2] != ']') return out;
  std::string_view cls = pattern.substr(1, pattern.size() - 3);
  if (cls.empty() || cls.front() == '^') return out;
  // Parse the class into single characters and ranges.
  std::array<std::pair<char, char>, 32> ranges;
  size_t n = 0;
  for (size_t i = 0; i < cls.size();) {
    char lo = cls[i];
    if (lo == '\\') {
      if (i + 1 >= cls.size()) return out;
      lo = cls[++i];
      if (std::string_view("wdsWDSpPuxQE").find(lo) != std::string_view::npos) return out;
    } else if (lo == '[') {
      return out;
    }
    ++i;
    char hi = lo;
    if (i + 1 < cls.size() && cls[i] == '-') {
      hi = cls[i + 1];
      if (hi == '\\') return out;
      i += 2;
    }
    if (n == ranges.size()) return out;
    ranges[n++] = {lo, hi};
  }
  out.supported = true;
  out.allows_empty = quantifier == '*';
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);  // compared as char, as the ranges are
    for (size_t k = 0; k < n; ++k) {
      if (c >= ranges[k].first && c <= ranges[k].second) {
        out.bytes[b >> 6] |= uint64_t{1} << (b & 63);
        break;
      }
    }
  }
  return out;
}

// `pattern` compiled, once per thread for each of the few patterns of the model (up to 8; any
// beyond that is compiled at each call).
const ClassPattern& CompiledClassPattern(std::string_view pattern) {
  struct Entry {
    std::string pattern;
    ClassPattern compiled;
  };
  thread_local std::array<Entry, 8> cache;
  thread_local size_t used = 0;
  for (size_t i = 0; i < used; ++i)
    if (cache[i].pattern == pattern) return cache[i].compiled;
  if (used < cache.size()) {
    cache[used] = Entry{std::string(pattern), CompileClassPattern(pattern)};
    return cache[used++].compiled;
  }
  thread_local ClassPattern uncached;
  uncached = CompileClassPattern(pattern);
  return uncached;
}

// Matches `s` against a pattern of the form "[class]+" or "[class]*" (CompileClassPattern). Sets
// *supported to false (and matches) for any other pattern.
bool MatchesClassPattern(std::string_view pattern, std::string_view s, bool* supported) {
  const ClassPattern& p = CompiledClassPattern(pattern);
  *supported = p.supported;
  if (!p.supported) return true;
  if (s.empty()) return p.allows_empty;
  for (unsigned char c : s)
    if (!p.Has(c)) return false;
  return true;
}

// The table name inside a TableName parameter that may be a table ARN (api/params.cc,
// TableNameFromParameter).
std::string_view TableNameOfArn(std::string_view name) {
  size_t p = name.find(":table/");
  if (p == std::string_view::npos) return name;
  std::string_view rest = name.substr(p + 7);
  size_t slash = rest.find('/');
  return slash == std::string_view::npos ? rest : rest.substr(0, slash);
}

class Checker {
 public:
  explicit Checker(const Shape* arn_table_name) : arn_table_name_(arn_table_name) {}

  void Structure(const Shape& shape, simdjson::dom::object object, int depth) {
    const bool arn_ok = shape.name != kArnExceptInput;
    const std::span<const ShapeMember> members = MembersOf(shape);
    // The object's value of each member, found in one pass over the object (the first of a
    // repeated name, as at_key finds it): an at_key per member of the shape searched the object
    // once per member, ~1,000 instructions of a PutItem (callgrind). Shapes with more members
    // than `found` holds use at_key.
    std::array<element, 24> found;  // the largest input shape has 22 members
    std::array<bool, 24> seen{};
    const bool indexed = members.size() <= found.size();
    if (indexed) {
      for (simdjson::dom::key_value_pair kv : object) {
        for (size_t i = 0; i < members.size(); ++i) {
          if (members[i].name != kv.key) continue;
          if (!seen[i]) {
            seen[i] = true;
            found[i] = kv.value;
          }
          break;
        }
      }
    }
    for (size_t i = 0; i < members.size(); ++i) {
      const ShapeMember& m = members[i];
      element value;
      const bool present =
          indexed ? seen[i] && !found[i].is_null()
                  : object.at_key(m.name).get(value) == simdjson::SUCCESS && !value.is_null();
      if (indexed && present) value = found[i];
      if (!Push({Segment::kMember, m.name})) continue;
      if (!present) {
        if (m.required && !Waived(shape, m.name, Waive::kRequired))
          Add("null", "Member must not be null");
      } else {
        const Shape& target = ShapeAt(m.shape);
        if (arn_ok && &target == arn_table_name_) {
          TableNameOrArn(value.get_string().value_unsafe());
        } else {
          no_max_ =
              target.max && target.type == ShapeType::kList && Waived(shape, m.name, Waive::kMax);
          Value(target, value, depth + 1);
        }
      }
      Pop();
    }
  }

  std::vector<std::string>& violations() { return violations_; }

 private:
  // A value of `shape` at the current path.
  void Value(const Shape& shape, element value, int depth) {
    if (shape.is_attribute_value || shape.attribute_value_codec || depth > kMaxDepth) return;
    switch (shape.type) {
      case ShapeType::kStructure:
        Structure(shape, value.get_object().value_unsafe(), depth);
        return;
      case ShapeType::kList: {
        simdjson::dom::array list = value.get_array().value_unsafe();
        const int64_t size = static_cast<int64_t>(list.size());
        if (no_max_) {
          no_max_ = false;
          if (shape.min && size < *shape.min) Add("'[]'", MinText(shape));
        } else {
          Length(shape, size, size == 0 ? "'[]'" : "'[...]'");
        }
        const Shape& element_shape = ElementOf(shape);
        size_t i = 0;
        for (element entry : list) {
          if (!entry.is_null() && Push({Segment::kIndex, {}, i})) {
            Value(element_shape, entry, depth + 1);
            Pop();
          }
          ++i;
        }
        return;
      }
      case ShapeType::kMap:
        Map(shape, value.get_object().value_unsafe(), depth);
        return;
      case ShapeType::kString:
        String(shape, value.get_string().value_unsafe());
        return;
      case ShapeType::kInteger:
      case ShapeType::kLong:
        Number(shape, value);
        return;
      case ShapeType::kBlob:
      case ShapeType::kBoolean:
      case ShapeType::kFloat:
      case ShapeType::kDouble:
      case ShapeType::kTimestamp:
        return;  // the served operations' inputs constrain none of these
    }
  }

  void Map(const Shape& shape, simdjson::dom::object map, int depth) {
    const int64_t size = static_cast<int64_t>(map.size());
    Length(shape, size, size == 0 ? "'{}'" : "'{...}'");
    const Shape& key_shape = MapKeyOf(shape);
    const Shape& value_shape = MapValueOf(shape);
    const bool arn_keys = &key_shape == arn_table_name_;
    for (simdjson::dom::key_value_pair entry : map) {
      if (arn_keys ? !TableNameOrArnOk(entry.key) : !StringOk(key_shape, entry.key)) {
        std::string constraints;
        if (arn_keys) {
          constraints = "Member must have length less than or equal to " +
                        std::to_string(kTableArnMax) + ", " + MinText(key_shape) + ", " +
                        PatternText(key_shape);
        } else {
          constraints = StringConstraints(key_shape);
        }
        Add(Quote(entry.key), "Map keys must satisfy constraint: [" + constraints + "]");
      }
      if (entry.value.is_null()) continue;
      if (value_shape.type == ShapeType::kList && !value_shape.attribute_value_codec &&
          (value_shape.min || value_shape.max)) {
        const int64_t n = static_cast<int64_t>(entry.value.get_array().value_unsafe().size());
        if ((value_shape.max && n > *value_shape.max) ||
            (value_shape.min && n < *value_shape.min)) {
          std::string constraints;
          if (value_shape.max) constraints += MaxText(value_shape);
          if (value_shape.min) {
            if (!constraints.empty()) constraints += ", ";
            constraints += MinText(value_shape);
          }
          Add("'{" + std::string(entry.key) + "=" + (n == 0 ? "[]" : "[...]") + "}'",
              "Map value must satisfy constraint: [" + constraints + "]");
        }
      }
      if (!Push({Segment::kKey, entry.key})) continue;
      if (value_shape.type == ShapeType::kList) {
        // The list's entries, each at "<map>.<key>.member.<n>.member".
        const Shape& element_shape = ElementOf(value_shape);
        if (!value_shape.attribute_value_codec) {
          size_t i = 0;
          // A named array: a range-for over value_unsafe() of a temporary result would dangle.
          const simdjson::dom::array items = entry.value.get_array().value_unsafe();
          for (element item : items) {
            if (!item.is_null() && Push({Segment::kIndex, {}, i})) {
              Value(element_shape, item, depth + 2);
              Pop();
            }
            ++i;
          }
        }
      } else if (value_shape.type == ShapeType::kStructure) {
        Value(value_shape, entry.value, depth + 1);
      } else if (value_shape.type == ShapeType::kString &&
                 !StringOk(value_shape, entry.value.get_string().value_unsafe())) {
        Pop();
        Add("'{" + std::string(entry.key) + "=" +
                std::string(entry.value.get_string().value_unsafe()) + "}'",
            "Map value must satisfy constraint: [" + StringConstraints(value_shape) + "]");
        continue;
      }
      Pop();
    }
  }

  void Length(const Shape& shape, int64_t size, std::string_view rendered) {
    if (shape.max && size > *shape.max) Add(std::string(rendered), MaxText(shape));
    if (shape.min && size < *shape.min) Add(std::string(rendered), MinText(shape));
  }

  bool StringOk(const Shape& shape, std::string_view s) {
    const int64_t n = (shape.min || shape.max) ? Utf16Length(s) : 0;
    if (shape.max && n > *shape.max) return false;
    if (shape.min && n < *shape.min) return false;
    bool supported;
    if (!shape.pattern.empty() && !MatchesClassPattern(shape.pattern, s, &supported)) return false;
    if (shape.enums_begin != shape.enums_end) {
      for (std::string_view e : EnumValuesOf(shape))
        if (e == s) return true;
      return false;
    }
    return true;
  }

  void String(const Shape& shape, std::string_view s) {
    if (StringOk(shape, s)) return;  // the common path: nothing built
    const int64_t n = Utf16Length(s);
    if (shape.max && n > *shape.max) Add(Quote(s), MaxText(shape));
    if (shape.min && n < *shape.min) Add(Quote(s), MinText(shape));
    bool supported;
    if (!shape.pattern.empty() && !MatchesClassPattern(shape.pattern, s, &supported))
      Add(Quote(s), PatternText(shape));
    if (shape.enums_begin != shape.enums_end) {
      bool found = false;
      for (std::string_view e : EnumValuesOf(shape)) found = found || e == s;
      if (!found) Add(Quote(s), EnumText(shape));
    }
  }

  // The TableName exception (kArnTableNameShape above).
  static bool TableNameOrArnOk(std::string_view name) {
    std::string_view n = name;
    if (name.starts_with("arn:")) {
      if (Utf16Length(name) > kTableArnMax) return false;
      n = TableNameOfArn(name);
    } else if (Utf16Length(name) > 255) {
      return false;
    }
    if (n.size() < 3) return false;
    bool supported;
    return MatchesClassPattern("[a-zA-Z0-9_.-]+", n, &supported);
  }

  void TableNameOrArn(std::string_view name) {
    if (TableNameOrArnOk(name)) return;
    std::string_view n = name;
    if (name.starts_with("arn:")) {
      if (Utf16Length(name) > kTableArnMax) Add(Quote(name), ArnMaxText());
      n = TableNameOfArn(name);
    } else if (Utf16Length(name) > 255) {
      Add(Quote(name), ArnMaxText());
    }
    if (n.size() < 3) Add(Quote(name), "Member must have length greater than or equal to 3");
    bool supported;
    if (!MatchesClassPattern("[a-zA-Z0-9_.-]+", n, &supported))
      Add(Quote(name), "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  }

  void Number(const Shape& shape, element value) {
    if (!shape.min && !shape.max) return;
    // The shape check let only integral numbers within int64 through.
    int64_t v;
    if (value.is_int64()) {
      v = value.get_int64().value_unsafe();
    } else {
      v = static_cast<int64_t>(value.get_double().value_unsafe());
    }
    if (shape.max && v > *shape.max)
      Add(Quote(std::to_string(v)),
          "Member must have value less than or equal to " + std::to_string(*shape.max));
    if (shape.min && v < *shape.min)
      Add(Quote(std::to_string(v)),
          "Member must have value greater than or equal to " + std::to_string(*shape.min));
  }

  static std::string Quote(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out.push_back('\'');
    out.append(s);
    out.push_back('\'');
    return out;
  }
  static std::string ArnMaxText() {
    return "Member must have length less than or equal to " + std::to_string(kTableArnMax);
  }
  static std::string MaxText(const Shape& s) {
    return "Member must have length less than or equal to " + std::to_string(*s.max);
  }
  static std::string MinText(const Shape& s) {
    return "Member must have length greater than or equal to " + std::to_string(*s.min);
  }
  static std::string PatternText(const Shape& s) {
    return "Member must satisfy regular expression pattern: " + std::string(s.pattern);
  }
  static std::string EnumText(const Shape& s) {
    std::string set;
    for (std::string_view e : EnumValuesOf(s)) {
      if (!set.empty()) set += ", ";
      set += e;
    }
    return "Member must satisfy enum value set: [" + set + "]";
  }
  // All of a string shape's constraints, in the order above (for "Map keys" and "Map value").
  static std::string StringConstraints(const Shape& s) {
    std::string out;
    auto add = [&out](std::string text) {
      if (!out.empty()) out += ", ";
      out += text;
    };
    if (s.max) add(MaxText(s));
    if (s.min) add(MinText(s));
    if (!s.pattern.empty()) add(PatternText(s));
    if (s.enums_begin != s.enums_end) add(EnumText(s));
    return out;
  }

  bool Push(Segment s) {
    if (depth_ == path_.size()) return false;
    path_[depth_++] = s;
    return true;
  }
  void Pop() { --depth_; }

  std::string Path() const {
    std::string out;
    for (size_t i = 0; i < depth_; ++i) {
      const Segment& s = path_[i];
      if (s.kind == Segment::kMember) {
        if (!out.empty()) out += '.';
        if (!s.text.empty()) {
          out += static_cast<char>((s.text[0] >= 'A' && s.text[0] <= 'Z') ? s.text[0] - 'A' + 'a'
                                                                          : s.text[0]);
          out += s.text.substr(1);
        }
      } else if (s.kind == Segment::kIndex) {
        out += '.' + std::to_string(s.index + 1) + ".member";
      } else {
        out += '.';
        out += s.text;
        out += ".member";
      }
    }
    return out;
  }

  void Add(std::string value, std::string_view constraint) {
    violations_.push_back("Value " + value + " at '" + Path() +
                          "' failed to satisfy constraint: " + std::string(constraint));
  }

  const Shape* arn_table_name_;
  bool no_max_ = false;  // the list about to be checked has its max waived (kExceptions)
  std::array<Segment, kMaxDepth + 8> path_{};
  size_t depth_ = 0;
  std::vector<std::string> violations_;
};

}  // namespace

std::optional<ApiError> CheckConstraints(const Shape& input, element value) {
  if (!value.is_object() || input.type != ShapeType::kStructure) return std::nullopt;
  static const Shape* const arn_table_name = FindShape("DynamoDB_20120810", kArnTableNameShape);
  Checker checker(arn_table_name);
  checker.Structure(input, value.get_object().value_unsafe(), 0);
  std::vector<std::string>& v = checker.violations();
  if (v.empty()) return std::nullopt;
  std::string message =
      std::to_string(v.size()) +
      (v.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) message += "; ";
    message += v[i];
  }
  return ApiError::Validation(std::move(message));
}

}  // namespace cairn::protocol
