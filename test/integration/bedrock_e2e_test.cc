// Gateway + mock end to end for Bedrock (providers.md §9): the gateway signs with SigV4 and
// the mock verifies every request; non-stream and event-stream answers, tools, faults before
// the stream (fallback), an exception frame after content, corrupt framing (fallback), a
// wrong secret (403 -> fallback) and a Bedrock API key (bearer).

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "app/gateway_handler.h"
#include "auth/authenticator.h"
#include "config/config.h"
#include "mock/mock_server.h"
#include "support/http_client.h"
#include "support/test_server.h"
#include "support/test_support.h"
#include "upstream/options_from_config.h"

namespace gi::test {
namespace {

namespace json = boost::json;

std::string bedrock_yaml(const std::string& id, const std::string& model, const std::string& base,
                         const std::string& secret_env = "TEST_AWS_SECRET", const std::string& extra = "") {
  return "  - id: " + id + "\n    provider: bedrock\n    model: \"" + model + "\"\n    base_url: " + base +
         "\n    aws_region: eu-west-1\n    aws_access_key_id_env: TEST_AWS_AKID\n    aws_secret_access_key_env: " +
         secret_env + "\n    aws_session_token_env: TEST_AWS_TOKEN\n" + extra +
         "    prices: {input: \"3.00\", cached_input: \"0.30\", output: \"15.00\"}\n";
}

class bedrock_e2e : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    mock_ = new mock::mock_server();
    auto p = mock_->start("127.0.0.1", 0);
    ASSERT_TRUE(p) << p.error().message;
  }
  static void TearDownTestSuite() {
    mock_->stop();
    delete mock_;
  }
  void TearDown() override { stop(); }
  void stop() {
    if (!server_) return;
    server_->server().stop();
    server_->server().wait();
    client_->close_idle();
    server_.reset();
    handler_.reset();
    client_.reset();
  }
  void start(const std::string& endpoints_yaml, const std::string& chain) {
    stop();
    std::string yaml = "catalog: false\nserver:\n  host: 127.0.0.1\n  port: 0\n  threads: 2\n"
                       "logging:\n  access_log: false\n"
                       "upstream:\n  timeouts:\n    ttfb: 2s\n    stall: 2s\n"
                       "auth:\n  keys:\n    - id: t\n      sha256: " +
                       auth::sha256_hex(test_api_key) + "\nendpoints:\n" + endpoints_yaml +
                       "routing:\n  default_task: chat\n  chains:\n    chat: [" + chain + "]\n";
    auto cfg = config::load_string(yaml, "<test>");
    ASSERT_TRUE(cfg) << cfg.error().to_string() << "\n" << yaml;
    auto metrics = std::make_shared<telemetry::metrics_registry>();
    client_ = std::make_shared<upstream::client>(upstream::options_from_config((*cfg)->upstream));
    handler_ = std::make_shared<app::gateway_handler>(
        *cfg, client_, core::system_clock_source::instance(), metrics,
        [](const std::string& name) -> std::optional<std::string> {
          if (name == "TEST_AWS_AKID") return "AKIDEXAMPLE";
          if (name == "TEST_AWS_SECRET") return "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
          if (name == "TEST_AWS_BAD") return "not-the-secret";
          if (name == "TEST_AWS_TOKEN") return "FQoGZXIvYXdzEXAMPLESESSIONTOKEN";
          if (name == "TEST_BEDROCK_API_KEY") return "bedrock-api-key-test";
          return std::nullopt;
        });
    server_ = std::make_unique<running_server>(*cfg, handler_);
  }
  std::optional<http_response> chat(const std::string& body) {
    return simple_request(server_->port(), "POST", "/v1/chat/completions", body,
                          auth_header() + "Content-Type: application/json\r\n");
  }
  std::string base() const { return mock_->base_url(); }

  static mock::mock_server* mock_;
  std::shared_ptr<upstream::client> client_;
  std::shared_ptr<app::gateway_handler> handler_;
  std::unique_ptr<running_server> server_;
};
mock::mock_server* bedrock_e2e::mock_ = nullptr;

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

}  // namespace
}  // namespace gi::test
