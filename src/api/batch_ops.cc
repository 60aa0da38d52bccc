// This file implements the batch operations: BatchGetItem (up to 100 keys over several tables) and
// BatchWriteItem (up to 25 puts and deletes over several tables).
// DynamoDB applies a batch write item by item and may return some as UnprocessedItems; Cairn
// validates the whole batch first (so a bad request changes nothing, as in DynamoDB), then writes
// all of them through the item writer in one atomic batch (write/item_writer.h), so
// UnprocessedItems is always empty. BatchGetItem stops at DynamoDB's 16 MB response limit and
// returns the rest as UnprocessedKeys.
#include <set>

#include "api/protocol_names.h"
#include "api/capacity.h"
#include "api/expressions.h"
#include "api/item_collection.h"
#include "api/item_keys.h"
#include "api/operations.h"
#include "api/table_description.h"
#include "api/write_outcome.h"
#include "storage/key_encoding.h"

namespace cairn::api {
namespace {

constexpr size_t kMaxBatchWrite = 25;
constexpr size_t kMaxBatchGet = 100;
// "16 MB" here is 16,000,000 bytes of item data: the API reference's example (100 items of 300 KB
// return 52) holds only with that figure (test_batch.py).
constexpr size_t kMaxBatchGetResponseBytes = 16'000'000;

simdjson::dom::object RequestItems(const Params& p, Violations& v) {
  auto items = p.Object("RequestItems");
  if (!items) {
    v.Null("requestItems");
  } else if (items->size() == 0) {
    v.Add("Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length "
          "greater than or equal to 1");
  } else {
    for (auto [name, unused] : *items) {
      (void)unused;
      Violations names;
      CheckTableName(names, name, "requestItems.key", true);
      if (!names.empty())
        v.Add("Value '" + std::string(name) +
              "' at 'requestItems' failed to satisfy constraint: Map keys must satisfy "
              "constraint: [Member must have length less than or equal to 1024, Member must have "
              "length greater than or equal to 3, Member must satisfy regular expression "
              "pattern: [a-zA-Z0-9_.-]+]");
    }
  }
  return items ? *items : simdjson::dom::object();
}

struct PendingWrite {
  std::shared_ptr<const storage::TableInfo> table;
  std::string key;
  bool is_put = false;
  Item item;  // the item (put) or the key (delete)
};

}  // namespace

OpResult BatchWriteItem(OpContext& ctx, const Params& p) {
  Violations v;
  auto request_items = RequestItems(p, v);
  CapacityMode capacity = DecodeCapacityMode(p, v);
  CheckEnum(v, p.String("ReturnItemCollectionMetrics"), "returnItemCollectionMetrics",
            {"SIZE", "NONE"});
  v.ThrowIfAny();

  std::vector<PendingWrite> writes;
  size_t total = 0;
  for (auto [name, requests] : request_items) {
    auto list = AsArray(requests);
    size_t n = list.size();
    if (n == 0)
      ThrowValidation("1 validation error detected: Value '[]' at 'requestItems." +
                      std::string(name) +
                      ".member' failed to satisfy constraint: Member must have length greater "
                      "than or equal to 1");
    total += n;
  }
  if (total > kMaxBatchWrite)
    ThrowValidation("Too many items requested for the BatchWriteItem call");

  std::set<std::string> seen;
  for (auto [name, requests] : request_items) {
    auto t = FindTable(ctx, name);
    if (!t) return ApiError::ResourceNotFound();
    for (auto r : AsArray(requests)) {
      auto o = AsObject(r);
      auto put = Member(o, "PutRequest");
      auto del = Member(o, "DeleteRequest");
      if (put.has_value() == del.has_value())
        ThrowValidation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
            "the supported datatypes");
      PendingWrite w;
      w.table = t;
      if (put) {
        auto item = Member(AsObject(*put), "Item");
        if (!item)
          ThrowValidation("1 validation error detected: Value null at 'requestItems." +
                          std::string(name) +
                          ".member.putRequest.item' failed to satisfy constraint: Member must "
                          "not be null");
        w.is_put = true;
        w.item = ItemFromJson(*item);
        CheckItemKey(*t, w.item);
        CheckAttributeNames(w.item);
        CheckIndexKeys(*t, w.item);
        if (ItemSize(w.item) > kMaxItemBytes)
          ThrowValidation("Item size has exceeded the maximum allowed size");
      } else {
        auto key = Member(AsObject(*del), "Key");
        if (!key)
          ThrowValidation("1 validation error detected: Value null at 'requestItems." +
                          std::string(name) +
                          ".member.deleteRequest.key' failed to satisfy constraint: Member must "
                          "not be null");
        w.item = ItemFromJson(*key);
        CheckKey(*t, w.item);
      }
      w.key = EncodeItemKey(*t, w.item);
      if (!seen.insert(w.key).second)
        ThrowValidation("Provided list of item keys contains duplicates");
      writes.push_back(std::move(w));
    }
  }

