// The PartiQL parser (partiql/parser.h): every statement form of DynamoDB's dialect, literals and
// parameters, and syntax errors reported with the offending token and its position.
#include "partiql/parser.h"

#include <gtest/gtest.h>

#include <string>

namespace cairn::partiql {
namespace {

Statement Ok(std::string_view text) {
  Result<Statement> r = Parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
  return r.ok() ? r.value() : Statement{};
}

std::string Error(std::string_view text) {
  Result<Statement> r = Parse(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.status().message();
}

TEST(PartiqlParserTest, SelectStar) {
  Statement s = Ok("SELECT * FROM \"Music\"");
  EXPECT_EQ(s.kind, StatementKind::kSelect);
  EXPECT_EQ(s.table, "Music");
  EXPECT_TRUE(s.projection.empty());
  EXPECT_FALSE(s.where.has_value());
}

TEST(PartiqlParserTest, SelectProjectionWithNestedPathsAndIndex) {
  Statement s = Ok("select a, \"b\".c[1].d, e[0] from Music.\"ByArtist\" where a = 'x'");
  ASSERT_EQ(s.projection.size(), 3u);
  ASSERT_EQ(s.projection[1].size(), 4u);
  EXPECT_EQ(s.projection[1][0].name, "b");
  EXPECT_EQ(s.projection[1][1].name, "c");
  EXPECT_EQ(s.projection[1][2].index, 1);
  EXPECT_EQ(s.projection[1][3].name, "d");
  EXPECT_EQ(s.table, "Music");
  EXPECT_EQ(s.index, "ByArtist");
  ASSERT_TRUE(s.where);
  EXPECT_EQ(s.where->kind, ExprKind::kCompare);
}

TEST(PartiqlParserTest, WhereOperatorsAndPrecedence) {
  Statement s = Ok(
      "SELECT * FROM t WHERE a = 1 OR b <> 'x' AND NOT c < 2 AND (d <= 3 OR e >= 4) "
      "AND f BETWEEN 1 AND 5 AND g IN [1, 2] AND h IS MISSING AND i IS NOT NULL "
      "AND begins_with(j, 'p') AND contains(k, ?) AND attribute_type(l, 'S') AND size(m) > 2");
  ASSERT_TRUE(s.where);
  EXPECT_EQ(s.where->kind, ExprKind::kOr);  // OR binds loosest
  EXPECT_EQ(s.where->children[1].kind, ExprKind::kAnd);
  EXPECT_EQ(s.parameter_count, 1);
}

TEST(PartiqlParserTest, NotEqualsSpelledBothWays) {
  Statement s = Ok("SELECT * FROM t WHERE a != 1");
  EXPECT_EQ(s.where->text, "<>");
}

TEST(PartiqlParserTest, OrderByDescending) {
  Statement s = Ok("SELECT * FROM t WHERE pk = 1 ORDER BY sk DESC");
  ASSERT_TRUE(s.order_by);
  EXPECT_EQ((*s.order_by)[0].name, "sk");
  EXPECT_TRUE(s.descending);
}

TEST(PartiqlParserTest, InsertWithEveryLiteral) {
  Statement s = Ok(
      "INSERT INTO \"t\" VALUE {'pk': 'a', 'n': -1.5e3, 'b': true, 'z': NULL, "
      "'l': [1, 'x'], 'm': {'k': 'v'}, 'ss': <<'a', 'b'>>, 'p': ?, 'gone': MISSING}");
  EXPECT_EQ(s.kind, StatementKind::kInsert);
  ASSERT_TRUE(s.value);
  EXPECT_EQ(s.value->kind, ExprKind::kMap);
  ASSERT_EQ(s.value->keys.size(), 9u);
  EXPECT_EQ(s.value->children[0].text, "{\"S\":\"a\"}");
  EXPECT_EQ(s.value->children[1].text, "{\"N\":\"-1.5e3\"}");
  EXPECT_EQ(s.value->children[2].text, "{\"BOOL\":true}");
  EXPECT_EQ(s.value->children[3].text, "{\"NULL\":true}");
  EXPECT_EQ(s.value->children[6].kind, ExprKind::kSet);
  EXPECT_EQ(s.value->children[7].kind, ExprKind::kParameter);
  EXPECT_EQ(s.value->children[8].kind, ExprKind::kMissing);
  EXPECT_EQ(s.parameter_count, 1);
}

TEST(PartiqlParserTest, StringEscapes) {
  Statement s = Ok("SELECT * FROM \"a\"\"b\" WHERE x = 'it''s'");
  EXPECT_EQ(s.table, "a\"b");
  EXPECT_EQ(s.where->children[1].text, "{\"S\":\"it's\"}");
}

TEST(PartiqlParserTest, UpdateSetRemoveReturning) {
  Statement s = Ok(
      "UPDATE t SET a = a + 1, b = list_append(b, [1]), c = set_add(c, <<'x'>>), "
      "d = if_not_exists(d, 0) REMOVE e, f[2] SET g = 'x' WHERE pk = 'k' AND h > 0 "
      "RETURNING MODIFIED NEW *");
  EXPECT_EQ(s.kind, StatementKind::kUpdate);
  ASSERT_EQ(s.actions.size(), 7u);
  EXPECT_EQ(s.actions[0].value.kind, ExprKind::kArithmetic);
  EXPECT_EQ(s.actions[1].value.text, "list_append");
  EXPECT_EQ(s.actions[2].value.text, "set_add");
  EXPECT_TRUE(s.actions[4].remove);
  EXPECT_EQ(s.actions[5].path[1].index, 2);
  EXPECT_EQ(s.returning, Returning::kModifiedNew);
}

TEST(PartiqlParserTest, ReturningForms) {
  EXPECT_EQ(Ok("UPDATE t SET a = 1 WHERE pk = 1 RETURNING ALL OLD *").returning,
            Returning::kAllOld);
  EXPECT_EQ(Ok("UPDATE t SET a = 1 WHERE pk = 1 RETURNING MODIFIED OLD *").returning,
            Returning::kModifiedOld);
  EXPECT_EQ(Ok("UPDATE t SET a = 1 WHERE pk = 1 RETURNING ALL NEW *").returning,
            Returning::kAllNew);
  EXPECT_EQ(Ok("DELETE FROM t WHERE pk = 1 RETURNING ALL OLD *").returning, Returning::kAllOld);
}

TEST(PartiqlParserTest, DeleteAndExists) {
  Statement d = Ok("DELETE FROM \"t\" WHERE pk = ? AND sk = ?");
  EXPECT_EQ(d.kind, StatementKind::kDelete);
  EXPECT_EQ(d.parameter_count, 2);
  Statement e = Ok("EXISTS(SELECT * FROM t WHERE pk = 'a')");
  EXPECT_EQ(e.kind, StatementKind::kExists);
  EXPECT_FALSE(e.negated);
  Statement n = Ok("not exists (select * from t where pk = 'a')");
  EXPECT_EQ(n.kind, StatementKind::kExists);
  EXPECT_TRUE(n.negated);
}

TEST(PartiqlParserTest, SyntaxErrorsNameTokenAndPosition) {
  EXPECT_EQ(Error("SELECT * FORM t"),
            "Statement wasn't well formed, can't be processed: Expected FROM, found token "
            "'FORM' at line 1, column 10");
  EXPECT_EQ(Error("SELECT * FROM t WHERE"),
            "Statement wasn't well formed, can't be processed: Expected a value, found end of "
            "statement at line 1, column 22");
  EXPECT_EQ(Error("SELECT * FROM t\nWHERE a = = 1"),
            "Statement wasn't well formed, can't be processed: Expected a value, found token "
            "'=' at line 2, column 11");
  EXPECT_EQ(Error("DROP TABLE t"),
            "Statement wasn't well formed, can't be processed: Unexpected token 'DROP' at line "
            "1, column 1");
  EXPECT_EQ(Error("SELECT * FROM t WHERE a = 'open"),
            "Statement wasn't well formed, can't be processed: Expected a value, found invalid "
            "character ''' at line 1, column 27");
  EXPECT_EQ(Error("SELECT * FROM t extra"),
            "Statement wasn't well formed, can't be processed: Unexpected token 'extra' at line "
            "1, column 17");
}

TEST(PartiqlParserTest, AFromSourceThatIsNoTableName) {
  const std::string msg = "Statement wasn't well formed, can't be processed: Unexpected from source";
  EXPECT_EQ(Error("SELECT * FROM my-table"), msg);
  EXPECT_EQ(Error("SELECT * FROM 'music'"), msg);
  EXPECT_EQ(Error("SELECT * FROM t[0]"), msg);
  EXPECT_EQ(Error("INSERT INTO 1 VALUE {'a': 1}"), msg);
  EXPECT_EQ(Error("DELETE FROM a+b WHERE pk = 1"), msg);
  EXPECT_EQ(Error("UPDATE ? SET a = 1 WHERE pk = 1"), msg);
  EXPECT_EQ(Error("SELECT * FROM"),
            "Statement wasn't well formed, can't be processed: Expected a table name, found end "
            "of statement at line 1, column 14");
  EXPECT_EQ(Ok("SELECT * FROM \"my-table\".\"my-index\"").index, "my-index");
  EXPECT_EQ(Ok("EXISTS(SELECT * FROM t WHERE pk = 1)").table, "t");
}

TEST(PartiqlParserTest, RejectsUnsupportedForms) {
  Error("SELECT count(*) FROM t");
  Error("INSERT INTO t VALUES ('a')");
  Error("INSERT INTO t VALUE 'a' WHERE");
  Error("UPDATE t WHERE pk = 1");
  Error("UPDATE t SET a = 1");
  Error("DELETE FROM t");
  Error("SELECT * FROM t WHERE foo(a)");
  Error("SELECT * FROM t WHERE a IS EMPTY");
  Error("SELECT * FROM t WHERE a[x] = 1");
  Error("SELECT * FROM t WHERE a = 1 RETURNING ALL OLD *");
  Error("DELETE FROM t WHERE a = 1 RETURNING ALL *");
  Error("SELECT * FROM t WHERE a = #");
  Error("");
}

TEST(PartiqlParserTest, BoundsNesting) {
  std::string deep = "SELECT * FROM t WHERE " + std::string(300, '(') + "a = 1" +
                     std::string(300, ')');
  EXPECT_NE(Error(deep).find("Nesting deeper than 256 levels"), std::string::npos);
  std::string ok = "SELECT * FROM t WHERE " + std::string(100, '(') + "a = 1" +
                   std::string(100, ')');
  Ok(ok);
}

}  // namespace
}  // namespace cairn::partiql
