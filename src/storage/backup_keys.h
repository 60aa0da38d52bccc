// Backup keys: the layout of the kBackup column, which holds two kinds of records, each under an id
// from the catalog's counter (so the two kinds, and different tables and backups, never mix):
//
//   backup item   = backup_id u32 BE | the item's key after its table id   -> the stored item bytes
//                   (an on-demand backup's copy of one item; backup/backups.h)
//   change record = table_id u32 BE | time u64 BE (microseconds since the epoch) | seq u64 BE
//                   -> had_old u8 (0/1) | key_len u32 BE | item key | the item's bytes before the
//                   write (absent when had_old is 0)
//                   (point-in-time recovery: written by the item writer in the item's own atomic
//                   batch while the table's PITR is on; an undo log, trimmed to the recovery
//                   period)
//
//   schema record = a change record's key, its seq with kSchemaRecordSeqBit set
//                   -> 2 u8 | the table's descriptor before the change (EncodeTableInfo)
//                   (point-in-time recovery of the schema: staged by Catalog::Modify in the
//                   change's batch while PITR is on, when what a restore takes from the
//                   descriptor changes: keys, attribute definitions, indexes, billing,
//                   throughput, encryption, table class; the table at T has the descriptor of the
//                   first schema record after T, or its current one)
//
// Invariants (on-disk format, docs/format.md): change records of one table sort by the time they
// were staged under the item's lock, so for one item they are in commit order; seq makes two
// records of the same microsecond distinct and ordered.
// Thread safety: pure functions, except NextChangeSequence (atomic).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/key_encoding.h"
#include "util/big_endian.h"

namespace cairn::storage {

// The key of a backup's copy of the item stored under `item_key` (a table's item key).
inline std::string BackupItemKey(uint32_t backup_id, std::string_view item_key) {
  std::string out = TablePrefix(backup_id);
  out.append(item_key.substr(4));
  return out;
}

// The table item key of a backup item key, for table `table_id`.
inline std::string ItemKeyFromBackup(uint32_t table_id, std::string_view backup_key) {
  std::string out = TablePrefix(table_id);
  out.append(backup_key.substr(4));
  return out;
}

// A change record's key.
inline std::string ChangeRecordKey(uint32_t table_id, uint64_t time_us, uint64_t seq) {
  std::string out = TablePrefix(table_id);
  AppendBigEndian64(&out, time_us);
  AppendBigEndian64(&out, seq);
  return out;
}

// The first change-record key of `table_id` at or after `time_us`.
inline std::string ChangeRecordBound(uint32_t table_id, uint64_t time_us) {
  std::string out = TablePrefix(table_id);
  AppendBigEndian64(&out, time_us);
  return out;
}

inline std::string ChangeRecordValue(std::string_view item_key, const std::string* old_bytes) {
  std::string out(1, old_bytes ? 1 : 0);
  AppendBigEndian32(&out, uint32_t(item_key.size()));
  out.append(item_key);
  if (old_bytes) out.append(*old_bytes);
  return out;
}

// A schema record's seq bit: distinct from the item writer's sequence, so that a schema record and
// an item's record of the same microsecond never share a key.
inline constexpr uint64_t kSchemaRecordSeqBit = uint64_t(1) << 63;

inline std::string SchemaRecordValue(std::string_view encoded_table_info) {
  std::string out(1, 2);
  out.append(encoded_table_info);
  return out;
}

// The descriptor bytes of a schema record, or nullopt when `value` is an item's change record.
inline std::optional<std::string_view> SchemaRecordTable(std::string_view value) {
  if (value.empty() || value[0] != 2) return std::nullopt;
  return value.substr(1);
}

struct ChangeRecord {
  std::string_view item_key;
  std::optional<std::string_view> old_bytes;  // nullopt: the item was absent before the write
};

// nullopt when `value` is malformed.
inline std::optional<ChangeRecord> DecodeChangeRecord(std::string_view value) {
  if (value.size() < 5 || static_cast<uint8_t>(value[0]) > 1) return std::nullopt;
  const uint32_t n = ReadBigEndian32(value.substr(1));
  if (value.size() - 5 < n) return std::nullopt;
  ChangeRecord r;
  r.item_key = value.substr(5, n);
  if (value[0] == 1) r.old_bytes = value.substr(5 + n);
  return r;
}

}  // namespace cairn::storage
