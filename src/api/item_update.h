// ApplyUpdate: what UpdateItem and a TransactWriteItems Update do to the item they change, given
// the item as it is (or, when absent, its key): apply the update expression (or AttributeUpdates),
// then check the result as PutItem checks an item: index key types and sizes, at most
// kMaxNestingLevels of L/M nesting ("Nesting Levels have exceeded supported limits"), and
// DynamoDB's 400 KB item limit.
// It runs inside the item writer's decide function, with the item locked: it returns the
// ValidationException by value rather than throwing it through the writer.
#pragma once

#include <optional>
#include <vector>

#include "api/expressions.h"
#include "api/protocol_names.h"
#include "storage/catalog.h"
#include "types/attribute_value.h"

namespace cairn::api {

// `update` may be null (an UpdateItem with neither UpdateExpression nor AttributeUpdates, which
// creates the item from its key). `updated` receives the paths the update set or removed.
std::optional<ApiError> ApplyUpdate(const RequestExpressions& ex, const expr::UpdateExpr* update,
                                    const storage::TableInfo& table, Item* item,
                                    std::vector<expr::Path>* updated);

}  // namespace cairn::api
