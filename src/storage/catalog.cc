// Catalog persistence. Meta-column keys (docs/format.md, "Catalog"):
//   "C:next_table_id"            -> u32 BE, the next table id to hand out
//   "T:" ns "\0" name            -> the table descriptor (tagged fields, below)
// Descriptor format: a version byte (1), then fields as (tag u8, length u32 BE, bytes); unknown tags
// are skipped so that later versions can add fields. Do not reuse or renumber tags.
#include "storage/catalog.h"

#include <cstring>
#include <mutex>

#include "storage/key_encoding.h"

namespace cairn::storage {
namespace {

constexpr std::string_view kNextIdKey = "C:next_table_id";
constexpr char kVersion = 1;

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
};

std::string TableKey(std::string_view ns, std::string_view name) {
  std::string k = "T:";
  k.append(ns);
  k.push_back('\0');
  k.append(name);
  return k;
}

void PutU32(std::string* out, uint32_t v) {
  char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  out->append(b, 4);
}
uint32_t GetU32(const char* p) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t(u[0]) << 24) | (uint32_t(u[1]) << 16) | (uint32_t(u[2]) << 8) | u[3];
}
void Field(std::string* out, Tag tag, std::string_view v) {
  out->push_back(char(tag));
  PutU32(out, uint32_t(v.size()));
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
  std::string out(1, kVersion);
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
    PutU32(&kv, uint32_t(k.size()));
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
  Field(&out, kTagTtlAttribute, t.ttl_attribute);
  return out;
}

Result<TableInfo> DecodeTableInfo(std::string_view in) {
  if (in.empty() || in[0] != kVersion) return Status::Corruption("table descriptor version");
  TableInfo t;
  size_t pos = 1;
  auto typed = [](std::string_view v, KeyElement* k) {
    if (v.empty()) return false;
    k->type = AttributeType(uint8_t(v[0]));
    k->name = std::string(v.substr(1));
    return true;
  };
  while (pos < in.size()) {
    if (in.size() - pos < 5) return Status::Corruption("table descriptor truncated");
    uint8_t tag = uint8_t(in[pos]);
    uint32_t len = GetU32(in.data() + pos + 1);
    pos += 5;
    if (in.size() - pos < len) return Status::Corruption("table descriptor truncated");
    std::string_view v = in.substr(pos, len);
    pos += len;
    std::string s(v);
    switch (tag) {
      case kTagId: t.id = uint32_t(std::stoul(s)); break;
      case kTagNs: t.ns = s; break;
      case kTagName: t.name = s; break;
      case kTagRegion: t.region = s; break;
      case kTagUuid: t.table_uuid = s; break;
      case kTagHash:
        if (!typed(v, &t.hash)) return Status::Corruption("hash key");
        break;
      case kTagRange: {
        KeyElement k;
        if (!typed(v, &k)) return Status::Corruption("range key");
        t.range = k;
        break;
      }
      case kTagAttrDef: {
        KeyElement k;
        if (!typed(v, &k)) return Status::Corruption("attribute definition");
        t.attribute_definitions.push_back(k);
        break;
      }
      case kTagPayPerRequest: t.pay_per_request = (s == "1"); break;
      case kTagRead: t.read_capacity = std::stoll(s); break;
      case kTagWrite: t.write_capacity = std::stoll(s); break;
      case kTagCreation: t.creation_time = std::stod(s); break;
      case kTagLastIncrease: t.last_increase_time = std::stod(s); break;
      case kTagLastDecrease: t.last_decrease_time = std::stod(s); break;
      case kTagDecreases: t.decreases_today = std::stoll(s); break;
      case kTagBillingChange: t.billing_mode_change_time = std::stod(s); break;
      case kTagDeletionProtection: t.deletion_protection = (s == "1"); break;
      case kTagTableClass: t.table_class = s; break;
      case kTagTag: {
        if (v.size() < 4) return Status::Corruption("tag");
        uint32_t kl = GetU32(v.data());
        if (v.size() - 4 < kl) return Status::Corruption("tag");
        t.tags.emplace_back(std::string(v.substr(4, kl)), std::string(v.substr(4 + kl)));
        break;
      }
      case kTagIndex: {
        IndexInfo x;
        CAIRN_RETURN_IF_ERROR(DecodeIndex(v, &x));
        t.indexes.push_back(std::move(x));
        break;
      }
      case kTagStreamId: t.stream_id = uint32_t(std::stoul(s)); break;
      case kTagStreamEnabled: t.stream_enabled = (s == "1"); break;
      case kTagStreamViewType: t.stream_view_type = s; break;
      case kTagStreamLabel: t.stream_label = s; break;
      case kTagStreamCreated: t.stream_created = std::stod(s); break;
      case kTagTtlEnabled: t.ttl_enabled = (s == "1"); break;
      case kTagTtlAttribute: t.ttl_attribute = s; break;
      default: break;  // a field of a later version
    }
  }
  return t;
}

