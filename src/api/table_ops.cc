// The control plane: CreateTable, DescribeTable, UpdateTable, DeleteTable, ListTables.
// Tables are ACTIVE as soon as CreateTable returns and gone as soon as DeleteTable returns, so SDK
// waiters (boto3's table_exists / table_not_exists) succeed on their first poll instead of sleeping.
// Major internal functions: DecodeCreateTable() (validation, with DynamoDB's messages, in the order
// DynamoDB applies them), WriteTableDescription() (the TableDescription shape every op returns).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <mutex>
#include <random>

#include "api/index_schema.h"
#include "api/operations.h"
#include "api/table_description.h"
#include "storage/key_encoding.h"
#include "types/binary_codec.h"

namespace cairn::api {
namespace {

using storage::KeyElement;
using storage::TableInfo;

double Now() {
  using namespace std::chrono;
  return double(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()) /
         1000.0;
}

std::string NewUuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  a = (a & ~0xF000ull) | 0x4000ull;                     // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 1
  char buf[40];
  snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", uint32_t(a >> 32),
           uint32_t((a >> 16) & 0xFFFF), uint32_t(a & 0xFFFF), uint32_t(b >> 48),
           static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return buf;
}

struct Throughput {
  std::optional<int64_t> read, write;
};

// ProvisionedThroughput {ReadCapacityUnits, WriteCapacityUnits}, with coral's range checks.
std::optional<Throughput> DecodeThroughput(const Params& p, Violations& v) {
  auto o = p.Object("ProvisionedThroughput");
  if (!o) return std::nullopt;
  Throughput t;
  auto r = Member(*o, "ReadCapacityUnits");
  auto w = Member(*o, "WriteCapacityUnits");
  if (r) t.read = AsInt(*r);
  if (w) t.write = AsInt(*w);
  if (!t.write) v.Null("provisionedThroughput.writeCapacityUnits");
  else if (*t.write < 1)
    v.Add("Value '" + std::to_string(*t.write) +
          "' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member "
          "must have value greater than or equal to 1");
  if (!t.read) v.Null("provisionedThroughput.readCapacityUnits");
  else if (*t.read < 1)
    v.Add("Value '" + std::to_string(*t.read) +
          "' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member "
          "must have value greater than or equal to 1");
  return t;
}

std::vector<std::pair<std::string, std::string>> DecodeTags(simdjson::dom::array arr,
                                                            Violations& v) {
  std::vector<std::pair<std::string, std::string>> tags;
  size_t i = 0;
  for (auto e : arr) {
    ++i;
    auto o = AsObject(e);
    auto k = Member(o, "Key");
    auto val = Member(o, "Value");
    std::string field = "tags." + std::to_string(i) + ".member.";
    if (!k) v.Null(field + "key");
    if (!val) v.Null(field + "value");
    if (!k || !val) continue;
    std::string key(AsString(*k)), value(AsString(*val));
    if (key.empty() || key.size() > 128)
      v.Add("Value '" + key + "' at '" + field + "key' failed to satisfy constraint: Member must " +
            (key.empty() ? "have length greater than or equal to 1"
                         : "have length less than or equal to 128"));
    if (value.size() > 256)
      v.Add("Value '" + value + "' at '" + field +
            "value' failed to satisfy constraint: Member must have length less than or equal to 256");
    tags.emplace_back(std::move(key), std::move(value));
  }
  return tags;
}

// A list of {"AttributeName": ..., "<member>": ...} (KeySchema, AttributeDefinitions), with
// coral's violations for missing members and values outside `allowed`. Entries with a violation
// are left out.
std::vector<std::pair<std::string, std::string>> DecodeNamedList(
    const std::optional<simdjson::dom::array>& list, const std::string& field,
    std::string_view member, std::initializer_list<std::string_view> allowed, Violations& v) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!list) {
    v.Null(field);
    return out;
  }
  std::string member_field(member);
  member_field[0] = char(std::tolower(member_field[0]));
  size_t i = 0;
  for (auto e : *list) {
    ++i;
    auto o = AsObject(e);
    auto name = Member(o, "AttributeName");
    auto value = Member(o, member);
    std::string prefix = field + "." + std::to_string(i) + ".member.";
    if (!name) v.Null(prefix + "attributeName");
    if (!value) v.Null(prefix + member_field);
    std::optional<std::string_view> text;
    if (value) text = AsString(*value);
    bool ok = true;
    if (text) {
      ok = false;
      for (auto a : allowed) ok = ok || a == *text;
      CheckEnum(v, text, prefix + member_field, allowed);
    }
    if (name && text && ok) out.emplace_back(AsString(*name), *text);
  }
  return out;
}

