// This file implements the 2011-12-05 API version (target prefix DynamoDB_20111205.), the first
// DynamoDB API, which boto 2's Layer1 (boto.dynamodb) speaks: ListTables, CreateTable,
// DescribeTable, UpdateTable, DeleteTable, PutItem, GetItem, UpdateItem, DeleteItem, Query, Scan,
// BatchGetItem and BatchWriteItem.
//
// Each operation translates its request into the 2012-08-10 request of the same name, runs the
// current operation on it (api/operations.h, through CallCurrent), and writes that version's
// response shape (legacy_20111205_shapes.h). So both versions read and write the same tables and
// items with the same rules, and a table made through one is fully usable through the other.
// Only the members the 2011 version defines are carried over: like DynamoDB, it ignores members it
// does not know (a ConditionExpression sent to it has no effect).
//
// What the translation adds: the request's Key / ExclusiveStartKey by position become keys by
// attribute name (the table's KeySchema); Query's HashKeyValue and RangeKeyCondition become
// KeyConditions; Count becomes Select COUNT; every data operation asks for TOTAL capacity and
// reports it as ConsumedCapacityUnits. Errors of DynamoDB's own types carry the
// com.amazonaws.dynamodb.v20111205 namespace (coral's ValidationException keeps its own).
//
// Where Cairn differs from the 2011 service (kept, as it is the current behaviour and harmless to
// its clients): CreateTable answers TableStatus ACTIVE, not CREATING, since the table is usable at
// once; Query also runs on hash-only tables; capacity units follow the current arithmetic (4 KB
// read units).
#include <initializer_list>
#include <map>

#include "api/legacy_20111205_shapes.h"
#include "api/operations.h"

