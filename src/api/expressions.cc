#include "api/expressions.h"

#include <iterator>

#include "api/legacy_params.h"
#include "api/protocol_names.h"
#include "expr/evaluate.h"
#include "expr/parser.h"
#include "expr/projection.h"
#include "expr/update.h"

namespace cairn::api {

namespace {

// DynamoDB rejects a request that uses both forms, naming what it found of each. KeyConditions is
// the exception: without a KeyConditionExpression, a Query may pair it with a FilterExpression or a
// ProjectionExpression (dynalite's validateExpressionParams, learned from DynamoDB).
void CheckNotMixed(const Params& p) {
  static constexpr std::string_view kLegacy[] = {"AttributesToGet", "AttributeUpdates",
                                                 "ConditionalOperator", "Expected",
                                                 "KeyConditions", "QueryFilter", "ScanFilter"};
  static constexpr std::string_view kExpression[] = {
      "ConditionExpression", "FilterExpression", "KeyConditionExpression",
      "ProjectionExpression", "UpdateExpression"};
  static constexpr size_t kKeyConditions = 4, kKeyConditionExpression = 2;
  // Which of the twelve names the request has (present and not null, as Params::Has reads them:
  // the first of a repeated member counts), in one pass over its members; twelve Has() calls
  // were twelve linear searches of the object, ~1,100 instructions of every request (callgrind).
  unsigned legacy_bits = 0, expression_bits = 0, legacy_seen = 0, expression_seen = 0;
  auto note = [](std::string_view key, bool present, const auto& names, unsigned* seen,
                 unsigned* bits) {
    for (size_t i = 0; i < std::size(names); ++i) {
      if (key != names[i]) continue;
      if (!(*seen & (1u << i)) && present) *bits |= 1u << i;
      *seen |= 1u << i;
      return true;
    }
    return false;
  };
  for (auto [key, value] : p.object()) {
    if (!note(key, !value.is_null(), kLegacy, &legacy_seen, &legacy_bits))
      note(key, !value.is_null(), kExpression, &expression_seen, &expression_bits);
  }
  if (legacy_bits == 0 || expression_bits == 0) return;
  const bool key_conditions_alone = !(expression_bits & (1u << kKeyConditionExpression));
  std::string legacy, expression;
  for (size_t i = 0; i < std::size(kLegacy); ++i)
    if ((legacy_bits & (1u << i)) && !(i == kKeyConditions && key_conditions_alone))
      legacy += (legacy.empty() ? "" : ", ") + std::string(kLegacy[i]);
  for (size_t i = 0; i < std::size(kExpression); ++i)
    if (expression_bits & (1u << i))
      expression += (expression.empty() ? "" : ", ") + std::string(kExpression[i]);
  if (!legacy.empty() && !expression.empty())
    ThrowValidation(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {" + legacy + "} Expression parameters: {" + expression + "}");
}

}  // namespace

RequestExpressions::RequestExpressions(const Params& p) {
  CheckNotMixed(p);
  if (auto names = p.Object("ExpressionAttributeNames")) {
    has_names_ = true;
    for (auto [k, v] : *names) names_.emplace(std::string(k), std::string(AsString(v)));
    ctx_.names = &names_;
  }
  if (auto values = p.Object("ExpressionAttributeValues")) {
    has_values_ = true;
    for (auto [k, v] : *values) {
      try {
        values_.emplace(std::string(k), ValueFromJson(v));
      } catch (const ApiException& e) {
        if (e.error.type != "ValidationException") throw;
        ThrowValidation("ExpressionAttributeValues contains invalid value: " + e.error.message +
                        " for key " + std::string(k));
      }
    }
    ctx_.values = &values_;
  }
  expr::ValidateExpressionAttributeMaps(ctx_.names, ctx_.values);
}

std::shared_ptr<const expr::Condition> RequestExpressions::Condition(const Params& p,
                                                                     std::string_view member,
                                                                     std::string_view legacy) {
  auto text = p.String(member);
  if (!text) {
    auto old = p.Object(legacy);
    if (!old) return nullptr;
    auto op = p.String("ConditionalOperator");
    if (legacy == "Expected") return DecodeExpected(*old, op);
    return DecodeFilter(
        *old, legacy == "QueryFilter" ? FilterKind::kQueryFilter : FilterKind::kScanFilter, op);
  }
  any_expression_ = true;
  return expr::ParseCondition(*text, member, ctx_);
}

std::shared_ptr<const expr::UpdateExpr> RequestExpressions::Update(const Params& p) {
  auto text = p.String("UpdateExpression");
  if (!text) {
    if (auto old = p.Object("AttributeUpdates")) return DecodeAttributeUpdates(*old);
    return nullptr;
  }
  any_expression_ = true;
  return expr::ParseUpdate(*text, ctx_);
}

std::shared_ptr<const expr::Projection> RequestExpressions::Projection(const Params& p) {
  auto text = p.String("ProjectionExpression");
  if (!text) {
    if (auto names = p.Array("AttributesToGet")) return DecodeAttributesToGet(*names);
    return nullptr;
  }
  any_expression_ = true;
  return expr::ParseProjection(*text, ctx_);
}

void RequestExpressions::ParseKeyCondition(const Params& p) {
  if (auto text = p.String("KeyConditionExpression")) {
    any_expression_ = true;
    key_condition_ = expr::ParseKeyConditionTree(*text, ctx_);
  } else if (!p.Has("KeyConditions")) {
    ThrowValidation(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
        "request.");
  }
}

expr::KeyCondition RequestExpressions::KeyCondition(const Params& p,
                                                    const storage::KeyElement& hash,
                                                    const storage::KeyElement* range) {
  std::string_view range_name = range ? std::string_view(range->name) : "";
  expr::KeyCondition kc;
  if (key_condition_) {
    kc = expr::ReduceKeyCondition(*key_condition_, hash.name, range_name);
  } else {
    auto old = p.Object("KeyConditions");
    if (!old)
      ThrowValidation(
          "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
          "request.");
    kc = DecodeKeyConditions(*old, hash.name, range_name);
  }
  if (kc.hash_value.type != hash.type ||
      (kc.op != expr::KeyCondition::Op::kNone && kc.a.type != range->type) ||
      (kc.op == expr::KeyCondition::Op::kBetween && kc.b.type != range->type))
    ThrowValidation(
        "One or more parameter values were invalid: Condition parameter type does not match "
        "schema type");
  return kc;
}

expr::MultiKeyCondition RequestExpressions::MultiKeyCondition(
    const std::vector<storage::KeyElement>& hash, const std::vector<storage::KeyElement>& range) {
  if (!key_condition_)
    ThrowValidation("KeyConditionExpression is required for a Query on an index with "
                    "multi-attribute keys");
  std::vector<std::string> hash_names, range_names;
  for (const auto& k : hash) hash_names.push_back(k.name);
  for (const auto& k : range) range_names.push_back(k.name);
  expr::MultiKeyCondition kc =
      expr::ReduceMultiKeyCondition(*key_condition_, hash_names, range_names);
  bool ok = true;
  for (size_t i = 0; i < kc.hash_values.size(); ++i)
    ok = ok && kc.hash_values[i].type == hash[i].type;
  for (size_t i = 0; i < kc.range_equal.size(); ++i)
    ok = ok && kc.range_equal[i].type == range[i].type;
  if (kc.op != expr::KeyCondition::Op::kNone) {
    const auto& k = range[kc.range_equal.size()];
    ok = ok && kc.a.type == k.type &&
         (kc.op != expr::KeyCondition::Op::kBetween || kc.b.type == k.type);
  }
  if (!ok)
    ThrowValidation(
        "One or more parameter values were invalid: Condition parameter type does not match "
        "schema type");
  return kc;
}

void RequestExpressions::Finish() {
  if (!any_expression_) {
    if (has_names_)
      ThrowValidation("ExpressionAttributeNames can only be specified when using expressions");
    if (has_values_)
      ThrowValidation("ExpressionAttributeValues can only be specified when using expressions");
  }
  ctx_.CheckAllUsed();
}

bool RequestExpressions::Evaluate(const expr::Condition& c, const Item* item) const {
  static const Item kEmpty;
  return expr::EvaluateCondition(c, item ? *item : kEmpty);
}

void RequestExpressions::Apply(const expr::UpdateExpr& u, Item& item,
                               std::vector<expr::Path>* updated) const {
  expr::ApplyUpdate(u, item, updated);
}

Item RequestExpressions::Project(const Item& item, const expr::Projection& projection) const {
  return expr::Project(item, projection.paths);
}

Item RequestExpressions::ProjectPaths(const Item& item,
                                      const std::vector<expr::Path>& paths) const {
  return expr::Project(item, paths);
}

}  // namespace cairn::api