namespace {

std::string EncodeIndex(const IndexInfo& x) {
  std::string out(1, kVersion);
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
  field(kIdxBackfilling, x.backfilling ? "1" : "0");
  return out;
}

Status DecodeIndex(std::string_view in, IndexInfo* x) {
  if (in.empty() || in[0] != kVersion) return Status::Corruption("index descriptor version");
  size_t pos = 1;
  while (pos < in.size()) {
    if (in.size() - pos < 5) return Status::Corruption("index descriptor truncated");
    uint8_t tag = uint8_t(in[pos]);
    uint32_t len = GetU32(in.data() + pos + 1);
    pos += 5;
    if (in.size() - pos < len) return Status::Corruption("index descriptor truncated");
    std::string_view v = in.substr(pos, len);
    pos += len;
    std::string s(v);
    KeyElement k;
    switch (tag) {
      case kIdxId: x->id = uint32_t(std::stoul(s)); break;
      case kIdxName: x->name = s; break;
      case kIdxGlobal: x->global = (s == "1"); break;
      case kIdxHash:
      case kIdxRange:
        if (v.empty()) return Status::Corruption("index key");
        k.type = AttributeType(uint8_t(v[0]));
        k.name = std::string(v.substr(1));
        (tag == kIdxHash ? x->hash : x->range).push_back(std::move(k));
        break;
      case kIdxProjection: x->projection = IndexInfo::Projection(std::stoi(s)); break;
      case kIdxNonKey: x->non_key_attributes.push_back(s); break;
      case kIdxRead: x->read_capacity = std::stoll(s); break;
      case kIdxWrite: x->write_capacity = std::stoll(s); break;
      case kIdxBackfilling: x->backfilling = (s == "1"); break;
      default: break;
    }
  }
  return Status::OK();
}

}  // namespace

