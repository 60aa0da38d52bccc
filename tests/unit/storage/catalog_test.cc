// Catalog: the table descriptor codec and the catalog's changes.
// The codec round-trips every field of TableInfo and IndexInfo, and any malformed descriptor
// (truncated at any byte, flipped bytes, numbers that are not numbers, impossible lengths, missing
// or repeated fields, a bad version or type byte) decodes to Status::Corruption without throwing.
// Modify() applies each change to the descriptor current at that moment, so concurrent changes are
// all kept; a refused change publishes nothing; a dropped table is NotFound. Load() reports a
// corrupt catalog as Corruption. Runs on the in-memory RocksDB engine.
#include "storage/catalog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "storage/database_snapshots.h"
#include "storage/engine.h"
#include "storage/key_encoding.h"
#include "storage/namespace.h"

namespace cairn::storage {
namespace {

// ---------------------------------------------------------------------------------------------
// Descriptors.

IndexInfo FullGlobalIndex() {
  IndexInfo x;
  x.id = 4000000001u;
  x.name = "by-owner.and_date";
  x.global = true;
  x.hash = {{"owner", AttributeType::kS}, {"region", AttributeType::kB}};
  x.range = {{"date", AttributeType::kN}, {"seq", AttributeType::kS}};
  x.projection = IndexInfo::Projection::kInclude;
  x.non_key_attributes = {"title", "", std::string("a\0b", 3)};
  x.read_capacity = 7;
  x.write_capacity = 9000000000ll;
  x.max_read_request_units = -1;
  x.max_write_request_units = 123456;
  x.warm_read_units = 15000;
  x.warm_write_units = 9000000001ll;
  x.backfilling = true;
  return x;
}

IndexInfo LocalIndex() {
  IndexInfo x;
  x.id = 12;
  x.name = "lsi";
  x.global = false;
  x.hash = {{"pk", AttributeType::kS}};
  x.range = {{"other", AttributeType::kN}};
  x.projection = IndexInfo::Projection::kKeysOnly;
  return x;
}

// Every field set, none to its default.
TableInfo FullTable() {
  TableInfo t;
  t.id = 4294967295u;
  t.ns = "AKIDEXAMPLE_us-east-1";
  t.name = "Orders.v2-test_1";
  t.region = "eu-west-3";
  t.table_uuid = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
  t.hash = {"pk", AttributeType::kS};
  t.range = KeyElement{"sk", AttributeType::kB};
  t.attribute_definitions = {{"sk", AttributeType::kB},
                             {"pk", AttributeType::kS},
                             {"date", AttributeType::kN}};
  t.pay_per_request = true;
  t.read_capacity = 40000;
  t.write_capacity = -3;
  t.creation_time = 1764000000.123;
  t.last_increase_time = 1764000001.5;
  t.last_decrease_time = 0.001;
  t.decreases_today = 27;
  t.billing_mode_change_time = 1764000002.25;
  t.deletion_protection = true;
  t.table_class = "STANDARD_INFREQUENT_ACCESS";
  t.table_class_change_time = 1764000004.5;
  t.pitr_enabled_time = 1764000005.75;
  t.pitr_recovery_days = 7;
  t.restore_source_backup_arn =
      "arn:aws:dynamodb:eu-west-3:000000000000:table/src/backup/01764000006000-0badf00d";
  t.restore_source_table_arn = "arn:aws:dynamodb:eu-west-3:000000000000:table/src";
  t.restore_date_time = 1764000006.5;
  t.restore_in_progress = true;
  t.restore_source_id = 77;
  t.max_read_request_units = 250;
  t.max_write_request_units = -1;
  t.warm_read_units = 12001;
  t.warm_write_units = 40000;
  t.sse_kms_key_arn = "arn:aws:kms:eu-west-3:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  t.tags = {{"env", "prod"}, {"empty", ""}, {std::string("k\0y", 3), std::string("v\0\xff", 3)}};
  t.indexes = {LocalIndex(), FullGlobalIndex()};
  t.stream_id = 77;
  t.stream_enabled = true;
  t.stream_view_type = "NEW_AND_OLD_IMAGES";
  t.stream_label = "2026-11-23T22:10:00.123";
  t.stream_created = 1764000003.75;
  t.ttl_enabled = true;
  t.ttl_attribute = "expires_at";
  return t;
}

void ExpectKeyEq(const KeyElement& a, const KeyElement& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.type, b.type);
}

void ExpectKeysEq(const std::vector<KeyElement>& a, const std::vector<KeyElement>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ExpectKeyEq(a[i], b[i]);
}

void ExpectIndexEq(const IndexInfo& a, const IndexInfo& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.global, b.global);
  ExpectKeysEq(a.hash, b.hash);
  ExpectKeysEq(a.range, b.range);
  EXPECT_EQ(a.projection, b.projection);
  EXPECT_EQ(a.non_key_attributes, b.non_key_attributes);
  EXPECT_EQ(a.read_capacity, b.read_capacity);
  EXPECT_EQ(a.write_capacity, b.write_capacity);
  EXPECT_EQ(a.max_read_request_units, b.max_read_request_units);
  EXPECT_EQ(a.max_write_request_units, b.max_write_request_units);
  EXPECT_EQ(a.warm_read_units, b.warm_read_units);
  EXPECT_EQ(a.warm_write_units, b.warm_write_units);
  EXPECT_EQ(a.backfilling, b.backfilling);
  EXPECT_FALSE(b.deleting);  // not stored
}

