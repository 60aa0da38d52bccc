// The legacy parameter forms as typed entries (Expected, QueryFilter/ScanFilter, KeyConditions,
// AttributeUpdates, AttributesToGet): conversion, evaluation, and DynamoDB's operator, argument
// and action messages. The JSON side is tests/unit/api/legacy_params_test.cc.
#include "expr/legacy.h"

#include <gtest/gtest.h>

#include "expr/evaluate.h"
#include "expr/update.h"
#include "expr_test_util.h"

namespace cairn::expr {
namespace {

using namespace cairn::expr::testing;  // NOLINT
using Op = ComparisonOperator;
using Action = LegacyUpdate::Action;

LegacyComparison Cmp(std::string attr, Op op, std::vector<AttributeValue> values = {}) {
  return LegacyComparison{std::move(attr), op, std::move(values)};
}

LegacyUpdate Upd(std::string attr, Action action, std::optional<AttributeValue> value) {
  return LegacyUpdate{std::move(attr), action, std::move(value)};
}

// The condition of these entries (as Expected, QueryFilter or ScanFilter give them).
std::shared_ptr<const Condition> Conditions(std::vector<LegacyComparison> entries,
                                            ConditionalOperator op = ConditionalOperator::kAnd) {
  std::vector<Condition> converted;
  for (LegacyComparison& e : entries) converted.push_back(ConvertComparison(std::move(e)));
  return CombineComparisons(std::move(converted), op);
}

std::string ComparisonError(LegacyComparison c) {
  return ErrorOf([&] { ConvertComparison(std::move(c)); });
}

KeyCondition Keys(std::vector<LegacyComparison> entries, std::string_view range = "sk") {
  std::vector<Condition> converted;
  for (LegacyComparison& e : entries) converted.push_back(ConvertKeyComparison(std::move(e)));
  return CombineKeyComparisons(std::move(converted), "pk", range);
}

std::shared_ptr<const UpdateExpr> Updates(std::vector<LegacyUpdate> entries) {
  std::vector<UpdateAction> actions;
  for (LegacyUpdate& u : entries) actions.push_back(ConvertAttributeUpdate(std::move(u)));
  return CombineAttributeUpdates(std::move(actions));
}

std::string UpdateError(LegacyUpdate u) {
  return ErrorOf([&] { ConvertAttributeUpdate(std::move(u)); });
}

class LegacyTest : public ::testing::Test {
 protected:
  bool Holds(std::vector<LegacyComparison> entries,
             ConditionalOperator op = ConditionalOperator::kAnd) {
    return EvaluateCondition(*Conditions(std::move(entries), op), item_);
  }

