// This file implements the transactions: TransactWriteItems (up to 100 Put, Update, Delete and
// ConditionCheck actions over one or more tables) and TransactGetItems (up to 100 Gets).
//
// TransactWriteItems goes through the item writer's WriteMany (write/item_writer.h): it locks the
// stripes of every item it touches at once (ascending order: no deadlock with other transactions or
// single-item writes), reads every item, checks every condition and computes every new item, and
// only if all succeed writes everything (items, index entries, stream records) in one atomic batch. So a transaction is serializable with respect to every other
// write, and a crash leaves it entirely applied or absent. Where an action fails, the whole request
// fails with TransactionCanceledException and CancellationReasons in action order.
// TransactGetItems reads all its items from one engine snapshot; since every transaction is one
// atomic batch, it never sees half of one.
// Conflicts: a transaction marks the stripes it holds (txn/lock_table.h). A write, transaction or
// TransactGetItems that finds one of its items held by a transaction for longer than
// --conflict-wait fails as in DynamoDB: TransactionConflictException for PutItem, UpdateItem and
// DeleteItem, a TransactionConflict cancellation reason for the transactions.
// ClientRequestToken makes a repeated identical TransactWriteItems within 10 minutes return the
// same answer without applying it again; the same token while the first runs gets
// TransactionInProgressException (write/request_tokens.h).
#include <chrono>
#include <functional>
#include <map>
#include <numeric>
#include <set>

#include "api/protocol_names.h"
#include "api/capacity.h"
#include "api/expressions.h"
#include "api/item_collection.h"
#include "api/item_keys.h"
#include "api/operations.h"
#include "api/item_update.h"
#include "api/table_description.h"
#include "api/write_outcome.h"
#include "storage/key_encoding.h"
#include "types/binary_codec.h"

