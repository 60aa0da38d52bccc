// WriteScope: marks one read-decide-write sequence of the calling thread (write/item_writer.h:
// lock, read the item, decide, commit), for an engine that guards a write on what its writer read.
// The RADOS engine (storage/rados/rados_engine.h, "Guards") remembers the item values that Get
// returned inside the scope and makes the scope's Write conditional on them, so two servers
// racing on one item cannot both win. Other engines ignore it (one process: the item's stripe
// lock already orders its writers).
// A transaction's scope (ItemWriter::WriteMany for TransactWriteItems) is marked, so an engine
// shared by servers runs its write through its transaction protocol (storage/rados/rados_txn.h)
// and calls OnPrepared() once the items are held (the --test-transaction-hold hook). An engine
// that answers Busy (a transaction of another server holds an item) names the item's engine key
// in ConflictKey(), so the caller can say which item conflicted.
// A batch's scope (ItemWriter::WriteMany for BatchWriteItem, Waiting::kBatch) is marked too: an
// engine atomic per shard only may then write it shard by shard (not atomic as a whole, as
// DynamoDB's BatchWriteItem), naming in Written() the item keys it wrote when it returns a
// failure, so the caller reads, decides and writes again only the others.
// Invariants: scopes nest (the outermost one counts); each outermost scope has a new generation,
// so reads of an earlier sequence never guard a later one's write.
// Thread safety: per thread (thread_local state); a scope must end on the thread that began it.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>

namespace cairn::storage {

class WriteScope {
 public:
  WriteScope() {
    if (Depth()++ == 0) ++Gen();
  }
  ~WriteScope() {
    if (--Depth() == 0) {
      Hook() = nullptr;
      Batch() = false;
    }
  }
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;

  // Whether the calling thread is inside a scope, and which (valid while Active()).
  static bool Active() { return Depth() > 0; }
  static uint64_t Generation() { return Gen(); }

  // Marks the current scope as a transaction's; `on_prepared` (may be null or empty) runs once
  // its items are held across servers.
  static void MarkTransaction(const std::function<void()>* on_prepared) {
    static const std::function<void()> none;
    Hook() = on_prepared ? on_prepared : &none;
  }
  static bool InTransaction() { return Active() && Hook() != nullptr; }
  // Marks the current scope as a batch's (see above); ends with the outermost scope.
  static void MarkBatch() { Batch() = true; }
  static bool InBatch() { return Active() && Batch(); }
  // The engine keys (column kData) of the items a batch's failed write did write (its shards
  // whose ops succeeded). The caller clears it before each write.
  static std::set<std::string>& Written() {
    static thread_local std::set<std::string> keys;
    return keys;
  }
  static bool HasOnPrepared() { return InTransaction() && *Hook(); }
  static void OnPrepared() {
    if (InTransaction() && *Hook()) (*Hook())();
  }
  // Set by an engine whose guarded write failed because an item it read changed meanwhile
  // (another server wrote it): the caller may read and decide again. Take() reads and clears it.
  static void MarkChanged() { Changed() = true; }
  static bool TakeChanged() {
    const bool c = Changed();
    Changed() = false;
    return c;
  }
  // The engine key of the item a Busy answer of this thread is about.
  static std::string& ConflictKey() {
    static thread_local std::string key;
    return key;
  }

 private:
  static int& Depth() {
    static thread_local int depth = 0;
    return depth;
  }
  static const std::function<void()>*& Hook() {
    static thread_local const std::function<void()>* hook = nullptr;
    return hook;
  }
  static bool& Batch() {
    static thread_local bool batch = false;
    return batch;
  }
  static bool& Changed() {
    static thread_local bool changed = false;
    return changed;
  }
  static uint64_t& Gen() {
    static thread_local uint64_t generation = 0;
    return generation;
  }
};

}  // namespace cairn::storage
