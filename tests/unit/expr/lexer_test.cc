// Tokens of the expression language and DynamoDB's reserved-word list.
#include "expr/lexer.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "expr/reserved_words.h"

namespace cairn::expr {
namespace {

std::vector<TokenKind> Kinds(std::string_view text) {
  std::vector<TokenKind> out;
  for (const Token& t : Lex(text)) out.push_back(t.kind);
  return out;
}

TEST(LexerTest, AllTokenKinds) {
  using K = TokenKind;
  EXPECT_EQ(Kinds("a_1 #n1 :v_2 12 ( ) [ ] , . = <> < <= > >= + - @"),
            (std::vector<K>{K::kIdentifier, K::kNameRef,  K::kValueRef, K::kNumber,  K::kLParen,
                            K::kRParen,     K::kLBracket, K::kRBracket, K::kComma,   K::kDot,
                            K::kEq,         K::kNe,       K::kLt,       K::kLe,      K::kGt,
                            K::kGe,         K::kPlus,     K::kMinus,    K::kInvalid, K::kEof}));
}

TEST(LexerTest, OffsetsAndWhitespace) {
  std::string_view text = " a.b[10]\t<>\n:x ";
  std::vector<Token> tokens = Lex(text);
  ASSERT_EQ(tokens.size(), 9u);
  EXPECT_EQ(tokens[0].Text(text), "a");
  EXPECT_EQ(tokens[4].Text(text), "10");
  EXPECT_EQ(tokens[6].Text(text), "<>");
  EXPECT_EQ(tokens[7].Text(text), ":x");
  EXPECT_EQ(tokens[8].kind, TokenKind::kEof);
  EXPECT_EQ(tokens[8].begin, text.size());
}

TEST(LexerTest, LoneSigilsAndMultiByteCharactersAreSingleInvalidTokens) {
  std::string_view text = "# : \xc3\xa9";
  std::vector<Token> tokens = Lex(text);
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[0].kind, TokenKind::kInvalid);
  EXPECT_EQ(tokens[1].kind, TokenKind::kInvalid);
  EXPECT_EQ(tokens[2].kind, TokenKind::kInvalid);
  EXPECT_EQ(tokens[2].Text(text), "\xc3\xa9");
}

TEST(LexerTest, IdentifiersDoNotStartWithDigits) {
  std::string_view text = "1abc";
  std::vector<Token> tokens = Lex(text);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].Text(text), "1");
  EXPECT_EQ(tokens[1].Text(text), "abc");
}

TEST(LexerTest, KeywordsCompareCaseInsensitively) {
  EXPECT_TRUE(EqualsKeyword("and", "AND"));
  EXPECT_TRUE(EqualsKeyword("BeTwEeN", "BETWEEN"));
  EXPECT_FALSE(EqualsKeyword("ands", "AND"));
  EXPECT_FALSE(EqualsKeyword("an", "AND"));
}

TEST(ReservedWordsTest, ListIsDynamoDBs) {
  EXPECT_EQ(ReservedWords().size(), 573u);
  EXPECT_EQ(ReservedWords().front(), "ABORT");
  EXPECT_EQ(ReservedWords().back(), "ZONE");
  for (std::string_view w :
       {"name",    "NAME", "Status", "data",  "timestamp", "size",    "ttl",  "year",
        "date",    "user", "key",    "value", "count",     "comment", "hash", "range",
        "between", "in",   "set",    "add",   "delete",    "by",      "zone"}) {
    EXPECT_TRUE(IsReservedWord(w)) << w;
  }
  for (std::string_view w : {"id", "pk", "sk", "email", "price", "title", "a", "zones", "", "_",
                             "attribute_exists", "contains", "begins_with", "list_append"}) {
    EXPECT_FALSE(IsReservedWord(w)) << w;
  }
}

// The indexed lookup (first letter, lengths) against a linear case-blind search of the list, on
// every word in several cases and on near misses (a letter more, a letter less, another start).
TEST(ReservedWordsTest, LookupAgreesWithALinearSearch) {
  auto linear = [](std::string_view w) {
    for (std::string_view r : ReservedWords()) {
      if (r.size() != w.size()) continue;
      bool same = true;
      for (size_t i = 0; i < r.size() && same; ++i)
        same = std::toupper(static_cast<unsigned char>(w[i])) == r[i];
      if (same) return true;
    }
    return false;
  };
  size_t checked = 0;
  for (std::string_view r : ReservedWords()) {
    std::string lower(r), mixed(r);
    for (size_t i = 0; i < lower.size(); ++i) {
      lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[i])));
      if (i % 2) mixed[i] = lower[i];
    }
    for (const std::string& w :
         {std::string(r), lower, mixed, std::string(r) + "S", lower + "_", "x" + lower,
          std::string(r.substr(0, r.size() - 1)), std::string(r.substr(1)), "1" + lower}) {
      EXPECT_EQ(IsReservedWord(w), linear(w)) << w;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 573u * 9);
}

}  // namespace
}  // namespace cairn::expr
