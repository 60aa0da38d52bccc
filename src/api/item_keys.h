// Item keys: checking the key attributes a request names against the table's KeySchema, with
// DynamoDB's messages, and turning a key into the storage key (storage/key_encoding.h).
#pragma once

#include <string>

#include "storage/catalog.h"
#include "types/attribute_value.h"

namespace cairn::api {

// PutItem's rule for a whole item: every key attribute present, of the declared type, and not an
// empty string or binary. Throws ValidationException:
//   "One or more parameter values were invalid: Missing the key <k> in the item"
//   "One or more parameter values were invalid: Type mismatch for key <k> expected: N actual: S"
//   "One or more parameter values are not valid. The AttributeValue for a key attribute cannot
//    contain an empty string value. Key: <k>"
void CheckItemKey(const storage::TableInfo& table, const Item& item);

// The rule for a Key parameter (GetItem, UpdateItem, DeleteItem): exactly the key attributes.
// Throws "The provided key element does not match the schema" for a missing, extra or mistyped
// attribute, and the empty-value message above.
void CheckKey(const storage::TableInfo& table, const Item& key);

// The rule for an item's index key attributes: where the item has one, it must be of the declared
// type and not empty. Throws ValidationException:
//   "One or more parameter values were invalid: Type mismatch for Index Key <k> Expected: S
//    Actual: N IndexName: <index>"
//   "One or more parameter values are not valid. A value specified for a secondary index key is
//    not supported. The AttributeValue for a key attribute cannot contain an empty string value.
//    IndexName: <index>, IndexKey: <k>"
void CheckIndexKeys(const storage::TableInfo& table, const Item& item);

// The storage key of the item with these key attributes. REQUIRES: CheckKey or CheckItemKey passed.
std::string EncodeItemKey(const storage::TableInfo& table, const Item& item);
void AppendItemKey(std::string* out, const storage::TableInfo& table, const Item& item);

// The item's key attributes alone (for LastEvaluatedKey).
Item KeyOf(const storage::TableInfo& table, const Item& item);

}  // namespace cairn::api
