// Key encoding: the byte layout of item keys (and of the key parts index entries reuse), chosen
// so that memcmp order of encoded keys is DynamoDB's order (docs/format.md, "Key layout").
//
//   item key         = table_id u32 BE | PartitionHash(pk bytes) u64 BE | len u16 BE | pk bytes
//                      | sort-key encoding (absent for hash-only tables)
//   partition prefix = everything before the sort-key encoding
//   pk bytes         = S: UTF-8 bytes; B: raw bytes; N: canonical text (AttributeValue::s)
//   sort-key enc.    = S, B: raw bytes with 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x01;
//                      N: Number::AppendSortable
//
// Invariants (part of the on-disk format: never change them once data exists):
//  - PartitionHash is XXH3_64bits with seed 0.
//  - The sort-key encoding is prefix-free (no encoding is a proper prefix of another) and memcmp
//    order equals DynamoDB's order: S and B by unsigned bytes, a key before its extensions; N by
//    numeric value. So an encoding may be followed by more bytes (index entry keys append the table
//    key) and every range returned here stays correct whatever follows it.
//  - Partition prefixes are prefix-free too (the length field), so a partition is exactly the set
//    of keys starting with its prefix.
// Thread safety: pure functions of their arguments.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "types/attribute_value.h"

namespace cairn::storage {

// DynamoDB's key size limits, in bytes of an S (UTF-8) or B value; an N value is never too long.
// A partition key attribute (the table's, or each HASH attribute of an index) is at most
// kMaxPartitionKeyBytes, the sort key attributes (the table's, or an index's RANGE attributes
// together) at most kMaxSortKeyBytes. Writes refuse an item over them (api/item_keys.h); a GSI
// backfill leaves such an item out of the index (index/index_entries.h).
inline constexpr size_t kMaxPartitionKeyBytes = 2048;
inline constexpr size_t kMaxSortKeyBytes = 1024;

// The bytes of `v` that count toward the key size limits.
inline size_t KeyValueBytes(const AttributeValue& v) {
  return v.type == AttributeType::kS || v.type == AttributeType::kB ? v.s.size() : 0;
}

// The hash that spreads partitions over the key space. Fixed forever: it is part of the on-disk
// format (item order, Scan order, Scan segments).
uint64_t PartitionHash(std::string_view pk_bytes);

// Appends table_id | hash | len | pk bytes | sort-key encoding (if sk is not nullptr).
// REQUIRES: pk and *sk are S, N or B with valid contents (N: canonical Number text); the pk bytes
// are at most 65535 bytes (DynamoDB allows 2048).
void AppendItemKey(std::string* out, uint32_t table_id, const AttributeValue& pk,
                   const AttributeValue* sk);

// The key bytes before the sort key: table_id | hash | len | pk bytes. For a hash-only table this
// is the whole item key.
std::string PartitionPrefix(uint32_t table_id, const AttributeValue& pk);

// Appends the order-preserving, prefix-free encoding of a sort-key value (format above).
// REQUIRES: sk is S, N or B; N holds canonical Number text.
void AppendSortKey(std::string* out, const AttributeValue& sk);

// The 4 bytes every key of the table starts with, and the first key after the table.
// REQUIRES (TableEnd): table_id < UINT32_MAX (ids come from a counter and are never near it).
std::string TablePrefix(uint32_t table_id);
std::string TableEnd(uint32_t table_id);

// The key range [begin, end) of Scan segment `segment` of `total`: the keys whose partition hash is
// in [floor(segment*2^64/total), floor((segment+1)*2^64/total)); the last segment ends at
// TableEnd(table_id). The segments of one total cover every key of the table exactly once.
// REQUIRES: segment < total <= 1000000 (DynamoDB's TotalSegments limit).
std::pair<std::string, std::string> SegmentRange(uint32_t table_id, uint32_t segment,
                                                 uint32_t total);

// The smallest string greater than every string that starts with `prefix` (drop trailing 0xFF
// bytes, increment the last byte). Empty if there is none (prefix empty or all 0xFF), which as an
// iterator upper bound means "unbounded".
std::string PrefixSuccessor(std::string_view prefix);

// Key-condition operators on the sort key of a Query.
enum class SortKeyOp { kAll, kEQ, kLT, kLE, kGT, kGE, kBetween, kBeginsWith };

// The key range [begin, end) holding exactly the keys of the partition whose sort key satisfies
// `op` (a, and b for kBetween; neither for kAll). Bounds are exact; exclusive bounds after a value
// use PrefixSuccessor(prefix + encoding), which skips the value and anything appended after it:
//   kAll [P, S(P))           kEQ [P+E(a), S(P+E(a)))    kBetween [P+E(a), S(P+E(b)))
//   kLT  [P, P+E(a))         kLE [P, S(P+E(a)))         kBeginsWith [P+esc(a), S(P+esc(a)))
//   kGT  [S(P+E(a)), S(P))   kGE [P+E(a), S(P))
// where P = partition_prefix, E = AppendSortKey, S = PrefixSuccessor and esc(a) is a's S/B
// encoding without its terminator (every extension of a encodes as esc(a) followed by more bytes).
// When nothing can match (kBetween with a > b) the range is empty: begin == end.
// REQUIRES: a (and b) non-null as the operator needs, of the table's sort-key type; kBeginsWith
// only with S or B (DynamoDB rejects it on N before this is reached).
std::pair<std::string, std::string> QueryRange(const std::string& partition_prefix, SortKeyOp op,
                                               const AttributeValue* a, const AttributeValue* b);

}  // namespace cairn::storage
