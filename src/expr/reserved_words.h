// DynamoDB's reserved words: names that may not appear literally as attribute names in an
// expression (they must be written through an ExpressionAttributeNames placeholder "#n").
// DynamoDB rejects them case-insensitively: "Invalid ConditionExpression: Attribute name is a
// reserved keyword; reserved keyword: name".
// The list is DynamoDB's published one (573 words), immutable; safe to call from any thread.
#pragma once

#include <span>
#include <string_view>

namespace cairn::expr {

// True if `word` is a reserved word, compared case-insensitively.
bool IsReservedWord(std::string_view word);

// The whole list, upper case, sorted (for tests).
std::span<const std::string_view> ReservedWords();

}  // namespace cairn::expr