void ExpectTableEq(const TableInfo& a, const TableInfo& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.ns, b.ns);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.region, b.region);
  EXPECT_EQ(a.table_uuid, b.table_uuid);
  ExpectKeyEq(a.hash, b.hash);
  ASSERT_EQ(a.range.has_value(), b.range.has_value());
  if (a.range) ExpectKeyEq(*a.range, *b.range);
  ExpectKeysEq(a.attribute_definitions, b.attribute_definitions);
  EXPECT_EQ(a.pay_per_request, b.pay_per_request);
  EXPECT_EQ(a.read_capacity, b.read_capacity);
  EXPECT_EQ(a.write_capacity, b.write_capacity);
  EXPECT_EQ(a.creation_time, b.creation_time);  // exact: %.17g round-trips a double
  EXPECT_EQ(a.last_increase_time, b.last_increase_time);
  EXPECT_EQ(a.last_decrease_time, b.last_decrease_time);
  EXPECT_EQ(a.decreases_today, b.decreases_today);
  EXPECT_EQ(a.billing_mode_change_time, b.billing_mode_change_time);
  EXPECT_EQ(a.deletion_protection, b.deletion_protection);
  EXPECT_EQ(a.table_class, b.table_class);
  EXPECT_EQ(a.table_class_change_time, b.table_class_change_time);
  EXPECT_EQ(a.pitr_enabled_time, b.pitr_enabled_time);
  EXPECT_EQ(a.pitr_recovery_days, b.pitr_recovery_days);
  EXPECT_EQ(a.restore_source_backup_arn, b.restore_source_backup_arn);
  EXPECT_EQ(a.restore_source_table_arn, b.restore_source_table_arn);
  EXPECT_EQ(a.restore_date_time, b.restore_date_time);
  EXPECT_EQ(a.restore_in_progress, b.restore_in_progress);
  EXPECT_EQ(a.restore_source_id, b.restore_source_id);
  EXPECT_EQ(a.max_read_request_units, b.max_read_request_units);
  EXPECT_EQ(a.max_write_request_units, b.max_write_request_units);
  EXPECT_EQ(a.warm_read_units, b.warm_read_units);
  EXPECT_EQ(a.warm_write_units, b.warm_write_units);
  EXPECT_EQ(a.sse_kms_key_arn, b.sse_kms_key_arn);
  EXPECT_EQ(a.tags, b.tags);
  ASSERT_EQ(a.indexes.size(), b.indexes.size());
  for (size_t i = 0; i < a.indexes.size(); ++i) ExpectIndexEq(a.indexes[i], b.indexes[i]);
  EXPECT_EQ(a.stream_id, b.stream_id);
  EXPECT_EQ(a.stream_enabled, b.stream_enabled);
  EXPECT_EQ(a.stream_view_type, b.stream_view_type);
  EXPECT_EQ(a.stream_label, b.stream_label);
  EXPECT_EQ(a.stream_created, b.stream_created);
  EXPECT_EQ(a.ttl_enabled, b.ttl_enabled);
  EXPECT_EQ(a.ttl_attribute, b.ttl_attribute);
}

// Decodes without letting an exception escape the test: a throw is a failure of its own.
Result<TableInfo> DecodeNoThrow(std::string_view bytes) {
  try {
    return DecodeTableInfo(bytes);
  } catch (...) {
    ADD_FAILURE() << "DecodeTableInfo threw";
    return Status::IOError("threw");
  }
}

void ExpectCorruption(std::string_view bytes, const std::string& what) {
  Result<TableInfo> r = DecodeNoThrow(bytes);
  ASSERT_FALSE(r.ok()) << what;
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption) << what << ": " << r.status().ToString();
}

// The tagged fields of an encoding (docs/format.md: version byte, then (tag u8, length u32 BE,
// bytes)), so that a test can corrupt one field and put the descriptor back together.
struct Fields {
  char version;
  std::vector<std::pair<uint8_t, std::string>> fields;
};

Fields Split(std::string_view enc) {
  Fields f{enc[0], {}};
  size_t pos = 1;
  while (pos < enc.size()) {
    auto u = reinterpret_cast<const unsigned char*>(enc.data() + pos + 1);
    uint32_t len = (uint32_t(u[0]) << 24) | (uint32_t(u[1]) << 16) | (uint32_t(u[2]) << 8) | u[3];
    f.fields.emplace_back(uint8_t(enc[pos]), std::string(enc.substr(pos + 5, len)));
    pos += 5 + len;
  }
  return f;
}

void PutField(std::string* out, uint8_t tag, std::string_view v, uint32_t len) {
  out->push_back(char(tag));
  char b[4] = {char(len >> 24), char(len >> 16), char(len >> 8), char(len)};
  out->append(b, 4);
  out->append(v);
}

std::string Join(const Fields& f) {
  std::string out(1, f.version);
  for (const auto& [tag, v] : f.fields) PutField(&out, tag, v, uint32_t(v.size()));
  return out;
}

// The encoding of FullTable() with the (first) field `tag` set to `value`.
std::string WithField(uint8_t tag, std::string value) {
  Fields f = Split(EncodeTableInfo(FullTable()));
  for (auto& [t, v] : f.fields)
    if (t == tag) {
      v = std::move(value);
      return Join(f);
    }
  ADD_FAILURE() << "no field " << int(tag);
  return "";
}

// Tags of docs/format.md.
constexpr uint8_t kId = 1, kHash = 6, kRange = 7, kAttrDef = 8, kPayPerRequest = 9, kRead = 10,
                  kWrite = 11, kCreation = 12, kLastIncrease = 13, kLastDecrease = 14,
                  kDecreases = 15, kBillingChange = 16, kDeletionProtection = 17, kTag = 19,
                  kIndex = 20, kStreamId = 21, kStreamEnabled = 22, kStreamCreated = 25,
                  kTtlEnabled = 26, kTtlAttribute = 27, kMaxReadRequestUnits = 28,
                  kMaxWriteRequestUnits = 29, kWarmReadUnits = 30, kWarmWriteUnits = 31,
                  kSseKmsKeyArn = 32, kTableClassChange = 33, kPitrEnabled = 34,
                  kPitrRecoveryDays = 35, kRestoreBackupArn = 36, kRestoreTableArn = 37,
                  kRestoreTime = 38, kRestoreInProgress = 39, kRestoreSourceId = 40;
