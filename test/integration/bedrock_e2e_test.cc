// Gateway + mock end to end for Bedrock (providers.md §9): the gateway signs with SigV4 and
// the mock verifies every request; non-stream and event-stream answers, tools, faults before
// the stream (fallback), an exception frame after content, corrupt framing (fallback), a
// wrong secret (403 -> fallback), a Bedrock API key (bearer), and http(s) image URLs
// (Bedrock takes none, §9.2: skipped for an endpoint that does, else a 400 naming the part).

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "support/gateway_mock_fixture.h"
#include "support/test_support.h"

namespace gi::test {
namespace {

namespace json = boost::json;

std::string bedrock_yaml(const std::string& id, const std::string& model, const std::string& base,
                         const std::string& secret_env = "TEST_AWS_SECRET", const std::string& extra = "") {
  return endpoint_yaml({.id = id, .provider = "bedrock", .model = model, .base_url = base, .key_env = "",
                        .prices = R"({input: "3.00", cached_input: "0.30", output: "15.00"})",
                        .extra = "    aws_region: eu-west-1\n    aws_access_key_id_env: TEST_AWS_AKID\n"
                                 "    aws_secret_access_key_env: " + secret_env +
                                 "\n    aws_session_token_env: TEST_AWS_TOKEN\n" + extra});
}

class bedrock_e2e : public gateway_mock_test {
 protected:
  std::string base() const { return mock_base(); }
};

std::string body_for(const std::string& model, bool stream = false, const std::string& extra = "") {
  std::string b = R"({"model":")" + model + R"(","messages":[{"role":"user","content":"Say hello to bedrock"}])" + extra;
  if (stream) b += R"(,"stream":true,"stream_options":{"include_usage":true})";
  return b + "}";
}

TEST_F(bedrock_e2e, signed_non_stream_answer) {
  start(bedrock_yaml("bedrock/claude", "eu.anthropic.claude-sonnet-4-5-20250929-v1:0", base()), "bedrock/claude");
  auto r = chat(body_for("bedrock/claude"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto v = json::parse(r->body);
  EXPECT_EQ(v.at("choices").at(0).at("message").at("content").as_string(), "Mock answer to: Say hello to bedrock");
  EXPECT_GT(v.at("usage").at("prompt_tokens").as_int64(), 0);
}

TEST_F(bedrock_e2e, signed_event_stream_with_tools_and_usage) {
  start(bedrock_yaml("bedrock/claude", "eu.anthropic.claude-sonnet-4-5-20250929-v1:0", base()), "bedrock/claude");
  auto r = chat(body_for("bedrock/claude", true,
                         R"(,"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],"tool_choice":"required")"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find(R"("name":"get_weather")"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(R"("finish_reason":"tool_calls")"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(R"("usage":{)"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("data: [DONE]"), std::string::npos) << r->body;
}

TEST_F(bedrock_e2e, faults_before_commit_fall_back) {
  for (const char* fault : {"429", "overloaded", "stream_error,after=1", "invalid_json", "close_mid_stream,after=1"}) {
    SCOPED_TRACE(fault);
    start(bedrock_yaml("bad/one", std::string("m@fault=") + fault, base()) +
              bedrock_yaml("good/two", "amazon.nova-lite-v1:0", base()),
          "bad/one, good/two");
    auto r = chat(body_for("auto", true));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->header("x-gammainfra-endpoint"), "good/two");
    // Streamed one word per delta.
    EXPECT_NE(r->body.find(R"("content":" bedrock")"), std::string::npos) << r->body;
    EXPECT_NE(r->body.find("data: [DONE]"), std::string::npos) << r->body;
  }
}

TEST_F(bedrock_e2e, exception_frame_after_content_ends_the_stream_with_an_error) {
  start(bedrock_yaml("bedrock/x", "m@fault=stream_error,after=4", base()), "bedrock/x");
  auto r = chat(body_for("bedrock/x", true));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find(R"("content":"Mock")"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(R"("error")"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("[DONE]"), std::string::npos) << r->body;
}

TEST_F(bedrock_e2e, wrong_secret_is_rejected_by_the_mock_and_falls_back) {
  start(bedrock_yaml("bad/secret", "amazon.nova-lite-v1:0", base(), "TEST_AWS_BAD") +
            bedrock_yaml("good/two", "amazon.nova-lite-v1:0", base()),
        "bad/secret, good/two");
  auto r = chat(body_for("auto"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "good/two");
  EXPECT_NE(r->header("x-gammainfra-fallback-chain").find("bad/secret;error=403"), std::string::npos)
      << r->header("x-gammainfra-fallback-chain");
}

TEST_F(bedrock_e2e, bedrock_api_key_is_sent_as_bearer) {
  start("  - id: bedrock/key\n    provider: bedrock\n    model: \"amazon.nova-lite-v1:0\"\n    base_url: " + base() +
            "\n    aws_region: us-east-1\n    api_key_env: TEST_BEDROCK_API_KEY\n"
            "    prices: {input: \"1\", output: \"1\"}\n",
        "bedrock/key");
  auto r = chat(body_for("bedrock/key"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}


// Converse takes images as bytes or S3 locations only (providers.md §9.2): a request with an
// http(s) image URL skips Bedrock endpoints (capability, visible in the fallback chain) and
// is served by an endpoint that can take it; a 400 naming the part only when none can.
TEST_F(bedrock_e2e, image_url_skips_bedrock_for_an_endpoint_that_takes_urls) {
  const std::string vision = "    capabilities: {vision: true}\n";
  start(bedrock_yaml("bedrock/claude", "anthropic.claude-3-haiku-20240307-v1:0", base(), "TEST_AWS_SECRET", vision) +
            endpoint_yaml({.id = "openai/vision", .model = "gpt-4o-mini", .base_url = base() + "/v1", .extra = vision}),
        "bedrock/claude, openai/vision");
  const std::string body =
      R"({"model":"MODEL","messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},)"
      R"({"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]})";
  auto with_model = [&](const std::string& m) {
    std::string b = body;
    return b.replace(b.find("MODEL"), 5, m);
  };

  for (const char* model : {"auto", "bedrock/claude"}) {
    SCOPED_TRACE(model);
    auto r = chat(with_model(model));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->header("x-gammainfra-endpoint"), "openai/vision");
    EXPECT_NE(r->header("x-gammainfra-fallback-chain").find("bedrock/claude;skipped=incapable"), std::string::npos)
        << r->header("x-gammainfra-fallback-chain");
  }

  // Pinned with the fallback off: nothing can serve it, and the 400 names the part.
  auto off = chat(with_model("bedrock/claude"), "X-GammaInfra-Fallback: off\r\n");
  ASSERT_TRUE(off);
  EXPECT_EQ(off->status, 400) << off->body;
  auto err = json::parse(off->body).at("error");
  EXPECT_EQ(err.at("param"), "messages[0].content[1].image_url.url");
  EXPECT_EQ(err.at("code"), "unsupported_image_url");

  // The same image inline goes to Bedrock (signed, verified by the mock).
  std::string inline_body = with_model("bedrock/claude");
  inline_body.replace(inline_body.find("https://example.com/cat.png"), 27,
                      "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==");
  auto ok = chat(inline_body, "X-GammaInfra-Fallback: off\r\n");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(ok->header("x-gammainfra-endpoint"), "bedrock/claude");
}

TEST_F(bedrock_e2e, image_url_with_only_bedrock_in_the_chain_is_a_400_naming_the_part) {
  start(bedrock_yaml("bedrock/claude", "anthropic.claude-3-haiku-20240307-v1:0", base(), "TEST_AWS_SECRET",
                     "    capabilities: {vision: true}\n"),
        "bedrock/claude");
  auto r = chat(R"({"model":"auto","messages":[{"role":"system","content":"be brief"},{"role":"user","content":[)"
                R"({"type":"image_url","image_url":{"url":"http://example.com/a.jpg"}}]}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(json::parse(r->body).at("error").at("param"), "messages[1].content[0].image_url.url");
}

}  // namespace
}  // namespace gi::test
