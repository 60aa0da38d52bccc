// Fuzz target: the expression language (src/expr): lexer, parser, resolver (placeholders), and the
// evaluators (conditions, updates, projections, key conditions).
// Feeds: byte 0 picks the kind (ConditionExpression, UpdateExpression, ProjectionExpression,
// KeyConditionExpression); the bytes up to the next 0x00 are the expression text; the bytes after
// it make ExpressionAttributeValues ":a".."f" and an item (fuzz_values.h). ExpressionAttributeNames
// are fixed: #a -> a, #b -> b, #c -> "c.d", #d -> d, #k -> pk, #s -> sk.
// Asserts, beyond no crash and no sanitizer report:
//  - every rejection (parse, resolve, CheckAllUsed, an update that does not apply) is an
//    ApiException with a ValidationException, never another exception;
//  - a condition's value is deterministic, NOT c evaluates to the negation of c, and evaluation
//    on the empty item (no such item) does not throw;
//  - an update that applies leaves an item of valid values (canonical numbers, no empty or
//    duplicated sets) that the item codec round trips; projecting it on the updated paths keeps
//    the projection's laws below;
//  - a projection holds only attributes of the item, and is idempotent,
//    Project(Project(item, p), p) == Project(item, p), when no path names a list element (list
//    elements close up in the result, as DynamoDB returns them: l[1] of [x, y] is [y], whose
//    l[1] is absent; projection_test.cc ListElementsCloseUpInIndexOrder).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "expr/evaluate.h"
#include "expr/key_condition.h"
#include "expr/parser.h"
#include "expr/projection.h"
#include "expr/resolve.h"
#include "expr/update.h"
#include "fuzz_check.h"
#include "fuzz_values.h"
#include "protocol/errors.h"
#include "types/binary_codec.h"

namespace {

using cairn::Item;
using cairn::expr::Condition;
using cairn::expr::ExpressionContext;

void CheckCondition(const Condition& c, const Item& item) {
  const bool value = cairn::expr::EvaluateCondition(c, item);
  FUZZ_CHECK(cairn::expr::EvaluateCondition(c, item) == value);
  Condition negated;
  negated.kind = Condition::Kind::kNot;
  negated.children.push_back(c);
  FUZZ_CHECK(cairn::expr::EvaluateCondition(negated, item) == !value);
  (void)cairn::expr::EvaluateCondition(c, Item());
  (void)cairn::expr::ConditionTopLevelNames(c);
}

void CheckStorable(const Item& item) {
  FUZZ_CHECK(cairn::fuzz::IsValidItem(item));
  std::string bytes;
  cairn::EncodeItem(item, &bytes);
  cairn::Result<Item> decoded = cairn::DecodeItem(bytes);
  FUZZ_CHECK(decoded.ok());
  FUZZ_CHECK(decoded.value() == item);
}

void CheckProjection(const Item& item, const std::vector<cairn::expr::Path>& paths) {
  const Item projected = cairn::expr::Project(item, paths);
  for (const auto& [name, value] : projected) FUZZ_CHECK(item.count(name) == 1);
  bool has_index = false;
  for (const cairn::expr::Path& path : paths)
    for (const cairn::expr::PathElement& e : path) has_index |= e.is_index();
  if (!has_index) FUZZ_CHECK(cairn::expr::Project(projected, paths) == projected);
}

void Run(int kind, std::string_view text, ExpressionContext& ctx, const Item& item,
         FuzzedDataProvider& p) {
  switch (kind) {
    case 0: {
      std::shared_ptr<const Condition> c =
          cairn::expr::ParseCondition(text, "ConditionExpression", ctx);
      CheckCondition(*c, item);
      break;
    }
    case 1: {
      std::shared_ptr<const cairn::expr::UpdateExpr> u = cairn::expr::ParseUpdate(text, ctx);
      (void)u->TopLevelNames();
      Item updated = item;
      std::vector<cairn::expr::Path> paths;
      cairn::expr::ApplyUpdate(*u, updated, &paths);
      CheckStorable(updated);
      CheckProjection(updated, paths);
      break;
    }
    case 2: {
      std::shared_ptr<const cairn::expr::Projection> proj = cairn::expr::ParseProjection(text, ctx);
      CheckProjection(item, proj->paths);
      break;
    }
    default: {
      const bool hash_only = p.ConsumeBool();
      cairn::expr::KeyCondition kc =
          cairn::expr::ParseKeyCondition(text, ctx, "pk", hash_only ? "" : "sk");
      const cairn::AttributeValue v = cairn::fuzz::FuzzScalar(
          p, p.PickValueInArray({cairn::AttributeType::kS, cairn::AttributeType::kN,
                                 cairn::AttributeType::kB}));
      (void)kc.MatchesRange(v);
      if (hash_only) FUZZ_CHECK(kc.op == cairn::expr::KeyCondition::Op::kNone);
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int kind = data[0] % 4;
  const char* begin = reinterpret_cast<const char*>(data + 1);
  const size_t rest = size - 1;
  const void* nul = std::memchr(begin, 0, rest);
  const size_t text_len = nul ? static_cast<const char*>(nul) - begin : rest;
  const std::string_view text(begin, text_len);
  const size_t after = text_len < rest ? text_len + 1 : rest;
  FuzzedDataProvider p(data + 1 + after, rest - after);

  static const cairn::expr::NameMap kNames = {{"#a", "a"},  {"#b", "b"},  {"#c", "c.d"},
                                              {"#d", "d"},  {"#k", "pk"}, {"#s", "sk"}};
  Item values;
  for (const char* name : {":a", ":b", ":c", ":d", ":e", ":f"})
    values.emplace(name, cairn::fuzz::FuzzValue(p));
  const Item item = cairn::fuzz::FuzzItem(p);

  ExpressionContext ctx;
  ctx.names = &kNames;
  ctx.values = &values;
  try {
    cairn::expr::ValidateExpressionAttributeMaps(&kNames, &values);
    Run(kind, text, ctx, item, p);
    ctx.CheckAllUsed();  // after the checks above: most inputs leave a placeholder unused
  } catch (const cairn::protocol::ApiException& e) {
    FUZZ_CHECK(e.error.type == "ValidationException");
  }
  return 0;
}
