// This file implements Query and Scan: a walk over a key range of the table, in sort-key order for
// Query (reversed with ScanIndexForward=false) and in partition-hash order for Scan, with DynamoDB's
// paging: a page ends after `Limit` items were read (before filtering) or with the item that takes
// the items read past 1 MB (1,048,576 bytes of ItemSize), and then carries LastEvaluatedKey; the
// next page starts strictly after ExclusiveStartKey. The request is checked whole (expressions,
// Select) before the table is looked up, as DynamoDB does; then against the table's keys.
// Major internal functions: ReadPage() (the shared walk, filter, projection and capacity),
// DecodeCommon() (the parameters both operations share).
#include "api/protocol_names.h"
#include "api/capacity.h"
#include "api/expressions.h"
#include "api/item_keys.h"
#include "api/operations.h"
#include "write/item_writer.h"
#include "api/table_description.h"
#include "expr/evaluate.h"
#include "index/index_entries.h"
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

// The model's constraints (TableName, Limit >= 1, the Select and ReturnConsumedCapacity enums)
// were checked by the dispatcher (protocol/constraint_check.h).
Common DecodeCommon(const Params& p) {
  Common c;
  c.table_name = *p.String("TableName");
  c.limit = p.Int("Limit");
  c.select = p.String("Select");
  c.consistent = p.Bool("ConsistentRead").value_or(false);
  c.capacity = CapacityModeOf(p);
  return c;
}

// Select against the projection and IndexName: checked before the table is looked up.
void CheckSelect(const Common& c, bool has_projection, bool has_index_name) {
  if (!c.select) return;
  if (*c.select == "SPECIFIC_ATTRIBUTES" && !has_projection)
    ThrowValidation(
        "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES requires "
        "either ProjectionExpression or AttributesToGet");
  if (*c.select != "SPECIFIC_ATTRIBUTES" && has_projection)
    ThrowValidation(
        "One or more parameter values were invalid: Select type " + std::string(*c.select) +
        " is not compatible with ProjectionExpression");
  if (*c.select == "ALL_PROJECTED_ATTRIBUTES" && !has_index_name)
    ThrowValidation(
        "One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is "
        "supported only for index queries");
}

// Select against the index read (nullptr for the table itself).
void CheckSelectForIndex(const Common& c, const storage::IndexInfo* x) {
  if (!c.select) return;
  if (*c.select == "ALL_ATTRIBUTES" && x && x->global &&
      x->projection != storage::IndexInfo::Projection::kAll)
    ThrowValidation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is "
                    "not supported for global secondary index " + x->name +
                    " because its projection type is not ALL");
}

// What a page walks: the table's items, or an index's entries.
struct Source {
  const storage::TableInfo* table = nullptr;
  const storage::IndexInfo* index = nullptr;  // nullptr: the table
  // For an LSI asked for attributes it does not project: read each item from the table.
  bool fetch_from_table = false;

  storage::Column column() const {
    return index ? storage::Column::kIndex : storage::Column::kData;
  }
  uint32_t id() const { return index ? index->id : table->id; }
};

struct Page {
  std::shared_ptr<const expr::Condition> filter;
  std::shared_ptr<const expr::Projection> projection;
  bool count_only = false;
  bool all_attributes = false;  // Select ALL_ATTRIBUTES
};

// The index named by IndexName, with DynamoDB's checks; nullptr when there is none.
const storage::IndexInfo* FindIndex(const Params& p, const storage::TableInfo& t,
                                    const Common& c) {
  auto name = p.String("IndexName");
  if (!name) return nullptr;
  const storage::IndexInfo* x = t.FindIndex(*name);
  if (!x) ThrowValidation("The table does not have the specified index: " + std::string(*name));
  if (x->backfilling)
    ThrowValidation("Cannot read from backfilling global secondary index: " + x->name);
  if (x->global && c.consistent)
    ThrowValidation("Consistent reads are not supported on global secondary indexes");
  return x;
}

