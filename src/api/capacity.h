// ConsumedCapacity: DynamoDB's arithmetic for capacity units, and the ReturnConsumedCapacity shape.
// Reads: 4 KB units, rounded up per item, halved for eventually consistent reads. Writes: 1 KB
// units, rounded up per item, at least 1; a write is charged the larger of the old and new item.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/protocol_names.h"
#include "api/params.h"
#include "storage/catalog.h"
#include "types/attribute_value.h"

namespace cairn::api {

// kMetered: not asked for, but computed for --throttle (a Meter is installed): reported nowhere.
enum class CapacityMode { kNone, kTotal, kIndexes, kMetered };

// --throttle (throttle/throttler.h): the capacity one request consumed, by table name, exactly as
// the operation computes it for ConsumedCapacity. The dispatcher installs one on its thread
// around an operation (ScopedMeter); CapacityModeOf then answers kMetered for a request that did
// not ask for ConsumedCapacity, and WriteConsumedCapacity(ies) / WriteCapacityObject record the
// units here.
struct Meter {
  std::map<std::string, struct Capacity, std::less<>> by_table;
};
class ScopedMeter {
 public:
  explicit ScopedMeter(Meter* meter);
  ~ScopedMeter();
  ScopedMeter(const ScopedMeter&) = delete;
  ScopedMeter& operator=(const ScopedMeter&) = delete;

 private:
  Meter* previous_;
};
// Records units into this thread's Meter, if one is installed.
void RecordConsumedCapacity(std::string_view table_name, const struct Capacity& units);

// ReturnConsumedCapacity: NONE | TOTAL | INDEXES (the enum was checked against the model);
// kMetered for NONE (or absent) while a Meter is installed.
CapacityMode CapacityModeOf(const Params& p);

double ReadUnits(size_t item_bytes, bool consistent);
double WriteUnits(size_t item_bytes);

// Units split as ReturnConsumedCapacity=INDEXES reports them: the table and each index.
struct Capacity {
  double table = 0;
  std::map<std::string, double> global, local;  // by index name

  Capacity() = default;
  Capacity(double table_units) : table(table_units) {}  // NOLINT: a table-only charge
  double total() const;
  Capacity& operator+=(const Capacity& o);
  Capacity operator*(double f) const;
};

// What a write of one item costs: the table's units (the larger of the old and new item) plus,
// for every index the change touches, one write of its projected entry per entry put or deleted.
Capacity WriteCapacity(const storage::TableInfo& table, const Item* old_item,
                       const Item* new_item);

// Writes one ConsumedCapacity object ({"TableName", "CapacityUnits"[, "Table"]}).
// REQUIRES: mode != kNone.
void WriteCapacityObject(JsonWriter& w, CapacityMode mode, std::string_view table_name,
                         const Capacity& units);

// Writes "ConsumedCapacity": {...} into the open response object, unless mode is kNone.
void WriteConsumedCapacity(JsonWriter& w, CapacityMode mode, std::string_view table_name,
                           const Capacity& units);

// Writes "ConsumedCapacity": [{...} per table] (the multi-table operations), unless mode is kNone.
void WriteConsumedCapacities(JsonWriter& w, CapacityMode mode,
                             const std::map<std::string, Capacity>& units_by_table);

}  // namespace cairn::api
