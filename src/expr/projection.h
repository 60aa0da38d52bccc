// Projection: keeping only some document paths of an item, as ProjectionExpression (and legacy
// AttributesToGet, and ReturnValues UPDATED_OLD/UPDATED_NEW) do. The result keeps the nesting of
// each path: "a.b" gives {"a": {"M": {"b": ...}}}; list elements keep their relative order but
// close up: "l[1], l[3]" gives {"l": {"L": [l1, l3]}}. Paths absent from the item contribute
// nothing (no empty maps or lists are made for them).
// The parser of ProjectionExpression is ParseProjection() in expr/parser.h.
// Pure functions; safe to call concurrently.
#pragma once

#include <vector>

#include "expr/ast.h"
#include "expr/parser.h"
#include "types/attribute_value.h"

namespace cairn::expr {

// `paths` may overlap (one inside another): the outer one wins.
Item Project(const Item& item, const std::vector<Path>& paths);

}  // namespace cairn::expr
