// This file implements the batch operations: BatchGetItem (up to 100 keys over several tables) and
// BatchWriteItem (up to 25 puts and deletes over several tables).
// DynamoDB applies a batch write item by item and may return some as UnprocessedItems; Cairn
// validates the whole batch first (so a bad request changes nothing, as in DynamoDB), then writes
// all of them through the item writer in one atomic batch (write/item_writer.h), so
// UnprocessedItems is empty unless a fault rule (faults/injector.h) leaves a fraction of the
// requests unprocessed. BatchGetItem stops at DynamoDB's 16 MB response limit and returns the rest
// as UnprocessedKeys (and, under a fault rule, a chosen fraction of them too).
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

struct PendingWrite {
  std::shared_ptr<const storage::TableInfo> table;
  std::string key;
  bool is_put = false;
  Item item;  // the item (put) or the key (delete)
};

}  // namespace

OpResult BatchWriteItem(OpContext& ctx, const Params& p) {
  // The model's constraints (RequestItems present, 1..25 requests per table, table names, the
  // enums) were checked by the dispatcher (protocol/constraint_check.h).
  simdjson::dom::object request_items = *p.Object("RequestItems");
  CapacityMode capacity = CapacityModeOf(p);

  std::vector<PendingWrite> writes;
  size_t total = 0;
  for (auto [name, requests] : request_items) total += AsArray(requests).size();
  if (total > kMaxBatchWrite)
    ThrowValidation("Too many items requested for the BatchWriteItem call");

  // The whole request is checked before any table is looked up: each request's form and its
  // attribute values; then the tables; then the items against their key schemas.
  std::vector<std::string_view> table_names;
  for (auto [name, requests] : request_items) {
    for (auto r : AsArray(requests)) {
      auto o = AsObject(r);
      auto put = Member(o, "PutRequest");
      auto del = Member(o, "DeleteRequest");
      if (put.has_value() == del.has_value())
        ThrowValidation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
            "the supported datatypes");
      PendingWrite w;
      w.is_put = put.has_value();
      // The model's check made Item (of a PutRequest) and Key (of a DeleteRequest) present.
      w.item = ItemFromJson(*Member(AsObject(put ? *put : *del), put ? "Item" : "Key"));
      table_names.push_back(name);
      writes.push_back(std::move(w));
    }
  }
  std::map<std::string_view, std::shared_ptr<const storage::TableInfo>> tables;
  for (std::string_view name : table_names) {
    auto& t = tables[name];
    if (!t && !(t = FindTable(ctx, name))) return ApiError::ResourceNotFound();
  }
  std::set<std::string> seen;
  for (size_t k = 0; k < writes.size(); ++k) {
    PendingWrite& w = writes[k];
    w.table = tables[table_names[k]];
    const storage::TableInfo& t = *w.table;
    if (w.is_put) {
      CheckItemToPut(t, w.item);
    } else {
      CheckKey(t, w.item);
    }
    w.key = EncodeItemKey(t, w.item);
    if (!seen.insert(w.key).second)
      ThrowValidation("Provided list of item keys contains duplicates");
  }

  // Fault injection (faults/injector.h) may leave some requests unprocessed: not written, and
  // returned in UnprocessedItems as DynamoDB does under load.
  std::vector<bool> unprocessed(writes.size(), false);
  if (ctx.unprocessed_fraction > 0)
    unprocessed =
        faults::ChooseUnprocessed(writes.size(), ctx.unprocessed_fraction, ctx.unprocessed_seed);
  std::vector<size_t> applied;  // indexes into writes
  std::vector<write::Target> targets;
  targets.reserve(writes.size());
  for (size_t k = 0; k < writes.size(); ++k) {
    if (unprocessed[k]) continue;
    applied.push_back(k);
    targets.push_back({writes[k].table, writes[k].key});
  }
  std::map<std::string, Capacity> units;  // per table, for ConsumedCapacity
  std::vector<std::optional<Item>> olds;
  Status s = targets.empty() ? Status::OK() : ctx.server.writer->WriteMany(
      targets, write::Waiting::kBatch,
      capacity != CapacityMode::kNone ? write::ReadOld::kAlways : write::ReadOld::kIfMaintained,
      &olds, [&](size_t k, const storage::TableInfo& current, const Item* old, write::Change* c) {
        const PendingWrite& w = writes[applied[k]];
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
  std::map<std::string_view, std::vector<size_t>> left;  // table name as asked -> requests
  for (size_t k = 0; k < writes.size(); ++k)
    if (unprocessed[k]) left[table_names[k]].push_back(k);
  for (const auto& [name, ks] : left) {
    ctx.out.Key(name);
    ctx.out.BeginArray();
    for (size_t k : ks) {
      ctx.out.BeginObject();
      ctx.out.Key(writes[k].is_put ? "PutRequest" : "DeleteRequest");
      ctx.out.BeginObject();
      ctx.out.Key(writes[k].is_put ? "Item" : "Key");
      WriteItemJson(ctx.out, writes[k].item);
      ctx.out.EndObject();
      ctx.out.EndObject();
    }
    ctx.out.EndArray();
  }
  ctx.out.EndObject();
  std::vector<std::pair<const storage::TableInfo*, const Item*>> written;
  for (size_t k : applied) written.emplace_back(writes[k].table.get(), &writes[k].item);
  WriteItemCollectionMetricsByTable(ctx.out, ctx.server, p, written);
  WriteConsumedCapacities(ctx.out, capacity, units);
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult BatchGetItem(OpContext& ctx, const Params& p) {
  // The model's constraints (RequestItems present, Keys present with 1..100 keys, table names,
  // the enum) were checked by the dispatcher (protocol/constraint_check.h).
  simdjson::dom::object request_items = *p.Object("RequestItems");
  CapacityMode capacity = CapacityModeOf(p);

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
    total += AsArray(*Member(tr.raw, "Keys")).size();
    tables.push_back(std::move(tr));
  }
  if (total > kMaxBatchGet)
    ThrowValidation("Too many items requested for the BatchGetItem call");

  // The whole request is checked before any table is looked up: expressions and key values.
  for (auto& tr : tables) {
    Params tp(tr.raw);
    tr.ex = std::make_unique<RequestExpressions>(tp);
    tr.projection = tr.ex->Projection(tp);
    tr.ex->Finish();
    tr.consistent = tp.Bool("ConsistentRead").value_or(false);
    // A named array: a range-for over *tp.Array(...) would iterate a destroyed optional.
    const simdjson::dom::array keys = *tp.Array("Keys");
    for (auto k : keys) tr.keys.push_back(ItemFromJson(k));
  }
  for (auto& tr : tables) {
    tr.table = FindTable(ctx, tr.name);
    if (!tr.table) return ApiError::ResourceNotFound();
  }
  for (auto& tr : tables) {
    std::set<std::string> seen;
    for (const Item& key : tr.keys) {
      CheckKey(*tr.table, key);
      std::string sk = EncodeItemKey(*tr.table, key);
      if (!seen.insert(sk).second)
        ThrowValidation("Provided list of item keys contains duplicates");
      tr.storage_keys.push_back(std::move(sk));
    }
  }

  ctx.out.BeginObject();
  ctx.out.Key("Responses");
  ctx.out.BeginObject();
  size_t bytes = 0;
  bool full = false;  // the response reached the size limit: the remaining keys are unprocessed
  // Per table, the keys left unprocessed: by the size limit, or by fault injection
  // (faults/injector.h), as DynamoDB leaves some under load.
  std::vector<std::vector<size_t>> unprocessed(tables.size());
  std::vector<bool> injected;
  if (ctx.unprocessed_fraction > 0)
    injected = faults::ChooseUnprocessed(total, ctx.unprocessed_fraction, ctx.unprocessed_seed);
  size_t ordinal = 0;  // the key's position in the whole request
  std::vector<double> units(tables.size(), 0);
  for (size_t ti = 0; ti < tables.size(); ++ti) {
    const TableRequest& tr = tables[ti];
    ctx.out.Key(tr.name);
    ctx.out.BeginArray();
    // The table's keys read at once (in parallel on RADOS); a key left unprocessed below is
    // read for nothing, which only the rare full answer or an injected fault causes.
    auto items = write::ReadItems(*ctx.server.engine, tr.storage_keys);
    for (size_t i = 0; i < tr.keys.size(); ++i) {
      if (full || (!injected.empty() && injected[ordinal])) {
        unprocessed[ti].push_back(i);
        ++ordinal;
        continue;
      }
      ++ordinal;
      auto& item = items[i];
      if (!item.ok()) return ApiError::FromStatus(item.status());
      if (!item->has_value()) {
        units[ti] += ReadUnits(0, tr.consistent);
        continue;
      }
      size_t size = ItemSize(**item);
      if (bytes + size > kMaxBatchGetResponseBytes) {
        full = true;
        unprocessed[ti].push_back(i);
        continue;
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
  for (size_t ti = 0; ti < tables.size(); ++ti) {
    if (unprocessed[ti].empty()) continue;
    const TableRequest* tr = &tables[ti];
    ctx.out.Key(tr->name);
    ctx.out.BeginObject();
    ctx.out.Key("Keys");
    ctx.out.BeginArray();
    for (size_t i : unprocessed[ti]) WriteItemJson(ctx.out, tr->keys[i]);
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
  if (capacity == CapacityMode::kMetered) {
    for (size_t ti = 0; ti < tables.size(); ++ti)
      RecordConsumedCapacity(tables[ti].table->name, units[ti]);
  } else if (capacity != CapacityMode::kNone) {
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
