// This file implements the single-item operations: PutItem, GetItem, DeleteItem, UpdateItem.
// Each one: validate the request (DynamoDB's messages, in DynamoDB's order: parameter constraints,
// then expressions, then the table, then the key), then read (GetItem) or read-modify-write
// through the item writer (write/item_writer.h), then write the response (ReturnValues,
// ConsumedCapacity).
#include "api/protocol_names.h"
#include "api/capacity.h"
#include "api/expressions.h"
#include "api/item_collection.h"
#include "api/item_keys.h"
#include "api/item_update.h"
#include "api/operations.h"
#include "api/table_description.h"
#include "api/write_outcome.h"
#include "types/binary_codec.h"

namespace cairn::api {
namespace {

// The parameters every single-item write shares.
struct WriteParams {
  std::string_view table_name;
  std::optional<std::string_view> return_values;
  bool all_old_on_condition_failure = false;
  CapacityMode capacity = CapacityMode::kNone;
};

// The model's constraints (TableName, the enums; ReturnValuesOnConditionCheckFailure through
// tools/service_model_overlay.json) were checked by the dispatcher (protocol/constraint_check.h).
WriteParams DecodeWriteParams(const Params& p) {
  WriteParams w;
  w.table_name = *p.String("TableName");
  w.return_values = p.String("ReturnValues");
  auto rvf = p.String("ReturnValuesOnConditionCheckFailure");
  w.all_old_on_condition_failure = rvf && *rvf == "ALL_OLD";
  w.capacity = CapacityModeOf(p);
  return w;
}

ApiError ConditionFailed(const WriteParams& w, const Item* old) {
  ApiError e = ApiError::ConditionalCheckFailed();
  if (w.all_old_on_condition_failure && old) {
    std::string extra = "\"Item\":";
    JsonWriter jw(&extra);
    WriteItemJson(jw, *old);
    e.extra_json = std::move(extra);
  }
  return e;
}

// A PutItem or DeleteItem without a condition, ReturnValues or ReturnConsumedCapacity needs the
// item it replaces only where indexes or a stream do (see ReadOld in write/item_writer.h).
write::ReadOld OldItemNeeded(const WriteParams& w, bool has_condition) {
  const bool blind = !has_condition && w.return_values.value_or("NONE") == "NONE" &&
                     w.capacity == CapacityMode::kNone;
  return blind ? write::ReadOld::kIfMaintained : write::ReadOld::kAlways;
}

// PutItem (`item` set) and DeleteItem (`item` null) through the item writer: the condition against
// the item as it is, then the put or the delete. `old` receives the item as it was, when read.
OpResult WriteIfCondition(OpContext& ctx, const WriteParams& w, const RequestExpressions& ex,
                          const expr::Condition* cond, const storage::TableInfo& t,
                          std::string_view key, const Item* item, std::optional<Item>* old) {
  std::optional<ApiError> refused;
  Status s = ctx.server.writer->Write(
      t, key, OldItemNeeded(w, cond != nullptr), old,
      [&](const storage::TableInfo&, const Item* o, write::Change* c) {
        if (cond && !ex.Evaluate(*cond, o)) {
          refused = ConditionFailed(w, o);
          return false;
        }
        c->kind = item ? write::Change::Kind::kPut : write::Change::Kind::kDelete;
        c->new_item = item;
        return true;
      });
  return WriteOutcome(s, std::move(refused));
}

void WriteAttributes(JsonWriter& w, const Item& item) {
  if (item.empty()) return;
  w.Key("Attributes");
  WriteItemJson(w, item);
}

}  // namespace

OpResult PutItem(OpContext& ctx, const Params& p) {
  WriteParams w = DecodeWriteParams(p);
  Item item = ItemFromJson(*p.Get("Item"));
  RequestExpressions ex(p);
  auto cond = ex.Condition(p, "ConditionExpression", "Expected");
  ex.Finish();
  if (w.return_values && *w.return_values != "NONE" && *w.return_values != "ALL_OLD")
    ThrowValidation("ReturnValues can only be ALL_OLD or NONE");
  auto t = FindTable(ctx, w.table_name);
  if (!t) return ApiError::ResourceNotFound();
  CheckItemToPut(*t, item);

  std::string key = EncodeItemKey(*t, item);
  std::optional<Item> old;
  if (OpResult r = WriteIfCondition(ctx, w, ex, cond.get(), *t, key, &item, &old)) return r;
  ctx.out.BeginObject();
  if (old && w.return_values && *w.return_values == "ALL_OLD") WriteAttributes(ctx.out, *old);
  if (w.capacity != CapacityMode::kNone)
    WriteConsumedCapacity(ctx.out, w.capacity, t->name,
                          WriteCapacity(*t, old ? &*old : nullptr, &item));
  if (WantsItemCollectionMetrics(p, *t)) {
    ctx.out.Key("ItemCollectionMetrics");
    WriteItemCollectionMetrics(ctx.out, ctx.server, *t, KeyOf(*t, item));
  }
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult GetItem(OpContext& ctx, const Params& p) {
  // The model's constraints were checked by the dispatcher (protocol/constraint_check.h).
  auto name = p.String("TableName");
  CapacityMode capacity = CapacityModeOf(p);
  bool consistent = p.Bool("ConsistentRead").value_or(false);
  Item key = ItemFromJson(*p.Get("Key"));
  RequestExpressions ex(p);
  auto projection = ex.Projection(p);
  ex.Finish();
  auto t = FindTable(ctx, *name);
  if (!t) return ApiError::ResourceNotFound();
  CheckKey(*t, key);

  std::string stored;
  Status s = ctx.server.engine->Get(storage::Column::kData, EncodeItemKey(*t, key), &stored);
  if (!s.ok() && !s.IsNotFound()) return ApiError::FromStatus(s);
  ctx.out.BeginObject();
  size_t size = 0;
  if (s.ok()) {
    ctx.out.Key("Item");
    if (projection) {
      auto item = cairn::DecodeItem(stored);
      if (!item.ok()) return ApiError::FromStatus(item.status());
      size = ItemSize(*item);
      WriteItemJson(ctx.out, ex.Project(*item, *projection));
    } else {
      // The whole item: straight from the stored bytes to JSON.
      auto written = WriteStoredItem(stored, ctx.out);
      if (!written.ok()) return ApiError::FromStatus(written.status());
      size = *written;
    }
  }
  WriteConsumedCapacity(ctx.out, capacity, t->name, ReadUnits(size, consistent));
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult DeleteItem(OpContext& ctx, const Params& p) {
  WriteParams w = DecodeWriteParams(p);
  Item key = ItemFromJson(*p.Get("Key"));
  RequestExpressions ex(p);
  auto cond = ex.Condition(p, "ConditionExpression", "Expected");
  ex.Finish();
  if (w.return_values && *w.return_values != "NONE" && *w.return_values != "ALL_OLD")
    ThrowValidation("ReturnValues can only be ALL_OLD or NONE");
  auto t = FindTable(ctx, w.table_name);
  if (!t) return ApiError::ResourceNotFound();
  CheckKey(*t, key);

  std::string storage_key = EncodeItemKey(*t, key);
  std::optional<Item> old;
  // A delete of an item known to be absent writes nothing.
  if (OpResult r = WriteIfCondition(ctx, w, ex, cond.get(), *t, storage_key, nullptr, &old))
    return r;
  ctx.out.BeginObject();
  if (old && w.return_values && *w.return_values == "ALL_OLD") WriteAttributes(ctx.out, *old);
  WriteConsumedCapacity(ctx.out, w.capacity, t->name,
                        WriteCapacity(*t, old ? &*old : nullptr, nullptr));
  if (WantsItemCollectionMetrics(p, *t)) {
    ctx.out.Key("ItemCollectionMetrics");
    WriteItemCollectionMetrics(ctx.out, ctx.server, *t, key);
  }
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult UpdateItem(OpContext& ctx, const Params& p) {
  WriteParams w = DecodeWriteParams(p);
  Item key = ItemFromJson(*p.Get("Key"));
  RequestExpressions ex(p);
  auto update = ex.Update(p);
  auto cond = ex.Condition(p, "ConditionExpression", "Expected");
  ex.Finish();
  auto t = FindTable(ctx, w.table_name);
  if (!t) return ApiError::ResourceNotFound();
  CheckKey(*t, key);
  if (update) CheckUpdateLeavesKey(*t, *update);

  std::string storage_key = EncodeItemKey(*t, key);
  std::optional<Item> old;
  Item new_item;
  std::vector<expr::Path> updated;
  std::optional<ApiError> refused;
  Status s = ctx.server.writer->Write(
      *t, storage_key, write::ReadOld::kAlways, &old,
      [&](const storage::TableInfo& current, const Item* o, write::Change* c) {
        if (cond && !ex.Evaluate(*cond, o)) {
          refused = ConditionFailed(w, o);
          return false;
        }
        new_item = o ? *o : key;
        refused = ApplyUpdate(ex, update.get(), current, &new_item, &updated);
        if (refused) return false;
        // An update of an absent item that leaves only its key (REMOVE and DELETE actions alone,
        // or a legacy AttributeUpdates DELETE) creates nothing, as in DynamoDB; ReturnValues then
        // has no Attributes. Without any update, DynamoDB does create the item from its key.
        if (!o && update && !update->actions.empty() && new_item.size() == key.size()) {
          new_item.clear();
          c->kind = write::Change::Kind::kNone;
          return true;
        }
        c->kind = write::Change::Kind::kPut;
        c->new_item = &new_item;
        return true;
      });
  if (OpResult r = WriteOutcome(s, std::move(refused))) return r;
  ctx.out.BeginObject();
  std::string_view rv = w.return_values.value_or("NONE");
  if (rv == "ALL_OLD" && old) WriteAttributes(ctx.out, *old);
  if (rv == "ALL_NEW") WriteAttributes(ctx.out, new_item);
  if (rv == "UPDATED_OLD" && old) WriteAttributes(ctx.out, ex.ProjectPaths(*old, updated));
  if (rv == "UPDATED_NEW") WriteAttributes(ctx.out, ex.ProjectPaths(new_item, updated));
  WriteConsumedCapacity(ctx.out, w.capacity, t->name,
                        WriteCapacity(*t, old ? &*old : nullptr, &new_item));
  if (WantsItemCollectionMetrics(p, *t)) {
    ctx.out.Key("ItemCollectionMetrics");
    WriteItemCollectionMetrics(ctx.out, ctx.server, *t, key);
  }
  ctx.out.EndObject();
  return std::nullopt;
}

}  // namespace cairn::api
