// Fuzz target: Number (src/types/number.h), the exact 38-digit decimal.
// Feeds: the input split in two at its first ',' (or whole): each part is given to Number::Parse
// as DynamoDB N text.
// Asserts, beyond no crash and no sanitizer report:
//  - canonical text round trip: Parse(ToString(n)) succeeds, equals n and prints the same text;
//  - the sortable key encoding round trips (DecodeSortable(AppendSortable(n)) == n, consuming all
//    of it, at most 24 bytes) and orders as Compare does: memcmp sign == Compare sign, and neither
//    of two different encodings is a prefix of the other;
//  - Compare is antisymmetric; Add is commutative; when a + b fits, (a + b) - b == a.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "types/number.h"

namespace {

int Sign(int v) { return (v > 0) - (v < 0); }


std::string Sortable(const cairn::Number& n) {
  std::string s;
  n.AppendSortable(&s);
  return s;
}

void CheckOne(const cairn::Number& n) {
  const std::string text = n.ToString();
  cairn::Result<cairn::Number> again = cairn::Number::Parse(text);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again.value() == n);
  FUZZ_CHECK(again.value().ToString() == text);
  const std::string key = Sortable(n);
  FUZZ_CHECK(!key.empty() && key.size() <= 24);
  std::string_view in = key;
  cairn::Result<cairn::Number> decoded = cairn::Number::DecodeSortable(&in);
  FUZZ_CHECK(decoded.ok());
  FUZZ_CHECK(in.empty());
  FUZZ_CHECK(decoded.value() == n);
  FUZZ_CHECK(decoded.value().ToString() == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t comma = input.find(',');
  const std::string_view first = input.substr(0, comma);
  cairn::Result<cairn::Number> a = cairn::Number::Parse(first);
  if (a.ok()) CheckOne(a.value());
  // DecodeSortable must survive any bytes (a corrupt key), and what it accepts must round trip.
  {
    std::string_view in = input;
    cairn::Result<cairn::Number> d = cairn::Number::DecodeSortable(&in);
    if (d.ok()) CheckOne(d.value());
  }
  if (comma == std::string_view::npos || !a.ok()) return 0;
  cairn::Result<cairn::Number> b = cairn::Number::Parse(input.substr(comma + 1));
  if (!b.ok()) return 0;
  const cairn::Number& x = a.value();
  const cairn::Number& y = b.value();
  CheckOne(y);
  const int cmp = x.Compare(y);
  FUZZ_CHECK(Sign(cmp) == -Sign(y.Compare(x)));
  const std::string kx = Sortable(x), ky = Sortable(y);
  FUZZ_CHECK(Sign(kx.compare(ky)) == Sign(cmp));
  if (cmp != 0) {
    FUZZ_CHECK(ky.compare(0, kx.size(), kx) != 0 || kx.size() == ky.size());
    FUZZ_CHECK(kx.compare(0, ky.size(), ky) != 0 || kx.size() == ky.size());
  }
  cairn::Result<cairn::Number> sum = cairn::Number::Add(x, y);
  cairn::Result<cairn::Number> sum2 = cairn::Number::Add(y, x);
  FUZZ_CHECK(sum.ok() == sum2.ok());
  if (sum.ok()) {
    FUZZ_CHECK(sum.value() == sum2.value());
    CheckOne(sum.value());
    cairn::Result<cairn::Number> back = cairn::Number::Subtract(sum.value(), y);
    FUZZ_CHECK(back.ok());
    FUZZ_CHECK(back.value() == x);
  }
  return 0;
}
