// Fuzzed values: valid AttributeValues and Items drawn from a fuzzer's bytes, for the targets that
// need typed values rather than raw bytes (the item codec, the key encoding, the expression
// evaluator).
// Invariants: every value made here satisfies AttributeValue's validated-value invariants (N and NS
// hold canonical Number text, sets are non-empty and without duplicates, M keys unique), so a
// target may assert on what the codecs and evaluators do with it. Nesting is bounded by
// kMaxFuzzNesting, sizes by the provider's remaining bytes. Deterministic in the input bytes.
// Header-only; used by one fuzzer thread at a time.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <set>
#include <string>
#include <vector>

#include "types/attribute_value.h"
#include "types/number.h"

namespace cairn::fuzz {

inline constexpr int kMaxFuzzNesting = 6;

// A canonical Number text: fuzzed digits, sign and exponent, parsed by Number::Parse (the one way
// text becomes a Number). Falls back to a small integer when the parse refuses the text.
inline std::string FuzzNumberText(FuzzedDataProvider& p) {
  std::string text;
  if (p.ConsumeBool()) text.push_back('-');
  const size_t digits = p.ConsumeIntegralInRange<size_t>(1, 40);
  for (size_t i = 0; i < digits; ++i) text.push_back(static_cast<char>('0' + p.ConsumeIntegralInRange<int>(0, 9)));
  if (p.ConsumeBool()) text.insert(text.size() - p.ConsumeIntegralInRange<size_t>(0, digits - 1), ".");
  if (p.ConsumeBool()) text += "e" + std::to_string(p.ConsumeIntegralInRange<int>(-140, 140));
  Result<Number> n = Number::Parse(text);
  if (n.ok()) return n.value().ToString();
  return Number::FromInt64(p.ConsumeIntegral<int8_t>()).ToString();
}

// Short strings most of the time, so that equal values (and prefixes) are frequent.
inline std::string FuzzBytes(FuzzedDataProvider& p) {
  return p.ConsumeRandomLengthString(p.ConsumeBool() ? 4 : 64);
}

// A value of a key type: S, N or B (`type` chooses; any other type is treated as S).
inline AttributeValue FuzzScalar(FuzzedDataProvider& p, AttributeType type) {
  switch (type) {
    case AttributeType::kN: return AttributeValue::Num(FuzzNumberText(p));
    case AttributeType::kB: return AttributeValue::Binary(FuzzBytes(p));
    default: return AttributeValue::String(FuzzBytes(p));
  }
}

inline AttributeValue FuzzValue(FuzzedDataProvider& p, int depth = 0);

inline AttributeMap FuzzMap(FuzzedDataProvider& p, int depth) {
  AttributeMap m;
  const size_t n = p.ConsumeIntegralInRange<size_t>(0, 5);
  for (size_t i = 0; i < n && p.remaining_bytes() > 0; ++i) {
    // Names from a small alphabet, so that expressions over "a", "b", ... find them.
    std::string name = p.ConsumeBool() ? std::string(1, static_cast<char>('a' + p.ConsumeIntegralInRange<int>(0, 4)))
                                       : p.ConsumeRandomLengthString(8);
    m.insert_or_assign(std::move(name), FuzzValue(p, depth + 1));
  }
  return m;
}

inline AttributeValue FuzzValue(FuzzedDataProvider& p, int depth) {
  const int max_type = depth >= kMaxFuzzNesting ? 4 : 9;  // no L or M below the bound
  int t = p.ConsumeIntegralInRange<int>(0, max_type);
  if (depth >= kMaxFuzzNesting && t >= 5) t -= 5;
  switch (static_cast<AttributeType>(t)) {
    case AttributeType::kS:
    case AttributeType::kN:
    case AttributeType::kB: return FuzzScalar(p, static_cast<AttributeType>(t));
    case AttributeType::kBOOL: return AttributeValue::Bool(p.ConsumeBool());
    case AttributeType::kNULL: return AttributeValue::Null();
    case AttributeType::kM: return AttributeValue::Map(FuzzMap(p, depth));
    case AttributeType::kL: {
      std::vector<AttributeValue> l;
      const size_t n = p.ConsumeIntegralInRange<size_t>(0, 5);
      for (size_t i = 0; i < n && p.remaining_bytes() > 0; ++i) l.push_back(FuzzValue(p, depth + 1));
      return AttributeValue::List(std::move(l));
    }
    case AttributeType::kSS:
    case AttributeType::kNS:
    case AttributeType::kBS: {
      const AttributeType member = t == 7 ? AttributeType::kS : t == 8 ? AttributeType::kN : AttributeType::kB;
      std::vector<std::string> members;
      std::set<std::string> seen;
      const size_t n = p.ConsumeIntegralInRange<size_t>(1, 5);
      for (size_t i = 0; i < n; ++i) {
        std::string s = FuzzScalar(p, member).s;
        if (seen.insert(s).second) members.push_back(std::move(s));
      }
      return AttributeValue::Set(static_cast<AttributeType>(t), std::move(members));
    }
  }
  return AttributeValue::Null();
}

inline Item FuzzItem(FuzzedDataProvider& p) { return FuzzMap(p, -1); }

// True if `v` satisfies AttributeValue's validated-value invariants (the header's list): what an
// operation produces from valid values (an UpdateExpression's result) must satisfy them too.
inline bool IsValidValue(const AttributeValue& v) {
  switch (v.type) {
    case AttributeType::kN: {
      Result<Number> n = Number::Parse(v.s);
      return n.ok() && n.value().ToString() == v.s;
    }
    case AttributeType::kSS:
    case AttributeType::kNS:
    case AttributeType::kBS: {
      if (v.set.empty()) return false;
      std::set<std::string> seen;
      for (const std::string& m : v.set) {
        if (!seen.insert(m).second) return false;
        if (v.type == AttributeType::kNS && !IsValidValue(AttributeValue::Num(m))) return false;
      }
      return true;
    }
    case AttributeType::kL:
      for (const AttributeValue& e : v.list)
        if (!IsValidValue(e)) return false;
      return true;
    case AttributeType::kM:
      for (const auto& [name, e] : v.map)
        if (!IsValidValue(e)) return false;
      return true;
    default: return true;
  }
}

inline bool IsValidItem(const Item& item) {
  for (const auto& [name, v] : item)
    if (!IsValidValue(v)) return false;
  return true;
}

}  // namespace cairn::fuzz
