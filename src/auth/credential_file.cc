// The --credentials file: parsing it line by line, and swapping the whole set in on a good read
// (credential_file.h).
#include "auth/credential_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace cairn::auth {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

bool IsAlphanumeric(std::string_view s) {
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return !s.empty();
}

}  // namespace

Result<KeyMap> ParseCredentials(std::string_view text, std::string_view path) {
  KeyMap keys;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    std::vector<std::string_view> fields;
    for (size_t i = 0; i < line.size();) {
      while (i < line.size() && IsBlank(line[i])) ++i;
      const size_t start = i;
      while (i < line.size() && !IsBlank(line[i])) ++i;
      if (i > start) fields.push_back(line.substr(start, i - start));
    }
    if (fields.empty() || fields[0].front() == '#') continue;
    const std::string where = std::string(path) + " line " + std::to_string(line_number) + ": ";
    if (fields.size() != 2 && fields.size() != 3) {
      return Status::InvalidArgument(where +
                                     "expected ACCESS_KEY_ID SECRET_ACCESS_KEY [SESSION_TOKEN], "
                                     "found " +
                                     std::to_string(fields.size()) + " fields");
    }
    if (!IsAlphanumeric(fields[0])) {
      return Status::InvalidArgument(where + "the access key id '" + std::string(fields[0]) +
                                     "' has characters other than letters and digits");
    }
    Secret secret{std::string(fields[1]), fields.size() == 3 ? std::string(fields[2]) : ""};
    if (!keys.emplace(std::string(fields[0]), std::move(secret)).second) {
      return Status::InvalidArgument(where + "the access key id " + std::string(fields[0]) +
                                     " is given a second time");
    }
  }
  if (keys.empty()) {
    return Status::InvalidArgument(std::string(path) +
                                   ": no ACCESS_KEY_ID SECRET_ACCESS_KEY line (no caller could "
                                   "sign a request)");
  }
  return keys;
}

Result<size_t> CredentialStore::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
  Result<KeyMap> parsed = ParseCredentials(text.str(), path);
  if (!parsed.ok()) return parsed.status();
  auto keys = std::make_shared<const KeyMap>(std::move(parsed).value());
  const size_t count = keys->size();
  std::lock_guard lock(mu_);
  keys_ = std::move(keys);
  return count;
}

std::optional<Secret> CredentialStore::Find(std::string_view access_key) const {
  std::shared_ptr<const KeyMap> keys;
  {
    std::lock_guard lock(mu_);
    keys = keys_;
  }
  if (keys == nullptr) return std::nullopt;
  auto it = keys->find(access_key);
  if (it == keys->end()) return std::nullopt;
  return it->second;
}

size_t CredentialStore::size() const {
  std::lock_guard lock(mu_);
  return keys_ == nullptr ? 0 : keys_->size();
}

}  // namespace cairn::auth
