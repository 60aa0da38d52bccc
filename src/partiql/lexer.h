// Lexer: splits a PartiQL statement (DynamoDB's dialect) into tokens for partiql/parser.h.
// Token kinds: bare identifiers (keywords are bare identifiers the parser recognises,
// case-insensitively), "quoted identifiers" ("" inside is a quote), 'string literals' ('' inside is
// a quote), unsigned numbers (digits, an optional fraction and exponent; the sign is the parser's),
// the parameter marker ?, and punctuation (<< >> <= >= <> != = < > ( ) [ ] { } , . : * + -).
// A character that starts no token, or an unterminated quote, is one kInvalid token, so the parser
// reports it as a syntax error at its position.
// Invariants: the token vector always ends with exactly one kEof token; line and column are
// 1-based positions in the statement. Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::partiql {

enum class TokenKind : uint8_t {
  kIdentifier,        // text: as written
  kQuotedIdentifier,  // text: without the quotes, "" unescaped
  kString,            // text: without the quotes, '' unescaped
  kNumber,            // text: as written
  kParameter,         // ?
  kPunctuation,       // text: the symbol
  kInvalid,           // text: the offending character(s)
  kEof,
};

struct Token {
  TokenKind kind;
  std::string text;
  int line = 1;
  int column = 1;
};

std::vector<Token> Lex(std::string_view statement);

}  // namespace cairn::partiql