namespace cairn::api {
namespace {

struct WriteAction {
  enum class Kind { kConditionCheck, kPut, kDelete, kUpdate };
  Kind kind = Kind::kPut;
  std::string_view table_name;  // a name or an ARN, as the request gives it
  std::shared_ptr<const storage::TableInfo> table;
  Item key;   // the key (Delete, Update, ConditionCheck) or the item (Put)
  std::string storage_key;
  std::unique_ptr<RequestExpressions> ex;
  std::shared_ptr<const expr::Condition> condition;
  std::shared_ptr<const expr::UpdateExpr> update;
  bool all_old_on_failure = false;
};

const char* const kActionNames[] = {"ConditionCheck", "Put", "Delete", "Update"};

// Decodes one TransactItems entry into *out: its action, key or item, and expressions; what
// DynamoDB checks before it looks any table up. Throws ApiException when malformed. The model's
// constraints (TableName, the required members, the enum) were checked by the dispatcher
// (protocol/constraint_check.h).
void DecodeWriteAction(simdjson::dom::object entry, WriteAction* out) {
  WriteAction& a = *out;
  std::optional<simdjson::dom::element> body;
  int found = 0;
  for (int k = 0; k < 4; ++k) {
    if (auto m = Member(entry, kActionNames[k])) {
      body = m;
      a.kind = WriteAction::Kind(k);
      ++found;
    }
  }
  if (found != 1)
    ThrowValidation("TransactItems can only contain one of Check, Put, Update or Delete");
  Params p(AsObject(*body));
  a.table_name = *p.String("TableName");
  auto rvf = p.String("ReturnValuesOnConditionCheckFailure");
  a.all_old_on_failure = rvf && *rvf == "ALL_OLD";
  a.key = ItemFromJson(*p.Get(a.kind == WriteAction::Kind::kPut ? "Item" : "Key"));
  a.ex = std::make_unique<RequestExpressions>(p);
  if (a.kind == WriteAction::Kind::kUpdate) a.update = a.ex->Update(p);
  a.condition = a.ex->Condition(p, "ConditionExpression", "Expected");
  a.ex->Finish();
}

// Finds the action's table and checks its key or item against it. Returns false when the table
// does not exist (the request's ResourceNotFoundException, a value); throws ApiException.
bool BindWriteAction(OpContext& ctx, WriteAction& a) {
  a.table = FindTable(ctx, a.table_name);
  if (!a.table) return false;
  const storage::TableInfo& t = *a.table;
  if (a.kind == WriteAction::Kind::kPut) {
    CheckItemToPut(t, a.key);
  } else {
    CheckKey(t, a.key);
  }
  if (a.update) CheckUpdateLeavesKey(t, *a.update);
  a.storage_key = EncodeItemKey(t, a.key);
  return true;
}

struct Reason {
  std::string code = "None";
  std::string message;
  std::optional<Item> item;
};

ApiError Cancelled(const std::vector<Reason>& reasons) {
  std::string codes;
  for (const auto& r : reasons) codes += (codes.empty() ? "" : ", ") + r.code;
  ApiError e = ApiError::TransactionCanceled(
      "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes +
      "]");
  std::string extra = "\"CancellationReasons\":";
  JsonWriter w(&extra);
  w.BeginArray();
  for (const auto& r : reasons) {
    w.BeginObject();
    if (r.item) {
      w.Key("Item");
      WriteItemJson(w, *r.item);
    }
    w.KV("Code", r.code);
    if (!r.message.empty()) w.KV("Message", r.message);
    w.EndObject();
  }
  w.EndArray();
  e.extra_json = std::move(extra);
  return e;
}

// Another transaction holds the item(s) of stripe `conflict`: their actions conflict, the
// others are None. `targets` are the actions' items in action order.
ApiError ConflictCancellation(const std::vector<write::Target>& targets, size_t conflict) {
  std::vector<Reason> reasons(targets.size());
  for (size_t k = 0; k < targets.size(); ++k) {
    if (txn::LockTable::StripeOf(write::ItemWriter::LockHash(targets[k].key)) != conflict)
      continue;
    reasons[k].code = "TransactionConflict";
    reasons[k].message = kTransactionOngoing;
  }
  return Cancelled(reasons);
}

}  // namespace

OpResult TransactWriteItems(OpContext& ctx, const Params& p) {
  // The model's constraints (1..100 TransactItems, the token's length, the enums) were checked
  // by the dispatcher (protocol/constraint_check.h).
  auto items = p.Array("TransactItems");
  CapacityMode capacity = CapacityModeOf(p);
  auto token = p.String("ClientRequestToken");

  // The same token within 10 minutes: the same answer, not applied twice. While the first request
  // runs, its claim holds the token; if it fails, the claim goes (a retry may then apply).
  write::RequestTokens& tokens = ctx.server.writer->tokens();
  std::string token_key;
  std::unique_ptr<std::string, std::function<void(std::string*)>> claim(
      nullptr, [&tokens](std::string* key) { tokens.Release(*key); });
  if (token) {
    token_key = ctx.caller.ns + '\0' + std::string(*token);
    std::string answer;
    switch (tokens.Try(token_key, simdjson::to_string(p.object()), &answer)) {
      case write::RequestTokens::Claim::kMismatch:
        return ApiError::IdempotentParameterMismatch(
            "The request uses the same client token as a previous, but non-identical request.");
      case write::RequestTokens::Claim::kInProgress:
        return ApiError::TransactionInProgress(
            "The transaction with the given request token is already in progress.");
      case write::RequestTokens::Claim::kDone:
        // Empty: applied, but its server died before answering (storage/shared_tokens.h); the
        // answer of a success then (DynamoDB's retries may answer with other capacity figures).
        ctx.out.out()->append(answer.empty() ? std::string_view("{}") : std::string_view(answer));
        return std::nullopt;
      case write::RequestTokens::Claim::kClaimed:
        claim.reset(&token_key);
        break;
    }
  }

  // Every action is decoded before any table is looked up, as DynamoDB checks a request.
  std::vector<WriteAction> actions;
  for (auto e : *items) DecodeWriteAction(AsObject(e), &actions.emplace_back());
  std::set<std::string> seen;
  for (WriteAction& a : actions) {
    if (!BindWriteAction(ctx, a)) return ApiError::ResourceNotFound();
    if (!seen.insert(a.storage_key).second)
      ThrowValidation("Transaction request cannot include multiple operations on one item");
  }
  // DynamoDB's 4 MB limit on the aggregate size of a transaction's items ("The aggregate size of
  // the items in the transaction cannot exceed 4 MB"): the items written, Puts as given and Updates
  // as they would become. The Puts are counted before anything is read; the Updates' results while
  // the transaction is decided, which then writes nothing. NOT VERIFIED: this text is not found in
  // the repository or its references; it is believed to be DynamoDB's.
  constexpr size_t kMaxTransactionBytes = 4 << 20;
  constexpr std::string_view kTooLarge = "Transaction request cannot be larger than 4 MB";
  size_t transaction_bytes = 0;
  for (const WriteAction& a : actions)
    if (a.kind == WriteAction::Kind::kPut) transaction_bytes += ItemSize(a.key);
  if (transaction_bytes > kMaxTransactionBytes) ThrowValidation(std::string(kTooLarge));
  std::vector<size_t> updated_bytes(actions.size(), 0);  // each Update's result
  bool too_large = false;

  std::vector<write::Target> targets;
  targets.reserve(actions.size());
  for (const auto& a : actions) targets.push_back({a.table, a.storage_key});
  std::vector<Reason> reasons(actions.size());
  std::vector<std::optional<Item>> olds;
  std::vector<Item> news(actions.size());
  std::map<std::string, Capacity> units;
  size_t conflict = 0;
  // Check all, then write all: the writer calls this for every action with the item as it is,
  // and writes nothing if any refuses.
  Status s = ctx.server.writer->WriteMany(
      targets, write::Waiting::kTransaction, write::ReadOld::kAlways, &olds,
      [&](size_t k, const storage::TableInfo& current, const Item* before, write::Change* c) {
        WriteAction& a = actions[k];
        if (a.condition && !a.ex->Evaluate(*a.condition, before)) {
          reasons[k].code = "ConditionalCheckFailed";
          reasons[k].message = "The conditional request failed";
          if (a.all_old_on_failure && before) reasons[k].item = *before;
          return false;
        }
        const size_t size = before ? ItemSize(*before) : 0;
        switch (a.kind) {
          case WriteAction::Kind::kConditionCheck:
            units[a.table->name] += Capacity(2 * ReadUnits(size, true));
            return true;
          case WriteAction::Kind::kPut:
            news[k] = a.key;
            c->kind = write::Change::Kind::kPut;
            c->new_item = &news[k];
            break;
          case WriteAction::Kind::kUpdate: {
            news[k] = before ? *before : a.key;
            std::vector<expr::Path> updated;
            if (auto e = ApplyUpdate(*a.ex, a.update.get(), current, &news[k], &updated)) {
              reasons[k].code = "ValidationError";
              reasons[k].message = e->message;
              return false;
            }
            // Only REMOVE or DELETE on an absent item: nothing is created (as UpdateItem).
            if (!before && news[k].size() == a.key.size()) break;
            updated_bytes[k] = ItemSize(news[k]);
            if (transaction_bytes + std::accumulate(updated_bytes.begin(), updated_bytes.end(),
                                                    size_t{0}) > kMaxTransactionBytes) {
              too_large = true;
              return false;
            }
            c->kind = write::Change::Kind::kPut;
            c->new_item = &news[k];
            break;
          }
          case WriteAction::Kind::kDelete:
            c->kind = write::Change::Kind::kDelete;
            break;
        }
        // Transactional writes cost twice.
        units[a.table->name] += WriteCapacity(current, before, c->new_item) * 2;
        return true;
      },
      &conflict);
  if (s.IsBusy()) return ConflictCancellation(targets, conflict);
  if (s.IsAborted() && too_large) ThrowValidation(std::string(kTooLarge));
  if (s.IsAborted()) return Cancelled(reasons);
  if (OpResult r = WriteOutcome(s)) return r;

  size_t start = ctx.out.out()->size();
  ctx.out.BeginObject();
  WriteConsumedCapacities(ctx.out, capacity, units);
  std::vector<std::pair<const storage::TableInfo*, const Item*>> written;
  for (const auto& a : actions)
    if (a.kind != WriteAction::Kind::kConditionCheck) written.emplace_back(a.table.get(), &a.key);
  WriteItemCollectionMetricsByTable(ctx.out, ctx.server, p, written);
  ctx.out.EndObject();
  if (token) {
    tokens.Finish(token_key, ctx.out.out()->substr(start));
    claim.release();
  }
  return std::nullopt;
}

OpResult TransactGetItems(OpContext& ctx, const Params& p) {
  // The model's constraints (1..100 TransactItems, each with its Get, TableName and Key) were
  // checked by the dispatcher (protocol/constraint_check.h).
  auto items = p.Array("TransactItems");
  CapacityMode capacity = CapacityModeOf(p);

  struct Get {
    std::string_view table_name;
    Item key;
    std::shared_ptr<const storage::TableInfo> table;
    std::string storage_key;
    std::unique_ptr<RequestExpressions> ex;
    std::shared_ptr<const expr::Projection> projection;
  };
  // Every Get is decoded before any table is looked up, as DynamoDB checks a request.
  std::vector<Get> gets;
  for (auto e : *items) {
    Params gp(AsObject(*Member(AsObject(e), "Get")));
    Get& g = gets.emplace_back();
    g.table_name = *gp.String("TableName");
    g.key = ItemFromJson(*gp.Get("Key"));
    g.ex = std::make_unique<RequestExpressions>(gp);
    g.projection = g.ex->Projection(gp);
    g.ex->Finish();
  }
  std::set<std::string> seen;
  for (Get& g : gets) {
    g.table = FindTable(ctx, g.table_name);
    if (!g.table) return ApiError::ResourceNotFound();
    CheckKey(*g.table, g.key);
    g.storage_key = EncodeItemKey(*g.table, g.key);
    if (!seen.insert(g.storage_key).second)
      ThrowValidation("Transaction request cannot include multiple operations on one item");
  }

  // As in DynamoDB, a Get of an item that a running transaction writes conflicts (after the
  // --conflict-wait); otherwise the snapshot is taken while no transaction holds any of the items.
  std::vector<write::Target> targets;
  for (const auto& g : gets) targets.push_back({g.table, g.storage_key});
  size_t conflict = 0;
  auto snapshot = ctx.server.writer->SnapshotOf(targets, &conflict);
  if (!snapshot.ok() && snapshot.status().IsBusy()) return ConflictCancellation(targets, conflict);
  if (!snapshot.ok()) return ApiError::FromStatus(snapshot.status());
  std::map<std::string, Capacity> units;
  ctx.out.BeginObject();
  ctx.out.Key("Responses");
  ctx.out.BeginArray();
  for (const auto& g : gets) {
    std::string value;
    Status s = ctx.server.engine->Get(storage::Column::kData, g.storage_key, &value,
                                      snapshot->get());
    ctx.out.BeginObject();
    size_t size = 0;
    if (s.ok()) {
      auto item = cairn::DecodeItem(value);
      if (!item.ok()) return ApiError::FromStatus(item.status());
      size = ItemSize(*item);
      ctx.out.Key("Item");
      if (g.projection)
        WriteItemJson(ctx.out, g.ex->Project(*item, *g.projection));
      else
        WriteItemJson(ctx.out, *item);
    } else if (!s.IsNotFound()) {
      return ApiError::FromStatus(s);
    }
    ctx.out.EndObject();
    units[g.table->name] += Capacity(2 * ReadUnits(size, true));  // transactional reads: twice
  }
  ctx.out.EndArray();
  WriteConsumedCapacities(ctx.out, capacity, units);
  ctx.out.EndObject();
  return std::nullopt;
}

}  // namespace cairn::api
