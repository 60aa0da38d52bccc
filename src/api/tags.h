// Tags: DynamoDB's rules for the tags of a table, shared by CreateTable (its Tags member) and
// TagResource, UntagResource and ListTagsOfResource (tag_ops.cc).
//
// What the service model already checks, before an operation runs (protocol/constraint_check.h):
// Key and Value required in each Tag, a key of 1..128 and a value of 0..256 characters, counted as
// Java's String.length() counts them (UTF-16 code units: a character outside the Basic
// Multilingual Plane counts two). Nothing here counts lengths again.
// What DynamoDB checks besides, and this file does:
// - the characters: letters, numbers and white space (Unicode categories L, N and Z) and
//   _ . : / = + - @, AWS's tag pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ (the Developer Guide's
//   "Tagging restrictions"). Letters and numbers outside ASCII are told by the C library's
//   C.UTF-8 classification (iswalnum_l), which follows Unicode's categories closely but not
//   exactly (glibc counts a few marks as letters);
// - at most 50 tags on a resource, those given at CreateTable included, counted after a
//   TagResource's tags have replaced the values of the keys the table already has;
// - a resource ARN names a table: "arn:...:table/<name>" with nothing after the name (an index's
//   ARN, ".../table/<name>/index/<index>", is refused as DynamoDB refuses it).
// Stateless; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/params.h"

namespace cairn::api {

using TagList = std::vector<std::pair<std::string, std::string>>;

inline constexpr size_t kMaxTagsPerResource = 50;
// ListTagsOfResource's page: the tags after the NextToken, in key order, at most this many.
inline constexpr size_t kTagsPerPage = 10;

// The Tags list of a CreateTable or TagResource request, checked: every key and value of DynamoDB's
// characters (throws ValidationException "One or more parameter values were invalid: Tag key
// contains invalid characters: <key>" or "... Tag value contains invalid characters: <value>").
// A key given twice keeps its last value. REQUIRES: the model's constraints were checked.
TagList DecodeTags(simdjson::dom::array tags);

// `current` with `add` applied (an existing key takes the new value), or the ValidationException
// "One or more parameter values were invalid: The number of tags exceeds the limit of 50" when the
// result would have more than kMaxTagsPerResource tags (then `current` is unchanged).
std::optional<ApiError> AddTags(TagList& current, const TagList& add);

// True when `arn` is a table's ARN ("arn:<partition>:dynamodb:<region>:<account>:table/<name>",
// nothing after the name); TableNameFromParameter() then gives the name.
bool IsTableArn(std::string_view arn);

// ListTagsOfResource's NextToken: the position after `last_key` (an opaque string), and back.
// ParseTagsNextToken throws ValidationException "Invalid NextToken: <token>" for a string that no
// ListTagsOfResource answer could have held.
std::string TagsNextToken(std::string_view last_key);
std::string ParseTagsNextToken(std::string_view token);

}  // namespace cairn::api
