// ExecuteParser: llhttp_execute through the faster of the two llhttp builds this CPU can run.
//
// The build carries llhttp.c twice (CMakeLists.txt): the portable build every x86-64 (and every
// other) CPU runs, and on x86-64 a copy compiled with SSE4.2, whose header-name and header-value
// states test 16 bytes at a time. Debian's x86-64 baseline does not promise SSE4.2, so the copy
// is chosen at run time, once, from the CPU's feature bits.
//
// Invariants: both builds are the same generated parser over the same llhttp_t layout (one source
// file, compiled twice), so a parser initialized by llhttp_init may be run by either, and gives the
// same callbacks, the same error codes and the same error positions for the same bytes
// (tests/unit/http/parser_execute_test.cc compares them byte by byte).
// Thread safety: the choice is made once (a function-local static); every call may run on any
// thread with its own llhttp_t.
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <string_view>

namespace cairn::http {

// llhttp_execute(parser, data, len) with the chosen build.
llhttp_errno_t ExecuteParser(llhttp_t* parser, const char* data, size_t len);

// "sse4.2" or "portable": the build ExecuteParser runs.
std::string_view ParserBuild();

// The two builds, for the tests that compare them. Sse42ParserBuild() is nullptr where this
// binary has no SSE4.2 copy (not x86-64) or this CPU lacks SSE4.2.
using ParserExecuteFn = int (*)(llhttp_t* parser, const char* data, const char* end);
ParserExecuteFn PortableParserBuild();
ParserExecuteFn Sse42ParserBuild();

}  // namespace cairn::http
