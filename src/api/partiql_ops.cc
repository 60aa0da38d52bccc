// The PartiQL operations: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.
//
// A statement is parsed and planned by partiql/ (parser.h, plan.h) into the request of the
// operation DynamoDB runs it as (GetItem, Query, Scan, PutItem, UpdateItem, DeleteItem, or a
// transaction's Get, Put, Update, Delete and ConditionCheck), and that request runs through the
// operation itself (CallCurrent, api/legacy_20111205_shapes.h), checked against its model first.
// So conditions, indexes, streams, consumed capacity, ClientRequestTokens and transactions behave
// exactly as for the JSON API, and their errors are the operations' own, except where PartiQL words
// them differently:
// - an INSERT whose key exists fails with DuplicateItemException (its ConditionalCheckFailed, in a
//   transaction its cancellation reason's code, becomes DuplicateItem);
// - a read's LastEvaluatedKey comes back as a NextToken too (base64 of the key's JSON), which the
//   next call turns back into ExclusiveStartKey;
// - a SELECT over several keys (`pk IN [...]`, `pk = a OR pk = b`, `sk IN [...]`) runs one Query
//   per key, in turn, within the one Limit (items evaluated) and about 1 MB per page; its
//   NextToken is base64 of {"Read": the key's position, "Key": where its Query stopped (absent:
//   from the start)}, its ConsumedCapacity the sum of the Queries'.
// BatchExecuteStatement answers each statement in Responses, its error as {"Code", "Message"}: the
// only place outside dispatch.cc where a statement's ApiException is caught, to route it there
// (src/README.md, "Errors").
// Public entry points: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction (operations.h).
#include <simdjson.h>

#include <string>
#include <vector>

#include "api/legacy_20111205_shapes.h"
#include "api/operations.h"
#include "partiql/parser.h"
#include "partiql/plan.h"
#include "types/base64.h"