constexpr uint8_t kIdxId = 1, kIdxGlobal = 3, kIdxHash = 4, kIdxProjection = 6, kIdxRead = 8,
                  kIdxBackfilling = 10, kIdxMaxReadRequestUnits = 11,
                  kIdxMaxWriteRequestUnits = 12, kIdxWarmReadUnits = 13, kIdxWarmWriteUnits = 14;
// The table and index tags that are optional in every version (added after version 2).
const std::set<uint8_t> kLaterOptionalTags = {kMaxReadRequestUnits, kMaxWriteRequestUnits,
                                              kWarmReadUnits,       kWarmWriteUnits,
                                              kSseKmsKeyArn,        kTableClassChange,
                                              kPitrEnabled,         kPitrRecoveryDays,
                                              kRestoreBackupArn,    kRestoreTableArn,
                                              kRestoreTime,         kRestoreInProgress,
                                              kRestoreSourceId};
const std::set<uint8_t> kLaterOptionalIndexTags = {kIdxMaxReadRequestUnits,
                                                   kIdxMaxWriteRequestUnits, kIdxWarmReadUnits,
                                                   kIdxWarmWriteUnits};

// The encoding of FullTable() with field `tag` of its global index set to `value`.
std::string WithIndexField(uint8_t tag, std::string value) {
  Fields f = Split(EncodeTableInfo(FullTable()));
  for (auto& [t, v] : f.fields) {
    if (t != kIndex || v.find("by-owner") == std::string::npos) continue;
    Fields x = Split(v);
    for (auto& [xt, xv] : x.fields)
      if (xt == tag) {
        xv = std::move(value);
        v = Join(x);
        return Join(f);
      }
  }
  ADD_FAILURE() << "no index field " << int(tag);
  return "";
}

// ---------------------------------------------------------------------------------------------
// Codec.

TEST(CatalogCodecTest, RoundTripsEveryField) {
  TableInfo t = FullTable();
  std::string enc = EncodeTableInfo(t);
  Result<TableInfo> back = DecodeNoThrow(enc);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectTableEq(t, *back);
  EXPECT_EQ(EncodeTableInfo(*back), enc);
}

TEST(CatalogCodecTest, RoundTripsDefaultsAndNoRange) {
  TableInfo t;  // every field at its default; no range key, no index, no tag, no stream
  Result<TableInfo> back = DecodeNoThrow(EncodeTableInfo(t));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectTableEq(t, *back);
  EXPECT_FALSE(back->range.has_value());

  t = FullTable();
  t.range.reset();
  t.indexes = {IndexInfo()};  // an index at its defaults too
  back = DecodeNoThrow(EncodeTableInfo(t));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectTableEq(t, *back);
}

// The settings added after version 2 are written only when set, and read back as set; a descriptor
// written before them (without their tags, table or index) still reads, with their defaults.
TEST(CatalogCodecTest, LaterOptionalFieldsAreWrittenWhenSetAndDefaultWhenAbsent) {
  for (const auto& [tag, v] : Split(EncodeTableInfo(TableInfo())).fields)
    EXPECT_FALSE(kLaterOptionalTags.count(tag)) << "default table writes tag " << int(tag);
  TableInfo with_index;
  with_index.indexes = {IndexInfo()};
  for (const auto& [tag, v] : Split(EncodeTableInfo(with_index)).fields) {
    if (tag != kIndex) continue;
    for (const auto& [xt, xv] : Split(v).fields)
      EXPECT_FALSE(kLaterOptionalIndexTags.count(xt)) << "default index writes tag " << int(xt);
  }

  Fields f = Split(EncodeTableInfo(FullTable()));
  size_t table_tags = 0, index_tags = 0;
  for (const auto& [tag, v] : f.fields) table_tags += kLaterOptionalTags.count(tag);
  EXPECT_EQ(table_tags, kLaterOptionalTags.size());
  std::erase_if(f.fields, [](const auto& field) { return kLaterOptionalTags.count(field.first); });
  for (auto& [tag, v] : f.fields) {
    if (tag != kIndex) continue;
    Fields x = Split(v);
    for (const auto& [xt, xv] : x.fields) index_tags += kLaterOptionalIndexTags.count(xt);
    std::erase_if(x.fields,
                  [](const auto& field) { return kLaterOptionalIndexTags.count(field.first); });
    v = Join(x);
  }
  EXPECT_EQ(index_tags, kLaterOptionalIndexTags.size());  // the global index's
  for (char version : {'\2', '\1'}) {
    f.version = version;
    Result<TableInfo> back = DecodeNoThrow(Join(f));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    TableInfo expected = FullTable();
    expected.table_class_change_time = 0;
    expected.pitr_enabled_time = 0;
    expected.pitr_recovery_days = 35;
    expected.restore_source_backup_arn.clear();
    expected.restore_source_table_arn.clear();
    expected.restore_date_time = 0;
    expected.restore_in_progress = false;
    expected.restore_source_id = 0;
    expected.max_read_request_units = expected.max_write_request_units = 0;
    expected.warm_read_units = expected.warm_write_units = 0;
    expected.sse_kms_key_arn.clear();
    for (auto& x : expected.indexes) {
      x.max_read_request_units = x.max_write_request_units = 0;
      x.warm_read_units = x.warm_write_units = 0;
    }
    ExpectTableEq(expected, *back);
  }
}

TEST(CatalogCodecTest, RoundTripsEveryProjectionAndKeyType) {
  for (auto projection : {IndexInfo::Projection::kAll, IndexInfo::Projection::kKeysOnly,
                          IndexInfo::Projection::kInclude})
    for (auto type : {AttributeType::kS, AttributeType::kN, AttributeType::kB}) {
      TableInfo t = FullTable();
      t.hash.type = type;
      t.indexes[1].projection = projection;
      t.indexes[1].range[0].type = type;
      Result<TableInfo> back = DecodeNoThrow(EncodeTableInfo(t));
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      ExpectTableEq(t, *back);
    }
}

