// Planning (partiql/plan.h): which DynamoDB operation runs a statement, as DynamoDB decides, and
// the expressions, keys and errors the plan carries.
#include "partiql/plan.h"

#include <gtest/gtest.h>

#include "partiql/parser.h"

namespace cairn::partiql {
namespace {

const KeyNames kHashRange{{"pk"}, {"sk"}};
const KeyNames kHashOnly{{"pk"}, {}};

Plan Planned(std::string_view text, const KeyNames& key = kHashRange,
             const std::vector<Parameter>& parameters = {}, const KeyNames* index = nullptr) {
  Result<Statement> s = Parse(text);
  EXPECT_TRUE(s.ok()) << s.status().message();
  if (!s.ok()) return Plan{};
  Result<Plan> p = PlanStatement(*s, parameters, key, index);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status().message();
  return p.ok() ? p.value() : Plan{};
}

std::string PlanError(std::string_view text, const KeyNames& key = kHashRange,
                      const std::vector<Parameter>& parameters = {}) {
  Result<Statement> s = Parse(text);
  EXPECT_TRUE(s.ok()) << s.status().message();
  if (!s.ok()) return "";
  Result<Plan> p = PlanStatement(*s, parameters, key, nullptr);
  EXPECT_FALSE(p.ok()) << text;
  return p.ok() ? "" : p.status().message();
}

TEST(PartiqlPlanTest, FullKeyEqualityIsGetItem) {
  Plan p = Planned("SELECT a, b.c FROM t WHERE sk = 2 AND 'x' = pk");
  EXPECT_EQ(p.operation, Operation::kGetItem);
  EXPECT_EQ(p.key, "{\"pk\":{\"S\":\"x\"},\"sk\":{\"N\":\"2\"}}");
  EXPECT_EQ(p.projection, "#n0, #n1.#n2");
  EXPECT_TRUE(p.values.empty());
}

TEST(PartiqlPlanTest, PartitionKeyEqualityIsQuery) {
  Plan p = Planned("SELECT * FROM t WHERE pk = 'x' AND sk > 3 AND c = 1 ORDER BY sk DESC");
  EXPECT_EQ(p.operation, Operation::kQuery);
  EXPECT_EQ(p.key_condition, "#n0 = :v0 AND #n1 > :v1");
  EXPECT_EQ(p.condition, "#n2 = :v2");
  EXPECT_FALSE(p.scan_index_forward);
}

TEST(PartiqlPlanTest, FullKeyWithAFilterIsQuery) {
  Plan p = Planned("SELECT * FROM t WHERE pk = 'x' AND sk = 1 AND c = 1");
  EXPECT_EQ(p.operation, Operation::kQuery);
  EXPECT_EQ(p.key_condition, "#n0 = :v0 AND #n1 = :v1");
}

TEST(PartiqlPlanTest, SortKeyBetweenAndBeginsWith) {
  EXPECT_EQ(Planned("SELECT * FROM t WHERE pk = 'x' AND sk BETWEEN 1 AND 2").key_condition,
            "#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2");
  EXPECT_EQ(Planned("SELECT * FROM t WHERE pk = 'x' AND begins_with(sk, 'a')").key_condition,
            "#n0 = :v0 AND begins_with(#n1, :v1)");
}

TEST(PartiqlPlanTest, IndexIsAlwaysQueried) {
  KeyNames index{{"g"}, {}};
  Plan p = Planned("SELECT * FROM t.i WHERE g = 1", kHashRange, {}, &index);
  EXPECT_EQ(p.operation, Operation::kQuery);
  EXPECT_EQ(p.index, "i");
}

TEST(PartiqlPlanTest, AnythingElseIsScan) {
  Plan p = Planned("SELECT * FROM t WHERE pk = 'x' OR a IS MISSING");
  EXPECT_EQ(p.operation, Operation::kScan);
  EXPECT_EQ(p.condition, "(#n0 = :v0 OR attribute_not_exists(#n1))");
  EXPECT_EQ(Planned("SELECT * FROM t").operation, Operation::kScan);
  EXPECT_EQ(Planned("SELECT * FROM t WHERE pk IN ['x', 'y'] OR a = 1").operation,
            Operation::kScan);
  EXPECT_EQ(Planned("SELECT * FROM t WHERE pk IN ['x', a]").operation, Operation::kScan);
}

TEST(PartiqlPlanTest, IsNullTestsTheNullTypeOnly) {
  Plan p = Planned("SELECT * FROM t WHERE a IS NULL");
  EXPECT_EQ(p.condition, "attribute_type(#n0, :v0)");
  EXPECT_EQ(p.values[0].second, "{\"S\":\"NULL\"}");
  EXPECT_EQ(Planned("SELECT * FROM t WHERE a IS NOT NULL").condition,
            "(NOT attribute_type(#n0, :v0))");
  EXPECT_EQ(Planned("SELECT * FROM t WHERE a IS MISSING").condition, "attribute_not_exists(#n0)");
  EXPECT_EQ(Planned("SELECT * FROM t WHERE a IS NOT MISSING").condition, "attribute_exists(#n0)");
}

TEST(PartiqlPlanTest, SeveralPartitionKeysAreAQueryEach) {
  Plan p = Planned("SELECT * FROM t WHERE pk IN ['a', 'b', 'a'] AND c = 1");
  EXPECT_EQ(p.operation, Operation::kQuery);
  EXPECT_TRUE(p.multi_key());
  EXPECT_EQ(p.key_placeholders, (std::vector<std::string>{":v0"}));
  EXPECT_EQ(p.key_reads, (std::vector<std::vector<std::string>>{{"{\"S\":\"a\"}"},
                                                                 {"{\"S\":\"b\"}"}}));
  EXPECT_EQ(p.key_condition, "#n0 = :v0");
  EXPECT_EQ(p.condition, "#n1 = :v1");
  Plan second = p.ForKeyRead(1);
  EXPECT_FALSE(second.multi_key());
  EXPECT_EQ(second.values[0], (std::pair<std::string, std::string>{":v0", "{\"S\":\"b\"}"}));
  EXPECT_EQ(second.values[1].second, "{\"N\":\"1\"}");

  Plan ors = Planned("SELECT * FROM t WHERE pk = 'a' OR 'b' = pk OR pk = ?", kHashOnly,
                     {{"S", "{\"S\":\"c\"}"}});
  EXPECT_EQ(ors.operation, Operation::kQuery);
  EXPECT_EQ(ors.key_reads.size(), 3u);
  EXPECT_EQ(ors.condition, "");

  // With ORDER BY, several sort keys stay a condition of each partition's Query.
  Plan ordered = Planned("SELECT * FROM t WHERE pk IN ('a', 'b') AND sk IN [1, 2] "
                         "ORDER BY sk DESC");
  EXPECT_EQ(ordered.key_condition, "#n0 = :v0");
  EXPECT_EQ(ordered.condition, "#n1 IN (:v1, :v2)");
  EXPECT_EQ(ordered.key_reads.size(), 2u);
  EXPECT_FALSE(ordered.scan_index_forward);
}

TEST(PartiqlPlanTest, SeveralWholeKeysAreAQueryEach) {
  Plan p = Planned("SELECT * FROM t WHERE pk IN ['a', 'b'] AND (sk = 1 OR sk = 2) AND c = 3");
  EXPECT_EQ(p.operation, Operation::kQuery);
  EXPECT_EQ(p.key_condition, "#n0 = :v0 AND #n1 = :v1");
  EXPECT_EQ(p.condition, "#n2 = :v2");
  EXPECT_EQ(p.key_placeholders, (std::vector<std::string>{":v0", ":v1"}));
  ASSERT_EQ(p.key_reads.size(), 4u);
  EXPECT_EQ(p.key_reads[1], (std::vector<std::string>{"{\"S\":\"a\"}", "{\"N\":\"2\"}"}));
  EXPECT_EQ(p.key_reads[2], (std::vector<std::string>{"{\"S\":\"b\"}", "{\"N\":\"1\"}"}));
  Plan last = p.ForKeyRead(3);
  EXPECT_EQ(last.values[0].second, "{\"S\":\"b\"}");
  EXPECT_EQ(last.values[1].second, "{\"N\":\"2\"}");
  EXPECT_EQ(last.values[2].second, "{\"N\":\"3\"}");

  Plan one_partition = Planned("SELECT * FROM t WHERE pk = 'a' AND sk IN [1, 2]");
  EXPECT_EQ(one_partition.key_reads.size(), 2u);
  EXPECT_EQ(one_partition.key_condition, "#n0 = :v0 AND #n1 = :v1");
  EXPECT_EQ(one_partition.condition, "");
  EXPECT_EQ(Planned("SELECT * FROM t WHERE pk = 'a' AND sk IN [1]").operation,
            Operation::kGetItem);
}

TEST(PartiqlPlanTest, OneValueInIsAnEquality) {
  Plan p = Planned("SELECT * FROM t WHERE pk IN ['a', 'a']", kHashOnly);
  EXPECT_EQ(p.operation, Operation::kGetItem);
  EXPECT_EQ(p.key, "{\"pk\":{\"S\":\"a\"}}");
  EXPECT_FALSE(p.multi_key());
}

TEST(PartiqlPlanTest, OrderByNeedsQueryOnTheSortKey) {
  EXPECT_EQ(PlanError("SELECT * FROM t ORDER BY sk"), kOrderByMessage);
  PlanError("SELECT * FROM t WHERE pk = 'a' ORDER BY other");
}

TEST(PartiqlPlanTest, ParametersBindInOrder) {
  std::vector<Parameter> params = {{"S", "{\"S\":\"x\"}"}, {"N", "{\"N\":\"5\"}"}};
  Plan p = Planned("SELECT * FROM t WHERE pk = ? AND sk = ?", kHashRange, params);
  EXPECT_EQ(p.key, "{\"pk\":{\"S\":\"x\"},\"sk\":{\"N\":\"5\"}}");
}

TEST(PartiqlPlanTest, ParameterCountMustMatch) {
  EXPECT_EQ(PlanError("SELECT * FROM t WHERE pk = ?"), kParameterCountMessage);
  EXPECT_EQ(PlanError("SELECT * FROM t", kHashRange, {{"S", "{\"S\":\"x\"}"}}),
            kParameterCountMessage);
}

TEST(PartiqlPlanTest, InsertIsConditionalPut) {
  std::vector<Parameter> params = {{"N", "{\"N\":\"1\"}"}};
  Plan p = Planned("INSERT INTO t VALUE {'pk': 'a', 'sk': ?, 's': <<1, 2>>, 'x': MISSING}",
                   kHashRange, params);
  EXPECT_EQ(p.operation, Operation::kPutItem);
  EXPECT_TRUE(p.insert);
  EXPECT_EQ(p.item, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"s\":{\"NS\":[\"1\",\"2\"]}}");
  EXPECT_EQ(p.condition, "attribute_not_exists(#n0)");
  PlanError("INSERT INTO t VALUE 'a'");
  PlanError("INSERT INTO t VALUE {'s': <<1, 'a'>>}");
}

TEST(PartiqlPlanTest, UpdateNeedsTheWholeKey) {
  Plan p = Planned(
      "UPDATE t SET a = a + 1, s = set_add(s, <<'x'>>), d = set_delete(d, <<'y'>>) REMOVE r "
      "WHERE pk = 'k' AND sk = 1 AND a < 5 RETURNING ALL NEW *");
  EXPECT_EQ(p.operation, Operation::kUpdateItem);
  EXPECT_EQ(p.key, "{\"pk\":{\"S\":\"k\"},\"sk\":{\"N\":\"1\"}}");
  EXPECT_EQ(p.update, "SET #n0 = #n0 + :v0 REMOVE #n3 ADD #n1 :v1 DELETE #n2 :v2");
  EXPECT_EQ(p.condition, "attribute_exists(#n4) AND (#n0 < :v3)");
  EXPECT_EQ(p.return_values, "ALL_NEW");
  EXPECT_EQ(PlanError("UPDATE t SET a = 1 WHERE pk = 'k'"), kKeyEqualityMessage);
  EXPECT_EQ(PlanError("UPDATE t SET a = 1 WHERE pk = 'k' OR sk = 1"), kKeyEqualityMessage);
  EXPECT_EQ(PlanError("UPDATE t SET a = set_add(b, <<1>>) WHERE pk = 'k' AND sk = 1"),
            "set_add must take the attribute being set as its first argument");
  EXPECT_EQ(PlanError("UPDATE t SET a = a + 1 + 2 WHERE pk = 'k' AND sk = 1"),
            kArithmeticMessage);
}

TEST(PartiqlPlanTest, DeleteAndExists) {
  Plan d = Planned("DELETE FROM t WHERE pk = 'k' RETURNING ALL OLD *", kHashOnly);
  EXPECT_EQ(d.operation, Operation::kDeleteItem);
  EXPECT_EQ(d.condition, "");
  EXPECT_EQ(d.return_values, "ALL_OLD");
  Plan e = Planned("NOT EXISTS(SELECT * FROM t WHERE pk = 'k' AND a = 1)", kHashOnly);
  EXPECT_EQ(e.operation, Operation::kConditionCheck);
  EXPECT_EQ(e.condition, "NOT (attribute_exists(#n0) AND (#n1 = :v0))");
  EXPECT_EQ(PlanError("EXISTS(SELECT * FROM t WHERE a = 1)", kHashOnly), kKeyEqualityMessage);
}

}  // namespace
}  // namespace cairn::partiql
