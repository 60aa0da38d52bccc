#include "api/tags.h"

#include <locale.h>
#include <wctype.h>

#include <algorithm>

#include "types/base64.h"

namespace cairn::api {
namespace {

const char kInvalid[] = "One or more parameter values were invalid: ";
// Marks a NextToken as ListTagsOfResource's, so that a made-up token is told from a real one.
const char kTokenPrefix[] = "tags:";

// The C.UTF-8 locale's character classes (glibc ships it built in); created once, never freed.
locale_t Utf8Classes() {
  static const locale_t classes = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(0));
  return classes;
}

// Unicode category Z: the space separators (Zs), U+2028 (Zl) and U+2029 (Zp).
bool IsUnicodeSpace(char32_t c) {
  return c == 0x20 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool IsTagCharacter(char32_t c) {
  if (c < 0x80)
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == ' ' || c == '_' || c == '.' || c == ':' || c == '/' || c == '=' || c == '+' ||
           c == '-' || c == '@';
  if (IsUnicodeSpace(c)) return true;
  locale_t classes = Utf8Classes();
  return classes != locale_t(0) && iswalnum_l(wint_t(c), classes);
}

// REQUIRES: `s` is valid UTF-8 (simdjson validated the request).
bool AllTagCharacters(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    char32_t c = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (size_t k = 1; k < n && i + k < s.size(); ++k)
      c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    if (!IsTagCharacter(c)) return false;
    i += n;
  }
  return true;
}

}  // namespace

TagList DecodeTags(simdjson::dom::array tags) {
  TagList out;
  for (auto e : tags) {
    auto o = AsObject(e);
    auto k = Member(o, "Key");
    auto v = Member(o, "Value");
    if (!k || !v) continue;  // the model's check refused it already
    std::string key(AsString(*k)), value(AsString(*v));
    if (!AllTagCharacters(key))
      ThrowValidation(std::string(kInvalid) + "Tag key contains invalid characters: " + key);
    if (!AllTagCharacters(value))
      ThrowValidation(std::string(kInvalid) + "Tag value contains invalid characters: " + value);
    auto same = std::find_if(out.begin(), out.end(), [&key](const auto& t) { return t.first == key; });
    if (same != out.end())
      same->second = std::move(value);
    else
      out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

std::optional<ApiError> AddTags(TagList& current, const TagList& add) {
  size_t count = current.size();
  for (const auto& [key, value] : add)
    if (std::none_of(current.begin(), current.end(),
                     [&key](const auto& t) { return t.first == key; }))
      ++count;
  if (count > kMaxTagsPerResource)
    return ApiError::Validation(std::string(kInvalid) + "The number of tags exceeds the limit of " +
                                std::to_string(kMaxTagsPerResource));
  for (const auto& [key, value] : add) {
    auto old = std::find_if(current.begin(), current.end(),
                            [&key](const auto& t) { return t.first == key; });
    if (old != current.end())
      old->second = value;
    else
      current.emplace_back(key, value);
  }
  return std::nullopt;
}

bool IsTableArn(std::string_view arn) {
  if (!arn.starts_with("arn:")) return false;
  size_t p = arn.find(":table/");
  if (p == std::string_view::npos) return false;
  std::string_view name = arn.substr(p + 7);
  return !name.empty() && name.find('/') == std::string_view::npos;
}

std::string TagsNextToken(std::string_view last_key) {
  return Base64Encode(std::string(kTokenPrefix) + std::string(last_key));
}

std::string ParseTagsNextToken(std::string_view token) {
  auto decoded = Base64Decode(token);
  if (!decoded.ok() || !std::string_view(*decoded).starts_with(kTokenPrefix))
    ThrowValidation("Invalid NextToken: " + std::string(token));
  return decoded->substr(sizeof kTokenPrefix - 1);
}

}  // namespace cairn::api
