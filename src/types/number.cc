// Number: parsing, canonical text, comparison, exact arithmetic and the order-preserving key
// encoding of DynamoDB's N type. See number.h for the invariants and docs/format.md for the
// sortable byte format.
//
// Representation: value = (-1)^negative_ * coefficient_ * 10^exponent_, coefficient_ < 10^38
// without trailing zeros. The "adjusted exponent" A = exponent_ + digits - 1 is the power of ten of
// the leading digit; DynamoDB's range is exactly -130 <= A <= 125 (38 digits cannot
// exceed 9.99..E+125).
#include "types/number.h"

#include <algorithm>
#include <array>
#include <boost/multiprecision/cpp_int.hpp>
#include <limits>

namespace cairn {
namespace {

using U128 = unsigned __int128;
using boost::multiprecision::int256_t;

constexpr int kMaxAdjustedExponent = 125;
constexpr int kMinAdjustedExponent = -130;
// Exponent text beyond this is clamped: any such value is out of range anyway (or zero).
constexpr int64_t kExponentClamp = 1'000'000'000'000LL;
// Sums spanning more decimal positions than this cannot fit 38 digits (see Add) and are not
// computed; 10^76 * 2 still fits int256_t.
constexpr int kMaxAddSpan = 76;

constexpr std::array<U128, 39> MakePow10() {
  std::array<U128, 39> p{};
  p[0] = 1;
  for (size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}
constexpr std::array<U128, 39> kPow10 = MakePow10();
constexpr uint64_t kPow10_19 = 10'000'000'000'000'000'000ULL;

// Number of decimal digits of c (1 for 0). REQUIRES: c < 10^38 * 10.
int DigitCount(U128 c) {
  int d = 1;
  while (d < 39 && c >= kPow10[d]) ++d;
  return d;
}

// Writes the decimal digits of c (no leading zeros; "0" for 0) to buf and returns their count.
// REQUIRES: buf has room for 39 chars.
int FormatDigits(U128 c, char* buf) {
  auto format_u64 = [](uint64_t v, char* out, int min_width) {
    char tmp[20];
    int n = 0;
    do {
      tmp[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n < min_width) tmp[n++] = '0';
    for (int i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
    return n;
  };
  uint64_t hi = static_cast<uint64_t>(c / kPow10_19);
  uint64_t lo = static_cast<uint64_t>(c % kPow10_19);
  if (hi == 0) return format_u64(lo, buf, 1);
  int n = format_u64(hi, buf, 1);
  return n + format_u64(lo, buf + n, 19);
}

int FloorDiv2(int a) { return a >= 0 ? a / 2 : -((-a + 1) / 2); }

Status SyntaxError() {
  return Status::InvalidArgument("A value provided cannot be converted into a number");
}
Status DigitsError() {
  return Status::InvalidArgument("Attempting to store more than 38 significant digits in a Number");
}
Status OverflowError() {
  return Status::InvalidArgument(
      "Number overflow. Attempting to store a number with magnitude larger than supported range");
}
Status UnderflowError() {
  return Status::InvalidArgument(
      "Number underflow. Attempting to store a number with magnitude smaller than supported range");
}

// DynamoDB's checks, in DynamoDB's order: overflow, underflow, then precision.
Status CheckRange(int64_t adjusted, int64_t digits) {
  if (adjusted > kMaxAdjustedExponent) return OverflowError();
  if (adjusted < kMinAdjustedExponent) return UnderflowError();
  if (digits > Number::kMaxDigits) return DigitsError();
  return Status::OK();
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

const int256_t& Pow10Wide(int k) {
  static const std::array<int256_t, kMaxAddSpan + 2> table = [] {
    std::array<int256_t, kMaxAddSpan + 2> t;
    t[0] = 1;
    for (size_t i = 1; i < t.size(); ++i) t[i] = t[i - 1] * 10;
    return t;
  }();
  return table[static_cast<size_t>(k)];
}

}  // namespace

Result<Number> Number::Parse(std::string_view text) {
  const size_t n = text.size();
  size_t i = 0;
  bool negative = false;
  if (i < n && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  const size_t int_begin = i;
  while (i < n && IsDigit(text[i])) ++i;
  const size_t int_end = i;
  size_t frac_begin = i, frac_end = i;
  if (i < n && text[i] == '.') {
    ++i;
    frac_begin = i;
    while (i < n && IsDigit(text[i])) ++i;
    frac_end = i;
  }
  if (int_end == int_begin && frac_end == frac_begin) return SyntaxError();
  int64_t exp = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    const size_t exp_begin = i;
    while (i < n && IsDigit(text[i])) {
      if (exp < kExponentClamp) exp = exp * 10 + (text[i] - '0');
      ++i;
    }
    if (i == exp_begin) return SyntaxError();
    if (exp_negative) exp = -exp;
  }
  if (i != n) return SyntaxError();

  // The digits int_begin..int_end then frac_begin..frac_end form one digit string D.
  const int64_t int_len = static_cast<int64_t>(int_end - int_begin);
  const int64_t frac_len = static_cast<int64_t>(frac_end - frac_begin);
  const int64_t total = int_len + frac_len;
  auto digit_at = [&](int64_t k) {
    return k < int_len ? text[int_begin + static_cast<size_t>(k)]
                       : text[frac_begin + static_cast<size_t>(k - int_len)];
  };
  int64_t first = 0;
  while (first < total && digit_at(first) == '0') ++first;
  if (first == total) return Number();  // zero, whatever its sign or exponent
  int64_t last = total - 1;
  while (digit_at(last) == '0') --last;

  const int64_t digits = last - first + 1;
  const int64_t exponent = (total - 1 - last) - frac_len + exp;
  CAIRN_RETURN_IF_ERROR(CheckRange(exponent + digits - 1, digits));

  Number result;
  U128 c = 0;
  for (int64_t k = first; k <= last; ++k) c = c * 10 + static_cast<unsigned>(digit_at(k) - '0');
  result.negative_ = negative;
  result.coefficient_ = c;
  result.exponent_ = static_cast<int32_t>(exponent);
  return result;
}

Number Number::FromInt64(int64_t v) {
  Number result;
  if (v == 0) return result;
  result.negative_ = v < 0;
  uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  int32_t exponent = 0;
  while (magnitude % 10 == 0) {
    magnitude /= 10;
    ++exponent;
  }
  result.coefficient_ = magnitude;
  result.exponent_ = exponent;
  return result;
}

std::string Number::ToString() const {
  if (coefficient_ == 0) return "0";
  char digits[40];
  const int d = FormatDigits(coefficient_, digits);
  std::string out;
  const int point = d + exponent_;  // digits before the decimal point
  out.reserve(
      static_cast<size_t>(3 + std::max(point, 0) + std::max(d - point, 0) + std::max(-point, 0)));
  if (negative_) out.push_back('-');
  if (exponent_ >= 0) {
    out.append(digits, static_cast<size_t>(d));
    out.append(static_cast<size_t>(exponent_), '0');
  } else if (point > 0) {
    out.append(digits, static_cast<size_t>(point));
    out.push_back('.');
    out.append(digits + point, static_cast<size_t>(d - point));
  } else {
    out.append("0.");
    out.append(static_cast<size_t>(-point), '0');
    out.append(digits, static_cast<size_t>(d));
  }
  return out;
}

int Number::Compare(const Number& other) const {
  const int sa = coefficient_ == 0 ? 0 : (negative_ ? -1 : 1);
  const int sb = other.coefficient_ == 0 ? 0 : (other.negative_ ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  const int da = DigitCount(coefficient_);
  const int db = DigitCount(other.coefficient_);
  const int adjusted_a = exponent_ + da - 1;
  const int adjusted_b = other.exponent_ + db - 1;
  int magnitude;
  if (adjusted_a != adjusted_b) {
    magnitude = adjusted_a < adjusted_b ? -1 : 1;
  } else {
    // Same leading power: align both to the longer digit count (still < 10^38).
    U128 a = coefficient_, b = other.coefficient_;
    if (da < db) a *= kPow10[static_cast<size_t>(db - da)];
    if (db < da) b *= kPow10[static_cast<size_t>(da - db)];
    magnitude = a == b ? 0 : (a < b ? -1 : 1);
  }
  return sa > 0 ? magnitude : -magnitude;
}

Result<Number> Number::Add(const Number& a, const Number& b) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;
  const int da = DigitCount(a.coefficient_);
  const int db = DigitCount(b.coefficient_);
  const int top = std::max(a.exponent_ + da - 1, b.exponent_ + db - 1);
  const int bottom = std::min(a.exponent_, b.exponent_);
  // If the operands span more than 76 decimal positions, the leading and the last digit belong to
  // different operands 38+ positions apart: there is no carry into a new position and at most one
  // position of cancellation, so the exact result has over 75 digits and its leading power is a
  // valid operand's. DynamoDB's answer is then the precision error.
  if (top - bottom + 1 > kMaxAddSpan) return DigitsError();

  auto widen = [bottom](const Number& x) {
    int256_t w = static_cast<uint64_t>(x.coefficient_ >> 64);
    w <<= 64;
    w += static_cast<uint64_t>(x.coefficient_);
    w *= Pow10Wide(x.exponent_ - bottom);
    return x.negative_ ? int256_t(-w) : w;
  };
  int256_t sum = widen(a) + widen(b);
  if (sum == 0) return Number();
  const bool negative = sum < 0;
  if (negative) sum = -sum;
  int64_t exponent = bottom;
  while (sum % 10 == 0) {
    sum /= 10;
    ++exponent;
  }
  int digits = 1;
  while (digits <= kMaxAddSpan && sum >= Pow10Wide(digits)) ++digits;
  CAIRN_RETURN_IF_ERROR(CheckRange(exponent + digits - 1, digits));

  Number result;
  const int256_t mask = std::numeric_limits<uint64_t>::max();
  const uint64_t lo = static_cast<uint64_t>(sum & mask);
  const uint64_t hi = static_cast<uint64_t>(sum >> 64);
  result.coefficient_ = (static_cast<U128>(hi) << 64) | lo;
  result.exponent_ = static_cast<int32_t>(exponent);
  result.negative_ = negative;
  return result;
}

Result<Number> Number::Subtract(const Number& a, const Number& b) {
  Number negated = b;
  if (!negated.is_zero()) negated.negative_ = !negated.negative_;
  return Add(a, negated);
}

// Sortable format (docs/format.md, "Number sort-key encoding"): class byte; for non-zero values
// the base-100 exponent E + 128 (value = 0.d1d2..dn x 100^E, d1 != 0), the base-100 digits as
// 2d+1 (so never 0x00), and a 0x00 terminator (so a shorter mantissa sorts first). For negatives
// every byte after the class is complemented, which reverses the order and makes 0xFF the
// terminator.
void Number::AppendSortable(std::string* out) const {
  if (coefficient_ == 0) {
    out->push_back(static_cast<char>(0x02));
    return;
  }
  char buf[42];
  char* digits = buf + 1;
  int len = FormatDigits(coefficient_, digits);
  const int adjusted = exponent_ + len - 1;
  const int base100_exponent = FloorDiv2(adjusted) + 1;
  // The leading decimal digit sits at power `adjusted`; base-100 digits cover the power pairs
  // (2E-1, 2E-2), ... An even leading power is the low half of its pair: prefix a zero.
  if (adjusted % 2 == 0) {
    --digits;
    digits[0] = '0';
    ++len;
  }
  if (len % 2 != 0) digits[len++] = '0';
  const uint8_t flip = negative_ ? 0xFF : 0x00;
  out->push_back(static_cast<char>(negative_ ? 0x01 : 0x03));
  out->push_back(static_cast<char>(static_cast<uint8_t>(base100_exponent + 128) ^ flip));
  for (int k = 0; k < len; k += 2) {
    const int d = (digits[k] - '0') * 10 + (digits[k + 1] - '0');
    out->push_back(static_cast<char>(static_cast<uint8_t>(2 * d + 1) ^ flip));
  }
  out->push_back(static_cast<char>(flip));
}

Result<Number> Number::DecodeSortable(std::string_view* in) {
  auto corrupt = [](const char* why) {
    return Status::Corruption(std::string("bad sortable number: ") + why);
  };
  const std::string_view s = *in;
  if (s.empty()) return corrupt("empty");
  const uint8_t cls = static_cast<uint8_t>(s[0]);
  if (cls == 0x02) {
    in->remove_prefix(1);
    return Number();
  }
  if (cls != 0x01 && cls != 0x03) return corrupt("class byte");
  const bool negative = cls == 0x01;
  const uint8_t flip = negative ? 0xFF : 0x00;
  if (s.size() < 2) return corrupt("truncated");
  const int base100_exponent = (static_cast<uint8_t>(s[1]) ^ flip) - 128;
  size_t pos = 2;
  // Base-100 digits; at most 20 (38 decimal digits, plus one pad at each end).
  int digits[21];
  int n = 0;
  for (;;) {
    if (pos >= s.size()) return corrupt("no terminator");
    const uint8_t b = static_cast<uint8_t>(s[pos++]) ^ flip;
    if (b == 0) break;
    if ((b & 1) == 0 || b > 199) return corrupt("digit byte");
    if (n == 20) return corrupt("too many digits");
    digits[n++] = (b - 1) / 2;
  }
  if (n == 0 || digits[0] == 0 || digits[n - 1] == 0) return corrupt("not canonical");
  U128 c = 0;
  for (int k = 0; k + 1 < n; ++k) c = c * 100 + static_cast<unsigned>(digits[k]);
  // c has at most 19 base-100 digits (< 10^38). Even one more decimal step can overflow 128 bits
  // (10^39 > 2^128): a wrapped coefficient would pass the 38-digit check below, so check first.
  int64_t exponent = 2 * (static_cast<int64_t>(base100_exponent) - n);
  const int last = digits[n - 1];
  if (last % 10 == 0) {
    if (c > (~U128{0} - 9) / 10) return corrupt("coefficient overflow");
    c = c * 10 + static_cast<unsigned>(last / 10);
    exponent += 1;
  } else {
    if (c > (~U128{0} - 99) / 100) return corrupt("coefficient overflow");
    c = c * 100 + static_cast<unsigned>(last);
  }
  if (c >= kPow10[38]) return corrupt("more than 38 digits");
  const int d = DigitCount(c);
  const int64_t adjusted = exponent + d - 1;
  if (adjusted > kMaxAdjustedExponent || adjusted < kMinAdjustedExponent) {
    return corrupt("out of range");
  }
  Number result;
  result.negative_ = negative;
  result.coefficient_ = c;
  result.exponent_ = static_cast<int32_t>(exponent);
  in->remove_prefix(pos);
  return result;
}

}  // namespace cairn
