// The pure parts of the transaction protocol (rados_txn.h; docs/rados.md section 6), kept apart
// so unit tests reach them without a cluster: what a write does to each object (Changes), the
// values a transaction read (Reads), the record's encoding ("ops", "intents"), the intent key of
// an item, a transaction's id and its ledger, and the decision of a transaction's attempt.
// Encodings (strings: u32 big-endian length | bytes):
//   "ops":     u32 objects; per object: name, u32 keys; per key: key, u8 has value, value if any.
//   "intents": u32 objects; per object: name, u32 keys, keys.
// Decoding refuses truncated input and trailing bytes (false).
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace cairn::storage::rados {

// One object's share of a write (omap key -> value, or nullopt: removed).
struct ObjectChange {
  std::map<std::string, std::optional<std::string>> keys;
  bool operator==(const ObjectChange& o) const { return keys == o.keys; }
};
using Changes = std::map<std::string, ObjectChange>;  // by object name
// The item values a write read (omap key -> value, nullopt: absent), by object name.
using Reads = std::map<std::string, std::map<std::string, std::optional<std::string>>>;
using IntentsByObject = std::map<std::string, std::set<std::string>>;  // object -> intent keys

inline constexpr uint8_t kDataByte = 0x01;
inline constexpr uint8_t kIntentByte = 0x11;
inline constexpr int kLedgers = 16;

std::string EncodeOps(const Changes& c);
bool DecodeOps(std::string_view in, Changes* out);
std::string EncodeIntents(const IntentsByObject& m);
bool DecodeIntents(std::string_view in, IntentsByObject* out);

inline bool IsDataKey(std::string_view omap_key) {
  return !omap_key.empty() && uint8_t(omap_key[0]) == kDataByte;
}
// The intent key of an item's data omap key (0x01 | item key -> 0x11 | item key), and back.
std::string IntentKey(std::string_view data_omap_key);
std::string DataKeyOf(std::string_view intent_key);
// The intents a transaction sets: one per item it writes or read, in the item's object.
IntentsByObject IntentsOf(const Changes& changes, const Reads& reads);

// A transaction's id: "<server id>.<microseconds>.<n>"; its record object "x.<id>"; its ledger
// "xlog.<FNV-1a 32 of the id % 16>".
std::string TxnId(std::string_view server, uint64_t micros, uint64_t n);
inline std::string RecordObject(std::string_view id) { return "x." + std::string(id); }
std::string LedgerOf(std::string_view id);

// What the decision of a transaction's attempt writes, from its prepares' results (0: held;
// anything else: refused): COMMITTED only when every prepare held.
inline constexpr const char* kPending = "PENDING";
inline constexpr const char* kCommitted = "COMMITTED";
inline constexpr const char* kCancelled = "CANCELLED";
template <typename Results>
const char* Decision(const Results& prepare_results) {
  for (int r : prepare_results)
    if (r != 0) return kCancelled;
  return kCommitted;
}

}  // namespace cairn::storage::rados