  std::vector<write::Target> targets;
  targets.reserve(writes.size());
  for (const auto& w : writes) targets.push_back({w.table, w.key});
  std::map<std::string, Capacity> units;  // per table, for ConsumedCapacity
  std::vector<std::optional<Item>> olds;
  Status s = ctx.server.writer->WriteMany(
      targets, write::Waiting::kBatch,
      capacity != CapacityMode::kNone ? write::ReadOld::kAlways : write::ReadOld::kIfMaintained,
      &olds, [&](size_t k, const storage::TableInfo& current, const Item* old, write::Change* c) {
        const PendingWrite& w = writes[k];
        c->kind = w.is_put ? write::Change::Kind::kPut : write::Change::Kind::kDelete;
        c->new_item = w.is_put ? &w.item : nullptr;
        if (capacity != CapacityMode::kNone)
          units[w.table->name] += WriteCapacity(current, old, c->new_item);
        return true;
      });
  if (OpResult r = WriteOutcome(s)) return r;

  ctx.out.BeginObject();
  ctx.out.Key("UnprocessedItems");
  ctx.out.BeginObject();
  ctx.out.EndObject();
  std::vector<std::pair<const storage::TableInfo*, const Item*>> written;
  for (const auto& w : writes) written.emplace_back(w.table.get(), &w.item);
  WriteItemCollectionMetricsByTable(ctx.out, ctx.server, p, written);
  WriteConsumedCapacities(ctx.out, capacity, units);
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult BatchGetItem(OpContext& ctx, const Params& p) {
  Violations v;
  auto request_items = RequestItems(p, v);
  CapacityMode capacity = DecodeCapacityMode(p, v);
  v.ThrowIfAny();

  struct TableRequest {
    std::string name;  // as the client wrote it (a name or an ARN)
    std::shared_ptr<const storage::TableInfo> table;
    std::unique_ptr<RequestExpressions> ex;
    std::shared_ptr<const expr::Projection> projection;
    bool consistent = false;
    std::vector<Item> keys;
    std::vector<std::string> storage_keys;
    simdjson::dom::object raw;
  };
  std::vector<TableRequest> tables;
  size_t total = 0;
  for (auto [name, request] : request_items) {
    TableRequest tr;
    tr.name = std::string(name);
    tr.raw = AsObject(request);
    auto keys = Member(tr.raw, "Keys");
    if (!keys)
      ThrowValidation("1 validation error detected: Value null at 'requestItems." + tr.name +
                      ".member.keys' failed to satisfy constraint: Member must not be null");
    size_t n = AsArray(*keys).size();
    if (n == 0)
      ThrowValidation("1 validation error detected: Value '[]' at 'requestItems." + tr.name +
                      ".member.keys' failed to satisfy constraint: Member must have length "
                      "greater than or equal to 1");
    total += n;
    tables.push_back(std::move(tr));
  }
  if (total > kMaxBatchGet)
    ThrowValidation("Too many items requested for the BatchGetItem call");

  for (auto& tr : tables) {
    Params tp(tr.raw);
    tr.ex = std::make_unique<RequestExpressions>(tp);
    tr.projection = tr.ex->Projection(tp);
    tr.ex->Finish();
    tr.consistent = tp.Bool("ConsistentRead").value_or(false);
    tr.table = FindTable(ctx, tr.name);
    if (!tr.table) return ApiError::ResourceNotFound();
    std::set<std::string> seen;
    auto key_list = *tp.Array("Keys");
    for (auto k : key_list) {
      Item key = ItemFromJson(k);
      CheckKey(*tr.table, key);
      std::string sk = EncodeItemKey(*tr.table, key);
      if (!seen.insert(sk).second)
        ThrowValidation("Provided list of item keys contains duplicates");
      tr.keys.push_back(std::move(key));
      tr.storage_keys.push_back(std::move(sk));
    }
  }

  ctx.out.BeginObject();
  ctx.out.Key("Responses");
  ctx.out.BeginObject();
  size_t bytes = 0;
  bool full = false;  // the response reached the size limit: the remaining keys are unprocessed
  std::vector<std::pair<const TableRequest*, size_t>> unprocessed;  // (table, first index)
  std::vector<double> units(tables.size(), 0);
  for (size_t ti = 0; ti < tables.size(); ++ti) {
    const TableRequest& tr = tables[ti];
    ctx.out.Key(tr.name);
    ctx.out.BeginArray();
    for (size_t i = 0; i < tr.keys.size(); ++i) {
      if (full) {
        unprocessed.emplace_back(&tr, i);
        break;
      }
      auto item = write::ReadItem(*ctx.server.engine, tr.storage_keys[i]);
      if (!item.ok()) return ApiError::FromStatus(item.status());
      if (!item->has_value()) {
        units[ti] += ReadUnits(0, tr.consistent);
        continue;
      }
      size_t size = ItemSize(**item);
      if (bytes + size > kMaxBatchGetResponseBytes) {
        full = true;
        unprocessed.emplace_back(&tr, i);
        break;
      }
      bytes += size;
      units[ti] += ReadUnits(size, tr.consistent);
      if (tr.projection)
        WriteItemJson(ctx.out, tr.ex->Project(**item, *tr.projection));
      else
        WriteItemJson(ctx.out, **item);
    }
    ctx.out.EndArray();
  }
  ctx.out.EndObject();
  ctx.out.Key("UnprocessedKeys");
  ctx.out.BeginObject();
  for (const auto& [tr, first] : unprocessed) {
    ctx.out.Key(tr->name);
    ctx.out.BeginObject();
    ctx.out.Key("Keys");
    ctx.out.BeginArray();
    for (size_t i = first; i < tr->keys.size(); ++i) WriteItemJson(ctx.out, tr->keys[i]);
    ctx.out.EndArray();
    // The request's own options travel with the keys, so the retry is the same request.
    Params tp(tr->raw);
    if (auto pe = tp.String("ProjectionExpression")) ctx.out.KV("ProjectionExpression", *pe);
    if (auto names = tp.Object("ExpressionAttributeNames")) {
      ctx.out.Key("ExpressionAttributeNames");
      ctx.out.BeginObject();
      for (auto [k, val] : *names) ctx.out.KV(k, AsString(val));
      ctx.out.EndObject();
    }
    if (tr->consistent) {
      ctx.out.Key("ConsistentRead");
      ctx.out.Bool(true);
    }
    ctx.out.EndObject();
  }
  ctx.out.EndObject();
  if (capacity != CapacityMode::kNone) {
    ctx.out.Key("ConsumedCapacity");
    ctx.out.BeginArray();
    for (size_t ti = 0; ti < tables.size(); ++ti)
      WriteCapacityObject(ctx.out, capacity, tables[ti].table->name, units[ti]);
    ctx.out.EndArray();
  }
  ctx.out.EndObject();
  return std::nullopt;
}

}  // namespace cairn::api
