// ExecuteParser's two llhttp builds (http/parser_execute.h): the SSE4.2 copy must parse every input
// exactly as the portable build does. Each case runs both over the same bytes, whole and cut into
// pieces at every point, and compares the callbacks (kind and bytes, in order), the return code,
// the error position and the parsed fields.
#include "http/parser_execute.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cairn::http {
namespace {

// What a run of the parser did, as one string: every callback with its bytes, then the result.
struct Recorder {
  std::string log;

  static Recorder* Of(llhttp_t* p) { return static_cast<Recorder*>(p->data); }
  static int Data(llhttp_t* p, const char* at, size_t len, char kind) {
    Recorder* r = Of(p);
    r->log += kind;
    r->log.append(at, len);
    r->log += '\x01';
    return 0;
  }
  static int Event(llhttp_t* p, char kind) {
    Of(p)->log += kind;
    return 0;
  }
  static const llhttp_settings_t* Settings() {
    static const llhttp_settings_t settings = [] {
      llhttp_settings_t s;
      llhttp_settings_init(&s);
      s.on_message_begin = [](llhttp_t* p) { return Event(p, 'B'); };
      s.on_url = [](llhttp_t* p, const char* at, size_t len) { return Data(p, at, len, 'U'); };
      s.on_header_field = [](llhttp_t* p, const char* at, size_t len) {
        return Data(p, at, len, 'F');
      };
      s.on_header_value = [](llhttp_t* p, const char* at, size_t len) {
        return Data(p, at, len, 'V');
      };
      s.on_header_value_complete = [](llhttp_t* p) { return Event(p, 'v'); };
      s.on_headers_complete = [](llhttp_t* p) { return Event(p, 'H'); };
      s.on_body = [](llhttp_t* p, const char* at, size_t len) { return Data(p, at, len, 'D'); };
      s.on_message_complete = [](llhttp_t* p) { return Event(p, 'M'); };
      return s;
    }();
    return &settings;
  }
};

// Runs `build` over `input` cut at `cuts` (ascending offsets); stops at the first error.
std::string Parse(ParserExecuteFn build, const std::string& input, const std::vector<size_t>& cuts) {
  Recorder rec;
  llhttp_t parser;
  llhttp_init(&parser, HTTP_REQUEST, Recorder::Settings());
  parser.data = &rec;
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  for (size_t to : ends) {
    const int err = build(&parser, input.data() + from, input.data() + to);
    rec.log += "|rc=" + std::to_string(err);
    if (err != HPE_OK) {
      const char* pos = llhttp_get_error_pos(&parser);
      rec.log += " at=" + std::to_string(pos == nullptr ? -1 : pos - input.data());
      rec.log += std::string(" reason=") + (parser.reason ? parser.reason : "");
      break;
    }
    from = to;
  }
  rec.log += " method=" + std::to_string(parser.method) + " major=" +
             std::to_string(parser.http_major) + " minor=" + std::to_string(parser.http_minor) +
             " flags=" + std::to_string(parser.flags) + " keepalive=" +
             std::to_string(llhttp_should_keep_alive(&parser));
  return rec.log;
}

class ParserBuildsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sse42_ = Sse42ParserBuild();
    if (sse42_ == nullptr) GTEST_SKIP() << "no SSE4.2 build on this machine";
    ASSERT_NE(sse42_, PortableParserBuild());  // two builds, or nothing is compared
  }
  // Compares the builds on `input`: whole, and cut in two at every offset.
  void Same(const std::string& input) {
    ASSERT_EQ(Parse(sse42_, input, {}), Parse(PortableParserBuild(), input, {})) << input;
    for (size_t cut = 1; cut < input.size(); ++cut)
      ASSERT_EQ(Parse(sse42_, input, {cut}), Parse(PortableParserBuild(), input, {cut}))
          << "cut at " << cut << ": " << input;
  }
  ParserExecuteFn sse42_ = nullptr;
};

const std::string kBody = R"({"TableName":"t","Key":{"pk":{"S":"a"}}})";
const std::string kSdkRequest =
    "POST / HTTP/1.1\r\nHost: localhost:8000\r\nAccept-Encoding: identity\r\n"
    "X-Amz-Target: DynamoDB_20120810.GetItem\r\nContent-Type: application/x-amz-json-1.0\r\n"
    "User-Agent: Boto3/1.26.27 Python/3.11.2 Linux/6.1.0 Botocore/1.29.27\r\n"
    "X-Amz-Date: 20261202T120000Z\r\nAuthorization: AWS4-HMAC-SHA256 "
    "Credential=AKIDEXAMPLE/20261202/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n"
    "Content-Length: " + std::to_string(kBody.size()) + "\r\n\r\n" + kBody;

TEST(ParserExecute, NamesTheBuildItRuns) {
  EXPECT_EQ(ParserBuild(), Sse42ParserBuild() != nullptr ? "sse4.2" : "portable");
  llhttp_t parser;
  llhttp_settings_t settings;
  llhttp_settings_init(&settings);
  llhttp_init(&parser, HTTP_REQUEST, &settings);
  EXPECT_EQ(ExecuteParser(&parser, kSdkRequest.data(), kSdkRequest.size()), HPE_OK);
  EXPECT_EQ(parser.content_length, 0u);  // counted down to the end of the body
  EXPECT_EQ(parser.method, HTTP_POST);
}

TEST_F(ParserBuildsTest, SdkRequestsWholeCutAndPipelined) {
  Same(kSdkRequest);
  Same(kSdkRequest + kSdkRequest);
  Same("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  Same("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  Same("POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc");
  // Values and names longer than several 16-byte blocks, with tabs, spaces and obs-text.
  Same("POST / HTTP/1.1\r\nX-Long-Header-Name-Over-Thirty-Two-Bytes: " + std::string(300, 'v') +
       "\t \x80\xff end \r\nContent-Length: 0\r\n\r\n");
  Same("POST / HTTP/1.1\r\nX-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n");
}

// Every byte value at every position of the first 40 bytes of a header value and of a header
// name (the SSE4.2 states scan 16 bytes at a time, so a byte before, in and after a block), cut
// nowhere and at one point after it: the same result, error or not, at the same position.
TEST_F(ParserBuildsTest, EveryByteAtEveryPositionOfHeaderNamesAndValues) {
  const std::string head = "POST / HTTP/1.1\r\n";
  const std::string tail = "\r\nContent-Length: 0\r\n\r\n";
  for (int b = 0; b < 256; ++b) {
    for (size_t at = 0; at < 40; ++at) {
      std::string value(40, 'x');
      value[at] = static_cast<char>(b);
      const std::string in_value = head + "X-Test: " + value + tail;
      std::string name(40, 'n');
      name[at] = static_cast<char>(b);
      const std::string in_name = head + name + ": v" + tail;
      for (const std::string& input : {in_value, in_name}) {
        ASSERT_EQ(Parse(sse42_, input, {}), Parse(PortableParserBuild(), input, {}))
            << "byte " << b << " at " << at;
        const size_t cut = head.size() + 8 + at / 2;
        ASSERT_EQ(Parse(sse42_, input, {cut}), Parse(PortableParserBuild(), input, {cut}))
            << "byte " << b << " at " << at << " cut at " << cut;
      }
    }
  }
}

}  // namespace
}  // namespace cairn::http
