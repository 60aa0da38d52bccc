// Stream record codec: one DynamoDB Streams change record <-> the value stored for it in the
// `stream` column (docs/format.md, "Stream records"). The key (stream id, sequence number) is
// StreamLog's; this file is the value.
//
// A value is the time it was written (Trim() compares it with the retention), then the record in
// one of two formats:
//   format 0  the record's GetRecords JSON, written by Cairn before format 1 existed. It always
//             starts with '{' and is read as is (GetRecords copies it into the response).
//   format 1  binary: a format byte, the record's fields, and its Keys / NewImage / OldImage in the
//             item value format (types/binary_codec.h), rendered as JSON only when read.
//
//   value   := written_ms:u64 BE  (format0 | format1)
//   format0 := '{' ...                                    JSON text, to the end of the value
//   format1 := 0x01 event:u8 flags:u8 view:u8 creation_ms:u64 BE size_bytes:varint
//              event_id:str region:str keys:image [new_image:image] [old_image:image]
//   str     := len:varint byte[len]
//   image   := len:varint item                            item value format, exactly len bytes
//   event   := EventName;  view := StreamViewType;  flags := the kFlag* bits below
//
// Invariants: a format byte is never '{' (0x7B), so format-0 values stay readable whatever
// formats follow; DecodeRecordValue(EncodeRecordValue(ms, r)) gives back ms and r;
// DecodeRecordValue never reads outside its input and reports malformed bytes as
// Status::Corruption. The image bytes themselves are checked by whoever decodes them (DecodeItem,
// protocol::WriteStoredItem). Stateless functions: safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace cairn::streams {

// Stored: do not renumber. A new format gets a new number, never 0x7B ('{').
inline constexpr uint8_t kRecordFormatBinary = 1;
// The first byte of a format-0 (JSON) record.
inline constexpr char kRecordFormatJson = '{';

// The record's eventName. Stored: do not renumber. A deletion by Time to Live is a kRemove with
// by_ttl set.
enum class EventName : uint8_t { kInsert = 0, kModify = 1, kRemove = 2 };

// The stream's StreamViewType when the record was written. Stored: do not renumber.
enum class StreamViewType : uint8_t {
  kKeysOnly = 0,
  kNewImage = 1,
  kOldImage = 2,
  kNewAndOldImages = 3,
};

// The bits of a format-1 record's flags byte. Stored: do not renumber; unknown bits are corruption.
inline constexpr uint8_t kFlagByTtl = 0x01;     // userIdentity: the DynamoDB service (Time to Live)
inline constexpr uint8_t kFlagNewImage = 0x02;  // new_image follows keys
inline constexpr uint8_t kFlagOldImage = 0x04;  // old_image follows keys (and new_image, if any)

// "INSERT", "MODIFY", "REMOVE".
std::string_view EventNameText(EventName e);
// "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES".
std::string_view StreamViewTypeText(StreamViewType v);
// The inverse of StreamViewTypeText; nullopt for any other text.
std::optional<StreamViewType> ParseStreamViewType(std::string_view text);
// Whether records of view type `v` carry the NewImage / OldImage (when the item has one).
bool HasNewImage(StreamViewType v);
bool HasOldImage(StreamViewType v);

// One format-1 record, apart from its sequence number (the key holds that). The string views point
// into the bytes the record was decoded from, or into bytes the encoding caller owns.
struct StreamRecord {
  EventName event_name = EventName::kInsert;
  StreamViewType view_type = StreamViewType::kKeysOnly;
  bool by_ttl = false;
  uint64_t creation_ms = 0;  // ApproximateCreationDateTime, epoch ms (GetRecords shows seconds)
  uint64_t size_bytes = 0;   // SizeBytes: DynamoDB size of Keys + NewImage + OldImage as stored
  std::string_view event_id;
  std::string_view region;
  std::string_view keys;                      // item value format
  std::optional<std::string_view> new_image;  // item value format
  std::optional<std::string_view> old_image;  // item value format

  bool operator==(const StreamRecord&) const = default;
};

// A stored value, decoded. Exactly one of `json` (format 0) and `record` (format 1) is set.
struct StoredRecord {
  uint64_t written_ms = 0;
  std::optional<std::string_view> json;  // the whole JSON text, into the decoded value
  std::optional<StreamRecord> record;
};

// Appends the stored value of `record`, written at `written_ms` (epoch ms), in format 1.
void EncodeRecordValue(uint64_t written_ms, const StreamRecord& record, std::string* out);

// Overwrites written_ms and creation_ms of a value EncodeRecordValue made (so that a writer can
// encode before it takes its lock and stamp the time under it).
// REQUIRES: `value` came from EncodeRecordValue.
void SetRecordTimes(std::string* value, uint64_t written_ms, uint64_t creation_ms);

// Decodes a stored value of either format. Status::Corruption when it is shorter than its time,
// has an unknown format byte, or (format 1) a field out of range, a length past the end, an
// unknown flag or bytes after the last image.
Result<StoredRecord> DecodeRecordValue(std::string_view value);

// The written_ms of a stored value of any format; 0 when it is too short to have one.
uint64_t RecordWrittenMs(std::string_view value);

}  // namespace cairn::streams
