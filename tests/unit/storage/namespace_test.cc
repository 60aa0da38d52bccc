// storage/namespace.h: a namespace's name and its inverse.
#include "storage/namespace.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace cairn::storage {
namespace {

TEST(NamespaceTest, ParseNamespaceInvertsNamespaceOf) {
  for (auto [key, region] : {std::pair{"dev", "us-east-1"}, std::pair{"a:b", "x:y"},
                             std::pair{"dev_alice", "us-east-1"}, std::pair{"k", ""}}) {
    std::string k, r;
    ASSERT_TRUE(ParseNamespace(NamespaceOf(key, region), &k, &r)) << key;
    EXPECT_EQ(k, key);
    EXPECT_EQ(r, region);
  }
  std::string k, r;
  EXPECT_FALSE(ParseNamespace("shared", &k, &r));
  EXPECT_FALSE(ParseNamespace("9:short:x", &k, &r));
  EXPECT_FALSE(ParseNamespace("3:abcd", &k, &r));
  EXPECT_FALSE(ParseNamespace(":a:b", &k, &r));
  EXPECT_FALSE(ParseNamespace("x:a:b", &k, &r));
}

}  // namespace
}  // namespace cairn::storage
