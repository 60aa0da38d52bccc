// Parser: DynamoDB's PartiQL dialect, by recursive descent, into a Statement (partiql/ast.h).
//
// Grammar (keywords case-insensitive; an identifier is bare or "quoted"):
//   statement := select | insert | update | delete | [NOT] EXISTS '(' select ')'
//   select    := SELECT ('*' | path {',' path}) FROM table ['.' index] [WHERE cond]
//                [ORDER BY path [ASC | DESC]]
//   insert    := INSERT INTO table VALUE value
//   update    := UPDATE table (SET path '=' setvalue {',' path '=' setvalue} | REMOVE path
//                {',' path})... WHERE cond [RETURNING (ALL | MODIFIED) (OLD | NEW) '*']
//   delete    := DELETE FROM table WHERE cond [RETURNING ALL OLD '*']
//   cond      := cond OR cond | cond AND cond | NOT cond | '(' cond ')'
//              | operand (= | <> | != | < | <= | > | >=) operand
//              | operand [NOT] BETWEEN operand AND operand | operand [NOT] IN ('(' | '[') value,... (')' | ']')
//              | operand IS [NOT] (MISSING | NULL)
//              | begins_with(operand, operand) | contains(operand, operand)
//              | attribute_type(operand, operand)
//   operand   := path | value | size(path)
//   setvalue  := term {('+' | '-') term};  term := operand | list_append(..) | set_add(..)
//              | set_delete(..) | if_not_exists(..) | '(' setvalue ')'
//   value     := 'string' | number | -number | TRUE | FALSE | NULL | MISSING | '?'
//              | '[' value,... ']' | '{' key ':' value,... '}' | '<<' value,... '>>'
//   path      := identifier {'.' identifier | '[' number ']'}
//
// Errors: a statement that does not follow the grammar is a Status::InvalidArgument whose message
// is DynamoDB's ValidationException text, "Statement wasn't well formed, can't be processed: ..."
// with the offending token and its line and column. Stateless and thread-safe.
#pragma once

#include <string_view>

#include "partiql/ast.h"
#include "util/status.h"

namespace cairn::partiql {

Result<Statement> Parse(std::string_view statement);

// The prefix of every syntax error's message.
inline constexpr std::string_view kSyntaxErrorPrefix =
    "Statement wasn't well formed, can't be processed: ";

}  // namespace cairn::partiql
