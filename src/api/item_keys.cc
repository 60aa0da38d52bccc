#include "api/item_keys.h"

#include "api/protocol_names.h"
#include "storage/key_encoding.h"

namespace cairn::api {
namespace {

void CheckNotEmpty(const AttributeValue& v, const std::string& name) {
  if (v.type == AttributeType::kS && v.s.empty())
    ThrowValidation(
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty string value. Key: " + name);
  if (v.type == AttributeType::kB && v.s.empty())
    ThrowValidation(
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty binary value. Key: " + name);
}

// DynamoDB's key size limits, in bytes of the S (UTF-8) or B (raw) value; N values are never too
// long. The texts (with DynamoDB's missing space in "of2048") are those of dynalite, the emulator
// in bench/node_modules/dynalite/db/index.js (checkKeySize), which copies DynamoDB's; not checked
// against DynamoDB itself. DynamoDB's texts for a secondary index's key attribute are not known
// here (dynalite does not check those sizes): the table's texts are used for them too.
// The limits are storage/key_encoding.h's.
size_t KeyBytes(const AttributeValue& v) { return storage::KeyValueBytes(v); }

void CheckHashKeySize(size_t bytes) {
  if (bytes > storage::kMaxPartitionKeyBytes)
    ThrowValidation(
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum "
        "size limit of2048 bytes");
}

void CheckRangeKeySize(size_t bytes) {
  if (bytes > storage::kMaxSortKeyBytes)
    ThrowValidation(
        "One or more parameter values were invalid: Aggregated size of all range keys has "
        "exceeded the size limit of 1024 bytes");
}

// One key attribute of an item, as dynalite's validateItem orders the checks: present, typed,
// not empty, not too long.
void CheckItemKeyElement(const storage::KeyElement& k, const Item& item, bool is_hash) {
  auto it = item.find(k.name);
  if (it == item.end())
    ThrowValidation("One or more parameter values were invalid: Missing the key " + k.name +
                    " in the item");
  if (it->second.type != k.type)
    ThrowValidation("One or more parameter values were invalid: Type mismatch for key " + k.name +
                    " expected: " + std::string(TypeName(k.type)) +
                    " actual: " + std::string(TypeName(it->second.type)));
  CheckNotEmpty(it->second, k.name);
  if (is_hash) {
    CheckHashKeySize(KeyBytes(it->second));
  } else {
    CheckRangeKeySize(KeyBytes(it->second));
  }
}

}  // namespace

void CheckItemKey(const storage::TableInfo& t, const Item& item) {
  CheckItemKeyElement(t.hash, item, true);
  if (t.range) CheckItemKeyElement(*t.range, item, false);
}

void CheckAttributeNames(const Item& item) {
  for (const auto& [name, value] : item) {
    if (name.empty())
      ThrowValidation(
          "One or more parameter values were invalid: An attribute name cannot be empty");
  }
}

void CheckIndexKeys(const storage::TableInfo& t, const Item& item) {
  for (const auto& x : t.indexes) {
    for (const auto* keys : {&x.hash, &x.range}) {
      for (const auto& k : *keys) {
        auto it = item.find(k.name);
        if (it == item.end() || t.IsKeyAttribute(k.name)) continue;
        if (it->second.type != k.type)
          ThrowValidation("One or more parameter values were invalid: Type mismatch for Index Key " +
                          k.name + " Expected: " + std::string(TypeName(k.type)) +
                          " Actual: " + std::string(TypeName(it->second.type)) +
                          " IndexName: " + x.name);
        if ((k.type == AttributeType::kS || k.type == AttributeType::kB) && it->second.s.empty())
          ThrowValidation(
              "One or more parameter values are not valid. A value specified for a secondary "
              "index key is not supported. The AttributeValue for a key attribute cannot contain "
              "an empty " + std::string(k.type == AttributeType::kS ? "string" : "binary") +
              " value. IndexName: " + x.name + ", IndexKey: " + k.name);
      }
    }
    size_t range_bytes = 0;
    for (const auto& k : x.hash) {
      auto it = item.find(k.name);
      if (it != item.end()) CheckHashKeySize(KeyBytes(it->second));
    }
    for (const auto& k : x.range) {
      auto it = item.find(k.name);
      if (it != item.end()) range_bytes += KeyBytes(it->second);
    }
    CheckRangeKeySize(range_bytes);
  }
}

void CheckKey(const storage::TableInfo& t, const Item& key) {
  size_t expected = t.range ? 2 : 1;
  auto h = key.find(t.hash.name);
  if (key.size() != expected || h == key.end() || h->second.type != t.hash.type)
    ThrowValidation("The provided key element does not match the schema");
  if (t.range) {
    auto r = key.find(t.range->name);
    if (r == key.end() || r->second.type != t.range->type)
      ThrowValidation("The provided key element does not match the schema");
    CheckNotEmpty(h->second, t.hash.name);
    CheckHashKeySize(KeyBytes(h->second));
    CheckNotEmpty(r->second, t.range->name);
    CheckRangeKeySize(KeyBytes(r->second));
  } else {
    CheckNotEmpty(h->second, t.hash.name);
    CheckHashKeySize(KeyBytes(h->second));
  }
}

void AppendItemKey(std::string* out, const storage::TableInfo& t, const Item& item) {
  const AttributeValue& pk = item.find(t.hash.name)->second;
  const AttributeValue* sk = t.range ? &item.find(t.range->name)->second : nullptr;
  storage::AppendItemKey(out, t.id, pk, sk);
}

void CheckItemToPut(const storage::TableInfo& table, const Item& item) {
  CheckItemKey(table, item);
  CheckAttributeNames(item);
  CheckIndexKeys(table, item);
  if (ItemSize(item) > kMaxItemBytes)
    ThrowValidation("Item size has exceeded the maximum allowed size");
}

std::string EncodeItemKey(const storage::TableInfo& t, const Item& item) {
  std::string out;
  AppendItemKey(&out, t, item);
  return out;
}

Item KeyOf(const storage::TableInfo& t, const Item& item) {
  Item key;
  auto h = item.find(t.hash.name);
  if (h != item.end()) key.emplace(h->first, h->second);
  if (t.range) {
    auto r = item.find(t.range->name);
    if (r != item.end()) key.emplace(r->first, r->second);
  }
  return key;
}

void CheckUpdateLeavesKey(const storage::TableInfo& table, const expr::UpdateExpr& update) {
  for (const expr::UpdateAction& action : update.actions) {
    const std::string& name = action.path.front().name;
    if (table.IsKeyAttribute(name))
      ThrowValidation("One or more parameter values were invalid: Cannot update attribute " +
                      name + ". This attribute is part of the key");
  }
}

}  // namespace cairn::api
