#pragma once
// One gateway + mock upstream end-to-end fixture for the provider e2e suites: the real mock
// (mock::mock_server) on port 0 for the whole suite, and per test the real gateway (Beast
// server + gateway_handler + executor + upstream client) on port 0 with a config built from
// endpoint YAML and a chat chain. Upstream credentials come from a fixed test environment
// (test_env below), never from the process environment.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <gtest/gtest.h>

#include "app/gateway_handler.h"
#include "mock/mock_server.h"
#include "http_client.h"
#include "test_server.h"
#include "upstream/client.h"

namespace gi::test {

// The env vars the e2e configs name: TEST_KEY (and the older TEST_OPENAI_KEY /
// TEST_UPSTREAM_KEY) -> an upstream key; TEST_AWS_AKID / TEST_AWS_SECRET / TEST_AWS_TOKEN ->
// the AWS documentation example credentials the mock verifies (TEST_AWS_BAD: a wrong
// secret); TEST_BEDROCK_API_KEY -> a Bedrock API key.
std::optional<std::string> test_env(const std::string& name);

// One `endpoints:` entry.
struct endpoint_spec {
  std::string id = {};
  std::string provider = "openai";
  std::string model = {};
  std::string base_url = {};
  std::string key_env = "TEST_KEY";
  std::string prices = R"({input: "1.00", cached_input: "0.10", output: "2.00"})";
  std::string extra = {};  // more lines of the entry, each "    key: value\n"
};
std::string endpoint_yaml(const endpoint_spec& e);

// SSE `data:` payloads in order (the gateway answers with LF framing).
std::vector<std::string> sse_data(const std::string& body);

class gateway_mock_test : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void TearDown() override { stop(); }

  // Starts a gateway whose config has `endpoints_yaml` and the chat chain `chain`
  // ("a/one, b/two"). `upstream_extra` adds lines inside `upstream:` right after the
  // ttfb/stall timeouts (so "    total: 600ms\n" is one more timeout).
  void start(const std::string& endpoints_yaml, const std::string& chain,
             const std::string& upstream_extra = "");
  // Drains the server, drops the upstream pool, then destroys the server (the order serve
  // and demo use too: pooled connections live on the gateway's io_contexts).
  void stop();

  std::string mock_base() const { return mock_->base_url(); }
  std::optional<http_response> chat(const std::string& body, const std::string& headers = "");
  std::optional<http_response> chat(const boost::json::object& body, const std::string& headers = "");
  std::uint16_t gateway_port() const { return server_->port(); }
  upstream::client& upstream_client() { return *client_; }

  // Upstream ttfb and stall timeouts of the next start().
  std::string upstream_timeout_ = "2s";

  static mock::mock_server* mock_;

 private:
  std::shared_ptr<upstream::client> client_;
  std::shared_ptr<app::gateway_handler> handler_;
  std::unique_ptr<running_server> server_;
};

}  // namespace gi::test
