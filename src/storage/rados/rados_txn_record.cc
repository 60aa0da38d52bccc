// The transaction record's pure parts (rados_txn_record.h).
#include "storage/rados/rados_txn_record.h"

#include "storage/rados/rados_wire.h"
#include "util/big_endian.h"

namespace cairn::storage::rados {

std::string EncodeOps(const Changes& c) {
  std::string out;
  AppendBigEndian32(&out, uint32_t(c.size()));
  for (const auto& [name, ch] : c) {
    AppendBytes(&out, name);
    AppendBigEndian32(&out, uint32_t(ch.keys.size()));
    for (const auto& [k, v] : ch.keys) {
      AppendBytes(&out, k);
      out.push_back(v ? 1 : 0);
      if (v) AppendBytes(&out, *v);
    }
  }
  return out;
}

bool DecodeOps(std::string_view in, Changes* out) {
  if (in.size() < 4) return false;
  uint32_t objects = ReadBigEndian32(in);
  in.remove_prefix(4);
  for (uint32_t i = 0; i < objects; ++i) {
    std::string name;
    if (!TakeBytes(&in, &name) || in.size() < 4) return false;
    uint32_t keys = ReadBigEndian32(in);
    in.remove_prefix(4);
    ObjectChange& ch = (*out)[name];
    for (uint32_t j = 0; j < keys; ++j) {
      std::string k, v;
      if (!TakeBytes(&in, &k) || in.empty()) return false;
      const bool has = in[0] != 0;
      in.remove_prefix(1);
      if (has && !TakeBytes(&in, &v)) return false;
      ch.keys[k] = has ? std::optional<std::string>(std::move(v)) : std::nullopt;
    }
  }
  return in.empty();
}

std::string EncodeIntents(const IntentsByObject& m) {
  std::string out;
  AppendBigEndian32(&out, uint32_t(m.size()));
  for (const auto& [name, keys] : m) {
    AppendBytes(&out, name);
    AppendBigEndian32(&out, uint32_t(keys.size()));
    for (const auto& k : keys) AppendBytes(&out, k);
  }
  return out;
}

bool DecodeIntents(std::string_view in, IntentsByObject* out) {
  if (in.size() < 4) return false;
  uint32_t objects = ReadBigEndian32(in);
  in.remove_prefix(4);
  for (uint32_t i = 0; i < objects; ++i) {
    std::string name;
    if (!TakeBytes(&in, &name) || in.size() < 4) return false;
    uint32_t keys = ReadBigEndian32(in);
    in.remove_prefix(4);
    for (uint32_t j = 0; j < keys; ++j) {
      std::string k;
      if (!TakeBytes(&in, &k)) return false;
      (*out)[name].insert(std::move(k));
    }
  }
  return in.empty();
}

std::string IntentKey(std::string_view data_omap_key) {
  std::string k(data_omap_key);
  if (!k.empty()) k[0] = char(kIntentByte);
  return k;
}

std::string DataKeyOf(std::string_view intent_key) {
  std::string k(intent_key);
  if (!k.empty()) k[0] = char(kDataByte);
  return k;
}

IntentsByObject IntentsOf(const Changes& changes, const Reads& reads) {
  IntentsByObject out;
  for (const auto& [obj, keys] : reads)
    for (const auto& kv : keys)
      if (IsDataKey(kv.first)) out[obj].insert(IntentKey(kv.first));
  for (const auto& [obj, ch] : changes)
    for (const auto& kv : ch.keys)
      if (IsDataKey(kv.first)) out[obj].insert(IntentKey(kv.first));
  return out;
}

std::string TxnId(std::string_view server, uint64_t micros, uint64_t n) {
  return std::string(server) + "." + std::to_string(micros) + "." + std::to_string(n);
}

std::string LedgerOf(std::string_view id) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : id) h = (h ^ c) * 16777619u;
  return "xlog." + std::to_string(h % kLedgers);
}

}  // namespace cairn::storage::rados
