// Lexer: splits an expression string into tokens for the parser (expr/parser.h).
// Token kinds follow DynamoDB's expression language: identifiers ([A-Za-z_][A-Za-z0-9_]*), which
// the parser reads as keywords (AND, OR, NOT, BETWEEN, IN, SET, REMOVE, ADD, DELETE;
// case-insensitive), function names or attribute names; "#name" and ":value" placeholders; unsigned
// integer literals (list indexes only); punctuation and comparators. A character that starts no
// token is one kInvalid token, so the parser reports it as DynamoDB does: as a syntax error at that
// token. Invariants: the token vector always ends with exactly one kEof token; token offsets index
// the original text. Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace cairn::expr {

enum class TokenKind : uint8_t {
  kIdentifier,
  kNameRef,   // #name
  kValueRef,  // :value
  kNumber,    // 123
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kPlus,
  kMinus,
  kInvalid,  // a character that starts no token
  kEof,
};

struct Token {
  TokenKind kind = TokenKind::kEof;
  uint32_t begin = 0;  // byte offsets into the expression text
  uint32_t end = 0;

  std::string_view Text(std::string_view source) const { return source.substr(begin, end - begin); }
};

// REQUIRES: text.size() < 2^32 (expressions are limited to 4 KB before lexing).
std::vector<Token> Lex(std::string_view text);

// Case-insensitive comparison of an identifier with an upper-case keyword.
bool EqualsKeyword(std::string_view identifier, std::string_view upper_keyword);

}  // namespace cairn::expr
