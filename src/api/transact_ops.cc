// This file implements the transactions: TransactWriteItems (up to 100 Put, Update, Delete and
// ConditionCheck actions over one or more tables) and TransactGetItems (up to 100 Gets).
//
// TransactWriteItems locks the stripes of every item it touches with one LockMany (ascending
// order: no deadlock with other transactions or single-item writes), reads every item, checks every
// condition and computes every new item, and only if all succeed writes everything (items and index
// entries) in one atomic WriteBatch. So a transaction is serializable with respect to every other
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
// TransactionInProgressException.
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "api/protocol_names.h"
#include "api/capacity.h"
#include "api/expressions.h"
#include "api/item_collection.h"
#include "api/item_keys.h"
#include "api/operations.h"
#include "api/rmw.h"
#include "api/table_description.h"
#include "index/index_entries.h"
#include "storage/key_encoding.h"
#include "types/binary_codec.h"

namespace cairn::api {
namespace {

constexpr size_t kMaxTransactItems = 100;
constexpr auto kTokenLifetime = std::chrono::minutes(10);

struct WriteAction {
  enum class Kind { kConditionCheck, kPut, kDelete, kUpdate };
  Kind kind = Kind::kPut;
  std::shared_ptr<const storage::TableInfo> table;
  Item key;   // the key (Delete, Update, ConditionCheck) or the item (Put)
  std::string storage_key;
  std::unique_ptr<RequestExpressions> ex;
  std::shared_ptr<const expr::Condition> condition;
  std::shared_ptr<const expr::UpdateExpr> update;
  bool all_old_on_failure = false;
};

// ClientRequestToken -> what the first request was and what it answered.
struct TokenEntry {
  std::string request;   // the request body
  std::string response;  // the response body
  std::chrono::steady_clock::time_point at;
  bool done = false;  // false while the first request runs (then it is not in g_token_order)
};
// SDKs send a fresh token with every call (boto3 fills it in), so the table is bounded: entries
// leave after 10 minutes, or oldest first beyond kMaxTokens.
constexpr size_t kMaxTokens = 100000;
std::mutex g_tokens_mu;
std::map<std::string, TokenEntry> g_tokens;  // GUARDED_BY(g_tokens_mu); key: namespace + token
std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>>
    g_token_order;  // GUARDED_BY(g_tokens_mu); oldest first

// REQUIRES: g_tokens_mu held.
void EvictTokens(std::chrono::steady_clock::time_point now) {
  while (!g_token_order.empty() && (now - g_token_order.front().first > kTokenLifetime ||
                                    g_token_order.size() > kMaxTokens)) {
    auto it = g_tokens.find(g_token_order.front().second);
    if (it != g_tokens.end() && it->second.at == g_token_order.front().first) g_tokens.erase(it);
    g_token_order.pop_front();
  }
}

const char* const kActionNames[] = {"ConditionCheck", "Put", "Delete", "Update"};

WriteAction DecodeWriteAction(OpContext& ctx, simdjson::dom::object entry, size_t index) {
  WriteAction a;
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
  Violations v;
  auto name = p.String("TableName");
  std::string field = "transactItems." + std::to_string(index + 1) + ".member." +
                      std::string(kActionNames[int(a.kind)]) + ".tableName";
  field[field.find(".member.") + 8] = char(std::tolower(field[field.find(".member.") + 8]));
  CheckTableName(v, name, field, true);
  auto rvf = p.String("ReturnValuesOnConditionCheckFailure");
  CheckEnum(v, rvf, "returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"});
  a.all_old_on_failure = rvf && *rvf == "ALL_OLD";
  bool is_put = a.kind == WriteAction::Kind::kPut;
  auto item = p.Get(is_put ? "Item" : "Key");
  if (!item) v.Null(is_put ? "item" : "key");
  if (a.kind == WriteAction::Kind::kConditionCheck && !p.Has("ConditionExpression"))
    v.Null("conditionExpression");
  if (a.kind == WriteAction::Kind::kUpdate && !p.Has("UpdateExpression"))
    v.Null("updateExpression");
  v.ThrowIfAny();
  a.key = ItemFromJson(*item);
  a.ex = std::make_unique<RequestExpressions>(p);
  if (a.kind == WriteAction::Kind::kUpdate) a.update = a.ex->Update(p);
  a.condition = a.ex->Condition(p, "ConditionExpression", "Expected");
  a.ex->Finish();
  a.table = FindTable(ctx, *name);
  if (!a.table) Throw(ApiError::ResourceNotFound());
  const storage::TableInfo& t = *a.table;
  if (is_put) {
    CheckItemKey(t, a.key);
    CheckIndexKeys(t, a.key);
    if (ItemSize(a.key) > kMaxItemBytes)
      ThrowValidation("Item size has exceeded the maximum allowed size");
  } else {
    CheckKey(t, a.key);
  }
  if (a.update) {
    for (const std::string& attr : a.ex->UpdatedTopLevelNames(*a.update))
      if (t.IsKeyAttribute(attr))
        ThrowValidation("One or more parameter values were invalid: Cannot update attribute " +
                        attr + ". This attribute is part of the key");
  }
  a.storage_key = EncodeItemKey(t, a.key);
  return a;
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
// others are None. `hashes` are the actions' lock hashes in action order.
ApiError ConflictCancellation(const std::vector<uint64_t>& hashes, size_t conflict) {
  std::vector<Reason> reasons(hashes.size());
  for (size_t k = 0; k < hashes.size(); ++k) {
    if (txn::LockTable::StripeOf(hashes[k]) != conflict) continue;
    reasons[k].code = "TransactionConflict";
    reasons[k].message = kTransactionOngoing;
  }
  return Cancelled(reasons);
}

// TransactItems: 1 to 100 entries, with coral's violations.
std::optional<simdjson::dom::array> TransactItems(const Params& p, Violations& v) {
  auto items = p.Array("TransactItems");
  if (!items)
    v.Null("transactItems");
  else if (items->size() == 0)
    v.Add("Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length "
          "greater than or equal to 1");
  else if (items->size() > kMaxTransactItems)
    v.Add("Value '[...]' at 'transactItems' failed to satisfy constraint: Member must have "
          "length less than or equal to 100");
  return items;
}

}  // namespace

OpResult TransactWriteItems(OpContext& ctx, const Params& p) {
  Violations v;
  auto items = TransactItems(p, v);
  CapacityMode capacity = DecodeCapacityMode(p, v);
  CheckEnum(v, p.String("ReturnItemCollectionMetrics"), "returnItemCollectionMetrics",
            {"SIZE", "NONE"});
  auto token = p.String("ClientRequestToken");
  if (token && (token->empty() || token->size() > 36))
    v.Add("Value '" + std::string(*token) +
          "' at 'clientRequestToken' failed to satisfy constraint: Member must have length " +
          (token->empty() ? "greater than or equal to 1" : "less than or equal to 36"));
  v.ThrowIfAny();

  // The same token within 10 minutes: the same answer, not applied twice. While the first request
  // runs, its entry claims the token; if it fails, the claim goes (a retry may then apply).
  std::string token_key;
  std::string request_text(simdjson::to_string(p.object()));
  std::unique_ptr<std::string, void (*)(std::string*)> claim(nullptr, [](std::string* key) {
    std::lock_guard lock(g_tokens_mu);
    auto it = g_tokens.find(*key);
    if (it != g_tokens.end() && !it->second.done) g_tokens.erase(it);
  });
  if (token) {
    token_key = ctx.caller.ns + '\0' + std::string(*token);
    std::lock_guard lock(g_tokens_mu);
    EvictTokens(std::chrono::steady_clock::now());
    auto [it, fresh] = g_tokens.try_emplace(token_key);
    if (!fresh) {
      if (it->second.request != request_text)
        return ApiError::IdempotentParameterMismatch(
            "The request uses the same client token as a previous, but non-identical request.");
      if (!it->second.done)
        return ApiError::TransactionInProgress(
            "The transaction with the given request token is already in progress.");
      ctx.out.out()->append(it->second.response);
      return std::nullopt;
    }
    it->second.request = request_text;
    claim.reset(&token_key);
  }

  std::vector<WriteAction> actions;
  std::set<std::string> seen;
  size_t i = 0;
  for (auto e : *items) {
    actions.push_back(DecodeWriteAction(ctx, AsObject(e), i++));
    if (!seen.insert(actions.back().storage_key).second)
      ThrowValidation("Transaction request cannot include multiple operations on one item");
  }

  std::vector<uint64_t> hashes;
  for (const auto& a : actions) hashes.push_back(LockHash(a.table->id, a.storage_key));
  std::map<std::string, Capacity> units;
  {
    size_t conflict = 0;
    auto guard = ctx.server.locks->TryLockMany(hashes, txn::LockTable::Holder::kTransaction,
                                               ConflictWait(ctx.server), &conflict);
    if (!guard) return ConflictCancellation(hashes, conflict);
    if (ctx.server.config.test_transaction_hold_ms > 0)
      std::this_thread::sleep_for(std::chrono::microseconds(
          static_cast<int64_t>(ctx.server.config.test_transaction_hold_ms * 1000)));
    std::vector<Reason> reasons(actions.size());
    std::vector<std::optional<Item>> olds(actions.size()), news(actions.size());
    std::vector<std::shared_ptr<const storage::TableInfo>> current(actions.size());
    bool failed = false;
    for (size_t k = 0; k < actions.size(); ++k) {
      WriteAction& a = actions[k];
      current[k] = ctx.server.catalog->Find(a.table->ns, a.table->name);
      if (!current[k] || current[k]->id != a.table->id) return ApiError::ResourceNotFound();
      auto old = ReadItem(ctx.server, a.storage_key);
      if (!old.ok()) return ApiError::FromStatus(old.status());
      olds[k] = std::move(*old);
      const Item* before = olds[k] ? &*olds[k] : nullptr;
      if (a.condition && !a.ex->Evaluate(*a.condition, before)) {
        reasons[k].code = "ConditionalCheckFailed";
        reasons[k].message = "The conditional request failed";
        if (a.all_old_on_failure && before) reasons[k].item = *before;
        failed = true;
        continue;
      }
      try {
        if (a.kind == WriteAction::Kind::kPut) {
          news[k] = a.key;
        } else if (a.kind == WriteAction::Kind::kUpdate) {
          Item next = before ? *before : a.key;
          std::vector<expr::Path> updated;
          a.ex->Apply(*a.update, next, &updated);
          CheckIndexKeys(*current[k], next);
          if (ItemSize(next) > kMaxItemBytes)
            ThrowValidation("Item size to update has exceeded the maximum allowed size");
          news[k] = std::move(next);
        }
      } catch (const ApiException& e) {
        reasons[k].code = "ValidationError";
        reasons[k].message = e.error.message;
        failed = true;
      }
    }
    if (failed) return Cancelled(reasons);

    storage::WriteBatch batch;
    streams::PendingRecords pending;
    for (size_t k = 0; k < actions.size(); ++k) {
      const WriteAction& a = actions[k];
      size_t size = olds[k] ? ItemSize(*olds[k]) : 0;
      if (a.kind == WriteAction::Kind::kConditionCheck) {
        units[a.table->name] += Capacity(2 * ReadUnits(size, true));
        continue;
      }
      const Item* after = news[k] ? &*news[k] : nullptr;
      if (after) {
        std::string value;
        cairn::EncodeItem(*after, &value);
        batch.Put(storage::Column::kData, a.storage_key, value);
      } else if (olds[k]) {
        batch.Delete(storage::Column::kData, a.storage_key);
      }
      if (!current[k]->indexes.empty())
        index::AddIndexUpdates(*current[k], olds[k] ? &*olds[k] : nullptr, after, &batch);
      streams::StreamLog::Add(current[k], olds[k] ? &*olds[k] : nullptr, after, false, &pending);
      // Transactional writes cost twice.
      units[a.table->name] += WriteCapacity(*current[k], olds[k] ? &*olds[k] : nullptr, after) * 2;
    }
    Status s = ctx.server.streams ? ctx.server.streams->Commit(&batch, pending)
                                  : ctx.server.engine->Write(batch);
    if (!s.ok()) return ApiError::FromStatus(s);
  }

  size_t start = ctx.out.out()->size();
  ctx.out.BeginObject();
  WriteConsumedCapacities(ctx.out, capacity, units);
  std::vector<std::pair<const storage::TableInfo*, const Item*>> written;
  for (const auto& a : actions)
    if (a.kind != WriteAction::Kind::kConditionCheck) written.emplace_back(a.table.get(), &a.key);
  WriteItemCollectionMetricsByTable(ctx.out, ctx.server, p, written);
  ctx.out.EndObject();
  if (token) {
    std::lock_guard lock(g_tokens_mu);
    auto now = std::chrono::steady_clock::now();
    g_tokens[token_key] =
        TokenEntry{std::move(request_text), ctx.out.out()->substr(start), now, true};
    g_token_order.emplace_back(now, token_key);
    EvictTokens(now);
  }
  return std::nullopt;
}

OpResult TransactGetItems(OpContext& ctx, const Params& p) {
  Violations v;
  auto items = TransactItems(p, v);
  CapacityMode capacity = DecodeCapacityMode(p, v);
  v.ThrowIfAny();

  struct Get {
    std::shared_ptr<const storage::TableInfo> table;
    std::string storage_key;
    std::unique_ptr<RequestExpressions> ex;
    std::shared_ptr<const expr::Projection> projection;
  };
  std::vector<Get> gets;
  std::set<std::string> seen;
  for (auto e : *items) {
    auto get = Member(AsObject(e), "Get");
    if (!get) ThrowValidation("1 validation error detected: Value null at 'transactItems.1.member.get' failed to satisfy constraint: Member must not be null");
    Params gp(AsObject(*get));
    Violations gv;
    auto name = gp.String("TableName");
    CheckTableName(gv, name, "tableName", true);
    auto key_json = gp.Get("Key");
    if (!key_json) gv.Null("key");
    gv.ThrowIfAny();
    Get g;
    Item key = ItemFromJson(*key_json);
    g.ex = std::make_unique<RequestExpressions>(gp);
    g.projection = g.ex->Projection(gp);
    g.ex->Finish();
    g.table = FindTable(ctx, *name);
    if (!g.table) Throw(ApiError::ResourceNotFound());
    CheckKey(*g.table, key);
    g.storage_key = EncodeItemKey(*g.table, key);
    if (!seen.insert(g.storage_key).second)
      ThrowValidation("Transaction request cannot include multiple operations on one item");
    gets.push_back(std::move(g));
  }

  // As in DynamoDB, a Get of an item that a running transaction writes conflicts (after the
  // --conflict-wait); otherwise the snapshot is taken while no transaction holds any of the items.
  std::vector<uint64_t> hashes;
  for (const auto& g : gets) hashes.push_back(LockHash(g.table->id, g.storage_key));
  size_t conflict = 0;
  auto guard = ctx.server.locks->TryLockMany(hashes, txn::LockTable::Holder::kWrite,
                                             ConflictWait(ctx.server), &conflict);
  if (!guard) return ConflictCancellation(hashes, conflict);
  auto snapshot = ctx.server.engine->GetSnapshot();
  guard.reset();
  std::map<std::string, Capacity> units;
  ctx.out.BeginObject();
  ctx.out.Key("Responses");
  ctx.out.BeginArray();
  for (const auto& g : gets) {
    std::string value;
    Status s = ctx.server.engine->Get(storage::Column::kData, g.storage_key, &value,
                                      snapshot.get());
    ctx.out.BeginObject();
    size_t size = 0;
    if (s.ok()) {
      auto item = cairn::DecodeItem(value);
      if (!item.ok()) Throw(ApiError::FromStatus(item.status()));
      size = ItemSize(*item);
      ctx.out.Key("Item");
      if (g.projection)
        WriteItemJson(ctx.out, g.ex->Project(*item, *g.projection));
      else
        WriteItemJson(ctx.out, *item);
    } else if (!s.IsNotFound()) {
      Throw(ApiError::FromStatus(s));
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
