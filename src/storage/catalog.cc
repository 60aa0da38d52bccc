// Catalog persistence. Meta-column keys (docs/format.md, "Catalog"):
//   "C:next_table_id"            -> u32 BE, the next table id to hand out
//   "C:namespace_format"         -> "2": namespaces are named by storage/namespace.h (absent:
//                                   the older "<key>_<region>", renamed by Load, below)
//   "T:" ns "\0" name            -> the table descriptor (tagged fields, below)
//   "R:" ns "\0" stream ARN      -> a retired stream: its table's descriptor at the time
// Descriptor format: a version byte (table: 2, index: 1; a table descriptor of version 1 is still
// read), then fields as (tag u8, length u32 BE, bytes); unknown tags are skipped so that later
// versions can add fields. Do not reuse or renumber tags.
// Decoding is strict about the fields this version writes: each single-valued field must appear
// exactly once (kRequiredTableTags, kRequiredIndexTags), numbers must be whole decimal text, flags
// "0"/"1", key types S, N or B. Since the encoder always writes the TTL attribute last, a version 2
// descriptor cut at any byte is missing a field or has a field longer than what is left, so
// truncation is always detected. A field added later must stay optional, or come with a new
// version (older descriptors lack it): the table settings of tags 28-33 and index tags 11-14 are
// optional (at most once), written only when they differ from their default, and always before
// the TTL attribute so that it stays last. Nothing here throws.
#include "storage/catalog.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <charconv>
#include <chrono>
#include <cstring>
#include <mutex>

#include "storage/backup_keys.h"
#include "storage/key_encoding.h"
#include "storage/namespace.h"
#include "util/big_endian.h"

