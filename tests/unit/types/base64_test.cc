// Base64: RFC 4648 test vectors, and the strictness of DynamoDB's decoder with its messages.
#include "types/base64.h"

#include <gtest/gtest.h>

#include <random>

namespace cairn {
namespace {

std::string DecodeError(std::string_view text) {
  Result<std::string> r = Base64Decode(text);
  if (r.ok()) return "<ok>";
  EXPECT_TRUE(r.status().IsInvalidArgument());
  return r.status().message();
}

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [raw, text] : vectors) {
    EXPECT_EQ(Base64Encode(raw), text);
    Result<std::string> back = Base64Decode(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(*back, raw);
  }
}

TEST(Base64Test, EncodeAppends) {
  std::string out = "x";
  Base64Encode(std::string("\xff\xfe\x00", 3), &out);
  EXPECT_EQ(out, "x//4A");
  EXPECT_EQ(Base64Encode(std::string("\xfb\xff", 2)), "+/8=");
}

TEST(Base64Test, RandomRoundTrip) {
  std::mt19937 rng(5);
  for (int i = 0; i < 2000; ++i) {
    std::string raw(rng() % 64, '\0');
    for (char& c : raw) c = static_cast<char>(rng());
    Result<std::string> back = Base64Decode(Base64Encode(raw));
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(*back, raw);
  }
}

TEST(Base64Test, RejectsLengthNotMultipleOfFour) {
  EXPECT_EQ(DecodeError("Zm9vY"),
            "Base64 encoded length is expected a multiple of 4 bytes but found: 5");
  EXPECT_EQ(DecodeError("Zg"),
            "Base64 encoded length is expected a multiple of 4 bytes but found: 2");
  EXPECT_EQ(DecodeError("Zg="),
            "Base64 encoded length is expected a multiple of 4 bytes but found: 3");
  EXPECT_EQ(DecodeError("Zm9v\n"),
            "Base64 encoded length is expected a multiple of 4 bytes but found: 5");
}

TEST(Base64Test, RejectsBadCharacters) {
  EXPECT_EQ(DecodeError("Zm9*"), "Invalid Base64 character: '*'");
  EXPECT_EQ(DecodeError("Zm 9"), "Invalid Base64 character: ' '");
  EXPECT_EQ(DecodeError("Zm-_"), "Invalid Base64 character: '-'");  // URL-safe alphabet
  EXPECT_EQ(DecodeError("Z=9v"), "Invalid Base64 character: '='");
  EXPECT_EQ(DecodeError("Zg==Zg=="), "Invalid Base64 character: '='");
  EXPECT_EQ(DecodeError("===="), "Invalid Base64 character: '='");
  EXPECT_EQ(DecodeError("Z==="), "Invalid Base64 character: '='");
}

TEST(Base64Test, RejectsNonZeroTrailingBits) {
  EXPECT_EQ(DecodeError("Zh=="), "Invalid last non-pad Base64 character dectected");
  EXPECT_EQ(DecodeError("Zm9="), "Invalid last non-pad Base64 character dectected");
  EXPECT_EQ(DecodeError("Zg=="), "<ok>");
  EXPECT_EQ(DecodeError("Zm8="), "<ok>");
}

}  // namespace
}  // namespace cairn
