// ItemCollectionMetrics: for a table with local secondary indexes, the size of an item collection
// (the items sharing one partition key value, with their LSI entries), which writes return when
// ReturnItemCollectionMetrics is SIZE. DynamoDB returns an estimate as a range in gigabytes;
// Cairn measures the collection and returns [floor(GB), floor(GB) + 1].
// Tables without LSIs return no metrics, as in DynamoDB.
#pragma once

#include <vector>

#include "api/context.h"
#include "storage/catalog.h"
#include "types/attribute_value.h"

namespace cairn::api {

// True when metrics were asked for (ReturnItemCollectionMetrics SIZE) and the table has an LSI.
bool WantsItemCollectionMetrics(const Params& p, const storage::TableInfo& table);

// Writes {"ItemCollectionKey": {<hash>: v}, "SizeEstimateRangeGB": [lo, hi]} for the collection of
// `item`'s partition key.
void WriteItemCollectionMetrics(JsonWriter& w, ServerContext& server,
                                const storage::TableInfo& table, const Item& item);

// The multi-item form (BatchWriteItem, TransactWriteItems): "ItemCollectionMetrics": {table:
// [one entry per item collection written]}, written only when some table wants metrics.
// `written` lists (table, an item or key of the collection) for every item written.
void WriteItemCollectionMetricsByTable(
    JsonWriter& w, ServerContext& server, const Params& p,
    const std::vector<std::pair<const storage::TableInfo*, const Item*>>& written);

}  // namespace cairn::api