namespace cairn::storage {
namespace {

constexpr std::string_view kNextIdKey = "C:next_table_id";
constexpr std::string_view kNamespaceFormatKey = "C:namespace_format";
constexpr std::string_view kNamespaceFormat = "2";
// Descriptor versions (stored: a new one gets a new number, old ones stay readable). Version 2
// requires every single-valued field it had when it was introduced (tags 1-27). Version 1
// descriptors were written before and after tables had indexes, streams and TTL (tags 20-27), so
// there only the fields of the first version are required and the later ones are optional, with
// their defaults. Index descriptors, nested, have been version 1 with all their fields (tags 1-10)
// since indexes exist. Fields added since (table tags 28-33, index tags 11-14: OnDemandThroughput,
// WarmThroughput, SSE, the table class's change time) are optional in both versions, so the
// descriptors written before them still read.
constexpr char kVersion1 = 1;
constexpr char kTableVersion = 2;
constexpr char kIndexVersion = kVersion1;

enum Tag : uint8_t {  // stored: do not renumber
  kTagId = 1,
  kTagNs = 2,
  kTagName = 3,
  kTagRegion = 4,
  kTagUuid = 5,
  kTagHash = 6,          // type byte + name
  kTagRange = 7,         // type byte + name
  kTagAttrDef = 8,       // repeated: type byte + name
  kTagPayPerRequest = 9, // "0"/"1"
  kTagRead = 10,
  kTagWrite = 11,
  kTagCreation = 12,     // doubles as decimal text
  kTagLastIncrease = 13,
  kTagLastDecrease = 14,
  kTagDecreases = 15,
  kTagBillingChange = 16,
  kTagDeletionProtection = 17,
  kTagTableClass = 18,
  kTagTag = 19,          // repeated: u32 key length, key, value
  kTagIndex = 20,        // repeated: an index descriptor (EncodeIndex)
  kTagStreamId = 21,
  kTagStreamEnabled = 22,
  kTagStreamViewType = 23,
  kTagStreamLabel = 24,
  kTagStreamCreated = 25,
  kTagTtlEnabled = 26,
  kTagTtlAttribute = 27,
  // Optional in every version (added after version 2): absent means the default.
  kTagMaxReadRequestUnits = 28,   // OnDemandThroughput; -1: no limit
  kTagMaxWriteRequestUnits = 29,
  kTagWarmReadUnits = 30,         // WarmThroughput, units per second
  kTagWarmWriteUnits = 31,
  kTagSseKmsKeyArn = 32,          // SSE with a KMS key: the key's ARN
  kTagTableClassChange = 33,      // when the table class last changed (epoch seconds)
  kTagPitrEnabled = 34,           // point-in-time recovery on since (epoch seconds)
  kTagPitrRecoveryDays = 35,      // its recovery period, 1..35 days
  kTagRestoreBackupArn = 36,      // RestoreSummary's SourceBackupArn
  kTagRestoreTableArn = 37,       // RestoreSummary's SourceTableArn
  kTagRestoreTime = 38,           // RestoreSummary's RestoreDateTime (epoch seconds)
  kTagRestoreInProgress = 39,     // "1" while the restore runs
  kTagRestoreSourceId = 40,       // what the restore reads (TableInfo::restore_source_id)
  kTagImporting = 45,             // "1" while an ImportTable fills the table (36..44: backups)
};

// Index descriptor: the same tagged-field format, nested.
enum IndexTag : uint8_t {  // stored: do not renumber
  kIdxId = 1,
  kIdxName = 2,
  kIdxGlobal = 3,
  kIdxHash = 4,        // repeated, in order: type byte + name
  kIdxRange = 5,       // repeated, in order
  kIdxProjection = 6,  // IndexInfo::Projection as decimal text
  kIdxNonKey = 7,      // repeated
  kIdxRead = 8,
  kIdxWrite = 9,
  kIdxBackfilling = 10,
  // Optional (added later): absent means the default.
  kIdxMaxReadRequestUnits = 11,  // OnDemandThroughput; -1: no limit
  kIdxMaxWriteRequestUnits = 12,
  kIdxWarmReadUnits = 13,        // WarmThroughput, units per second
  kIdxWarmWriteUnits = 14,
};

// The fields this version knows (bit n: tag n): the single-valued ones every descriptor has, the
// optional ones (at most once) and the repeated ones.
constexpr uint64_t Bits(std::initializer_list<int> tags) {
  uint64_t bits = 0;
  for (int t : tags) bits |= uint64_t(1) << t;
  return bits;
}
constexpr uint64_t kOptionalTableTags =
    Bits({kTagRange, kTagMaxReadRequestUnits, kTagMaxWriteRequestUnits, kTagWarmReadUnits,
          kTagWarmWriteUnits, kTagSseKmsKeyArn, kTagTableClassChange, kTagPitrEnabled,
          kTagPitrRecoveryDays, kTagRestoreBackupArn, kTagRestoreTableArn, kTagRestoreTime,
          kTagRestoreInProgress, kTagRestoreSourceId, kTagImporting});
constexpr uint64_t kRepeatedTableTags = Bits({kTagAttrDef, kTagTag, kTagIndex});
constexpr uint64_t kRequiredTableTags =
    Bits({kTagId, kTagNs, kTagName, kTagRegion, kTagUuid, kTagHash, kTagPayPerRequest, kTagRead,
          kTagWrite, kTagCreation, kTagLastIncrease, kTagLastDecrease, kTagDecreases,
          kTagBillingChange, kTagDeletionProtection, kTagTableClass, kTagStreamId,
          kTagStreamEnabled, kTagStreamViewType, kTagStreamLabel, kTagStreamCreated,
          kTagTtlEnabled, kTagTtlAttribute});
constexpr uint64_t kOptionalIndexTags = Bits({kIdxMaxReadRequestUnits, kIdxMaxWriteRequestUnits,
                                               kIdxWarmReadUnits, kIdxWarmWriteUnits});
constexpr uint64_t kRepeatedIndexTags = Bits({kIdxHash, kIdxRange, kIdxNonKey});
// What a version 1 table descriptor must have: the fields of the first version.
constexpr uint64_t kRequiredTableTagsV1 =
    Bits({kTagId, kTagNs, kTagName, kTagRegion, kTagUuid, kTagHash, kTagPayPerRequest, kTagRead,
          kTagWrite, kTagCreation, kTagLastIncrease, kTagLastDecrease, kTagDecreases,
          kTagBillingChange, kTagDeletionProtection, kTagTableClass});
constexpr uint64_t kRequiredIndexTags = Bits({kIdxId, kIdxName, kIdxGlobal, kIdxProjection,
                                              kIdxRead, kIdxWrite, kIdxBackfilling});

std::string TableKey(std::string_view ns, std::string_view name) {
  std::string k = "T:";
  k.append(ns);
  k.push_back('\0');
  k.append(name);
  return k;
}

std::string RetiredKey(std::string_view ns, std::string_view arn) {
  std::string k = "R:";
  k.append(ns);
  k.push_back('\0');
  k.append(arn);
  return k;
}

void Field(std::string* out, Tag tag, std::string_view v) {
  out->push_back(char(tag));
  AppendBigEndian32(out, uint32_t(v.size()));
  out->append(v);
}
std::string Typed(const KeyElement& k) {
  std::string s(1, char(k.type));
  s.append(k.name);
  return s;
}
std::string Num(double d) {
  char buf[64];
  int n = snprintf(buf, sizeof buf, "%.17g", d);
  return std::string(buf, n);
}

// Parsers of field values: false on anything but the exact text the encoder writes.
template <typename Int>
bool ParseInt(std::string_view s, Int* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}
bool ParseDouble(std::string_view s, double* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}
bool ParseFlag(std::string_view s, bool* out) {
  if (s != "0" && s != "1") return false;
  *out = s == "1";
  return true;
}
// A key attribute: type byte (S, N or B) + name.
bool ParseKey(std::string_view s, KeyElement* k) {
  if (s.empty()) return false;
  auto type = AttributeType(uint8_t(s[0]));
  if (type != AttributeType::kS && type != AttributeType::kN && type != AttributeType::kB)
    return false;
  k->type = type;
  k->name = std::string(s.substr(1));
  return true;
}

// Walks the tagged fields of `in` after its version byte and calls `field(tag, value)` for each
// known one (false: a malformed value). Checks lengths, and that each tag of `required` appears
// exactly once and each of `optional` at most once. Tags in none of the sets are skipped.
// `version` is the current version of the descriptor kind; an older version 1 descriptor requires
// only `required_v1` of `required` (the rest is optional there).
template <typename FieldFn>
Status ForEachField(std::string_view in, std::string_view what, char version, uint64_t required,
                    uint64_t required_v1, uint64_t optional, uint64_t repeated, FieldFn field) {
  if (in.empty() || (in[0] != version && in[0] != kVersion1))
    return Status::Corruption(std::string(what) + ": version");
  if (in[0] != version) {
    optional |= required & ~required_v1;
    required = required_v1;
  }
  uint64_t seen = 0;
  size_t pos = 1;
  while (pos < in.size()) {
    if (in.size() - pos < 5) return Status::Corruption(std::string(what) + ": truncated");
    uint8_t tag = uint8_t(in[pos]);
    uint32_t len = ReadBigEndian32(in.substr(pos + 1, 4));
    pos += 5;
    if (in.size() - pos < len) return Status::Corruption(std::string(what) + ": truncated");
    std::string_view v = in.substr(pos, len);
    pos += len;
    if (tag >= 64 || !((required | optional | repeated) >> tag & 1)) continue;  // a later field
    uint64_t bit = uint64_t(1) << tag;
    if ((seen & bit) && !(repeated & bit))
      return Status::Corruption(std::string(what) + ": field " + std::to_string(tag) + " repeated");
    seen |= bit;
    if (!field(tag, v))
      return Status::Corruption(std::string(what) + ": bad field " + std::to_string(tag));
  }
  if ((seen & required) != required)
    return Status::Corruption(std::string(what) + ": missing fields");
  return Status::OK();
}

}  // namespace

std::string TableInfo::Arn() const {
  return "arn:aws:dynamodb:" + region + ":000000000000:table/" + name;
}

std::string TableInfo::StreamArn() const { return Arn() + "/stream/" + stream_label; }

const IndexInfo* TableInfo::FindIndex(std::string_view index_name) const {
  for (const auto& i : indexes)
    if (i.name == index_name) return &i;
  return nullptr;
}

bool TableInfo::IsKeyAttribute(std::string_view attr) const {
  return attr == hash.name || (range && attr == range->name);
}

bool IndexInfo::IsKeyAttribute(std::string_view attr) const {
  for (const auto& k : hash)
    if (k.name == attr) return true;
  for (const auto& k : range)
    if (k.name == attr) return true;
  return false;
}

namespace {

std::string EncodeIndex(const IndexInfo& x);
Status DecodeIndex(std::string_view in, IndexInfo* x);

}  // namespace

std::string EncodeTableInfo(const TableInfo& t) {
  std::string out(1, kTableVersion);
  Field(&out, kTagId, std::to_string(t.id));
  Field(&out, kTagNs, t.ns);
  Field(&out, kTagName, t.name);
  Field(&out, kTagRegion, t.region);
  Field(&out, kTagUuid, t.table_uuid);
  Field(&out, kTagHash, Typed(t.hash));
  if (t.range) Field(&out, kTagRange, Typed(*t.range));
  for (const auto& d : t.attribute_definitions) Field(&out, kTagAttrDef, Typed(d));
  Field(&out, kTagPayPerRequest, t.pay_per_request ? "1" : "0");
  Field(&out, kTagRead, std::to_string(t.read_capacity));
  Field(&out, kTagWrite, std::to_string(t.write_capacity));
  Field(&out, kTagCreation, Num(t.creation_time));
  Field(&out, kTagLastIncrease, Num(t.last_increase_time));
  Field(&out, kTagLastDecrease, Num(t.last_decrease_time));
  Field(&out, kTagDecreases, std::to_string(t.decreases_today));
  Field(&out, kTagBillingChange, Num(t.billing_mode_change_time));
  Field(&out, kTagDeletionProtection, t.deletion_protection ? "1" : "0");
  Field(&out, kTagTableClass, t.table_class);
  for (const auto& [k, v] : t.tags) {
    std::string kv;
    AppendBigEndian32(&kv, uint32_t(k.size()));
    kv.append(k);
    kv.append(v);
    Field(&out, kTagTag, kv);
  }
  for (const auto& x : t.indexes) Field(&out, kTagIndex, EncodeIndex(x));
  Field(&out, kTagStreamId, std::to_string(t.stream_id));
  Field(&out, kTagStreamEnabled, t.stream_enabled ? "1" : "0");
  Field(&out, kTagStreamViewType, t.stream_view_type);
  Field(&out, kTagStreamLabel, t.stream_label);
  Field(&out, kTagStreamCreated, Num(t.stream_created));
  Field(&out, kTagTtlEnabled, t.ttl_enabled ? "1" : "0");
  // The optional settings, only when set; before the TTL attribute, which must stay last.
  if (t.max_read_request_units != 0)
    Field(&out, kTagMaxReadRequestUnits, std::to_string(t.max_read_request_units));
  if (t.max_write_request_units != 0)
    Field(&out, kTagMaxWriteRequestUnits, std::to_string(t.max_write_request_units));
  if (t.warm_read_units != 0) Field(&out, kTagWarmReadUnits, std::to_string(t.warm_read_units));
  if (t.warm_write_units != 0) Field(&out, kTagWarmWriteUnits, std::to_string(t.warm_write_units));
  if (!t.sse_kms_key_arn.empty()) Field(&out, kTagSseKmsKeyArn, t.sse_kms_key_arn);
  if (t.table_class_change_time != 0)
    Field(&out, kTagTableClassChange, Num(t.table_class_change_time));
  if (t.pitr_enabled_time != 0) Field(&out, kTagPitrEnabled, Num(t.pitr_enabled_time));
  if (t.pitr_recovery_days != 35)
    Field(&out, kTagPitrRecoveryDays, std::to_string(t.pitr_recovery_days));
  if (!t.restore_source_backup_arn.empty())
    Field(&out, kTagRestoreBackupArn, t.restore_source_backup_arn);
  if (!t.restore_source_table_arn.empty())
    Field(&out, kTagRestoreTableArn, t.restore_source_table_arn);
  if (t.restore_date_time != 0) Field(&out, kTagRestoreTime, Num(t.restore_date_time));
  if (t.restore_in_progress) Field(&out, kTagRestoreInProgress, "1");
  if (t.restore_source_id != 0)
    Field(&out, kTagRestoreSourceId, std::to_string(t.restore_source_id));
  if (t.importing) Field(&out, kTagImporting, "1");
  Field(&out, kTagTtlAttribute, t.ttl_attribute);
  return out;
}

Result<TableInfo> DecodeTableInfo(std::string_view in) {
  TableInfo t;
  Status s = ForEachField(
      in, "table descriptor", kTableVersion, kRequiredTableTags, kRequiredTableTagsV1,
      kOptionalTableTags, kRepeatedTableTags,
      [&t](uint8_t tag, std::string_view v) {
        switch (tag) {
          case kTagId: return ParseInt(v, &t.id);
          case kTagNs: t.ns = v; return true;
          case kTagName: t.name = v; return true;
          case kTagRegion: t.region = v; return true;
          case kTagUuid: t.table_uuid = v; return true;
          case kTagHash: return ParseKey(v, &t.hash);
          case kTagRange: return ParseKey(v, &t.range.emplace());
          case kTagAttrDef: return ParseKey(v, &t.attribute_definitions.emplace_back());
          case kTagPayPerRequest: return ParseFlag(v, &t.pay_per_request);
          case kTagRead: return ParseInt(v, &t.read_capacity);
          case kTagWrite: return ParseInt(v, &t.write_capacity);
          case kTagCreation: return ParseDouble(v, &t.creation_time);
          case kTagLastIncrease: return ParseDouble(v, &t.last_increase_time);
          case kTagLastDecrease: return ParseDouble(v, &t.last_decrease_time);
          case kTagDecreases: return ParseInt(v, &t.decreases_today);
          case kTagBillingChange: return ParseDouble(v, &t.billing_mode_change_time);
          case kTagDeletionProtection: return ParseFlag(v, &t.deletion_protection);
          case kTagTableClass: t.table_class = v; return true;
          case kTagTag: {
            if (v.size() < 4) return false;
            uint32_t kl = ReadBigEndian32(v);
            if (v.size() - 4 < kl) return false;
            t.tags.emplace_back(std::string(v.substr(4, kl)), std::string(v.substr(4 + kl)));
            return true;
          }
          case kTagIndex: return DecodeIndex(v, &t.indexes.emplace_back()).ok();
          case kTagStreamId: return ParseInt(v, &t.stream_id);
          case kTagStreamEnabled: return ParseFlag(v, &t.stream_enabled);
          case kTagStreamViewType: t.stream_view_type = v; return true;
          case kTagStreamLabel: t.stream_label = v; return true;
          case kTagStreamCreated: return ParseDouble(v, &t.stream_created);
          case kTagTtlEnabled: return ParseFlag(v, &t.ttl_enabled);
          case kTagTtlAttribute: t.ttl_attribute = v; return true;
          case kTagMaxReadRequestUnits: return ParseInt(v, &t.max_read_request_units);
          case kTagMaxWriteRequestUnits: return ParseInt(v, &t.max_write_request_units);
          case kTagWarmReadUnits: return ParseInt(v, &t.warm_read_units);
          case kTagWarmWriteUnits: return ParseInt(v, &t.warm_write_units);
          case kTagSseKmsKeyArn: t.sse_kms_key_arn = v; return true;
          case kTagTableClassChange: return ParseDouble(v, &t.table_class_change_time);
          case kTagPitrEnabled: return ParseDouble(v, &t.pitr_enabled_time);
          case kTagPitrRecoveryDays: return ParseInt(v, &t.pitr_recovery_days);
          case kTagRestoreBackupArn: t.restore_source_backup_arn = v; return true;
          case kTagRestoreTableArn: t.restore_source_table_arn = v; return true;
          case kTagRestoreTime: return ParseDouble(v, &t.restore_date_time);
          case kTagRestoreInProgress: return ParseFlag(v, &t.restore_in_progress);
          case kTagRestoreSourceId: return ParseInt(v, &t.restore_source_id);
          case kTagImporting: return ParseFlag(v, &t.importing);
        }
        return true;
      });
  if (!s.ok()) return s;
  return t;
}

namespace {

std::string EncodeIndex(const IndexInfo& x) {
  std::string out(1, kIndexVersion);
  auto field = [&out](uint8_t tag, std::string_view v) { Field(&out, Tag(tag), v); };
  field(kIdxId, std::to_string(x.id));
  field(kIdxName, x.name);
  field(kIdxGlobal, x.global ? "1" : "0");
  for (const auto& k : x.hash) field(kIdxHash, Typed(k));
  for (const auto& k : x.range) field(kIdxRange, Typed(k));
  field(kIdxProjection, std::to_string(int(x.projection)));
  for (const auto& a : x.non_key_attributes) field(kIdxNonKey, a);
  field(kIdxRead, std::to_string(x.read_capacity));
  field(kIdxWrite, std::to_string(x.write_capacity));
  if (x.max_read_request_units != 0)
    field(kIdxMaxReadRequestUnits, std::to_string(x.max_read_request_units));
  if (x.max_write_request_units != 0)
    field(kIdxMaxWriteRequestUnits, std::to_string(x.max_write_request_units));
  if (x.warm_read_units != 0) field(kIdxWarmReadUnits, std::to_string(x.warm_read_units));
  if (x.warm_write_units != 0) field(kIdxWarmWriteUnits, std::to_string(x.warm_write_units));
  field(kIdxBackfilling, x.backfilling ? "1" : "0");
  return out;
}

Status DecodeIndex(std::string_view in, IndexInfo* x) {
  return ForEachField(
      in, "index descriptor", kIndexVersion, kRequiredIndexTags, kRequiredIndexTags,
      kOptionalIndexTags, kRepeatedIndexTags,
      [x](uint8_t tag, std::string_view v) {
        switch (tag) {
          case kIdxId: return ParseInt(v, &x->id);
          case kIdxName: x->name = v; return true;
          case kIdxGlobal: return ParseFlag(v, &x->global);
          case kIdxHash: return ParseKey(v, &x->hash.emplace_back());
          case kIdxRange: return ParseKey(v, &x->range.emplace_back());
          case kIdxProjection: {
            int p = 0;
            if (!ParseInt(v, &p) || p < 0 || p > int(IndexInfo::Projection::kInclude)) return false;
            x->projection = IndexInfo::Projection(p);
            return true;
          }
          case kIdxNonKey: x->non_key_attributes.emplace_back(v); return true;
          case kIdxRead: return ParseInt(v, &x->read_capacity);
          case kIdxWrite: return ParseInt(v, &x->write_capacity);
          case kIdxBackfilling: return ParseFlag(v, &x->backfilling);
          case kIdxMaxReadRequestUnits: return ParseInt(v, &x->max_read_request_units);
          case kIdxMaxWriteRequestUnits: return ParseInt(v, &x->max_write_request_units);
          case kIdxWarmReadUnits: return ParseInt(v, &x->warm_read_units);
          case kIdxWarmWriteUnits: return ParseInt(v, &x->warm_write_units);
        }
        return true;
      });
}

// A namespace of the older format ("<key>_<region>") under today's name (storage/namespace.h).
// The table's region, stored in every descriptor, says where the key ends; "shared" (--shared-db)
// and anything else that is not of the older form keep their name.
std::string RenamedNamespace(std::string_view old_ns, std::string_view region) {
  if (old_ns == kSharedNamespace) return std::string(old_ns);
  const std::string suffix = "_" + std::string(region);
  if (!region.empty() && old_ns.size() > suffix.size() && old_ns.ends_with(suffix))
    return NamespaceOf(old_ns.substr(0, old_ns.size() - suffix.size()), region);
  size_t underscore = old_ns.rfind('_');
  if (underscore == std::string_view::npos || underscore == 0) return std::string(old_ns);
  return NamespaceOf(old_ns.substr(0, underscore), old_ns.substr(underscore + 1));
}

}  // namespace

Status Catalog::MigrateNamespaces() {
  std::string format;
  Status s = engine_->Get(Column::kMeta, kNamespaceFormatKey, &format);
  if (s.ok()) {
    if (format != kNamespaceFormat)
      return Status::Corruption("catalog: unknown namespace format '" + format + "'");
    return Status::OK();
  }
  if (!s.IsNotFound()) return s;
  // Written by an older version (or new): rename every descriptor's namespace in one batch, with
  // the marker, so that a crash leaves either the old names or the new ones.
  WriteBatch batch;
  std::vector<std::pair<std::string, std::string>> puts;  // after every delete: none undoes one
  for (std::string_view prefix : {std::string_view("T:"), std::string_view("R:")}) {
    const bool retired = prefix == "R:";
    const std::string lower(prefix), upper = lower.substr(0, 1) + ";";
    ReadOptions ro;
    ro.lower_bound = lower;
    ro.upper_bound = upper;
    auto it = engine_->NewIterator(Column::kMeta, ro);
    for (it->Seek(lower); it->Valid(); it->Next()) {
      auto info = DecodeTableInfo(it->value());
      if (!info.ok()) {
        std::string shown(it->key());
        std::replace(shown.begin(), shown.end(), '\0', '/');
        return Status::Corruption("catalog key " + shown + ": " + info.status().message());
      }
      TableInfo t = std::move(info).value();
      std::string ns = RenamedNamespace(t.ns, t.region);
      if (ns == t.ns) continue;
      batch.Delete(Column::kMeta, it->key());
      t.ns = std::move(ns);
      puts.emplace_back(retired ? RetiredKey(t.ns, t.StreamArn()) : TableKey(t.ns, t.name),
                        EncodeTableInfo(t));
    }
    CAIRN_RETURN_IF_ERROR(it->status());
  }
  for (const auto& [key, value] : puts) batch.Put(Column::kMeta, key, value);
  batch.Put(Column::kMeta, kNamespaceFormatKey, kNamespaceFormat);
  return engine_->Write(batch);
}

Status Catalog::Load() {
  std::unique_lock lock(mu_);
  // A reload (Reload) replaces the maps under this one lock hold: readers never see them empty.
  tables_.clear();
  retired_.clear();
  std::string v;
  Status s = engine_->Get(Column::kMeta, kNextIdKey, &v);
  if (s.ok()) {
    if (v.size() != 4) return Status::Corruption("catalog: C:next_table_id is not a u32");
    next_id_ = ReadBigEndian32(v);
  } else if (!s.IsNotFound()) {
    return s;
  }
  CAIRN_RETURN_IF_ERROR(MigrateNamespaces());
  // Each descriptor must be stored under its own key: a table's name, a retired stream's ARN.
  auto load = [this](std::string_view prefix, bool retired) -> Status {
    const std::string lower(prefix), upper = lower.substr(0, 1) + ";";  // every "<X>:" key
    ReadOptions ro;
    ro.lower_bound = lower;
    ro.upper_bound = upper;
    auto it = engine_->NewIterator(Column::kMeta, ro);
    for (it->Seek(lower); it->Valid(); it->Next()) {
      std::string_view key = it->key();
      std::string shown(key);
      std::replace(shown.begin(), shown.end(), '\0', '/');
      auto info = DecodeTableInfo(it->value());
      if (!info.ok())
        return Status::Corruption("catalog key " + shown + ": " + info.status().message());
      auto p = std::make_shared<const TableInfo>(std::move(info).value());
      if (retired ? (p->stream_id == 0 || key != RetiredKey(p->ns, p->StreamArn()))
                  : key != TableKey(p->ns, p->name))
        return Status::Corruption("catalog key " + shown + ": holds another table's descriptor");
      if (retired) {
        retired_[p->ns][p->StreamArn()] = std::move(p);
      } else {
        if (p->id >= next_id_) next_id_ = p->id + 1;
        tables_[p->ns][p->name] = std::move(p);
      }
    }
    return it->status();
  };
  CAIRN_RETURN_IF_ERROR(load("T:", false));
  return load("R:", true);
}

std::shared_ptr<const TableInfo> Catalog::Find(std::string_view ns, std::string_view name) const {
  std::shared_lock lock(mu_);
  auto n = tables_.find(ns);
  if (n == tables_.end()) return nullptr;
  auto t = n->second.find(name);
  return t == n->second.end() ? nullptr : t->second;
}

Result<std::shared_ptr<const TableInfo>> Catalog::Create(TableInfo info) {
  std::unique_lock lock(mu_);
  auto& names = tables_[info.ns];
  if (names.count(info.name)) return Status::Busy("table exists");
  info.id = next_id_;
  uint32_t next_id = next_id_ + 1;
  for (auto& x : info.indexes) x.id = next_id++;
  WriteBatch b;
  std::string next;
  AppendBigEndian32(&next, next_id);
  b.Put(Column::kMeta, kNextIdKey, next);
  b.Put(Column::kMeta, TableKey(info.ns, info.name), EncodeTableInfo(info));
  CAIRN_RETURN_IF_ERROR(engine_->Write(b));
  next_id_ = next_id;
  auto p = std::make_shared<const TableInfo>(std::move(info));
  names[p->name] = p;
  return p;
}

Result<uint32_t> Catalog::AllocateId() {
  std::unique_lock lock(mu_);
  WriteBatch b;
  std::string next;
  AppendBigEndian32(&next, next_id_ + 1);
  b.Put(Column::kMeta, kNextIdKey, next);
  CAIRN_RETURN_IF_ERROR(engine_->Write(b));
  return next_id_++;
}

std::shared_ptr<const TableInfo>* Catalog::FindLocked(std::string_view ns, std::string_view name,
                                                     uint32_t id) {
  auto n = tables_.find(ns);
  if (n == tables_.end()) return nullptr;
  auto t = n->second.find(name);
  if (t == n->second.end() || t->second->id != id) return nullptr;
  return &t->second;
}

std::shared_ptr<const TableInfo> Catalog::RetireStreamInto(const TableInfo& table,
                                                           WriteBatch* batch) {
  auto retired = std::make_shared<TableInfo>(table);
  retired->stream_enabled = false;
  batch->Put(Column::kMeta, RetiredKey(retired->ns, retired->StreamArn()),
             EncodeTableInfo(*retired));
  return retired;
}

namespace {

// What a point-in-time restore takes from a table's descriptor (api/backup_ops.cc RestoreTarget),
// encoded: an index whose backfill ends is not a change of it.
std::string RestoredSchema(const TableInfo& t) {
  TableInfo s;
  s.hash = t.hash;
  s.range = t.range;
  s.attribute_definitions = t.attribute_definitions;
  s.pay_per_request = t.pay_per_request;
  s.read_capacity = t.read_capacity;
  s.write_capacity = t.write_capacity;
  s.max_read_request_units = t.max_read_request_units;
  s.max_write_request_units = t.max_write_request_units;
  s.sse_kms_key_arn = t.sse_kms_key_arn;
  s.table_class = t.table_class;
  s.indexes = t.indexes;
  for (auto& x : s.indexes) x.backfilling = false;
  return EncodeTableInfo(s);
}

}  // namespace

// Point-in-time recovery of the schema (backup_keys.h, schema record): the descriptor before a
// change of what a restore takes from it, in the change's own batch, stamped now.
void Catalog::StageSchemaRecord(const TableInfo& before, const TableInfo& after,
                                WriteBatch* batch) {
  if (RestoredSchema(before) == RestoredSchema(after)) return;
  static std::atomic<uint64_t> sequence{0};
  const uint64_t now_us = uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  batch->Put(Column::kBackup,
             ChangeRecordKey(before.id, now_us, kSchemaRecordSeqBit | sequence.fetch_add(1)),
             SchemaRecordValue(EncodeTableInfo(before)));
}

Status Catalog::Modify(std::string_view ns, std::string_view name, uint32_t id,
                       const Change& change, std::shared_ptr<const TableInfo>* published) {
  std::unique_lock lock(mu_);
  std::shared_ptr<const TableInfo>* slot = FindLocked(ns, name, id);
  if (!slot) return Status::NotFound();
  const TableInfo& before = **slot;
  auto after = std::make_shared<TableInfo>(before);
  CAIRN_RETURN_IF_ERROR(change(*after));
  assert(after->ns == before.ns && after->name == before.name && after->id == before.id);
  WriteBatch batch;
  batch.Put(Column::kMeta, TableKey(after->ns, after->name), EncodeTableInfo(*after));
  if (before.pitr_enabled_time != 0 && after->pitr_enabled_time != 0)
    StageSchemaRecord(before, *after, &batch);
  std::shared_ptr<const TableInfo> retired;
  if (before.stream_id != 0 && after->stream_id != before.stream_id)
    retired = RetireStreamInto(before, &batch);
  CAIRN_RETURN_IF_ERROR(engine_->Write(batch));
  if (retired) retired_[retired->ns][retired->StreamArn()] = retired;
  *slot = after;
  if (published) *published = std::move(after);
  return Status::OK();
}

std::vector<std::shared_ptr<const TableInfo>> Catalog::TablesBackfilling() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const TableInfo>> out;
  for (const auto& [ns, names] : tables_)
    for (const auto& [name, t] : names)
      for (const auto& x : t->indexes)
        if (x.backfilling) {
          out.push_back(t);
          break;
        }
  return out;
}

