// RequestExpressions: the expressions of one request and their substitutions. Decodes
// ExpressionAttributeNames / ExpressionAttributeValues, parses each expression member
// (ConditionExpression, FilterExpression, UpdateExpression, ProjectionExpression,
// KeyConditionExpression) with expr/, and after the last one checks that every name and value was
// used (DynamoDB rejects unused ones). The legacy members that older code and boto 2 send
// (Expected, QueryFilter, ScanFilter, AttributeUpdates, AttributesToGet, KeyConditions, with
// ConditionalOperator) are read by api/legacy_params.h and become the same trees (expr/legacy.h);
// mixing the two forms in one request is DynamoDB's ValidationException. Validation errors are
// thrown as ApiException.
// One per request; not thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/params.h"
#include "expr/ast.h"
#include "expr/key_condition.h"
#include "expr/resolve.h"
#include "storage/catalog.h"
#include "types/attribute_value.h"

namespace cairn::api {

class RequestExpressions {
 public:
  explicit RequestExpressions(const Params& p);

  // The condition of `member` ("ConditionExpression" or "FilterExpression"), or of its legacy
  // form `legacy` ("Expected", "QueryFilter" or "ScanFilter"); nullptr when neither is present.
  std::shared_ptr<const expr::Condition> Condition(const Params& p, std::string_view member,
                                                   std::string_view legacy);
  std::shared_ptr<const expr::UpdateExpr> Update(const Params& p);
  std::shared_ptr<const expr::Projection> Projection(const Params& p);
  // A Query's key condition, in two steps as DynamoDB checks it: ParseKeyCondition before the
  // table is looked up (one of KeyConditionExpression and KeyConditions is present; the
  // expression's syntax and operators), then KeyCondition or MultiKeyCondition against the keys
  // of the table or index read.
  void ParseKeyCondition(const Params& p);
  // For a table or an index with these keys.
  expr::KeyCondition KeyCondition(const Params& p, const storage::KeyElement& hash,
                                  const storage::KeyElement* range);
  // For an index with multi-attribute keys.
  expr::MultiKeyCondition MultiKeyCondition(const std::vector<storage::KeyElement>& hash,
                                            const std::vector<storage::KeyElement>& range);
  // Call after the last expression: rejects unused names/values, and names/values given without
  // any expression.
  void Finish();

  // `item` may be nullptr (no such item).
  bool Evaluate(const expr::Condition& c, const Item* item) const;
  void Apply(const expr::UpdateExpr& u, Item& item, std::vector<expr::Path>* updated) const;
  Item Project(const Item& item, const expr::Projection& projection) const;
  Item ProjectPaths(const Item& item, const std::vector<expr::Path>& paths) const;

 private:
  std::map<std::string, std::string, std::less<>> names_;
  Item values_;
  bool has_names_ = false;
  bool has_values_ = false;
  bool any_expression_ = false;
  std::shared_ptr<const expr::Condition> key_condition_;  // ParseKeyCondition's tree
  expr::ExpressionContext ctx_;
};

}  // namespace cairn::api
