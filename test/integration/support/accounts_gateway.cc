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

}  // namespace gi::test
