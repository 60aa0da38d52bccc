// Number: a DynamoDB N value, held exactly.
// Invariants: at most 38 significant digits, magnitude 0 or within DynamoDB's range
// [1E-130, 9.9999999999999999999999999999999999999E+125], coefficient without trailing zeros (the
// exponent absorbs them), zero is always non-negative with exponent 0. Bad input never becomes a
// Number: Parse() returns Status::InvalidArgument with DynamoDB's ValidationException message.
// Immutable, so safe to share between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace cairn {

class Number {
 public:
  static constexpr int kMaxDigits = 38;

  // DynamoDB's messages (tests pin them):
  //   "A value provided cannot be converted into a number"            (syntax, empty, NaN, Infinity)
  //   "Attempting to store more than 38 significant digits in a Number"
  //   "Number overflow. Attempting to store a number with magnitude larger than supported range"
  //   "Number underflow. Attempting to store a number with magnitude smaller than supported range"
  // Accepts what DynamoDB accepts: optional sign, digits with optional '.', optional exponent
  // (e/E, optional sign), leading/trailing zeros (which do not count as significant digits).
  static Result<Number> Parse(std::string_view text);

  Number() = default;  // zero
  static Number FromInt64(int64_t v);

  // Canonical text, as DynamoDB returns it: no leading/trailing zeros, no exponent notation
  // ("1.50" -> "1.5", "-0" -> "0", "1e3" -> "1000", "1E-5" -> "0.00001").
  std::string ToString() const;

  // Total order by numeric value: <0, 0, >0.
  int Compare(const Number& other) const;
  bool operator==(const Number& o) const { return Compare(o) == 0; }
  bool operator<(const Number& o) const { return Compare(o) < 0; }

  // Exact sum/difference. Errors as Parse() (overflow, underflow, more than 38 digits). DynamoDB
  // never rounds: a result that needs more than 38 significant digits is an error.
  static Result<Number> Add(const Number& a, const Number& b);
  static Result<Number> Subtract(const Number& a, const Number& b);

  bool is_zero() const { return coefficient_ == 0; }
  bool negative() const { return negative_; }

  // Appends a byte string whose memcmp order equals numeric order and which is self-delimiting
  // (no encoding is a proper prefix of another), so it can be followed by more key bytes.
  // Format (docs/format.md): class byte (0x01 negative, 0x02 zero, 0x03 positive), then for non-zero
  // values the base-100 exponent and digit bytes, complemented for negatives. At most 24 bytes.
  void AppendSortable(std::string* out) const;
  // Decodes what AppendSortable wrote at the start of *in and advances *in past it.
  static Result<Number> DecodeSortable(std::string_view* in);

 private:
  bool negative_ = false;
  unsigned __int128 coefficient_ = 0;  // < 10^38, no trailing decimal zeros unless zero
  int32_t exponent_ = 0;               // value = coefficient_ * 10^exponent_
};

}  // namespace cairn
