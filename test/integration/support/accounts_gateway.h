#pragma once
// The real gateway with the accounts runtime (SQLite store, charging, admin API) in process
// on port 0: config from YAML, accounts started and wired into the server, as `serve` does.
// Shared by the accounts, limits and BYOK suites.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "app/accounts_runtime.h"
#include "app/gateway_handler.h"
#include "config/config.h"
#include "route/credentials.h"
#include "server/gateway_server.h"
#include "upstream/client.h"

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

}  // namespace gi::test
