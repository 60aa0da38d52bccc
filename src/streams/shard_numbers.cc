#include "streams/shard_numbers.h"

#include <cstdio>

namespace cairn::streams {

uint32_t StorageShardCode(std::string_view storage_shard) {
  const size_t dash = storage_shard.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash > 2 || dash + 1 == storage_shard.size() ||
      storage_shard.size() - dash - 1 > 6)
    return UINT32_MAX;
  uint32_t d = 0, p = 0;
  for (char c : storage_shard.substr(0, dash)) {
    if (c < '0' || c > '9') return UINT32_MAX;
    d = d * 10 + uint32_t(c - '0');
  }
  for (char c : storage_shard.substr(dash + 1)) {
    const int x = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (x < 0) return UINT32_MAX;
    p = p * 16 + uint32_t(x);
  }
  if (d > 24 || (d < 24 && p >> d) != 0) return UINT32_MAX;
  return (d << 24) | p;
}

std::string ShardIdText(int64_t stream_created_ms, uint32_t code) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "shardId-%020lld-%08x", static_cast<long long>(stream_created_ms),
                code);
  return buf;
}

std::string ShardSequenceText(uint64_t seq, uint32_t code) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%020llu%010u", static_cast<unsigned long long>(seq), code);
  return buf;
}

bool ParseShardSequence(std::string_view text, uint64_t* seq, uint32_t* code) {
  if (text.size() <= 10 || text.size() > 30) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  std::string_view high = text.substr(0, text.size() - 10), low = text.substr(text.size() - 10);
  while (high.size() > 1 && high[0] == '0') high.remove_prefix(1);
  if (high.size() > 20 || (high.size() == 20 && high > "18446744073709551615")) return false;
  if (low > "4294967295") return false;
  uint64_t h = 0, l = 0;
  for (char c : high) h = h * 10 + uint64_t(c - '0');
  for (char c : low) l = l * 10 + uint64_t(c - '0');
  *seq = h;
  *code = uint32_t(l);
  return true;
}

uint64_t IteratorPosition(uint64_t seq, uint32_t from_code, uint32_t code, bool at) {
  return seq + ((at ? code < from_code : code <= from_code) ? 1 : 0);
}

}  // namespace cairn::streams