TEST(CatalogCodecTest, SkipsFieldsOfLaterVersions) {
  Fields f = Split(EncodeTableInfo(FullTable()));
  f.fields.insert(f.fields.begin() + 3, {200, "from the future"});
  f.fields.emplace_back(63, "");
  Result<TableInfo> back = DecodeNoThrow(Join(f));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectTableEq(FullTable(), *back);
}

TEST(CatalogCodecTest, TruncationAtEveryOffsetIsCorruption) {
  std::string enc = EncodeTableInfo(FullTable());
  ASSERT_GT(enc.size(), 300u);
  for (size_t n = 0; n < enc.size(); ++n)
    ExpectCorruption(std::string_view(enc).substr(0, n), "truncated to " + std::to_string(n));
  // A minimal descriptor too (no range, tags, indexes).
  enc = EncodeTableInfo(TableInfo());
  for (size_t n = 0; n < enc.size(); ++n)
    ExpectCorruption(std::string_view(enc).substr(0, n), "default truncated to " +
                                                             std::to_string(n));
}

TEST(CatalogCodecTest, FlippedBytesNeverThrow) {
  std::string enc = EncodeTableInfo(FullTable());
  size_t corrupt = 0, decoded = 0;
  for (size_t i = 0; i < enc.size(); ++i)
    for (unsigned mask : {0x01u, 0x10u, 0x80u, 0xFFu}) {
      std::string bad = enc;
      bad[i] = char(uint8_t(bad[i]) ^ mask);
      Result<TableInfo> r = DecodeNoThrow(bad);
      if (r.ok()) {
        ++decoded;  // e.g. a changed letter of a name: still a well-formed descriptor
      } else {
        ++corrupt;
        EXPECT_EQ(r.status().code(), Status::Code::kCorruption) << r.status().ToString();
      }
    }
  EXPECT_GT(corrupt, 0u);
  EXPECT_GT(decoded, 0u);
}

TEST(CatalogCodecTest, BadVersionIsCorruption) {
  std::string enc = EncodeTableInfo(FullTable());
  ExpectCorruption("", "empty");
  for (char v : {'\0', '\3', '\x7f', '\xff', '1', '2'}) {
    std::string bad = enc;
    bad[0] = v;
    ExpectCorruption(bad, "version " + std::to_string(int(uint8_t(v))));
  }
  Fields f = Split(enc);
  for (auto& [tag, v] : f.fields)
    if (tag == kIndex) v[0] = '\x02';
  ExpectCorruption(Join(f), "index version 2");
}

// Version 1 table descriptors (written before this version) stay readable: those written before
// tables had indexes, streams and TTL lack tags 20-27, which then take their defaults; those
// written since have them. A version 2 descriptor without them is corrupt.
TEST(CatalogCodecTest, ReadsVersion1Descriptors) {
  Fields f = Split(EncodeTableInfo(FullTable()));
  std::string full_v1 = Join(f);
  full_v1[0] = '\1';
  Result<TableInfo> back = DecodeNoThrow(full_v1);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectTableEq(FullTable(), *back);

  Fields old = f;
  std::erase_if(old.fields, [](const auto& field) { return field.first >= 20; });
  std::string first_version = Join(old);
  ExpectCorruption(first_version, "version 2 without tags 20-27");
  first_version[0] = '\1';
  back = DecodeNoThrow(first_version);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->name, FullTable().name);
  EXPECT_TRUE(back->indexes.empty());
  EXPECT_EQ(back->stream_id, 0u);
  EXPECT_FALSE(back->stream_enabled);
  EXPECT_FALSE(back->ttl_enabled);
  EXPECT_EQ(back->ttl_attribute, "");
  // Still strict about the first version's fields.
  std::erase_if(old.fields, [](const auto& field) { return field.first == 18; });
  std::string missing = Join(old);
  missing[0] = '\1';
  ExpectCorruption(missing, "version 1 without table class");
}

TEST(CatalogCodecTest, NonNumericNumbersAreCorruption) {
  const std::vector<std::string> not_integers = {"", "abc", "12abc", " 12", "12 ", "+1", "1.5",
                                                 "0x10", "1e3", "99999999999999999999999"};
  for (uint8_t tag : {kId, kRead, kWrite, kDecreases, kStreamId, kMaxReadRequestUnits,
                      kMaxWriteRequestUnits, kWarmReadUnits, kWarmWriteUnits})
    for (const auto& bad : not_integers)
      ExpectCorruption(WithField(tag, bad), "tag " + std::to_string(tag) + " = '" + bad + "'");
  for (uint8_t tag : {kId, kStreamId}) {  // u32
    ExpectCorruption(WithField(tag, "-1"), "negative u32");
    ExpectCorruption(WithField(tag, "4294967296"), "u32 overflow");
  }
  const std::vector<std::string> not_doubles = {"", "abc", "1.5x", " 1", "1e99999", "--1", "1..2",
                                                "0x1p3"};
  for (uint8_t tag : {kCreation, kLastIncrease, kLastDecrease, kBillingChange, kStreamCreated,
                      kTableClassChange})
    for (const auto& bad : not_doubles)
      ExpectCorruption(WithField(tag, bad), "tag " + std::to_string(tag) + " = '" + bad + "'");
  for (uint8_t tag : {kIdxId, kIdxRead, kIdxMaxReadRequestUnits, kIdxMaxWriteRequestUnits,
                      kIdxWarmReadUnits, kIdxWarmWriteUnits})
    for (const auto& bad : not_integers)
      ExpectCorruption(WithIndexField(tag, bad), "index tag " + std::to_string(tag));
  for (std::string bad : {"", "3", "-1", "255", "x", "0 "})
    ExpectCorruption(WithIndexField(kIdxProjection, bad), "projection '" + bad + "'");
}

