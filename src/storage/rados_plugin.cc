// See rados_plugin.h.
#include "storage/rados_plugin.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace cairn::storage {
namespace {

const RadosPlugin* loaded = nullptr;  // set once by OpenRadosPlugin, at start

std::vector<std::string> Candidates() {
  std::vector<std::string> paths;
  if (const char* given = std::getenv("CAIRN_RADOS_PLUGIN"); given != nullptr && *given != '\0')
    paths.emplace_back(given);
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    paths.push_back((exe.parent_path() / "cairn-rados.so").string());
    paths.push_back((exe.parent_path().parent_path() / "lib" / "cairn" / "cairn-rados.so").string());
  }
  return paths;
}

}  // namespace

Result<std::unique_ptr<Engine>> OpenRadosPlugin(const RadosOptions& options, const char* build) {
  if (loaded == nullptr) {
    std::string looked;
    void* handle = nullptr;
    for (const std::string& path : Candidates()) {
      if (::access(path.c_str(), F_OK) != 0) {
        looked += (looked.empty() ? "" : ", ") + path;
        continue;
      }
      handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle == nullptr) return Status::IOError(std::string("cannot load ") + ::dlerror());
      break;
    }
    if (handle == nullptr) {
      return Status::IOError(
          "this cairn was built without the RADOS engine (no cairn-rados.so in " + looked +
          "; install librados-dev libradospp-dev and rebuild)");
    }
    auto entry = reinterpret_cast<const RadosPlugin* (*)()>(::dlsym(handle, "cairn_rados_plugin"));
    if (entry == nullptr) return Status::IOError(std::string("cairn-rados.so: ") + ::dlerror());
    const RadosPlugin* plugin = entry();
    if (std::strcmp(plugin->build, build) != 0) {
      return Status::IOError(std::string("cairn-rados.so is of build ") + plugin->build +
                             ", this cairn of build " + build + ": install them together");
    }
    loaded = plugin;
  }
  return loaded->open(options);
}

void WatchRadosPlugin(Engine* engine, std::function<Status()> reload) {
  if (loaded != nullptr) loaded->watch(engine, std::move(reload));
}

}  // namespace cairn::storage
