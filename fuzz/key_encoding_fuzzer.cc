// Fuzz target: the key encoding (src/storage/key_encoding.h) against the typed comparison.
// Feeds: a sort-key type (S, N or B), a partition key, three sort-key values a, b, v of that type
// (fuzz_values.h: N values are canonical Number text) and suffix bytes.
// Asserts, beyond no crash and no sanitizer report:
//  - order: memcmp order of AppendSortKey(x) equals expr::CompareScalars(x, y) (DynamoDB's order:
//    S and B by unsigned bytes, N numerically), for every pair of a, b, v;
//  - prefix-freedom: an encoding is never a proper prefix of another;
//  - QueryRange is exact: for every sort-key operator, the item key of v (and the same key with
//    any bytes appended, as index entries do) is in [begin, end) iff KeyCondition::MatchesRange(v)
//    holds, the typed check of the same condition; and the key is inside its partition range.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "expr/evaluate.h"
#include "expr/key_condition.h"
#include "fuzz_check.h"
#include "fuzz_values.h"
#include "storage/key_encoding.h"

namespace {

using cairn::AttributeType;
using cairn::AttributeValue;
using cairn::expr::KeyCondition;
using cairn::storage::SortKeyOp;

int Sign(int v) { return (v > 0) - (v < 0); }

std::string Encoded(const AttributeValue& v) {
  std::string s;
  cairn::storage::AppendSortKey(&s, v);
  return s;
}

bool IsProperPrefix(const std::string& a, const std::string& b) {
  return a.size() < b.size() && b.compare(0, a.size(), a) == 0;
}

void CheckPair(const AttributeValue& x, const AttributeValue& y) {
  const std::string ex = Encoded(x), ey = Encoded(y);
  FUZZ_CHECK(Sign(ex.compare(ey)) == Sign(cairn::expr::CompareScalars(x, y)));
  FUZZ_CHECK(!IsProperPrefix(ex, ey) && !IsProperPrefix(ey, ex));
}

bool InRange(const std::pair<std::string, std::string>& r, const std::string& key) {
  if (key < r.first) return false;
  return r.second.empty() || key < r.second;  // an empty end is unbounded
}

struct OpPair {
  SortKeyOp storage;
  KeyCondition::Op expr;
};
constexpr OpPair kOps[] = {
    {SortKeyOp::kAll, KeyCondition::Op::kNone}, {SortKeyOp::kEQ, KeyCondition::Op::kEQ},
    {SortKeyOp::kLT, KeyCondition::Op::kLT},     {SortKeyOp::kLE, KeyCondition::Op::kLE},
    {SortKeyOp::kGT, KeyCondition::Op::kGT},     {SortKeyOp::kGE, KeyCondition::Op::kGE},
    {SortKeyOp::kBetween, KeyCondition::Op::kBetween},
    {SortKeyOp::kBeginsWith, KeyCondition::Op::kBeginsWith},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider p(data, size);
  const AttributeType type =
      p.PickValueInArray({AttributeType::kS, AttributeType::kN, AttributeType::kB});
  const uint32_t table_id = p.ConsumeIntegralInRange<uint32_t>(0, UINT32_MAX - 1);
  const AttributeValue pk = cairn::fuzz::FuzzScalar(
      p, p.PickValueInArray({AttributeType::kS, AttributeType::kN, AttributeType::kB}));
  const AttributeValue a = cairn::fuzz::FuzzScalar(p, type);
  const AttributeValue b = cairn::fuzz::FuzzScalar(p, type);
  const AttributeValue v = p.ConsumeBool() ? a : cairn::fuzz::FuzzScalar(p, type);
  const std::string suffix = p.ConsumeRandomLengthString(16);

  CheckPair(a, b);
  CheckPair(a, v);
  CheckPair(b, v);

  const std::string prefix = cairn::storage::PartitionPrefix(table_id, pk);
  std::string hash_only_key;
  cairn::storage::AppendItemKey(&hash_only_key, table_id, pk, nullptr);
  FUZZ_CHECK(hash_only_key == prefix);
  std::string key;
  cairn::storage::AppendItemKey(&key, table_id, pk, &v);
  FUZZ_CHECK(key.compare(0, prefix.size(), prefix) == 0);
  FUZZ_CHECK(key.compare(0, 4, cairn::storage::TablePrefix(table_id)) == 0);
  FUZZ_CHECK(key < cairn::storage::TableEnd(table_id));
  const std::string extended = key + suffix;

  for (const OpPair& op : kOps) {
    if (op.storage == SortKeyOp::kBeginsWith && type == AttributeType::kN) continue;
    KeyCondition kc;
    kc.op = op.expr;
    kc.a = a;
    kc.b = b;
    const bool matches = kc.MatchesRange(v);
    const auto range = cairn::storage::QueryRange(prefix, op.storage, &a, &b);
    FUZZ_CHECK(InRange(range, key) == matches);
    FUZZ_CHECK(InRange(range, extended) == matches);
  }
  return 0;
}
