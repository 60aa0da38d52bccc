// SigV4 verification (sigv4.h): the canonical request, the signing key and the checks of a
// request's date and scope, in DynamoDB's order and with its messages.
#include "auth/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <time.h>

#include <algorithm>
#include <cstdio>

namespace cairn::auth::sigv4 {
namespace {

using protocol::ApiError;

constexpr char kHexDigits[] = "0123456789abcdef";

std::string Hex(const unsigned char* data, size_t size) {
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kHexDigits[data[i] >> 4];
    out[2 * i + 1] = kHexDigits[data[i] & 15];
  }
  return out;
}

// HMAC-SHA256(key, message) -> 32 bytes.
std::string Hmac(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &size);
  return std::string(reinterpret_cast<const char*>(out), size);
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Trimall: no blanks at either end, one space for each run inside.
void AppendTrimmed(std::string_view value, std::string* out) {
  bool pending_space = false;
  bool any = false;
  for (char c : value) {
    if (IsBlank(c)) {
      pending_space = any;
      continue;
    }
    if (pending_space) out->push_back(' ');
    pending_space = false;
    any = true;
    out->push_back(c);
  }
}

std::vector<std::string_view> Split(std::string_view s, char separator) {
  std::vector<std::string_view> out;
  while (true) {
    const size_t at = s.find(separator);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

bool ParseDigits(std::string_view s, int* value) {
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *value = v;
  return !s.empty();
}

// AWS's text for a signature that does not match, followed (as DynamoDB sends it) by what the
// server computed.
ApiError Mismatch(std::string_view canonical_request, std::string_view string_to_sign) {
  std::string message =
      "The request signature we calculated does not match the signature you provided. Check your "
      "AWS Secret Access Key and signing method. Consult the service documentation for details.\n"
      "\nThe Canonical String for this request should have been\n'";
  message.append(canonical_request);
  message.append("'\n\nThe String-to-Sign should have been\n'");
  message.append(string_to_sign);
  message.append("'\n");
  return ApiError::InvalidSignature(std::move(message));
}

}  // namespace

std::string UriEncode(std::string_view s, bool keep_slash) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back("0123456789ABCDEF"[c >> 4]);
      out.push_back("0123456789ABCDEF"[c & 15]);
    }
  }
  return out;
}

std::string CanonicalUri(std::string_view raw_path) {
  // RFC 3986 5.2.4 without empty segments, as botocore's remove_dot_segments.
  std::vector<std::string_view> segments;
  for (std::string_view segment : Split(raw_path, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  std::string path = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) path.push_back('/');
    path.append(segments[i]);
  }
  if (!segments.empty() && raw_path.ends_with('/')) path.push_back('/');
  // botocore quotes with safe='/~'; UriEncode also keeps - _ . which quote never encodes.
  return UriEncode(path, /*keep_slash=*/true);
}

std::string CanonicalQueryString(std::string_view raw_query, bool drop_signature) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (auto& [name, value] : QueryPairs(raw_query)) {
    if (drop_signature && name == "X-Amz-Signature") continue;
    pairs.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out.append(name);
    out.push_back('=');
    out.append(value);
  }
  return out;
}

std::string CanonicalHeaders(const HeaderList& headers, std::string_view signed_headers,
                             std::string* names) {
  std::vector<std::string> wanted;
  for (std::string_view name : Split(signed_headers, ';')) {
    std::string lower;
    AppendTrimmed(name, &lower);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!lower.empty()) wanted.push_back(std::move(lower));
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::string out;
  names->clear();
  for (const std::string& name : wanted) {
    if (!names->empty()) names->push_back(';');
    names->append(name);
    out.append(name);
    out.push_back(':');
    bool first = true;
    for (const auto& [header, value] : headers) {
      if (header != name) continue;
      if (!first) out.push_back(',');
      first = false;
      AppendTrimmed(value, &out);
    }
    out.push_back('\n');
  }
  return out;
}

std::string CanonicalRequest(std::string_view method, std::string_view canonical_uri,
                             std::string_view canonical_query, std::string_view canonical_headers,
                             std::string_view signed_header_names, std::string_view payload_hash) {
  std::string out;
  out.reserve(method.size() + canonical_uri.size() + canonical_query.size() +
              canonical_headers.size() + signed_header_names.size() + payload_hash.size() + 8);
  out.append(method).push_back('\n');
  out.append(canonical_uri).push_back('\n');
  out.append(canonical_query).push_back('\n');
  out.append(canonical_headers).push_back('\n');
  out.append(signed_header_names).push_back('\n');
  out.append(payload_hash);
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.push_back('\n');
  out.append(amz_date).push_back('\n');
  out.append(scope).push_back('\n');
  out.append(Sha256Hex(canonical_request));
  return out;
}

