#include "api/index_schema.h"

#include <algorithm>
#include <set>

namespace cairn::api {
namespace {

using storage::IndexInfo;
using storage::KeyElement;
using storage::TableInfo;

const char kInvalid[] = "One or more parameter values were invalid: ";

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string_view ProjectionName(IndexInfo::Projection p) {
  switch (p) {
    case IndexInfo::Projection::kAll: return "ALL";
    case IndexInfo::Projection::kKeysOnly: return "KEYS_ONLY";
    case IndexInfo::Projection::kInclude: return "INCLUDE";
  }
  return "ALL";
}

}  // namespace

void WriteIndexKeySchemaAndProjection(JsonWriter& w, const IndexInfo& x) {
  w.Key("KeySchema");
  w.BeginArray();
  for (const auto* keys : {&x.hash, &x.range}) {
    for (const auto& k : *keys) {
      w.BeginObject();
      w.KV("AttributeName", k.name);
      w.KV("KeyType", keys == &x.hash ? "HASH" : "RANGE");
      w.EndObject();
    }
  }
  w.EndArray();
  w.Key("Projection");
  w.BeginObject();
  w.KV("ProjectionType", ProjectionName(x.projection));
  if (x.projection == IndexInfo::Projection::kInclude) {
    w.Key("NonKeyAttributes");
    w.BeginArray();
    for (const auto& a : x.non_key_attributes) w.String(a);
    w.EndArray();
  }
  w.EndObject();
}

IndexDefinition DecodeIndexDefinition(simdjson::dom::object o, bool global) {
  IndexDefinition d;
  d.info.global = global;
  d.info.name = std::string(AsString(*Member(o, "IndexName")));
  for (auto e : AsArray(*Member(o, "KeySchema"))) {
    auto k = AsObject(e);
    std::string attr(AsString(*Member(k, "AttributeName")));
    const bool hash = AsString(*Member(k, "KeyType")) == "HASH";
    // The order of HASH and RANGE elements is ResolveIndexes' to check, after the checks of the
    // table's own schema.
    d.key_schema.emplace_back(attr, hash);
    (hash ? d.hash_names : d.range_names).push_back(std::move(attr));
  }

  {
    auto po = AsObject(*Member(o, "Projection"));
    std::optional<std::string_view> type;
    if (auto t = Member(po, "ProjectionType")) type = AsString(*t);
    // The model does not require ProjectionType, but DynamoDB does not default it. NOT VERIFIED:
    // the text is dynalite's, which follows DynamoDB's.
    if (!type) ThrowValidation(std::string(kInvalid) + "Unknown ProjectionType: null");
    if (type == "KEYS_ONLY") d.info.projection = IndexInfo::Projection::kKeysOnly;
    if (type == "INCLUDE") d.info.projection = IndexInfo::Projection::kInclude;
    auto nka = Member(po, "NonKeyAttributes");
    if (nka) {
      for (auto a : AsArray(*nka)) d.info.non_key_attributes.emplace_back(AsString(a));
      if (d.info.projection != IndexInfo::Projection::kInclude)
        ThrowValidation(std::string(kInvalid) + "ProjectionType is " +
                        std::string(type.value_or("ALL")) + ", but NonKeyAttributes is specified");
    } else if (d.info.projection == IndexInfo::Projection::kInclude) {
      ThrowValidation(std::string(kInvalid) +
                      "ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
    }
  }

  if (auto pt = Member(o, "ProvisionedThroughput")) {
    auto po = AsObject(*pt);
    d.info.read_capacity = AsInt(*Member(po, "ReadCapacityUnits"));
    d.info.write_capacity = AsInt(*Member(po, "WriteCapacityUnits"));
    d.has_throughput = true;
  }
  // OnDemandThroughput and WarmThroughput are GlobalSecondaryIndex members (LocalSecondaryIndex has
  // none: its throughput is the table's); their values are checked by ApplyIndexSettings.
  if (global) {
    if (auto od = Member(o, "OnDemandThroughput"))
      d.on_demand = DecodeOnDemandThroughput(AsObject(*od));
    if (auto wt = Member(o, "WarmThroughput")) d.warm = DecodeWarmThroughput(AsObject(*wt));
  }
  return d;
}

std::optional<ApiError> ApplyIndexSettings(const IndexDefinition& d, bool pay_per_request,
                                           IndexInfo* x) {
  const std::string& name = d.info.name;
  if (pay_per_request && d.has_throughput)
    return ApiError::Validation(std::string(kInvalid) +
                                "ProvisionedThroughput should not be specified for index: " + name +
                                " when BillingMode is PAY_PER_REQUEST");
  if (!pay_per_request && !d.has_throughput)
    return ApiError::Validation(std::string(kInvalid) +
                                "ProvisionedThroughput should not be null for index: " + name);
  if (d.on_demand) {
    if (auto e = CheckOnDemandThroughput(*d.on_demand)) return e;
    // Cairn's wording, after DynamoDB's for ProvisionedThroughput on an on-demand table's GSI.
    if (!pay_per_request)
      return ApiError::Validation(std::string(kInvalid) +
                                  "OnDemandThroughput should not be specified for index: " + name +
                                  " when BillingMode is PROVISIONED");
    ApplyOnDemandThroughput(*d.on_demand, &x->max_read_request_units, &x->max_write_request_units);
  }
  if (d.warm) {
    if (auto e = CheckWarmThroughputMembers(*d.warm)) return e;
    ReadWrite minimum = DefaultWarmThroughput(pay_per_request, x->read_capacity, x->write_capacity);
    if (auto e = ApplyWarmThroughput(*d.warm, "index " + name, pay_per_request, minimum, minimum,
                                     &x->warm_read_units, &x->warm_write_units))
      return e;
  }
  return std::nullopt;
}

void ResolveIndexes(const TableInfo& table, std::vector<IndexDefinition>& indexes,
                    const std::vector<KeyElement>& definitions) {
  std::set<std::string> names;
  size_t locals = 0, globals = 0;
  auto check_local_count = [&locals] {
    if (locals > kMaxLocalIndexes)
      ThrowValidation(std::string(kInvalid) +
                      "Number of LocalSecondaryIndexes exceeds per-table limit of 5");
  };
  // LSIs come first in `indexes`; their count is checked before the GSIs are.
  for (auto& d : indexes) {
    IndexInfo& x = d.info;
    if (x.global && globals == 0) check_local_count();
    if (!x.global && !table.range)
      ThrowValidation(std::string(kInvalid) +
                      "Table KeySchema does not have a range key, which is required when "
                      "specifying a LocalSecondaryIndex");
    std::vector<std::string> keys, defs;
    for (const auto& [name, is_hash] : d.key_schema) keys.push_back(name);
    for (const auto& e : definitions) defs.push_back(e.name);
    for (const auto& k : keys)
      if (std::find(defs.begin(), defs.end(), k) == defs.end())
        ThrowValidation(std::string(kInvalid) +
                        "Some index key attributes are not defined in AttributeDefinitions. "
                        "Keys: [" + Join(keys) + "], AttributeDefinitions: [" + Join(defs) + "]");
    const auto& ks = d.key_schema;
    if (ks.size() == 2 && ks[0].first == ks[1].first)
      ThrowValidation(
          "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    if (!ks.empty() && !ks[0].second)
      ThrowValidation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (!x.global && ks.size() >= 2 && ks[1].second)
      ThrowValidation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    for (size_t i = 1; i < ks.size(); ++i)
      if (ks[i].second && !ks[i - 1].second)
        ThrowValidation("Invalid KeySchema: The HASH key elements of an index must come before "
                        "its RANGE key elements");
    std::set<std::string> seen;
    for (const auto& k : keys)
      if (!seen.insert(k).second)
        ThrowValidation("Invalid KeySchema: Some index key attributes are specified more than once "
                        "for index: " + x.name);
    if (!x.global) {
      if (d.range_names.size() != 1 || d.hash_names.size() != 1)
        ThrowValidation(std::string(kInvalid) +
                        "Index KeySchema does not have a range key for index: " + x.name);
      if (d.hash_names[0] != table.hash.name)
        ThrowValidation(std::string(kInvalid) +
                        "Index KeySchema does not have the same leading hash key as table "
                        "KeySchema for index: " + x.name + ". index hash key: " + d.hash_names[0] +
                        ", table hash key: " + table.hash.name);
    } else if (d.hash_names.size() > kMaxIndexKeyAttributes ||
               d.range_names.size() > kMaxIndexKeyAttributes) {
      ThrowValidation(std::string(kInvalid) +
                      "An index KeySchema can have at most 4 HASH and 4 RANGE key elements; "
                      "index: " + x.name);
    }
    auto resolve = [&](const std::vector<std::string>& from, std::vector<KeyElement>* to) {
      to->clear();
      for (const auto& n : from)
        for (const auto& e : definitions)
          if (e.name == n) {
            to->push_back(e);
            break;
          }
    };
    resolve(d.hash_names, &x.hash);
    resolve(d.range_names, &x.range);
    if (x.global) {
      if (auto e = ApplyIndexSettings(d, table.pay_per_request, &x)) Throw(*e);
    }
    if (!names.insert(x.name).second)
      ThrowValidation(std::string(kInvalid) + "Duplicate index name: " + x.name);
    (x.global ? globals : locals)++;
  }
  check_local_count();
  if (globals > kMaxGlobalIndexes)
    ThrowValidation(std::string(kInvalid) +
                    "GlobalSecondaryIndex count exceeds the per-table limit of 20");
}

void CheckDefinitionsDistinct(const std::vector<KeyElement>& definitions) {
  std::set<std::string_view> seen;
  for (const auto& d : definitions)
    if (!seen.insert(d.name).second)
      ThrowValidation("Cannot have two attributes with the same name");
}

std::vector<std::string> KeyAttributeNames(const TableInfo& table,
                                           const std::vector<IndexDefinition>& indexes) {
  std::set<std::string> names = {table.hash.name};
  if (table.range) names.insert(table.range->name);
  for (const auto& d : indexes) {
    names.insert(d.hash_names.begin(), d.hash_names.end());
    names.insert(d.range_names.begin(), d.range_names.end());
  }
  return {names.begin(), names.end()};
}

void WriteIndexDescriptions(JsonWriter& w, const TableInfo& t,
                            const std::vector<IndexStats>& stats) {
  for (bool global : {false, true}) {
    bool any = false;
    for (size_t i = 0; i < t.indexes.size(); ++i) {
      const IndexInfo& x = t.indexes[i];
      if (x.global != global) continue;
      if (!any) {
        w.Key(global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
        w.BeginArray();
        any = true;
      }
      IndexStats s = i < stats.size() ? stats[i] : IndexStats{};
      w.BeginObject();
      w.KV("IndexName", x.name);
      WriteIndexKeySchemaAndProjection(w, x);
      if (global) {
        w.KV("IndexStatus", x.deleting ? "DELETING" : x.backfilling ? "CREATING" : "ACTIVE");
        if (x.backfilling) {
          w.Key("Backfilling");
          w.Bool(true);
        }
        w.Key("ProvisionedThroughput");
        w.BeginObject();
        w.Key("NumberOfDecreasesToday");
        w.Int(0);
        w.Key("ReadCapacityUnits");
        w.Int(t.pay_per_request ? 0 : x.read_capacity);
        w.Key("WriteCapacityUnits");
        w.Int(t.pay_per_request ? 0 : x.write_capacity);
        w.EndObject();
      }
      w.Key("IndexSizeBytes");
      w.Int(s.size_bytes);
      w.Key("ItemCount");
      w.Int(s.item_count);
      w.KV("IndexArn", t.Arn() + "/index/" + x.name);
      if (global) {
        WriteOnDemandThroughput(w, x.max_read_request_units, x.max_write_request_units);
        WriteWarmThroughput(w, WarmThroughputOf(t, x), x.backfilling ? "UPDATING" : "ACTIVE");
      }
      w.EndObject();
    }
    if (any) w.EndArray();
  }
}

}  // namespace cairn::api