  Item item_ = {{"s", S("hello")}, {"n", N("5")}, {"ss", SS({"a", "b"})}, {"l", L({S("x")})}};
};

TEST(ComparisonOperatorTest, NamesRoundTrip) {
  for (std::string_view name : {"EQ", "NE", "LE", "LT", "GE", "GT", "NOT_NULL", "NULL", "CONTAINS",
                                "NOT_CONTAINS", "BEGINS_WITH", "IN", "BETWEEN"}) {
    Op op;
    ASSERT_TRUE(LookupComparisonOperator(name, &op)) << name;
    EXPECT_EQ(ComparisonOperatorName(op), name);
  }
  Op op;
  EXPECT_FALSE(LookupComparisonOperator("eq", &op));
  EXPECT_FALSE(LookupComparisonOperator("", &op));
}

TEST_F(LegacyTest, CombineAndOr) {
  // The Exists/Value forms of Expected arrive as NULL and EQ.
  EXPECT_TRUE(Holds({Cmp("s", Op::kEq, {S("hello")})}));
  EXPECT_FALSE(Holds({Cmp("s", Op::kEq, {S("nope")})}));
  EXPECT_TRUE(Holds({Cmp("absent", Op::kNull)}));
  EXPECT_FALSE(Holds({Cmp("s", Op::kNull)}));
  EXPECT_TRUE(Holds({}));  // no entries: always true
  EXPECT_EQ(Conditions({})->kind, Condition::Kind::kTrue);
  EXPECT_TRUE(Holds({Cmp("s", Op::kEq, {S("hello")}), Cmp("n", Op::kEq, {N("5.0")})}));
  EXPECT_FALSE(Holds({Cmp("s", Op::kEq, {S("hello")}), Cmp("n", Op::kEq, {N("6")})}));
  EXPECT_TRUE(Holds({Cmp("s", Op::kEq, {S("no")}), Cmp("n", Op::kEq, {N("5")})},
                    ConditionalOperator::kOr));
  EXPECT_FALSE(Holds({Cmp("s", Op::kEq, {S("no")}), Cmp("n", Op::kEq, {N("5")})},
                     ConditionalOperator::kAnd));
  // One entry is the entry itself, whatever the operator.
  EXPECT_EQ(Conditions({Cmp("s", Op::kNotNull)}, ConditionalOperator::kOr)->kind,
            Condition::Kind::kAttributeExists);
}

TEST_F(LegacyTest, ArgumentCounts) {
  EXPECT_EQ(ComparisonError(Cmp("a", Op::kEq)),
            "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
            "ComparisonOperator");
  EXPECT_EQ(ComparisonError(Cmp("a", Op::kNull, {S("x")})),
            "One or more parameter values were invalid: Invalid number of argument(s) for the "
            "NULL ComparisonOperator");
  EXPECT_EQ(ComparisonError(Cmp("a", Op::kNotNull, {S("x")})),
            "One or more parameter values were invalid: Invalid number of argument(s) for the "
            "NOT_NULL ComparisonOperator");
  EXPECT_EQ(ComparisonError(Cmp("a", Op::kBetween, {N("1")})),
            "One or more parameter values were invalid: Invalid number of argument(s) for the "
            "BETWEEN ComparisonOperator");
  EXPECT_EQ(ComparisonError(Cmp("a", Op::kIn)),
            "One or more parameter values were invalid: Invalid number of argument(s) for the IN "
            "ComparisonOperator");
  EXPECT_EQ(ComparisonError(Cmp("a", Op::kLt, {N("1"), N("2")})),
            "One or more parameter values were invalid: Invalid number of argument(s) for the LT "
            "ComparisonOperator");
  // The count is checked before the types.
  EXPECT_EQ(ComparisonError(Cmp("a", Op::kLt, {SS({"x"}), SS({"y"})})),
            "One or more parameter values were invalid: Invalid number of argument(s) for the LT "
            "ComparisonOperator");
}

TEST_F(LegacyTest, ArgumentTypes) {
  EXPECT_EQ(ComparisonError(Cmp("a", Op::kLt, {SS({"x"})})),
            "One or more parameter values were invalid: ComparisonOperator LT is not valid for SS "
            "AttributeValue type");
  EXPECT_EQ(ComparisonError(Cmp("a", Op::kBeginsWith, {N("1")})),
            "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not "
            "valid for N AttributeValue type");
  EXPECT_EQ(ComparisonError(Cmp("a", Op::kContains, {L({})})),
            "One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid "
            "for L AttributeValue type");
  EXPECT_EQ(ComparisonError(Cmp("a", Op::kIn, {N("1"), Bool(true)})),
            "One or more parameter values were invalid: ComparisonOperator IN is not valid for "
            "BOOL AttributeValue type");
  EXPECT_EQ(ComparisonError(Cmp("a", Op::kBetween, {N("1"), S("2")})),
            "One or more parameter values were invalid: AttributeValues inside AttributeValueList "
            "must be of same type");
  EXPECT_EQ(ComparisonError(Cmp("a", Op::kBetween, {N("3"), N("2")})),
            "The BETWEEN condition was provided a range where the lower bound is greater than the "
            "upper bound");
  // EQ and NE take any type.
  EXPECT_EQ(ComparisonError(Cmp("a", Op::kEq, {M({})})), "<no error>");
  EXPECT_EQ(ComparisonError(Cmp("a", Op::kNe, {NS({"1"})})), "<no error>");
}

TEST_F(LegacyTest, EveryComparisonOperator) {
  auto eval = [&](std::string attr, Op op, std::vector<AttributeValue> values) {
    return Holds({Cmp(std::move(attr), op, std::move(values))});
  };
  EXPECT_TRUE(eval("n", Op::kEq, {N("5")}));
  EXPECT_TRUE(eval("n", Op::kNe, {N("6")}));
  EXPECT_TRUE(eval("absent", Op::kNe, {N("6")}));  // absent: not equal
  EXPECT_TRUE(eval("n", Op::kLe, {N("5")}));
  EXPECT_FALSE(eval("n", Op::kLt, {N("5")}));
  EXPECT_TRUE(eval("n", Op::kGe, {N("5")}));
  EXPECT_FALSE(eval("n", Op::kGt, {N("5")}));
  EXPECT_FALSE(eval("s", Op::kGt, {N("5")}));  // type mismatch: false
  EXPECT_TRUE(eval("s", Op::kNotNull, {}));
  EXPECT_FALSE(eval("absent", Op::kNotNull, {}));
  EXPECT_TRUE(eval("absent", Op::kNull, {}));
  EXPECT_TRUE(eval("s", Op::kContains, {S("ell")}));
  EXPECT_TRUE(eval("ss", Op::kContains, {S("a")}));
  EXPECT_TRUE(eval("l", Op::kContains, {S("x")}));
  EXPECT_TRUE(eval("ss", Op::kNotContains, {S("c")}));
  EXPECT_FALSE(eval("ss", Op::kNotContains, {S("a")}));
  EXPECT_FALSE(eval("absent", Op::kNotContains, {S("a")}));  // absent: false
  EXPECT_TRUE(eval("s", Op::kBeginsWith, {S("he")}));
  EXPECT_TRUE(eval("n", Op::kIn, {N("1"), N("5")}));
  EXPECT_FALSE(eval("n", Op::kIn, {N("1"), S("5")}));
  EXPECT_TRUE(eval("n", Op::kBetween, {N("5"), N("9")}));
  EXPECT_FALSE(eval("n", Op::kBetween, {N("6"), N("9")}));
  EXPECT_TRUE(Holds({Cmp("n", Op::kNotNull), Cmp("absent", Op::kNull)}));
}

TEST_F(LegacyTest, AttributeNamesAreLiteral) {
  Item item = {{"a.b", S("dotted")}, {"#n", S("hash")}};
  EXPECT_TRUE(EvaluateCondition(*Conditions({Cmp("a.b", Op::kEq, {S("dotted")})}), item));
  EXPECT_TRUE(EvaluateCondition(*Conditions({Cmp("#n", Op::kEq, {S("hash")})}), item));
}

TEST_F(LegacyTest, KeyConditions) {
  KeyCondition kc = Keys({Cmp("pk", Op::kEq, {S("p")}), Cmp("sk", Op::kBetween, {N("1"), N("2")})});
  EXPECT_EQ(kc.hash_value, S("p"));
  EXPECT_EQ(kc.op, KeyCondition::Op::kBetween);
  EXPECT_EQ(kc.a, N("1"));
  EXPECT_EQ(kc.b, N("2"));
  kc = Keys({Cmp("pk", Op::kEq, {S("p")}), Cmp("sk", Op::kBeginsWith, {S("x")})});
  EXPECT_EQ(kc.op, KeyCondition::Op::kBeginsWith);
  kc = Keys({Cmp("pk", Op::kEq, {S("p")})}, "");
  EXPECT_EQ(kc.op, KeyCondition::Op::kNone);
  EXPECT_EQ(ErrorOf([&] {
              Keys({Cmp("pk", Op::kEq, {S("p")}), Cmp("sk", Op::kNe, {N("1")})});
            }),
            "Attempted conditional constraint is not an indexable operation");
  for (Op op : {Op::kNe, Op::kIn, Op::kNull, Op::kNotNull, Op::kContains, Op::kNotContains}) {
    std::vector<AttributeValue> args;
    if (op != Op::kNull && op != Op::kNotNull) args.push_back(S("x"));
    EXPECT_EQ(ErrorOf([&] { ConvertKeyComparison(Cmp("sk", op, args)); }),
              "Attempted conditional constraint is not an indexable operation")
        << ComparisonOperatorName(op);
  }
  EXPECT_EQ(ErrorOf([&] { Keys({Cmp("sk", Op::kEq, {N("1")})}); }),
            "Query condition missed key schema element: pk");
  EXPECT_EQ(ErrorOf([&] { Keys({}); }), "Query condition missed key schema element: pk");
  EXPECT_EQ(ErrorOf([&] { Keys({Cmp("pk", Op::kGt, {S("p")})}); }),
            "Query key condition not supported");
  // The arguments are checked before the operator's indexability.
  EXPECT_EQ(ErrorOf([&] { Keys({Cmp("pk", Op::kEq)}); }),
            "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
            "ComparisonOperator");
  EXPECT_EQ(ErrorOf([&] { Keys({Cmp("pk", Op::kNe)}); }),
            "One or more parameter values were invalid: Invalid number of argument(s) for the NE "
            "ComparisonOperator");
}

TEST_F(LegacyTest, AttributeUpdates) {
  auto u = Updates({Upd("s", Action::kPut, S("new")), Upd("n", Action::kAdd, N("2")),
                    Upd("ss", Action::kDelete, SS({"a", "b"})),
                    Upd("l", Action::kAdd, L({S("y")})), Upd("fresh", Action::kAdd, NS({"1"})),
                    Upd("gone", Action::kDelete, std::nullopt)});
  EXPECT_TRUE(u->legacy);
  EXPECT_EQ(u->TopLevelNames(), (std::vector<std::string>{"s", "n", "ss", "l", "fresh", "gone"}));
  EXPECT_EQ(u->actions[0].kind, UpdateAction::Kind::kSet);
  EXPECT_EQ(u->actions[1].kind, UpdateAction::Kind::kAdd);
  EXPECT_EQ(u->actions[2].kind, UpdateAction::Kind::kDelete);
  EXPECT_EQ(u->actions[5].kind, UpdateAction::Kind::kRemove);
  Item item = item_;
  item["gone"] = S("bye");
  ApplyUpdate(*u, item, nullptr);
  EXPECT_EQ(
      item,
      (Item{{"s", S("new")}, {"n", N("7")}, {"l", L({S("x"), S("y")})}, {"fresh", NS({"1"})}}));
}

TEST_F(LegacyTest, AttributeUpdatesErrors) {
  EXPECT_EQ(UpdateError(Upd("a", Action::kPut, std::nullopt)),
            "One or more parameter values were invalid: Only DELETE action is allowed when no "
            "attribute value is specified");
  EXPECT_EQ(UpdateError(Upd("a", Action::kAdd, std::nullopt)),
            "One or more parameter values were invalid: Only DELETE action is allowed when no "
            "attribute value is specified");
  EXPECT_EQ(
      UpdateError(Upd("a", Action::kAdd, S("x"))),
      "One or more parameter values were invalid: ADD action is not supported for the type S");
  EXPECT_EQ(UpdateError(Upd("a", Action::kDelete, N("1"))),
            "One or more parameter values were invalid: DELETE action with value is not supported "
            "for the type N");
  EXPECT_EQ(UpdateError(Upd("a", Action::kPut, M({}))), "<no error>");
  // Run-time type mismatches have the legacy wording.
  auto u = Updates({Upd("s", Action::kAdd, N("1"))});
  Item item = item_;
  EXPECT_EQ(ErrorOf([&] { ApplyUpdate(*u, item, nullptr); }),
            "Type mismatch for attribute to update");
  u = Updates({Upd("ss", Action::kDelete, NS({"1"}))});
  EXPECT_EQ(ErrorOf([&] { ApplyUpdate(*u, item, nullptr); }),
            "Type mismatch for attribute to update");
}

TEST_F(LegacyTest, AttributesToGet) {
  auto p = ConvertAttributesToGet({"a", "b.c", "name"});
  ASSERT_EQ(p->paths.size(), 3u);
  EXPECT_EQ(p->paths[1].size(), 1u);  // a literal name, not a path
  EXPECT_EQ(p->paths[1][0].name, "b.c");
  EXPECT_EQ(p->paths[2][0].name, "name");
}

}  // namespace
}  // namespace cairn::expr