void WriteThroughput(JsonWriter& w, const TableInfo& t) {
  w.Key("ProvisionedThroughput");
  w.BeginObject();
  if (t.last_increase_time > 0) {
    w.Key("LastIncreaseDateTime");
    w.Double(t.last_increase_time);
  }
  if (t.last_decrease_time > 0) {
    w.Key("LastDecreaseDateTime");
    w.Double(t.last_decrease_time);
  }
  w.Key("NumberOfDecreasesToday");
  w.Int(t.decreases_today);
  w.Key("ReadCapacityUnits");
  w.Int(t.pay_per_request ? 0 : t.read_capacity);
  w.Key("WriteCapacityUnits");
  w.Int(t.pay_per_request ? 0 : t.write_capacity);
  w.EndObject();
}

void WriteKeySchema(JsonWriter& w, const TableInfo& t) {
  w.Key("KeySchema");
  w.BeginArray();
  w.BeginObject();
  w.KV("AttributeName", t.hash.name);
  w.KV("KeyType", "HASH");
  w.EndObject();
  if (t.range) {
    w.BeginObject();
    w.KV("AttributeName", t.range->name);
    w.KV("KeyType", "RANGE");
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

namespace {

// The number of items in a table's (or an index's) key range and the sum of their sizes.
void CountRange(ServerContext& server, storage::Column column, uint32_t id, int64_t* count,
                int64_t* bytes) {
  storage::ReadOptions ro;
  ro.lower_bound = storage::TablePrefix(id);
  ro.upper_bound = storage::TableEnd(id);
  auto it = server.engine->NewIterator(column, ro);
  for (it->Seek(ro.lower_bound); it->Valid(); it->Next()) {
    ++*count;
    auto item = cairn::DecodeItem(it->value());
    if (item.ok()) *bytes += ItemSize(*item);
  }
}

TableStats CountTable(ServerContext& server, const TableInfo& t) {
  TableStats stats;
  CountRange(server, storage::Column::kData, t.id, &stats.item_count, &stats.size_bytes);
  for (const auto& x : t.indexes) {
    IndexStats is;
    CountRange(server, storage::Column::kIndex, x.id, &is.item_count, &is.size_bytes);
    stats.indexes.push_back(is);
  }
  return stats;
}

}  // namespace

// Counting costs a scan of the table and its indexes. A count of a large table (one that took over
// 50 ms) is reused while it is younger than 100 times what it cost, so that counting takes at most
// ~1% of the server's time; small tables (tests) are always exact, and a change of the table's
// indexes always recounts. DynamoDB itself refreshes these figures about every six hours.
TableStats ComputeTableStats(ServerContext& server, const TableInfo& t) {
  struct Cached {
    TableStats stats;
    std::string shape;  // the indexes and their states when counted
    std::chrono::steady_clock::time_point at;
    std::chrono::steady_clock::duration cost;
  };
  static std::mutex mu;
  static std::map<uint32_t, Cached> cache;  // GUARDED_BY(mu); table ids are never reused
  std::string shape;
  for (const auto& x : t.indexes) shape += std::to_string(x.id) + (x.backfilling ? "b," : ",");
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu);
    auto c = cache.find(t.id);
    if (c != cache.end() && c->second.shape == shape &&
        c->second.cost > std::chrono::milliseconds(50) && now - c->second.at < 100 * c->second.cost)
      return c->second.stats;
  }
  TableStats stats = CountTable(server, t);
  auto done = std::chrono::steady_clock::now();
  std::lock_guard lock(mu);
  cache[t.id] = Cached{stats, shape, done, done - now};
  return stats;
}

