// Applying an UpdateExpression (or converted legacy AttributeUpdates) to an item, with DynamoDB's
// semantics:
// - every right-hand side is evaluated against the item as it was before the update, so
//   "SET a = b, b = a" swaps; list indexes in all actions refer to the original list;
// - SET creates or replaces; a list index past the end appends; `a + b`, `a - b` are exact
//   (Number::Add/Subtract); if_not_exists(path, v) is the path's value if present, else v;
//   list_append(l1, l2) concatenates;
// - REMOVE deletes an attribute, map key or list element (the list closes up); a missing final
//   key or index is not an error;
// - ADD adds to a number or unions into a set; an absent attribute is created with the operand;
// - DELETE subtracts from a set; an absent attribute is left alone; an emptied set is removed
//   (DynamoDB never stores an empty set).
//
// Errors (ValidationException, thrown as ApiException; the item may then be partly modified, so
// the caller applies the update to its own copy):
//   "The provided expression refers to an attribute that does not exist in the item"
//   "An operand in the update expression has an incorrect data type"
//   "The document path provided in the update expression is invalid for update"
//   Number errors of Number::Add/Subtract (overflow, underflow, more than 38 digits).
// Stateless; safe to call concurrently on distinct items.
#pragma once

#include <vector>

#include "expr/ast.h"
#include "types/attribute_value.h"

namespace cairn::expr {

// Applies `u` to `item` in place. If `updated` is not null, appends the path of every action (for
// ReturnValues UPDATED_OLD / UPDATED_NEW, which project the old or new item by these paths).
void ApplyUpdate(const UpdateExpr& u, Item& item, std::vector<Path>* updated);

}  // namespace cairn::expr
