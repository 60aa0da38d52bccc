// The plug-in's one exported entry (storage/rados_plugin.h): the table of the engine's functions,
// with the build it belongs to (CAIRN_BUILD, set by CMake: version and commit).
#include "storage/rados/rados_engine.h"
#include "storage/rados_plugin.h"

extern "C" const cairn::storage::RadosPlugin* cairn_rados_plugin() {
  static const cairn::storage::RadosPlugin plugin{CAIRN_BUILD, &cairn::storage::OpenRadosEngine,
                                                  &cairn::storage::WatchRadosCatalog};
  return &plugin;
}
