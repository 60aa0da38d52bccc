// Item keys: checking the key attributes a request names against the table's KeySchema, with
// DynamoDB's messages, and turning a key into the storage key (storage/key_encoding.h).
#pragma once

#include <string>

#include "expr/ast.h"
#include "storage/catalog.h"
#include "types/attribute_value.h"

namespace cairn::api {

// PutItem's rule for a whole item: every key attribute present, of the declared type, and not an
// empty string or binary. Throws ValidationException:
//   "One or more parameter values were invalid: Missing the key <k> in the item"
//   "One or more parameter values were invalid: Type mismatch for key <k> expected: N actual: S"
//   "One or more parameter values are not valid. The AttributeValue for a key attribute cannot
//    contain an empty string value. Key: <k>"
//   "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size
//    limit of2048 bytes"  (an S or B partition key longer than 2048 bytes; DynamoDB's spacing)
//   "One or more parameter values were invalid: Aggregated size of all range keys has exceeded
//    the size limit of 1024 bytes"  (an S or B sort key longer than 1024 bytes)
void CheckItemKey(const storage::TableInfo& table, const Item& item);

// The rule for an item's attribute names (PutItem, BatchWriteItem, TransactWriteItems Put, the
// result of an update): none empty. Throws ValidationException:
//   "One or more parameter values were invalid: An attribute name cannot be empty"
// NOT VERIFIED: this text is not found in the repository or its references. The 64 KB limit on
// a name (65535 bytes) is the service model's constraint on the map keys, DynamoDB's
// "1 validation error detected" form, checked before the operation runs (AttributeUpdates) or
// not yet (Item, Key): see issue 14. Key attribute names are at most 255 bytes by CreateTable.
void CheckAttributeNames(const Item& item);

// The rule for a Key parameter (GetItem, UpdateItem, DeleteItem): exactly the key attributes.
// Throws "The provided key element does not match the schema" for a missing, extra or mistyped
// attribute, and the empty-value and key-size messages above.
void CheckKey(const storage::TableInfo& table, const Item& key);

// The rule for an item's index key attributes: where the item has one, it must be of the declared
// type and not empty. Throws ValidationException:
//   "One or more parameter values were invalid: Type mismatch for Index Key <k> Expected: S
//    Actual: N IndexName: <index>"
//   "One or more parameter values are not valid. A value specified for a secondary index key is
//    not supported. The AttributeValue for a key attribute cannot contain an empty string value.
//    IndexName: <index>, IndexKey: <k>"
//   the key-size messages above, for an index partition key attribute over 2048 bytes or index
//   sort key attributes over 1024 bytes together (DynamoDB's own texts for index keys are not
//   known here).
void CheckIndexKeys(const storage::TableInfo& table, const Item& item);

// Everything a whole item to be written is checked against (PutItem, a BatchWriteItem PutRequest,
// a TransactWriteItems Put): CheckItemKey, CheckAttributeNames, CheckIndexKeys, then its size
// ("Item size has exceeded the maximum allowed size", over 400 KB).
void CheckItemToPut(const storage::TableInfo& table, const Item& item);

// UpdateItem's and a TransactWriteItems Update's rule: no action of the update may name a key
// attribute of the table at its top level. Throws ValidationException for the first that does,
// in the expression's order: "One or more parameter values were invalid: Cannot update attribute
// <name>. This attribute is part of the key".
void CheckUpdateLeavesKey(const storage::TableInfo& table, const expr::UpdateExpr& update);

// The storage key of the item with these key attributes. REQUIRES: CheckKey or CheckItemKey passed.
std::string EncodeItemKey(const storage::TableInfo& table, const Item& item);
void AppendItemKey(std::string* out, const storage::TableInfo& table, const Item& item);

// The item's key attributes alone (for LastEvaluatedKey).
Item KeyOf(const storage::TableInfo& table, const Item& item);

}  // namespace cairn::api
