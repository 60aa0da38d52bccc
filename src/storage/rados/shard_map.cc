// See shard_map.h.
#include "storage/rados/shard_map.h"

#include <cstdio>
#include <cstdlib>

namespace cairn::storage::rados {

std::string Shard::Name() const {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%d-%llx", depth, static_cast<unsigned long long>(prefix));
  return buf;
}

bool Shard::Parse(std::string_view name, Shard* out) {
  const size_t dash = name.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash + 1 >= name.size() || dash > 2)
    return false;
  int depth = 0;
  for (size_t i = 0; i < dash; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    depth = depth * 10 + (name[i] - '0');
  }
  if (depth > 63 || name.size() - dash - 1 > 16) return false;
  uint64_t prefix = 0;
  for (size_t i = dash + 1; i < name.size(); ++i) {
    const char c = name[i];
    int v = 0;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else {
      return false;
    }
    prefix = (prefix << 4) | uint64_t(v);
  }
  if (depth < 64 && depth > 0 && (prefix >> depth) != 0) return false;
  if (depth == 0 && prefix != 0) return false;
  // The canonical spelling only (no leading zeros), so a name is one shard and one object.
  Shard s{depth, prefix};
  if (s.Name() != name) return false;
  *out = s;
  return true;
}

ShardMap::ShardMap(int initial_depth) : initial_depth_(initial_depth) {
  const uint64_t n = uint64_t(1) << initial_depth;
  for (uint64_t p = 0; p < n; ++p) {
    const Shard s{initial_depth, p};
    live_.emplace(s.First(), s);
  }
}

Shard ShardMap::Find(uint64_t hash) const {
  auto it = live_.upper_bound(hash);
  --it;  // live_ always holds a shard starting at 0
  return it->second;
}

bool ShardMap::IsLive(Shard s) const {
  auto it = live_.find(s.First());
  return it != live_.end() && it->second == s;
}

std::vector<Shard> ShardMap::Live() const {
  std::vector<Shard> out;
  out.reserve(live_.size());
  for (const auto& kv : live_) out.push_back(kv.second);
  return out;
}

std::vector<Shard> ShardMap::Covering(uint64_t first, uint64_t last) const {
  std::vector<Shard> out;
  if (first > last) return out;
  auto it = live_.upper_bound(first);
  --it;
  for (; it != live_.end() && it->second.First() <= last; ++it) out.push_back(it->second);
  return out;
}

std::vector<Shard> ShardMap::AllShards() const {
  std::set<Shard> all(retired_.begin(), retired_.end());
  for (const auto& kv : live_) all.insert(kv.second);
  return std::vector<Shard>(all.begin(), all.end());
}

bool ShardMap::Split(Shard s) {
  if (!IsLive(s) || s.depth >= kMaxShardDepth) return false;
  live_.erase(s.First());
  const auto [low, high] = s.Children();
  live_.emplace(low.First(), low);
  live_.emplace(high.First(), high);
  retired_.insert(s);
  return true;
}

bool ShardMap::Learn(Shard s) {
  if (s.depth < initial_depth_ || s.depth >= kMaxShardDepth || retired_.count(s)) return false;
  bool changed = false;
  while (true) {
    const Shard live = Find(s.First());
    if (live.depth > s.depth) return changed;  // cannot be: s would be retired already
    if (!Split(live)) return changed;
    changed = true;
    if (live == s) return true;
  }
}

}  // namespace cairn::storage::rados
