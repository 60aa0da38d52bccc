// Namespace: the name of one caller's set of tables, as DynamoDB Local keeps a database per
// (access key id, region) unless it runs with -sharedDb.
// Invariants: NamespaceOf is injective: no two (access key id, region) pairs share a name, whatever
// characters they contain, because the key's length comes first ("<length>:<key>:<region>"; the
// colon after the key is for people reading it, not needed to split it). Every such name starts
// with a digit, so none equals kSharedNamespace.
// Format history (stored in the catalog's keys and descriptors, docs/format.md): names written
// before "C:namespace_format" existed were "<key>_<region>", which let key "dev" + region
// "alice_us-east-1" collide with key "dev_alice" + region "us-east-1"; Catalog::Load renames them.
#pragma once

#include <string>
#include <string_view>

namespace cairn::storage {

inline constexpr std::string_view kSharedNamespace = "shared";  // --shared-db

inline std::string NamespaceOf(std::string_view access_key, std::string_view region) {
  std::string ns = std::to_string(access_key.size());
  ns.push_back(':');
  ns.append(access_key);
  ns.push_back(':');
  ns.append(region);
  return ns;
}

// The inverse of NamespaceOf: true and the pair when `ns` is such a name; false for any other
// text (kSharedNamespace, a malformed name). Used to show people whose tables a namespace holds.
inline bool ParseNamespace(std::string_view ns, std::string* access_key, std::string* region) {
  size_t colon = ns.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 10) return false;
  size_t length = 0;
  for (char ch : ns.substr(0, colon)) {
    if (ch < '0' || ch > '9') return false;
    length = length * 10 + static_cast<size_t>(ch - '0');
  }
  const size_t key_start = colon + 1;
  if (length > ns.size() - key_start || ns.size() - key_start - length < 1 ||
      ns[key_start + length] != ':')
    return false;
  access_key->assign(ns.substr(key_start, length));
  region->assign(ns.substr(key_start + length + 1));
  return true;
}

}  // namespace cairn::storage