// Decides whether an index read needs the table's items, and rejects what a GSI cannot answer.
void ResolveSource(Source* src, const Common& c, const Page& page) {
  const storage::IndexInfo* x = src->index;
  if (!x || x->projection == storage::IndexInfo::Projection::kAll) return;
  std::vector<std::string> missing;
  if (page.projection) {
    for (const auto& path : page.projection->paths)
      if (!index::Projects(*x, *src->table, path.front().name))
        missing.push_back(path.front().name);
  }
  bool all = c.select && *c.select == "ALL_ATTRIBUTES";
  if (page.filter) {
    for (const auto& name : expr::ConditionTopLevelNames(*page.filter))
      if (!index::Projects(*x, *src->table, name)) missing.push_back(name);
  }
  if (missing.empty() && !all) return;
  if (x->global) {
    // DynamoDB: a GSI answers only with what it projects.
    ThrowValidation("One or more parameter values were invalid: Global secondary index " +
                    x->name + " does not project attribute " + missing.front());
  }
  src->fetch_from_table = true;  // an LSI reads the rest from the table
}

// The key attributes LastEvaluatedKey carries: the table's, plus the index's.
Item PageKey(const Source& src, const Item& item) {
  Item key = KeyOf(*src.table, item);
  if (src.index) {
    for (const auto* keys : {&src.index->hash, &src.index->range}) {
      for (const auto& k : *keys) {
        auto it = item.find(k.name);
        if (it != item.end()) key.emplace(it->first, it->second);
      }
    }
  }
  return key;
}

// Walks `it` (already positioned) in the given direction, writing Items/Count/ScannedCount/
// LastEvaluatedKey into the open response object. A storage error (the response is then
// discarded) is returned.
Status ReadPage(OpContext& ctx, RequestExpressions& ex, const Source& src, storage::Iterator* it,
                bool forward, const Common& c, const Page& page) {
  JsonWriter& out = ctx.out;
  int64_t count = 0, scanned = 0;
  size_t bytes = 0;
  std::optional<Item> last_key;
  if (!page.count_only) {
    out.Key("Items");
    out.BeginArray();
  }
  // Whole items of the table, unfiltered: straight from the stored bytes to JSON.
  const bool direct = !src.index && !page.filter && !page.projection && !page.count_only;
  for (; it->Valid(); forward ? it->Next() : it->Prev()) {
    if (direct) {
      auto written = WriteStoredItem(it->value(), out);
      if (!written.ok()) return written.status();
      ++scanned;
      ++count;
      bytes += *written;
      if ((c.limit && scanned >= *c.limit) || bytes > kMaxPageBytes) {
        auto item = cairn::DecodeItem(it->value());
        if (!item.ok()) return item.status();
        last_key = KeyOf(*src.table, *item);
        break;
      }
      continue;
    }
    auto decoded = cairn::DecodeItem(it->value());
    if (!decoded.ok()) return decoded.status();
    Item item = std::move(decoded).value();
    ++scanned;
    bytes += ItemSize(item);
    Item page_key;
    if (src.index) page_key = PageKey(src, item);
    if (src.fetch_from_table) {
      auto full = write::ReadItem(*ctx.server.engine, EncodeItemKey(*src.table, item));
      if (!full.ok()) return full.status();
      if (full->has_value()) item = std::move(**full);
    }
    if (!page.filter || ex.Evaluate(*page.filter, &item)) {
      ++count;
      if (!page.count_only) {
        if (page.projection)
          WriteItemJson(out, ex.Project(item, *page.projection));
        else if (src.fetch_from_table && !page.all_attributes)
          WriteItemJson(out, index::Project(*src.index, *src.table, item));  // read for the filter
        else
          WriteItemJson(out, item);
      }
    }
    if ((c.limit && scanned >= *c.limit) || bytes > kMaxPageBytes) {
      last_key = src.index ? std::move(page_key) : KeyOf(*src.table, item);
      break;
    }
  }
  CAIRN_RETURN_IF_ERROR(it->status());
  if (!page.count_only) out.EndArray();
  out.Key("Count");
  out.Int(count);
  out.Key("ScannedCount");
  out.Int(scanned);
  if (last_key) {
    out.Key("LastEvaluatedKey");
    WriteItemJson(out, *last_key);
  }
  size_t blocks = bytes == 0 ? 1 : (bytes + 4095) / 4096;
  double units = c.consistent ? double(blocks) : double(blocks) / 2.0;
  Capacity charged;
  if (src.index)
    (src.index->global ? charged.global : charged.local)[src.index->name] = units;
  else
    charged.table = units;
  WriteConsumedCapacity(out, c.capacity, src.table->name, charged);
  return Status::OK();
}