TEST(CatalogCodecTest, BadFlagsAndTypeBytesAreCorruption) {
  for (uint8_t tag : {kPayPerRequest, kDeletionProtection, kStreamEnabled, kTtlEnabled})
    for (std::string bad : {"", "2", "true", "01", "1 "})
      ExpectCorruption(WithField(tag, bad), "flag " + std::to_string(tag) + " = '" + bad + "'");
  for (uint8_t tag : {kIdxGlobal, kIdxBackfilling})
    ExpectCorruption(WithIndexField(tag, "yes"), "index flag");
  // Key attributes: a type byte S (0), N (1) or B (2), then the name.
  for (uint8_t tag : {kHash, kRange, kAttrDef})
    for (const std::string& bad : {std::string(), std::string("\x03pk"), std::string("\x04pk"),
                                  std::string("\xffpk"), std::string("Spk")})
      ExpectCorruption(WithField(tag, bad), "key tag " + std::to_string(tag));
  ExpectCorruption(WithIndexField(kIdxHash, "\x05owner"), "index key type");
  ExpectCorruption(WithIndexField(kIdxHash, ""), "index key empty");
}

TEST(CatalogCodecTest, HugeLengthsAreCorruption) {
  std::string enc = EncodeTableInfo(FullTable());
  for (uint32_t len : {0xFFFFFFFFu, 0x80000000u, 0x7FFFFFFFu, uint32_t(enc.size())}) {
    // The length of the first field, and of the last one.
    std::string first = enc;
    first[2] = char(len >> 24), first[3] = char(len >> 16), first[4] = char(len >> 8);
    first[5] = char(len);
    ExpectCorruption(first, "first field length " + std::to_string(len));
    Fields f = Split(enc);
    std::string last(1, f.version);
    for (size_t i = 0; i + 1 < f.fields.size(); ++i)
      PutField(&last, f.fields[i].first, f.fields[i].second, uint32_t(f.fields[i].second.size()));
    PutField(&last, f.fields.back().first, f.fields.back().second, len);
    ExpectCorruption(last, "last field length " + std::to_string(len));
  }
  // A tag's key length beyond its field.
  for (uint32_t kl : {0xFFFFFFFFu, 1000u, 4u}) {
    std::string v(4, '\0');
    v[0] = char(kl >> 24), v[1] = char(kl >> 16), v[2] = char(kl >> 8), v[3] = char(kl);
    v += "abc";
    ExpectCorruption(WithField(kTag, v), "tag key length " + std::to_string(kl));
  }
  ExpectCorruption(WithField(kTag, "ab"), "tag shorter than its key length");
  // A nested index whose own field length overruns it.
  std::string idx = EncodeTableInfo(FullTable());
  Fields f = Split(idx);
  for (auto& [tag, v] : f.fields)
    if (tag == kIndex) v[2] = '\x7f';  // high byte of the first nested field's length
  ExpectCorruption(Join(f), "index field length");
}

TEST(CatalogCodecTest, MissingOrRepeatedFieldsAreCorruption) {
  const Fields full = Split(EncodeTableInfo(FullTable()));
  std::set<uint8_t> optional = kLaterOptionalTags;
  optional.insert(kRange);
  std::set<uint8_t> optional_or_repeated = optional;
  optional_or_repeated.insert({kAttrDef, kTag, kIndex});
  for (size_t i = 0; i < full.fields.size(); ++i) {
    uint8_t tag = full.fields[i].first;
    Fields f = full;
    f.fields.push_back(f.fields[i]);  // twice
    if (optional_or_repeated.count(tag) && !optional.count(tag)) {
      EXPECT_TRUE(DecodeNoThrow(Join(f)).ok()) << "repeated tag " << int(tag);
    } else {
      ExpectCorruption(Join(f), "tag " + std::to_string(tag) + " twice");
    }
    if (optional_or_repeated.count(tag)) continue;
    f = full;
    f.fields.erase(f.fields.begin() + long(i));
    ExpectCorruption(Join(f), "tag " + std::to_string(tag) + " missing");
  }
  for (uint8_t tag : {kIdxId, kIdxGlobal, kIdxProjection, kIdxRead, kIdxBackfilling}) {
    Fields f = full;
    for (auto& [t, v] : f.fields) {
      if (t != kIndex) continue;
      Fields x = Split(v);
      std::erase_if(x.fields, [tag](const auto& field) { return field.first == tag; });
      v = Join(x);
    }
    ExpectCorruption(Join(f), "index tag " + std::to_string(tag) + " missing");
  }
  for (uint8_t tag : kLaterOptionalIndexTags) {  // optional: at most once
    Fields f = full;
    for (auto& [t, v] : f.fields) {
      if (t != kIndex || v.find("by-owner") == std::string::npos) continue;
      const Fields once = Split(v);
      Fields x = once;
      for (const auto& field : once.fields)
        if (field.first == tag) x.fields.push_back(field);
      v = Join(x);
    }
    ExpectCorruption(Join(f), "index tag " + std::to_string(tag) + " twice");
  }
  ExpectCorruption(WithField(kTtlAttribute, "x") + std::string("\x1b\0\0\0\0", 5), "ttl twice");
}

