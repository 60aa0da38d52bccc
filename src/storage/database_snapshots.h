// DatabaseSnapshots: named copies of the whole database (every table of every namespace, their
// items, index entries, streams and stream records, and the catalog), kept in memory, for test
// fixtures: save once, restore before each test (the admin API, api/admin.h).
//
// Save() copies every column at one engine snapshot, so the copy is consistent (a write is either
// in it whole or not at all). Restore() replaces the engine's contents with the copy in one atomic
// batch, then reloads the catalog (Catalog::Reload): afterwards every table, index, stream setting,
// tag and item is exactly as saved. Ids keep growing across a restore (never reused), and stream
// sequence numbers too (records restored keep their numbers; new ones follow the highest ever).
// Not isolated from requests running meanwhile: a write that races a restore may land before or
// after it; fixtures restore between tests.
// Why memory and not files: a fixture is saved once per test run by the run's own setup code, so
// it never needs to outlive the process (a file would outlive the code that made it, and restore
// a schema older than the application's); a restore is then one batch write with nothing to read
// or parse, and nothing is left to clean up. Data that must survive a restart has the data
// directory and on-demand backups (backup/). A snapshot costs the memory of what it copies.
// Thread safety: all methods may be called concurrently (one mutex).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/catalog.h"
#include "storage/engine.h"

namespace cairn::storage {

class DatabaseSnapshots {
 public:
  DatabaseSnapshots(Engine* engine, Catalog* catalog) : engine_(engine), catalog_(catalog) {}

  struct Info {
    std::string name;
    size_t keys = 0;
    size_t bytes = 0;
  };

  // Saves the whole database under `name` (replacing a snapshot of that name).
  Result<Info> Save(const std::string& name);
  // Replaces the database by the snapshot `name`. NotFound when there is none.
  Status Restore(const std::string& name);
  // False when there is no snapshot of that name.
  bool Delete(const std::string& name);
  std::vector<Info> List() const;

 private:
  struct Copy {
    std::vector<std::pair<std::string, std::string>> columns[kColumnCount];
    Info info;
  };
  Engine* engine_;
  Catalog* catalog_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Copy>> copies_;  // GUARDED_BY(mu_)
};

}  // namespace cairn::storage