Status Catalog::Drop(std::string_view ns, std::string_view name, uint32_t id,
                     const std::function<Status(const TableInfo&)>& check,
                     std::shared_ptr<const TableInfo>* dropped) {
  std::unique_lock lock(mu_);
  auto n = tables_.find(ns);
  if (n == tables_.end()) return Status::NotFound();
  auto t = n->second.find(name);
  if (t == n->second.end() || t->second->id != id) return Status::NotFound();
  std::shared_ptr<const TableInfo> table = t->second;
  if (check) CAIRN_RETURN_IF_ERROR(check(*table));
  WriteBatch b;
  b.Delete(Column::kMeta, TableKey(ns, name));
  b.DeleteRange(Column::kData, TablePrefix(id), TableEnd(id));
  for (const auto& x : table->indexes)
    b.DeleteRange(Column::kIndex, TablePrefix(x.id), TableEnd(x.id));
  // Its point-in-time recovery change log (backup_keys.h). Cairn keeps no PITR window for a
  // deleted table (DynamoDB keeps 35 days of it).
  b.DeleteRange(Column::kBackup, TablePrefix(id), TableEnd(id));
  // DynamoDB: the stream of a deleted table is DISABLED and stays readable for 24 hours.
  std::shared_ptr<const TableInfo> retired;
  if (table->stream_id != 0) retired = RetireStreamInto(*table, &b);
  CAIRN_RETURN_IF_ERROR(engine_->Write(b));
  if (retired) retired_[retired->ns][retired->StreamArn()] = retired;
  n->second.erase(t);
  lock.unlock();  // compaction requests need not hold up the catalog
  engine_->CompactRange(Column::kData, TablePrefix(id), TableEnd(id));
  for (const auto& x : table->indexes)
    engine_->CompactRange(Column::kIndex, TablePrefix(x.id), TableEnd(x.id));
  if (dropped) *dropped = std::move(table);
  return Status::OK();
}

