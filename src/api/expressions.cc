#include "api/expressions.h"

#include "api/attribute_json.h"
#include "expr/evaluate.h"
#include "expr/parser.h"
#include "expr/projection.h"
#include "expr/update.h"

namespace cairn::api {

RequestExpressions::RequestExpressions(const Params& p) {
  if (auto names = p.Object("ExpressionAttributeNames")) {
    has_names_ = true;
    for (auto [k, v] : *names) names_.emplace(std::string(k), std::string(AsString(v)));
    ctx_.names = &names_;
  }
  if (auto values = p.Object("ExpressionAttributeValues")) {
    has_values_ = true;
    for (auto [k, v] : *values) {
      try {
        values_.emplace(std::string(k), DecodeAttributeValue(v));
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
                                                                     std::string_view member) {
  auto text = p.String(member);
  if (!text) return nullptr;
  any_expression_ = true;
  return expr::ParseCondition(*text, member, ctx_);
}

std::shared_ptr<const expr::UpdateExpr> RequestExpressions::Update(const Params& p) {
  auto text = p.String("UpdateExpression");
  if (!text) return nullptr;
  any_expression_ = true;
  return expr::ParseUpdate(*text, ctx_);
}

std::shared_ptr<const expr::Projection> RequestExpressions::Projection(const Params& p) {
  auto text = p.String("ProjectionExpression");
  if (!text) return nullptr;
  any_expression_ = true;
  return expr::ParseProjection(*text, ctx_);
}

expr::KeyCondition RequestExpressions::KeyCondition(const Params& p,
                                                    const storage::TableInfo& table) {
  auto text = p.String("KeyConditionExpression");
  any_expression_ = true;
  expr::KeyCondition kc = expr::ParseKeyCondition(
      text.value_or(""), ctx_, table.hash.name, table.range ? table.range->name : "");
  if (kc.hash_value.type != table.hash.type ||
      (kc.op != expr::KeyCondition::Op::kNone && kc.a.type != table.range->type) ||
      (kc.op == expr::KeyCondition::Op::kBetween && kc.b.type != table.range->type))
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

std::vector<std::string> RequestExpressions::UpdatedTopLevelNames(
    const expr::UpdateExpr& u) const {
  return u.TopLevelNames();
}

}  // namespace cairn::api