// ExclusiveStartKey: the table's key attributes (and, for an index, the index's), exactly; returns
// the storage key it stands for.
std::optional<std::string> DecodeStartKey(const Params& p, const Source& src) {
  auto esk = p.Get("ExclusiveStartKey");
  if (!esk) return std::nullopt;
  Item key = ItemFromJson(*esk);
  const storage::TableInfo& t = *src.table;
  try {
    if (!src.index) {
      CheckKey(t, key);
      return EncodeItemKey(t, key);
    }
    Item table_key = KeyOf(t, key);
    CheckKey(t, table_key);
    if (!index::IsIndexed(*src.index, key) || PageKey(src, key).size() != key.size())
      ThrowValidation("The provided key element does not match the schema");
    std::string out;
    index::AppendEntryKey(&out, *src.index, t, key);
    return out;
  } catch (const ApiException& e) {
    ThrowValidation("The provided starting key is invalid: " + e.error.message);
  }
}

// Writes a page over [lo, hi) (empty when lo >= hi).
Status WalkRange(OpContext& ctx, RequestExpressions& ex, const Source& src, std::string lo,
                 std::string hi, bool forward, const Common& c, const Page& page) {
  if (hi < lo) hi = lo;
  storage::ReadOptions ro;
  ro.lower_bound = lo;
  ro.upper_bound = hi;
  auto it = ctx.server.engine->NewIterator(src.column(), ro);
  if (lo == hi)
    it->Seek(hi);  // an empty range: the bounds leave nothing to visit
  else if (forward)
    it->Seek(lo);
  else
    it->SeekToLast();
  return ReadPage(ctx, ex, src, it.get(), forward, c, page);
}

storage::SortKeyOp ToStorageOp(expr::KeyCondition::Op op) {
  switch (op) {
    case expr::KeyCondition::Op::kNone: return storage::SortKeyOp::kAll;
    case expr::KeyCondition::Op::kEQ: return storage::SortKeyOp::kEQ;
    case expr::KeyCondition::Op::kLT: return storage::SortKeyOp::kLT;
    case expr::KeyCondition::Op::kLE: return storage::SortKeyOp::kLE;
    case expr::KeyCondition::Op::kGT: return storage::SortKeyOp::kGT;
    case expr::KeyCondition::Op::kGE: return storage::SortKeyOp::kGE;
    case expr::KeyCondition::Op::kBetween: return storage::SortKeyOp::kBetween;
    case expr::KeyCondition::Op::kBeginsWith: return storage::SortKeyOp::kBeginsWith;
  }
  return storage::SortKeyOp::kAll;
}

}  // namespace

