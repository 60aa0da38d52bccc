// ShardState: the header keys of a RADOS shard object that online splitting needs (docs/rados.md
// section 3, as built), and the guard every write to a shard object carries.
//
// omap `0x00 "state"` of a shard object "t<id>.<d>-<p>":
//   absent          active (every shard before its first split, and a published child)
//   "c"             copying: its split copies it into its children; writes go on here
//   "f"             frozen: the split's last copy runs; writes wait (bounded) and retry
//   "r:<c0>,<c1>"   retired: its children hold its keys; readers and writers go there
//   "s:<token>"     (a child) syncing: written only by the split attempt the token names (a
//                   splitter that lost its lease so cannot touch it), unknown to everyone else
// The values order as the guard needs: every write to a shard object carries
// omap_cmp(state LT "f") (an absent key compares as ""), so it applies only to an active or
// copying shard, never to a frozen or retired one. A state only moves forward (active -> c -> f ->
// r), except f -> c when a split gives up (transaction intents that stay), so a write that failed
// that guard never succeeds on that object later except through that step back.
// omap `0x00 "count"`: the key count its last size check measured (approximate: writes go on).
#pragma once

#include <rados/librados.hpp>

#include <string>
#include <string_view>

#include "storage/rados/rados_wire.h"

namespace cairn::storage::rados {

inline const std::string kStateKey("\0state", 6);
inline const std::string kCountKey("\0count", 6);
inline constexpr char kCopying[] = "c";
inline constexpr char kFrozen[] = "f";
inline constexpr char kSyncing[] = "s";
inline constexpr char kRetiredPrefix = 'r';

inline bool IsFrozen(std::string_view state) { return !state.empty() && state[0] == 'f'; }
inline bool IsRetired(std::string_view state) {
  return !state.empty() && state[0] == kRetiredPrefix;
}
// Writes may go to an object in this state.
inline bool IsWritable(std::string_view state) { return state < std::string_view(kFrozen); }

// The guard of every write to a shard object: active or copying.
inline void AddWritableGuard(librados::ObjectWriteOperation* op) {
  op->omap_cmp({{kStateKey, {Bl(kFrozen), int(LIBRADOS_CMPXATTR_OP_LT)}}}, nullptr);
}

}  // namespace cairn::storage::rados
