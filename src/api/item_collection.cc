#include "api/item_collection.h"

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "api/protocol_names.h"
#include "index/index_entries.h"
#include "storage/key_encoding.h"

namespace cairn::api {
namespace {

// Bytes of every entry under `prefix` in `column`.
size_t RangeBytes(ServerContext& server, storage::Column column, const std::string& prefix) {
  storage::ReadOptions ro;
  ro.lower_bound = prefix;
  ro.upper_bound = storage::PrefixSuccessor(prefix);
  auto it = server.engine->NewIterator(column, ro);
  size_t bytes = 0;
  for (it->Seek(prefix); it->Valid(); it->Next()) bytes += it->key().size() + it->value().size();
  return bytes;
}

}  // namespace

bool WantsItemCollectionMetrics(const Params& p, const storage::TableInfo& table) {
  auto m = p.String("ReturnItemCollectionMetrics");
  if (!m || *m != "SIZE") return false;
  for (const auto& x : table.indexes)
    if (!x.global) return true;
  return false;
}

void WriteItemCollectionMetrics(JsonWriter& w, ServerContext& server,
                                const storage::TableInfo& t, const Item& item) {
  auto pk = item.find(t.hash.name);
  if (pk == item.end()) return;
  size_t bytes = RangeBytes(server, storage::Column::kData,
                            storage::PartitionPrefix(t.id, pk->second));
  for (const auto& x : t.indexes)
    if (!x.global) bytes += RangeBytes(server, storage::Column::kIndex,
                                       index::PartitionPrefix(x, {&pk->second}));
  double gb = std::floor(double(bytes) / (1024.0 * 1024 * 1024));
  w.BeginObject();
  w.Key("ItemCollectionKey");
  w.BeginObject();
  w.Key(t.hash.name);
  WriteValueJson(w, pk->second);
  w.EndObject();
  w.Key("SizeEstimateRangeGB");
  w.BeginArray();
  w.Double(gb);
  w.Double(gb + 1);
  w.EndArray();
  w.EndObject();
}

void WriteItemCollectionMetricsByTable(
    JsonWriter& w, ServerContext& server, const Params& p,
    const std::vector<std::pair<const storage::TableInfo*, const Item*>>& written) {
  std::map<std::string, std::vector<std::pair<const storage::TableInfo*, const Item*>>> by_table;
  std::set<std::string> partitions;  // one entry per collection
  for (const auto& [t, item] : written) {
    if (!WantsItemCollectionMetrics(p, *t)) continue;
    auto pk = item->find(t->hash.name);
    if (pk != item->end() && partitions.insert(storage::PartitionPrefix(t->id, pk->second)).second)
      by_table[t->name].emplace_back(t, item);
  }
  if (by_table.empty()) return;
  w.Key("ItemCollectionMetrics");
  w.BeginObject();
  for (const auto& [name, list] : by_table) {
    w.Key(name);
    w.BeginArray();
    for (const auto& [t, item] : list) WriteItemCollectionMetrics(w, server, *t, *item);
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace cairn::api
