// This file implements the account-level and tagging operations: TagResource, UntagResource,
// ListTagsOfResource (tables are addressed by ARN; Terraform tags every table it creates),
// DescribeLimits and DescribeEndpoints (answered with DynamoDB's default figures).
// The rules for tags (characters, the 50-tag limit, which ARNs name a table) are tags.h's; the
// model's constraints (lengths, required members) were checked before these run.
// A tag change is validated and applied against the table's current descriptor inside
// Catalog::Modify (the 50-tag limit counts the tags as they are at that moment).
#include <algorithm>

#include "api/operations.h"
#include "api/table_description.h"
#include "api/tags.h"

namespace cairn::api {
namespace {

// The ResourceArn parameter, if it names a table; else the ValidationException DynamoDB gives (an
// index's ARN included). The table is looked up by TableNamed().
std::string_view TableArnParameter(const Params& p) {
  std::string_view arn = p.String("ResourceArn").value_or("");
  if (!IsTableArn(arn))
    ThrowValidation("Invalid TableArn: Invalid ResourceArn provided as input " + std::string(arn));
  return arn;
}

ApiError ArnNotFound(std::string_view arn) {
  return ApiError::ResourceNotFound("Requested resource not found: ResourcArn: " +
                                    std::string(arn) + " not found");
}

// The table an ARN names, or DynamoDB's ResourceNotFoundException.
ApiResult<std::shared_ptr<const storage::TableInfo>> TableNamed(OpContext& ctx,
                                                                std::string_view arn) {
  auto t = ctx.server.catalog->Find(ctx.caller.ns, TableNameFromParameter(arn));
  if (!t) return ArnNotFound(arn);
  return t;
}

// Applies `change` to the current descriptor of `t` (Catalog::Modify): a tag edit never writes back
// a stale copy, so it cannot undo a concurrent UpdateTable or a finishing index backfill.
// `refused` is where `change` leaves an ApiError it returns Status::InvalidArgument for.
OpResult ChangeTags(OpContext& ctx, std::string_view arn, const storage::TableInfo& t,
                    const storage::Catalog::Change& change, std::optional<ApiError>& refused) {
  Status s = ctx.server.catalog->Modify(t.ns, t.name, t.id, change);
  if (refused) return *refused;
  if (s.IsNotFound()) return ArnNotFound(arn);  // deleted since TableNamed found it
  if (!s.ok()) return ApiError::FromStatus(s);
  ctx.out.BeginObject();
  ctx.out.EndObject();
  return std::nullopt;
}

}  // namespace

OpResult TagResource(OpContext& ctx, const Params& p) {
  std::string_view arn = TableArnParameter(p);
  auto tags = p.Array("Tags");
  // dynalite's text (DynamoDB's, misspelling included); the model sets no minimum for the list.
  if (!tags || tags->size() == 0) ThrowValidation("Atleast one Tag needs to be provided as Input.");
  TagList add = DecodeTags(*tags);
  CAIRN_API_ASSIGN_OR_RETURN(auto t, TableNamed(ctx, arn));
  std::optional<ApiError> refused;
  return ChangeTags(ctx, arn, *t, [&add, &refused](storage::TableInfo& current) {
    refused = AddTags(current.tags, add);
    return refused ? Status::InvalidArgument(refused->message) : Status::OK();
  }, refused);
}

OpResult UntagResource(OpContext& ctx, const Params& p) {
  std::string_view arn = TableArnParameter(p);
  auto keys = p.Array("TagKeys");
  if (!keys || keys->size() == 0)
    ThrowValidation("Atleast one Tag Key needs to be provided as Input.");
  std::vector<std::string> remove;
  for (auto e : *keys) remove.emplace_back(AsString(e));
  CAIRN_API_ASSIGN_OR_RETURN(auto t, TableNamed(ctx, arn));
  std::optional<ApiError> refused;
  return ChangeTags(ctx, arn, *t, [&remove](storage::TableInfo& current) {
    for (const auto& k : remove)
      std::erase_if(current.tags, [&k](const auto& kv) { return kv.first == k; });
    return Status::OK();
  }, refused);
}

// The tags in key order, kTagsPerPage at a time; NextToken (opaque: the last key returned) when
// more remain. Tags added or removed between pages are seen or not by their key's position.
OpResult ListTagsOfResource(OpContext& ctx, const Params& p) {
  std::string_view arn = TableArnParameter(p);
  std::optional<std::string> after;
  if (auto token = p.String("NextToken")) after = ParseTagsNextToken(*token);
  CAIRN_API_ASSIGN_OR_RETURN(auto t, TableNamed(ctx, arn));
  TagList tags = t->tags;
  std::sort(tags.begin(), tags.end());
  auto begin = tags.begin();
  if (after)
    begin = std::upper_bound(tags.begin(), tags.end(), *after,
                             [](const std::string& k, const auto& tag) { return k < tag.first; });
  auto end = begin + std::min<ptrdiff_t>(tags.end() - begin, ptrdiff_t(kTagsPerPage));
  ctx.out.BeginObject();
  ctx.out.Key("Tags");
  ctx.out.BeginArray();
  for (auto it = begin; it != end; ++it) {
    ctx.out.BeginObject();
    ctx.out.KV("Key", it->first);
    ctx.out.KV("Value", it->second);
    ctx.out.EndObject();
  }
  ctx.out.EndArray();
  if (end != tags.end()) ctx.out.KV("NextToken", TagsNextToken((end - 1)->first));
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