namespace cairn::api {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;
using storage::TableInfo;

// Copies `member` of the request, if present, into the translated request.
void CopyMember(JsonWriter& w, const Params& p, std::string_view member) {
  if (auto e = p.Get(member)) {
    w.Key(member);
    CopyJson(w, *e);
  }
}

void RequestTotalCapacity(JsonWriter& w) { w.KV("ReturnConsumedCapacity", "TOTAL"); }

// ConsumedCapacity.CapacityUnits of a current response (0 without one).
double CapacityUnits(object response) {
  auto cc = Member(response, "ConsumedCapacity");
  if (!cc || !cc->is_object()) return 0;
  auto units = Member(AsObject(*cc), "CapacityUnits");
  double d = 0;
  if (units && units->get_double().get(d) != simdjson::SUCCESS) return 0;
  return d;
}

// Copies `member` of the current response, if present, into the 2011 response.
void CopyResponseMember(JsonWriter& w, object response, std::string_view member) {
  if (auto e = Member(response, member)) {
    w.Key(member);
    CopyJson(w, *e);
  }
}

// The response of PutItem, UpdateItem and DeleteItem: {Attributes?, ConsumedCapacityUnits}.
void WriteWriteResponse(OpContext& ctx, object response) {
  ctx.out.BeginObject();
  CopyResponseMember(ctx.out, response, "Attributes");
  ctx.out.Key("ConsumedCapacityUnits");
  WriteDecimal(ctx.out, CapacityUnits(response));
  ctx.out.EndObject();
}

// TableName, checked as the 2011 version checks it (no ARNs).
std::string_view TableName(const Params& p, Violations& v) {
  auto name = p.String("TableName");
  CheckTableName(v, name, "tableName", false);
  return name.value_or(std::string_view());
}

// --- control plane

OpResult ListTables20111205(OpContext& ctx, const Params& p) {
  // Same request members (Limit, ExclusiveStartTableName) and response shape in both versions; the
  // current model's checks (Limit 1..100, the start name's length and pattern) apply to both.
  std::string request;
  JsonWriter w(&request);
  w.BeginObject();
  CopyMember(w, p, "Limit");
  CopyMember(w, p, "ExclusiveStartTableName");
  w.EndObject();
  return CallCurrent(ctx, "ListTables", &ListTables, request,
                     [&](object response) { ctx.out.Raw(simdjson::to_string(response)); });
}

OpResult CreateTable20111205(OpContext& ctx, const Params& p) {
  Violations v;
  std::string_view name = TableName(p, v);
  auto schema = p.Object("KeySchema");
  // (AttributeName, AttributeType) of HashKeyElement and RangeKeyElement.
  std::vector<std::pair<std::string_view, std::string_view>> keys;
  if (!schema) {
    v.Null("keySchema");
  } else {
    for (std::string_view element_name : {"HashKeyElement", "RangeKeyElement"}) {
      std::string field = element_name == "HashKeyElement" ? "keySchema.hashKeyElement"
                                                           : "keySchema.rangeKeyElement";
      auto e = Member(*schema, element_name);
      if (!e) {
        if (element_name == "HashKeyElement") v.Null(field);
        continue;
      }
      object o = AsObject(*e);
      auto attr = Member(o, "AttributeName");
      auto type = Member(o, "AttributeType");
      if (!attr) v.Null(field + ".attributeName");
      std::optional<std::string_view> type_name;
      if (type) type_name = AsString(*type);
      if (!type) v.Null(field + ".attributeType");
      CheckEnum(v, type_name, field + ".attributeType", {"B", "N", "S"});
      if (attr && type) keys.emplace_back(AsString(*attr), *type_name);
    }
  }
  if (!p.Has("ProvisionedThroughput")) v.Null("provisionedThroughput");
  v.ThrowIfAny();
  if (keys.size() == 2 && keys[0].first == keys[1].first)
    ThrowValidation(
        "Both the Hash Key and the Range Key element in the KeySchema have the same name");

  std::string request;
  JsonWriter w(&request);
  w.BeginObject();
  w.KV("TableName", name);
  w.Key("KeySchema");
  w.BeginArray();
  for (size_t i = 0; i < keys.size(); ++i) {
    w.BeginObject();
    w.KV("AttributeName", keys[i].first);
    w.KV("KeyType", i == 0 ? "HASH" : "RANGE");
    w.EndObject();
  }
  w.EndArray();
  w.Key("AttributeDefinitions");
  w.BeginArray();
  for (const auto& [attr, type] : keys) {
    w.BeginObject();
    w.KV("AttributeName", attr);
    w.KV("AttributeType", type);
    w.EndObject();
  }
  w.EndArray();
  CopyMember(w, p, "ProvisionedThroughput");
  w.EndObject();
  return CallCurrent(ctx, "CreateTable", &CreateTable, request, [&](object response) {
    ctx.out.BeginObject();
    ctx.out.Key("TableDescription");
    Write20111205TableDescription(ctx.out, AsObject(*Member(response, "TableDescription")), false);
    ctx.out.EndObject();
  });
}

// DescribeTable, UpdateTable and DeleteTable: the same members in both versions; the response's
// description (under `member`) is rewritten.
OpResult TableOperation(OpContext& ctx, const Params& p, std::string_view operation, OpFn op,
                        std::string_view member, bool stats, bool needs_throughput) {
  Violations v;
  std::string_view name = TableName(p, v);
  if (needs_throughput && !p.Has("ProvisionedThroughput")) v.Null("provisionedThroughput");
  v.ThrowIfAny();
  std::string request;
  JsonWriter w(&request);
  w.BeginObject();
  w.KV("TableName", name);
  if (needs_throughput) CopyMember(w, p, "ProvisionedThroughput");
  w.EndObject();
  return CallCurrent(ctx, operation, op, request, [&](object response) {
    ctx.out.BeginObject();
    ctx.out.Key(member);
    Write20111205TableDescription(ctx.out, AsObject(*Member(response, member)), stats);
    ctx.out.EndObject();
  });
}

OpResult DescribeTable20111205(OpContext& ctx, const Params& p) {
  return TableOperation(ctx, p, "DescribeTable", &DescribeTable, "Table", true, false);
}

OpResult UpdateTable20111205(OpContext& ctx, const Params& p) {
  return TableOperation(ctx, p, "UpdateTable", &UpdateTable, "TableDescription", true, true);
}

OpResult DeleteTable20111205(OpContext& ctx, const Params& p) {
  // The 2011 answer has the KeySchema and CreationDateTime that today's DeleteTable leaves out.
  return TableOperation(ctx, p, "DeleteTable", &DeleteTableDescribingSchema, "TableDescription",
                        false, false);
}

// --- single items

OpResult PutItem20111205(OpContext& ctx, const Params& p) {
  Violations v;
  std::string_view name = TableName(p, v);
  if (!p.Has("Item")) v.Null("item");
  v.ThrowIfAny();
  std::string request;
  JsonWriter w(&request);
  w.BeginObject();
  w.KV("TableName", name);
  CopyMember(w, p, "Item");
  CopyMember(w, p, "Expected");
  CopyMember(w, p, "ReturnValues");
  RequestTotalCapacity(w);
  w.EndObject();
  return CallCurrent(ctx, "PutItem", &PutItem, request,
                     [&](object response) { WriteWriteResponse(ctx, response); });
}

// The current request for a 2011-12-05 GetItem, UpdateItem or DeleteItem: the table named by the
// request and its Key (checked, and written in the current form), the given members copied as they
// are, and TOTAL consumed capacity (the old API always answers ConsumedCapacityUnits).
ApiResult<std::string> KeyedRequest(OpContext& ctx, const Params& p,
                                    std::initializer_list<const char*> members) {
  Violations v;
  std::string_view name = TableName(p, v);
  if (!p.Has("Key")) v.Null("key");
  v.ThrowIfAny();
  CAIRN_API_ASSIGN_OR_RETURN(auto t, Table20111205(ctx, name));
  std::string request;
  JsonWriter w(&request);
  w.BeginObject();
  w.KV("TableName", name);
  w.Key("Key");
  WriteCurrentKey(w, *t, *p.Get("Key"), "key");
  for (const char* member : members) CopyMember(w, p, member);
  RequestTotalCapacity(w);
  w.EndObject();
  return request;
}

OpResult GetItem20111205(OpContext& ctx, const Params& p) {
  CAIRN_API_ASSIGN_OR_RETURN(std::string request,
                             KeyedRequest(ctx, p, {"AttributesToGet", "ConsistentRead"}));
  return CallCurrent(ctx, "GetItem", &GetItem, request, [&](object response) {
    ctx.out.BeginObject();
    CopyResponseMember(ctx.out, response, "Item");
    ctx.out.Key("ConsumedCapacityUnits");
    WriteDecimal(ctx.out, CapacityUnits(response));
    ctx.out.EndObject();
  });
}

// UpdateItem (with AttributeUpdates) and DeleteItem.
OpResult KeyedWrite(OpContext& ctx, const Params& p, std::string_view operation, OpFn op,
                    bool update) {
  CAIRN_API_ASSIGN_OR_RETURN(
      std::string request,
      update ? KeyedRequest(ctx, p, {"AttributeUpdates", "Expected", "ReturnValues"})
             : KeyedRequest(ctx, p, {"Expected", "ReturnValues"}));
  return CallCurrent(ctx, operation, op, request, [&](object response) { WriteWriteResponse(ctx, response); });
}

OpResult UpdateItem20111205(OpContext& ctx, const Params& p) {
  return KeyedWrite(ctx, p, "UpdateItem", &UpdateItem, true);
}

OpResult DeleteItem20111205(OpContext& ctx, const Params& p) {
  return KeyedWrite(ctx, p, "DeleteItem", &DeleteItem, false);
}

// --- Query and Scan

// The members Query and Scan share: AttributesToGet, Limit, Count, ExclusiveStartKey.
void WriteReadOptions(JsonWriter& w, const Params& p, const TableInfo& t) {
  bool count = p.Bool("Count").value_or(false);
  if (count && p.Has("AttributesToGet"))
    ThrowValidation("Cannot specify the AttributesToGet when choosing to get only the Count");
  CopyMember(w, p, "AttributesToGet");
  CopyMember(w, p, "Limit");
  if (count) w.KV("Select", "COUNT");
  if (auto start = p.Get("ExclusiveStartKey")) {
    w.Key("ExclusiveStartKey");
    WriteCurrentKey(w, t, *start, "exclusiveStartKey");
  }
  RequestTotalCapacity(w);
}

// Count, Items (unless Count was asked), ScannedCount (Scan), LastEvaluatedKey by position and
// ConsumedCapacityUnits.
void WritePage(OpContext& ctx, const TableInfo& t, object response, bool scanned_count) {
  JsonWriter& out = ctx.out;
  out.BeginObject();
  CopyResponseMember(out, response, "Count");
  CopyResponseMember(out, response, "Items");
  if (auto last = Member(response, "LastEvaluatedKey")) {
    out.Key("LastEvaluatedKey");
    Write20111205Key(out, t, AsObject(*last));
  }
  if (scanned_count) CopyResponseMember(out, response, "ScannedCount");
  out.Key("ConsumedCapacityUnits");
  WriteDecimal(out, CapacityUnits(response));
  out.EndObject();
}

OpResult Query20111205(OpContext& ctx, const Params& p) {
  Violations v;
  std::string_view name = TableName(p, v);
  auto hash_value = p.Get("HashKeyValue");
  if (!hash_value) v.Null("hashKeyValue");
  v.ThrowIfAny();
  CAIRN_API_ASSIGN_OR_RETURN(auto t, Table20111205(ctx, name));
  auto range_condition = p.Get("RangeKeyCondition");
  if (range_condition && !t->range)
    ThrowValidation("The provided key element does not match the schema");

  std::string request;
  JsonWriter w(&request);
  w.BeginObject();
  w.KV("TableName", name);
  w.Key("KeyConditions");
  w.BeginObject();
  w.Key(t->hash.name);
  w.BeginObject();
  w.Key("AttributeValueList");
  w.BeginArray();
  CopyJson(w, *hash_value);
  w.EndArray();
  w.KV("ComparisonOperator", "EQ");
  w.EndObject();
  if (range_condition) {
    w.Key(t->range->name);
    CopyJson(w, *range_condition);
  }
  w.EndObject();
  CopyMember(w, p, "ConsistentRead");
  CopyMember(w, p, "ScanIndexForward");
  WriteReadOptions(w, p, *t);
  w.EndObject();
  return CallCurrent(ctx, "Query", &Query, request,
                     [&](object response) { WritePage(ctx, *t, response, false); });
}

OpResult Scan20111205(OpContext& ctx, const Params& p) {
  Violations v;
  std::string_view name = TableName(p, v);
  v.ThrowIfAny();
  CAIRN_API_ASSIGN_OR_RETURN(auto t, Table20111205(ctx, name));
  std::string request;
  JsonWriter w(&request);
  w.BeginObject();
  w.KV("TableName", name);
  CopyMember(w, p, "ScanFilter");
  WriteReadOptions(w, p, *t);
  w.EndObject();
  return CallCurrent(ctx, "Scan", &Scan, request,
                     [&](object response) { WritePage(ctx, *t, response, true); });
}

// --- batches

// RequestItems, present, with valid table names (the 2011 version has no ARNs: names of at most
// 255 characters).
object RequestItems(const Params& p) {
  Violations v;
  auto items = p.Object("RequestItems");
  if (!items) {
    v.Null("requestItems");
  } else {
    for (auto [name, unused] : *items) {
      (void)unused;
      Violations names;
      CheckTableName(names, name, "requestItems.key", false);
      if (!names.empty())
        v.Add("Value '" + std::string(name) +
              "' at 'requestItems' failed to satisfy constraint: Map keys must satisfy "
              "constraint: [Member must have length less than or equal to 255, Member must have "
              "length greater than or equal to 3, Member must satisfy regular expression "
              "pattern: [a-zA-Z0-9_.-]+]");
    }
  }
  v.ThrowIfAny();
  return *items;
}

// ConsumedCapacity [{TableName, CapacityUnits}] of a batch response, by table.
std::map<std::string, double, std::less<>> BatchUnits(object response) {
  std::map<std::string, double, std::less<>> units;
  if (auto list = Member(response, "ConsumedCapacity")) {
    for (element e : AsArray(*list)) {
      object o = AsObject(e);
      auto table = Member(o, "TableName");
      auto u = Member(o, "CapacityUnits");
      double d = 0;
      if (table && u && u->get_double().get(d) == simdjson::SUCCESS)
        units[std::string(AsString(*table))] += d;
    }
  }
  return units;
}

double UnitsOf(const std::map<std::string, double, std::less<>>& units, std::string_view table) {
  auto it = units.find(table);
  return it == units.end() ? 0.0 : it->second;
}

OpResult BatchGetItem20111205(OpContext& ctx, const Params& p) {
  object items = RequestItems(p);
  std::vector<std::pair<std::string_view, std::shared_ptr<const TableInfo>>> tables;
  std::string request;
  JsonWriter w(&request);
  w.BeginObject();
  w.Key("RequestItems");
  w.BeginObject();
  for (auto [name, entry] : items) {
    object o = AsObject(entry);
    auto keys = Member(o, "Keys");
    if (!keys) {
      Violations v;
      v.Null("requestItems." + std::string(name) + ".member.keys");
      v.ThrowIfAny();
    }
    CAIRN_API_ASSIGN_OR_RETURN(auto t, Table20111205(ctx, name));
    tables.emplace_back(name, t);
    w.Key(name);
    w.BeginObject();
    w.Key("Keys");
    w.BeginArray();
    for (element k : AsArray(*keys))
      WriteCurrentKey(w, *t, k, "requestItems." + std::string(name) + ".member.keys.member");
    w.EndArray();
    Params tp(o);
    CopyMember(w, tp, "AttributesToGet");
    CopyMember(w, tp, "ConsistentRead");
    w.EndObject();
  }
  w.EndObject();
  RequestTotalCapacity(w);
  w.EndObject();
  return CallCurrent(ctx, "BatchGetItem", &BatchGetItem, request, [&](object response) {
    auto units = BatchUnits(response);
    auto responses = Member(response, "Responses");
    auto unprocessed = Member(response, "UnprocessedKeys");
    JsonWriter& out = ctx.out;
    out.BeginObject();
    out.Key("Responses");
    out.BeginObject();
    for (const auto& [name, t] : tables) {
      out.Key(name);
      out.BeginObject();
      out.Key("Items");
      auto found = responses ? Member(AsObject(*responses), name) : std::nullopt;
      if (found)
        CopyJson(out, *found);
      else
        out.Raw("[]");
      out.Key("ConsumedCapacityUnits");
      WriteDecimal(out, UnitsOf(units, t->name));
      out.EndObject();
    }
    out.EndObject();
    out.Key("UnprocessedKeys");
    out.BeginObject();
    if (unprocessed) {
      for (auto [name, entry] : AsObject(*unprocessed)) {
        const TableInfo* t = nullptr;
        for (const auto& [n, info] : tables)
          if (n == name) t = info.get();
        if (!t) continue;
        out.Key(name);
        out.BeginObject();
        out.Key("Keys");
        out.BeginArray();
        if (auto keys = Member(AsObject(entry), "Keys"))
          for (element k : AsArray(*keys)) Write20111205Key(out, *t, AsObject(k));
        out.EndArray();
        // The request's options travel with its keys, so a retry is the same request.
        object original = AsObject(*Member(items, name));
        if (auto attrs = Member(original, "AttributesToGet")) {
          out.Key("AttributesToGet");
          CopyJson(out, *attrs);
        }
        CopyResponseMember(out, AsObject(entry), "ConsistentRead");
        out.EndObject();
      }
    }
    out.EndObject();
    out.EndObject();
  });
}

OpResult BatchWriteItem20111205(OpContext& ctx, const Params& p) {
  object items = RequestItems(p);
  std::vector<std::pair<std::string_view, std::shared_ptr<const TableInfo>>> tables;
  std::string request;
  JsonWriter w(&request);
  w.BeginObject();
  w.Key("RequestItems");
  w.BeginObject();
  for (auto [name, requests] : items) {
    CAIRN_API_ASSIGN_OR_RETURN(auto t, Table20111205(ctx, name));
    tables.emplace_back(name, t);
    w.Key(name);
    w.BeginArray();
    for (element r : AsArray(requests)) {
      object o = AsObject(r);
      auto del = Member(o, "DeleteRequest");
      auto key = del ? Member(AsObject(*del), "Key") : std::nullopt;
      if (!del || !key || Member(o, "PutRequest")) {
        CopyJson(w, r);  // a put, or a malformed request the current operation rejects
        continue;
      }
      w.BeginObject();
      w.Key("DeleteRequest");
      w.BeginObject();
      w.Key("Key");
      WriteCurrentKey(w, *t, *key,
                      "requestItems." + std::string(name) + ".member.deleteRequest.key");
      w.EndObject();
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  RequestTotalCapacity(w);
  w.EndObject();
  return CallCurrent(ctx, "BatchWriteItem", &BatchWriteItem, request, [&](object response) {
    auto units = BatchUnits(response);
    JsonWriter& out = ctx.out;
    out.BeginObject();
    out.Key("Responses");
    out.BeginObject();
    for (const auto& [name, t] : tables) {
      out.Key(name);
      out.BeginObject();
      out.Key("ConsumedCapacityUnits");
      WriteDecimal(out, UnitsOf(units, t->name));
      out.EndObject();
    }
    out.EndObject();
    out.Key("UnprocessedItems");
    out.BeginObject();
    if (auto unprocessed = Member(response, "UnprocessedItems")) {
      for (auto [name, list] : AsObject(*unprocessed)) {
        const TableInfo* t = nullptr;
        for (const auto& [n, info] : tables)
          if (n == name) t = info.get();
        if (!t) continue;
        out.Key(name);
        out.BeginArray();
        for (element r : AsArray(list)) {
          auto del = Member(AsObject(r), "DeleteRequest");
          auto key = del ? Member(AsObject(*del), "Key") : std::nullopt;
          if (!key) {
            CopyJson(out, r);
            continue;
          }
          out.BeginObject();
          out.Key("DeleteRequest");
          out.BeginObject();
          out.Key("Key");
          Write20111205Key(out, *t, AsObject(*key));
          out.EndObject();
          out.EndObject();
        }
        out.EndArray();
      }
    }
    out.EndObject();
    out.EndObject();
  });
}

// Every 2011 operation runs inside this guard: its errors, returned or thrown, leave with the
// 2011-12-05 namespace.
template <OpFn Op>
OpResult In20111205(OpContext& ctx, const Params& p) {
  try {
    if (OpResult r = Op(ctx, p)) return To20111205Error(std::move(*r));
    return std::nullopt;
  } catch (const ApiException& e) {
    return To20111205Error(e.error);
  }
}

}  // namespace

OpFn FindOperation20111205(std::string_view name) {
  static const std::pair<std::string_view, OpFn> kOperations[] = {
      {"ListTables", &In20111205<&ListTables20111205>},
      {"CreateTable", &In20111205<&CreateTable20111205>},
      {"DescribeTable", &In20111205<&DescribeTable20111205>},
      {"UpdateTable", &In20111205<&UpdateTable20111205>},
      {"DeleteTable", &In20111205<&DeleteTable20111205>},
      {"PutItem", &In20111205<&PutItem20111205>},
      {"GetItem", &In20111205<&GetItem20111205>},
      {"UpdateItem", &In20111205<&UpdateItem20111205>},
      {"DeleteItem", &In20111205<&DeleteItem20111205>},
      {"Query", &In20111205<&Query20111205>},
      {"Scan", &In20111205<&Scan20111205>},
      {"BatchGetItem", &In20111205<&BatchGetItem20111205>},
      {"BatchWriteItem", &In20111205<&BatchWriteItem20111205>},
  };
  for (const auto& [op_name, fn] : kOperations)
    if (op_name == name) return fn;
  return nullptr;
}

}  // namespace cairn::api
