// FaultInjector: rule parsing (simdjson), matching, counters and the JSON view (see injector.h).
#include "faults/injector.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "protocol/json_writer.h"
#include "protocol/service_model.h"

namespace cairn::faults {
namespace {

using protocol::ApiError;

bool IsBatchOperation(std::string_view op) { return op == "BatchWriteItem" || op == "BatchGetItem"; }

std::string Where(size_t index, const std::string& id) {
  return "fault rule " + std::to_string(index + 1) + (id.empty() ? "" : " (\"" + id + "\")");
}

// Reads one rule object. `index` names it in messages.
Status ParseRule(simdjson::dom::object o, size_t index, Rule* r) {
  if (std::string_view id; o["id"].get(id) == simdjson::SUCCESS) r->id = std::string(id);
  const std::string where = Where(index, r->id);
  bool has_action = false;
  for (auto [key, value] : o) {
    auto bad = [&](std::string_view what) {
      return Status::InvalidArgument(where + ": \"" + std::string(key) + "\" " + std::string(what));
    };
    if (key == "id") {
      if (!value.is_string()) return bad("must be a string");
    } else if (key == "operation") {
      std::string_view op;
      if (value.get(op) != simdjson::SUCCESS) return bad("must be a string");
      if (op != "*" && protocol::FindInputShape("DynamoDB_20120810", op) == nullptr &&
          protocol::FindInputShape("DynamoDBStreams_20120810", op) == nullptr)
        return bad("is not a DynamoDB operation (PutItem, Query, ...; \"*\" for any)");
      if (op != "*") r->operation = std::string(op);
    } else if (key == "table") {
      std::string_view t;
      if (value.get(t) != simdjson::SUCCESS || t.empty()) return bad("must be a table name");
      r->table = std::string(t);
    } else if (key == "probability") {
      double p;
      if (value.get(p) != simdjson::SUCCESS || !(p > 0 && p <= 1))
        return bad("must be a number in (0, 1]");
      r->probability = p;
    } else if (key == "count") {
      int64_t n;
      if (value.get(n) != simdjson::SUCCESS || n < 1) return bad("must be an integer >= 1");
      r->count = n;
    } else if (key == "error") {
      std::string_view e;
      if (value.get(e) != simdjson::SUCCESS) return bad("must be a string");
      std::optional<ApiError> error = InjectableError(e);
      if (!error)
        return bad(
            "must be one of InternalServerError, ServiceUnavailable, ThrottlingException, "
            "ProvisionedThroughputExceededException, RequestLimitExceeded, "
            "TransactionConflictException, ItemCollectionSizeLimitExceededException");
      r->error = error->type;
      has_action = true;
    } else if (key == "message") {
      std::string_view m;
      if (value.get(m) != simdjson::SUCCESS) return bad("must be a string");
      r->message = std::string(m);
    } else if (key == "latency_ms") {
      int64_t ms;
      if (value.get(ms) != simdjson::SUCCESS || ms < 1 || ms > 60000)
        return bad("must be an integer from 1 to 60000");
      r->latency_ms = ms;
      has_action = true;
    } else if (key == "drop_connection") {
      bool b;
      if (value.get(b) != simdjson::SUCCESS) return bad("must be true or false");
      r->drop_connection = b;
      has_action |= b;
    } else if (key == "unprocessed") {
      double f;
      if (value.get(f) != simdjson::SUCCESS || !(f > 0 && f <= 1))
        return bad("must be a number in (0, 1]");
      r->unprocessed = f;
      has_action = true;
    } else {
      return bad(
          "is not a rule member (id, operation, table, probability, count, error, message, "
          "latency_ms, drop_connection, unprocessed)");
    }
  }
  if (!has_action)
    return Status::InvalidArgument(
        where + ": no fault: give error, latency_ms, drop_connection or unprocessed");
  int kinds = (!r->error.empty()) + r->drop_connection + (r->unprocessed > 0);
  if (kinds > 1)
    return Status::InvalidArgument(
        where + ": error, drop_connection and unprocessed exclude each other");
  if (!r->message.empty() && r->error.empty())
    return Status::InvalidArgument(where + ": \"message\" needs an \"error\"");
  if (r->unprocessed > 0 && !IsBatchOperation(r->operation))
    return Status::InvalidArgument(
        where + ": \"unprocessed\" needs \"operation\" BatchWriteItem or BatchGetItem");
  return Status::OK();
}

}  // namespace

std::optional<ApiError> InjectableError(std::string_view type) {
  if (type == "InternalServerError") return ApiError::InternalServerError();
  if (type == "ServiceUnavailable" || type == "ServiceUnavailableException")
    return ApiError::ServiceUnavailable();
  if (type == "ThrottlingException" || type == "Throttling") return ApiError::Throttling();
  if (type == "ProvisionedThroughputExceededException" || type == "ProvisionedThroughputExceeded")
    return ApiError::ProvisionedThroughputExceeded();
  if (type == "RequestLimitExceeded" || type == "RequestLimitExceededException")
    return ApiError::RequestLimitExceeded();
  if (type == "TransactionConflictException" || type == "TransactionConflict")
    return ApiError::TransactionConflict("Transaction is ongoing for the item");
  if (type == "ItemCollectionSizeLimitExceededException" ||
      type == "ItemCollectionSizeLimitExceeded")
    return ApiError::ItemCollectionSizeLimitExceeded("Collection size exceeded.");
  return std::nullopt;
}

std::vector<bool> ChooseUnprocessed(size_t total, double fraction, uint64_t seed) {
  std::vector<bool> out(total, false);
  size_t n = std::min(total, static_cast<size_t>(std::ceil(fraction * static_cast<double>(total))));
  std::vector<size_t> order(total);
  std::iota(order.begin(), order.end(), size_t{0});
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  for (size_t i = 0; i < n; ++i) out[order[i]] = true;
  return out;
}

FaultInjector::FaultInjector() { Reseed(std::random_device{}()); }

void FaultInjector::Reseed(uint64_t seed) {
  std::lock_guard lock(mu_);
  seed_ = seed;
  rng_.seed(seed);
}

std::optional<Decision> FaultInjector::Decide(std::string_view operation,
                                              const std::vector<std::string_view>& tables) {
  std::lock_guard lock(mu_);
  for (Rule& r : rules_) {
    if (!r.operation.empty() && r.operation != operation) continue;
    if (!r.table.empty() && std::find(tables.begin(), tables.end(), r.table) == tables.end())
      continue;
    ++r.requests;
    if (r.count == 0) continue;  // exhausted
    if (r.probability < 1 && std::uniform_real_distribution<double>(0, 1)(rng_) >= r.probability)
      continue;
    ++r.fired;
    if (r.count > 0) --r.count;
    Decision d;
    if (!r.error.empty()) {
      d.error = InjectableError(r.error);
      if (!r.message.empty()) d.error->message = r.message;
    }
    d.latency_ms = r.latency_ms;
    d.drop_connection = r.drop_connection;
    d.unprocessed = r.unprocessed;
    d.unprocessed_seed = rng_();
    return d;
  }
  return std::nullopt;
}

Status FaultInjector::Parse(std::string_view json, bool allow_single_rule,
                            std::vector<Rule>* rules, std::optional<uint64_t>* seed) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto e = parser.parse(json.data(), json.size()).get(doc))
    return Status::InvalidArgument(std::string("fault rules: not JSON: ") +
                                   simdjson::error_message(e));
  simdjson::dom::object o;
  if (doc.get(o) != simdjson::SUCCESS)
    return Status::InvalidArgument("fault rules: expected a JSON object");
  simdjson::dom::array list;
  if (o["rules"].get(list) == simdjson::SUCCESS) {
    for (auto [key, value] : o) {
      if (key == "rules") continue;
      if (key != "seed")
        return Status::InvalidArgument("fault rules: unknown member \"" + std::string(key) +
                                       "\" (expected \"seed\" and \"rules\")");
      uint64_t s;
      if (value.get(s) != simdjson::SUCCESS)
        return Status::InvalidArgument("fault rules: \"seed\" must be a non-negative integer");
      *seed = s;
    }
    size_t i = 0;
    for (auto element : list) {
      simdjson::dom::object ro;
      if (element.get(ro) != simdjson::SUCCESS)
        return Status::InvalidArgument(Where(i, "") + ": expected a JSON object");
      Rule r;
      CAIRN_RETURN_IF_ERROR(ParseRule(ro, i++, &r));
      rules->push_back(std::move(r));
    }
  } else if (o["rules"].error() == simdjson::SUCCESS) {
    return Status::InvalidArgument("fault rules: \"rules\" must be an array");
  } else if (allow_single_rule) {
    Rule r;
    CAIRN_RETURN_IF_ERROR(ParseRule(o, 0, &r));
    rules->push_back(std::move(r));
  } else {
    return Status::InvalidArgument("fault rules: expected {\"rules\": [...]}");
  }
  for (Rule& r : *rules) {
    if (!r.id.empty()) continue;
    r.id = "r";  // appended, not "r" + ...: g++ 12 -O3 warns falsely (-Wrestrict) on that
    r.id += std::to_string(next_id_++);
  }
  return Status::OK();
}

