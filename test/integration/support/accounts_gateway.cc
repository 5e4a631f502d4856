#include "accounts_gateway.h"

#include <sstream>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "telemetry/metrics.h"
#include "upstream/options_from_config.h"

namespace gi::test {

void accounts_gateway::start(const std::string& yaml, route::credential_source::env_lookup env) {
  auto loaded = config::load_string(yaml, "<test>");
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  cfg = *loaded;
  std::ostringstream progress;
  auto started = app::start_accounts(cfg, progress, env);
  ASSERT_TRUE(started) << started.error().message;
  rt = std::move(*started);
  client = std::make_shared<upstream::client>(upstream::options_from_config(cfg->upstream));
  handler = std::make_shared<app::gateway_handler>(cfg, client, core::system_clock_source::instance(),
                                                   std::make_shared<telemetry::metrics_registry>(),
                                                   std::move(env));
  server::server_options so;
  so.config = cfg;
  so.handler = handler;
  rt->wire(so, *handler);
  srv = std::make_unique<server::gateway_server>(std::move(so));
  auto p = srv->start();
  ASSERT_TRUE(p) << p.error().message;
  port = *p;
}

void accounts_gateway::stop() {
  if (srv) {
    srv->stop();
    srv->wait();
  }
  if (client) client->close_idle();
  if (rt) rt->stop();
  srv.reset();
  handler.reset();
  client.reset();
  rt.reset();
}

mock::mock_server* accounts_fixture::mock_ = nullptr;

void accounts_fixture::start_mock(mock::server_options o) {
  mock_ = new mock::mock_server();
  auto started = mock_->start(o);
  ASSERT_TRUE(started) << started.error().message;
}

void accounts_fixture::TearDownTestSuite() {
  if (mock_ == nullptr) return;
  mock_->stop();
  delete mock_;
  mock_ = nullptr;
}

std::string accounts_fixture::yaml_head(const std::string& accounts_extra) const {
  return "catalog: false\nserver:\n  host: 127.0.0.1\n  port: 0\n  threads: 2\n"
         "logging:\n  access_log: false\n"
         "accounts:\n  enabled: true\n  store: \"" + (tmp_.path() / "g.db").string() + "\"\n"
         "  flush_interval: 20ms\n" + accounts_extra;
}

void accounts_fixture::start_gateway(
    const std::string& yaml, std::function<std::optional<std::string>(const std::string&)> env) {
  gw_.start(yaml, [env = std::move(env)](const std::string& n) -> std::optional<std::string> {
    if (n == "GAMMAINFRA_ADMIN_TOKEN") return admin_token;
    return env(n);
  });
}

void accounts_fixture::start_one_endpoint(const std::string& prices,
                                          const std::string& accounts_extra) {
  start_gateway(yaml_head(accounts_extra) +
                    "endpoints:\n  - id: test/cheap\n    provider: openai\n    model: gpt-4o-mini\n"
                    "    base_url: " + mock_->base_url() + "/v1\n    api_key_env: TEST_KEY\n"
                    "    prices: " + prices + "\n"
                    "routing:\n  default_task: chat\n  chains:\n    chat: [test/cheap]\n",
                [](const std::string& n) -> std::optional<std::string> {
                  if (n == "TEST_KEY") return "sk-upstream-test";
                  return std::nullopt;
                });
}

std::optional<http_response> accounts_fixture::admin(const std::string& method,
                                                     const std::string& target,
                                                     const std::string& body,
                                                     const std::string& extra) {
  return simple_request(port_, method, target, body,
                        std::string("Authorization: Bearer ") + admin_token +
                            "\r\nContent-Type: application/json\r\n" + extra);
}

std::vector<storage::request_record> accounts_fixture::log(const std::string& account) {
  rt_->service->flush();
  storage::usage_query q;
  q.account_id = account;
  auto rows = rt_->store->usage(q);
  EXPECT_TRUE(rows);
  return rows ? *rows : std::vector<storage::request_record>{};
}

}  // namespace gi::test
