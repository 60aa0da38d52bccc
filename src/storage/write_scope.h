// WriteScope: marks one read-decide-write sequence of the calling thread (write/item_writer.h:
// lock, read the item, decide, commit), for an engine that guards a write on what its writer read.
// The RADOS engine (storage/rados/rados_engine.h, "Guards") remembers the item values that Get
// returned inside the scope and makes the scope's Write conditional on them, so two servers
// racing on one item cannot both win. Other engines ignore it (one process: the item's stripe
// lock already orders its writers).
// Invariants: scopes nest (the outermost one counts); each outermost scope has a new generation,
// so reads of an earlier sequence never guard a later one's write.
// Thread safety: per thread (thread_local state); a scope must end on the thread that began it.
#pragma once

#include <cstdint>

namespace cairn::storage {

class WriteScope {
 public:
  WriteScope() {
    if (Depth()++ == 0) ++Gen();
  }
  ~WriteScope() { --Depth(); }
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;

  // Whether the calling thread is inside a scope, and which (valid while Active()).
  static bool Active() { return Depth() > 0; }
  static uint64_t Generation() { return Gen(); }

 private:
  static int& Depth() {
    static thread_local int depth = 0;
    return depth;
  }
  static uint64_t& Gen() {
    static thread_local uint64_t generation = 0;
    return generation;
  }
};

}  // namespace cairn::storage
