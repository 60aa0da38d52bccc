#include "api/capacity.h"

#include <algorithm>

#include "index/index_entries.h"

namespace cairn::api {

namespace {
thread_local Meter* t_meter = nullptr;
}  // namespace

ScopedMeter::ScopedMeter(Meter* meter) : previous_(t_meter) { t_meter = meter; }
ScopedMeter::~ScopedMeter() { t_meter = previous_; }

void RecordConsumedCapacity(std::string_view table_name, const Capacity& units) {
  if (t_meter == nullptr) return;
  auto it = t_meter->by_table.find(table_name);
  if (it == t_meter->by_table.end()) it = t_meter->by_table.emplace(table_name, Capacity()).first;
  it->second += units;
}

CapacityMode CapacityModeOf(const Params& p) {
  const CapacityMode none = t_meter != nullptr ? CapacityMode::kMetered : CapacityMode::kNone;
  auto m = p.String("ReturnConsumedCapacity");
  if (!m) return none;
  if (*m == "TOTAL") return CapacityMode::kTotal;
  if (*m == "INDEXES") return CapacityMode::kIndexes;
  return none;
}

double ReadUnits(size_t bytes, bool consistent) {
  size_t units = bytes == 0 ? 1 : (bytes + 4095) / 4096;
  return consistent ? double(units) : double(units) / 2.0;
}

double WriteUnits(size_t bytes) {
  size_t units = bytes == 0 ? 1 : (bytes + 1023) / 1024;
  return double(units);
}

double Capacity::total() const {
  double t = table;
  for (const auto& [n, u] : global) t += u;
  for (const auto& [n, u] : local) t += u;
  return t;
}

Capacity& Capacity::operator+=(const Capacity& o) {
  table += o.table;
  for (const auto& [n, u] : o.global) global[n] += u;
  for (const auto& [n, u] : o.local) local[n] += u;
  return *this;
}

Capacity Capacity::operator*(double f) const {
  Capacity c = *this;
  c.table *= f;
  for (auto& [n, u] : c.global) u *= f;
  for (auto& [n, u] : c.local) u *= f;
  return c;
}

Capacity WriteCapacity(const storage::TableInfo& t, const Item* old_item, const Item* new_item) {
  Capacity c;
  size_t old_size = old_item ? ItemSize(*old_item) : 0;
  size_t new_size = new_item ? ItemSize(*new_item) : 0;
  c.table = WriteUnits(std::max(old_size, new_size));
  for (const auto& x : t.indexes) {
    bool had = old_item && index::IsIndexed(x, *old_item);
    bool has = new_item && index::IsIndexed(x, *new_item);
    if (!had && !has) continue;
    double units = 0;
    std::string old_key, new_key;
    if (had) index::AppendEntryKey(&old_key, x, t, *old_item);
    if (has) index::AppendEntryKey(&new_key, x, t, *new_item);
    if (had && has && old_key == new_key) {
      units = WriteUnits(std::max(ItemSize(index::Project(x, t, *old_item)),
                                  ItemSize(index::Project(x, t, *new_item))));
    } else {
      if (had) units += WriteUnits(ItemSize(index::Project(x, t, *old_item)));
      if (has) units += WriteUnits(ItemSize(index::Project(x, t, *new_item)));
    }
    (x.global ? c.global : c.local)[x.name] += units;
  }
  return c;
}

void WriteCapacityObject(JsonWriter& w, CapacityMode mode, std::string_view table_name,
                         const Capacity& units) {
  RecordConsumedCapacity(table_name, units);
  if (mode == CapacityMode::kMetered) return;
  w.BeginObject();
  w.KV("TableName", table_name);
  w.Key("CapacityUnits");
  w.Double(units.total());
  if (mode == CapacityMode::kIndexes) {
    w.Key("Table");
    w.BeginObject();
    w.Key("CapacityUnits");
    w.Double(units.table);
    w.EndObject();
    for (const auto* group : {&units.local, &units.global}) {
      if (group->empty()) continue;
      w.Key(group == &units.local ? "LocalSecondaryIndexes" : "GlobalSecondaryIndexes");
      w.BeginObject();
      for (const auto& [name, u] : *group) {
        w.Key(name);
        w.BeginObject();
        w.Key("CapacityUnits");
        w.Double(u);
        w.EndObject();
      }
      w.EndObject();
    }
  }
  w.EndObject();
}

void WriteConsumedCapacity(JsonWriter& w, CapacityMode mode, std::string_view table_name,
                           const Capacity& units) {
  if (mode == CapacityMode::kNone) return;
  if (mode == CapacityMode::kMetered) return RecordConsumedCapacity(table_name, units);
  w.Key("ConsumedCapacity");
  WriteCapacityObject(w, mode, table_name, units);
}

void WriteConsumedCapacities(JsonWriter& w, CapacityMode mode,
                             const std::map<std::string, Capacity>& units_by_table) {
  if (mode == CapacityMode::kNone) return;
  if (mode == CapacityMode::kMetered) {
    for (const auto& [name, units] : units_by_table) RecordConsumedCapacity(name, units);
    return;
  }
  w.Key("ConsumedCapacity");
  w.BeginArray();
  for (const auto& [name, units] : units_by_table) WriteCapacityObject(w, mode, name, units);
  w.EndArray();
}

}  // namespace cairn::api
