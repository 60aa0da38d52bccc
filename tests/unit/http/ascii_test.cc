// http/ascii.h: LowerAscii's 8-byte steps against the byte-by-byte rule, for every byte value
// at every position of the step and of the tail.
#include "http/ascii.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace cairn::http {
namespace {

char LowerOne(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

TEST(AsciiTest, EveryByteAtEveryPosition) {
  for (size_t len = 1; len <= 19; ++len) {  // two 8-byte steps and a tail of up to 3
    for (size_t pos = 0; pos < len; ++pos) {
      for (int b = 0; b < 256; ++b) {
        std::string s(len, 'Q');
        s[pos] = static_cast<char>(b);
        std::string expected = s;
        for (char& c : expected) c = LowerOne(c);
        LowerAscii(s.data(), s.size());
        ASSERT_EQ(s, expected) << "len " << len << " pos " << pos << " byte " << b;
      }
    }
  }
}

TEST(AsciiTest, RandomStrings) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 40, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    std::string expected = s;
    for (char& c : expected) c = LowerOne(c);
    EXPECT_EQ(Lower(s), expected);
    LowerAscii(s.data(), s.size());
    EXPECT_EQ(s, expected);
  }
}

TEST(AsciiTest, HeaderNamesAndEquality) {
  EXPECT_EQ(Lower("X-Amz-Target"), "x-amz-target");
  EXPECT_EQ(Lower("Content-Length"), "content-length");
  EXPECT_EQ(Lower("ÀB@[`{"), "Àb@[`{");  // only A-Z change: not the bytes around them
  EXPECT_TRUE(EqualsIgnoreCase("100-Continue", "100-continue"));
  EXPECT_FALSE(EqualsIgnoreCase("100-continu", "100-continue"));
  EXPECT_FALSE(EqualsIgnoreCase("GZIP!", "gzip?"));
}

}  // namespace
}  // namespace cairn::http
