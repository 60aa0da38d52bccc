// Key encoding: memcmp order of encoded keys must be DynamoDB's order (S and B by unsigned bytes, a
// key before its extensions; N by numeric value), encodings must be prefix-free, Query ranges must
// hold exactly the matching keys, and Scan segments must cover every key exactly once.
#include "storage/key_encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "types/number.h"

namespace cairn::storage {
namespace {

// Reference order for S and B: unsigned bytewise, a proper prefix first (DynamoDB's rule).
int CompareBytes(const std::string& a, const std::string& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

std::string Encode(const AttributeValue& v) {
  std::string out;
  AppendSortKey(&out, v);
  return out;
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// Random byte strings over an alphabet rich in the bytes that matter to the escape (0x00, 0x01,
// 0xff) and to signedness (0x7f, 0x80), short enough that prefixes and extensions are frequent.
std::vector<std::string> GenerateBytes(std::mt19937_64& rng, int count) {
  static const unsigned char kAlphabet[] = {0x00, 0x01, 0x02, 0x7f, 0x80, 0xfe, 0xff, 'a', 'b'};
  std::vector<std::string> out = {
      std::string(),          std::string(1, '\0'),       std::string(2, '\0'),
      std::string(1, '\xff'), std::string("\x00\xff", 2), std::string("\xff\x00", 2)};
  for (int i = 0; i < count; ++i) {
    std::string s;
    const int len = static_cast<int>(rng() % 7);
    for (int j = 0; j < len; ++j) s.push_back(static_cast<char>(kAlphabet[rng() % 9]));
    out.push_back(std::move(s));
  }
  return out;
}

// A generated N value with an independent reference order: value = sign * 0.digits * 10^exp,
// digits without leading or trailing zero.
struct GeneratedNumber {
  int sign = 0;  // -1, 0, 1
  std::string digits;
  int exp = 0;
  std::string canonical;  // Number::ToString of the parsed text
};

int CompareGenerated(const GeneratedNumber& a, const GeneratedNumber& b) {
  if (a.sign != b.sign) return a.sign < b.sign ? -1 : 1;
  if (a.sign == 0) return 0;
  int magnitude = 0;
  if (a.exp != b.exp) {
    magnitude = a.exp < b.exp ? -1 : 1;
  } else {
    magnitude = CompareBytes(a.digits, b.digits);  // no trailing zeros: shorter prefix is smaller
  }
  return a.sign > 0 ? magnitude : -magnitude;
}

GeneratedNumber MakeNumber(int sign, std::string digits, int exp) {
  GeneratedNumber g{sign, std::move(digits), exp, ""};
  std::string text =
      sign == 0 ? "0" : (sign < 0 ? "-0." : "0.") + g.digits + "E" + std::to_string(exp);
  Result<Number> n = Number::Parse(text);
  EXPECT_TRUE(n.ok()) << text << " " << n.status().ToString();
  if (n.ok()) g.canonical = n->ToString();
  return g;
}

std::vector<GeneratedNumber> GenerateNumbers(std::mt19937_64& rng, int count) {
  std::vector<GeneratedNumber> out;
  // Extremes of DynamoDB's range and values around zero and one.
  out.push_back(MakeNumber(0, "", 0));
  out.push_back(MakeNumber(1, "1", -129));  // 1E-130
  out.push_back(MakeNumber(-1, "1", -129));
  out.push_back(MakeNumber(1, std::string(38, '9'), 126));  // 9.99..E+125
  out.push_back(MakeNumber(-1, std::string(38, '9'), 126));
  out.push_back(MakeNumber(1, "1", 1));                                            // 1
  out.push_back(MakeNumber(1, "1", 2));                                            // 10
  out.push_back(MakeNumber(1, "11", 2));                                           // 11
  out.push_back(MakeNumber(1, "1", 0));                                            // 0.1
  out.push_back(MakeNumber(-1, "1", 1));                                           // -1
  out.push_back(MakeNumber(-1, "1", 2));                                           // -10
  out.push_back(MakeNumber(-1, "11", 2));                                          // -11
  out.push_back(MakeNumber(1, std::string("1").append(36, '0').append("1"), 38));  // 38 digits
  static const int kCommonExponents[] = {-129, -128, -1, 0, 1, 2, 3, 125, 126};
  for (int i = 0; i < count; ++i) {
    const int sign = rng() % 2 == 0 ? 1 : -1;
    const int len = 1 + static_cast<int>(rng() % 38);
    std::string digits;
    for (int j = 0; j < len; ++j) {
      // Few distinct digits so that mantissas share prefixes often.
      static const char kDigits[] = {'0', '1', '5', '9'};
      digits.push_back(kDigits[rng() % 4]);
    }
    if (digits[0] == '0') digits[0] = '1';
    if (digits.back() == '0') digits.back() = '9';
    const int exp =
        rng() % 3 == 0 ? -129 + static_cast<int>(rng() % 256) : kCommonExponents[rng() % 9];
    out.push_back(MakeNumber(sign, std::move(digits), exp));
  }
  return out;
}

TEST(KeyEncodingTest, PartitionHashIsXxh3With64Bits) {
  // Published XXH3_64bits test vector for the empty input; the others pin the function forever.
  EXPECT_EQ(PartitionHash(""), 0x2D06800538D394C2ull);
  EXPECT_EQ(PartitionHash("abc"), 0x78AF5F94892F3950ull);
  EXPECT_EQ(PartitionHash("hello"), 0x9555E8555C62DCFDull);
}

TEST(KeyEncodingTest, ItemKeyLayoutIsExact) {
  std::string key;
  const AttributeValue pk = AttributeValue::String("abc");
  const AttributeValue sk = AttributeValue::Binary(std::string("x\0y", 3));
  AppendItemKey(&key, 0x01020304, pk, &sk);
  const std::string expected =
      std::string("\x01\x02\x03\x04", 4) + std::string("\x78\xAF\x5F\x94\x89\x2F\x39\x50", 8) +
      std::string("\x00\x03", 2) + "abc" + std::string("x\x00\xffy\x00\x01", 6);
  EXPECT_EQ(key, expected);
  EXPECT_EQ(PartitionPrefix(0x01020304, pk), expected.substr(0, 4 + 8 + 2 + 3));

  std::string hash_only;
  AppendItemKey(&hash_only, 0x01020304, pk, nullptr);
  EXPECT_EQ(hash_only, PartitionPrefix(0x01020304, pk));
}

TEST(KeyEncodingTest, NumberPartitionKeyUsesCanonicalText) {
  const AttributeValue pk = AttributeValue::Num("12.5");
  const std::string prefix = PartitionPrefix(7, pk);
  ASSERT_EQ(prefix.size(), 4u + 8u + 2u + 4u);
  EXPECT_EQ(prefix.substr(14), "12.5");
  EXPECT_EQ(prefix.substr(0, 4), std::string("\x00\x00\x00\x07", 4));
}

TEST(KeyEncodingTest, StringSortKeyExactBytes) {
  EXPECT_EQ(Encode(AttributeValue::String("")), std::string("\x00\x01", 2));
  EXPECT_EQ(Encode(AttributeValue::String("ab")), std::string("ab\x00\x01", 4));
  EXPECT_EQ(Encode(AttributeValue::Binary(std::string("\x00\x00", 2))),
            std::string("\x00\xff\x00\xff\x00\x01", 6));
}

TEST(KeyEncodingTest, PrefixSortsBeforeExtensions) {
  const std::vector<std::string> ordered = {std::string(""),
                                            std::string("\x00", 1),
                                            std::string("\x00\x00", 2),
                                            std::string("\x00\x01", 2),
                                            std::string("\x01", 1),
                                            std::string("a"),
                                            std::string("a\x00", 2),
                                            std::string("a\x00z", 3),
                                            std::string("a\x01", 2),
                                            std::string("ab"),
                                            std::string("b"),
                                            std::string("\x7f"),
                                            std::string("\x80"),
                                            std::string("\xff"),
                                            std::string("\xff\x00", 2),
                                            std::string("\xff\xff")};
  for (size_t i = 0; i + 1 < ordered.size(); ++i) {
    ASSERT_LT(CompareBytes(ordered[i], ordered[i + 1]), 0) << i;  // the list itself is right
    for (AttributeType t : {AttributeType::kS, AttributeType::kB}) {
      AttributeValue a, b;
      a.type = b.type = t;
      a.s = ordered[i];
      b.s = ordered[i + 1];
      EXPECT_LT(Encode(a), Encode(b)) << i;
    }
  }
}

// Sorting by the reference order and checking that adjacent encodings strictly increase proves the
// memcmp order equals the reference order on the whole set (and that equal encodings mean equal
// values). Checking that no encoding is a prefix of its successor proves prefix-freeness: the
// strings extending x form a contiguous run right after x.
template <typename T, typename Cmp, typename Enc>
void ExpectOrderPreservingAndPrefixFree(std::vector<T> values, Cmp cmp, Enc enc) {
  std::sort(values.begin(), values.end(), [&](const T& a, const T& b) { return cmp(a, b) < 0; });
  values.erase(std::unique(values.begin(), values.end(),
                           [&](const T& a, const T& b) { return cmp(a, b) == 0; }),
               values.end());
  ASSERT_GT(values.size(), 100u);
  std::string prev = enc(values[0]);
  for (size_t i = 1; i < values.size(); ++i) {
    std::string cur = enc(values[i]);
    ASSERT_LT(prev, cur) << "at " << i;
    ASSERT_FALSE(StartsWith(cur, prev)) << "prefix at " << i;
    prev = std::move(cur);
  }
}

TEST(KeyEncodingTest, BytesOrderMatchesDynamoDbOnGeneratedValues) {
  std::mt19937_64 rng(20240601);
  const std::vector<std::string> values = GenerateBytes(rng, 4000);
  for (AttributeType t : {AttributeType::kS, AttributeType::kB}) {
    ExpectOrderPreservingAndPrefixFree(values, CompareBytes, [t](const std::string& s) {
      AttributeValue v;
      v.type = t;
      v.s = s;
      return Encode(v);
    });
  }
}

TEST(KeyEncodingTest, NumberOrderMatchesNumericOrderOnGeneratedValues) {
  std::mt19937_64 rng(77);
  const std::vector<GeneratedNumber> values = GenerateNumbers(rng, 4000);
  ExpectOrderPreservingAndPrefixFree(values, CompareGenerated, [](const GeneratedNumber& g) {
    return Encode(AttributeValue::Num(g.canonical));
  });
  // The same order as Number::Compare, on random pairs.
  for (int i = 0; i < 20000; ++i) {
    const GeneratedNumber& a = values[rng() % values.size()];
    const GeneratedNumber& b = values[rng() % values.size()];
    const int ref = CompareGenerated(a, b);
    const int got = Number::Parse(a.canonical)->Compare(*Number::Parse(b.canonical));
    ASSERT_EQ(ref < 0, got < 0) << a.canonical << " vs " << b.canonical;
    ASSERT_EQ(ref == 0, got == 0) << a.canonical << " vs " << b.canonical;
  }
}

TEST(KeyEncodingTest, NumberOrderOfKnownValues) {
  const std::vector<std::string> ordered = {"-9.9999999999999999999999999999999999999E+125",
                                            "-100",
                                            "-11",
                                            "-10.5",
                                            "-10",
                                            "-2",
                                            "-1",
                                            "-0.5",
                                            "-0.01",
                                            "-1E-130",
                                            "0",
                                            "1E-130",
                                            "0.01",
                                            "0.011",
                                            "0.5",
                                            "1",
                                            "1.5",
                                            "2",
                                            "10",
                                            "11",
                                            "100",
                                            "101",
                                            "12345678901234567890123456789012345678",
                                            "9.9999999999999999999999999999999999999E+125"};
  for (size_t i = 0; i + 1 < ordered.size(); ++i) {
    const std::string a = Number::Parse(ordered[i])->ToString();
    const std::string b = Number::Parse(ordered[i + 1])->ToString();
    EXPECT_LT(Encode(AttributeValue::Num(a)), Encode(AttributeValue::Num(b))) << a << " " << b;
  }
}

TEST(KeyEncodingTest, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff\xff", 3)), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("\x00\xff", 2)), std::string("\x01", 1));
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff", 2)), "");
  EXPECT_EQ(PrefixSuccessor(""), "");
}

TEST(KeyEncodingTest, TablePrefixAndEnd) {
  EXPECT_EQ(TablePrefix(0x0A0B0C0D), std::string("\x0A\x0B\x0C\x0D", 4));
  EXPECT_EQ(TableEnd(0x000000FF), std::string("\x00\x00\x01\x00", 4));
  std::string key;
  AppendItemKey(&key, 41, AttributeValue::String("\xff\xff"), nullptr);
  EXPECT_LT(TablePrefix(41), key);
  EXPECT_LT(key, TableEnd(41));
  EXPECT_LT(TableEnd(40), key);
}

// --- QueryRange against brute force -------------------------------------------------------------

struct Entry {
  int partition;  // index into the partition keys
  AttributeValue sk;
  Number number;       // sk parsed, for N
  std::string suffix;  // bytes after the sort key (as in index entry keys); empty for items
  std::string key;     // the encoded key, suffix included
};

// DynamoDB's order of two sort-key values of one type (numbers pre-parsed: parsing in the inner
// loop would dominate the test's time).
int CompareKeys(const AttributeValue& x, const Number& xn, const AttributeValue& y,
                const Number& yn) {
  if (x.type == AttributeType::kN) return xn.Compare(yn);
  return CompareBytes(x.s, y.s);
}

Number ParseIfNumber(const AttributeValue& v) {
  return v.type == AttributeType::kN ? *Number::Parse(v.s) : Number();
}

bool Matches(SortKeyOp op, const Entry& e, const AttributeValue& a, const Number& an,
             const AttributeValue& b, const Number& bn) {
  const int ca = CompareKeys(e.sk, e.number, a, an);
  switch (op) {
    case SortKeyOp::kAll:
      return true;
    case SortKeyOp::kEQ:
      return ca == 0;
    case SortKeyOp::kLT:
      return ca < 0;
    case SortKeyOp::kLE:
      return ca <= 0;
    case SortKeyOp::kGT:
      return ca > 0;
    case SortKeyOp::kGE:
      return ca >= 0;
    case SortKeyOp::kBetween:
      return ca >= 0 && CompareKeys(e.sk, e.number, b, bn) <= 0;
    case SortKeyOp::kBeginsWith:
      return StartsWith(e.sk.s, a.s);
  }
  return false;
}

void CheckQueryRanges(const std::vector<AttributeValue>& sort_keys, bool with_suffix,
                      std::mt19937_64& rng) {
  const std::vector<AttributeValue> pks = {
      AttributeValue::String("p"), AttributeValue::String("p\xff"), AttributeValue::String("q")};
  std::vector<Entry> entries;
  std::set<std::string> keys;  // the whole ordered key space
  for (int p = 0; p < static_cast<int>(pks.size()); ++p) {
    for (const AttributeValue& sk : sort_keys) {
      Entry e{p, sk, ParseIfNumber(sk), std::string(), std::string()};
      if (with_suffix) {
        // 1-3 bytes, often 0xff: the bytes most likely to confuse a successor-based bound.
        const char c = rng() % 3 == 0 ? '\xff' : static_cast<char>(rng());
        e.suffix.assign(1 + rng() % 3, c);
      }
      AppendItemKey(&e.key, 9, pks[p], &sk);
      e.key += e.suffix;
      const std::string key = e.key;
      if (keys.insert(key).second) entries.push_back(std::move(e));
    }
  }
  const std::string prefix = PartitionPrefix(9, pks[1]);
  const SortKeyOp ops[] = {SortKeyOp::kAll,     SortKeyOp::kEQ,        SortKeyOp::kLT,
                           SortKeyOp::kLE,      SortKeyOp::kGT,        SortKeyOp::kGE,
                           SortKeyOp::kBetween, SortKeyOp::kBeginsWith};
  for (int round = 0; round < 150; ++round) {
    for (SortKeyOp op : ops) {
      if (op == SortKeyOp::kBeginsWith && sort_keys[0].type == AttributeType::kN) continue;
      // Operands: existing values and (for S/B) truncations of them, which need not exist.
      AttributeValue a = sort_keys[rng() % sort_keys.size()];
      AttributeValue b = sort_keys[rng() % sort_keys.size()];
      if (a.type != AttributeType::kN && rng() % 2 == 0 && !a.s.empty()) {
        a.s.resize(rng() % a.s.size());
      }
      const Number an = ParseIfNumber(a);
      const Number bn = ParseIfNumber(b);
      const auto [begin, end] = QueryRange(prefix, op, &a, &b);
      std::set<std::string> got;
      if (begin < end) got.insert(keys.lower_bound(begin), keys.lower_bound(end));
      std::set<std::string> want;
      for (const Entry& e : entries) {
        if (e.partition == 1 && Matches(op, e, a, an, b, bn)) want.insert(e.key);
      }
      ASSERT_EQ(got, want) << "op " << static_cast<int>(op) << " round " << round;
    }
  }
}

TEST(KeyEncodingTest, QueryRangeMatchesBruteForceForStrings) {
  std::mt19937_64 rng(5);
  std::vector<AttributeValue> sks;
  for (const std::string& s : GenerateBytes(rng, 300)) sks.push_back(AttributeValue::String(s));
  CheckQueryRanges(sks, /*with_suffix=*/false, rng);
  CheckQueryRanges(sks, /*with_suffix=*/true, rng);
}

TEST(KeyEncodingTest, QueryRangeMatchesBruteForceForBinary) {
  std::mt19937_64 rng(6);
  std::vector<AttributeValue> sks;
  for (const std::string& s : GenerateBytes(rng, 300)) sks.push_back(AttributeValue::Binary(s));
  CheckQueryRanges(sks, /*with_suffix=*/false, rng);
  CheckQueryRanges(sks, /*with_suffix=*/true, rng);
}

TEST(KeyEncodingTest, QueryRangeMatchesBruteForceForNumbers) {
  std::mt19937_64 rng(7);
  std::vector<AttributeValue> sks;
  for (const GeneratedNumber& g : GenerateNumbers(rng, 300)) {
    sks.push_back(AttributeValue::Num(g.canonical));
  }
  CheckQueryRanges(sks, /*with_suffix=*/false, rng);
  CheckQueryRanges(sks, /*with_suffix=*/true, rng);
}

TEST(KeyEncodingTest, BetweenWithReversedBoundsIsEmpty) {
  const std::string prefix = PartitionPrefix(1, AttributeValue::String("p"));
  const AttributeValue a = AttributeValue::String("b");
  const AttributeValue b = AttributeValue::String("a");
  const auto [begin, end] = QueryRange(prefix, SortKeyOp::kBetween, &a, &b);
  EXPECT_EQ(begin, end);
}

TEST(KeyEncodingTest, BeginsWithZeroByte) {
  const std::string p = PartitionPrefix(1, AttributeValue::Binary("k"));
  const AttributeValue zero = AttributeValue::Binary(std::string(1, '\0'));
  const auto [begin, end] = QueryRange(p, SortKeyOp::kBeginsWith, &zero, nullptr);
  EXPECT_EQ(begin, p + std::string("\x00\xff", 2));
  EXPECT_EQ(end, p + std::string("\x01", 1));
}

// --- SegmentRange --------------------------------------------------------------------------------

std::string HashKey(uint32_t table, uint64_t hash) {
  std::string k = TablePrefix(table);
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>((hash >> (8 * i)) & 0xff));
  return k + std::string("\x00\x01x", 3);
}

TEST(KeyEncodingTest, SegmentBoundariesAreExact) {
  EXPECT_EQ(SegmentRange(3, 0, 1).first, TablePrefix(3) + std::string(8, '\0'));
  EXPECT_EQ(SegmentRange(3, 0, 1).second, TableEnd(3));
  EXPECT_EQ(SegmentRange(3, 1, 2).first,
            TablePrefix(3) + std::string("\x80") + std::string(7, '\0'));
  EXPECT_EQ(SegmentRange(3, 1, 3).first, TablePrefix(3) + std::string(8, '\x55'));
  EXPECT_EQ(SegmentRange(3, 2, 3).first, TablePrefix(3) + std::string(8, '\xaa'));
  EXPECT_EQ(SegmentRange(3, 1, 3).second, SegmentRange(3, 2, 3).first);
}

TEST(KeyEncodingTest, SegmentsCoverEveryKeyExactlyOnce) {
  std::mt19937_64 rng(11);
  std::vector<std::string> keys;
  for (uint64_t h :
       {uint64_t{0}, uint64_t{1}, ~uint64_t{0}, uint64_t{1} << 63, (uint64_t{1} << 63) - 1,
        uint64_t{0x5555555555555555}, uint64_t{0x5555555555555556}}) {
    keys.push_back(HashKey(8, h));
  }
  for (int i = 0; i < 500; ++i) {
    std::string k;
    AppendItemKey(&k, 8, AttributeValue::String(std::to_string(rng())), nullptr);
    keys.push_back(k);
  }
  const std::string before = HashKey(7, ~uint64_t{0});
  const std::string after = HashKey(9, 0);
  auto in = [](const std::pair<std::string, std::string>& r, const std::string& k) {
    return r.first <= k && k < r.second;
  };
  for (uint32_t n = 1; n <= 16; ++n) {
    std::vector<std::pair<std::string, std::string>> segs;
    for (uint32_t i = 0; i < n; ++i) segs.push_back(SegmentRange(8, i, n));
    for (uint32_t i = 0; i + 1 < n; ++i) ASSERT_EQ(segs[i].second, segs[i + 1].first);
    for (const std::string& k : keys) {
      int count = 0;
      for (const auto& s : segs) count += in(s, k) ? 1 : 0;
      ASSERT_EQ(count, 1) << "n=" << n;
    }
    for (const auto& s : segs) {
      ASSERT_FALSE(in(s, before));
      ASSERT_FALSE(in(s, after));
    }
  }
  // Large totals: hash h is in segment i iff floor(i*2^64/n) <= h < floor((i+1)*2^64/n), that is
  // i = ceil((h+1)*n / 2^64) - 1; the key is in that segment and not in its neighbours.
  for (uint32_t n : {1000u, 999999u, 1000000u}) {
    for (const std::string& k : keys) {
      uint64_t h = 0;
      for (int i = 4; i < 12; ++i) h = (h << 8) | static_cast<unsigned char>(k[i]);
      const auto seg =
          static_cast<uint32_t>(((static_cast<unsigned __int128>(h) + 1) * n - 1) >> 64);
      ASSERT_TRUE(in(SegmentRange(8, seg, n), k)) << n << " " << seg;
      if (seg > 0) {
        ASSERT_FALSE(in(SegmentRange(8, seg - 1, n), k));
      }
      if (seg + 1 < n) {
        ASSERT_FALSE(in(SegmentRange(8, seg + 1, n), k));
      }
    }
    EXPECT_EQ(SegmentRange(8, n - 1, n).second, TableEnd(8));
  }
}

}  // namespace
}  // namespace cairn::storage
