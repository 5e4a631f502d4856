// GET /v1/route/explain (issue 8 item 3) on the real gateway: authenticated, the same
// object as `route --explain --json` plus live counters, headers shape the ranking, bad
// input is a 400 naming it; `route --explain --gateway URL` prints that gateway's live view.

#include <sstream>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "app/gateway_handler.h"
#include "app/route_cmd.h"
#include "auth/authenticator.h"
#include "config/config.h"
#include "mock/mock_server.h"
#include "support/http_client.h"
#include "support/test_server.h"
#include "upstream/options_from_config.h"

namespace gi::test {
namespace {

namespace json = boost::json;

std::string ep_yaml(const std::string& id, const std::string& model, const std::string& base) {
  return "  - id: " + id + "\n    provider: openai\n    model: \"" + model + "\"\n    base_url: " +
         base + "\n    api_key_env: TEST_OPENAI_KEY\n    prices: {input: \"0.15\", output: \"0.6\"}\n"
         "    quality: {chat: 0.8}\n    quality_source: \"estimate: test\"\n";
}

class router_explain : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mock_.start("127.0.0.1", 0));
    std::string base = mock_.base_url() + "/v1";
    std::string yaml = "catalog: false\nserver:\n  host: 127.0.0.1\n  port: 0\n  threads: 1\n"
                       "logging:\n  access_log: false\n"
                       "auth:\n  keys:\n    - id: t\n      sha256: " +
                       auth::sha256_hex(test_api_key) + "\nendpoints:\n" +
                       ep_yaml("x/slow", "gpt-4o-mini@latency_ms=60", base) +
                       ep_yaml("x/fast", "gpt-4o-mini", base) +
                       "routing:\n  default_task: chat\n  chains:\n    chat: [x/slow, x/fast]\n"
                       "  latency: {min_samples: 2}\n";
    auto cfg = config::load_string(yaml, "<test>");
    ASSERT_TRUE(cfg) << cfg.error().to_string();
    client_ = std::make_shared<upstream::client>(upstream::options_from_config((*cfg)->upstream));
    handler_ = std::make_shared<app::gateway_handler>(
        *cfg, client_, core::system_clock_source::instance(),
        std::make_shared<telemetry::metrics_registry>(),
        [](const std::string& name) -> std::optional<std::string> {
          if (name == "TEST_OPENAI_KEY") return "sk-upstream";
          return std::nullopt;
        });
    server_ = std::make_unique<running_server>(*cfg, handler_);
  }
  void TearDown() override {
    server_->server().stop();
    server_->server().wait();
    client_->close_idle();
    mock_.stop();
  }
  std::optional<http_response> explain(const std::string& query, const std::string& headers) {
    return simple_request(server_->port(), "GET", "/v1/route/explain" + query, "", headers);
  }
  void warm(const std::string& model, int n) {
    for (int i = 0; i < n; ++i) {
      auto b = R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}]})";
      auto r = simple_request(server_->port(), "POST", "/v1/chat/completions", b,
                              auth_header() + "Content-Type: application/json\r\nX-GammaInfra-Fallback: off\r\n");
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << r->body;
    }
  }

  mock::mock_server mock_;
  std::shared_ptr<upstream::client> client_;
  std::shared_ptr<app::gateway_handler> handler_;
  std::unique_ptr<running_server> server_;
};

TEST_F(router_explain, requires_a_key) {
  auto r = explain("?task=chat", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401) << r->body;
  r = simple_request(server_->port(), "POST", "/v1/route/explain", "{}", auth_header());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405) << r->body;
}

TEST_F(router_explain, bad_input_is_a_400_naming_it) {
  auto r = explain("?task=poetry", auth_header());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(json::parse(r->body).at("error").at("param").as_string(), "task");
  r = explain("?task=chat", auth_header() + "X-GammaInfra-Preference: fastest\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(json::parse(r->body).at("error").at("param").as_string(), "X-GammaInfra-Preference");
}

TEST_F(router_explain, live_stats_reorder_and_show) {
  // Cold: both from the prior, the chain order.
  auto r = explain("?task=chat", auth_header() + "X-GammaInfra-Preference: latency\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = json::parse(r->body).as_object();
  EXPECT_EQ(j.at("task").as_string(), "chat");
  EXPECT_EQ(j.at("preference").as_string(), "latency");
  EXPECT_EQ(j.at("router_version").as_string(), handler_->router_version());
  auto c = j.at("candidates").as_array();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].at("endpoint").as_string(), "x/slow");
  EXPECT_EQ(c[0].at("p50_source").as_string(), "prior");
  EXPECT_EQ(c[0].at("live").at("circuit").as_string(), "closed");
  EXPECT_TRUE(c[0].at("live").at("from_prior").as_bool());

  warm("x/slow", 3);
  warm("x/fast", 3);
  handler_->router().stats().refresh();
  r = explain("", auth_header() + "X-GammaInfra-Preference: latency\r\n");  // default task
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  j = json::parse(r->body).as_object();
  c = j.at("candidates").as_array();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].at("endpoint").as_string(), "x/fast");
  EXPECT_EQ(c[0].at("p50_source").as_string(), "live");
  EXPECT_EQ(c[1].at("endpoint").as_string(), "x/slow");
  EXPECT_GE(c[1].at("p50_ms").as_int64(), 50);
  EXPECT_EQ(c[1].at("live").at("samples").as_int64(), 3);

  // The CLI against this gateway prints the same ranking, live.
  app::route_options o;
  o.explain = true;
  o.task = "chat";
  o.headers = {"X-GammaInfra-Preference: latency"};
  o.gateway = "http://127.0.0.1:" + std::to_string(server_->port());
  o.api_key = test_api_key;
  std::ostringstream out, err;
  ASSERT_EQ(app::run_route_cmd(o, out, err), 0) << err.str();
  auto text = out.str();
  auto fast = text.find("x/fast"), slow = text.find("x/slow");
  ASSERT_NE(fast, std::string::npos) << text;
  ASSERT_NE(slow, std::string::npos) << text;
  EXPECT_LT(fast, slow) << text;
  EXPECT_EQ(text.find("p50=prior"), std::string::npos) << text;
  EXPECT_NE(text.find("(live: http://127.0.0.1:"), std::string::npos) << text;

  o.json = true;
  std::ostringstream jout;
  ASSERT_EQ(app::run_route_cmd(o, jout, err), 0) << err.str();
  EXPECT_EQ(json::parse(jout.str()).at("candidates").as_array().size(), 2u);

  // Wrong key: a clear error, exit 1.
  o.api_key = "sk-gammainfra-wrong";
  std::ostringstream out2, err2;
  EXPECT_EQ(app::run_route_cmd(o, out2, err2), 1);
  EXPECT_NE(err2.str().find("401"), std::string::npos) << err2.str();
}

}  // namespace
}  // namespace gi::test
