// Asset: one file of the web console (console/ at the top of the repository), compiled into the
// binary by tools/gen_console_assets.py at build time (the generated .cc lives in the build
// directory only), so the server reads no file to serve it and needs no network.
// Invariants: paths are unique and start with "/console"; the bytes are the file's, exactly; the
// ETag is a strong validator that changes whenever the bytes do. Immutable static data: safe to
// read from any thread.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace cairn::console {

struct Asset {
  std::string_view path;          // "/console/app.js"; index.html also as "/console", "/console/"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view etag;          // quoted, as sent: "\"3f2a...\""
  std::string_view body;
};

// Every asset, in path order within each file (generated).
std::span<const Asset> Assets();
// The total size of the console's files in bytes (each counted once).
size_t AssetBytes();

}  // namespace cairn::console
