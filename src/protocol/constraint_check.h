// The constraint check: DynamoDB's request validation, as far as the service model describes it.
//
// After the shape check (protocol/shape_check.h) has found every value of the right JSON type,
// DynamoDB checks the request against the constraints of its input shape (protocol/
// service_model.h) and answers ONE ValidationException listing every violation, before any
// semantic check and before it looks a table up. CheckConstraints() does that: it returns the
// ValidationException, or nullopt when the request satisfies the model.
//
// The rules, and where they come from. The oracle is what Cairn's hand-written checks
// (api/params.cc Violations, CheckTableName, CheckEnum; api/*_ops.cc) and the integration tests
// pin, both written from DynamoDB's observed answers (test_errors.py, test_transactions.py,
// test_streams_paging.py, test_scan.py, test_query.py, test_ttl.py, test_table_settings.py, ...):
// - Message: "1 validation error detected: V" or "N validation errors detected: V1; V2; ...";
//   each V is "Value <value> at '<path>' failed to satisfy constraint: <constraint>".
// - What is checked, per value: a required member that is absent or JSON null ("Value null ...
//   Member must not be null"); a string's length ("Member must have length less than or equal
//   to N", "... greater than or equal to N", in UTF-16 code units as Java counts), its pattern
//   ("Member must satisfy regular expression pattern: P"), its enum ("Member must satisfy enum
//   value set: [A, B, C]", in the model's order); a list's or map's size (also "Member must have
//   length ...", as DynamoDB words it for collections); an integer's or long's value ("Member must
//   have value less than or equal to N", "... greater than or equal to N").
// - Order: members in the model's order, depth first (a structure's members, a list's entries, a
//   map's entries in the request's order); within one value: max length, min length, pattern
//   (CheckTableName, and DynamoDB's "Map keys" list below), then enum; a value's own constraints
//   before the values inside it. DynamoDB's own order between members is not stable (it is not
//   pinned by any test beyond "contains"); this one is deterministic.
// - Paths: a member's name with its first letter in lower case ("tableName", "sSESpecification"),
//   joined by '.'; a list entry is "<list>.<n>.member", n counting from 1
//   ("transactItems.2.member.update.key"); a map value is "<map>.<key>.member"
//   ("requestItems.T.member.keys").
// - Values: a string as 'text' (not escaped), a number as '5', an absent value as null, a list as
//   '[]' when empty, else '[...]'; a map as '{}' when empty, else '{...}' (the hand-written checks'
//   rendering; DynamoDB's full rendering of a non-empty collection is NOT SURE).
// - Map keys: a key that breaks any constraint of the key shape is "Value '<key>' at '<map>'
//   failed to satisfy constraint: Map keys must satisfy constraint: [C1, C2, ...]", listing ALL the
//   key shape's constraints (max, min, pattern), whichever failed (test_boto2_layer1.py, from
//   DynamoDB). A map value that is not a structure and breaks a constraint of its shape is
//   "Value '{<key>=<value>}' at '<map>' failed to satisfy constraint: Map value must satisfy
//   constraint: [C1, ...]" (the form test_batch.py quotes; NOT SURE).
// - Cap: none. No oracle pins one (the hand-written Violations lists every violation); NOT SURE
//   whether DynamoDB lists at most some number.
// - Not descended into: attribute values and maps of them (Item, Key, ExpressionAttributeValues:
//   the attribute-value codec and the operations check those, with their own messages), and
//   structures deeper than kMaxDepth.
// - Patterns: only the form "[class]+" or "[class]*" (the only form the served operations use:
//   TableName, IndexName); a member with another pattern is not pattern-checked.
// - Exceptions, where DynamoDB evidently does not apply the 2022 model's constraint as written:
//   constraint_check.cc: TableName members that accept a table ARN (max 1024; the name part
//   checked), and kExceptions (GSI KeySchema max, KeysAndAttributes.Keys max,
//   UpdateGlobalSecondaryIndexAction.ProvisionedThroughput required), each with its reason.
//
// Allocation-free when the request satisfies the model; strings are built only for violations.
// Stateless: safe from any thread.
#pragma once

#include <simdjson.h>

#include <optional>

#include "protocol/errors.h"
#include "protocol/service_model.h"

namespace cairn::protocol {

// Returns the ValidationException listing every constraint violation of `value` against
// `input` (an operation's input shape), or nullopt. REQUIRES: CheckShape(input, value) passed.
std::optional<ApiError> CheckConstraints(const Shape& input, simdjson::dom::element value);

}  // namespace cairn::protocol