Status FaultInjector::Replace(std::string_view json) {
  std::lock_guard lock(mu_);
  std::vector<Rule> rules;
  std::optional<uint64_t> seed;
  CAIRN_RETURN_IF_ERROR(Parse(json, false, &rules, &seed));
  rules_ = std::move(rules);
  if (seed) {
    seed_ = *seed;
    rng_.seed(*seed);
  }
  Publish();
  return Status::OK();
}

Status FaultInjector::Add(std::string_view json, std::vector<std::string>* ids) {
  std::lock_guard lock(mu_);
  std::vector<Rule> rules;
  std::optional<uint64_t> seed;
  CAIRN_RETURN_IF_ERROR(Parse(json, true, &rules, &seed));
  if (seed) {
    seed_ = *seed;
    rng_.seed(*seed);
  }
  for (Rule& r : rules) {
    ids->push_back(r.id);
    rules_.push_back(std::move(r));
  }
  Publish();
  return Status::OK();
}

bool FaultInjector::Remove(std::string_view id) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(rules_.begin(), rules_.end(), [&](const Rule& r) { return r.id == id; });
  if (it == rules_.end()) return false;
  rules_.erase(it);
  Publish();
  return true;
}

void FaultInjector::Clear() {
  std::lock_guard lock(mu_);
  rules_.clear();
  Publish();
}

std::string FaultInjector::ToJson() const {
  std::lock_guard lock(mu_);
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("seed");
  w.UInt(seed_);
  w.Key("rules");
  w.BeginArray();
  for (const Rule& r : rules_) {
    w.BeginObject();
    w.KV("id", r.id);
    if (!r.operation.empty()) w.KV("operation", r.operation);
    if (!r.table.empty()) w.KV("table", r.table);
    w.Key("probability");
    w.Double(r.probability);
    if (r.count >= 0) {
      w.Key("count");
      w.Int(r.count);
    }
    if (!r.error.empty()) w.KV("error", r.error);
    if (!r.message.empty()) w.KV("message", r.message);
    if (r.latency_ms > 0) {
      w.Key("latency_ms");
      w.Int(r.latency_ms);
    }
    if (r.drop_connection) {
      w.Key("drop_connection");
      w.Bool(true);
    }
    if (r.unprocessed > 0) {
      w.Key("unprocessed");
      w.Double(r.unprocessed);
    }
    w.Key("requests");
    w.Int(r.requests);
    w.Key("fired");
    w.Int(r.fired);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

}  // namespace cairn::faults
