// Key encoding: see key_encoding.h for the layout and docs/format.md ("Key layout") for the
// reasoning behind each part.
#include "storage/key_encoding.h"

#include <xxhash.h>

#include <cassert>

#include "types/number.h"
#include "util/big_endian.h"

namespace cairn::storage {
namespace {

// S/B sort keys: 0x00 inside the value becomes kEscape0 kEscape1; the value ends with kEscape0
// kEnd. kEnd < kEscape1 and every other byte is > kEscape0, so a value sorts before its extensions
// and the byte order of the raw values is kept. Do not change: on-disk format.
constexpr char kEscape0 = '\x00';
constexpr char kEscape1 = '\xff';
constexpr char kEnd = '\x01';

// The escaped bytes of an S or B value, without the terminator.
void AppendEscaped(std::string* out, std::string_view raw) {
  size_t start = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == kEscape0) {
      out->append(raw.data() + start, i - start);
      out->push_back(kEscape0);
      out->push_back(kEscape1);
      start = i + 1;
    }
  }
  out->append(raw.data() + start, raw.size() - start);
}

}  // namespace

uint64_t PartitionHash(std::string_view pk_bytes) {
  return XXH3_64bits(pk_bytes.data(), pk_bytes.size());
}

std::string PartitionPrefix(uint32_t table_id, const AttributeValue& pk) {
  std::string out;
  AppendItemKey(&out, table_id, pk, nullptr);
  return out;
}

void AppendItemKey(std::string* out, uint32_t table_id, const AttributeValue& pk,
                   const AttributeValue* sk) {
  assert(pk.is_scalar_key_type());
  assert(pk.s.size() <= 0xffff);
  const std::string_view bytes = pk.s;  // S: UTF-8, B: raw, N: canonical text
  out->reserve(out->size() + 14 + bytes.size() + (sk != nullptr ? sk->s.size() + 4 : 0));
  AppendBigEndian32(out, table_id);
  AppendBigEndian64(out, PartitionHash(bytes));
  AppendBigEndian16(out, static_cast<uint16_t>(bytes.size()));
  out->append(bytes);
  if (sk != nullptr) AppendSortKey(out, *sk);
}

void AppendSortKey(std::string* out, const AttributeValue& sk) {
  switch (sk.type) {
    case AttributeType::kS:
    case AttributeType::kB:
      AppendEscaped(out, sk.s);
      out->push_back(kEscape0);
      out->push_back(kEnd);
      return;
    case AttributeType::kN: {
      Result<Number> n = Number::Parse(sk.s);
      assert(n.ok() && "sort key N must hold canonical Number text");
      if (n.ok()) {
        n->AppendSortable(out);
      } else {
        Number().AppendSortable(out);  // unreachable for validated input
      }
      return;
    }
    default:
      assert(false && "a sort key is S, N or B");
      return;
  }
}

std::string TablePrefix(uint32_t table_id) {
  std::string out;
  AppendBigEndian32(&out, table_id);
  return out;
}

std::string TableEnd(uint32_t table_id) {
  assert(table_id < UINT32_MAX);
  return TablePrefix(table_id + 1);
}

std::pair<std::string, std::string> SegmentRange(uint32_t table_id, uint32_t segment,
                                                 uint32_t total) {
  assert(segment < total && total <= 1000000);
  // floor(i * 2^64 / n) for i in [0, n): exact in 128-bit arithmetic, and < 2^64.
  auto boundary = [total](uint32_t i) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(i) << 64) / total);
  };
  std::string begin = TablePrefix(table_id);
  AppendBigEndian64(&begin, boundary(segment));
  if (segment + 1 == total) return {std::move(begin), TableEnd(table_id)};
  std::string end = TablePrefix(table_id);
  AppendBigEndian64(&end, boundary(segment + 1));
  return {std::move(begin), std::move(end)};
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty() && static_cast<unsigned char>(out.back()) == 0xff) out.pop_back();
  if (!out.empty()) out.back() = static_cast<char>(static_cast<unsigned char>(out.back()) + 1);
  return out;
}

std::pair<std::string, std::string> QueryRange(const std::string& partition_prefix, SortKeyOp op,
                                               const AttributeValue* a, const AttributeValue* b) {
  const std::string& p = partition_prefix;
  auto with = [&p](const AttributeValue* v) {  // P + E(v)
    assert(v != nullptr);
    std::string k = p;
    AppendSortKey(&k, *v);
    return k;
  };
  switch (op) {
    case SortKeyOp::kAll:
      return {p, PrefixSuccessor(p)};
    case SortKeyOp::kEQ: {
      std::string k = with(a);
      std::string end = PrefixSuccessor(k);
      return {std::move(k), std::move(end)};
    }
    case SortKeyOp::kLT:
      return {p, with(a)};
    case SortKeyOp::kLE:
      return {p, PrefixSuccessor(with(a))};
    case SortKeyOp::kGT:
      return {PrefixSuccessor(with(a)), PrefixSuccessor(p)};
    case SortKeyOp::kGE:
      return {with(a), PrefixSuccessor(p)};
    case SortKeyOp::kBetween: {
      std::string begin = with(a);
      std::string end = PrefixSuccessor(with(b));
      if (end <= begin) end = begin;  // a > b: nothing matches
      return {std::move(begin), std::move(end)};
    }
    case SortKeyOp::kBeginsWith: {
      assert(a != nullptr && (a->type == AttributeType::kS || a->type == AttributeType::kB));
      std::string k = p;
      AppendEscaped(&k, a->s);
      std::string end = PrefixSuccessor(k);
      return {std::move(k), std::move(end)};
    }
  }
  return {p, p};
}

}  // namespace cairn::storage
