#include "api/capacity.h"

namespace cairn::api {

CapacityMode DecodeCapacityMode(const Params& p, Violations& v) {
  auto m = p.String("ReturnConsumedCapacity");
  CheckEnum(v, m, "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
  if (!m) return CapacityMode::kNone;
  if (*m == "TOTAL") return CapacityMode::kTotal;
  if (*m == "INDEXES") return CapacityMode::kIndexes;
  return CapacityMode::kNone;
}

double ReadUnits(size_t bytes, bool consistent) {
  size_t units = bytes == 0 ? 1 : (bytes + 4095) / 4096;
  return consistent ? double(units) : double(units) / 2.0;
}

double WriteUnits(size_t bytes) {
  size_t units = bytes == 0 ? 1 : (bytes + 1023) / 1024;
  return double(units);
}

void WriteCapacityObject(JsonWriter& w, CapacityMode mode, std::string_view table_name,
                         double units) {
  w.BeginObject();
  w.KV("TableName", table_name);
  w.Key("CapacityUnits");
  w.Double(units);
  if (mode == CapacityMode::kIndexes) {
    w.Key("Table");
    w.BeginObject();
    w.Key("CapacityUnits");
    w.Double(units);
    w.EndObject();
  }
  w.EndObject();
}

void WriteConsumedCapacity(JsonWriter& w, CapacityMode mode, std::string_view table_name,
                           double units) {
  if (mode == CapacityMode::kNone) return;
  w.Key("ConsumedCapacity");
  WriteCapacityObject(w, mode, table_name, units);
}

}  // namespace cairn::api