// ---------------------------------------------------------------------------------------------
// Catalog.

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options o;
    o.in_memory = true;
    o.block_cache_bytes = 8 << 20;
    auto engine = OpenRocksDBEngine(o);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    catalog_ = std::make_unique<Catalog>(engine_.get());
    ASSERT_TRUE(catalog_->Load().ok());
  }

  std::shared_ptr<const TableInfo> MakeTable(const std::string& name) {
    TableInfo t;
    t.ns = "ns";
    t.name = name;
    t.region = "us-east-1";
    t.hash = {"pk", AttributeType::kS};
    t.attribute_definitions = {t.hash};
    auto created = catalog_->Create(std::move(t));
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : nullptr;
  }

  // A second catalog loaded from the same engine: what a restart would see.
  std::unique_ptr<Catalog> Reloaded() {
    auto c = std::make_unique<Catalog>(engine_.get());
    Status s = c->Load();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return c;
  }

  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CatalogTest, ConcurrentModifiesAreAllKept) {
  auto t = MakeTable("tags");
  ASSERT_TRUE(t);
  constexpr int kThreads = 8, kTagsEach = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      for (int j = 0; j < kTagsEach; ++j) {
        std::string key = "t" + std::to_string(i) + "-" + std::to_string(j);
        Status s = catalog_->Modify("ns", "tags", t->id, [&key](TableInfo& current) {
          current.tags.emplace_back(key, "v");
          return Status::OK();
        });
        if (!s.ok()) ++failures;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto reloaded = Reloaded();
  for (const Catalog* c : {catalog_.get(), reloaded.get()}) {
    auto now = c->Find("ns", "tags");
    ASSERT_TRUE(now);
    std::set<std::string> keys;
    for (const auto& [k, v] : now->tags) keys.insert(k);
    EXPECT_EQ(now->tags.size(), size_t(kThreads * kTagsEach));
    EXPECT_EQ(keys.size(), size_t(kThreads * kTagsEach));
  }
}

TEST_F(CatalogTest, ConcurrentModifiesOfDifferentFieldsAreAllKept) {
  // The races of issue 13: a finishing backfill, a tag edit, TTL and throughput changes.
  TableInfo info;
  info.ns = "ns";
  info.name = "mixed";
  info.hash = {"pk", AttributeType::kS};
  IndexInfo gsi;
  gsi.name = "gsi";
  gsi.hash = {{"g", AttributeType::kS}};
  gsi.backfilling = true;
  info.indexes = {gsi};
  auto created = catalog_->Create(std::move(info));
  ASSERT_TRUE(created.ok());
  uint32_t id = (*created)->id;
  std::vector<std::function<Status(TableInfo&)>> changes = {
      [](TableInfo& t) {
        t.indexes[0].backfilling = false;
        return Status::OK();
      },
      [](TableInfo& t) {
        t.tags.emplace_back("k", "v");
        return Status::OK();
      },
      [](TableInfo& t) {
        t.ttl_enabled = true;
        t.ttl_attribute = "exp";
        return Status::OK();
      },
      [](TableInfo& t) {
        t.read_capacity = 11;
        return Status::OK();
      },
  };
  std::vector<std::thread> threads;
  for (const auto& change : changes)
    threads.emplace_back(
        [&, change] { EXPECT_TRUE(catalog_->Modify("ns", "mixed", id, change).ok()); });
  for (auto& th : threads) th.join();
  auto t = catalog_->Find("ns", "mixed");
  EXPECT_FALSE(t->indexes[0].backfilling);
  EXPECT_EQ(t->tags.size(), 1u);
  EXPECT_TRUE(t->ttl_enabled);
  EXPECT_EQ(t->read_capacity, 11);
  EXPECT_TRUE(catalog_->TablesBackfilling().empty());
}

TEST_F(CatalogTest, RefusedChangePublishesNothing) {
  auto t = MakeTable("refused");
  ASSERT_TRUE(catalog_->Modify("ns", "refused", t->id, [](TableInfo& current) {
    current.tags.emplace_back("before", "v");
    return Status::OK();
  }).ok());
  auto before = catalog_->Find("ns", "refused");
  Status s = catalog_->Modify("ns", "refused", t->id, [](TableInfo& current) {
    current.tags.clear();                 // half-done edits of the copy...
    current.table_class = "CHANGED";
    return Status::InvalidArgument("TimeToLive is already enabled");  // ...are dropped
  });
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "TimeToLive is already enabled");
  EXPECT_EQ(catalog_->Find("ns", "refused"), before);  // the very same descriptor
  auto reloaded = Reloaded()->Find("ns", "refused");
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded->table_class, "STANDARD");
  ASSERT_EQ(reloaded->tags.size(), 1u);
}

TEST_F(CatalogTest, ModifyHandsBackWhatItPublished) {
  auto t = MakeTable("published");
  std::shared_ptr<const TableInfo> published;
  Status s = catalog_->Modify(
      "ns", "published", t->id,
      [](TableInfo& current) {
        current.deletion_protection = true;
        return Status::OK();
      },
      &published);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(published);
  EXPECT_TRUE(published->deletion_protection);
  EXPECT_EQ(catalog_->Find("ns", "published"), published);
  EXPECT_FALSE(t->deletion_protection);  // the descriptor handed out earlier is unchanged
}

TEST_F(CatalogTest, ModifyOfADroppedTableIsNotFound) {
  auto t = MakeTable("gone");
  ASSERT_TRUE(catalog_->Drop("ns", "gone", t->id).ok());
  bool called = false;
  auto change = [&called](TableInfo&) {
    called = true;
    return Status::OK();
  };
  EXPECT_TRUE(catalog_->Modify("ns", "gone", t->id, change).IsNotFound());
  EXPECT_TRUE(catalog_->Modify("other-ns", "gone", t->id, change).IsNotFound());
  // The name now belongs to another table: a change meant for the old one does not apply to it.
  auto again = MakeTable("gone");
  ASSERT_NE(again->id, t->id);
  EXPECT_TRUE(catalog_->Modify("ns", "gone", t->id, change).IsNotFound());
  EXPECT_FALSE(called);
  EXPECT_TRUE(catalog_->Drop("ns", "gone", t->id).IsNotFound());
  EXPECT_TRUE(catalog_->Find("ns", "gone"));
}

