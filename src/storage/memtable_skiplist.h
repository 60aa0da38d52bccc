// MemTableSkipList: the memtable representation of Cairn's RocksDB column families, a skip list
// compiled with Cairn (with NDEBUG) in place of the one inside Debian's librocksdb.
//
// Why: Debian builds librocksdb 7.8 without NDEBUG, so its InlineSkipList evaluates its assert()s
// on every step of every search. A point read made three key comparisons per step instead of one:
// for 2,000 GetItems on a 2,000-entry memtable, 7.7M of the 11.7M instructions of memtable key
// comparisons were assertions' (callgrind), 11% of the requests' instructions; the insert of every
// write searches the same way. This list makes one comparison per step, and compares inline
// (memcmp, then the sequence number) instead of through three virtual calls.
//
// Contract (rocksdb/memtablerep.h):
//   - one writer at a time: the factory does not take concurrent inserts, so the DB must run with
//     allow_concurrent_memtable_write = false (its write thread then inserts one batch at a time);
//   - readers at any time, without locks: a node is written whole before the release store that
//     links it at each level, and readers follow links with acquire loads; nodes are never
//     unlinked;
//   - node memory is RocksDB's memtable arena (MemTableRep::Allocate), freed with the memtable, and
//     counted in the memtable's size as the built-in list's is;
//   - entries are MemTable's encoding (varint32 internal-key length, internal key, varint32 value
//     length, value), ordered as MemTable::KeyComparator orders them: by user key, then by
//     decreasing sequence number (the type byte is not compared); an entry whose key and sequence
//     number are already there is refused (InsertKey returns false, as the built-in list does).
//   - The inline comparison assumes the column family's comparator is bytewise (Cairn sets none, so
//     all of them are). Each memtable probes the comparator it is given with keys that a
//     non-bytewise order would sort differently; if any answer differs, it compares through that
//     comparator instead.
//   - The prefix index (on when the factory is given a prefix length): a hash table (one bucket
//     per 512 bytes of memtable, at most 32,768), in the memtable's arena, from each prefix of that
//     many bytes that user keys start with to the first node with it. A bytewise order keeps a
//     prefix's keys together, so a search (point read, Seek, Prev, and the insert of a node of
//     height 1, three in four) starts at that node instead of the head: the steps inside one
//     partition instead of a walk down the whole list. A point read of a prefix the index does not
//     hold ends at once. A search that steps over more than 16 nodes of its prefix marks the prefix
//     crowded, and that prefix's searches start at the head again (a large partition, or keys that
//     share a long prefix, as a stream's). Readers may miss only a node of the prefix that is being
//     inserted: it is not published yet.
// RocksDB internals used (memtable_skiplist.cc; exported by librocksdb, only named by
// rocksdb/memtablerep.h): Arena::AllocateAligned, for the iterators RocksDB asks to have in its
// arena, and LookupKey's first member, the key a point read looks for. The factory checks the
// latter on a real LookupKey once, and is null if the linked RocksDB lays it out otherwise.
#pragma once

#include <rocksdb/memtablerep.h>

#include <cstddef>
#include <memory>

namespace cairn::storage {

// For ColumnFamilyOptions::memtable_factory; requires DBOptions::allow_concurrent_memtable_write
// = false (DB::Open refuses the pair otherwise). Null when the linked RocksDB's LookupKey is not
// laid out as this list reads it: then keep RocksDB's own list. `prefix_bytes` > 0 turns the prefix
// index on, for user keys of at least that many bytes (with a bytewise comparator only); its hash
// table is sized for memtables of `write_buffer_bytes` (ColumnFamilyOptions::write_buffer_size).
std::shared_ptr<rocksdb::MemTableRepFactory> NewMemTableSkipListFactory(
    size_t prefix_bytes = 0, size_t write_buffer_bytes = size_t{16} << 20);

}  // namespace cairn::storage