void WriteTableDescription(JsonWriter& w, const TableInfo& t, std::string_view status,
                           const TableStats* stats) {
  w.BeginObject();
  w.Key("AttributeDefinitions");
  w.BeginArray();
  for (const auto& d : t.attribute_definitions) {
    w.BeginObject();
    w.KV("AttributeName", d.name);
    w.KV("AttributeType", TypeName(d.type));
    w.EndObject();
  }
  w.EndArray();
  w.KV("TableName", t.name);
  WriteKeySchema(w, t);
  w.KV("TableStatus", status);
  w.Key("CreationDateTime");
  w.Double(t.creation_time);
  WriteThroughput(w, t);
  w.Key("TableSizeBytes");
  w.Int(stats ? stats->size_bytes : 0);
  w.Key("ItemCount");
  w.Int(stats ? stats->item_count : 0);
  w.KV("TableArn", t.Arn());
  w.KV("TableId", t.table_uuid);
  if (t.pay_per_request || t.billing_mode_change_time > 0) {
    w.Key("BillingModeSummary");
    w.BeginObject();
    w.KV("BillingMode", t.pay_per_request ? "PAY_PER_REQUEST" : "PROVISIONED");
    w.Key("LastUpdateToPayPerRequestDateTime");
    w.Double(t.billing_mode_change_time > 0 ? t.billing_mode_change_time : t.creation_time);
    w.EndObject();
  }
  if (t.table_class != "STANDARD") {
    w.Key("TableClassSummary");
    w.BeginObject();
    w.KV("TableClass", t.table_class);
    w.EndObject();
  }
  WriteIndexDescriptions(w, t, stats ? stats->indexes : std::vector<IndexStats>());
  if (t.stream_id != 0) {
    if (t.stream_enabled) {
      w.Key("StreamSpecification");
      w.BeginObject();
      w.Key("StreamEnabled");
      w.Bool(true);
      w.KV("StreamViewType", t.stream_view_type);
      w.EndObject();
    }
    w.KV("LatestStreamLabel", t.stream_label);
    w.KV("LatestStreamArn", t.StreamArn());
  }
  w.Key("DeletionProtectionEnabled");
  w.Bool(t.deletion_protection);
  w.EndObject();
}

ApiError TableNotFound(std::string_view name_param) {
  return ApiError::ResourceNotFound("Requested resource not found: Table: " +
                                    std::string(TableNameFromParameter(name_param)) +
                                    " not found");
}

std::shared_ptr<const TableInfo> NamedTableOrThrow(OpContext& ctx, const Params& p) {
  Violations v;
  auto name = p.String("TableName");
  CheckTableName(v, name, "tableName", true);
  v.ThrowIfAny();
  auto t = FindTable(ctx, *name);
  if (!t) Throw(TableNotFound(*name));
  return t;
}

std::shared_ptr<const TableInfo> FindTable(OpContext& ctx, std::string_view name_param) {
  return ctx.server.catalog->Find(ctx.caller.ns, TableNameFromParameter(name_param));
}

