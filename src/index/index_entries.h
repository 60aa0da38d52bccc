// Index entries: how an item appears in a secondary index, and the batch operations that keep an
// index equal to its table on every write.
//
// Entry key (column `index`, docs/format.md "Index entries"):
//   index_id u32 BE | xxh3(partition bytes) u64 BE | len u16 BE | partition bytes |
//   sort-key encoding of each RANGE attribute | sort-key encoding of the table's key attributes
// where the partition bytes are the single HASH attribute's bytes (as for a table), or for several
// HASH attributes each one's bytes prefixed by its u16 BE length. The table key at the end makes
// entries unique and orders items with equal index keys by table key.
// Entry value: the projected item (types/binary_codec.h), which always holds the table's and the
// index's key attributes.
//
// Invariants: an item is in an index exactly when it has every index key attribute with the
// declared type, none empty, within DynamoDB's key size limits (storage/key_encoding.h) (sparse
// indexes). Writes refuse an item that has an index key attribute otherwise (api/item_keys.h), so
// only a GSI backfill meets one: it leaves the item out, as DynamoDB's backfill does; AddIndexUpdates() is called in the same WriteBatch as the item
// write, under the item's lock, so an acknowledged write never leaves the index behind the table.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "storage/catalog.h"
#include "storage/engine.h"
#include "types/attribute_value.h"

namespace cairn::index {

// True when `item` has every key attribute of `x` with its declared type, none an empty S or B,
// each HASH attribute within kMaxPartitionKeyBytes and the RANGE attributes within
// kMaxSortKeyBytes together.
bool IsIndexed(const storage::IndexInfo& x, const Item& item);

// The partition prefix of an index: everything before the RANGE attributes.
// `hash_values` are the HASH attributes' values, in KeySchema order.
std::string PartitionPrefix(const storage::IndexInfo& x,
                            const std::vector<const AttributeValue*>& hash_values);

// The entry key of `item`. REQUIRES: IsIndexed(x, item) and the item has the table's key.
void AppendEntryKey(std::string* out, const storage::IndexInfo& x, const storage::TableInfo& t,
                    const Item& item);

// The attributes an entry keeps: everything (ALL), or the table's and index's keys plus the
// NonKeyAttributes (INCLUDE).
Item Project(const storage::IndexInfo& x, const storage::TableInfo& t, const Item& item);
// True when the index keeps `attr` for every item.
bool Projects(const storage::IndexInfo& x, const storage::TableInfo& t, std::string_view attr);

// Adds to `batch` what a change from `old_item` to `new_item` (either may be null) means for every
// index of `t`: delete the old entry, put the new one (skipped when both are the same).
void AddIndexUpdates(const storage::TableInfo& t, const Item* old_item, const Item* new_item,
                     storage::WriteBatch* batch);
// The same for one index `x` of `t` alone (the backfill of a new index).
void AddIndexUpdate(const storage::IndexInfo& x, const storage::TableInfo& t,
                    const Item* old_item, const Item* new_item, storage::WriteBatch* batch);

}  // namespace cairn::index
