#pragma once
// The real gateway with the accounts runtime (SQLite store, charging, admin API) in process
// on port 0: config from YAML, accounts started and wired into the server, as `serve` does.
// Shared by the accounts, limits and BYOK suites.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "app/accounts_runtime.h"
#include "app/gateway_handler.h"
#include "config/config.h"
#include "core/money.h"
#include "mock/mock_server.h"
#include "route/credentials.h"
#include "server/gateway_server.h"
#include "storage/store.h"
#include "support/test_support.h"
#include "upstream/client.h"

#include "http_client.h"

namespace gi::test {

struct accounts_gateway {
  // Loads `yaml`, starts accounts and the server; `env` answers the config's env vars
  // (upstream keys, admin token, BYOK master key). Fails the running test with gtest
  // assertions; check HasFatalFailure() after it.
  void start(const std::string& yaml, route::credential_source::env_lookup env);
  // Graceful stop (drain, close pooled upstream connections, flush the request log).
  // Idempotent.
  void stop();
  ~accounts_gateway() { stop(); }

  config::snapshot_ptr cfg;
  std::optional<app::accounts_runtime> rt;
  std::shared_ptr<upstream::client> client;
  std::shared_ptr<app::gateway_handler> handler;
  std::unique_ptr<server::gateway_server> srv;
  std::uint16_t port = 0;
};

inline core::money usd(std::string_view s) { return *core::money::parse(s); }

// Base of the accounts, limits and BYOK suites: one mock upstream per suite, the gateway
// with accounts per test (SQLite store in a temp dir), and the helpers the suites share.
class accounts_fixture : public ::testing::Test {
 protected:
  static constexpr const char* admin_token = "admin-token-accounts-tests";

  // Suites with their own mock options (request hooks) call start_mock(options).
  static void SetUpTestSuite() { start_mock({}); }
  static void TearDownTestSuite();
  static void start_mock(mock::server_options o);
  void TearDown() override { gw_.stop(); }

  // server/logging/accounts head of the gateway YAML, the store in tmp_; `accounts_extra`
  // continues the accounts section, the caller appends endpoints and routing.
  std::string yaml_head(const std::string& accounts_extra = "") const;
  // gw_.start with `yaml`; `env` answers the upstream key names, the admin token is added.
  void start_gateway(const std::string& yaml,
                     std::function<std::optional<std::string>(const std::string&)> env);
  // start_gateway with one OpenAI-dialect endpoint `test/cheap` on the mock at `prices`
  // (YAML flow map), the chat chain's only member; `accounts_extra` as for yaml_head.
  void start_one_endpoint(const std::string& prices, const std::string& accounts_extra = "");

  std::optional<http_response> admin(const std::string& method, const std::string& target,
                                     const std::string& body = "", const std::string& extra = "");
  // The request log of `account`, after flushing pending writes.
  std::vector<storage::request_record> log(const std::string& account);

  static mock::mock_server* mock_;
  temp_dir tmp_;
  accounts_gateway gw_;
  // Names the tests use for the gateway's parts.
  config::snapshot_ptr& cfg_ = gw_.cfg;
  std::optional<app::accounts_runtime>& rt_ = gw_.rt;
  std::shared_ptr<app::gateway_handler>& handler_ = gw_.handler;
  std::uint16_t& port_ = gw_.port;
};

}  // namespace gi::test
