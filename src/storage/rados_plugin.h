// The RADOS engine as a plug-in: storage/rados/ is built as its own shared object
// (cairn-rados.so, CMake target cairn_rados) that links librados, and the cairn binary does not.
// Loading librados costs every start 8-19 ms here (libceph-common and its dependencies are
// relocated and run their static constructors), so it is loaded only when --engine rados asks
// for it: OpenRadosPlugin dlopens the module, checks that it comes from the same build, and
// calls its OpenRadosEngine.
//
// Where the module is looked for, in order: $CAIRN_RADOS_PLUGIN (a path), then beside the
// running binary (the build directory), then ../lib/cairn/ from it (the installed layout:
// /usr/bin/cairn and /usr/lib/cairn/cairn-rados.so).
// Invariants: the module resolves Cairn's own symbols (Status, the key encoding, the write scope's
// thread-local state) from the binary, which exports them (ENABLE_EXPORTS), so both sides share
// one copy of each; a module of another build (another version or commit) is refused.
// Errors: IOError naming what is missing (no module found: "this cairn was built without the
// RADOS engine ..."; dlopen's or dlsym's message; a version mismatch).
// Thread safety: OpenRadosPlugin is called once, at start; WatchRadosPlugin as the engine's.
#pragma once

#include <functional>
#include <memory>

#include "storage/engine.h"
#include "storage/rados/rados_engine.h"
#include "util/status.h"

namespace cairn::storage {

// What the module exports, by the C name "cairn_rados_plugin" (a function returning a pointer to
// this table). `build` is the module's CAIRN_VERSION and CAIRN_COMMIT, compared with the binary's.
struct RadosPlugin {
  const char* build;
  Result<std::unique_ptr<Engine>> (*open)(const RadosOptions& options);
  void (*watch)(Engine* engine, std::function<Status()> reload);
};

// Loads the module (once) and opens the engine. `build` is the binary's version and commit.
Result<std::unique_ptr<Engine>> OpenRadosPlugin(const RadosOptions& options, const char* build);

// WatchRadosCatalog of the loaded module; a no-op when no module was loaded.
void WatchRadosPlugin(Engine* engine, std::function<Status()> reload);

}  // namespace cairn::storage