OpResult Query(OpContext& ctx, const Params& p) {
  Common c = DecodeCommon(p);
  // DynamoDB checks the whole request before it looks the table up: the expressions' syntax and
  // substitutions, and Select against the projection.
  RequestExpressions ex(p);
  ex.ParseKeyCondition(p);
  Page page;
  page.filter = ex.Condition(p, "FilterExpression", "QueryFilter");
  page.projection = ex.Projection(p);
  ex.Finish();
  CheckSelect(c, page.projection != nullptr, p.Has("IndexName"));
  auto t = FindTable(ctx, c.table_name);
  if (!t) return ApiError::ResourceNotFound();
  Source src;
  src.table = t.get();
  src.index = FindIndex(p, *t, c);
  // The key attributes a Query's condition and filter are checked against.
  std::vector<storage::KeyElement> hash_keys, range_keys;
  if (src.index) {
    hash_keys = src.index->hash;
    range_keys = src.index->range;
  } else {
    hash_keys = {t->hash};
    if (t->range) range_keys = {*t->range};
  }
  // A multi-attribute index key reduces to: partition bytes of every HASH value, the encodings
  // of the leading RANGE values compared with `=`, and one range condition on the next.
  expr::MultiKeyCondition kc;
  if (hash_keys.size() > 1 || range_keys.size() > 1) {
    kc = ex.MultiKeyCondition(hash_keys, range_keys);
  } else {
    expr::KeyCondition single =
        ex.KeyCondition(p, hash_keys[0], range_keys.empty() ? nullptr : &range_keys[0]);
    kc.hash_values = {std::move(single.hash_value)};
    kc.op = single.op;
    kc.a = std::move(single.a);
    kc.b = std::move(single.b);
  }
  if (page.filter) {
    // A Query's filter runs after the key condition; DynamoDB rejects key attributes in it.
    for (const std::string& name : expr::ConditionTopLevelNames(*page.filter)) {
      bool is_key = false;
      for (const auto* keys : {&hash_keys, &range_keys})
        for (const auto& k : *keys) is_key = is_key || k.name == name;
      if (is_key)
        ThrowValidation(std::string(p.Has("FilterExpression") ? "Filter Expression" : "QueryFilter") +
                        " can only contain non-primary key attributes: Primary key attribute: " +
                        name);
    }
  }
  CheckSelectForIndex(c, src.index);
  ResolveSource(&src, c, page);
  page.count_only = c.select && *c.select == "COUNT";
  page.all_attributes = c.select && *c.select == "ALL_ATTRIBUTES";
  bool forward = p.Bool("ScanIndexForward").value_or(true);

  std::string prefix;
  if (src.index) {
    std::vector<const AttributeValue*> hash_values;
    for (const auto& value : kc.hash_values) hash_values.push_back(&value);
    prefix = index::PartitionPrefix(*src.index, hash_values);
  } else {
    prefix = storage::PartitionPrefix(t->id, kc.hash_values[0]);
  }
  for (const auto& value : kc.range_equal) storage::AppendSortKey(&prefix, value);
  auto [lo, hi] = storage::QueryRange(prefix, ToStorageOp(kc.op), &kc.a, &kc.b);
  if (std::optional<std::string> start = DecodeStartKey(p, src)) {
    // The start key must lie within what the key condition selects: its partition, and its sort
    // key within the range condition.
    if (*start < lo || *start >= hi)
      ThrowValidation(
          "The provided starting key is outside query boundaries based on provided conditions");
    // Strictly after the start key in the walk's direction.
    if (forward) {
      std::string next = *start;
      next.push_back('\0');
      if (next > lo) lo = next;
    } else if (*start < hi) {
      hi = *start;
    }
  }
  ctx.out.BeginObject();
  if (Status st = WalkRange(ctx, ex, src, lo, hi, forward, c, page); !st.ok())
    return ApiError::FromStatus(st);
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult Scan(OpContext& ctx, const Params& p) {
  Common c = DecodeCommon(p);
  auto segment = p.Int("Segment");
  auto total = p.Int("TotalSegments");
  if (segment.has_value() != total.has_value())
    ThrowValidation(segment ? "The TotalSegments parameter is required but was not present in "
                              "the request when Segment parameter is present"
                            : "The Segment parameter is required but was not present in the "
                              "request when parameter TotalSegments is present");
  if (segment && *segment >= *total)
    ThrowValidation(
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
        "Segment: " + std::to_string(*segment) + " is not less than TotalSegments: " +
        std::to_string(*total));
  RequestExpressions ex(p);
  Page page;
  page.filter = ex.Condition(p, "FilterExpression", "ScanFilter");
  page.projection = ex.Projection(p);
  ex.Finish();
  CheckSelect(c, page.projection != nullptr, p.Has("IndexName"));
  auto t = FindTable(ctx, c.table_name);
  if (!t) return ApiError::ResourceNotFound();
  Source src;
  src.table = t.get();
  src.index = FindIndex(p, *t, c);
  CheckSelectForIndex(c, src.index);
  ResolveSource(&src, c, page);
  page.count_only = c.select && *c.select == "COUNT";
  page.all_attributes = c.select && *c.select == "ALL_ATTRIBUTES";

  std::string lo, hi;
  if (segment) {
    std::tie(lo, hi) = storage::SegmentRange(src.id(), uint32_t(*segment), uint32_t(*total));
  } else {
    lo = storage::TablePrefix(src.id());
    hi = storage::TableEnd(src.id());
  }
  if (auto start = DecodeStartKey(p, src)) {
    if (*start < lo || *start >= hi)
      ThrowValidation("The provided Exclusive start key does not map to the provided segment");
    std::string next = *start;
    next.push_back('\0');
    lo = next;
  }
  ctx.out.BeginObject();
  if (Status st = WalkRange(ctx, ex, src, lo, hi, true, c, page); !st.ok())
    return ApiError::FromStatus(st);
  ctx.out.EndObject();
  return std::nullopt;
}

}  // namespace cairn::api
