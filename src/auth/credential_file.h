// CredentialStore: the access keys a server started with --credentials FILE accepts, and their
// secret keys. The file has one "ACCESS_KEY_ID SECRET_ACCESS_KEY [SESSION_TOKEN]" entry per line
// (separated by spaces or tabs); blank lines and lines whose first non-blank character is '#' are
// ignored. A key given with a session token stands for temporary credentials (AWS STS's): its
// requests must carry that token (X-Amz-Security-Token); a key without one is a long-term key,
// whose requests must carry none, as in AWS.
// Invariants: the set in force was read whole from one version of the file: a file with a bad line
// (not two or three fields, an access key id of other than letters and digits, a key id given twice) or
// without any pair is refused whole, and a refused reload leaves the previous set in force.
// Thread safety: Find() may run on every event-loop thread while Load() runs on another; each
// Find() sees one whole set, the old or the new.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace cairn::auth {

struct Secret {
  std::string secret_key;
  std::string session_token;  // empty: a long-term key
  bool operator==(const Secret&) const = default;
};

// access key id -> its secret.
using KeyMap = std::map<std::string, Secret, std::less<>>;

// Parses the file's text. Errors (InvalidArgument) name `path` and the line: "FILE line 3:
// expected ACCESS_KEY_ID SECRET_ACCESS_KEY [SESSION_TOKEN], found 1 fields".
Result<KeyMap> ParseCredentials(std::string_view text, std::string_view path);

class CredentialStore {
 public:
  // Reads and parses `path`; on success the new set replaces the old one and the number of keys is
  // returned. On failure (unreadable file, a bad line: ParseCredentials) the set in force is kept
  // and the error returned.
  Result<size_t> Load(const std::string& path);

  // The secret of `access_key`, or nullopt when the set does not hold it.
  std::optional<Secret> Find(std::string_view access_key) const;

  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const KeyMap> keys_;  // GUARDED_BY(mu_); replaced whole, never modified
};

}  // namespace cairn::auth