TEST_F(CatalogTest, ANewStreamRetiresThePreviousOne) {
  auto t = MakeTable("streams");
  auto start = [&](uint32_t stream_id, const std::string& label) {
    return catalog_->Modify("ns", "streams", t->id, [&](TableInfo& current) {
      current.stream_id = stream_id;
      current.stream_enabled = true;
      current.stream_view_type = "KEYS_ONLY";
      current.stream_label = label;
      return Status::OK();
    });
  };
  ASSERT_TRUE(start(100, "L1").ok());
  EXPECT_TRUE(catalog_->RetiredStreams("ns").empty());
  ASSERT_TRUE(catalog_->Modify("ns", "streams", t->id, [](TableInfo& current) {
    current.stream_enabled = false;  // disabled, still the latest: not retired
    return Status::OK();
  }).ok());
  EXPECT_TRUE(catalog_->RetiredStreams("ns").empty());
  ASSERT_TRUE(start(101, "L2").ok());
  auto reloaded = Reloaded();
  for (const Catalog* c : {catalog_.get(), reloaded.get()}) {
    auto retired = c->RetiredStreams("ns");
    ASSERT_EQ(retired.size(), 1u);
    EXPECT_EQ(retired[0]->stream_id, 100u);
    EXPECT_FALSE(retired[0]->stream_enabled);
    EXPECT_TRUE(c->FindRetiredStream("ns", retired[0]->StreamArn()));
  }
  // Dropping the table retires its latest stream too, in the same batch.
  ASSERT_TRUE(catalog_->Drop("ns", "streams", t->id).ok());
  reloaded = Reloaded();
  for (const Catalog* c : {catalog_.get(), reloaded.get()}) {
    auto retired = c->RetiredStreams("ns");
    ASSERT_EQ(retired.size(), 2u);
    EXPECT_FALSE(c->Find("ns", "streams"));
  }
}

TEST_F(CatalogTest, DropCheckSeesTheCurrentDescriptor) {
  auto t = MakeTable("protected");
  ASSERT_TRUE(catalog_->Modify("ns", "protected", t->id, [](TableInfo& current) {
    current.deletion_protection = true;
    return Status::OK();
  }).ok());
  auto refuse_protected = [](const TableInfo& current) {
    return current.deletion_protection ? Status::InvalidArgument("protected") : Status::OK();
  };
  // `t` (taken before the change) says unprotected; the check runs on the current descriptor.
  EXPECT_FALSE(t->deletion_protection);
  Status s = catalog_->Drop("ns", "protected", t->id, refuse_protected);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_TRUE(catalog_->Find("ns", "protected"));
  std::shared_ptr<const TableInfo> dropped;
  ASSERT_TRUE(catalog_->Modify("ns", "protected", t->id, [](TableInfo& current) {
    current.deletion_protection = false;
    return Status::OK();
  }).ok());
  ASSERT_TRUE(catalog_->Drop("ns", "protected", t->id, refuse_protected, &dropped).ok());
  ASSERT_TRUE(dropped);
  EXPECT_EQ(dropped->name, "protected");
  EXPECT_FALSE(catalog_->Find("ns", "protected"));
  EXPECT_FALSE(Reloaded()->Find("ns", "protected"));
}

// Namespaces (storage/namespace.h): a catalog written before "C:namespace_format" named them
// "<key>_<region>". Such a catalog is made here as the previous version wrote it: descriptors under
// their old names (Create stores info.ns as given) and no format marker. After Load, every table
// is in the namespace of the (key, region) that created it, its own region saying where the key
// ends, so the pair that collided before (key "dev" + region "alice_us-east-1", key "dev_alice" +
// region "us-east-1") is told apart; a retired stream moves with its table, "shared" stays.
TEST_F(CatalogTest, LoadRenamesNamespacesOfThePreviousFormat) {
  EXPECT_NE(NamespaceOf("dev", "alice_us-east-1"), NamespaceOf("dev_alice", "us-east-1"));
  EXPECT_EQ(NamespaceOf("dev", "us-east-1"), "3:dev:us-east-1");
  auto make = [&](std::string ns, std::string name, std::string region, bool stream) {
    TableInfo t;
    t.ns = std::move(ns);
    t.name = std::move(name);
    t.region = std::move(region);
    t.hash = {"pk", AttributeType::kS};
    t.attribute_definitions = {t.hash};
    if (stream) {
      t.stream_id = 1;
      t.stream_label = "2024-01-01T00:00:00.000";
      t.stream_enabled = true;
      t.stream_view_type = "NEW_IMAGE";
    }
    auto created = catalog_->Create(std::move(t));
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : nullptr;
  };
  auto a = make("dev_alice_us-east-1", "t", "alice_us-east-1", false);      // key dev
  auto b = make("dev_alice_us-east-1", "u", "us-east-1", false);            // key dev_alice
  auto c = make("AKID_eu-west-1", "streamed", "eu-west-1", true);
  auto d = make("shared", "s", "us-east-1", false);
  ASSERT_TRUE(a && b && c && d);
  // A new stream on c retires the first one under the old namespace.
  ASSERT_TRUE(catalog_
                  ->Modify(c->ns, c->name, c->id,
                           [](TableInfo& t) -> Status {
                             t.stream_id = 2;
                             t.stream_label = "2024-01-02T00:00:00.000";
                             return Status::OK();
                           })
                  .ok());
  const std::string retired_arn = c->StreamArn();
  WriteBatch unmark;
  unmark.Delete(Column::kMeta, "C:namespace_format");
  ASSERT_TRUE(engine_->Write(unmark).ok());

  auto loaded = Reloaded();
  auto found_a = loaded->Find(NamespaceOf("dev", "alice_us-east-1"), "t");
  ASSERT_TRUE(found_a);
  EXPECT_EQ(found_a->id, a->id);
  EXPECT_EQ(found_a->ns, NamespaceOf("dev", "alice_us-east-1"));
  EXPECT_FALSE(loaded->Find(NamespaceOf("dev", "alice_us-east-1"), "u"));
  auto found_b = loaded->Find(NamespaceOf("dev_alice", "us-east-1"), "u");
  ASSERT_TRUE(found_b);
  EXPECT_EQ(found_b->id, b->id);
  EXPECT_FALSE(loaded->Find(NamespaceOf("dev_alice", "us-east-1"), "t"));
  EXPECT_FALSE(loaded->Find("dev_alice_us-east-1", "t"));
  auto found_c = loaded->Find(NamespaceOf("AKID", "eu-west-1"), "streamed");
  ASSERT_TRUE(found_c);
  EXPECT_EQ(found_c->stream_id, 2u);
  EXPECT_TRUE(loaded->FindRetiredStream(NamespaceOf("AKID", "eu-west-1"), retired_arn));
  EXPECT_TRUE(loaded->Find("shared", "s"));
  EXPECT_EQ(loaded->List(NamespaceOf("dev", "alice_us-east-1")), std::vector<std::string>{"t"});

  // Renamed once: a second load keeps the names (the marker is written with the renames), and a
  // namespace of the current form is never renamed again.
  auto again = Reloaded();
  EXPECT_TRUE(again->Find(NamespaceOf("dev", "alice_us-east-1"), "t"));
  EXPECT_TRUE(again->Find(NamespaceOf("dev_alice", "us-east-1"), "u"));
  EXPECT_EQ(again->AllTables().size(), 4u);
}

