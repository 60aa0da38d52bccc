// The PartiQL lexer (partiql/lexer.h): token kinds, quote escapes, positions, comments and the
// single kInvalid token for a character that starts no token.
#include "partiql/lexer.h"

#include <gtest/gtest.h>

namespace cairn::partiql {
namespace {

TEST(PartiqlLexerTest, KindsTextAndPositions) {
  std::vector<Token> t = Lex("SELECT \"a\"\"b\", 'it''s' FROM x\n  WHERE n >= -1.5e3 AND p = ?");
  ASSERT_EQ(t.size(), 16u);
  EXPECT_EQ(t[0].kind, TokenKind::kIdentifier);
  EXPECT_EQ(t[1].kind, TokenKind::kQuotedIdentifier);
  EXPECT_EQ(t[1].text, "a\"b");
  EXPECT_EQ(t[3].kind, TokenKind::kString);
  EXPECT_EQ(t[3].text, "it's");
  EXPECT_EQ(t[6].text, "WHERE");
  EXPECT_EQ(t[6].line, 2);
  EXPECT_EQ(t[6].column, 3);
  EXPECT_EQ(t[8].text, ">=");
  EXPECT_EQ(t[9].text, "-");
  EXPECT_EQ(t[10].kind, TokenKind::kNumber);
  EXPECT_EQ(t[10].text, "1.5e3");
  EXPECT_EQ(t[14].kind, TokenKind::kParameter);
  EXPECT_EQ(t[15].kind, TokenKind::kEof);
}

TEST(PartiqlLexerTest, SetBracketsAndComments) {
  std::vector<Token> t = Lex("<<1>> -- a comment\n<> !=");
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[0].text, "<<");
  EXPECT_EQ(t[2].text, ">>");
  EXPECT_EQ(t[3].text, "<>");
  EXPECT_EQ(t[4].text, "!=");
}

TEST(PartiqlLexerTest, InvalidCharacterAndUnterminatedQuote) {
  std::vector<Token> t = Lex("a # b");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[1].kind, TokenKind::kInvalid);
  EXPECT_EQ(t[1].text, "#");
  EXPECT_EQ(t[1].column, 3);
  t = Lex("x = 'open");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[2].kind, TokenKind::kInvalid);
  EXPECT_EQ(t[3].kind, TokenKind::kEof);
}

}  // namespace
}  // namespace cairn::partiql