Status Catalog::Load() {
  std::unique_lock lock(mu_);
  std::string v;
  Status s = engine_->Get(Column::kMeta, kNextIdKey, &v);
  if (s.ok() && v.size() == 4) {
    next_id_ = GetU32(v.data());
  } else if (!s.IsNotFound() && !s.ok()) {
    return s;
  }
  const std::string lower = "T:", upper = "T;";  // every "T:" key
  ReadOptions ro;
  ro.lower_bound = lower;
  ro.upper_bound = upper;
  auto it = engine_->NewIterator(Column::kMeta, ro);
  for (it->Seek(lower); it->Valid(); it->Next()) {
    auto info = DecodeTableInfo(it->value());
    if (!info.ok()) return info.status();
    auto p = std::make_shared<const TableInfo>(std::move(info).value());
    if (p->id >= next_id_) next_id_ = p->id + 1;
    tables_[p->ns][p->name] = std::move(p);
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  const std::string rlower = "R:", rupper = "R;";
  ReadOptions rro;
  rro.lower_bound = rlower;
  rro.upper_bound = rupper;
  auto rit = engine_->NewIterator(Column::kMeta, rro);
  for (rit->Seek(rlower); rit->Valid(); rit->Next()) {
    auto info = DecodeTableInfo(rit->value());
    if (!info.ok()) return info.status();
    auto p = std::make_shared<const TableInfo>(std::move(info).value());
    retired_[p->ns][p->StreamArn()] = std::move(p);
  }
  return rit->status();
}

std::shared_ptr<const TableInfo> Catalog::Find(std::string_view ns, std::string_view name) const {
  std::shared_lock lock(mu_);
  auto n = tables_.find(ns);
  if (n == tables_.end()) return nullptr;
  auto t = n->second.find(name);
  return t == n->second.end() ? nullptr : t->second;
}

Status Catalog::Persist(const TableInfo& info) {
  WriteBatch b;
  b.Put(Column::kMeta, TableKey(info.ns, info.name), EncodeTableInfo(info));
  return engine_->Write(b);
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
  PutU32(&next, next_id);
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
  PutU32(&next, next_id_ + 1);
  b.Put(Column::kMeta, kNextIdKey, next);
  CAIRN_RETURN_IF_ERROR(engine_->Write(b));
  return next_id_++;
}

Status Catalog::Replace(std::shared_ptr<const TableInfo> info) {
  std::unique_lock lock(mu_);
  auto n = tables_.find(info->ns);
  if (n == tables_.end() || !n->second.count(info->name)) return Status::NotFound();
  CAIRN_RETURN_IF_ERROR(Persist(*info));
  n->second[info->name] = std::move(info);
  return Status::OK();
}

Status Catalog::Modify(std::string_view ns, std::string_view name, uint32_t id,
                       const std::function<void(TableInfo&)>& change) {
  std::unique_lock lock(mu_);
  auto n = tables_.find(ns);
  if (n == tables_.end()) return Status::NotFound();
  auto t = n->second.find(name);
  if (t == n->second.end() || t->second->id != id) return Status::NotFound();
  auto copy = std::make_shared<TableInfo>(*t->second);
  change(*copy);
  CAIRN_RETURN_IF_ERROR(Persist(*copy));
  t->second = std::move(copy);
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

Status Catalog::Drop(std::string_view ns, std::string_view name) {
  std::unique_lock lock(mu_);
  auto n = tables_.find(ns);
  if (n == tables_.end()) return Status::NotFound();
  auto t = n->second.find(name);
  if (t == n->second.end()) return Status::NotFound();
  uint32_t id = t->second->id;
  WriteBatch b;
  b.Delete(Column::kMeta, TableKey(ns, name));
  b.DeleteRange(Column::kData, TablePrefix(id), TableEnd(id));
  std::vector<uint32_t> index_ids;
  for (const auto& x : t->second->indexes) {
    b.DeleteRange(Column::kIndex, TablePrefix(x.id), TableEnd(x.id));
    index_ids.push_back(x.id);
  }
  CAIRN_RETURN_IF_ERROR(engine_->Write(b));
  n->second.erase(t);
  engine_->CompactRange(Column::kData, TablePrefix(id), TableEnd(id));
  for (uint32_t x : index_ids) engine_->CompactRange(Column::kIndex, TablePrefix(x), TableEnd(x));
  return Status::OK();
}

static std::string RetiredKey(std::string_view ns, std::string_view arn) {
  std::string k = "R:";
  k.append(ns);
  k.push_back('\0');
  k.append(arn);
  return k;
}

Status Catalog::RetireStream(const TableInfo& stream) {
  auto copy = std::make_shared<TableInfo>(stream);
  copy->stream_enabled = false;
  std::string arn = copy->StreamArn();
  WriteBatch b;
  b.Put(Column::kMeta, RetiredKey(copy->ns, arn), EncodeTableInfo(*copy));
  std::unique_lock lock(mu_);
  CAIRN_RETURN_IF_ERROR(engine_->Write(b));
  retired_[copy->ns][arn] = std::move(copy);
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
