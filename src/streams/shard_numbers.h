// ShardNumbers: how the Streams API names the shards and prints the numbers of a stream whose
// records an engine numbers per storage shard (storage/engine.h, ShardedStreams: RADOS), and how
// it reads a SequenceNumber back. Pure functions: safe from any thread.
//
// - A storage shard "<d>-<p>" (p in hex) has the code d << 24 | p (p < 2^24), so ShardIds, which
//   end with the code in 8 hex digits, order parents (fewer bits) before their children and shards
//   of one depth by position.
// - A ShardId is DynamoDB's shape, shardId-<20 digits>-<8 hex>: the stream's creation in ms, then
//   the code (on RocksDB the code is the stream id: one shard per stream).
// - A SequenceNumber is the shard's number (20 digits) then the shard's code (10 digits): 30
//   digits, so numbers are unique across the stream and compare as the stream's order (number,
//   then shard); within a shard they increase with the number.
// - An iterator AT/AFTER a SequenceNumber of any shard of the stream starts, in a shard, at its
//   first record that comes at/after it in that order (IteratorPosition).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cairn::streams {

// The code of storage shard "<d>-<p>"; UINT32_MAX when malformed.
uint32_t StorageShardCode(std::string_view storage_shard);
std::string ShardIdText(int64_t stream_created_ms, uint32_t code);
std::string ShardSequenceText(uint64_t seq, uint32_t code);
// The reverse of ShardSequenceText: false unless 11..30 digits whose last 10 are a u32.
bool ParseShardSequence(std::string_view text, uint64_t* seq, uint32_t* code);
// The first number of shard `code` at (`at`) or after (`!at`) number `seq` of shard `from_code`.
uint64_t IteratorPosition(uint64_t seq, uint32_t from_code, uint32_t code, bool at);

}  // namespace cairn::streams
