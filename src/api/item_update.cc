#include "api/item_update.h"

#include <algorithm>

#include "api/item_keys.h"

namespace cairn::api {
namespace {

// The L/M nesting levels of v: 0 for a scalar or set, 1 for an L or M of scalars, and so on; the
// levels counted as protocol/attribute_json.h counts them when it refuses a request's item.
int NestingLevels(const AttributeValue& v) {
  int deepest = 0;
  if (v.type == AttributeType::kL) {
    for (const auto& e : v.list) deepest = std::max(deepest, NestingLevels(e));
  } else if (v.type == AttributeType::kM) {
    for (const auto& [name, e] : v.map) deepest = std::max(deepest, NestingLevels(e));
  } else {
    return 0;
  }
  return deepest + 1;
}

}  // namespace

std::optional<ApiError> ApplyUpdate(const RequestExpressions& ex, const expr::UpdateExpr* update,
                                    const storage::TableInfo& table, Item* item,
                                    std::vector<expr::Path>* updated) {
  try {
    if (update) ex.Apply(*update, *item, updated);
    CheckIndexKeys(table, *item);
    CheckAttributeNames(*item);
    // What PutItem refuses (protocol/attribute_json.h), an update may not build.
    for (const auto& [name, v] : *item) {
      if (NestingLevels(v) > kMaxNestingLevels)
        return ApiError::Validation("Nesting Levels have exceeded supported limits");
    }
  } catch (const ApiException& e) {  // the update does not apply to this item
    return e.error;
  }
  if (ItemSize(*item) > kMaxItemBytes)
    return ApiError::Validation("Item size to update has exceeded the maximum allowed size");
  return std::nullopt;
}

}  // namespace cairn::api
