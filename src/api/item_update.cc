#include "api/item_update.h"

#include "api/item_keys.h"

namespace cairn::api {

std::optional<ApiError> ApplyUpdate(const RequestExpressions& ex, const expr::UpdateExpr* update,
                                    const storage::TableInfo& table, Item* item,
                                    std::vector<expr::Path>* updated) {
  try {
    if (update) ex.Apply(*update, *item, updated);
    CheckIndexKeys(table, *item);
  } catch (const ApiException& e) {  // the update does not apply to this item
    return e.error;
  }
  if (ItemSize(*item) > kMaxItemBytes)
    return ApiError::Validation("Item size to update has exceeded the maximum allowed size");
  return std::nullopt;
}

}  // namespace cairn::api
