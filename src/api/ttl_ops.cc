// This file implements Time to Live's control operations: UpdateTimeToLive and DescribeTimeToLive.
// Enabling takes effect at once (DescribeTimeToLive reports ENABLED); ttl/expirer.h deletes the
// expired items in the background.
#include "api/operations.h"
#include "api/table_description.h"

namespace cairn::api {

OpResult UpdateTimeToLive(OpContext& ctx, const Params& p) {
  // The model's constraints (TableName, the specification and both its members present, the
  // attribute name's length) were checked by the dispatcher (protocol/constraint_check.h).
  auto name = p.String("TableName");
  auto spec = *p.Object("TimeToLiveSpecification");
  const bool on = AsBool(*Member(spec, "Enabled"));
  const std::string attr(AsString(*Member(spec, "AttributeName")));
  auto t = FindTableInAnyState(ctx, *name);
  if (!t) return TableNotFound(*name);
  // Checked and applied against the descriptor current under the catalog's lock, so a concurrent
  // UpdateTable or TagResource is neither lost nor able to undo this change.
  Status s = ctx.server.catalog->Modify(t->ns, t->name, t->id, [&](storage::TableInfo& info) {
    if (on && info.ttl_enabled) return Status::InvalidArgument("TimeToLive is already enabled");
    if (!on && !info.ttl_enabled) return Status::InvalidArgument("TimeToLive is already disabled");
    if (!on && info.ttl_attribute != attr)
      return Status::InvalidArgument(
          "TimeToLive is active on a different AttributeName: current AttributeName is " +
          info.ttl_attribute);
    info.ttl_enabled = on;
    info.ttl_attribute = on ? attr : std::string();
    return Status::OK();
  });
  if (s.IsNotFound()) return TableNotFound(*name);  // deleted meanwhile
  if (!s.ok()) return ApiError::FromStatus(s);
  ctx.out.BeginObject();
  ctx.out.Key("TimeToLiveSpecification");
  ctx.out.BeginObject();
  ctx.out.Key("Enabled");
  ctx.out.Bool(on);
  ctx.out.KV("AttributeName", attr);
  ctx.out.EndObject();
  ctx.out.EndObject();
  return std::nullopt;
}

OpResult DescribeTimeToLive(OpContext& ctx, const Params& p) {
  CAIRN_API_ASSIGN_OR_RETURN(auto t, NamedTable(ctx, p));
  ctx.out.BeginObject();
  ctx.out.Key("TimeToLiveDescription");
  ctx.out.BeginObject();
  ctx.out.KV("TimeToLiveStatus", t->ttl_enabled ? "ENABLED" : "DISABLED");
  if (t->ttl_enabled) ctx.out.KV("AttributeName", t->ttl_attribute);
  ctx.out.EndObject();
  ctx.out.EndObject();
  return std::nullopt;
}

}  // namespace cairn::api
