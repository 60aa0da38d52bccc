// Big-endian integers: fixed-width unsigned integers written most significant byte first, so that
// memcmp order of the bytes equals numeric order. Every on-disk key and length field that
// docs/format.md calls "u16/u32/u64 BE" is written and read with these.
// Invariants: AppendBigEndianN appends exactly N/8 bytes; ReadBigEndianN(bytes) reads the first
// N/8 bytes and inverts AppendBigEndianN. Pure functions: safe from any thread.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>

namespace cairn {

// Writes v into dst[0, 2|4|8).
// REQUIRES: dst points at 2, 4 or 8 writable bytes (as the width).
constexpr void PutBigEndian16(char* dst, uint16_t v) {
  dst[0] = static_cast<char>(v >> 8);
  dst[1] = static_cast<char>(v);
}

constexpr void PutBigEndian32(char* dst, uint32_t v) {
  for (int i = 3; i >= 0; --i) {
    dst[i] = static_cast<char>(v);
    v >>= 8;
  }
}

constexpr void PutBigEndian64(char* dst, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    dst[i] = static_cast<char>(v);
    v >>= 8;
  }
}

inline void AppendBigEndian16(std::string* out, uint16_t v) {
  char b[2];
  PutBigEndian16(b, v);
  out->append(b, sizeof(b));
}

inline void AppendBigEndian32(std::string* out, uint32_t v) {
  char b[4];
  PutBigEndian32(b, v);
  out->append(b, sizeof(b));
}

inline void AppendBigEndian64(std::string* out, uint64_t v) {
  char b[8];
  PutBigEndian64(b, v);
  out->append(b, sizeof(b));
}

// Reads the integer in the first 2, 4 or 8 bytes of `bytes`; later bytes are ignored.
// REQUIRES: bytes.size() >= 2, 4 or 8 (as the width). Callers check stored input first: a short
// value is corruption to report, never a read past the end.
constexpr uint16_t ReadBigEndian16(std::string_view bytes) {
  assert(bytes.size() >= 2);
  return static_cast<uint16_t>((static_cast<uint16_t>(static_cast<uint8_t>(bytes[0])) << 8) |
                               static_cast<uint8_t>(bytes[1]));
}

constexpr uint32_t ReadBigEndian32(std::string_view bytes) {
  assert(bytes.size() >= 4);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return v;
}

constexpr uint64_t ReadBigEndian64(std::string_view bytes) {
  assert(bytes.size() >= 8);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return v;
}

}  // namespace cairn
