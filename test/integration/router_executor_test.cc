// The router through the real gateway and the real mock upstream (issue 8): cascade order
// and the exact Fallback-Chain grammar, latency budget → 504, p50-over-budget skips,
// Retry-After cooldown, circuit open / half-open, bounded same-endpoint retry, TTFT
// timeout, a stall after the commit point, Fallback: off, and live-p50 ranking.

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

std::string ep_yaml(const std::string& id, const std::string& model, const std::string& base,
                    const std::string& extra = "") {
  return "  - id: " + id + "\n    provider: openai\n    model: \"" + model + "\"\n    base_url: " +
         base + "\n    api_key_env: TEST_OPENAI_KEY\n    prices: {input: \"0.15\", output: \"0.6\"}\n" + extra;
}

// One Fallback-Chain element: endpoint;outcome[;ms=N] with N all digits.
struct chain_item {
  std::string endpoint, outcome;
  bool has_ms = false;
};
std::vector<chain_item> parse_chain(const std::string& h) {
  std::vector<chain_item> out;
  std::size_t pos = 0;
  while (pos <= h.size()) {
    auto end = h.find(", ", pos);
    std::string item = h.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    chain_item c;
    auto s1 = item.find(';');
    c.endpoint = item.substr(0, s1);
    auto rest = item.substr(s1 + 1);
    auto s2 = rest.find(';');
    c.outcome = rest.substr(0, s2);
    if (s2 != std::string::npos) {
      auto ms = rest.substr(s2 + 1);
      EXPECT_TRUE(ms.starts_with("ms=")) << h;
      EXPECT_GT(ms.size(), 3u) << h;
      EXPECT_EQ(ms.find_first_not_of("0123456789", 3), std::string::npos) << h;
      c.has_ms = true;
    }
    out.push_back(c);
    if (end == std::string::npos) break;
    pos = end + 2;
  }
  return out;
}
std::string outcomes(const std::string& h) {
  std::string s;
  for (const auto& c : parse_chain(h)) {
    if (!s.empty()) s += " ";
    s += c.endpoint + ":" + c.outcome;
    // ms is present exactly for attempts that ran.
    EXPECT_EQ(c.has_ms, !c.outcome.starts_with("skipped=")) << h;
  }
  return s;
}

class router_e2e : public ::testing::Test {
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
  void start(const std::string& endpoints, const std::string& chain) {
    stop();
    std::string yaml = "catalog: false\nserver:\n  host: 127.0.0.1\n  port: 0\n  threads: 2\n"
                       "logging:\n  access_log: false\n"
                       "upstream:\n  timeouts:\n    ttfb: 300ms\n    stall: 300ms\n"
                       "auth:\n  keys:\n    - id: t\n      sha256: " +
                       auth::sha256_hex(test_api_key) + "\nendpoints:\n" + endpoints +
                       "routing:\n  default_task: chat\n  chains:\n    chat: [" + chain + "]\n";
    auto cfg = config::load_string(yaml, "<test>");
    ASSERT_TRUE(cfg) << cfg.error().to_string() << "\n" << yaml;
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
  std::string base() const { return mock_->base_url() + "/v1"; }
  std::optional<http_response> chat(bool stream = false, const std::string& headers = "") {
    std::string b = R"({"model":"auto","messages":[{"role":"user","content":"Say hello"}])";
    if (stream) b += R"(,"stream":true)";
    b += "}";
    return simple_request(server_->port(), "POST", "/v1/chat/completions", b,
                          auth_header() + "Content-Type: application/json\r\n" + headers);
  }
  std::size_t idx(const std::string& id) {
    const auto& cfg = handler_->router().config();
    return static_cast<std::size_t>(cfg.find_endpoint(id) - cfg.endpoints.data());
  }

  static mock::mock_server* mock_;
  std::shared_ptr<upstream::client> client_;
  std::shared_ptr<app::gateway_handler> handler_;
  std::unique_ptr<running_server> server_;
};
mock::mock_server* router_e2e::mock_ = nullptr;

TEST_F(router_e2e, cascade_order_and_exact_chain_grammar) {
  start(ep_yaml("e/five", "gpt-4o-mini@fault=500", base()) +
            ep_yaml("e/reset", "gpt-4o-mini@fault=reset", base()) +
            ep_yaml("e/quota", "gpt-4o-mini@fault=quota", base()) +
            ep_yaml("e/ok", "gpt-4o-mini", base()),
        "e/five, e/reset, e/quota, e/ok");
  auto r = chat();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "e/ok");
  EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")),
            "e/five:error=500 e/reset:error=reset e/quota:error=429 e/ok:ok");
}

