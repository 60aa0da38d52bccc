// This file implements the account-level and tagging operations: TagResource, UntagResource,
// ListTagsOfResource (tables are addressed by ARN; Terraform tags every table it creates),
// DescribeLimits and DescribeEndpoints (answered with DynamoDB's default figures).
#include "api/operations.h"
#include "api/table_description.h"

namespace cairn::api {
namespace {

// The table a ResourceArn names, or the error DynamoDB gives.
std::shared_ptr<const storage::TableInfo> TableForArn(OpContext& ctx, const Params& p) {
  Violations v;
  auto arn = p.String("ResourceArn");
  if (!arn) v.Null("resourceArn");
  else if (arn->size() > 1283)
    v.Add("Value '" + std::string(*arn) +
          "' at 'resourceArn' failed to satisfy constraint: Member must have length less than or "
          "equal to 1283");
  v.ThrowIfAny();
  std::string_view a = *arn;
  if (!a.starts_with("arn:") || a.find(":table/") == std::string_view::npos)
    ThrowValidation("Invalid TableArn: Invalid ResourceArn provided as input " + std::string(a));
  auto t = ctx.server.catalog->Find(ctx.caller.ns, TableNameFromParameter(a));
  if (!t)
    Throw(ApiError::ResourceNotFound("Requested resource not found: ResourcArn: " +
                                     std::string(a) + " not found"));
  return t;
}

}  // namespace

OpResult TagResource(OpContext& ctx, const Params& p) {
  auto t = TableForArn(ctx, p);
  auto tags = p.Array("Tags");
  if (!tags) {
    Violations v;
    v.Null("tags");
    v.ThrowIfAny();
  }
  auto updated = std::make_shared<storage::TableInfo>(*t);
  for (auto e : *tags) {
    auto o = AsObject(e);
    auto k = Member(o, "Key");
    auto val = Member(o, "Value");
    if (!k || !val) ThrowValidation("One or more parameter values were invalid: Tag key and value are required");
    std::string key(AsString(*k)), value(AsString(*val));
    if (key.empty() || key.size() > 128 || value.size() > 256)
      ThrowValidation("One or more parameter values were invalid: Tag key or value has invalid length");
    bool replaced = false;
    for (auto& [tk, tv] : updated->tags) {
      if (tk == key) {
        tv = value;
        replaced = true;
      }
    }
    if (!replaced) updated->tags.emplace_back(std::move(key), std::move(value));
  }
  if (updated->tags.size() > 50)
    ThrowValidation("One or more parameter values were invalid: The number of tags exceeds the limit of 50");
  Status s = ctx.server.catalog->Replace(updated);
  if (!s.ok()) return ApiError::FromStatus(s);
  ctx.out.BeginObject();
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult UntagResource(OpContext& ctx, const Params& p) {
  auto t = TableForArn(ctx, p);
  auto keys = p.Array("TagKeys");
  if (!keys) {
    Violations v;
    v.Null("tagKeys");
    v.ThrowIfAny();
  }
  auto updated = std::make_shared<storage::TableInfo>(*t);
  for (auto e : *keys) {
    std::string_view k = AsString(e);
    std::erase_if(updated->tags, [&](const auto& kv) { return kv.first == k; });
  }
  Status s = ctx.server.catalog->Replace(updated);
  if (!s.ok()) return ApiError::FromStatus(s);
  ctx.out.BeginObject();
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult ListTagsOfResource(OpContext& ctx, const Params& p) {
  auto t = TableForArn(ctx, p);
  ctx.out.BeginObject();
  ctx.out.Key("Tags");
  ctx.out.BeginArray();
  for (const auto& [k, v] : t->tags) {
    ctx.out.BeginObject();
    ctx.out.KV("Key", k);
    ctx.out.KV("Value", v);
    ctx.out.EndObject();
  }
  ctx.out.EndArray();
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult DescribeLimits(OpContext& ctx, const Params&) {
  ctx.out.BeginObject();
  ctx.out.Key("AccountMaxReadCapacityUnits");
  ctx.out.Int(80000);
  ctx.out.Key("AccountMaxWriteCapacityUnits");
  ctx.out.Int(80000);
  ctx.out.Key("TableMaxReadCapacityUnits");
  ctx.out.Int(40000);
  ctx.out.Key("TableMaxWriteCapacityUnits");
  ctx.out.Int(40000);
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult DescribeEndpoints(OpContext& ctx, const Params&) {
  ctx.out.BeginObject();
  ctx.out.Key("Endpoints");
  ctx.out.BeginArray();
  ctx.out.BeginObject();
  ctx.out.KV("Address", "dynamodb." + ctx.caller.region + ".amazonaws.com");
  ctx.out.Key("CachePeriodInMinutes");
  ctx.out.Int(1440);
  ctx.out.EndObject();
  ctx.out.EndArray();
  ctx.out.EndObject();
  return std::nullopt;
}

}  // namespace cairn::api
