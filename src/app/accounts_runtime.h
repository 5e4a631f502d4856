#pragma once
// Composition of the accounts pieces for `serve` and `demo` (issue 10): open the store,
// apply migrations (progress on `progress`), load keys and balances, start the writer and
// change poller, and build the store-backed authenticator and the account/admin API.

#include <iosfwd>
#include <memory>

#include "app/accounts_api.h"
#include "app/gateway_handler.h"
#include "auth/authenticator.h"
#include "billing/account_service.h"
#include "config/config.h"
#include "route/credentials.h"
#include "server/gateway_server.h"

namespace gi::app {

struct accounts_runtime {
  std::shared_ptr<storage::store> store;
  std::shared_ptr<billing::account_service> service;
  std::shared_ptr<const auth::authenticator> auth;
  std::shared_ptr<accounts_api> api;

  // Hooks the runtime into a server and its chat handler (before the server starts).
  void wire(server::server_options& so, gateway_handler& handler) const;
  // Flushes queued charges and request-log records (call after the server drained).
  void stop() const { service->stop(); }
};

// `env` resolves the admin token variable named in config (default: getenv).
core::result<accounts_runtime> start_accounts(config::snapshot_ptr cfg, std::ostream& progress,
                                              route::credential_source::env_lookup env = {});

}  // namespace gi::app
