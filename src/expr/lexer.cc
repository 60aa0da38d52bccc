// Lexer for DynamoDB expressions; see lexer.h.
#include "expr/lexer.h"

namespace cairn::expr {
namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentPart(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

bool EqualsKeyword(std::string_view identifier, std::string_view upper_keyword) {
  if (identifier.size() != upper_keyword.size()) return false;
  for (size_t i = 0; i < identifier.size(); ++i) {
    char c = identifier[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper_keyword[i]) return false;
  }
  return true;
}

std::vector<Token> Lex(std::string_view text) {
  std::vector<Token> tokens;
  tokens.reserve(text.size() / 3 + 2);
  const size_t n = text.size();
  size_t i = 0;
  auto emit = [&](TokenKind kind, size_t begin, size_t end) {
    tokens.push_back(Token{kind, static_cast<uint32_t>(begin), static_cast<uint32_t>(end)});
  };
  while (i < n) {
    char c = text[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    size_t start = i;
    if (IsIdentStart(c)) {
      while (i < n && IsIdentPart(text[i])) ++i;
      emit(TokenKind::kIdentifier, start, i);
      continue;
    }
    if (IsDigit(c)) {
      while (i < n && IsDigit(text[i])) ++i;
      emit(TokenKind::kNumber, start, i);
      continue;
    }
    if (c == '#' || c == ':') {
      ++i;
      while (i < n && IsIdentPart(text[i])) ++i;
      if (i == start + 1) {
        emit(TokenKind::kInvalid, start, i);
      } else {
        emit(c == '#' ? TokenKind::kNameRef : TokenKind::kValueRef, start, i);
      }
      continue;
    }
    ++i;
    TokenKind kind = TokenKind::kInvalid;
    switch (c) {
      case '(':
        kind = TokenKind::kLParen;
        break;
      case ')':
        kind = TokenKind::kRParen;
        break;
      case '[':
        kind = TokenKind::kLBracket;
        break;
      case ']':
        kind = TokenKind::kRBracket;
        break;
      case ',':
        kind = TokenKind::kComma;
        break;
      case '.':
        kind = TokenKind::kDot;
        break;
      case '=':
        kind = TokenKind::kEq;
        break;
      case '+':
        kind = TokenKind::kPlus;
        break;
      case '-':
        kind = TokenKind::kMinus;
        break;
      case '<':
        if (i < n && text[i] == '=') {
          ++i;
          kind = TokenKind::kLe;
        } else if (i < n && text[i] == '>') {
          ++i;
          kind = TokenKind::kNe;
        } else {
          kind = TokenKind::kLt;
        }
        break;
      case '>':
        if (i < n && text[i] == '=') {
          ++i;
          kind = TokenKind::kGe;
        } else {
          kind = TokenKind::kGt;
        }
        break;
      default:
        // One whole UTF-8 character, so the error message quotes a printable token.
        if (static_cast<unsigned char>(c) >= 0xC0) {
          while (i < n && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
        }
        break;
    }
    emit(kind, start, i);
  }
  emit(TokenKind::kEof, n, n);
  return tokens;
}

}  // namespace cairn::expr