namespace cairn::api {
namespace {

using partiql::Operation;
using partiql::Plan;

std::vector<partiql::Parameter> DecodeParameters(std::optional<simdjson::dom::array> array) {
  std::vector<partiql::Parameter> out;
  if (!array) return out;
  for (simdjson::dom::element e : *array) {
    // Checked as any AttributeValue of a request is (ValidationException with DynamoDB's words).
    (void)ValueFromJson(e);
    std::string type;
    for (auto field : AsObject(e)) {
      type = std::string(field.key);
      break;
    }
    out.push_back(partiql::Parameter{type, simdjson::to_string(e)});
  }
  return out;
}

partiql::KeyNames KeysOf(const storage::TableInfo& table) {
  partiql::KeyNames k;
  k.hash.push_back(table.hash.name);
  if (table.range) k.range.push_back(table.range->name);
  return k;
}

partiql::KeyNames KeysOf(const storage::IndexInfo& index) {
  partiql::KeyNames k;
  for (const auto& e : index.hash) k.hash.push_back(e.name);
  for (const auto& e : index.range) k.range.push_back(e.name);
  return k;
}

// Parses and plans one statement for the caller's tables. A malformed statement or parameter list
// is a ValidationException, a table that does not exist ResourceNotFoundException, by value.
ApiResult<Plan> Prepare(OpContext& ctx, std::string_view text,
                        std::optional<simdjson::dom::array> parameters) {
  Result<partiql::Statement> statement = partiql::Parse(text);
  if (!statement.ok()) return ApiError::Validation(statement.status().message());
  std::vector<partiql::Parameter> bound = DecodeParameters(parameters);
  auto table = ctx.server.catalog->Find(ctx.caller.ns, statement->table);
  if (!table) return ApiError::ResourceNotFound();
  partiql::KeyNames table_key = KeysOf(*table);
  std::optional<partiql::KeyNames> index_key;
  if (statement->index) {
    const storage::IndexInfo* index = table->FindIndex(*statement->index);
    if (!index || index->deleting) {
      return ApiError::Validation("The table does not have the specified index: " +
                                  *statement->index);
    }
    index_key = KeysOf(*index);
  }
  Result<Plan> plan = partiql::PlanStatement(*statement, bound, table_key,
                                             index_key ? &*index_key : nullptr);
  if (!plan.ok()) return ApiError::Validation(plan.status().message());
  return std::move(plan.value());
}

std::string_view OperationName(Operation op) {
  switch (op) {
    case Operation::kGetItem: return "GetItem";
    case Operation::kQuery: return "Query";
    case Operation::kScan: return "Scan";
    case Operation::kPutItem: return "PutItem";
    case Operation::kUpdateItem: return "UpdateItem";
    case Operation::kDeleteItem: return "DeleteItem";
    case Operation::kConditionCheck: return "ConditionCheck";
  }
  return "";
}

OpFn OperationFunction(Operation op) {
  switch (op) {
    case Operation::kGetItem: return &GetItem;
    case Operation::kQuery: return &Query;
    case Operation::kScan: return &Scan;
    case Operation::kPutItem: return &PutItem;
    case Operation::kUpdateItem: return &UpdateItem;
    case Operation::kDeleteItem: return &DeleteItem;
    case Operation::kConditionCheck: return nullptr;
  }
  return nullptr;
}

// What one statement's run adds to the request of its operation.
struct RunOptions {
  std::optional<bool> consistent_read;
  std::optional<int64_t> limit;
  std::optional<std::string> exclusive_start_key;  // JSON object
  std::optional<std::string_view> return_consumed_capacity;
  std::optional<std::string_view> return_values_on_condition_check_failure;
};

// What a statement's run answers.
struct RunAnswer {
  std::string items;  // JSON array
  std::string item;   // a GetItem's item (JSON object), or empty
  std::string next_token;
  std::string last_evaluated_key;
  std::string consumed_capacity;  // JSON object, or empty
  int64_t scanned = 0;            // a Query's or Scan's ScannedCount
};

ApiError NextTokenError() { return ApiError::Validation("Invalid NextToken"); }

// Runs one planned statement through its operation. REQUIRES: plan.operation is not
// kConditionCheck (an EXISTS runs only in a transaction).
OpResult RunPlan(OpContext& ctx, const Plan& plan, const RunOptions& o, RunAnswer& answer) {
  std::string request;
  JsonWriter w(&request);
  w.BeginObject();
  partiql::WriteRequestMembers(plan, w);
  if (plan.is_read()) {
    if (o.consistent_read) {
      w.Key("ConsistentRead");
      w.Bool(*o.consistent_read);
    }
    if (plan.operation != Operation::kGetItem) {
      if (o.limit) {
        w.Key("Limit");
        w.Int(*o.limit);
      }
      if (o.exclusive_start_key) {
        w.Key("ExclusiveStartKey");
        w.Raw(*o.exclusive_start_key);
      }
    }
  } else if (o.return_values_on_condition_check_failure) {
    w.KV("ReturnValuesOnConditionCheckFailure", *o.return_values_on_condition_check_failure);
  }
  if (o.return_consumed_capacity) w.KV("ReturnConsumedCapacity", *o.return_consumed_capacity);
  w.EndObject();

  OpResult r = CallCurrent(
      ctx, OperationName(plan.operation), OperationFunction(plan.operation), request,
      [&](simdjson::dom::object response) {
        std::string items;
        JsonWriter iw(&items);
        iw.BeginArray();
        if (auto list = Member(response, "Items")) {
          for (simdjson::dom::element item : AsArray(*list)) CopyJson(iw, item);
        }
        for (std::string_view member : {"Item", "Attributes"}) {
          if (auto item = Member(response, member)) {
            CopyJson(iw, *item);
            answer.item = simdjson::to_string(*item);
          }
        }
        iw.EndArray();
        answer.items = std::move(items);
        if (auto key = Member(response, "LastEvaluatedKey")) {
          answer.last_evaluated_key = simdjson::to_string(*key);
          answer.next_token = Base64Encode(answer.last_evaluated_key);
        }
        if (auto cc = Member(response, "ConsumedCapacity")) {
          answer.consumed_capacity = simdjson::to_string(*cc);
        }
        if (auto scanned = Member(response, "ScannedCount")) {
          answer.scanned = AsInt(*scanned);
        }
      });
  if (r && plan.insert && r->type == "ConditionalCheckFailedException") {
    ApiError duplicate = ApiError::DuplicateItem();
    duplicate.extra_json = r->extra_json;  // the item, with ReturnValuesOnConditionCheckFailure
    return duplicate;
  }
  return r;
}

// Writes `first` with each number replaced by the sum of the numbers at its place in `all`.
void SumNumbers(JsonWriter& w, simdjson::dom::element first,
                const std::vector<simdjson::dom::element>& all, const std::string& pointer) {
  if (first.is_object()) {
    w.BeginObject();
    for (auto field : AsObject(first)) {
      w.Key(field.key);
      SumNumbers(w, field.value, all, pointer + "/" + std::string(field.key));
    }
    w.EndObject();
  } else if (first.is_number()) {
    double sum = 0;
    for (simdjson::dom::element doc : all) {
      double v = 0;
      if (doc.at_pointer(pointer).get_double().get(v) == simdjson::SUCCESS) sum += v;
    }
    w.Double(sum);
  } else {
    CopyJson(w, first);
  }
}

// One ConsumedCapacity for several reads of one table (or index): their units summed.
std::string SumCapacity(const std::vector<std::string>& capacities) {
  if (capacities.size() < 2) return capacities.empty() ? "" : capacities[0];
  std::vector<simdjson::dom::parser> parsers(capacities.size());
  std::vector<simdjson::dom::element> docs;
  for (size_t i = 0; i < capacities.size(); ++i) {
    simdjson::dom::element doc;
    if (parsers[i].parse(capacities[i]).get(doc) != simdjson::SUCCESS) return capacities[0];
    docs.push_back(doc);
  }
  std::string out;
  JsonWriter w(&out);
  SumNumbers(w, docs[0], docs, "");
  return out;
}

// Where a read over several keys goes on: the key's position and, when its Query
// stopped inside, that Query's LastEvaluatedKey.
struct ReadCursor {
  size_t read = 0;
  std::optional<std::string> key;
};

std::string EncodeCursor(const ReadCursor& c) {
  std::string json;
  JsonWriter w(&json);
  w.BeginObject();
  w.Key("Read");
  w.UInt(c.read);
  if (c.key) {
    w.Key("Key");
    w.Raw(*c.key);
  }
  w.EndObject();
  return Base64Encode(json);
}

// The page size after which a read over several keys stops, as a Query's does.
constexpr double kPageBytes = 1 << 20;

// Runs a SELECT over several keys (plan.multi_key()): their Queries in turn, from `from`, until
// the Limit's items are evaluated, a Query stops inside its key's items, or the page
// holds about 1 MB. Fills `answer` as RunPlan does, its next_token a ReadCursor.
OpResult RunKeyReads(OpContext& ctx, const Plan& plan, const RunOptions& o,
                       const ReadCursor& from, RunAnswer& answer) {
  // Each Query reports its capacity, which measures the bytes it read (4 KB a unit, half a unit
  // when eventually consistent); the caller sees it only when it asked.
  bool report = o.return_consumed_capacity && *o.return_consumed_capacity != "NONE";
  double bytes_per_unit = o.consistent_read.value_or(false) ? 4096 : 8192;
  std::string items = "[";
  std::vector<std::string> capacities;
  std::optional<int64_t> remaining = o.limit;
  double bytes = 0;
  for (size_t i = from.read; i < plan.key_reads.size(); ++i) {
    RunOptions one = o;
    one.limit = remaining;
    one.exclusive_start_key = i == from.read ? from.key : std::nullopt;
    if (!report) one.return_consumed_capacity = "TOTAL";
    RunAnswer part;
    if (OpResult r = RunPlan(ctx, plan.ForKeyRead(i), one, part)) return r;
    if (part.items.size() > 2) {
      if (items.size() > 1) items += ',';
      items.append(part.items, 1, part.items.size() - 2);
    }
    if (!part.consumed_capacity.empty()) {
      simdjson::dom::parser parser;
      double units = 0;
      if (parser.parse(part.consumed_capacity)["CapacityUnits"].get_double().get(units) ==
          simdjson::SUCCESS) {
        bytes += units * bytes_per_unit;
      }
      if (report) capacities.push_back(part.consumed_capacity);
    }
    if (remaining) *remaining -= part.scanned;
    bool more = i + 1 < plan.key_reads.size();
    if (!part.last_evaluated_key.empty()) {
      answer.last_evaluated_key = part.last_evaluated_key;
      answer.next_token = EncodeCursor({i, part.last_evaluated_key});
      break;
    }
    if (more && ((remaining && *remaining <= 0) || bytes >= kPageBytes)) {
      answer.next_token = EncodeCursor({i + 1, std::nullopt});
      break;
    }
  }
  answer.items = items + "]";
  answer.consumed_capacity = SumCapacity(capacities);
  return std::nullopt;
}

// A NextToken back into where the read goes on; nullopt when it is not one this statement gave.
std::optional<ReadCursor> DecodeCursor(std::string_view token, const Plan& plan) {
  Result<std::string> json = Base64Decode(token);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (!json.ok() || parser.parse(*json).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return std::nullopt;
  }
  ReadCursor c;
  if (!plan.multi_key()) {
    c.key = *json;
    return c;
  }
  uint64_t read = 0;
  if (doc["Read"].get_uint64().get(read) != simdjson::SUCCESS || read >= plan.key_reads.size()) {
    return std::nullopt;
  }
  c.read = read;
  simdjson::dom::object key;
  if (doc["Key"].get_object().get(key) == simdjson::SUCCESS) c.key = simdjson::to_string(key);
  return c;
}

// A statement of BatchExecuteStatement or ExecuteTransaction that reads must read one item (the
// words of BatchExecuteStatement's API reference).
constexpr char kSingleItemReadMessage[] =
    "Each read statement must specify an equality condition on all key attributes";

}  // namespace

OpResult ExecuteStatement(OpContext& ctx, const Params& p) {
  std::string_view text = p.String("Statement").value_or("");
  CAIRN_API_ASSIGN_OR_RETURN(Plan plan, Prepare(ctx, text, p.Array("Parameters")));
  if (plan.operation == Operation::kConditionCheck) {
    return ApiError::Validation("EXISTS is supported only in ExecuteTransaction");
  }
  RunOptions o;
  o.consistent_read = p.Bool("ConsistentRead");
  o.limit = p.Int("Limit");
  o.return_consumed_capacity = p.String("ReturnConsumedCapacity");
  o.return_values_on_condition_check_failure = p.String("ReturnValuesOnConditionCheckFailure");
  ReadCursor from;
  if (auto token = p.String("NextToken"); token && plan.is_read() &&
                                          plan.operation != Operation::kGetItem) {
    std::optional<ReadCursor> cursor = DecodeCursor(*token, plan);
    if (!cursor) return NextTokenError();
    from = std::move(*cursor);
  }
  RunAnswer answer;
  if (plan.multi_key()) {
    if (OpResult r = RunKeyReads(ctx, plan, o, from, answer)) return r;
  } else {
    o.exclusive_start_key = from.key;
    if (OpResult r = RunPlan(ctx, plan, o, answer)) return r;
  }
  JsonWriter& w = ctx.out;
  w.BeginObject();
  w.Key("Items");
  w.Raw(answer.items);
  if (!answer.next_token.empty()) w.KV("NextToken", answer.next_token);
  if (!answer.last_evaluated_key.empty()) {
    w.Key("LastEvaluatedKey");
    w.Raw(answer.last_evaluated_key);
  }
  if (!answer.consumed_capacity.empty()) {
    w.Key("ConsumedCapacity");
    w.Raw(answer.consumed_capacity);
  }
  w.EndObject();
  return std::nullopt;
}

namespace {

// The BatchStatementError code of an operation's error.
std::string_view BatchErrorCode(const ApiError& e) {
  if (e.type == "ConditionalCheckFailedException") return "ConditionalCheckFailed";
  if (e.type == "DuplicateItemException") return "DuplicateItem";
  if (e.type == "ResourceNotFoundException") return "ResourceNotFound";
  if (e.type == "TransactionConflictException") return "TransactionConflict";
  if (e.type == "ItemCollectionSizeLimitExceededException") return "ItemCollectionSizeLimitExceeded";
  if (e.type == "ProvisionedThroughputExceededException") return "ProvisionedThroughputExceeded";
  if (e.type == "RequestLimitExceeded") return "RequestLimitExceeded";
  if (e.type == "AccessDeniedException") return "AccessDenied";
  if (e.type == "ValidationException" || e.type == "SerializationException") {
    return "ValidationError";
  }
  return "InternalServerError";
}

}  // namespace

OpResult BatchExecuteStatement(OpContext& ctx, const Params& p) {
  simdjson::dom::array statements = p.Array("Statements").value();
  std::optional<std::string_view> rcc = p.String("ReturnConsumedCapacity");
  struct Entry {
    std::string table;
    std::optional<Plan> plan;
    std::optional<ApiError> error;
    RunAnswer answer;
    std::optional<bool> consistent_read;
  };
  std::vector<Entry> entries;
  bool reads = false;
  bool writes = false;
  for (simdjson::dom::element e : statements) {
    simdjson::dom::object s = AsObject(e);
    Entry entry;
    std::string_view text = Member(s, "Statement") ? AsString(*Member(s, "Statement")) : "";
    std::optional<simdjson::dom::array> parameters;
    if (auto m = Member(s, "Parameters")) parameters = AsArray(*m);
    if (auto m = Member(s, "ConsistentRead")) entry.consistent_read = AsBool(*m);
    try {
      ApiResult<Plan> plan = Prepare(ctx, text, parameters);
      if (plan.ok()) {
        entry.table = plan.value().table;
        if (plan.value().is_read() && plan.value().operation != Operation::kGetItem) {
          entry.error = ApiError::Validation(kSingleItemReadMessage);
        } else if (plan.value().operation == Operation::kConditionCheck) {
          entry.error = ApiError::Validation("EXISTS is supported only in ExecuteTransaction");
        } else {
          (plan.value().is_read() ? reads : writes) = true;
          entry.plan = std::move(plan.value());
        }
      } else {
        entry.error = std::move(plan.error());
      }
    } catch (const ApiException& ex) {
      entry.error = ex.error;
    }
    entries.push_back(std::move(entry));
  }
  if (reads && writes) {
    return ApiError::Validation(
        "The entire batch must consist of either read statements or write statements, you "
        "cannot mix both in one batch.");
  }
  for (Entry& entry : entries) {
    if (!entry.plan) continue;
    RunOptions o;
    o.consistent_read = entry.consistent_read;
    o.return_consumed_capacity = rcc;
    try {
      entry.error = RunPlan(ctx, *entry.plan, o, entry.answer);
    } catch (const ApiException& ex) {
      entry.error = ex.error;
    }
  }
  JsonWriter& w = ctx.out;
  w.BeginObject();
  w.Key("Responses");
  w.BeginArray();
  for (const Entry& entry : entries) {
    w.BeginObject();
    if (!entry.table.empty()) w.KV("TableName", entry.table);
    if (entry.error) {
      w.Key("Error");
      w.BeginObject();
      w.KV("Code", BatchErrorCode(*entry.error));
      w.KV("Message", entry.error->message);
      w.EndObject();
    } else if (!entry.answer.item.empty()) {
      w.Key("Item");
      w.Raw(entry.answer.item);
    }
    w.EndObject();
  }
  w.EndArray();
  bool any_capacity = false;
  for (const Entry& entry : entries) any_capacity |= !entry.answer.consumed_capacity.empty();
  if (any_capacity) {
    w.Key("ConsumedCapacity");
    w.BeginArray();
    for (const Entry& entry : entries) {
      if (!entry.answer.consumed_capacity.empty()) w.Raw(entry.answer.consumed_capacity);
    }
    w.EndArray();
  }
  w.EndObject();
  return std::nullopt;
}

namespace {

// A TransactionCanceledException of TransactWriteItems as ExecuteTransaction reports it: the
// reason of an INSERT whose condition failed is DuplicateItem.
ApiError InsertReasons(ApiError e, const std::vector<Plan>& plans) {
  if (e.type != "TransactionCanceledException" || e.extra_json.empty()) return e;
  std::string doc = "{" + e.extra_json + "}";
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(doc).get(root) != simdjson::SUCCESS) return e;
  simdjson::dom::array reasons;
  if (root["CancellationReasons"].get_array().get(reasons) != simdjson::SUCCESS) return e;
  std::string extra = "\"CancellationReasons\":";
  std::string codes;
  JsonWriter w(&extra);
  w.BeginArray();
  size_t i = 0;
  for (simdjson::dom::element r : reasons) {
    simdjson::dom::object o = AsObject(r);
    bool duplicate = i < plans.size() && plans[i].insert && Member(o, "Code") &&
                     AsString(*Member(o, "Code")) == "ConditionalCheckFailed";
    w.BeginObject();
    for (auto field : o) {
      if (duplicate && field.key == "Code") {
        w.KV("Code", "DuplicateItem");
      } else if (duplicate && field.key == "Message") {
        w.KV("Message", ApiError::DuplicateItem().message);
      } else {
        w.Key(field.key);
        CopyJson(w, field.value);
      }
    }
    w.EndObject();
    std::string_view code = duplicate ? "DuplicateItem"
                            : Member(o, "Code") ? AsString(*Member(o, "Code"))
                                                : "None";
    codes += (codes.empty() ? "" : ", ") + std::string(code);
    ++i;
  }
  w.EndArray();
  ApiError out = ApiError::TransactionCanceled(
      "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes +
      "]");
  out.extra_json = std::move(extra);
  return out;
}

}  // namespace

