// This file implements Query and Scan: a walk over a key range of the table, in sort-key order for
// Query (reversed with ScanIndexForward=false) and in partition-hash order for Scan, with DynamoDB's
// paging: a page ends after `Limit` items were read (before filtering) or once the items read reach
// 1 MB, and then carries LastEvaluatedKey; the next page starts strictly after ExclusiveStartKey.
// Major internal functions: ReadPage() (the shared walk, filter, projection and capacity),
// DecodeCommon() (the parameters both operations share).
#include "api/attribute_json.h"
#include "api/capacity.h"
#include "api/expressions.h"
#include "api/item_keys.h"
#include "api/operations.h"
#include "api/table_description.h"
#include "expr/evaluate.h"
#include "storage/key_encoding.h"
#include "types/binary_codec.h"

namespace cairn::api {
namespace {

constexpr size_t kMaxPageBytes = 1024 * 1024;

struct Common {
  std::string_view table_name;
  std::optional<int64_t> limit;
  std::optional<std::string_view> select;
  bool consistent = false;
  CapacityMode capacity = CapacityMode::kNone;
};

Common DecodeCommon(const Params& p, Violations& v) {
  Common c;
  auto name = p.String("TableName");
  CheckTableName(v, name, "tableName", true);
  if (name) c.table_name = *name;
  c.limit = p.Int("Limit");
  if (c.limit && *c.limit < 1)
    v.Add("Value '" + std::to_string(*c.limit) +
          "' at 'limit' failed to satisfy constraint: Member must have value greater than or "
          "equal to 1");
  c.select = p.String("Select");
  CheckEnum(v, c.select, "select",
            {"ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"});
  c.consistent = p.Bool("ConsistentRead").value_or(false);
  c.capacity = DecodeCapacityMode(p, v);
  return c;
}

void CheckSelect(const Common& c, bool has_projection) {
  if (!c.select) return;
  if (*c.select == "SPECIFIC_ATTRIBUTES" && !has_projection)
    ThrowValidation(
        "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES requires "
        "either ProjectionExpression or AttributesToGet");
  if (*c.select != "SPECIFIC_ATTRIBUTES" && has_projection)
    ThrowValidation(
        "One or more parameter values were invalid: Select type " + std::string(*c.select) +
        " is not compatible with ProjectionExpression");
  if (*c.select == "ALL_PROJECTED_ATTRIBUTES")
    ThrowValidation(
        "One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is "
        "supported only for index queries");
}

struct Page {
  std::shared_ptr<const expr::Condition> filter;
  std::shared_ptr<const expr::Projection> projection;
  bool count_only = false;
};

// Walks `it` (already positioned) in the given direction, writing Items/Count/ScannedCount/
// LastEvaluatedKey into the open response object.
void ReadPage(OpContext& ctx, RequestExpressions& ex, const storage::TableInfo& t,
              storage::Iterator* it, bool forward, const Common& c, const Page& page) {
  JsonWriter& out = ctx.out;
  int64_t count = 0, scanned = 0;
  size_t bytes = 0;
  std::optional<Item> last_key;
  if (!page.count_only) {
    out.Key("Items");
    out.BeginArray();
  }
  for (; it->Valid(); forward ? it->Next() : it->Prev()) {
    auto item = cairn::DecodeItem(it->value());
    if (!item.ok()) Throw(ApiError::FromStatus(item.status()));
    ++scanned;
    bytes += ItemSize(*item);
    if (!page.filter || ex.Evaluate(*page.filter, &*item)) {
      ++count;
      if (!page.count_only) {
        if (page.projection)
          EncodeItem(out, ex.Project(*item, *page.projection));
        else
          EncodeItem(out, *item);
      }
    }
    if ((c.limit && scanned >= *c.limit) || bytes >= kMaxPageBytes) {
      last_key = KeyOf(t, *item);
      break;
    }
  }
  if (!it->status().ok()) Throw(ApiError::FromStatus(it->status()));
  if (!page.count_only) out.EndArray();
  out.Key("Count");
  out.Int(count);
  out.Key("ScannedCount");
  out.Int(scanned);
  if (last_key) {
    out.Key("LastEvaluatedKey");
    EncodeItem(out, *last_key);
  }
  size_t units = bytes == 0 ? 1 : (bytes + 4095) / 4096;
  WriteConsumedCapacity(out, c.capacity, t.name,
                        c.consistent ? double(units) : double(units) / 2.0);
}

// ExclusiveStartKey: the table's key attributes, exactly.
std::optional<std::string> DecodeStartKey(const Params& p, const storage::TableInfo& t) {
  auto esk = p.Get("ExclusiveStartKey");
  if (!esk) return std::nullopt;
  Item key = DecodeItem(*esk);
  try {
    CheckKey(t, key);
  } catch (const ApiException& e) {
    ThrowValidation("The provided starting key is invalid: " + e.error.message);
  }
  return EncodeItemKey(t, key);
}

}  // namespace

OpResult Query(OpContext& ctx, const Params& p) {
  Violations v;
  Common c = DecodeCommon(p, v);
  v.ThrowIfAny();
  RequestExpressions ex(p);
  if (!p.Has("KeyConditionExpression") && !p.Has("KeyConditions"))
    ThrowValidation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  auto t = FindTable(ctx, c.table_name);
  if (p.Has("IndexName")) {
    if (!t) return ApiError::ResourceNotFound();
    ThrowValidation("The table does not have the specified index: " +
                    std::string(*p.String("IndexName")));
  }
  if (!t) return ApiError::ResourceNotFound();
  Page page;
  std::optional<expr::KeyCondition> kc = ex.KeyCondition(p, *t);
  page.filter = ex.Condition(p, "FilterExpression", "QueryFilter");
  page.projection = ex.Projection(p);
  ex.Finish();
  if (page.filter) {
    // A Query's filter runs after the key condition; DynamoDB rejects key attributes in it.
    for (const std::string& name : expr::ConditionTopLevelNames(*page.filter)) {
      if (name == t->hash.name || (t->range && name == t->range->name))
        ThrowValidation(std::string(p.Has("FilterExpression") ? "Filter Expression" : "QueryFilter") +
                        " can only contain non-primary key attributes: Primary key attribute: " +
                        name);
    }
  }
  CheckSelect(c, page.projection != nullptr);
  page.count_only = c.select && *c.select == "COUNT";
  bool forward = p.Bool("ScanIndexForward").value_or(true);

  std::string prefix = storage::PartitionPrefix(t->id, kc->hash_value);
  storage::SortKeyOp op = storage::SortKeyOp::kAll;
  switch (kc->op) {
    case expr::KeyCondition::Op::kNone: op = storage::SortKeyOp::kAll; break;
    case expr::KeyCondition::Op::kEQ: op = storage::SortKeyOp::kEQ; break;
    case expr::KeyCondition::Op::kLT: op = storage::SortKeyOp::kLT; break;
    case expr::KeyCondition::Op::kLE: op = storage::SortKeyOp::kLE; break;
    case expr::KeyCondition::Op::kGT: op = storage::SortKeyOp::kGT; break;
    case expr::KeyCondition::Op::kGE: op = storage::SortKeyOp::kGE; break;
    case expr::KeyCondition::Op::kBetween: op = storage::SortKeyOp::kBetween; break;
    case expr::KeyCondition::Op::kBeginsWith: op = storage::SortKeyOp::kBeginsWith; break;
  }
  auto [lo, hi] = storage::QueryRange(prefix, op, &kc->a, &kc->b);
  std::optional<std::string> start = DecodeStartKey(p, *t);
  if (start) {
    // Strictly after the start key in the walk's direction.
    if (forward) {
      std::string next = *start;
      next.push_back('\0');
      if (next > lo) lo = next;
    } else if (*start < hi) {
      hi = *start;
    }
  }
  storage::ReadOptions ro;
  ro.lower_bound = lo;
  ro.upper_bound = hi;
  auto it = ctx.server.engine->NewIterator(storage::Column::kData, ro);
  if (forward)
    it->Seek(lo);
  else
    it->SeekToLast();
  ctx.out.BeginObject();
  if (lo < hi) ReadPage(ctx, ex, *t, it.get(), forward, c, page);
  else {
    storage::ReadOptions none;
    none.lower_bound = lo;
    none.upper_bound = lo;
    auto empty = ctx.server.engine->NewIterator(storage::Column::kData, none);
    empty->Seek(lo);
    ReadPage(ctx, ex, *t, empty.get(), true, c, page);
  }
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult Scan(OpContext& ctx, const Params& p) {
  Violations v;
  Common c = DecodeCommon(p, v);
  auto segment = p.Int("Segment");
  auto total = p.Int("TotalSegments");
  if (segment && *segment < 0)
    v.Add("Value '" + std::to_string(*segment) +
          "' at 'segment' failed to satisfy constraint: Member must have value greater than or "
          "equal to 0");
  if (segment && *segment > 999999)
    v.Add("Value '" + std::to_string(*segment) +
          "' at 'segment' failed to satisfy constraint: Member must have value less than or "
          "equal to 999999");
  if (total && *total < 1)
    v.Add("Value '" + std::to_string(*total) +
          "' at 'totalSegments' failed to satisfy constraint: Member must have value greater "
          "than or equal to 1");
  if (total && *total > 1000000)
    v.Add("Value '" + std::to_string(*total) +
          "' at 'totalSegments' failed to satisfy constraint: Member must have value less than "
          "or equal to 1000000");
  v.ThrowIfAny();
  if (segment.has_value() != total.has_value())
    ThrowValidation(segment ? "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"
                            : "The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
  if (segment && *segment >= *total)
    ThrowValidation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: " +
                    std::to_string(*segment) + " is not less than TotalSegments: " +
                    std::to_string(*total));
  RequestExpressions ex(p);
  Page page;
  page.filter = ex.Condition(p, "FilterExpression", "ScanFilter");
  page.projection = ex.Projection(p);
  ex.Finish();
  auto t = FindTable(ctx, c.table_name);
  if (!t) return ApiError::ResourceNotFound();
  if (p.Has("IndexName"))
    ThrowValidation("The table does not have the specified index: " +
                    std::string(*p.String("IndexName")));
  CheckSelect(c, page.projection != nullptr);
  page.count_only = c.select && *c.select == "COUNT";

  std::string lo, hi;
  if (segment) {
    std::tie(lo, hi) = storage::SegmentRange(t->id, uint32_t(*segment), uint32_t(*total));
  } else {
    lo = storage::TablePrefix(t->id);
    hi = storage::TableEnd(t->id);
  }
  if (auto start = DecodeStartKey(p, *t)) {
    if (*start < lo || *start >= hi)
      ThrowValidation("The provided Exclusive start key does not map to the provided segment");
    std::string next = *start;
    next.push_back('\0');
    lo = next;
  }
  storage::ReadOptions ro;
  ro.lower_bound = lo;
  ro.upper_bound = hi;
  auto it = ctx.server.engine->NewIterator(storage::Column::kData, ro);
  it->Seek(lo);
  ctx.out.BeginObject();
  ReadPage(ctx, ex, *t, it.get(), true, c, page);
  ctx.out.EndObject();
  return std::nullopt;
}

}  // namespace cairn::api
