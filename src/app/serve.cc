#include "app/serve.h"

#include <csignal>
#include <functional>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "app/accounts_runtime.h"
#include "app/classifier_runtime.h"
#include "app/gateway_handler.h"
#include "app/reloadable_handler.h"
#include "server/gateway_server.h"
#include "upstream/options_from_config.h"

namespace gi::app {

int run_serve(config::snapshot_ptr cfg) {
  // Writes to a closed socket must be errors, not process death.
  std::signal(SIGPIPE, SIG_IGN);

  // The signal set exists before the I/O threads start, so a signal arriving during
  // start-up is not lost.
  boost::asio::io_context signal_ioc(1);
  boost::asio::signal_set signals(signal_ioc, SIGINT, SIGTERM);

  auto metrics = std::make_shared<telemetry::metrics_registry>();
  auto client = std::make_shared<upstream::client>(upstream::options_from_config(cfg->upstream));
  server::server_options opts;
  opts.config = cfg;
  opts.metrics = metrics;
  auto handler = std::make_shared<gateway_handler>(cfg, client, core::system_clock_source::instance(),
                                                  metrics);
  // SIGHUP reloads the routing config; requests in flight finish on the old one.
  auto reloadable = std::make_shared<reloadable_handler>(handler);
  opts.handler = reloadable;
  // Accounts, credits and billing (issue 10) when configured.
  std::optional<accounts_runtime> accounts;
  if (cfg->accounts.enabled) {
    auto rt = start_accounts(cfg, std::cerr);
    if (!rt) {
      std::cerr << "gammainfra: " << rt.error().message << std::endl;
      return 1;
    }
    accounts = std::move(*rt);
    accounts->wire(opts, *handler);
  }
  // Task classifier (design §4.8): MiniLM when installed, else the shipped lexical model.
  auto classifier = start_classifier(*cfg, metrics, std::cerr);
  if (!classifier) {
    std::cerr << "gammainfra: " << classifier.error().message << std::endl;
    return 1;
  }
  classifier->wire(opts, *handler);
  server::gateway_server srv(std::move(opts));
  auto port = srv.start();
  if (!port) {
    std::cerr << "gammainfra: " << port.error().message << std::endl;
    return 1;
  }
  const auto& host = cfg->server.host;
  bool v6 = host.find(':') != std::string::npos;
  std::cerr << "listening on " << (cfg->server.tls ? "https" : "http") << "://"
            << (v6 ? "[" : "") << host << (v6 ? "]" : "") << ":" << *port << " (" << srv.threads()
            << " threads, config " << cfg->source << ")" << std::endl;

  boost::asio::signal_set hup(signal_ioc, SIGHUP);
  auto make_handler = [&](config::snapshot_ptr next) {
    auto h = std::make_shared<gateway_handler>(next, client, core::system_clock_source::instance(), metrics);
    if (accounts) h->attach_accounts(accounts->service);
    h->attach_classifier(classifier->service);
    return h;
  };
  std::function<void(const boost::system::error_code&, int)> on_hup =
      [&](const boost::system::error_code& ec, int) {
        if (ec) return;
        auto v = reloadable->reload(cfg->source, make_handler);
        if (v) {
          std::cerr << "config reloaded from " << cfg->source << ": router version " << *v << std::endl;
        } else {
          std::cerr << "config reload failed, keeping the running config: " << v.error().message
                    << std::endl;
        }
        hup.async_wait(on_hup);
      };
  hup.async_wait(on_hup);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    std::cerr << "shutting down (grace " << cfg->server.shutdown_grace.count() << " ms)"
              << std::endl;
    hup.cancel();
    srv.stop();
  });
  signal_ioc.run();  // returns after SIGINT/SIGTERM (SIGHUP re-arms itself)
  srv.wait();
  classifier->stop();  // while the io_contexts its answers are dispatched to still exist
  if (accounts) accounts->stop();  // flush queued charges and request-log records
  // Pooled upstream connections live on the server's io_contexts: drop them before those go.
  client->close_idle();
  return 0;
}

}  // namespace gi::app
