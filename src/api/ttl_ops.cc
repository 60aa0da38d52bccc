// This file implements Time to Live's control operations: UpdateTimeToLive and DescribeTimeToLive.
// Enabling takes effect at once (DescribeTimeToLive reports ENABLED); ttl/expirer.h deletes the
// expired items in the background.
#include "api/operations.h"
#include "api/table_description.h"

namespace cairn::api {

OpResult UpdateTimeToLive(OpContext& ctx, const Params& p) {
  Violations v;
  auto name = p.String("TableName");
  CheckTableName(v, name, "tableName", true);
  auto spec = p.Object("TimeToLiveSpecification");
  std::optional<bool> enabled;
  std::optional<std::string_view> attribute;
  if (!spec) {
    v.Null("timeToLiveSpecification");
  } else {
    if (auto e = Member(*spec, "Enabled")) enabled = AsBool(*e);
    else v.Null("timeToLiveSpecification.enabled");
    if (auto a = Member(*spec, "AttributeName")) attribute = AsString(*a);
    else v.Null("timeToLiveSpecification.attributeName");
    if (attribute && (attribute->empty() || attribute->size() > 255))
      v.Add("Value '" + std::string(*attribute) +
            "' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member "
            "must have length " +
            (attribute->empty() ? "greater than or equal to 1" : "less than or equal to 255"));
  }
  v.ThrowIfAny();
  auto t = FindTable(ctx, *name);
  if (!t)
    return TableNotFound(*name);
  std::string attr(*attribute);
  bool on = *enabled;
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