TEST_F(CatalogTest, UnknownNamespaceFormatIsCorruption) {
  WriteBatch b;
  b.Put(Column::kMeta, "C:namespace_format", "9");
  ASSERT_TRUE(engine_->Write(b).ok());
  Catalog c(engine_.get());
  Status s = c.Load();
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
}

TEST_F(CatalogTest, LoadReportsCorruptDescriptors) {
  MakeTable("good");
  auto put = [&](const std::string& key, const std::string& value) {
    WriteBatch b;
    b.Put(Column::kMeta, key, value);
    ASSERT_TRUE(engine_->Write(b).ok());
  };
  auto load = [&] {
    Catalog c(engine_.get());
    try {
      return c.Load();
    } catch (...) {
      ADD_FAILURE() << "Load threw";
      return Status::IOError("threw");
    }
  };
  std::string bad_key = std::string("T:ns") + '\0' + "bad";
  TableInfo bad = FullTable();
  bad.ns = "ns";
  bad.name = "bad";
  std::string enc = EncodeTableInfo(bad);
  put(bad_key, enc);
  EXPECT_TRUE(load().ok());

  put(bad_key, enc.substr(0, enc.size() / 2));
  Status s = load();
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("bad"), std::string::npos) << s.message();  // names the key

  Fields f = Split(enc);
  f.fields[0].second = "not a number";
  put(bad_key, Join(f));
  EXPECT_EQ(load().code(), Status::Code::kCorruption);

  bad.name = "other";  // a well-formed descriptor under another table's key
  put(bad_key, EncodeTableInfo(bad));
  EXPECT_EQ(load().code(), Status::Code::kCorruption);

  put(bad_key, enc);
  put(std::string("R:ns") + '\0' + "arn", "\x01garbage");
  EXPECT_EQ(load().code(), Status::Code::kCorruption);
  put(std::string("R:ns") + '\0' + "arn", enc);  // not stored under its stream ARN
  EXPECT_EQ(load().code(), Status::Code::kCorruption);
  WriteBatch del;
  del.Delete(Column::kMeta, std::string("R:ns") + '\0' + "arn");
  ASSERT_TRUE(engine_->Write(del).ok());
  EXPECT_TRUE(load().ok());

  put("C:next_table_id", "12345");  // not a u32
  EXPECT_EQ(load().code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace cairn::storage

// ---------------------------------------------------------------------------------------------
// DropAll, Reload and whole-database snapshots (the admin API's reset and snapshots).

namespace cairn::storage {
namespace {

TEST_F(CatalogTest, DropAllOfOneNamespaceKeepsTheOthers) {
  auto a = MakeTable("a");
  auto b = MakeTable("b");
  TableInfo other;
  other.ns = "other";
  other.name = "c";
  other.region = "us-east-1";
  other.hash = {"pk", AttributeType::kS};
  other.attribute_definitions = {other.hash};
  ASSERT_TRUE(catalog_->Create(other).ok());
  WriteBatch items;
  items.Put(Column::kData, TablePrefix(a->id) + "k", "v");
  ASSERT_TRUE(engine_->Write(items).ok());

  const std::string ns = "ns";
  auto dropped = catalog_->DropAll(&ns);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 2u);
  EXPECT_EQ(catalog_->Find("ns", "a"), nullptr);
  EXPECT_NE(catalog_->Find("other", "c"), nullptr);
  std::string v;
  EXPECT_TRUE(engine_->Get(Column::kData, TablePrefix(a->id) + "k", &v).IsNotFound());
  // What a restart sees.
  auto reloaded = Reloaded();
  EXPECT_EQ(reloaded->List("ns").size(), 0u);
  EXPECT_EQ(reloaded->List("other").size(), 1u);

  dropped = catalog_->DropAll(nullptr);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 1u);
  EXPECT_TRUE(catalog_->AllTables().empty());
}

TEST_F(CatalogTest, SnapshotRestoreBringsBackTablesAndItemsButNeverOldIds) {
  DatabaseSnapshots snapshots(engine_.get(), catalog_.get());
  auto a = MakeTable("a");
  WriteBatch items;
  items.Put(Column::kData, TablePrefix(a->id) + "k", "v1");
  ASSERT_TRUE(engine_->Write(items).ok());
  auto saved = snapshots.Save("base");
  ASSERT_TRUE(saved.ok());
  EXPECT_GE(saved->keys, 3u);  // the descriptor, the id counter, the item

  items.Clear();
  items.Put(Column::kData, TablePrefix(a->id) + "k", "v2");
  ASSERT_TRUE(engine_->Write(items).ok());
  auto b = MakeTable("b");
  ASSERT_TRUE(snapshots.Restore("base").ok());
  EXPECT_EQ(catalog_->List("ns"), std::vector<std::string>{"a"});
  std::string v;
  ASSERT_TRUE(engine_->Get(Column::kData, TablePrefix(a->id) + "k", &v).ok());
  EXPECT_EQ(v, "v1");
  // Ids handed out before the restore are not handed out again.
  auto c = MakeTable("c");
  EXPECT_GT(c->id, b->id);
  EXPECT_GT(Reloaded()->Find("ns", "c")->id, b->id);

  EXPECT_TRUE(snapshots.Restore("none").IsNotFound());
  EXPECT_EQ(snapshots.List().size(), 1u);
  EXPECT_TRUE(snapshots.Delete("base"));
  EXPECT_FALSE(snapshots.Delete("base"));
}

}  // namespace
}  // namespace cairn::storage
