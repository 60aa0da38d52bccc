#include "index/index_entries.h"

#include "storage/key_encoding.h"
#include "types/binary_codec.h"
#include "util/big_endian.h"

namespace cairn::index {
namespace {

using storage::IndexInfo;
using storage::TableInfo;

const AttributeValue* Typed(const Item& item, const storage::KeyElement& k) {
  auto it = item.find(k.name);
  if (it == item.end() || it->second.type != k.type) return nullptr;
  return &it->second;
}

// An empty S or B value: no key may be one.
bool Empty(const AttributeValue& v) {
  return (v.type == AttributeType::kS || v.type == AttributeType::kB) && v.s.empty();
}

}  // namespace

bool IsIndexed(const IndexInfo& x, const Item& item) {
  for (const auto& k : x.hash) {
    const AttributeValue* v = Typed(item, k);
    if (!v || Empty(*v) || storage::KeyValueBytes(*v) > storage::kMaxPartitionKeyBytes)
      return false;
  }
  size_t range_bytes = 0;
  for (const auto& k : x.range) {
    const AttributeValue* v = Typed(item, k);
    if (!v || Empty(*v)) return false;
    range_bytes += storage::KeyValueBytes(*v);
  }
  return range_bytes <= storage::kMaxSortKeyBytes;
}

std::string PartitionPrefix(const IndexInfo& x,
                            const std::vector<const AttributeValue*>& hash_values) {
  std::string bytes;
  if (hash_values.size() == 1) {
    bytes = hash_values[0]->s;
  } else {
    for (const AttributeValue* v : hash_values) {
      AppendBigEndian16(&bytes, static_cast<uint16_t>(v->s.size()));
      bytes.append(v->s);
    }
  }
  std::string out;
  out.reserve(14 + bytes.size());
  AppendBigEndian32(&out, x.id);
  AppendBigEndian64(&out, storage::PartitionHash(bytes));
  AppendBigEndian16(&out, static_cast<uint16_t>(bytes.size()));
  out.append(bytes);
  return out;
}

void AppendEntryKey(std::string* out, const IndexInfo& x, const TableInfo& t, const Item& item) {
  std::vector<const AttributeValue*> hash;
  hash.reserve(x.hash.size());
  for (const auto& k : x.hash) hash.push_back(Typed(item, k));
  out->append(PartitionPrefix(x, hash));
  for (const auto& k : x.range) storage::AppendSortKey(out, *Typed(item, k));
  storage::AppendSortKey(out, item.find(t.hash.name)->second);
  if (t.range) storage::AppendSortKey(out, item.find(t.range->name)->second);
}

bool Projects(const IndexInfo& x, const TableInfo& t, std::string_view attr) {
  if (x.projection == IndexInfo::Projection::kAll) return true;
  if (t.IsKeyAttribute(attr) || x.IsKeyAttribute(attr)) return true;
  if (x.projection == IndexInfo::Projection::kInclude)
    for (const auto& a : x.non_key_attributes)
      if (a == attr) return true;
  return false;
}

Item Project(const IndexInfo& x, const TableInfo& t, const Item& item) {
  if (x.projection == IndexInfo::Projection::kAll) return item;
  Item out;
  for (const auto& [name, value] : item)
    if (Projects(x, t, name)) out.emplace(name, value);
  return out;
}

void AddIndexUpdate(const IndexInfo& x, const TableInfo& t, const Item* old_item,
                    const Item* new_item, storage::WriteBatch* batch) {
  std::string old_key, new_key;
  if (old_item && IsIndexed(x, *old_item)) AppendEntryKey(&old_key, x, t, *old_item);
  Item projected;
  if (new_item && IsIndexed(x, *new_item)) {
    AppendEntryKey(&new_key, x, t, *new_item);
    projected = Project(x, t, *new_item);
    if (old_key == new_key && Project(x, t, *old_item) == projected) return;  // unchanged
  }
  if (!old_key.empty() && old_key != new_key) batch->Delete(storage::Column::kIndex, old_key);
  if (!new_key.empty()) {
    std::string value;
    EncodeItem(projected, &value);
    batch->Put(storage::Column::kIndex, new_key, value);
  }
}

void AddIndexUpdates(const TableInfo& t, const Item* old_item, const Item* new_item,
                     storage::WriteBatch* batch) {
  for (const IndexInfo& x : t.indexes) AddIndexUpdate(x, t, old_item, new_item, batch);
}

}  // namespace cairn::index
