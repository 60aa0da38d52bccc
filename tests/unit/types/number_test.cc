// Number: DynamoDB's N type. Expected texts and messages are DynamoDB's (ValidationException text).
#include "types/number.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace cairn {
namespace {

constexpr const char* kSyntax = "A value provided cannot be converted into a number";
constexpr const char* kDigits = "Attempting to store more than 38 significant digits in a Number";
constexpr const char* kOverflow =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
constexpr const char* kUnderflow =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";

std::string Canon(std::string_view text) {
  Result<Number> n = Number::Parse(text);
  EXPECT_TRUE(n.ok()) << text << ": " << n.status().ToString();
  return n.ok() ? n->ToString() : "<error>";
}

Number N(std::string_view text) {
  Result<Number> n = Number::Parse(text);
  EXPECT_TRUE(n.ok()) << text << ": " << n.status().ToString();
  return n.ok() ? *n : Number();
}

std::string ParseError(std::string_view text) {
  Result<Number> n = Number::Parse(text);
  if (n.ok()) return "<ok: " + n->ToString() + ">";
  EXPECT_TRUE(n.status().IsInvalidArgument());
  return n.status().message();
}

std::string AddText(std::string_view a, std::string_view b) {
  Result<Number> r = Number::Add(N(a), N(b));
  return r.ok() ? r->ToString() : r.status().message();
}

std::string SubText(std::string_view a, std::string_view b) {
  Result<Number> r = Number::Subtract(N(a), N(b));
  return r.ok() ? r->ToString() : r.status().message();
}

std::string Sortable(const Number& n) {
  std::string s;
  n.AppendSortable(&s);
  return s;
}

TEST(NumberTest, CanonicalText) {
  EXPECT_EQ(Canon("1.50"), "1.5");
  EXPECT_EQ(Canon("-0"), "0");
  EXPECT_EQ(Canon("+0.000"), "0");
  EXPECT_EQ(Canon("0"), "0");
  EXPECT_EQ(Canon("1e3"), "1000");
  EXPECT_EQ(Canon("1E+3"), "1000");
  EXPECT_EQ(Canon("1E-5"), "0.00001");
  EXPECT_EQ(Canon("0001.5000"), "1.5");
  EXPECT_EQ(Canon("+5"), "5");
  EXPECT_EQ(Canon("1."), "1");
  EXPECT_EQ(Canon(".5"), "0.5");
  EXPECT_EQ(Canon("-.5"), "-0.5");
  EXPECT_EQ(Canon("-1.23e2"), "-123");
  EXPECT_EQ(Canon("12.34e-1"), "1.234");
  EXPECT_EQ(Canon("123.456"), "123.456");
  EXPECT_EQ(Canon("-100"), "-100");
  EXPECT_EQ(Canon("100e-2"), "1");
  EXPECT_EQ(Canon("0.0012300"), "0.00123");
  EXPECT_EQ(Canon("0e999999999999"), "0");
  EXPECT_EQ(Canon("-0.0e-999999999999"), "0");
  EXPECT_EQ(Canon("1E+125"), "1" + std::string(125, '0'));
  EXPECT_EQ(Canon("1E-130"), "0." + std::string(129, '0') + "1");
  EXPECT_EQ(Canon("-1E-130"), "-0." + std::string(129, '0') + "1");
  EXPECT_EQ(Canon(std::string(500, '0') + "7"), "7");
  EXPECT_EQ(Canon("7." + std::string(500, '0')), "7");
}

TEST(NumberTest, ZeroIsNonNegative) {
  Number z = N("-0.00");
  EXPECT_TRUE(z.is_zero());
  EXPECT_FALSE(z.negative());
  EXPECT_EQ(z, Number());
  EXPECT_TRUE(N("-1").negative());
}

TEST(NumberTest, RejectsSyntax) {
  for (const char* bad :
       {"",      " 1",  "1 ",    "0x10",  "NaN",  "nan", "Infinity", "-Infinity", "1e",
        "1e+",   "--1", "+-1",   "1.2.3", ".",    "-",   "+",        "e5",        ".e5",
        "1e5.5", "1,5", "1_000", "١",     "1e 5", "\t1", "1\n",      "0..1"}) {
    EXPECT_EQ(ParseError(bad), kSyntax) << "input: '" << bad << "'";
  }
  EXPECT_EQ(ParseError(std::string_view("1\0", 2)), kSyntax);
}

TEST(NumberTest, ThirtyEightDigitsAllowedThirtyNineRejected) {
  const std::string d38 = "12345678901234567890123456789012345678";
  EXPECT_EQ(Canon(d38), d38);
  EXPECT_EQ(Canon("-" + d38), "-" + d38);
  EXPECT_EQ(Canon("0.000" + d38), "0.000" + d38);
  EXPECT_EQ(ParseError(d38 + "9"), kDigits);
  EXPECT_EQ(ParseError("1." + d38), kDigits);
  // Leading and trailing zeros are not significant.
  EXPECT_EQ(Canon("000" + d38 + "000"), d38 + "000");
  EXPECT_EQ(Canon("1" + std::string(100, '0')), "1" + std::string(100, '0'));
  EXPECT_EQ(Canon("9" + std::string(37, '9') + ".000"), std::string(38, '9'));
}

TEST(NumberTest, RangeEdges) {
  const std::string max = "9.9999999999999999999999999999999999999E+125";
  EXPECT_EQ(Canon(max), std::string(38, '9') + std::string(88, '0'));
  EXPECT_EQ(Canon("-" + max), "-" + std::string(38, '9') + std::string(88, '0'));
  EXPECT_EQ(ParseError("1E+126"), kOverflow);
  EXPECT_EQ(ParseError("-1E+126"), kOverflow);
  EXPECT_EQ(ParseError("10E+125"), kOverflow);
  EXPECT_EQ(ParseError("1" + std::string(126, '0')), kOverflow);
  EXPECT_EQ(ParseError("1e999999999999"), kOverflow);
  EXPECT_EQ(ParseError("1e99999999999999999999999999999"), kOverflow);
  EXPECT_EQ(Canon("1E-130"), "0." + std::string(129, '0') + "1");
  EXPECT_EQ(ParseError("9.9E-131"), kUnderflow);
  EXPECT_EQ(ParseError("-0.1E-130"), kUnderflow);
  EXPECT_EQ(ParseError("1e-999999999999"), kUnderflow);
  EXPECT_EQ(ParseError("1e-99999999999999999999999999999"), kUnderflow);
  // DynamoDB checks the range before the precision.
  EXPECT_EQ(ParseError(std::string(39, '9') + "E+100"), kOverflow);
  EXPECT_EQ(ParseError(std::string(39, '9') + "E-200"), kUnderflow);
  // 38 digits ending exactly at 1E-130's position... with the leading digit at E-93.
  EXPECT_EQ(Canon("1." + std::string(36, '0') + "1E-93"),
            "0." + std::string(92, '0') + "1" + std::string(36, '0') + "1");
}

TEST(NumberTest, FromInt64) {
  EXPECT_EQ(Number::FromInt64(0).ToString(), "0");
  EXPECT_EQ(Number::FromInt64(1200).ToString(), "1200");
  EXPECT_EQ(Number::FromInt64(-7).ToString(), "-7");
  EXPECT_EQ(Number::FromInt64(INT64_MIN).ToString(), "-9223372036854775808");
  EXPECT_EQ(Number::FromInt64(INT64_MAX).ToString(), "9223372036854775807");
  EXPECT_EQ(Number::FromInt64(1200), N("1.2e3"));
}

TEST(NumberTest, Compare) {
  EXPECT_EQ(N("1").Compare(N("1.0")), 0);
  EXPECT_EQ(N("1").Compare(N("2")), -1);
  EXPECT_EQ(N("2").Compare(N("1")), 1);
  EXPECT_EQ(N("-2").Compare(N("-1")), -1);
  EXPECT_EQ(N("-1").Compare(N("0")), -1);
  EXPECT_EQ(N("0").Compare(N("1E-130")), -1);
  EXPECT_EQ(N("10").Compare(N("9.99999")), 1);
  EXPECT_EQ(N("1.5").Compare(N("1.49999999999999999999999999999999999")), 1);
  EXPECT_EQ(N("-1.5").Compare(N("-1.49999999999999999999999999999999999")), -1);
  EXPECT_EQ(N("123").Compare(N("1.23e2")), 0);
  EXPECT_TRUE(N("0.1") < N("0.11"));
  EXPECT_FALSE(N("0.11") < N("0.1"));
}

TEST(NumberTest, AddAndSubtractAreExact) {
  EXPECT_EQ(AddText("0.1", "0.2"), "0.3");
  EXPECT_EQ(AddText("1", "-1"), "0");
  EXPECT_EQ(AddText("-5", "3"), "-2");
  EXPECT_EQ(AddText("0", "-3.5"), "-3.5");
  EXPECT_EQ(AddText("2.5", "0"), "2.5");
  EXPECT_EQ(AddText("1E125", "-1E125"), "0");
  EXPECT_EQ(AddText("1.5", "1.5"), "3");
  EXPECT_EQ(AddText("999", "1"), "1000");
  EXPECT_EQ(SubText("10", "0.0001"), "9.9999");
  EXPECT_EQ(SubText("1", "3"), "-2");
  EXPECT_EQ(SubText("-1", "-1"), "0");
  EXPECT_EQ(SubText("0", "5"), "-5");
  const std::string nines = std::string(38, '9');
  EXPECT_EQ(AddText(nines, "1"), "1" + std::string(38, '0'));
  EXPECT_EQ(AddText(nines, "2"), kDigits);
  EXPECT_EQ(SubText("-" + nines, "2"), kDigits);
  EXPECT_EQ(AddText("1E37", "1"), "1" + std::string(36, '0') + "1");  // 38 digits
  EXPECT_EQ(AddText("1E38", "1"), kDigits);                           // 39 digits
  EXPECT_EQ(AddText("1E125", "1E-130"), kDigits);
  EXPECT_EQ(SubText("1E125", "1E-130"), kDigits);
  EXPECT_EQ(SubText("1E-130", "1E125"), kDigits);
  EXPECT_EQ(AddText("9.9999999999999999999999999999999999999E+125", "1E+88"), kOverflow);
  EXPECT_EQ(SubText("-9.9999999999999999999999999999999999999E+125", "1E+88"), kOverflow);
  EXPECT_EQ(SubText("1.5E-130", "1.4E-130"), kUnderflow);
  EXPECT_EQ(SubText("2.5E-130", "1.5E-130"), "0." + std::string(129, '0') + "1");
  // Cancellation of many leading digits is exact.
  EXPECT_EQ(SubText("1.0000000000000000000000000000000000001", "1"),
            "0." + std::string(36, '0') + "1");
  EXPECT_EQ(SubText("1E100", "9.9999999999999999999999999999999999999E+99"),
            "1" + std::string(62, '0'));
}

// An independent reference order: sign, then (adjusted exponent, digit string).
struct Generated {
  std::string text;
  int sign;
  int adjusted;
  std::string digits;  // significant digits, no trailing zeros
};

int ReferenceCompare(const Generated& a, const Generated& b) {
  if (a.sign != b.sign) return a.sign < b.sign ? -1 : 1;
  if (a.sign == 0) return 0;
  int mag;
  if (a.adjusted != b.adjusted) {
    mag = a.adjusted < b.adjusted ? -1 : 1;
  } else {
    const int c = a.digits.compare(b.digits);  // same leading power: lexicographic on digits
    mag = c == 0 ? 0 : (c < 0 ? -1 : 1);
  }
  return a.sign > 0 ? mag : -mag;
}

std::vector<Generated> GenerateNumbers(size_t count) {
  std::mt19937_64 rng(20240611);
  std::vector<Generated> out;
  auto make = [&](int sign, int adjusted, std::string digits) {
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    Generated g;
    g.sign = digits.empty() ? 0 : sign;
    g.adjusted = adjusted;
    g.digits = digits;
    if (g.sign == 0) {
      g.text = "0";
    } else {
      g.text = (sign < 0 ? "-" : "") + digits.substr(0, 1) + "." + digits.substr(1) + "E" +
               std::to_string(adjusted);
    }
    out.push_back(g);
  };
  make(1, 0, "");
  for (int sign : {1, -1}) {
    make(sign, 125, std::string(38, '9'));
    make(sign, -130, "1");
    make(sign, 0, "1");
    make(sign, 1, "1");
    make(sign, -1, "1");
    make(sign, 0, "11");
    make(sign, 0, "101");
    make(sign, 0, "1" + std::string(36, '0') + "1");
  }
  std::uniform_int_distribution<int> digit(0, 9);
  std::uniform_int_distribution<int> nonzero(1, 9);
  std::uniform_int_distribution<int> length(1, 38);
  std::uniform_int_distribution<int> exponent(-130, 125);
  std::uniform_int_distribution<int> small_exponent(-4, 4);
  while (out.size() < count) {
    const int sign = rng() % 2 ? 1 : -1;
    const int len = rng() % 3 == 0 ? 1 + static_cast<int>(rng() % 3) : length(rng);
    std::string digits(1, static_cast<char>('0' + nonzero(rng)));
    for (int i = 1; i < len; ++i) {
      // Mostly small digit alphabets so that many values share long prefixes.
      digits.push_back(static_cast<char>('0' + (rng() % 2 ? digit(rng) : (rng() % 2) * 9)));
    }
    const int adjusted = rng() % 2 ? small_exponent(rng) : exponent(rng);
    make(sign, adjusted, digits);
    // A close neighbour: same prefix, one more digit or one digit changed.
    if (rng() % 2 && len < 38) {
      make(sign, adjusted, digits + static_cast<char>('0' + nonzero(rng)));
    } else {
      std::string d2 = digits;
      d2.back() = static_cast<char>('0' + nonzero(rng));
      make(sign, adjusted, d2);
    }
  }
  return out;
}

TEST(NumberTest, CompareMatchesReferenceOrder) {
  std::vector<Generated> gen = GenerateNumbers(3000);
  std::vector<Number> nums;
  for (const Generated& g : gen) nums.push_back(N(g.text));
  std::mt19937 rng(7);
  for (size_t i = 0; i < gen.size(); ++i) {
    for (int k = 0; k < 20; ++k) {
      const size_t j = k == 0 ? (i + 1) % gen.size() : rng() % gen.size();
      ASSERT_EQ(nums[i].Compare(nums[j]), ReferenceCompare(gen[i], gen[j]))
          << gen[i].text << " vs " << gen[j].text;
    }
  }
}

TEST(NumberTest, SortableEncodingOrderEqualsNumericOrder) {
  std::vector<Generated> gen = GenerateNumbers(4000);
  std::vector<std::pair<Number, std::string>> items;
  for (const Generated& g : gen) {
    Number n = N(g.text);
    items.emplace_back(n, Sortable(n));
    ASSERT_LE(items.back().second.size(), 24u) << g.text;
  }
  // Pairwise on random pairs, including exact neighbours after sorting.
  std::mt19937 rng(11);
  for (size_t i = 0; i < items.size(); ++i) {
    for (int k = 0; k < 20; ++k) {
      const size_t j = rng() % items.size();
      const int c = items[i].second.compare(items[j].second);
      ASSERT_EQ(c < 0 ? -1 : (c > 0 ? 1 : 0), items[i].first.Compare(items[j].first))
          << items[i].first.ToString() << " vs " << items[j].first.ToString();
    }
  }
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  for (size_t i = 1; i < items.size(); ++i) {
    const int c = items[i - 1].first.Compare(items[i].first);
    ASSERT_LE(c, 0) << items[i - 1].first.ToString() << " vs " << items[i].first.ToString();
    // Equal encodings exactly for equal numbers; and no encoding is a prefix of another.
    ASSERT_EQ(c == 0, items[i - 1].second == items[i].second);
    if (c != 0) {
      ASSERT_NE(items[i].second.compare(0, items[i - 1].second.size(), items[i - 1].second), 0)
          << "prefix: " << items[i - 1].first.ToString() << " / " << items[i].first.ToString();
    }
  }
}

TEST(NumberTest, SortableRoundTripAndSelfDelimiting) {
  std::vector<Generated> gen = GenerateNumbers(3000);
  for (const Generated& g : gen) {
    Number n = N(g.text);
    std::string enc = Sortable(n);
    enc.append("\x00\xff tail", 7);
    std::string_view in = enc;
    Result<Number> back = Number::DecodeSortable(&in);
    ASSERT_TRUE(back.ok()) << g.text << ": " << back.status().ToString();
    ASSERT_EQ(back->ToString(), n.ToString());
    ASSERT_EQ(back->negative(), n.negative());
    ASSERT_EQ(in, std::string_view("\x00\xff tail", 7));
  }
}

TEST(NumberTest, SortableKnownBytes) {
  EXPECT_EQ(Sortable(Number()), std::string("\x02", 1));
  // 1 = 0.01 x 100^1: exponent byte 129, digit 01 -> 3, terminator.
  EXPECT_EQ(Sortable(N("1")), std::string("\x03\x81\x03\x00", 4));
  // 12.5 = 0.1250 x 100^1: digits 12, 50 -> 25, 101.
  EXPECT_EQ(Sortable(N("12.5")), std::string("\x03\x81\x19\x65\x00", 5));
  // -1: complemented after the class byte.
  EXPECT_EQ(Sortable(N("-1")), std::string("\x01\x7e\xfc\xff", 4));
}

TEST(NumberTest, DecodeSortableRejectsCorruptInput) {
  auto decode = [](std::string bytes) {
    std::string_view in = bytes;
    return Number::DecodeSortable(&in).status();
  };
  EXPECT_EQ(decode("").code(), Status::Code::kCorruption);
  EXPECT_EQ(decode("\x04").code(), Status::Code::kCorruption);
  EXPECT_EQ(decode("\x03").code(), Status::Code::kCorruption);
  EXPECT_EQ(decode("\x03\x81\x03").code(), Status::Code::kCorruption);  // no terminator
  EXPECT_EQ(decode(std::string("\x03\x81\x00", 3)).code(), Status::Code::kCorruption);  // no digit
  EXPECT_EQ(decode(std::string("\x03\x81\x04\x00", 4)).code(), Status::Code::kCorruption);  // even
  EXPECT_EQ(decode(std::string("\x03\x81\xc9\x00", 4)).code(), Status::Code::kCorruption);  // 100
  EXPECT_EQ(decode(std::string("\x03\x81\x01\x03\x00", 5)).code(),
            Status::Code::kCorruption);  // leading zero digit
  EXPECT_EQ(decode(std::string("\x03\x81\x03\x01\x00", 5)).code(),
            Status::Code::kCorruption);  // trailing zero digit
  EXPECT_EQ(decode(std::string("\x03\xff\x03\x00", 4)).code(),
            Status::Code::kCorruption);  // 1E+254
  std::string too_long("\x03\x81", 2);
  too_long.append(21, '\x03');
  too_long.push_back('\x00');
  EXPECT_EQ(decode(too_long).code(), Status::Code::kCorruption);
  // 20 base-100 digits of 99: 40 decimal digits.
  std::string forty("\x03\x81", 2);
  forty.append(20, static_cast<char>(199));
  forty.push_back('\x00');
  EXPECT_EQ(decode(forty).code(), Status::Code::kCorruption);
  // Base-100 digits 35, eighteen 00s, 60: a 39-digit coefficient, 35 x 10^37 then 3.5 x 10^38,
  // more than 128 bits hold (2^128 ~ 3.4 x 10^38). Found by fuzz/number_fuzzer.cc: the 128-bit
  // coefficient wrapped to a value under 10^38, and the bytes decoded to a Number whose text was
  // not canonical.
  std::string wraps("\x03\x81", 2);
  wraps.push_back(static_cast<char>(71));
  wraps.append(18, '\x01');
  wraps.push_back(static_cast<char>(121));
  wraps.push_back('\x00');
  EXPECT_EQ(decode(wraps).code(), Status::Code::kCorruption);
  // The fuzzer's input: 0.34 56 78 90 12 01 72 09 99 99 99 91 12 15 02 88 88 83 57 60 x 100^8.
  EXPECT_EQ(decode(std::string("\x03\x88\x45\x71\x9d\xb5\x19\x03\x91\x13\xc7\xc7\xc7\xb7\x19"
                               "\x1f\x05\xb1\xb1\xa7\x73\x79\x00",
                               23))
                .code(),
            Status::Code::kCorruption);
  // Every truncation of a valid encoding is rejected.
  std::string valid = Sortable(N("-1234567890.123456789e-7"));
  for (size_t len = 0; len < valid.size(); ++len) {
    EXPECT_EQ(decode(valid.substr(0, len)).code(), Status::Code::kCorruption) << len;
  }
}

}  // namespace
}  // namespace cairn
