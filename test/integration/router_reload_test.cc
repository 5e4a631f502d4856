// Config reload (issue 8 item 6): the reloadable handler swaps in a new routing config
// atomically — new requests carry the new X-GammaInfra-Router-Version and use the new
// chain, a stream in flight during the swap completes on the old config, and a broken
// config file leaves the running config in place.

#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "app/gateway_handler.h"
#include "app/reloadable_handler.h"
#include "auth/authenticator.h"
#include "config/config.h"
#include "mock/mock_server.h"
#include "support/http_client.h"
#include "support/test_server.h"
#include "support/test_support.h"
#include "upstream/options_from_config.h"

namespace gi::test {
namespace {

using namespace std::chrono_literals;

class router_reload : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mock_.start("127.0.0.1", 0));
    path_ = dir_.path() / "gammainfra.yaml";
    write_file(path_, yaml("r/slow"));
    auto cfg = config::load_file(path_.string());
    ASSERT_TRUE(cfg) << cfg.error().to_string();
    client_ = std::make_shared<upstream::client>(upstream::options_from_config((*cfg)->upstream));
    handler_ = std::make_shared<app::reloadable_handler>(make(*cfg));
    server_ = std::make_unique<running_server>(*cfg, handler_);
  }
  void TearDown() override {
    server_->server().stop();
    server_->server().wait();
    client_->close_idle();
    mock_.stop();
  }
  std::string yaml(const std::string& chain_head) const {
    std::string base = mock_.base_url() + "/v1";
    auto ep = [&](const std::string& id, const std::string& model) {
      return "  - id: " + id + "\n    provider: openai\n    model: \"" + model + "\"\n    base_url: " +
             base + "\n    api_key_env: TEST_OPENAI_KEY\n    prices: {input: \"0.15\", output: \"0.6\"}\n";
    };
    return "catalog: false\nserver:\n  host: 127.0.0.1\n  port: 0\n  threads: 2\n"
           "logging:\n  access_log: false\n"
           "auth:\n  keys:\n    - id: t\n      sha256: " + auth::sha256_hex(test_api_key) +
           "\nendpoints:\n" + ep("r/slow", "gpt-4o-mini@ttft_ms=700") + ep("r/fast", "gpt-4o-mini") +
           "routing:\n  default_task: chat\n  chains:\n    chat: [" + chain_head + "]\n";
  }
  std::shared_ptr<app::gateway_handler> make(config::snapshot_ptr cfg) {
    return std::make_shared<app::gateway_handler>(
        cfg, client_, core::system_clock_source::instance(),
        std::make_shared<telemetry::metrics_registry>(),
        [](const std::string& name) -> std::optional<std::string> {
          if (name == "TEST_OPENAI_KEY") return "sk-upstream";
          return std::nullopt;
        });
  }
  std::optional<http_response> chat(bool stream) {
    std::string b = R"({"model":"auto","messages":[{"role":"user","content":"Say hello"}])";
    if (stream) b += R"(,"stream":true)";
    b += "}";
    return simple_request(server_->port(), "POST", "/v1/chat/completions", b,
                          auth_header() + "Content-Type: application/json\r\n");
  }

  temp_dir dir_;
  std::filesystem::path path_;
  mock::mock_server mock_;
  std::shared_ptr<upstream::client> client_;
  std::shared_ptr<app::reloadable_handler> handler_;
  std::unique_ptr<running_server> server_;
};

TEST_F(router_reload, swaps_the_config_without_dropping_a_stream_in_flight) {
  const std::string v1 = handler_->current()->router_version();
  // A stream on the slow endpoint (first content after 700 ms) is in flight during the swap.
  auto in_flight = std::async(std::launch::async, [this] { return chat(true); });
  std::this_thread::sleep_for(200ms);

  write_file(path_, yaml("r/fast"));
  auto v2 = handler_->reload(path_.string(), [this](config::snapshot_ptr c) { return make(std::move(c)); });
  ASSERT_TRUE(v2) << v2.error().message;
  EXPECT_NE(*v2, v1);
  EXPECT_EQ(handler_->current()->router_version(), *v2);

  auto r = chat(false);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-router-version"), *v2);
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "r/fast");

  auto old = in_flight.get();
  ASSERT_TRUE(old);
  ASSERT_EQ(old->status, 200) << old->body;
  EXPECT_EQ(old->header("x-gammainfra-router-version"), v1);
  EXPECT_EQ(old->header("x-gammainfra-endpoint"), "r/slow");
  EXPECT_NE(old->body.find("[DONE]"), std::string::npos) << old->body;

  // A broken file: an error naming the path, the running config stays.
  write_file(path_, "routing:\n  hedge: {default: sometimes}\n");
  auto bad = handler_->reload(path_.string(), [this](config::snapshot_ptr c) { return make(std::move(c)); });
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("routing.hedge.default"), std::string::npos) << bad.error().message;
  r = chat(false);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("x-gammainfra-router-version"), *v2);
}

// Live state of unchanged endpoints survives a reload: an open circuit stays open (traffic
// does not go back to a failing endpoint) and the latency history stays live. An endpoint
// whose upstream changed (another model) starts fresh.
TEST_F(router_reload, keeps_circuits_and_latency_history_of_unchanged_endpoints) {
  auto& before = handler_->current()->router();
  const auto idx = [](const route::executor& ex, const std::string& id) {
    return static_cast<std::size_t>(ex.config().find_endpoint(id) - ex.config().endpoints.data());
  };
  for (int i = 0; i < 10; ++i) {
    before.health().on_failure(idx(before, "r/slow"));
    before.health().on_failure(idx(before, "r/fast"));
    before.stats().record_success(idx(before, "r/slow"), 150ms);
    before.stats().record_success(idx(before, "r/fast"), 150ms);
  }
  ASSERT_EQ(before.health().view(idx(before, "r/slow")).circuit, route::circuit_state::open);

  // r/fast now names another upstream model; r/slow is unchanged (and listed second).
  std::string y = yaml("r/slow");
  const std::string fast_model = "model: \"gpt-4o-mini\"";
  y.replace(y.find(fast_model), fast_model.size(), "model: \"gpt-4o-mini@x=1\"");
  write_file(path_, y);
  auto v2 = handler_->reload(path_.string(), [this](config::snapshot_ptr c) { return make(std::move(c)); });
  ASSERT_TRUE(v2) << v2.error().message;
  auto& after = handler_->current()->router();
  ASSERT_NE(&after, &before);
  EXPECT_EQ(after.health().view(idx(after, "r/slow")).circuit, route::circuit_state::open);
  EXPECT_EQ(after.health().view(idx(after, "r/fast")).circuit, route::circuit_state::closed);
  auto snap = after.stats().snapshot();
  EXPECT_FALSE(snap->at(idx(after, "r/slow")).from_prior);
  EXPECT_EQ(snap->at(idx(after, "r/slow")).samples, 10u);
  EXPECT_TRUE(snap->at(idx(after, "r/fast")).from_prior);
}

}  // namespace
}  // namespace gi::test