std::string Signature(std::string_view secret_key, std::string_view scope_date,
                      std::string_view region, std::string_view service,
                      std::string_view string_to_sign) {
  std::string key = "AWS4";
  key.append(secret_key);
  key = Hmac(key, scope_date);
  key = Hmac(key, region);
  key = Hmac(key, service);
  key = Hmac(key, kTerminator);
  const std::string mac = Hmac(key, string_to_sign);
  return Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(digest, sizeof(digest));
}

std::string FormatAmzDate(int64_t epoch_seconds) {
  const time_t t = static_cast<time_t>(epoch_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buffer;
}

bool ParseAmzDate(std::string_view text, int64_t* epoch_seconds) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return false;
  int year, month, day, hour, minute, second;
  if (!ParseDigits(text.substr(0, 4), &year) || !ParseDigits(text.substr(4, 2), &month) ||
      !ParseDigits(text.substr(6, 2), &day) || !ParseDigits(text.substr(9, 2), &hour) ||
      !ParseDigits(text.substr(11, 2), &minute) || !ParseDigits(text.substr(13, 2), &second))
    return false;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return false;
  struct tm tm {};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  *epoch_seconds = static_cast<int64_t>(timegm(&tm));
  return true;
}

bool ParseHttpDate(std::string_view text, int64_t* epoch_seconds) {
  const std::string copy(text);
  struct tm tm {};
  const char* end = strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return false;
  *epoch_seconds = static_cast<int64_t>(timegm(&tm));
  return true;
}

