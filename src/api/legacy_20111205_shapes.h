// The shapes of the 2011-12-05 API version (boto 2's Layer1) and their 2012-08-10 counterparts.
// That version names an item's key by position instead of by attribute name
// (Key {"HashKeyElement": v, "RangeKeyElement": v}), describes a table's KeySchema as one object
// ({"HashKeyElement": {"AttributeName", "AttributeType"}, "RangeKeyElement": {...}}) and reports
// ConsumedCapacityUnits as a bare number. These functions convert between the two, so that the
// operations of legacy_20111205.cc can run the current ones (api/operations.h) on the same tables.
//
// Errors: the converters throw ApiException (ValidationException with DynamoDB's coral messages)
// for a malformed 2011 shape; the caller gives the error the 2011 namespace (To20111205Error).
// Stateless functions, apart from CallCurrent's per-thread parsers: safe from any thread.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "api/context.h"
#include "api/dispatch.h"
#include "storage/catalog.h"

namespace cairn::api {

// An error of the current operations as a 2011-12-05 operation reports it: DynamoDB's own error
// types move to the com.amazonaws.dynamodb.v20111205 namespace; coral's (ValidationException,
// SerializationException, ...) keep theirs.
ApiError To20111205Error(ApiError e);

// Appends an element as JSON text, verbatim.
void CopyJson(JsonWriter& w, simdjson::dom::element e);

// Writes a number the way the 2011-12-05 API prints capacity units and timestamps: always with a
// fraction (1.0, 0.5, 1327092563.818), so clients decode a float.
void WriteDecimal(JsonWriter& w, double v);

// Writes the 2012 Key ({"<hash name>": v[, "<range name>": v]}) of a 2011 Key object.
// `field` is the key's coral path ("key", "exclusiveStartKey", ...). Throws ValidationException:
// "Value null at '<field>.hashKeyElement' ..." when HashKeyElement is missing, and "The provided
// key element does not match the schema" for a RangeKeyElement on a hash-only table. A missing
// RangeKeyElement is left for the current operation's key check, which reports the same mismatch.
void WriteCurrentKey(JsonWriter& w, const storage::TableInfo& table, simdjson::dom::element key,
                     std::string_view field);

// Writes the 2011 Key of a 2012 key object (LastEvaluatedKey, UnprocessedKeys).
void Write20111205Key(JsonWriter& w, const storage::TableInfo& table, simdjson::dom::object key);

// Writes the 2011 TableDescription of a 2012 TableDescription: CreationDateTime, KeySchema as an
// object, ProvisionedThroughput (with Last{Increase,Decrease}DateTime when the table has them),
// TableName, TableStatus, and with `stats` ItemCount and TableSizeBytes (DescribeTable and
// UpdateTable report them, CreateTable and DeleteTable do not).
void Write20111205TableDescription(JsonWriter& w, simdjson::dom::object description, bool stats);

// The caller's table of that name (2011 names are never ARNs), or ResourceNotFoundException
// ("Requested resource not found") by value.
ApiResult<std::shared_ptr<const storage::TableInfo>> Table20111205(OpContext& ctx,
                                                                  std::string_view name);

// Runs a current operation on `request` (2012-08-10 JSON) and, when it succeeds, hands its
// response object to `respond`, which writes the 2011 response into ctx.out. Errors of the
// operation are returned (or thrown) unchanged.
// The translated request is first checked against the 2012-08-10 model (api/dispatch.h,
// CheckAgainstModel), as the current operation's own requests are.
template <typename Respond>
OpResult CallCurrent(OpContext& ctx, std::string_view operation, OpFn op,
                     const std::string& request, Respond&& respond);

// --- implementation

// The parsers CallCurrent uses, one pair per thread. The request's document must outlive the
// operation; the response's lives until the next call on the thread.
simdjson::dom::parser& TranslatedRequestParser();
simdjson::dom::parser& CurrentResponseParser();

template <typename Respond>
OpResult CallCurrent(OpContext& ctx, std::string_view operation, OpFn op,
                     const std::string& request, Respond&& respond) {
  simdjson::dom::element doc;
  // parse(const std::string&) copies into a padded buffer when the string lacks the padding.
  if (TranslatedRequestParser().parse(request).get(doc) != simdjson::SUCCESS || !doc.is_object())
    return ApiError::InternalServerError();
  if (OpResult error = CheckAgainstModel(operation, doc)) return error;
  std::string body;
  JsonWriter writer(&body);
  OpContext inner{ctx.server, ctx.caller, writer};
  if (OpResult r = op(inner, Params(doc.get_object().value()))) return r;
  simdjson::dom::element response;
  if (CurrentResponseParser().parse(body).get(response) != simdjson::SUCCESS ||
      !response.is_object())
    return ApiError::InternalServerError();
  respond(response.get_object().value());
  return std::nullopt;
}

}  // namespace cairn::api
