// Strict base64; see base64.h.
#include "types/base64.h"

#include <array>
#include <cstdint>

namespace cairn {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kInvalid = 0xFF;
constexpr uint8_t kPad = 0xFE;

constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (uint8_t i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = i;
  t[static_cast<uint8_t>('=')] = kPad;
  return t;
}
constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

Status BadCharacter(char c) {
  return Status::InvalidArgument(std::string("Invalid Base64 character: '") + c + "'");
}

}  // namespace

char* Base64EncodeTo(std::string_view raw, char* p) {
  const auto* in = reinterpret_cast<const uint8_t*>(raw.data());
  size_t i = 0;
  for (; i + 3 <= raw.size(); i += 3) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    *p++ = kAlphabet[(v >> 18) & 63];
    *p++ = kAlphabet[(v >> 12) & 63];
    *p++ = kAlphabet[(v >> 6) & 63];
    *p++ = kAlphabet[v & 63];
  }
  const size_t rest = raw.size() - i;
  if (rest == 1) {
    const uint32_t v = uint32_t{in[i]} << 16;
    *p++ = kAlphabet[(v >> 18) & 63];
    *p++ = kAlphabet[(v >> 12) & 63];
    *p++ = '=';
    *p++ = '=';
  } else if (rest == 2) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8);
    *p++ = kAlphabet[(v >> 18) & 63];
    *p++ = kAlphabet[(v >> 12) & 63];
    *p++ = kAlphabet[(v >> 6) & 63];
    *p++ = '=';
  }
  return p;
}

void Base64Encode(std::string_view raw, std::string* out) {
  const size_t start = out->size();
  out->resize(start + Base64Length(raw.size()));
  Base64EncodeTo(raw, out->data() + start);
}

std::string Base64Encode(std::string_view raw) {
  std::string out;
  Base64Encode(raw, &out);
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return Status::InvalidArgument(
        "Base64 encoded length is expected a multiple of 4 bytes but found: " +
        std::to_string(text.size()));
  }
  std::string out;
  if (text.empty()) return out;
  size_t padding = 0;
  if (text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  const size_t body = text.size() - padding;  // symbols that carry bits
  out.resize(text.size() / 4 * 3 - padding);
  char* p = out.data();
  uint32_t acc = 0;
  for (size_t i = 0; i < body; ++i) {
    const uint8_t v = kDecode[static_cast<uint8_t>(text[i])];
    if (v >= 64) return BadCharacter(text[i]);  // includes '=' before the padding
    acc = (acc << 6) | v;
    if (i % 4 == 3) {
      *p++ = static_cast<char>(acc >> 16);
      *p++ = static_cast<char>(acc >> 8);
      *p++ = static_cast<char>(acc);
      acc = 0;
    }
  }
  if (padding == 2) {  // 2 symbols = 12 bits -> 1 byte; the low 4 bits must be zero
    if ((acc & 0xF) != 0)
      return Status::InvalidArgument("Invalid last non-pad Base64 character dectected");
    *p++ = static_cast<char>(acc >> 4);
  } else if (padding == 1) {  // 3 symbols = 18 bits -> 2 bytes; the low 2 bits must be zero
    if ((acc & 0x3) != 0)
      return Status::InvalidArgument("Invalid last non-pad Base64 character dectected");
    *p++ = static_cast<char>(acc >> 10);
    *p++ = static_cast<char>(acc >> 2);
  }
  return out;
}

}  // namespace cairn