std::optional<ApiError> VerifySignature(const SignedRequest& request, const SignatureParts& parts,
                                        const CredentialStore& store, int64_t now) {
  if (parts.algorithm != kAlgorithm) {
    return ApiError::IncompleteSignature("Unsupported AWS 'algorithm': '" + parts.algorithm + "'.");
  }
  // "<key>/<date>/<region>/<service>/aws4_request" (credentials.cc has read the first three).
  const std::vector<std::string_view> scope = Split(parts.credential, '/');
  if (scope.size() != 5 || scope[4] != kTerminator) {
    // What follows the fourth '/', or nothing.
    std::string_view rest = parts.credential;
    for (int i = 0; i < 4 && !rest.empty(); ++i) {
      const size_t slash = rest.find('/');
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
    return ApiError::InvalidSignature(
        "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
        std::string(rest) + "'. ");
  }
  if (scope[3] != kService) {
    return ApiError::InvalidSignature("Credential should be scoped to correct service: '" +
                                      std::string(kService) + "'. ");
  }
  bool host_signed = false;
  for (std::string_view name : Split(parts.signed_headers, ';')) {
    std::string lower;
    AppendTrimmed(name, &lower);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    host_signed |= lower == "host";
  }
  if (!host_signed) {
    return ApiError::InvalidSignature(
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }

  // The request's date: the presigned query's X-Amz-Date, else the X-Amz-Date header, else Date.
  static const HeaderList kNoHeaders;
  const HeaderList& headers = request.headers != nullptr ? *request.headers : kNoHeaders;
  auto header = [&headers](std::string_view name) -> const std::string* {
    for (const auto& [k, v] : headers)
      if (k == name) return &v;
    return nullptr;
  };
  int64_t date = 0;
  std::string amz_date;
  if (parts.presigned || header("x-amz-date") != nullptr) {
    const std::string given = parts.presigned ? parts.date : *header("x-amz-date");
    if (!ParseAmzDate(given, &date)) {
      return ApiError::IncompleteSignature("Date must be in ISO-8601 'basic format'. Got '" +
                                           given + "'. See http://en.wikipedia.org/wiki/ISO_8601");
    }
    amz_date = given;
  } else {
    const std::string* given = header("date");
    if (given == nullptr || !ParseHttpDate(*given, &date)) {
      return ApiError::IncompleteSignature("Date must be in ISO-8601 'basic format'. Got '" +
                                           (given ? *given : std::string()) +
                                           "'. See http://en.wikipedia.org/wiki/ISO_8601");
    }
    amz_date = FormatAmzDate(date);
  }
  if (scope[1] != std::string_view(amz_date).substr(0, 8)) {
    return ApiError::InvalidSignature(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '" +
        std::string(scope[1]) + "' != '" + amz_date.substr(0, 8) + "', from '" + amz_date + "'.");
  }

  // The window: 15 minutes either way of the server's clock; a presigned request with
  // X-Amz-Expires is good from 15 minutes before its date until <expires> seconds after.
  int64_t lifetime = kMaxClockSkewSeconds;
  std::string lifetime_text = "15 min.";
  if (parts.presigned && parts.has_expires) {
    int value = 0;
    if (parts.expires.size() > 7 || !ParseDigits(parts.expires, &value)) {
      return ApiError::IncompleteSignature("X-Amz-Expires must be a number of seconds, not '" +
                                           parts.expires +
                                           "'. Re-examine the query-string parameters.");
    }
    if (value > kMaxExpiresSeconds) {
      return ApiError::InvalidSignature(
          "X-Amz-Expires must be less than a week (in seconds) that is 604800");
    }
    lifetime = value;
    lifetime_text = std::to_string(value) + " sec.";
  }
  if (date < now - lifetime) {
    return ApiError::InvalidSignature("Signature expired: " + amz_date + " is now earlier than " +
                                      FormatAmzDate(now - lifetime) + " (" + FormatAmzDate(now) +
                                      " - " + lifetime_text + ")");
  }
  if (date > now + kMaxClockSkewSeconds) {
    return ApiError::InvalidSignature(
        "Signature not yet current: " + amz_date + " is still later than " +
        FormatAmzDate(now + kMaxClockSkewSeconds) + " (" + FormatAmzDate(now) + " + 15 min.)");
  }

  const std::optional<Secret> secret = store.Find(scope[0]);
  if (!secret) return ApiError::UnrecognizedClient();
  // The session token: the presigned query's, else the header's (an empty one is none).
  std::string token;
  if (parts.presigned) {
    for (auto& [name, value] : QueryPairs(request.query))
      if (name == "X-Amz-Security-Token") token = std::move(value);
  }
  if (const std::string* given = header("x-amz-security-token"); token.empty() && given != nullptr)
    token = *given;
  if (token.size() != secret->session_token.size() ||
      CRYPTO_memcmp(token.data(), secret->session_token.data(), token.size()) != 0)
    return ApiError::UnrecognizedClient();

  std::string signed_header_names;
  const std::string canonical_headers =
      CanonicalHeaders(headers, parts.signed_headers, &signed_header_names);
  const std::string canonical_uri = CanonicalUri(request.path);
  const std::string canonical_query = CanonicalQueryString(request.query, parts.presigned);
  const std::string credential_scope(
      std::string_view(parts.credential).substr(scope[0].size() + 1));
  // The payload hashes the signer may have used: the body's, or UNSIGNED-PAYLOAD when the request
  // says so (X-Amz-Content-Sha256) or is presigned (as S3's presigned URLs are signed). A claimed hash that is not the body's is not
  // taken: the signature is then checked against the body's, and fails.
  std::vector<std::string> payload_hashes;
  const std::string* content_sha = header("x-amz-content-sha256");
  const bool unsigned_claimed = content_sha != nullptr && *content_sha == kUnsignedPayload;
  if (!unsigned_claimed) payload_hashes.push_back(Sha256Hex(request.payload));
  if (unsigned_claimed || parts.presigned) payload_hashes.emplace_back(kUnsignedPayload);
  std::string first_canonical, first_string_to_sign;
  for (const std::string& payload_hash : payload_hashes) {
    std::string canonical = CanonicalRequest(request.method, canonical_uri, canonical_query,
                                             canonical_headers, signed_header_names, payload_hash);
    std::string string_to_sign = StringToSign(amz_date, credential_scope, canonical);
    const std::string expected = Signature(secret->secret_key, scope[1], scope[2], scope[3], string_to_sign);
    if (expected.size() == parts.signature.size() &&
        CRYPTO_memcmp(expected.data(), parts.signature.data(), expected.size()) == 0)
      return std::nullopt;
    if (first_canonical.empty()) {
      first_canonical = std::move(canonical);
      first_string_to_sign = std::move(string_to_sign);
    }
  }
  return Mismatch(first_canonical, first_string_to_sign);
}

}  // namespace cairn::auth::sigv4