OpResult ExecuteTransaction(OpContext& ctx, const Params& p) {
  simdjson::dom::array statements = p.Array("TransactStatements").value();
  std::vector<Plan> plans;
  std::vector<std::optional<std::string_view>> return_on_failure;
  bool reads = false;
  bool writes = false;
  for (simdjson::dom::element e : statements) {
    simdjson::dom::object s = AsObject(e);
    std::string_view text = Member(s, "Statement") ? AsString(*Member(s, "Statement")) : "";
    std::optional<simdjson::dom::array> parameters;
    if (auto m = Member(s, "Parameters")) parameters = AsArray(*m);
    CAIRN_API_ASSIGN_OR_RETURN(Plan plan, Prepare(ctx, text, parameters));
    return_on_failure.push_back(std::nullopt);
    if (auto m = Member(s, "ReturnValuesOnConditionCheckFailure")) {
      return_on_failure.back() = AsString(*m);
    }
    if (plan.is_read()) {
      if (plan.operation != Operation::kGetItem) {
        return ApiError::Validation(kSingleItemReadMessage);
      }
      reads = true;
    } else {
      if (!plan.return_values.empty()) {
        return ApiError::Validation("RETURNING is not supported in ExecuteTransaction");
      }
      writes = true;
    }
    plans.push_back(std::move(plan));
  }
  if (reads && writes) {
    return ApiError::Validation(
        "The entire transaction must consist of either read statements or write statements, you "
        "cannot mix both in one transaction.");
  }
  std::optional<std::string_view> rcc = p.String("ReturnConsumedCapacity");
  std::string request;
  JsonWriter w(&request);
  w.BeginObject();
  w.Key("TransactItems");
  w.BeginArray();
  for (size_t i = 0; i < plans.size(); ++i) {
    const Plan& plan = plans[i];
    w.BeginObject();
    switch (plan.operation) {
      case Operation::kGetItem: w.Key("Get"); break;
      case Operation::kPutItem: w.Key("Put"); break;
      case Operation::kUpdateItem: w.Key("Update"); break;
      case Operation::kDeleteItem: w.Key("Delete"); break;
      default: w.Key("ConditionCheck"); break;
    }
    w.BeginObject();
    partiql::WriteRequestMembers(plan, w);
    if (return_on_failure[i] && !plan.is_read()) {
      w.KV("ReturnValuesOnConditionCheckFailure", *return_on_failure[i]);
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  if (writes) {
    if (auto token = p.String("ClientRequestToken")) w.KV("ClientRequestToken", *token);
  }
  if (rcc) w.KV("ReturnConsumedCapacity", *rcc);
  w.EndObject();

  std::string responses;
  std::string capacity;
  OpResult r = CallCurrent(
      ctx, reads ? "TransactGetItems" : "TransactWriteItems",
      reads ? &TransactGetItems : &TransactWriteItems, request,
      [&](simdjson::dom::object response) {
        if (auto list = Member(response, "Responses")) responses = simdjson::to_string(*list);
        if (auto cc = Member(response, "ConsumedCapacity")) capacity = simdjson::to_string(*cc);
      });
  if (r) return InsertReasons(std::move(*r), plans);
  JsonWriter& out = ctx.out;
  out.BeginObject();
  if (!responses.empty()) {
    out.Key("Responses");
    out.Raw(responses);
  }
  if (!capacity.empty()) {
    out.Key("ConsumedCapacity");
    out.Raw(capacity);
  }
  out.EndObject();
  return std::nullopt;
}

}  // namespace cairn::api
