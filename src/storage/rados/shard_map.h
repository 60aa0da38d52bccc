// ShardMap: which shards of one table (or GSI) are live, for the RADOS engine's online shard
// splitting (docs/rados.md section 3). Pure: no librados, so the unit tests check it alone.
//
// A Shard is a range of the 64-bit partition hash named by bit prefix: "the hashes whose top
// `depth` bits are `prefix`", written "<depth>-<prefix in hex>" (so "2-3" is the last quarter).
// Its parent is (depth-1, prefix>>1) and its children (depth+1, prefix*2) and (depth+1,
// prefix*2+1): both computable from the name alone, which is what the stream shards' lineage
// (ParentShardId) uses.
//
// A ShardMap starts as the 2^initial_depth shards of that depth (today's fixed layout: a new table
// looks exactly as before) and changes only by splitting a live shard into its two children. So
// the map is the set of retired shards: the live ones are the leaves of the tree they make. That
// set only grows, so two maps merge by union (Learn), and the epoch is the number of splits.
// Invariants: the live shards are disjoint and cover [0, 2^64) exactly; a retired shard is never
// live again (shards never merge; a name is never reused).
// Thread safety: a value type; const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cairn::storage::rados {

struct Shard {
  int depth = 0;        // 0..63
  uint64_t prefix = 0;  // < 2^depth

  // The first and last (inclusive) hash of the shard's range.
  uint64_t First() const { return depth == 0 ? 0 : prefix << (64 - depth); }
  uint64_t Last() const { return First() | (depth == 0 ? ~0ull : ~0ull >> depth); }
  bool Contains(uint64_t hash) const { return hash >= First() && hash <= Last(); }
  // "<depth>-<prefix hex>", e.g. "2-3".
  std::string Name() const;
  // The inverse of Name(); false (and *out unchanged) for anything else.
  static bool Parse(std::string_view name, Shard* out);
  // REQUIRES: depth > 0.
  Shard Parent() const { return {depth - 1, prefix >> 1}; }
  // REQUIRES: depth < 63.
  std::pair<Shard, Shard> Children() const {
    return {{depth + 1, prefix << 1}, {depth + 1, (prefix << 1) | 1}};
  }
  // Hash order first (the key order of the objects), then depth (a parent before its children).
  bool operator<(const Shard& o) const {
    return First() != o.First() ? First() < o.First() : depth < o.depth;
  }
  bool operator==(const Shard& o) const { return depth == o.depth && prefix == o.prefix; }
};

// The deepest a shard may be split to (a shard of depth 40 holds 2^-40 of the hash space: far
// beyond any table this engine will hold).
inline constexpr int kMaxShardDepth = 40;

class ShardMap {
 public:
  explicit ShardMap(int initial_depth);

  int initial_depth() const { return initial_depth_; }
  // The number of splits: grows by one with each (the map's epoch).
  uint64_t epoch() const { return retired_.size(); }
  // The live shard holding `hash`.
  Shard Find(uint64_t hash) const;
  bool IsLive(Shard s) const;
  bool IsRetired(Shard s) const { return retired_.count(s) > 0; }
  // The live shards, in hash order.
  std::vector<Shard> Live() const;
  // The live shards that hold any hash of [first, last] (inclusive), in hash order.
  std::vector<Shard> Covering(uint64_t first, uint64_t last) const;
  const std::set<Shard>& retired() const { return retired_; }
  // Every shard the table ever had, live and retired, in hash order (a parent before its
  // children): the storage shards whose objects exist, and so the stream shards of the table
  // (docs/rados.md section 4: one stream shard per storage shard; a retired parent's object, with
  // its stream records, stays).
  std::vector<Shard> AllShards() const;

  // Splits live shard `s` into its children. False if `s` is not live or too deep.
  bool Split(Shard s);
  // Makes `s` retired as another server's split did: a live ancestor of `s` is split down to it
  // first (a split of a split learnt in one step). False if nothing changed (already retired).
  // REQUIRES: s.depth >= initial_depth().
  bool Learn(Shard s);

 private:
  int initial_depth_;
  std::map<uint64_t, Shard> live_;  // by First()
  std::set<Shard> retired_;
};

}  // namespace cairn::storage::rados
