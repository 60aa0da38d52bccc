// The API layer speaks DynamoDB's wire form (protocol/) in every file: its errors, the JSON writer and
// the AttributeValue JSON codec are used here by their plain names. This header is the one list of
// what api/ takes from protocol/ unqualified.
#pragma once

#include "protocol/attribute_json.h"
#include "protocol/errors.h"
#include "protocol/json_writer.h"
#include "protocol/stored_item_json.h"

namespace cairn::api {

using protocol::ApiError;
using protocol::ApiException;
using protocol::ErrorNamespace;
using protocol::ItemFromJson;
using protocol::JsonWriter;
using protocol::kMaxNestingLevels;
using protocol::Throw;
using protocol::ThrowValidation;
using protocol::ValueFromJson;
using protocol::WriteItemJson;
using protocol::WriteStoredItem;
using protocol::WriteValueJson;

}  // namespace cairn::api
