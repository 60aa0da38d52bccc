// RadosLayout: which RADOS object holds an engine key, and which objects cover a key range, for
// the RADOS engine (rados_engine.h has the mapping). Pure functions of the keys and the shard maps
// (shard_map.h); no librados, so the unit tests check it without a cluster.
//
// Sharded columns (kData, kIndex) are split per table or index into shards, ranges of the
// partition hash named by bit prefix (shard_map.h): object "<owner>.<d>-<p>", where the owner is
// "t<table id>" or "i<index id>" (an LSI's entries live in their table's objects: the owner
// function says so). Which shards are live comes from the owner's ShardMap (the maps function);
// without one, every owner has the initial 2^shard_bits shards (the layout before splitting).
//
// Invariants: every key of a column maps to exactly one live object; objects of one column hold
// disjoint key ranges [start, end), and Objects() returns them in key order, so reading them one
// after the other is reading the column in order. Objects() may include an object whose range
// only touches the bounds (reading it then finds nothing in range), never leaves one out. A
// retired object's range is exactly its children's (Children()), so a reader that finds an
// object retired goes on in the children from the same key.
// Thread safety: immutable after construction (the functions it calls must be thread-safe).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/engine.h"
#include "storage/key_encoding.h"
#include "storage/rados/shard_map.h"
#include "util/big_endian.h"

namespace cairn::storage::rados {

inline constexpr const char* kCatalogObject = "cairn.catalog";

// The first 4 bytes as u32 BE, the next 8 as u64 BE; missing bytes count as 0.
inline uint32_t IdOf(std::string_view key) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | (i < key.size() ? uint8_t(key[i]) : 0);
  return v;
}
inline uint64_t HashOf(std::string_view key) {
  uint64_t v = 0;
  for (size_t i = 4; i < 12; ++i) v = (v << 8) | (i < key.size() ? uint8_t(key[i]) : 0);
  return v;
}

inline bool Sharded(Column c) { return c == Column::kData || c == Column::kIndex; }

// Whether an object name is a shard object ("t<id>.<d>-<p>" or "i<id>.<d>-<p>"), and its owner
// and shard.
inline bool ParseShardObject(std::string_view name, std::string* owner, Shard* shard) {
  if (name.size() < 4 || (name[0] != 't' && name[0] != 'i')) return false;
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos || dot < 2) return false;
  for (size_t i = 1; i < dot; ++i)
    if (name[i] < '0' || name[i] > '9') return false;
  if (!Shard::Parse(name.substr(dot + 1), shard)) return false;
  if (owner) owner->assign(name.substr(0, dot));
  return true;
}
inline bool IsShardObject(std::string_view name) {
  Shard s;
  return ParseShardObject(name, nullptr, &s);
}

// One object and the start of its key range (the range ends where the next object's starts).
struct ObjectRef {
  std::string name;
  std::string start;  // engine key (no column byte); "" for the catalog
  std::string end;    // exclusive; "" = unbounded
};

// Key -> object and range -> objects. Pure, given the shard bits and the two functions.
class Layout {
 public:
  // owner(c, id): whose objects hold the keys of id in column c ("t42", "i7").
  using OwnerFn = std::function<std::string(Column c, uint32_t id)>;
  // maps(owner): the owner's current shard map (never null).
  using MapsFn = std::function<std::shared_ptr<const ShardMap>(const std::string& owner)>;

  explicit Layout(int shard_bits) : bits_(shard_bits) {}
  Layout(int shard_bits, OwnerFn owner, MapsFn maps)
      : bits_(shard_bits), owner_(std::move(owner)), maps_(std::move(maps)) {}

  int shard_bits() const { return bits_; }

  std::string Owner(Column c, uint32_t id) const {
    if (owner_) return owner_(c, id);
    static constexpr char kLetter[] = {'m', 't', 'i', 's', 'b'};
    return std::string(1, kLetter[static_cast<size_t>(c)]) + std::to_string(id);
  }
  std::shared_ptr<const ShardMap> MapOf(const std::string& owner) const {
    if (maps_) return maps_(owner);
    return std::make_shared<const ShardMap>(bits_);
  }

