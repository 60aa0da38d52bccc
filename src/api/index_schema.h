// Index schema: decoding and validating secondary-index definitions (CreateTable's
// LocalSecondaryIndexes and GlobalSecondaryIndexes, UpdateTable's GlobalSecondaryIndexUpdates
// Create), with DynamoDB's messages, and writing the index descriptions DescribeTable returns.
// Limits: 5 LSIs, 20 GSIs; an LSI has the table's HASH key and one RANGE key; a GSI has 1..4 HASH
// and 0..4 RANGE attributes (DynamoDB's multi-attribute keys); index names are 3..255 characters
// of [a-zA-Z0-9_.-].
#pragma once

#include <optional>
#include <vector>

#include "api/protocol_names.h"
#include "api/params.h"
#include "api/table_description.h"
#include "storage/catalog.h"

namespace cairn::api {

inline constexpr size_t kMaxLocalIndexes = 5;
inline constexpr size_t kMaxGlobalIndexes = 20;
inline constexpr size_t kMaxIndexKeyAttributes = 4;

// An index as the client described it, before its key types are resolved.
struct IndexDefinition {
  storage::IndexInfo info;  // name, global, projection, throughput (key types not yet set)
  std::vector<std::string> hash_names, range_names;
  // The KeySchema as given: (AttributeName, is HASH), in request order (ResolveIndexes checks it).
  std::vector<std::pair<std::string, bool>> key_schema;
  bool has_throughput = false;
  // A GSI's OnDemandThroughput and WarmThroughput, as requested (checked by ApplyIndexSettings).
  std::optional<ReadWriteRequest> on_demand;
  std::optional<ReadWriteRequest> warm;
};

// Decodes one index definition object. REQUIRES: the request passed the service model's checks
// (api/dispatch.h): its required members are there, its enums and ranges hold.
IndexDefinition DecodeIndexDefinition(simdjson::dom::object o, bool global);

// Checks the indexes of a table being created (or one GSI being added) and resolves their key
// types from `definitions`. Throws ValidationException. `table` has its keys and billing mode set.
// Each index is checked in the order dynalite (bench/node_modules/dynalite/validations/
// createTable.js) learned from DynamoDB for its key schema, then what multi-attribute GSI keys add:
//   1. "One or more parameter values were invalid: Some index key attributes are not defined in
//      AttributeDefinitions. Keys: [<the index's key attributes>], AttributeDefinitions: [<all>]"
//   2. a two-element schema naming one attribute twice: "Both the Hash Key and the Range Key
//      element in the KeySchema have the same name"
//   3. "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
//   4. an LSI whose second element is not RANGE: "Invalid KeySchema: The second KeySchemaElement
//      is not a RANGE key type" (a GSI may have up to 4 HASH elements)
//   5. a HASH element after a RANGE one: "Invalid KeySchema: The HASH key elements of an index
//      must come before its RANGE key elements" (Cairn's text: DynamoDB's is not known here)
//   6. an attribute named twice otherwise: "Invalid KeySchema: Some index key attributes are
//      specified more than once for index: <name>" (Cairn's text, likewise)
//   7. the LSI rules (the table's HASH key, one RANGE key), then a GSI's 4 HASH / 4 RANGE limit;
// then, over all indexes, duplicate names and the per-table counts.
void ResolveIndexes(const storage::TableInfo& table, std::vector<IndexDefinition>& indexes,
                    const std::vector<storage::KeyElement>& definitions);

// Checks a GSI's throughput settings against the table's billing mode, as DynamoDB does, and sets
// them in `x` (which may be &d.info): ProvisionedThroughput exactly for a PROVISIONED table,
// OnDemandThroughput only for a PAY_PER_REQUEST one, WarmThroughput not below its floor
// (table_description.h). Returns the ValidationException, or nullopt.
std::optional<ApiError> ApplyIndexSettings(const IndexDefinition& d, bool pay_per_request,
                                           storage::IndexInfo* x);

// An AttributeDefinitions list (CreateTable's, UpdateTable's) names each attribute once, whatever
// the types. Throws ValidationException "Cannot have two attributes with the same name".
void CheckDefinitionsDistinct(const std::vector<storage::KeyElement>& definitions);

// Every attribute any key of the table or its indexes uses.
std::vector<std::string> KeyAttributeNames(const storage::TableInfo& table,
                                           const std::vector<IndexDefinition>& indexes);

// Writes an index's "KeySchema" and "Projection" members (its HASH attributes, then its RANGE ones).
void WriteIndexKeySchemaAndProjection(JsonWriter& w, const storage::IndexInfo& x);

// Writes "LocalSecondaryIndexes" / "GlobalSecondaryIndexes" members (when the table has any).
// `stats` is indexed like table.indexes (may be empty: zeros). A GSI's description has its
// OnDemandThroughput (when set) and its WarmThroughput, whose status is UPDATING while the index
// is being built (DynamoDB documents UPDATING and ACTIVE as the only ones), ACTIVE otherwise.
void WriteIndexDescriptions(JsonWriter& w, const storage::TableInfo& table,
                            const std::vector<IndexStats>& stats);

}  // namespace cairn::api
