// See lexer.h.
#include "partiql/lexer.h"

#include <cctype>

namespace cairn::partiql {
namespace {

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}
bool IsIdentPart(char c) {
  return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c));
}
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::vector<Token> Lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  int line = 1;
  size_t line_start = 0;
  auto column = [&](size_t at) { return static_cast<int>(at - line_start) + 1; };
  while (i < s.size()) {
    char c = s[i];
    if (c == '\n') {
      ++i;
      ++line;
      line_start = i;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {  // a comment, to the end of the line
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    Token t{TokenKind::kInvalid, "", line, column(i)};
    if (IsIdentStart(c)) {
      size_t j = i;
      while (j < s.size() && IsIdentPart(s[j])) ++j;
      t.kind = TokenKind::kIdentifier;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (c == '"' || c == '\'') {
      size_t j = i + 1;
      bool closed = false;
      std::string text;
      while (j < s.size()) {
        if (s[j] == c) {
          if (j + 1 < s.size() && s[j + 1] == c) {
            text.push_back(c);
            j += 2;
            continue;
          }
          closed = true;
          ++j;
          break;
        }
        if (s[j] == '\n') {
          ++line;
          line_start = j + 1;
        }
        text.push_back(s[j++]);
      }
      if (closed) {
        t.kind = c == '"' ? TokenKind::kQuotedIdentifier : TokenKind::kString;
        t.text = std::move(text);
      } else {
        t.text = std::string(1, c);
      }
      i = closed ? j : s.size();
    } else if (IsDigit(c) || (c == '.' && i + 1 < s.size() && IsDigit(s[i + 1]))) {
      size_t j = i;
      while (j < s.size() && IsDigit(s[j])) ++j;
      if (j < s.size() && s[j] == '.') {
        ++j;
        while (j < s.size() && IsDigit(s[j])) ++j;
      }
      if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < s.size() && IsDigit(s[k])) {
          while (k < s.size() && IsDigit(s[k])) ++k;
          j = k;
        }
      }
      t.kind = TokenKind::kNumber;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (c == '?') {
      t.kind = TokenKind::kParameter;
      t.text = "?";
      ++i;
    } else {
      static constexpr std::string_view kTwo[] = {"<<", ">>", "<=", ">=", "<>", "!="};
      static constexpr std::string_view kOne = "=<>()[]{},.:*+-";
      std::string_view rest = s.substr(i);
      for (std::string_view p : kTwo) {
        if (rest.substr(0, 2) == p) {
          t.kind = TokenKind::kPunctuation;
          t.text = std::string(p);
          break;
        }
      }
      if (t.kind != TokenKind::kPunctuation && kOne.find(c) != std::string_view::npos) {
        t.kind = TokenKind::kPunctuation;
        t.text = std::string(1, c);
      }
      if (t.kind != TokenKind::kPunctuation) t.text = std::string(1, c);
      i += t.kind == TokenKind::kPunctuation ? t.text.size() : 1;
    }
    out.push_back(std::move(t));
    if (out.back().kind == TokenKind::kInvalid) break;
  }
  out.push_back(Token{TokenKind::kEof, "", line, column(i)});
  return out;
}

}  // namespace cairn::partiql
