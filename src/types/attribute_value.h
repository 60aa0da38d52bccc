// AttributeValue: one DynamoDB attribute value of any of the ten types (S N B BOOL NULL M L SS NS BS).
// Invariants (once validated by the JSON codec): N and NS members hold canonical Number text;
// B and BS members hold raw bytes (not base64); sets are non-empty and without duplicates (set order
// is the order the client sent); M keys are unique. Values are plain data: copy freely; no sharing.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cairn {

// Stored in the binary item format: do not reorder.
enum class AttributeType : uint8_t {
  kS = 0,
  kN = 1,
  kB = 2,
  kBOOL = 3,
  kNULL = 4,
  kM = 5,
  kL = 6,
  kSS = 7,
  kNS = 8,
  kBS = 9,
};

// "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS".
std::string_view TypeName(AttributeType t);
// The inverse of TypeName; returns false if the name is not one of the ten.
bool ParseTypeName(std::string_view name, AttributeType* out);

struct AttributeValue;
using AttributeMap = std::map<std::string, AttributeValue, std::less<>>;

struct AttributeValue {
  AttributeType type = AttributeType::kNULL;
  std::string s;                        // S (UTF-8), N (canonical text), B (raw bytes)
  bool boolean = true;                  // BOOL; NULL is always true
  std::vector<std::string> set;         // SS, NS (canonical text), BS (raw bytes)
  std::vector<AttributeValue> list;     // L
  AttributeMap map;                     // M

  static AttributeValue String(std::string v);
  static AttributeValue Num(std::string canonical);
  static AttributeValue Binary(std::string raw);
  static AttributeValue Bool(bool v);
  static AttributeValue Null();
  static AttributeValue List(std::vector<AttributeValue> v);
  static AttributeValue Map(AttributeMap v);
  static AttributeValue Set(AttributeType t, std::vector<std::string> members);

  bool is_set() const {
    return type == AttributeType::kSS || type == AttributeType::kNS || type == AttributeType::kBS;
  }
  // True for S, N, B: the types a key attribute may have.
  bool is_scalar_key_type() const {
    return type == AttributeType::kS || type == AttributeType::kN || type == AttributeType::kB;
  }

  // DynamoDB's size of this value in bytes (the 400 KB item rule and capacity units): strings and
  // binary by length, numbers by significant digits, plus per-element overheads for L/M/sets.
  // Documented in docs/format.md; the rule is DynamoDB's published one.
  size_t Size() const;
};

// Deep equality as DynamoDB defines it: same type and value; numbers by numeric value; sets compared
// as sets (order-insensitive); maps by keys and values.
bool operator==(const AttributeValue& a, const AttributeValue& b);
inline bool operator!=(const AttributeValue& a, const AttributeValue& b) { return !(a == b); }

// DynamoDB's size in bytes of an N value given as canonical Number text.
size_t NumberSize(std::string_view canonical);

// An item: attribute name -> value. The whole item is at most 400 KB (kMaxItemBytes) by
// DynamoDB's formula: the sum over attributes of UTF-8 name length plus value size.
using Item = AttributeMap;
inline constexpr size_t kMaxItemBytes = 400 * 1024;
size_t ItemSize(const Item& item);

}  // namespace cairn