  // The object of shard `shard` of the keys of id in column c (sharded columns).
  ObjectRef Object(Column c, uint32_t id, Shard shard) const {
    return Object(Owner(c, id), id, shard);
  }
  static ObjectRef Object(const std::string& owner, uint32_t id, Shard shard) {
    ObjectRef o;
    o.name = owner + "." + shard.Name();
    o.start = TablePrefix(id);
    AppendBigEndian64(&o.start, shard.First());
    if (shard.Last() == ~0ull) {
      if (id != UINT32_MAX) o.end = TablePrefix(id + 1);
    } else {
      o.end = TablePrefix(id);
      AppendBigEndian64(&o.end, shard.Last() + 1);
    }
    return o;
  }

  ObjectRef ObjectOf(Column c, std::string_view key) const {
    if (c == Column::kMeta) return {kCatalogObject, "", ""};
    const uint32_t id = IdOf(key);
    const std::string owner = Owner(c, id);
    if (!Sharded(c)) {
      ObjectRef o{owner, TablePrefix(id), id == UINT32_MAX ? "" : TablePrefix(id + 1)};
      return o;
    }
    return Object(owner, id, MapOf(owner)->Find(HashOf(key)));
  }

  // The live objects of id in column c, in key order.
  std::vector<ObjectRef> LiveObjects(Column c, uint32_t id) const {
    std::vector<ObjectRef> out;
    const std::string owner = Owner(c, id);
    for (const Shard& s : MapOf(owner)->Live()) out.push_back(Object(owner, id, s));
    return out;
  }

  // The two children of a retired shard object `parent` (as Object() names them), in key order;
  // empty if `parent` is not a shard object.
  static std::vector<ObjectRef> Children(const ObjectRef& parent) {
    std::string owner;
    Shard s;
    if (!ParseShardObject(parent.name, &owner, &s) || s.depth >= kMaxShardDepth) return {};
    const uint32_t id = IdOf(parent.start);
    const auto [low, high] = s.Children();
    return {Object(owner, id, low), Object(owner, id, high)};
  }

  // The ids whose keys may be in [lower, upper) (empty = unbounded): [*first, *last]; false if
  // none can be.
  static bool IdRange(std::string_view lower, std::string_view upper, uint32_t* first,
                      uint32_t* last) {
    *first = IdOf(lower);
    *last = UINT32_MAX;
    if (upper.empty()) return true;
    *last = IdOf(upper);
    if (upper <= std::string_view(TablePrefix(*last))) {  // every key of that id is >= upper
      if (*last == 0) return false;
      --*last;
    }
    return *last >= *first;
  }

  // The objects of `ids` (ascending, each in IdRange) that may hold keys of [lower, upper), in
  // key order.
  std::vector<ObjectRef> Objects(Column c, std::string_view lower, std::string_view upper,
                                 const std::vector<uint32_t>& ids) const {
    if (c == Column::kMeta) return {{kCatalogObject, "", ""}};
    std::vector<ObjectRef> out;
    for (uint32_t id : ids) {
      if (!Sharded(c)) {
        out.push_back(ObjectOf(c, TablePrefix(id)));
        continue;
      }
      uint64_t from = 0, to = ~0ull;
      if (id == IdOf(lower) && !lower.empty()) from = HashOf(lower);
      if (id == IdOf(upper) && upper.size() > 4) to = HashOf(upper);
      const std::string owner = Owner(c, id);
      for (const Shard& s : MapOf(owner)->Covering(from, to)) out.push_back(Object(owner, id, s));
    }
    return out;
  }

 private:
  int bits_;
  OwnerFn owner_;
  MapsFn maps_;
};

}  // namespace cairn::storage::rados
