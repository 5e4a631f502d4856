#include "gateway_mock_fixture.h"

#include <boost/json/serialize.hpp>

#include "auth/authenticator.h"
#include "config/config.h"
#include "core/clock.h"
#include "telemetry/metrics.h"
#include "upstream/options_from_config.h"

namespace gi::test {

mock::mock_server* gateway_mock_test::mock_ = nullptr;

std::optional<std::string> test_env(const std::string& name) {
  if (name == "TEST_KEY" || name == "TEST_OPENAI_KEY") return "sk-upstream";
  if (name == "TEST_UPSTREAM_KEY") return "upstream-key";
  if (name == "TEST_AWS_AKID") return "AKIDEXAMPLE";
  if (name == "TEST_AWS_SECRET") return "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  if (name == "TEST_AWS_BAD") return "not-the-secret";
  if (name == "TEST_AWS_TOKEN") return "FQoGZXIvYXdzEXAMPLESESSIONTOKEN";
  if (name == "TEST_BEDROCK_API_KEY") return "bedrock-api-key-test";
  return std::nullopt;
}

std::string endpoint_yaml(const endpoint_spec& e) {
  std::string y = "  - id: " + e.id + "\n    provider: " + e.provider + "\n    model: \"" + e.model +
                  "\"\n    base_url: " + e.base_url + "\n";
  if (!e.key_env.empty()) y += "    api_key_env: " + e.key_env + "\n";
  return y + e.extra + "    prices: " + e.prices + "\n";
}

std::vector<std::string> sse_data(const std::string& body) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = body.find("data: ", pos)) != std::string::npos) {
    auto end = body.find("\n\n", pos);
    out.push_back(body.substr(pos + 6, end - pos - 6));
    pos = end;
  }
  return out;
}

void gateway_mock_test::SetUpTestSuite() {
  mock_ = new mock::mock_server();
  auto p = mock_->start("127.0.0.1", 0);
  ASSERT_TRUE(p) << p.error().message;
}

void gateway_mock_test::TearDownTestSuite() {
  mock_->stop();
  delete mock_;
  mock_ = nullptr;
}

void gateway_mock_test::stop() {
  if (!server_) return;
  server_->server().stop();
  server_->server().wait();
  client_->close_idle();
  server_.reset();
  handler_.reset();
  client_.reset();
}

void gateway_mock_test::start(const std::string& endpoints_yaml, const std::string& chain,
                              const std::string& upstream_extra) {
  stop();
  std::string yaml = "catalog: false\nserver:\n  host: 127.0.0.1\n  port: 0\n  threads: 2\n"
                     "logging:\n  access_log: false\n"
                     "upstream:\n  timeouts:\n    ttfb: " + upstream_timeout_ + "\n    stall: " +
                     upstream_timeout_ + "\n" + upstream_extra +
                     "auth:\n  keys:\n    - id: t\n      sha256: " + auth::sha256_hex(test_api_key) +
                     "\nendpoints:\n" + endpoints_yaml +
                     "routing:\n  default_task: chat\n  chains:\n    chat: [" + chain + "]\n";
  auto cfg = config::load_string(yaml, "<test>");
  ASSERT_TRUE(cfg) << cfg.error().to_string() << "\n" << yaml;
  auto metrics = std::make_shared<telemetry::metrics_registry>();
  client_ = std::make_shared<upstream::client>(upstream::options_from_config((*cfg)->upstream));
  handler_ = std::make_shared<app::gateway_handler>(*cfg, client_, core::system_clock_source::instance(),
                                                    metrics, test_env);
  server_ = std::make_unique<running_server>(*cfg, handler_);
}

std::optional<http_response> gateway_mock_test::chat(const std::string& body, const std::string& headers) {
  return simple_request(server_->port(), "POST", "/v1/chat/completions", body,
                        auth_header() + "Content-Type: application/json\r\n" + headers);
}

std::optional<http_response> gateway_mock_test::chat(const boost::json::object& body,
                                                     const std::string& headers) {
  return chat(boost::json::serialize(body), headers);
}

}  // namespace gi::test
