// Reading the credential scope: the Authorization header's parameters or the presigned query's,
// in DynamoDB's order of checks (credentials.h).
#include "auth/credentials.h"

#include <map>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "storage/namespace.h"

namespace cairn::auth {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string UnescapeQueryComponent(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> QueryPairs(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string name = UnescapeQueryComponent(part.substr(0, eq));
    std::string value = eq == std::string_view::npos
                            ? std::string()
                            : UnescapeQueryComponent(part.substr(eq + 1));
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

namespace {

// name -> value of a query string; the first of repeated names wins.
std::map<std::string, std::string, std::less<>> QueryParameters(std::string_view query) {
  std::map<std::string, std::string, std::less<>> out;
  for (auto& [name, value] : QueryPairs(query)) out.emplace(std::move(name), std::move(value));
  return out;
}

// What Authenticate reads of the Authorization header: the scheme, then the "Name=value" parts
// after it, split at ',' and ' '. Of a repeated name the first wins, even when its value is empty;
// a part without '=' is skipped. The views point into the header.
struct HeaderParameters {
  std::string_view scheme;  // "AWS4-HMAC-SHA256"
  std::string_view credential, signature, signed_headers;  // empty when absent
};

bool IsSeparator(char c) { return c == ',' || c == ' '; }

// The index of the first ',' or ' ' of header at or after i (header.size() if none): 16 bytes at
// a time with SSE2, then byte by byte. Not find_first_of(", "): libstdc++'s calls memchr on the
// two separators once per character, ~2% of a GetItem's CPU (perf, bench/run); a plain loop over
// the characters still cost ~700 instructions a request (bench/instructions).
size_t NextSeparator(std::string_view header, size_t i) {
  const size_t n = header.size();
#if defined(__SSE2__)
  const __m128i comma = _mm_set1_epi8(','), space = _mm_set1_epi8(' ');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(header.data() + i));
    const int mask =
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, space)));
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
  }
#endif
  while (i < n && !IsSeparator(header[i])) ++i;
  return i;
}

HeaderParameters ReadHeaderParameters(std::string_view header) {
  HeaderParameters out;
  const size_t n = header.size();
  size_t i = NextSeparator(header, 0);
  out.scheme = header.substr(0, i);
  bool credential = false, signature = false, signed_headers = false;
  while (i < n) {
    while (i < n && IsSeparator(header[i])) ++i;
    const size_t start = i;
    i = NextSeparator(header, i);
    const std::string_view part = header.substr(start, i - start);
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = part.substr(0, eq), value = part.substr(eq + 1);
    if (name == "Credential" && !credential) {
      credential = true;
      out.credential = value;
    } else if (name == "Signature" && !signature) {
      signature = true;
      out.signature = value;
    } else if (name == "SignedHeaders" && !signed_headers) {
      signed_headers = true;
      out.signed_headers = value;
    }
  }
  return out;
}

std::string_view Get(const std::map<std::string, std::string, std::less<>>& m,
                     std::string_view name) {
  auto it = m.find(name);
  return it == m.end() ? std::string_view() : std::string_view(it->second);
}

// Fills *caller from "<key>/<date>/<region>/<service>/aws4_request"; false if it is not of that
// form.
bool ReadScope(std::string_view scope, bool shared_db, Caller* caller) {
  size_t s1 = scope.find('/');
  size_t s2 = s1 == std::string_view::npos ? s1 : scope.find('/', s1 + 1);
  size_t s3 = s2 == std::string_view::npos ? s2 : scope.find('/', s2 + 1);
  if (s3 == std::string_view::npos || s1 == 0) return false;
  caller->access_key = std::string(scope.substr(0, s1));
  caller->region = std::string(scope.substr(s2 + 1, s3 - s2 - 1));
  if (caller->region.empty()) caller->region = "us-east-1";
  caller->ns = shared_db ? std::string(storage::kSharedNamespace)
                         : storage::NamespaceOf(caller->access_key, caller->region);
  return true;
}

}  // namespace

bool Authenticate(const SignedRequest& request, bool shared_db, Caller* caller,
                  protocol::ApiError* error, SignatureParts* parts) {
  using protocol::ApiError;
  const auto query = QueryParameters(request.query);
  const bool presigned = query.count("X-Amz-Algorithm") != 0;
  if (request.has_authorization && presigned) {
    *error = ApiError::InvalidSignature(
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP "
        "header.");
    return false;
  }
  if (presigned) {
    std::string missing;
    for (std::string_view name : {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                                  "X-Amz-SignedHeaders", "X-Amz-Date"}) {
      if (Get(query, name).empty())
        missing += "AWS query-string parameters must include '" + std::string(name) + "'. ";
    }
    if (!missing.empty()) {
      *error = ApiError::IncompleteSignature(missing + "Re-examine the query-string parameters.");
      return false;
    }
    if (!ReadScope(Get(query, "X-Amz-Credential"), shared_db, caller)) {
      *error = ApiError::IncompleteSignature(
          "Credential should be scoped to a valid region. Re-examine the query-string "
          "parameters.");
      return false;
    }
    if (parts != nullptr) {
      parts->presigned = true;
      parts->algorithm = Get(query, "X-Amz-Algorithm");
      parts->credential = Get(query, "X-Amz-Credential");
      parts->signed_headers = Get(query, "X-Amz-SignedHeaders");
      parts->signature = Get(query, "X-Amz-Signature");
      parts->date = Get(query, "X-Amz-Date");
      parts->has_expires = query.count("X-Amz-Expires") != 0;
      parts->expires = Get(query, "X-Amz-Expires");
    }
    return true;
  }
  const std::string_view auth = request.authorization;
  if (!request.has_authorization || !auth.starts_with("AWS4-")) {
    *error = ApiError::MissingAuthenticationToken();
    return false;
  }
  const HeaderParameters params = ReadHeaderParameters(auth);
  std::string missing;
  for (auto [name, value] : {std::pair<std::string_view, std::string_view>{"Credential",
                                                                           params.credential},
                             {"Signature", params.signature},
                             {"SignedHeaders", params.signed_headers}}) {
    if (value.empty())
      missing += "Authorization header requires '" + std::string(name) + "' parameter. ";
  }
  if (!request.has_date)
    missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
               "header. ";
  if (!missing.empty()) {
    *error = ApiError::IncompleteSignature(missing + "Authorization=" + std::string(auth));
    return false;
  }
  if (!ReadScope(params.credential, shared_db, caller)) {
    *error = ApiError::IncompleteSignature(
        "Credential should be scoped to a valid region. Authorization=" + std::string(auth));
    return false;
  }
  if (parts != nullptr) {
    parts->presigned = false;
    parts->algorithm = std::string(params.scheme);
    parts->credential = std::string(params.credential);
    parts->signed_headers = std::string(params.signed_headers);
    parts->signature = std::string(params.signature);
  }
  return true;
}

}  // namespace cairn::auth
