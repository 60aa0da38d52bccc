// Cors (http/cors.h): preflights and the headers of actual answers, for "*", lists and off.
#include "http/cors.h"

#include <gtest/gtest.h>

#include <string>

namespace cairn::http {
namespace {

Request Preflight(std::string origin, std::string method, std::string headers = "") {
  Request r;
  r.method = "OPTIONS";
  r.url = "/";
  r.headers = {{"origin", std::move(origin)}, {"access-control-request-method", std::move(method)}};
  if (!headers.empty()) r.headers.emplace_back("access-control-request-headers", headers);
  return r;
}

std::string HeaderOf(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "<none>";
}

TEST(CorsTest, AnyOriginPreflightAllowsTheSdkHeaders) {
  Cors cors("*");
  Response resp;
  ASSERT_TRUE(cors.AnswerPreflight(
      Preflight("http://app.example", "POST",
                "Content-Type, Authorization, X-Amz-Date, X-Amz-Target, amz-sdk-invocation-id, "
                "amz-sdk-request, x-amz-user-agent"),
      resp));
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(HeaderOf(resp, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(HeaderOf(resp, "Access-Control-Allow-Methods"), "GET, POST, OPTIONS");
  EXPECT_EQ(HeaderOf(resp, "Access-Control-Allow-Headers"),
            "content-type, authorization, x-amz-date, x-amz-target, amz-sdk-invocation-id, "
            "amz-sdk-request, x-amz-user-agent");
  EXPECT_EQ(HeaderOf(resp, "Access-Control-Max-Age"), "86400");
  EXPECT_TRUE(resp.body.empty());
}

TEST(CorsTest, PreflightRefusedForOtherMethodsHeadersAndOrigins) {
  Cors list("https://a.example, http://localhost:3000/");
  for (const Request& r : {Preflight("https://b.example", "POST"),
                           Preflight("https://a.example", "DELETE"),
                           Preflight("https://a.example", "POST", "x-custom")}) {
    Response resp;
    ASSERT_TRUE(list.AnswerPreflight(r, resp));
    EXPECT_EQ(resp.status, 403);
    EXPECT_EQ(HeaderOf(resp, "Access-Control-Allow-Origin"), "<none>");
  }
  Response ok;
  ASSERT_TRUE(list.AnswerPreflight(Preflight("http://LOCALHOST:3000", "POST"), ok));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(HeaderOf(ok, "Access-Control-Allow-Origin"), "http://LOCALHOST:3000");
  EXPECT_EQ(HeaderOf(ok, "Vary"), "Origin");
}

TEST(CorsTest, NotAPreflight) {
  Cors cors("*");
  Response resp;
  Request options = Preflight("http://a", "POST");
  options.headers.pop_back();  // no Access-Control-Request-Method
  EXPECT_FALSE(cors.AnswerPreflight(options, resp));
  Request post = Preflight("http://a", "POST");
  post.method = "POST";
  EXPECT_FALSE(cors.AnswerPreflight(post, resp));
}

TEST(CorsTest, ActualAnswersExposeTheProtocolHeaders) {
  Cors cors("*");
  Request r;
  r.method = "POST";
  r.headers = {{"origin", "http://app.example"}};
  Response resp;
  cors.AddHeaders(r, resp);
  EXPECT_EQ(HeaderOf(resp, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(HeaderOf(resp, "Access-Control-Expose-Headers"),
            "x-amzn-RequestId, x-amz-crc32, x-amz-id-2");
  Response none;
  r.headers.clear();  // no Origin: not a cross-origin call
  cors.AddHeaders(r, none);
  EXPECT_TRUE(none.headers.empty());
}

TEST(CorsTest, OffAddsNothing) {
  Cors off("");
  EXPECT_FALSE(off.enabled());
  Response resp;
  EXPECT_FALSE(off.AnswerPreflight(Preflight("http://a", "POST"), resp));
  Request r;
  r.headers = {{"origin", "http://a"}};
  off.AddHeaders(r, resp);
  EXPECT_TRUE(resp.headers.empty());
}

}  // namespace
}  // namespace cairn::http