Result<size_t> Catalog::DropAll(const std::string* ns) {
  std::unique_lock lock(mu_);
  WriteBatch b;
  size_t dropped = 0;
  std::vector<std::pair<Column, uint32_t>> ranges;  // what to compact afterwards
  auto drop_range = [&](Column c, uint32_t id) {
    b.DeleteRange(c, TablePrefix(id), TableEnd(id));
    ranges.emplace_back(c, id);
  };
  for (const auto& [space, tables] : tables_) {
    if (ns != nullptr && space != *ns) continue;
    for (const auto& [name, t] : tables) {
      b.Delete(Column::kMeta, TableKey(space, name));
      drop_range(Column::kData, t->id);
      for (const auto& x : t->indexes) drop_range(Column::kIndex, x.id);
      if (t->stream_id != 0) drop_range(Column::kStream, t->stream_id);
      drop_range(Column::kBackup, t->id);  // its point-in-time recovery log, as Drop does
      ++dropped;
    }
  }
  for (const auto& [space, streams] : retired_) {
    if (ns != nullptr && space != *ns) continue;
    for (const auto& [arn, t] : streams) {
      b.Delete(Column::kMeta, RetiredKey(space, arn));
      drop_range(Column::kStream, t->stream_id);
    }
  }
  if (b.empty()) return size_t{0};
  CAIRN_RETURN_IF_ERROR(engine_->Write(b));
  if (ns == nullptr) {
    tables_.clear();
    retired_.clear();
  } else {
    tables_.erase(*ns);
    retired_.erase(*ns);
  }
  lock.unlock();
  for (const auto& [c, id] : ranges) engine_->CompactRange(c, TablePrefix(id), TableEnd(id));
  return dropped;
}

