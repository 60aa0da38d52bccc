// Conversions between the 2011-12-05 shapes and the current ones; see legacy_20111205_shapes.h.
#include "api/legacy_20111205_shapes.h"

#include <cstdio>

namespace cairn::api {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

double AsNumber(element e) {
  double d = 0;
  if (e.get_double().get(d) != simdjson::SUCCESS) return 0;
  return d;
}

int64_t AsInteger(element e) {
  int64_t i = 0;
  if (e.get_int64().get(i) != simdjson::SUCCESS) return 0;
  return i;
}

// {"AttributeName": name, "AttributeType": type} of a key attribute, the type taken from the
// table's AttributeDefinitions.
void WriteKeyElement(JsonWriter& w, std::string_view name, object description) {
  std::string_view type = "S";
  if (auto defs = Member(description, "AttributeDefinitions")) {
    for (element d : AsArray(*defs)) {
      object o = AsObject(d);
      auto n = Member(o, "AttributeName");
      auto t = Member(o, "AttributeType");
      if (n && t && AsString(*n) == name) type = AsString(*t);
    }
  }
  w.BeginObject();
  w.KV("AttributeName", name);
  w.KV("AttributeType", type);
  w.EndObject();
}

}  // namespace

ApiError To20111205Error(ApiError e) {
  if (e.ns == ErrorNamespace::kDynamoDB) e.ns = ErrorNamespace::kDynamoDB20111205;
  return e;
}

void CopyJson(JsonWriter& w, element e) { w.Raw(simdjson::to_string(e)); }

void WriteDecimal(JsonWriter& w, double v) {
  std::string text;
  JsonWriter number(&text);
  number.Double(v);
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  w.Raw(text);
}

void WriteCurrentKey(JsonWriter& w, const storage::TableInfo& table, element key,
                     std::string_view field) {
  object o = AsObject(key);
  auto hash = Member(o, "HashKeyElement");
  auto range = Member(o, "RangeKeyElement");
  if (!hash) {
    Violations v;
    v.Null(std::string(field) + ".hashKeyElement");
    v.ThrowIfAny();
  }
  if (range && !table.range) ThrowValidation("The provided key element does not match the schema");
  w.BeginObject();
  w.Key(table.hash.name);
  CopyJson(w, *hash);
  if (range) {
    w.Key(table.range->name);
    CopyJson(w, *range);
  }
  w.EndObject();
}

void Write20111205Key(JsonWriter& w, const storage::TableInfo& table, object key) {
  w.BeginObject();
  if (auto hash = Member(key, table.hash.name)) {
    w.Key("HashKeyElement");
    CopyJson(w, *hash);
  }
  if (table.range) {
    if (auto range = Member(key, table.range->name)) {
      w.Key("RangeKeyElement");
      CopyJson(w, *range);
    }
  }
  w.EndObject();
}

void Write20111205TableDescription(JsonWriter& w, object d, bool stats) {
  w.BeginObject();
  if (auto created = Member(d, "CreationDateTime")) {
    w.Key("CreationDateTime");
    WriteDecimal(w, AsNumber(*created));
  }
  if (stats) {
    w.Key("ItemCount");
    w.Int(Member(d, "ItemCount") ? AsInteger(*Member(d, "ItemCount")) : 0);
  }
  w.Key("KeySchema");
  w.BeginObject();
  if (auto schema = Member(d, "KeySchema")) {
    for (element k : AsArray(*schema)) {
      object o = AsObject(k);
      auto name = Member(o, "AttributeName");
      auto type = Member(o, "KeyType");
      if (!name || !type) continue;
      w.Key(AsString(*type) == "HASH" ? "HashKeyElement" : "RangeKeyElement");
      WriteKeyElement(w, AsString(*name), d);
    }
  }
  w.EndObject();
  w.Key("ProvisionedThroughput");
  w.BeginObject();
  if (auto pt = Member(d, "ProvisionedThroughput")) {
    object o = AsObject(*pt);
    for (std::string_view time : {"LastDecreaseDateTime", "LastIncreaseDateTime"}) {
      if (auto t = Member(o, time)) {
        w.Key(time);
        WriteDecimal(w, AsNumber(*t));
      }
    }
    for (std::string_view units : {"ReadCapacityUnits", "WriteCapacityUnits"}) {
      w.Key(units);
      w.Int(Member(o, units) ? AsInteger(*Member(o, units)) : 0);
    }
  }
  w.EndObject();
  if (auto name = Member(d, "TableName")) w.KV("TableName", AsString(*name));
  if (stats) {
    w.Key("TableSizeBytes");
    w.Int(Member(d, "TableSizeBytes") ? AsInteger(*Member(d, "TableSizeBytes")) : 0);
  }
  if (auto status = Member(d, "TableStatus")) w.KV("TableStatus", AsString(*status));
  w.EndObject();
}

ApiResult<std::shared_ptr<const storage::TableInfo>> Table20111205(OpContext& ctx,
                                                                  std::string_view name) {
  auto t = ctx.server.catalog->Find(ctx.caller.ns, name);
  if (!t) return ApiError::ResourceNotFound();
  return t;
}

simdjson::dom::parser& TranslatedRequestParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

simdjson::dom::parser& CurrentResponseParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

}  // namespace cairn::api
