// Layering probe (see CMakeLists.txt, "Layers only look down"): a file of the expression layer that
// includes a header of the API layer above it. It must NOT compile: the build test
// layering_upward_include_fails passes only when the compiler cannot find "api/context.h".
#include "api/context.h"
#include "expr/ast.h"
