// Projecting items by document paths: the shapes DynamoDB returns for top-level, nested-map and
// list-element paths.
#include "expr/projection.h"

#include <gtest/gtest.h>

#include "expr_test_util.h"

namespace cairn::expr {
namespace {

using namespace cairn::expr::testing;  // NOLINT

class ProjectionTest : public ::testing::Test {
 protected:
  ProjectionTest() {
    item_ = {{"a", S("1")},
             {"b", N("2")},
             {"m", M({{"x", S("x")}, {"y", M({{"z", N("3")}, {"w", N("4")}})}})},
             {"l", L({S("l0"), M({{"k", S("v")}, {"j", S("u")}}), S("l2"), S("l3")})}};
  }
  Item Proj(std::string_view text) {
    Placeholders p;
    p.names = {{"#m", "m"}};
    auto projection = ParseProjection(text, p.ctx);
    return Project(item_, projection->paths);
  }
  Item item_;
};

TEST_F(ProjectionTest, TopLevelAttributes) {
  EXPECT_EQ(Proj("a, b"), (Item{{"a", S("1")}, {"b", N("2")}}));
  EXPECT_EQ(Proj("a, absent"), (Item{{"a", S("1")}}));
  EXPECT_EQ(Proj("absent"), Item{});
}

TEST_F(ProjectionTest, NestedMapPathsKeepTheirStructure) {
  EXPECT_EQ(Proj("m.x"), (Item{{"m", M({{"x", S("x")}})}}));
  EXPECT_EQ(Proj("#m.y.z, m.x"), (Item{{"m", M({{"x", S("x")}, {"y", M({{"z", N("3")}})}})}}));
  EXPECT_EQ(Proj("m.nothing"), Item{});  // no empty map for an absent path
  EXPECT_EQ(Proj("a.b"), Item{});        // a is not a map
}

TEST_F(ProjectionTest, ListElementsCloseUpInIndexOrder) {
  EXPECT_EQ(Proj("l[1].k"), (Item{{"l", L({M({{"k", S("v")}})})}}));
  EXPECT_EQ(Proj("l[3], l[0]"), (Item{{"l", L({S("l0"), S("l3")})}}));
  EXPECT_EQ(Proj("l[1].j, l[1].k, l[2]"),
            (Item{{"l", L({M({{"k", S("v")}, {"j", S("u")}}), S("l2")})}}));
  EXPECT_EQ(Proj("l[7]"), Item{});
}

TEST_F(ProjectionTest, OuterPathWinsWhenPathsOverlap) {
  // The parser rejects overlapping ProjectionExpression paths, but ReturnValues UPDATED_* may pass
  // overlapping ones.
  std::vector<Path> paths = {{PathElement::Name("m"), PathElement::Name("x")},
                             {PathElement::Name("m")},
                             {PathElement::Name("m"), PathElement::Name("y")}};
  EXPECT_EQ(Project(item_, paths), (Item{{"m", item_["m"]}}));
}

}  // namespace
}  // namespace cairn::expr
