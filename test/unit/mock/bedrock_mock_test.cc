// The mock's own Bedrock wire pieces: its SigV4 verifier accepts the botocore-generated
// Bedrock vectors and rejects tampering, unknown keys and clock skew; its event-stream
// encoder reproduces the reference frame byte for byte; the handler routes the real paths,
// answers 403 on a bad signature and 400 for toolUse history without toolConfig.

#include <gtest/gtest.h>

#include "mock/bedrock_wire.h"
#include "mock/wire_formats.h"
#include "support/test_support.h"

namespace gi::mock {
namespace {

using headers_t = std::vector<std::pair<std::string_view, std::string_view>>;

const std::string body = R"({"messages":[{"role":"user","content":[{"text":"Hello"}]}],"inferenceConfig":{"maxTokens":64}})";
const std::string target = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse";
// converse-claude from test/data/sigv4/bedrock-botocore (botocore 1.43.11).
const headers_t botocore_headers = {
    {"Host", "bedrock-runtime.us-east-1.amazonaws.com"},
    {"Content-Type", "application/json"},
    {"Accept", "application/json"},
    {"X-Amz-Date", "20150830T123600Z"},
    {"Authorization",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request, "
     "SignedHeaders=accept;content-type;host;x-amz-date, "
     "Signature=202e2d0b76609e71f2e58d963639675b167d7ead0eb4c835e4874b4e2dd12143"}};

bedrock_wire::verify_input input(const headers_t& h, std::string_view b, std::int64_t now = 0) {
  return {"POST", target, &h, b, "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", now};
}

TEST(bedrock_mock_sigv4, accepts_the_botocore_vector) {
  EXPECT_FALSE(bedrock_wire::verify_sigv4(input(botocore_headers, body)));
}

TEST(bedrock_mock_sigv4, rejects_a_changed_body_or_header) {
  auto f = bedrock_wire::verify_sigv4(input(botocore_headers, body + " "));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->error_type, "InvalidSignatureException");
  EXPECT_NE(f->message.find("does not match"), std::string::npos);
  headers_t h = botocore_headers;
  h[2].second = "text/plain";
  EXPECT_TRUE(bedrock_wire::verify_sigv4(input(h, body)));
}

TEST(bedrock_mock_sigv4, unknown_key_missing_auth_and_skew) {
  auto in = input(botocore_headers, body);
  in.access_key_id = "AKIDOTHER";
  auto f = bedrock_wire::verify_sigv4(in);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->error_type, "UnrecognizedClientException");
  headers_t none = {{"Host", "h"}};
  EXPECT_EQ(bedrock_wire::verify_sigv4(input(none, body))->error_type, "MissingAuthenticationTokenException");
  // 2015-08-30T12:36:00Z = 1440938160; 6 minutes later is outside the 5-minute window.
  EXPECT_FALSE(bedrock_wire::verify_sigv4(input(botocore_headers, body, 1440938160 + 240)));
  auto skew = bedrock_wire::verify_sigv4(input(botocore_headers, body, 1440938160 + 360));
  ASSERT_TRUE(skew);
  EXPECT_NE(skew->message.find("Signature expired"), std::string::npos);
}

TEST(bedrock_mock_eventstream, encoder_matches_the_reference_frame) {
  const std::string ref = test::read_file(test::source_dir() / "test" / "data" / "bedrock-eventstream" / "single-contentBlockDelta.bin");
  EXPECT_EQ(bedrock_wire::event_frame("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"Hi"}})"), ref);
}

TEST(bedrock_mock_handler, routes_verifies_and_validates) {
  mock_context ctx;
  mock_request r;
  r.method = "POST";
  r.target = target;
  r.body = body;
  r.all_headers = &botocore_headers;
  auto p = handle_bedrock(r, ctx);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 200);
  EXPECT_NE(p->body.find("Mock answer to: Hello"), std::string::npos) << p->body;

  mock_request other = r;
  other.target = "/v1/chat/completions";
  EXPECT_FALSE(handle_bedrock(other, ctx));

  mock_request tampered = r;
  const std::string changed = body + "\n";
  tampered.body = changed;
  auto denied = handle_bedrock(tampered, ctx);
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403);
  EXPECT_NE(denied->body.find("signature"), std::string::npos);

  // Bearer (Bedrock API key) skips signing; toolUse history without toolConfig is a 400.
  mock_request bearer;
  bearer.method = "POST";
  bearer.target = target;
  bearer.authorization = "Bearer key";
  const std::string tool_body =
      R"({"messages":[{"role":"user","content":[{"text":"hi"}]},{"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"f","input":{}}}]},{"role":"user","content":[{"toolResult":{"toolUseId":"t1","content":[{"text":"ok"}]}}]}]})";
  bearer.body = tool_body;
  auto v = handle_bedrock(bearer, ctx);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->status, 400);
  EXPECT_NE(v->body.find("toolConfig"), std::string::npos);

  // Stream: event-stream content type, frames, exception frame on a stream_error fault.
  mock_request s = bearer;
  s.target = "/model/m%40fault%3Dstream_error%2Cafter%3D2/converse-stream";
  s.body = body;
  auto sp = handle_bedrock(s, ctx);
  ASSERT_TRUE(sp);
  EXPECT_TRUE(sp->streaming);
  ASSERT_EQ(sp->events.size(), 3u);
  EXPECT_NE(sp->events.back().find("throttlingException"), std::string::npos);
}

}  // namespace
}  // namespace gi::mock
