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

void CheckItemKeyElement(const storage::KeyElement& k, const Item& item) {
  auto it = item.find(k.name);
  if (it == item.end())
    ThrowValidation("One or more parameter values were invalid: Missing the key " + k.name +
                    " in the item");
  if (it->second.type != k.type)
    ThrowValidation("One or more parameter values were invalid: Type mismatch for key " + k.name +
                    " expected: " + std::string(TypeName(k.type)) +
                    " actual: " + std::string(TypeName(it->second.type)));
  CheckNotEmpty(it->second, k.name);
}

}  // namespace

void CheckItemKey(const storage::TableInfo& t, const Item& item) {
  CheckItemKeyElement(t.hash, item);
  if (t.range) CheckItemKeyElement(*t.range, item);
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
    CheckNotEmpty(r->second, t.range->name);
  } else {
    CheckNotEmpty(h->second, t.hash.name);
  }
}

void AppendItemKey(std::string* out, const storage::TableInfo& t, const Item& item) {
  const AttributeValue& pk = item.find(t.hash.name)->second;
  const AttributeValue* sk = t.range ? &item.find(t.range->name)->second : nullptr;
  storage::AppendItemKey(out, t.id, pk, sk);
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

}  // namespace cairn::api
