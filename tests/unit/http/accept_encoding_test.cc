// Response codings: Accept-Encoding negotiation (RFC 9110 12.5.3) and EncodeResponse(), which
// compresses answers over kMinEncodedResponseBytes when the client accepts gzip or deflate.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <string_view>
#include <utility>

#include "http/compression.h"

namespace cairn::http {
namespace {

ContentCoding Chosen(std::string_view header) { return NegotiateEncoding(header).coding; }
bool IdentityOk(std::string_view header) { return NegotiateEncoding(header).identity_acceptable; }

constexpr ContentCoding kGzip = ContentCoding::kGzip;
constexpr ContentCoding kDeflate = ContentCoding::kDeflate;
constexpr ContentCoding kIdentity = ContentCoding::kIdentity;

TEST(HttpAcceptEncodingTest, NoHeaderOrEmptyMeansIdentity) {
  EXPECT_EQ(Chosen(""), kIdentity);
  EXPECT_TRUE(IdentityOk(""));
  EXPECT_EQ(Chosen("identity"), kIdentity);
  EXPECT_EQ(Chosen(" , ,"), kIdentity);
}

TEST(HttpAcceptEncodingTest, ListedCodingsAreChosen) {
  EXPECT_EQ(Chosen("gzip"), kGzip);
  EXPECT_EQ(Chosen("GZip"), kGzip);
  EXPECT_EQ(Chosen("x-gzip"), kGzip);
  EXPECT_EQ(Chosen("deflate"), kDeflate);
  EXPECT_EQ(Chosen("br, deflate"), kDeflate);
  EXPECT_EQ(Chosen("br"), kIdentity);
  EXPECT_EQ(Chosen("gzip, deflate, br"), kGzip);  // a tie prefers gzip
  EXPECT_EQ(Chosen("deflate, gzip"), kGzip);
}

TEST(HttpAcceptEncodingTest, HighestWeightWins) {
  EXPECT_EQ(Chosen("gzip;q=0.5, deflate"), kDeflate);
  EXPECT_EQ(Chosen("gzip;q=0.5, deflate;q=0.4"), kGzip);
  EXPECT_EQ(Chosen("gzip ; Q=0.9 ,deflate;q=0.95"), kDeflate);
  EXPECT_EQ(Chosen("deflate;q=1.000, gzip;q=0.999"), kDeflate);
  // An explicit identity of higher weight beats a coding; unlisted identity loses to any.
  EXPECT_EQ(Chosen("gzip;q=0.5, identity"), kIdentity);
  EXPECT_EQ(Chosen("gzip;q=0.5, identity;q=0.5"), kGzip);
  EXPECT_EQ(Chosen("gzip;q=0.001"), kGzip);
}

TEST(HttpAcceptEncodingTest, ZeroWeightForbids) {
  EXPECT_EQ(Chosen("gzip;q=0"), kIdentity);
  EXPECT_EQ(Chosen("gzip;q=0.000, deflate"), kDeflate);
  EXPECT_EQ(Chosen("*, gzip;q=0"), kDeflate);
  EXPECT_TRUE(IdentityOk("gzip;q=0"));
}

TEST(HttpAcceptEncodingTest, StarCoversWhatIsNotListed) {
  EXPECT_EQ(Chosen("*"), kGzip);
  EXPECT_TRUE(IdentityOk("*"));
  EXPECT_EQ(Chosen("*;q=0.5, identity"), kIdentity);
  EXPECT_EQ(Chosen("*;q=0"), kIdentity);
  EXPECT_FALSE(IdentityOk("*;q=0"));  // nothing is acceptable: the server sends identity anyway
  EXPECT_TRUE(IdentityOk("*;q=0, identity"));
  EXPECT_EQ(Chosen("*;q=0, deflate"), kDeflate);
  EXPECT_FALSE(IdentityOk("*;q=0, deflate"));
}

TEST(HttpAcceptEncodingTest, IdentityCanBeRefused) {
  EXPECT_FALSE(IdentityOk("identity;q=0"));
  EXPECT_EQ(Chosen("identity;q=0"), kIdentity);
  EXPECT_EQ(Chosen("identity;q=0, gzip"), kGzip);
  EXPECT_FALSE(IdentityOk("identity;q=0, gzip"));
}

TEST(HttpAcceptEncodingTest, MalformedWeightsAreIgnored) {
  EXPECT_EQ(Chosen("gzip;q=abc"), kIdentity);
  EXPECT_EQ(Chosen("gzip;q=2"), kIdentity);
  EXPECT_EQ(Chosen("gzip;q=1.5"), kIdentity);
  EXPECT_EQ(Chosen("gzip;q=0.1234"), kIdentity);
  EXPECT_EQ(Chosen("gzip;q=, deflate"), kDeflate);
  EXPECT_EQ(Chosen("gzip;level=9"), kGzip);  // unknown parameters are ignored
  EXPECT_TRUE(IdentityOk("identity;q=x"));
}

std::string Inflate(const std::string& data, int window_bits) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, window_bits), Z_OK);
  std::string out(1 << 20, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

std::string JsonOfSize(size_t n) {
  std::string s = "{\"Items\":[";
  while (s.size() + 2 < n) s += "{\"k\":{\"S\":\"v\"}},";
  s.resize(n - 2, ' ');
  s += "]}";
  return s;
}

std::string HeaderOf(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "<absent>";
}

Response Encoded(std::string_view accept, std::string body) {
  Request req;
  if (!accept.empty()) req.headers.emplace_back("accept-encoding", std::string(accept));
  Response resp;
  resp.body = std::move(body);
  EncodeResponse(req, resp);
  return resp;
}

TEST(HttpEncodeResponseTest, LargeAnswersAreCompressed) {
  std::string body = JsonOfSize(kMinEncodedResponseBytes + 1);
  Response r = Encoded("gzip", body);
  EXPECT_EQ(HeaderOf(r, "Content-Encoding"), "gzip");
  EXPECT_EQ(HeaderOf(r, "Vary"), "Accept-Encoding");
  EXPECT_LT(r.body.size(), body.size());
  EXPECT_EQ(Inflate(r.body, 16 + MAX_WBITS), body);
  r = Encoded("deflate", body);
  EXPECT_EQ(HeaderOf(r, "Content-Encoding"), "deflate");
  EXPECT_EQ(Inflate(r.body, MAX_WBITS), body);  // "deflate" is the zlib format (RFC 9110 8.4.1.2)
}

TEST(HttpEncodeResponseTest, SmallOrUnacceptedAnswersAreNot) {
  std::string small = JsonOfSize(kMinEncodedResponseBytes);
  Response r = Encoded("gzip", small);
  EXPECT_EQ(r.body, small);
  EXPECT_TRUE(r.headers.empty());
  std::string large = JsonOfSize(100000);
  for (std::string_view accept : {"", "identity", "br", "gzip;q=0", "*;q=0"}) {
    r = Encoded(accept, large);
    EXPECT_EQ(r.body, large) << accept;
    EXPECT_TRUE(r.headers.empty()) << accept;
  }
}

TEST(HttpEncodeResponseTest, RefusedIdentityCompressesEvenASmallAnswer) {
  Response r = Encoded("identity;q=0, gzip", "{}");
  EXPECT_EQ(HeaderOf(r, "Content-Encoding"), "gzip");
  EXPECT_EQ(Inflate(r.body, 16 + MAX_WBITS), "{}");
}

TEST(HttpEncodeResponseTest, IncompressibleAnswersStayIdentity) {
  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 20000; ++i) {
    x = x * 1103515245 + 12345;
    noise.push_back(static_cast<char>(x >> 24));
  }
  Response r = Encoded("gzip", noise);
  EXPECT_EQ(r.body, noise);
  EXPECT_TRUE(r.headers.empty());
}

TEST(HttpEncodeResponseTest, AnAlreadyEncodedAnswerIsLeftAlone) {
  Request req;
  req.headers.emplace_back("accept-encoding", "gzip");
  Response resp;
  resp.body = JsonOfSize(10000);
  resp.headers.emplace_back("content-encoding", "br");
  std::string before = resp.body;
  EncodeResponse(req, resp);
  EXPECT_EQ(resp.body, before);
  EXPECT_EQ(resp.headers.size(), 1u);
}

}  // namespace
}  // namespace cairn::http