Status Catalog::Reload() {
  uint32_t floor;
  {
    std::shared_lock lock(mu_);
    floor = next_id_;
  }
  CAIRN_RETURN_IF_ERROR(Load());
  std::unique_lock lock(mu_);
  if (next_id_ < floor) {
    next_id_ = floor;
    std::string v;
    AppendBigEndian32(&v, floor);
    WriteBatch b;
    b.Put(Column::kMeta, kNextIdKey, v);
    CAIRN_RETURN_IF_ERROR(engine_->Write(b));
  }
  return Status::OK();
}

std::shared_ptr<const TableInfo> Catalog::FindRetiredStream(std::string_view ns,
                                                            std::string_view arn) const {
  std::shared_lock lock(mu_);
  auto n = retired_.find(ns);
  if (n == retired_.end()) return nullptr;
  auto s = n->second.find(arn);
  return s == n->second.end() ? nullptr : s->second;
}

std::vector<std::shared_ptr<const TableInfo>> Catalog::RetiredStreams(std::string_view ns) const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const TableInfo>> out;
  auto n = retired_.find(ns);
  if (n != retired_.end())
    for (const auto& [arn, t] : n->second) out.push_back(t);
  return out;
}

std::vector<std::shared_ptr<const TableInfo>> Catalog::AllRetiredStreams() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const TableInfo>> out;
  for (const auto& [ns, arns] : retired_)
    for (const auto& [arn, t] : arns) out.push_back(t);
  return out;
}

std::vector<std::shared_ptr<const TableInfo>> Catalog::AllTables() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const TableInfo>> out;
  for (const auto& [ns, names] : tables_)
    for (const auto& [name, t] : names) out.push_back(t);
  return out;
}

std::vector<std::string> Catalog::List(std::string_view ns) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  auto n = tables_.find(ns);
  if (n == tables_.end()) return out;
  out.reserve(n->second.size());
  for (const auto& [name, t] : n->second) out.push_back(name);
  return out;
}

}  // namespace cairn::storage
