// This file implements the account-level and tagging operations: TagResource, UntagResource,
// ListTagsOfResource (tables are addressed by ARN; Terraform tags every table it creates),
// DescribeLimits and DescribeEndpoints (answered with DynamoDB's default figures).
// A tag change is validated and applied against the table's current descriptor inside
// Catalog::Modify (the 50-tag limit counts the tags as they are at that moment).
#include <algorithm>

#include "api/operations.h"
#include "api/table_description.h"

namespace cairn::api {
namespace {

// The table a ResourceArn names, or the error DynamoDB gives.
ApiResult<std::shared_ptr<const storage::TableInfo>> TableForArn(OpContext& ctx,
                                                                 const Params& p) {
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
    return ApiError::ResourceNotFound("Requested resource not found: ResourcArn: " +
                                      std::string(a) + " not found");
  return t;
}

// Applies `change` to the current descriptor of `t` (Catalog::Modify): a tag edit never writes back
// a stale copy, so it cannot undo a concurrent UpdateTable or a finishing index backfill.
OpResult ChangeTags(OpContext& ctx, const Params& p, const storage::TableInfo& t,
                    const storage::Catalog::Change& change) {
  Status s = ctx.server.catalog->Modify(t.ns, t.name, t.id, change);
  if (s.IsNotFound())  // deleted since TableForArn found it
    return ApiError::ResourceNotFound("Requested resource not found: ResourcArn: " +
                                      std::string(*p.String("ResourceArn")) + " not found");
  if (!s.ok()) return ApiError::FromStatus(s);
  ctx.out.BeginObject();
  ctx.out.EndObject();
  return std::nullopt;
}

}  // namespace

OpResult TagResource(OpContext& ctx, const Params& p) {
  CAIRN_API_ASSIGN_OR_RETURN(auto t, TableForArn(ctx, p));
  auto tags = p.Array("Tags");
  if (!tags) {
    Violations v;
    v.Null("tags");
    v.ThrowIfAny();
  }
  std::vector<std::pair<std::string, std::string>> add;
  for (auto e : *tags) {
    auto o = AsObject(e);
    auto k = Member(o, "Key");
    auto val = Member(o, "Value");
    if (!k || !val) ThrowValidation("One or more parameter values were invalid: Tag key and value are required");
    std::string key(AsString(*k)), value(AsString(*val));
    if (key.empty() || key.size() > 128 || value.size() > 256)
      ThrowValidation("One or more parameter values were invalid: Tag key or value has invalid length");
    add.emplace_back(std::move(key), std::move(value));
  }
  return ChangeTags(ctx, p, *t, [&add](storage::TableInfo& current) {
    for (const auto& [key, value] : add) {
      auto old = std::find_if(current.tags.begin(), current.tags.end(),
                              [&key](const auto& kv) { return kv.first == key; });
      if (old != current.tags.end())
        old->second = value;
      else
        current.tags.emplace_back(key, value);
    }
    if (current.tags.size() > 50)
      return Status::InvalidArgument(
          "One or more parameter values were invalid: The number of tags exceeds the limit of 50");
    return Status::OK();
  });
}

OpResult UntagResource(OpContext& ctx, const Params& p) {
  CAIRN_API_ASSIGN_OR_RETURN(auto t, TableForArn(ctx, p));
  auto keys = p.Array("TagKeys");
  if (!keys) {
    Violations v;
    v.Null("tagKeys");
    v.ThrowIfAny();
  }
  std::vector<std::string> remove;
  for (auto e : *keys) remove.emplace_back(AsString(e));
  return ChangeTags(ctx, p, *t, [&remove](storage::TableInfo& current) {
    for (const auto& k : remove)
      std::erase_if(current.tags, [&k](const auto& kv) { return kv.first == k; });
    return Status::OK();
  });
}

OpResult ListTagsOfResource(OpContext& ctx, const Params& p) {
  CAIRN_API_ASSIGN_OR_RETURN(auto t, TableForArn(ctx, p));
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