namespace {

// StreamSpecification {StreamEnabled, StreamViewType}: nullopt when absent; "" when disabling.
std::optional<std::string> DecodeStreamSpecification(const Params& p) {
  auto spec = p.Object("StreamSpecification");
  if (!spec) return std::nullopt;
  auto enabled = Member(*spec, "StreamEnabled");
  if (!enabled) {
    Violations v;
    v.Null("streamSpecification.streamEnabled");
    v.ThrowIfAny();
  }
  std::optional<std::string_view> view;
  if (auto vt = Member(*spec, "StreamViewType")) view = AsString(*vt);
  Violations v;
  CheckEnum(v, view, "streamSpecification.streamViewType",
            {"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"});
  v.ThrowIfAny();
  if (!AsBool(*enabled)) {
    if (view)
      ThrowValidation("One or more parameter values were invalid: StreamViewType cannot be "
                      "specified when StreamEnabled is false");
    return std::string();
  }
  if (!view)
    ThrowValidation("One or more parameter values were invalid: StreamViewType is required when "
                    "StreamEnabled is true");
  return std::string(*view);
}

// Starts a new stream on `t` (a new id and label).
void EnableStream(OpContext& ctx, TableInfo& t, const std::string& view, double now) {
  auto id = ctx.server.catalog->AllocateId();
  if (!id.ok()) Throw(ApiError::FromStatus(id.status()));
  t.stream_id = *id;
  t.stream_enabled = true;
  t.stream_view_type = view;
  t.stream_created = now;
  time_t secs = time_t(now);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int((now - double(secs)) * 1000) % 1000);
  t.stream_label = buf;
}

}  // namespace