TEST_F(router_e2e, budget_exhausted_is_504_latency_budget_exceeded) {
  start(ep_yaml("s/one", "gpt-4o-mini@latency_ms=400", base()) +
            ep_yaml("s/two", "gpt-4o-mini@latency_ms=400", base()),
        "s/one, s/two");
  auto r = chat(false, "X-GammaInfra-Max-Latency-Ms: 150\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504) << r->body;
  auto err = json::parse(r->body).at("error");
  EXPECT_EQ(err.at("code").as_string(), "latency_budget_exceeded");
  EXPECT_EQ(err.at("type").as_string(), "timeout");
  EXPECT_EQ(err.at("param").as_string(), "X-GammaInfra-Max-Latency-Ms");
  EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")), "s/one:budget s/two:skipped=budget");
}

TEST_F(router_e2e, endpoint_whose_p50_exceeds_the_budget_is_skipped) {
  start(ep_yaml("p/slow", "gpt-4o-mini@latency_ms=250", base()) + ep_yaml("p/fast", "gpt-4o-mini", base()),
        "p/slow, p/fast");
  for (int i = 0; i < 6; ++i) {
    auto r = chat(false, "X-GammaInfra-Fallback: off\r\n");  // warm p/slow (first in chain)
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  handler_->router().stats().refresh();
  EXPECT_FALSE(handler_->router().stats().current()->at(idx("p/slow")).from_prior);
  auto r = chat(false, "X-GammaInfra-Max-Latency-Ms: 200\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")), "p/slow:skipped=budget p/fast:ok");
  // Nothing fits a budget below every p50: 504 without sending anything.
  handler_->router().stats().refresh();
}

TEST_F(router_e2e, retry_after_puts_the_endpoint_in_cooldown) {
  start(ep_yaml("c/limited", "gpt-4o-mini@fault=429,retry_after=30", base()) +
            ep_yaml("c/ok", "gpt-4o-mini", base()),
        "c/limited, c/ok");
  auto r = chat();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")), "c/limited:error=429 c/ok:ok");
  EXPECT_TRUE(handler_->router().health().view(idx("c/limited")).cooling_down);
  r = chat();
  ASSERT_TRUE(r);
  EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")), "c/limited:skipped=cooldown c/ok:ok");
}

TEST_F(router_e2e, 429_without_retry_after_is_retried_once_on_the_same_endpoint) {
  start(ep_yaml("r/limited", "gpt-4o-mini@fault=429,retry_after=none", base()) +
            ep_yaml("r/ok", "gpt-4o-mini", base()),
        "r/limited, r/ok");
  auto r = chat();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")),
            "r/limited:error=429 r/limited:error=429 r/ok:ok");
  EXPECT_FALSE(handler_->router().health().view(idx("r/limited")).cooling_down);
}

TEST_F(router_e2e, consecutive_failures_open_the_circuit) {
  start(ep_yaml("b/broken", "gpt-4o-mini@fault=500", base()) + ep_yaml("b/ok", "gpt-4o-mini", base()),
        "b/broken, b/ok");
  for (int i = 0; i < 5; ++i) {
    auto r = chat();
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")), "b/broken:error=500 b/ok:ok");
  }
  EXPECT_EQ(handler_->router().health().view(idx("b/broken")).circuit, route::circuit_state::open);
  auto r = chat();
  ASSERT_TRUE(r);
  EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")), "b/broken:skipped=circuit-open b/ok:ok");
}

TEST_F(router_e2e, ttft_timeout_cascades_invisibly) {
  start(ep_yaml("t/slow", "gpt-4o-mini@latency_ms=1000", base()) + ep_yaml("t/ok", "gpt-4o-mini", base()),
        "t/slow, t/ok");
  auto r = chat(true);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto o = outcomes(r->header("x-gammainfra-fallback-chain"));
  EXPECT_TRUE(o == "t/slow:timeout t/ok:ok" || o == "t/slow:ttft-timeout t/ok:ok") << o;
}

// (The mock's chunk_ms also delays the first content event, so a pure stall after the
// commit point is not scriptable; an upstream that dies after committing is the same path:
// the stream read fails after commit.)
TEST_F(router_e2e, failure_after_commit_is_an_error_event_not_a_silent_truncation) {
  start(ep_yaml("m/stall", "gpt-4o-mini@fault=close,after=3", base()) + ep_yaml("m/ok", "gpt-4o-mini", base()),
        "m/stall, m/ok");
  auto r = chat(true);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "m/stall");  // committed: no cascade after
  EXPECT_NE(r->body.find("\"error\""), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("[DONE]"), std::string::npos) << r->body;
}

TEST_F(router_e2e, fallback_off_returns_the_first_failure) {
  start(ep_yaml("f/bad", "gpt-4o-mini@fault=500", base()) + ep_yaml("f/ok", "gpt-4o-mini", base()),
        "f/bad, f/ok");
  auto r = chat(false, "X-GammaInfra-Fallback: off\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502) << r->body;
  EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")), "f/bad:error=500");
}

TEST_F(router_e2e, live_p50_reorders_the_chain_for_latency_preference) {
  start(ep_yaml("l/slow", "gpt-4o-mini@latency_ms=120", base()) + ep_yaml("l/fast", "gpt-4o-mini", base()),
        "l/slow, l/fast");
  auto r = chat(false, "X-GammaInfra-Preference: latency\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "l/slow");  // both cold: chain order
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(chat(false, "X-GammaInfra-Fallback: off\r\n"));
    ASSERT_TRUE(chat(false, "X-GammaInfra-Fallback: off\r\nX-Mock-Fault: fault=none\r\n"));
  }
  // Warm l/fast too: pin it.
  for (int i = 0; i < 5; ++i) {
    auto b = std::string(R"({"model":"l/fast","messages":[{"role":"user","content":"hi"}]})");
    ASSERT_TRUE(simple_request(server_->port(), "POST", "/v1/chat/completions", b,
                               auth_header() + "Content-Type: application/json\r\n"));
  }
  handler_->router().stats().refresh();
  r = chat(false, "X-GammaInfra-Preference: latency\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "l/fast");
}

}  // namespace
}  // namespace gi::test
