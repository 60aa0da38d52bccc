// Applying UpdateExpressions: each clause, list compaction, set operations, exact arithmetic,
// evaluation against the old item, and DynamoDB's run-time errors.
#include "expr/update.h"

#include <gtest/gtest.h>

#include "expr/parser.h"
#include "expr_test_util.h"

namespace cairn::expr {
namespace {

using namespace cairn::expr::testing;  // NOLINT

class UpdateTest : public ::testing::Test {
 protected:
  UpdateTest() {
    p_.values = {{":s", S("new")},      {":n", N("5")},
                 {":neg", N("-7.5")},   {":big", N("99999999999999999999999999999999999999")},
                 {":one", N("1")},      {":l", L({S("x"), S("y")})},
                 {":empty_l", L({})},   {":ss", SS({"b", "c"})},
                 {":ss_a", SS({"a"})},  {":ns", NS({"1", "3"})},
                 {":bs", BS({"\x01"})}, {":m", M({{"k", S("v")}})}};
    p_.names = {{"#a", "a"}};
    item_ = {{"pk", S("key")},
             {"n", N("10")},
             {"s", S("old")},
             {"l", L({S("a"), S("b"), S("c"), S("d")})},
             {"m", M({{"x", N("1")}, {"deep", M({{"y", N("2")}})}})},
             {"ss", SS({"a", "b"})},
             {"ns", NS({"1", "2"})}};
  }
  // Applies `text` to item_, returning the updated paths.
  std::vector<std::string> Apply(std::string_view text) {
    auto u = ParseUpdate(text, p_.ctx);
    std::vector<Path> updated;
    ApplyUpdate(*u, item_, &updated);
    std::vector<std::string> out;
    for (const Path& path : updated) out.push_back(PathToString(path));
    return out;
  }
  std::string ApplyError(std::string_view text) {
    return ErrorOf([&] { Apply(text); });
  }
  Placeholders p_;
  Item item_;
};

TEST_F(UpdateTest, SetCreatesAndReplaces) {
  EXPECT_EQ(Apply("SET s = :s, fresh = :n, m.x = :s, m.newkey = :l"),
            (std::vector<std::string>{"s", "fresh", "m.x", "m.newkey"}));
  EXPECT_EQ(item_["s"], S("new"));
  EXPECT_EQ(item_["fresh"], N("5"));
  EXPECT_EQ(item_["m"].map["x"], S("new"));
  EXPECT_EQ(item_["m"].map["newkey"], L({S("x"), S("y")}));
  EXPECT_EQ(item_["m"].map["deep"], M({{"y", N("2")}}));
}

TEST_F(UpdateTest, SetListElements) {
  Apply("SET l[1] = :s, l[10] = :n");
  // An index past the end appends.
  EXPECT_EQ(item_["l"], L({S("a"), S("new"), S("c"), S("d"), N("5")}));
}

TEST_F(UpdateTest, SetCopiesFromPathsOfTheOldItem) {
  Apply("SET n = s, s = n");  // a swap: both sides read the old item
  EXPECT_EQ(item_["n"], S("old"));
  EXPECT_EQ(item_["s"], N("10"));
  Apply("SET copied = m.deep");
  EXPECT_EQ(item_["copied"], M({{"y", N("2")}}));
}

TEST_F(UpdateTest, Arithmetic) {
  Apply("SET n = n + :n, m.x = m.x - :neg, c = :n + :n, d = :one - n");
  EXPECT_EQ(item_["n"], N("15"));
  EXPECT_EQ(item_["m"].map["x"], N("8.5"));
  EXPECT_EQ(item_["c"], N("10"));
  EXPECT_EQ(item_["d"], N("-9"));  // reads the old n (10)
}

TEST_F(UpdateTest, ArithmeticIsExactTo38Digits) {
  item_["x"] = N("0.1");
  EXPECT_EQ(ApplyError("SET x = x + :big"),
            "Attempting to store more than 38 significant digits in a Number");
  Apply("SET y = :big - :one");
  EXPECT_EQ(item_["y"], N("99999999999999999999999999999999999998"));
  item_["z"] = N("9" + std::string(125, '0'));  // 9E+125
  EXPECT_EQ(ApplyError("SET z = z + z"),
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range");
}

TEST_F(UpdateTest, ArithmeticTypeErrors) {
  EXPECT_EQ(ApplyError("SET s = s + :n"),
            "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(ApplyError("SET x = l - :n"),
            "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(ApplyError("SET x = absent + :n"),
            "The provided expression refers to an attribute that does not exist in the item");
  EXPECT_EQ(ApplyError("SET x = absent"),
            "The provided expression refers to an attribute that does not exist in the item");
}

TEST_F(UpdateTest, IfNotExists) {
  Apply("SET n = if_not_exists(n, :n), fresh = if_not_exists(fresh, :n)");
  EXPECT_EQ(item_["n"], N("10"));
  EXPECT_EQ(item_["fresh"], N("5"));
  Apply("SET tally = if_not_exists(tally, :one) + :n");
  EXPECT_EQ(item_["tally"], N("6"));
  Apply("SET extra = if_not_exists(s, :n)");
  EXPECT_EQ(item_["extra"], S("old"));
}

TEST_F(UpdateTest, ListAppend) {
  Apply("SET l = list_append(l, :l)");
  EXPECT_EQ(item_["l"], L({S("a"), S("b"), S("c"), S("d"), S("x"), S("y")}));
  Apply("SET fresh = list_append(:l, :empty_l)");
  EXPECT_EQ(item_["fresh"], L({S("x"), S("y")}));
  Apply("SET l2 = list_append(:l, if_not_exists(l2, :empty_l))");
  EXPECT_EQ(item_["l2"], L({S("x"), S("y")}));
  Apply("SET l2 = list_append(:l, l2)");
  EXPECT_EQ(item_["l2"], L({S("x"), S("y"), S("x"), S("y")}));
  EXPECT_EQ(ApplyError("SET s = list_append(s, :l)"),
            "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(ApplyError("SET x = list_append(absent, :l)"),
            "The provided expression refers to an attribute that does not exist in the item");
}

TEST_F(UpdateTest, SetNestedPathNeedsAnExistingParent) {
  EXPECT_EQ(ApplyError("SET absent.x = :n"),
            "The document path provided in the update expression is invalid for update");
  EXPECT_EQ(ApplyError("SET m.absent.x = :n"),
            "The document path provided in the update expression is invalid for update");
  EXPECT_EQ(ApplyError("SET s.x = :n"),
            "The document path provided in the update expression is invalid for update");
  EXPECT_EQ(ApplyError("SET m[0] = :n"),
            "The document path provided in the update expression is invalid for update");
  EXPECT_EQ(ApplyError("SET l.x = :n"),
            "The document path provided in the update expression is invalid for update");
  EXPECT_EQ(ApplyError("SET l[9].x = :n"),
            "The document path provided in the update expression is invalid for update");
}

TEST_F(UpdateTest, RemoveAttributesKeysAndElements) {
  EXPECT_EQ(Apply("REMOVE s, m.x, absent, m.nothing"),
            (std::vector<std::string>{"s", "m.x", "absent", "m.nothing"}));
  EXPECT_EQ(item_.count("s"), 0u);
  EXPECT_EQ(item_["m"], M({{"deep", M({{"y", N("2")}})}}));
}

TEST_F(UpdateTest, RemoveListElementsCompactsUsingOriginalIndexes) {
  Apply("REMOVE l[1], l[3], l[9]");
  EXPECT_EQ(item_["l"], L({S("a"), S("c")}));
  Apply("REMOVE l[0]");
  EXPECT_EQ(item_["l"], L({S("c")}));
}

TEST_F(UpdateTest, SetAndRemoveOnOneListUseOriginalIndexes) {
  Apply("REMOVE l[0] SET l[2] = :s");
  EXPECT_EQ(item_["l"], L({S("b"), S("new"), S("d")}));
}

TEST_F(UpdateTest, RemoveBelowAMissingOrWrongParentIsAnError) {
  EXPECT_EQ(ApplyError("REMOVE absent.x"),
            "The document path provided in the update expression is invalid for update");
  EXPECT_EQ(ApplyError("REMOVE s[0]"),
            "The document path provided in the update expression is invalid for update");
}

TEST_F(UpdateTest, AddNumbers) {
  Apply("ADD n :neg, fresh :n, m.deep.y :one");
  EXPECT_EQ(item_["n"], N("2.5"));
  EXPECT_EQ(item_["fresh"], N("5"));
  EXPECT_EQ(item_["m"].map["deep"].map["y"], N("3"));
}

TEST_F(UpdateTest, AddToSets) {
  Apply("ADD ss :ss, ns :ns, newset :bs");
  EXPECT_EQ(item_["ss"], SS({"a", "b", "c"}));
  EXPECT_EQ(item_["ss"].set, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(item_["ns"], NS({"1", "2", "3"}));
  EXPECT_EQ(item_["newset"], BS({"\x01"}));
}

TEST_F(UpdateTest, AddTypeErrors) {
  EXPECT_EQ(ApplyError("ADD s :n"),
            "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(ApplyError("ADD n :ss"),
            "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(ApplyError("ADD ss :ns"),
            "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(ApplyError("ADD absent.x :n"),
            "The document path provided in the update expression is invalid for update");
}

TEST_F(UpdateTest, DeleteFromSets) {
  Apply("DELETE ss :ss, ns :ns, absent :ss");
  EXPECT_EQ(item_["ss"], SS({"a"}));
  EXPECT_EQ(item_["ns"], NS({"2"}));
  EXPECT_EQ(item_.count("absent"), 0u);
  // Deleting every member removes the attribute: DynamoDB stores no empty set.
  Apply("DELETE ss :ss_a");
  EXPECT_EQ(item_.count("ss"), 0u);
}

TEST_F(UpdateTest, DeleteTypeErrors) {
  EXPECT_EQ(ApplyError("DELETE s :ss"),
            "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(ApplyError("DELETE ns :ss"),
            "An operand in the update expression has an incorrect data type");
}

TEST_F(UpdateTest, AllClausesTogether) {
  EXPECT_EQ(Apply("SET s = :s REMOVE m ADD n :one DELETE ss :ss_a"),
            (std::vector<std::string>{"s", "m", "n", "ss"}));
  EXPECT_EQ(item_["s"], S("new"));
  EXPECT_EQ(item_.count("m"), 0u);
  EXPECT_EQ(item_["n"], N("11"));
  EXPECT_EQ(item_["ss"], SS({"b"}));
}

TEST_F(UpdateTest, NullUpdatedListIsAllowed) {
  auto u = ParseUpdate("SET #a = :n", p_.ctx);
  ApplyUpdate(*u, item_, nullptr);
  EXPECT_EQ(item_["a"], N("5"));
}

}  // namespace
}  // namespace cairn::expr