OpResult CreateTable(OpContext& ctx, const Params& p) {
  Violations v;
  auto name = p.String("TableName");
  CheckTableName(v, name, "tableName", false);
  auto key_schema = p.Array("KeySchema");
  auto attr_defs = p.Array("AttributeDefinitions");
  auto billing = p.String("BillingMode");
  CheckEnum(v, billing, "billingMode", {"PROVISIONED", "PAY_PER_REQUEST"});
  auto table_class = p.String("TableClass");
  CheckEnum(v, table_class, "tableClass", {"STANDARD", "STANDARD_INFREQUENT_ACCESS"});

  // (AttributeName, KeyType) and (AttributeName, AttributeType), as the client listed them.
  auto keys = DecodeNamedList(key_schema, "keySchema", "KeyType", {"HASH", "RANGE"}, v);
  if (key_schema && key_schema->size() == 0)
    v.Add("Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length "
          "greater than or equal to 1");
  if (key_schema && key_schema->size() > 2)
    v.Add("Value '[...]' at 'keySchema' failed to satisfy constraint: Member must have length "
          "less than or equal to 2");
  std::vector<KeyElement> defs;
  for (const auto& [attr, type_name] :
       DecodeNamedList(attr_defs, "attributeDefinitions", "AttributeType", {"B", "N", "S"}, v)) {
    AttributeType type;
    if (ParseTypeName(type_name, &type)) defs.push_back({attr, type});
  }
  auto throughput = DecodeThroughput(p, v);
  std::vector<std::pair<std::string, std::string>> tags;
  if (auto t = p.Array("Tags")) tags = DecodeTags(*t, v);
  std::vector<IndexDefinition> indexes;
  for (bool global : {false, true}) {
    std::string member = global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes";
    auto list = p.Array(member);
    if (!list) continue;
    std::string field = global ? "globalSecondaryIndexes" : "localSecondaryIndexes";
    size_t i = 0;
    for (auto e : *list)
      indexes.push_back(DecodeIndexDefinition(
          AsObject(e), global, field + "." + std::to_string(++i) + ".member", v));
  }
  v.ThrowIfAny();


  // Semantic checks, in DynamoDB's order.
  for (size_t i = 0; i < defs.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (defs[i].name == defs[j].name) ThrowValidation("Cannot have two attributes with the same name");
  bool pay_per_request = billing && *billing == "PAY_PER_REQUEST";
  if (pay_per_request && throughput)
    ThrowValidation(
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
        "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
  if (!pay_per_request && !throughput)
    ThrowValidation(
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must "
        "both be specified when BillingMode is PROVISIONED");
  if (keys[0].second != "HASH")
    ThrowValidation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  if (keys.size() == 2) {
    if (keys[1].second != "RANGE")
      ThrowValidation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    if (keys[0].first == keys[1].first)
      ThrowValidation(
          "Both the Hash Key and the Range Key element in the KeySchema have the same name");
  }
  std::vector<std::string> missing;
  for (const auto& k : keys) {
    bool found = false;
    for (const auto& d : defs) found = found || d.name == k.first;
    if (!found) missing.push_back(k.first);
  }
  if (!missing.empty()) {
    std::string ks, ds;
    for (const auto& k : keys) ks += (ks.empty() ? "" : ", ") + k.first;
    for (const auto& d : defs) ds += (ds.empty() ? "" : ", ") + d.name;
    ThrowValidation(
        "One or more parameter values were invalid: Some index key attributes are not defined in "
        "AttributeDefinitions. Keys: [" + ks + "], AttributeDefinitions: [" + ds + "]");
  }
  TableInfo t;
  for (const auto& d : defs) {
    if (d.name == keys[0].first) t.hash = d;
    if (keys.size() == 2 && d.name == keys[1].first) t.range = d;
  }
  t.pay_per_request = pay_per_request;
  ResolveIndexes(t, indexes, defs);
  std::vector<std::string> used = KeyAttributeNames(t, indexes);
  if (!indexes.empty() && defs.size() != used.size()) {
    // With indexes, DynamoDB names the unused definitions.
    std::string all, key_names;
    for (const auto& d : defs) all += (all.empty() ? "" : ", ") + d.name;
    for (const auto& k : used) key_names += (key_names.empty() ? "" : ", ") + k;
    ThrowValidation("One or more parameter values were invalid: Some AttributeDefinitions are not "
                    "used. AttributeDefinitions: [" + all + "], keys used: [" + key_names + "]");
  }
  if (defs.size() != used.size())
    ThrowValidation(
        "One or more parameter values were invalid: Number of attributes in KeySchema does not "
        "exactly match number of attributes defined in AttributeDefinitions");

  t.ns = ctx.caller.ns;
  t.name = std::string(*name);
  t.region = ctx.caller.region;
  t.table_uuid = NewUuid();
  t.attribute_definitions = defs;
  for (auto& d : indexes) t.indexes.push_back(std::move(d.info));
  if (throughput) {
    t.read_capacity = *throughput->read;
    t.write_capacity = *throughput->write;
  }
  t.creation_time = Now();
  if (table_class) t.table_class = std::string(*table_class);
  if (auto dp = p.Bool("DeletionProtectionEnabled")) t.deletion_protection = *dp;
  t.tags = std::move(tags);
  if (auto view = DecodeStreamSpecification(p); view && !view->empty())
    EnableStream(ctx, t, *view, t.creation_time);

  auto created = ctx.server.catalog->Create(std::move(t));
  if (!created.ok()) {
    if (created.status().code() == Status::Code::kBusy)
      return ApiError::ResourceInUse("Table already exists: " + std::string(*name));
    return ApiError::FromStatus(created.status());
  }
  ctx.out.BeginObject();
  ctx.out.Key("TableDescription");
  TableStats empty;
  WriteTableDescription(ctx.out, **created, "ACTIVE", &empty);
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult DescribeTable(OpContext& ctx, const Params& p) {
  auto t = NamedTableOrThrow(ctx, p);
  TableStats stats = ComputeTableStats(ctx.server, *t);
  ctx.out.BeginObject();
  ctx.out.Key("Table");
  WriteTableDescription(ctx.out, *t, "ACTIVE", &stats);
  ctx.out.EndObject();
  return std::nullopt;
}

namespace {

// GlobalSecondaryIndexUpdates: Create (published CREATING, then backfilled), Update (throughput),
// Delete. DynamoDB builds or drops one index per UpdateTable call.
void ApplyIndexUpdates(OpContext& ctx, const Params& p, simdjson::dom::array updates,
                       TableInfo& t, std::vector<uint32_t>* created,
                       std::vector<storage::IndexInfo>* deleted) {
  Violations v;
  std::vector<KeyElement> defs = t.attribute_definitions;
  for (const auto& [attr, type_name] : DecodeNamedList(p.Array("AttributeDefinitions"),
                                                       "attributeDefinitions", "AttributeType",
                                                       {"B", "N", "S"}, v)) {
    AttributeType type;
    if (!ParseTypeName(type_name, &type)) continue;
    bool known = false;
    for (auto& d : defs) {
      if (d.name != attr) continue;
      known = true;
      if (d.type != type)
        ThrowValidation("One or more parameter values were invalid: Attribute " + attr +
                        " is already defined with type " + std::string(TypeName(d.type)));
    }
    if (!known) defs.push_back({attr, type});
  }
  if (!p.Has("AttributeDefinitions")) v = Violations();
  std::vector<IndexDefinition> creates;
  size_t online = 0, i = 0;
  for (auto e : updates) {
    ++i;
    auto o = AsObject(e);
    auto create = Member(o, "Create");
    auto update = Member(o, "Update");
    auto del = Member(o, "Delete");
    if (int(bool(create)) + int(bool(update)) + int(bool(del)) != 1)
      ThrowValidation("One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate"
                      ".Create, GlobalSecondaryIndexUpdate.Update, or GlobalSecondaryIndexUpdate."
                      "Delete must be specified");
    std::string field = "globalSecondaryIndexUpdates." + std::to_string(i) + ".member.";
    if (create) {
      ++online;
      creates.push_back(DecodeIndexDefinition(AsObject(*create), true, field + "create", v));
      continue;
    }
    auto body = AsObject(update ? *update : *del);
    auto name = Member(body, "IndexName");
    if (!name) {
      v.Null(field + (update ? "update" : "delete") + ".indexName");
      continue;
    }
    std::string index_name(AsString(*name));
    auto it = std::find_if(t.indexes.begin(), t.indexes.end(),
                           [&](const storage::IndexInfo& x) { return x.global && x.name == index_name; });
    if (it == t.indexes.end())
      Throw(ApiError::ResourceNotFound("Requested resource not found: Index: " + index_name +
                                       " not found"));
    if (del) {
      ++online;
      deleted->push_back(*it);
      t.indexes.erase(it);
      continue;
    }
    auto pt = Member(body, "ProvisionedThroughput");
    if (!pt) {
      v.Null(field + "update.provisionedThroughput");
      continue;
    }
    if (t.pay_per_request)
      ThrowValidation("One or more parameter values were invalid: ProvisionedThroughput should "
                      "not be specified for index: " + index_name +
                      " when BillingMode is PAY_PER_REQUEST");
    auto po = AsObject(*pt);
    if (auto r = Member(po, "ReadCapacityUnits")) it->read_capacity = AsInt(*r);
    if (auto w = Member(po, "WriteCapacityUnits")) it->write_capacity = AsInt(*w);
  }
  v.ThrowIfAny();
  if (online > 1)
    Throw(ApiError::LimitExceeded("Subscriber limit exceeded: Only 1 online index can be created "
                                  "or deleted simultaneously per table"));
  if (!creates.empty()) {
    IndexDefinition& d = creates[0];
    if (t.FindIndex(d.info.name))
      ThrowValidation("One or more parameter values were invalid: Index " + d.info.name +
                      " already exists");
    size_t globals = 0;
    for (const auto& x : t.indexes) globals += x.global;
    if (globals + 1 > kMaxGlobalIndexes)
      ThrowValidation("One or more parameter values were invalid: GlobalSecondaryIndex count "
                      "exceeds the per-table limit of 20");
    ResolveIndexes(t, creates, defs);
    auto id = ctx.server.catalog->AllocateId();
    if (!id.ok()) Throw(ApiError::FromStatus(id.status()));
    d.info.id = *id;
    d.info.backfilling = true;
    created->push_back(d.info.id);
    t.indexes.push_back(std::move(d.info));
  }
  // AttributeDefinitions keeps exactly the attributes some key uses.
  std::vector<IndexDefinition> none;
  std::vector<std::string> used = KeyAttributeNames(t, none);
  for (const auto& x : t.indexes) {
    for (const auto* keys : {&x.hash, &x.range})
      for (const auto& k : *keys) used.push_back(k.name);
  }
  t.attribute_definitions.clear();
  for (const auto& d : defs)
    if (std::find(used.begin(), used.end(), d.name) != used.end())
      t.attribute_definitions.push_back(d);
}

}  // namespace

OpResult UpdateTable(OpContext& ctx, const Params& p) {
  Violations v;
  auto name = p.String("TableName");
  CheckTableName(v, name, "tableName", true);
  auto billing = p.String("BillingMode");
  CheckEnum(v, billing, "billingMode", {"PROVISIONED", "PAY_PER_REQUEST"});
  auto table_class = p.String("TableClass");
  CheckEnum(v, table_class, "tableClass", {"STANDARD", "STANDARD_INFREQUENT_ACCESS"});
  auto throughput = DecodeThroughput(p, v);
  v.ThrowIfAny();
  auto deletion_protection = p.Bool("DeletionProtectionEnabled");
  if (p.Has("ReplicaUpdates"))
    ThrowValidation("Global tables (ReplicaUpdates) are not supported by Cairn");
  auto gsi_updates = p.Array("GlobalSecondaryIndexUpdates");
  if (!throughput && !billing && !deletion_protection && !table_class && !gsi_updates &&
      !p.Has("StreamSpecification") && !p.Has("SSESpecification") &&
      !p.Has("AttributeDefinitions"))
    ThrowValidation(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
        "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");

  auto old = FindTable(ctx, *name);
  if (!old)
    return TableNotFound(*name);
  auto t = std::make_shared<TableInfo>(*old);
  double now = Now();
  bool to_ppr = billing ? *billing == "PAY_PER_REQUEST" : t->pay_per_request;
  if (to_ppr && throughput)
    ThrowValidation(
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
        "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
  if (!to_ppr && t->pay_per_request && !throughput)
    ThrowValidation(
        "One or more parameter values were invalid: ProvisionedThroughput must be specified when "
        "BillingMode is PROVISIONED");
  if (billing && to_ppr != t->pay_per_request) {
    t->pay_per_request = to_ppr;
    t->billing_mode_change_time = now;
    if (to_ppr) {
      t->read_capacity = 0;
      t->write_capacity = 0;
    }
  }
  if (throughput) {
    int64_t r = *throughput->read, w = *throughput->write;
    if (!old->pay_per_request && r == t->read_capacity && w == t->write_capacity &&
        !billing && !deletion_protection)
      ThrowValidation(
          "The provisioned throughput for the table will not change. The requested value equals "
          "the current value. Current ReadCapacityUnits provisioned for the table: " +
          std::to_string(r) + ". Requested ReadCapacityUnits: " + std::to_string(r) +
          ". Current WriteCapacityUnits provisioned for the table: " + std::to_string(w) +
          ". Requested WriteCapacityUnits: " + std::to_string(w) +
          ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to request "
          "higher limits.");
    if (!old->pay_per_request) {
      if (r > t->read_capacity || w > t->write_capacity) t->last_increase_time = now;
      if (r < t->read_capacity || w < t->write_capacity) {
        t->last_decrease_time = now;
        ++t->decreases_today;
      }
    }
    t->read_capacity = r;
    t->write_capacity = w;
  }
  if (deletion_protection) t->deletion_protection = *deletion_protection;
  if (table_class) t->table_class = std::string(*table_class);
  if (auto view = DecodeStreamSpecification(p)) {
    if (!view->empty()) {
      if (t->stream_enabled)
        ThrowValidation("Table already has an enabled stream: " + t->StreamArn());
      if (t->stream_id != 0) {
        // The disabled stream stays readable beside the new one.
        Status rs = ctx.server.catalog->RetireStream(*t);
        if (!rs.ok()) return ApiError::FromStatus(rs);
      }
      EnableStream(ctx, *t, *view, now);
    } else {
      if (!t->stream_enabled) ThrowValidation("Table does not have an enabled stream");
      t->stream_enabled = false;
    }
  }
  std::vector<uint32_t> created;
  std::vector<storage::IndexInfo> deleted;
  if (gsi_updates) ApplyIndexUpdates(ctx, p, *gsi_updates, *t, &created, &deleted);
  // Published under the catalog's lock: a backfill that finished meanwhile keeps its ACTIVE.
  Status s = ctx.server.catalog->Modify(t->ns, t->name, t->id, [&t](TableInfo& current) {
    std::map<uint32_t, bool> done;
    for (const auto& x : current.indexes) done[x.id] = !x.backfilling;
    current = *t;
    for (auto& x : current.indexes)
      if (done.count(x.id) && done[x.id]) x.backfilling = false;
  });
  if (!s.ok()) return ApiError::FromStatus(s);
  if (!deleted.empty()) {
    storage::WriteBatch batch;
    for (const auto& x : deleted)
      batch.DeleteRange(storage::Column::kIndex, storage::TablePrefix(x.id),
                        storage::TableEnd(x.id));
    s = ctx.server.engine->Write(batch);
    if (!s.ok()) return ApiError::FromStatus(s);
    for (const auto& x : deleted)
      ctx.server.engine->CompactRange(storage::Column::kIndex, storage::TablePrefix(x.id),
                                      storage::TableEnd(x.id));
  }
  if (!created.empty() && ctx.server.backfiller) {
    auto published = ctx.server.catalog->Find(t->ns, t->name);
    for (uint32_t id : created) ctx.server.backfiller->Start(published, id);
  }
  TableStats stats = ComputeTableStats(ctx.server, *t);
  // The answer still lists a dropped index, as DELETING (DynamoDB's UpdateTable does).
  for (auto& x : deleted) {
    x.deleting = true;
    t->indexes.push_back(x);
  }
  ctx.out.BeginObject();
  ctx.out.Key("TableDescription");
  WriteTableDescription(ctx.out, *t, "ACTIVE", &stats);
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult DeleteTable(OpContext& ctx, const Params& p) {
  auto t = NamedTableOrThrow(ctx, p);
  if (t->deletion_protection)
    ThrowValidation(
        "Resource cannot be deleted as it is currently protected against deletion. Disable "
        "deletion protection first.");
  TableStats stats = ComputeTableStats(ctx.server, *t);
  if (t->stream_id != 0) {
    // DynamoDB: the stream of a deleted table is DISABLED and readable for 24 hours.
    Status rs = ctx.server.catalog->RetireStream(*t);
    if (!rs.ok()) return ApiError::FromStatus(rs);
  }
  Status s = ctx.server.catalog->Drop(t->ns, t->name);
  if (s.IsNotFound())
    return ApiError::ResourceNotFound("Requested resource not found: Table: " + t->name +
                                      " not found");
  if (!s.ok()) return ApiError::FromStatus(s);
  ctx.out.BeginObject();
  ctx.out.Key("TableDescription");
  WriteTableDescription(ctx.out, *t, "DELETING", &stats);
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult ListTables(OpContext& ctx, const Params& p) {
  Violations v;
  auto limit = p.Int("Limit");
  auto start = p.String("ExclusiveStartTableName");
  if (limit && *limit < 1)
    v.Add("Value '" + std::to_string(*limit) +
          "' at 'limit' failed to satisfy constraint: Member must have value greater than or "
          "equal to 1");
  if (limit && *limit > 100)
    v.Add("Value '" + std::to_string(*limit) +
          "' at 'limit' failed to satisfy constraint: Member must have value less than or equal "
          "to 100");
  if (start) CheckTableName(v, start, "exclusiveStartTableName", true);
  v.ThrowIfAny();
  std::vector<std::string> names = ctx.server.catalog->List(ctx.caller.ns);
  size_t max = limit ? size_t(*limit) : 100;
  std::string_view after = start ? TableNameFromParameter(*start) : std::string_view();
  ctx.out.BeginObject();
  ctx.out.Key("TableNames");
  ctx.out.BeginArray();
  size_t count = 0;
  std::string last;
  bool more = false;
  for (const auto& n : names) {
    if (start && n <= after) continue;
    if (count == max) {
      more = true;
      break;
    }
    ctx.out.String(n);
    last = n;
    ++count;
  }
  ctx.out.EndArray();
  if (more) ctx.out.KV("LastEvaluatedTableName", last);
  ctx.out.EndObject();
  return std::nullopt;
}

}  // namespace cairn::api
