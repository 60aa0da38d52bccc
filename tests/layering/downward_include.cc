// Layering probe (see CMakeLists.txt, "Layers only look down"): a file of the expression layer that
// includes its own headers and those of the layers below it (protocol, types, util). It must
// compile, so that the upward probe fails for the right reason.
#include "expr/ast.h"
#include "protocol/errors.h"
#include "types/attribute_value.h"
#include "util/status.h"
