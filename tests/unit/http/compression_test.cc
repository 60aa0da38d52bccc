// Content-Encoding decoding: gzip (RFC 1952), deflate (RFC 1950, and raw RFC 1951), limits.
#include "http/compression.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace cairn::http {
namespace {

std::string Compress(const std::string& data, int window_bits) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Sample() {
  std::string s;
  for (int i = 0; i < 5000; ++i) s += "{\"id\":{\"N\":\"" + std::to_string(i) + "\"}},";
  return s;
}

TEST(CompressionTest, ParsesContentCodingHeader) {
  EXPECT_EQ(ParseContentCoding(""), ContentCoding::kIdentity);
  EXPECT_EQ(ParseContentCoding("identity"), ContentCoding::kIdentity);
  EXPECT_EQ(ParseContentCoding(" GZIP "), ContentCoding::kGzip);
  EXPECT_EQ(ParseContentCoding("x-gzip"), ContentCoding::kGzip);
  EXPECT_EQ(ParseContentCoding("Deflate"), ContentCoding::kDeflate);
  EXPECT_EQ(ParseContentCoding("br"), ContentCoding::kUnsupported);
  EXPECT_EQ(ParseContentCoding("gzip, br"), ContentCoding::kUnsupported);
}

TEST(CompressionTest, InflatesGzip) {
  std::string data = Sample();
  std::string out = "old contents";
  EXPECT_EQ(Inflate(ContentCoding::kGzip, Compress(data, 16 + 15), 1 << 20, &out),
            InflateResult::kOk);
  EXPECT_EQ(out, data);
}

TEST(CompressionTest, InflatesZlibAndRawDeflate) {
  std::string data = Sample();
  std::string out;
  EXPECT_EQ(Inflate(ContentCoding::kDeflate, Compress(data, 15), 1 << 20, &out),
            InflateResult::kOk);
  EXPECT_EQ(out, data);
  EXPECT_EQ(Inflate(ContentCoding::kDeflate, Compress(data, -15), 1 << 20, &out),
            InflateResult::kOk);
  EXPECT_EQ(out, data);
}

TEST(CompressionTest, ConcatenatedGzipMembers) {
  std::string out;
  EXPECT_EQ(Inflate(ContentCoding::kGzip, Compress("abc", 31) + Compress("def", 31), 100, &out),
            InflateResult::kOk);
  EXPECT_EQ(out, "abcdef");
}

TEST(CompressionTest, EmptyBody) {
  std::string out = "x";
  EXPECT_EQ(Inflate(ContentCoding::kGzip, Compress("", 31), 100, &out), InflateResult::kOk);
  EXPECT_EQ(out, "");
}

TEST(CompressionTest, RejectsCorruptAndTruncatedInput) {
  std::string out;
  EXPECT_EQ(Inflate(ContentCoding::kGzip, "not gzip", 100, &out), InflateResult::kCorrupt);
  EXPECT_EQ(Inflate(ContentCoding::kGzip, "", 100, &out), InflateResult::kCorrupt);
  std::string gz = Compress(Sample(), 31);
  EXPECT_EQ(Inflate(ContentCoding::kGzip, gz.substr(0, gz.size() - 10), 1 << 20, &out),
            InflateResult::kCorrupt);
  std::string z = Compress("abc", 15);
  EXPECT_EQ(Inflate(ContentCoding::kDeflate, z + "trailing", 100, &out), InflateResult::kCorrupt);
}

TEST(CompressionTest, StopsAtTheLimit) {
  std::string data(1 << 20, 'a');
  std::string gz = Compress(data, 31);
  std::string out;
  EXPECT_EQ(Inflate(ContentCoding::kGzip, gz, data.size(), &out), InflateResult::kOk);
  EXPECT_EQ(out.size(), data.size());
  EXPECT_EQ(Inflate(ContentCoding::kGzip, gz, data.size() - 1, &out), InflateResult::kTooLarge);
  EXPECT_LE(out.size(), data.size());
}

}  // namespace
}  // namespace cairn::http
