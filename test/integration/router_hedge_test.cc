// Hedged requests (issue 8 item 5) through the real gateway and the real mock upstream:
// the hedge wins (leader cancelled: its connection closed, its in-flight slot freed), the
// hedge loses (hedge cancelled), streams, the config default and X-GammaInfra-Hedge: off,
// no hedge when the remaining budget cannot cover it, a leader that fails before the hedge
// delay cascades normally, hedge metrics.

#include <thread>

#include <gtest/gtest.h>

#include "app/gateway_handler.h"
#include "auth/authenticator.h"
#include "config/config.h"
#include "mock/mock_server.h"
#include "support/http_client.h"
#include "support/test_server.h"
#include "upstream/options_from_config.h"

namespace gi::test {
namespace {

using namespace std::chrono_literals;

std::string ep_yaml(const std::string& id, const std::string& model, const std::string& base) {
  return "  - id: " + id + "\n    provider: openai\n    model: \"" + model + "\"\n    base_url: " +
         base + "\n    api_key_env: TEST_OPENAI_KEY\n    prices: {input: \"0.15\", output: \"0.6\"}\n";
}

std::size_t count(const std::string& s, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = s.find(needle); p != std::string::npos; p = s.find(needle, p + needle.size())) ++n;
  return n;
}

// "a:ok b:cancelled" from "a;ok;ms=1, b;cancelled;ms=2".
std::string outcomes(const std::string& h) {
  std::string s;
  std::size_t pos = 0;
  while (pos < h.size()) {
    auto end = h.find(", ", pos);
    std::string item = h.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    auto s1 = item.find(';');
    auto rest = item.substr(s1 + 1);
    if (!s.empty()) s += " ";
    s += item.substr(0, s1) + ":" + rest.substr(0, rest.find(';'));
    if (end == std::string::npos) break;
    pos = end + 2;
  }
  return s;
}

class router_hedge : public ::testing::Test {
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
  void start(const std::string& endpoints, const std::string& chain,
             const std::string& hedge_default = "off") {
    stop();
    std::string yaml = "catalog: false\nserver:\n  host: 127.0.0.1\n  port: 0\n  threads: 2\n"
                       "logging:\n  access_log: false\n"
                       "upstream:\n  timeouts:\n    ttfb: 3s\n    stall: 3s\n"
                       "auth:\n  keys:\n    - id: t\n      sha256: " +
                       auth::sha256_hex(test_api_key) + "\nendpoints:\n" + endpoints +
                       "routing:\n  default_task: chat\n  chains:\n    chat: [" + chain + "]\n"
                       "  hedge:\n    default: " + hedge_default + "\n    min_delay: 20ms\n    max_delay: 60ms\n";
    auto cfg = config::load_string(yaml, "<test>");
    ASSERT_TRUE(cfg) << cfg.error().to_string() << "\n" << yaml;
    client_ = std::make_shared<upstream::client>(upstream::options_from_config((*cfg)->upstream));
    metrics_ = std::make_shared<telemetry::metrics_registry>();
    handler_ = std::make_shared<app::gateway_handler>(
        *cfg, client_, core::system_clock_source::instance(), metrics_,
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
  upstream::pool_stats pool() const {
    auto t = upstream::parse_target_url(base());
    return client_->stats(*t);
  }
  // The loser's cancellation completes on the gateway's I/O thread right after the answer.
  void settle_pool() {
    for (int i = 0; i < 100 && pool().inflight != 0; ++i) std::this_thread::sleep_for(10ms);
  }

  static mock::mock_server* mock_;
  std::shared_ptr<upstream::client> client_;
  std::shared_ptr<telemetry::metrics_registry> metrics_;
  std::shared_ptr<app::gateway_handler> handler_;
  std::unique_ptr<running_server> server_;
};
mock::mock_server* router_hedge::mock_ = nullptr;

TEST_F(router_hedge, hedge_wins_and_the_leader_is_cancelled) {
  start(ep_yaml("h/slow", "gpt-4o-mini@latency_ms=1500", base()) +
            ep_yaml("h/fast", "gpt-4o-mini@latency_ms=10", base()),
        "h/slow, h/fast");
  auto r = chat(false, "X-GammaInfra-Hedge: 50\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "h/fast");
  EXPECT_EQ(r->header("x-gammainfra-hedged"), "true");
  EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")), "h/slow:cancelled h/fast:ok");
  // The leader's connection was closed (not pooled) and its in-flight slot freed; the
  // winner's connection went back to the pool.
  settle_pool();
  auto ps = pool();
  EXPECT_EQ(ps.inflight, 0u);
  EXPECT_EQ(ps.connections_opened, 2u);
  EXPECT_EQ(ps.idle, 1u);
  EXPECT_EQ(metrics_->router_hedges_launched_total.get().value(), 1);
  EXPECT_EQ(metrics_->router_hedges_won_total.get().value(), 1);
  EXPECT_GT(metrics_->router_hedge_waste_nano_usd_total.get().value(), 0);
}

TEST_F(router_hedge, hedge_loses_and_is_cancelled) {
  start(ep_yaml("l/lead", "gpt-4o-mini@latency_ms=250", base()) +
            ep_yaml("l/hedge", "gpt-4o-mini@latency_ms=2000", base()),
        "l/lead, l/hedge");
  auto r = chat(false, "X-GammaInfra-Hedge: 30\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "l/lead");
  EXPECT_EQ(r->header("x-gammainfra-hedged"), "true");
  EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")), "l/lead:ok l/hedge:cancelled");
  settle_pool();
  auto ps = pool();
  EXPECT_EQ(ps.inflight, 0u);
  EXPECT_EQ(ps.idle, 1u);
  EXPECT_EQ(metrics_->router_hedges_launched_total.get().value(), 1);
  EXPECT_EQ(metrics_->router_hedges_won_total.get().value(), 0);
  EXPECT_GT(metrics_->router_hedge_waste_nano_usd_total.get().value(), 0);
}

TEST_F(router_hedge, stream_hedge_commits_first_and_the_leader_stream_is_cancelled) {
  // The leader sends its role chunk at once (no commit) and its first content after 1.5 s;
  // the hedge starts after 150 ms and sends its first content 150 ms later. Both preambles
  // are staged (stream_sink::stage); only the winner's may reach the client.
  start(ep_yaml("s/slow", "model-slow@ttft_ms=1500", base()) +
            ep_yaml("s/fast", "model-fast@ttft_ms=150", base()),
        "s/slow, s/fast");
  auto r = chat(true, "X-GammaInfra-Hedge: 150\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "s/fast");
  EXPECT_EQ(r->header("x-gammainfra-hedged"), "true");
  // Own time at the commit excludes both the wait on the leader before the hedge and the
  // hedge's own wait for first content (~300 ms of upstream waits in all).
  EXPECT_LT(std::stod(r->header("x-gammainfra-overhead-ms")), 75.0);
  EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")), "s/slow:cancelled s/fast:ok");
  EXPECT_NE(r->body.find("[DONE]"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("Mock"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("model-slow"), std::string::npos) << r->body;
  EXPECT_EQ(count(r->body, "\"role\":\"assistant\""), 1u) << r->body;
  EXPECT_EQ(outcomes(r->trailers["x-gammainfra-fallback-chain"]), "s/slow:cancelled s/fast:ok");
  settle_pool();
  EXPECT_EQ(pool().inflight, 0u);
  EXPECT_EQ(pool().idle, 1u);
}

TEST_F(router_hedge, config_default_hedges_and_header_off_disables) {
  // Default on: delay = the leader's p90 (the 3 s prior), clamped to [20 ms, 60 ms].
  start(ep_yaml("d/slow", "gpt-4o-mini@latency_ms=1000", base()) + ep_yaml("d/fast", "gpt-4o-mini", base()),
        "d/slow, d/fast", "on");
  auto r = chat();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-hedged"), "true");
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "d/fast");

  r = chat(false, "X-GammaInfra-Hedge: off\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-hedged"), "");
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "d/slow");
  EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")), "d/slow:ok");
  EXPECT_EQ(metrics_->router_hedges_launched_total.get().value(), 1);
}

TEST_F(router_hedge, default_off_means_no_hedge) {
  start(ep_yaml("o/slow", "gpt-4o-mini@latency_ms=200", base()) + ep_yaml("o/fast", "gpt-4o-mini", base()),
        "o/slow, o/fast");
  auto r = chat();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-hedged"), "");
  EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")), "o/slow:ok");
}

TEST_F(router_hedge, no_hedge_when_the_budget_cannot_cover_it) {
  // The hedge candidate's p50 (the 1 s prior) exceeds what is left of a 700 ms budget when
  // the 50 ms hedge delay passes: the leader runs alone.
  start(ep_yaml("b/lead", "gpt-4o-mini@latency_ms=300", base()) + ep_yaml("b/next", "gpt-4o-mini", base()),
        "b/lead, b/next");
  auto r = chat(false, "X-GammaInfra-Hedge: 50\r\nX-GammaInfra-Max-Latency-Ms: 700\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-hedged"), "");
  EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")), "b/lead:ok");
  // A hedge delay beyond the budget: no hedge either.
  r = chat(false, "X-GammaInfra-Hedge: 900\r\nX-GammaInfra-Max-Latency-Ms: 700\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-hedged"), "");
  EXPECT_EQ(metrics_->router_hedges_launched_total.get().value(), 0);
  // With room for it, the same request hedges.
  r = chat(false, "X-GammaInfra-Hedge: 50\r\nX-GammaInfra-Max-Latency-Ms: 3000\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("x-gammainfra-hedged"), "true");
}

TEST_F(router_hedge, leader_failing_before_the_delay_cascades_without_a_hedge) {
  start(ep_yaml("f/bad", "gpt-4o-mini@fault=500", base()) + ep_yaml("f/ok", "gpt-4o-mini", base()),
        "f/bad, f/ok");
  auto r = chat(false, "X-GammaInfra-Hedge: 500\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-hedged"), "");
  EXPECT_EQ(outcomes(r->header("x-gammainfra-fallback-chain")), "f/bad:error=500 f/ok:ok");
}

TEST_F(router_hedge, both_fail_then_the_cascade_continues) {
  start(ep_yaml("x/one", "gpt-4o-mini@fault=500,latency_ms=200", base()) +
            ep_yaml("x/two", "gpt-4o-mini@fault=503,retry_after=none,latency_ms=200", base()) +
            ep_yaml("x/three", "gpt-4o-mini", base()),
        "x/one, x/two, x/three");
  auto r = chat(false, "X-GammaInfra-Hedge: 20\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-hedged"), "true");
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "x/three");
  auto o = outcomes(r->header("x-gammainfra-fallback-chain"));
  EXPECT_TRUE(o.starts_with("x/one:error=500 x/two:error=503")) << o;
  EXPECT_TRUE(o.ends_with("x/three:ok")) << o;
  // At most one hedge per request by default.
  EXPECT_EQ(metrics_->router_hedges_launched_total.get().value(), 1);
}

}  // namespace
}  // namespace gi::test
