// Stream record codec; the byte grammar is in stream_record.h and docs/format.md
// ("Stream records"). Decoding checks every length against the bytes left before using it.
#include "streams/stream_record.h"

#include "util/big_endian.h"

namespace cairn::streams {
namespace {

constexpr size_t kTimeBytes = 8;
// Offset of creation_ms in a format-1 value: written_ms, format, event, flags, view.
constexpr size_t kCreationOffset = kTimeBytes + 4;
constexpr uint8_t kKnownFlags = kFlagByTtl | kFlagNewImage | kFlagOldImage;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(char((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(char(v));
}

void PutBytes(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}


// Reads from the front of `in_`; every Get fails instead of reading past the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool U8(uint8_t* v) {
    if (in_.empty()) return false;
    *v = uint8_t(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U64(uint64_t* v) {
    if (in_.size() < 8) return false;
    *v = ReadBigEndian64(in_);
    in_.remove_prefix(8);
    return true;
  }
  // Minimal LEB128 of at most 10 bytes, as the item value format's varints.
  bool Varint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      uint8_t b;
      if (!U8(&b)) return false;
      if (shift == 63 && b > 1) return false;  // more than 64 bits
      r |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) {
        if (b == 0 && shift > 0) return false;  // not minimal
        *v = r;
        return true;
      }
    }
    return false;
  }
  bool Bytes(std::string_view* out) {
    uint64_t n;
    if (!Varint(&n) || n > in_.size()) return false;
    *out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool empty() const { return in_.empty(); }

 private:
  std::string_view in_;
};

Status Corrupt(std::string_view what) {
  return Status::Corruption("stream record: " + std::string(what));
}

}  // namespace

std::string_view EventNameText(EventName e) {
  switch (e) {
    case EventName::kInsert:
      return "INSERT";
    case EventName::kModify:
      return "MODIFY";
    case EventName::kRemove:
      return "REMOVE";
  }
  return "";
}

std::string_view StreamViewTypeText(StreamViewType v) {
  switch (v) {
    case StreamViewType::kKeysOnly:
      return "KEYS_ONLY";
    case StreamViewType::kNewImage:
      return "NEW_IMAGE";
    case StreamViewType::kOldImage:
      return "OLD_IMAGE";
    case StreamViewType::kNewAndOldImages:
      return "NEW_AND_OLD_IMAGES";
  }
  return "";
}

std::optional<StreamViewType> ParseStreamViewType(std::string_view text) {
  for (auto v : {StreamViewType::kKeysOnly, StreamViewType::kNewImage, StreamViewType::kOldImage,
                 StreamViewType::kNewAndOldImages})
    if (StreamViewTypeText(v) == text) return v;
  return std::nullopt;
}

bool HasNewImage(StreamViewType v) {
  return v == StreamViewType::kNewImage || v == StreamViewType::kNewAndOldImages;
}

bool HasOldImage(StreamViewType v) {
  return v == StreamViewType::kOldImage || v == StreamViewType::kNewAndOldImages;
}

void EncodeRecordValue(uint64_t written_ms, const StreamRecord& r, std::string* out) {
  out->reserve(out->size() + 48 + r.event_id.size() + r.region.size() + r.keys.size() +
               (r.new_image ? r.new_image->size() : 0) + (r.old_image ? r.old_image->size() : 0));
  AppendBigEndian64(out, written_ms);
  out->push_back(char(kRecordFormatBinary));
  out->push_back(char(r.event_name));
  out->push_back(char((r.by_ttl ? kFlagByTtl : 0) | (r.new_image ? kFlagNewImage : 0) |
                      (r.old_image ? kFlagOldImage : 0)));
  out->push_back(char(r.view_type));
  AppendBigEndian64(out, r.creation_ms);
  PutVarint(out, r.size_bytes);
  PutBytes(out, r.event_id);
  PutBytes(out, r.region);
  PutBytes(out, r.keys);
  if (r.new_image) PutBytes(out, *r.new_image);
  if (r.old_image) PutBytes(out, *r.old_image);
}

void SetRecordTimes(std::string* value, uint64_t written_ms, uint64_t creation_ms) {
  PutBigEndian64(value->data(), written_ms);
  PutBigEndian64(value->data() + kCreationOffset, creation_ms);
}

uint64_t RecordWrittenMs(std::string_view value) {
  return value.size() < kTimeBytes ? 0 : ReadBigEndian64(value);
}

Result<StoredRecord> DecodeRecordValue(std::string_view value) {
  if (value.size() <= kTimeBytes) return Corrupt("shorter than its header");
  StoredRecord stored;
  stored.written_ms = ReadBigEndian64(value);
  std::string_view body = value.substr(kTimeBytes);
  if (body[0] == kRecordFormatJson) {
    stored.json = body;
    return stored;
  }
  Reader in(body);
  uint8_t format = 0, event = 0, flags = 0, view = 0;
  if (!in.U8(&format) || format != kRecordFormatBinary) return Corrupt("unknown format");
  StreamRecord r;
  if (!in.U8(&event) || event > uint8_t(EventName::kRemove)) return Corrupt("bad eventName");
  if (!in.U8(&flags) || (flags & ~kKnownFlags) != 0) return Corrupt("unknown flags");
  if (!in.U8(&view) || view > uint8_t(StreamViewType::kNewAndOldImages))
    return Corrupt("bad StreamViewType");
  r.event_name = EventName(event);
  r.by_ttl = (flags & kFlagByTtl) != 0;
  r.view_type = StreamViewType(view);
  if (!in.U64(&r.creation_ms) || !in.Varint(&r.size_bytes) || !in.Bytes(&r.event_id) ||
      !in.Bytes(&r.region) || !in.Bytes(&r.keys))
    return Corrupt("truncated");
  std::string_view image;
  if (flags & kFlagNewImage) {
    if (!in.Bytes(&image)) return Corrupt("truncated NewImage");
    r.new_image = image;
  }
  if (flags & kFlagOldImage) {
    if (!in.Bytes(&image)) return Corrupt("truncated OldImage");
    r.old_image = image;
  }
  if (!in.empty()) return Corrupt("bytes after the last image");
  stored.record = r;
  return stored;
}

}  // namespace cairn::streams
