#include "http/parser_execute.h"

#if defined(CAIRN_LLHTTP_SSE42)
// The SSE4.2 copy of llhttp.c's entry point, renamed by objcopy (CMakeLists.txt).
extern "C" int cairn_llhttp_sse42_execute(llhttp__internal_t* s, const char* p, const char* endp);
#endif

namespace cairn::http {
namespace {

ParserExecuteFn Chosen() {
  static const ParserExecuteFn chosen =
      Sse42ParserBuild() != nullptr ? Sse42ParserBuild() : PortableParserBuild();
  return chosen;
}

}  // namespace

ParserExecuteFn PortableParserBuild() { return &llhttp__internal_execute; }

ParserExecuteFn Sse42ParserBuild() {
#if defined(CAIRN_LLHTTP_SSE42)
  if (__builtin_cpu_supports("sse4.2")) return &cairn_llhttp_sse42_execute;
#endif
  return nullptr;
}

std::string_view ParserBuild() {
  return Chosen() == PortableParserBuild() ? "portable" : "sse4.2";
}

llhttp_errno_t ExecuteParser(llhttp_t* parser, const char* data, size_t len) {
  // As llhttp_execute (api.c) does: the generated parser takes the end pointer.
  return static_cast<llhttp_errno_t>(Chosen()(parser, data, data + len));
}

}  // namespace cairn::http
