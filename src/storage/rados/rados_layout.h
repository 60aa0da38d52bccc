// RadosLayout: which RADOS object holds an engine key, and which objects cover a key range, for
// the RADOS engine (rados_engine.h has the mapping). Pure functions of the keys and the shard bits;
// no librados, so the unit tests check it without a cluster.
//
// Invariants: every key of a column maps to exactly one object; objects of one column hold
// disjoint key ranges [start, end), and Objects() returns them in key order, so reading them one
// after the other is reading the column in order. Objects() may include an object whose range
// only touches the bounds (reading it then finds nothing in range), never leaves one out.
// Thread safety: immutable after construction.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "storage/engine.h"
#include "storage/key_encoding.h"
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

// One object and the start of its key range (the range ends where the next object's starts).
struct ObjectRef {
  std::string name;
  std::string start;  // engine key (no column byte); "" for the catalog
  std::string end;    // exclusive; "" = unbounded
};

// Key -> object and range -> objects. Pure, given the shard bits.
class Layout {
 public:
  explicit Layout(int shard_bits) : bits_(shard_bits) {}

  uint32_t ShardOf(std::string_view key) const {
    return bits_ == 0 ? 0 : uint32_t(HashOf(key) >> (64 - bits_));
  }
  uint32_t Shards() const { return 1u << bits_; }
  int bits() const { return bits_; }

  ObjectRef Object(Column c, uint32_t id, uint32_t shard) const {
    ObjectRef o;
    static constexpr char kLetter[] = {'m', 't', 'i', 's', 'b'};
    o.name.push_back(kLetter[static_cast<size_t>(c)]);
    o.name += std::to_string(id);
    o.start = TablePrefix(id);
    if (Sharded(c)) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), ".%d-%x", bits_, shard);
      o.name += buf;
      AppendBigEndian64(&o.start, bits_ == 0 ? 0 : uint64_t(shard) << (64 - bits_));
    }
    const bool last = !Sharded(c) || shard + 1 == Shards();
    if (last) {
      if (id != UINT32_MAX) o.end = TablePrefix(id + 1);
    } else {
      o.end = TablePrefix(id);
      AppendBigEndian64(&o.end, uint64_t(shard + 1) << (64 - bits_));
    }
    return o;
  }

  ObjectRef ObjectOf(Column c, std::string_view key) const {
    if (c == Column::kMeta) return {kCatalogObject, "", ""};
    return Object(c, IdOf(key), Sharded(c) ? ShardOf(key) : 0);
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
      uint32_t from = 0, to = Sharded(c) ? Shards() - 1 : 0;
      if (Sharded(c) && id == IdOf(lower) && !lower.empty()) from = ShardOf(lower);
      if (Sharded(c) && id == IdOf(upper) && upper.size() > 4) to = ShardOf(upper);
      for (uint32_t s = from; s <= to; ++s) out.push_back(Object(c, id, s));
    }
    return out;
  }

 private:
  int bits_;
};

}  // namespace cairn::storage::rados
