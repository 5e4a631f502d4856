#include "app/demo.h"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <openssl/rand.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "app/accounts_runtime.h"
#include "app/classifier_runtime.h"
#include "app/demo_routing.h"
#include "app/gateway_handler.h"
#include "auth/api_key.h"
#include "billing/admin_ops.h"
#include "auth/authenticator.h"
#include "config/config.h"
#include "mock/mock_server.h"
#include "server/gateway_server.h"
#include "upstream/options_from_config.h"

namespace gi::app {

namespace {

// The mock accepts any key but, like the real providers, rejects a request without one; the
// demo resolves this variable itself instead of reading the environment.
constexpr const char* mock_key_env = "GAMMAINFRA_DEMO_MOCK_KEY";

// Where each OpenAI-family dialect lives on the mock's single port (design §2).
std::string mock_base_for(core::provider_kind k, const std::string& mock) {
  switch (k) {
    case core::provider_kind::openai: return mock + "/v1";
    case core::provider_kind::groq: return mock + "/groq/openai/v1";
    case core::provider_kind::mistral: return mock + "/mistral/v1";
    case core::provider_kind::deepseek: return mock + "/deepseek/v1";
    case core::provider_kind::xai: return mock + "/xai/v1";
    case core::provider_kind::anthropic: return mock;            // POST /v1/messages
    case core::provider_kind::gemini: return mock + "/v1beta";   // models/{m}:generateContent
    case core::provider_kind::bedrock: return mock;              // /model/{id}/converse (bearer API key)
  }
  return {};
}

// The demo config: the shipped catalog with every endpoint whose wire format the mock
// serves pointed at the mock (no keys) with its provider's latency profile, plus one flaky
// endpoint at the head of every chain (some requests fail before commit: the
// Fallback-Chain header shows real cascades) and one that is always down (demo_routing.h).
std::string demo_yaml(std::uint16_t port, const std::string& mock, const std::string& store_path) {
  auto base = config::defaults();
  std::ostringstream y;
  y << "server:\n  host: 127.0.0.1\n  port: " << port << "\n";
  y << "accounts:\n  enabled: true\n  store: \"" << store_path << "\"\n";
  y << "endpoints:\n";
  for (const auto& ep : base->endpoints) {
    auto url = mock_base_for(ep.provider, mock);
    if (url.empty()) continue;
    y << "  - id: " << ep.id << "\n    base_url: " << url << "\n    api_key_env: " << mock_key_env
      << "\n    model: \"" << ep.model << demo_latency_spec(ep.provider) << "\"\n";
  }
  y << "  - id: demo/flaky\n    provider: openai\n    model: \"" << demo_flaky_model << "\"\n"
    << "    base_url: " << mock << "/v1\n    api_key_env: " << mock_key_env << "\n"
    << "    prices: {input: \"0.15\", cached_input: \"0.075\", output: \"0.6\"}\n"
    << demo_flaky_quality_yaml();
  // Always down (503 + Retry-After), in no chain: pinning it shows a cascade on demand.
  y << "  - id: demo/down\n    provider: openai\n    model: gpt-4o-mini@fault=overloaded,retry_after=1\n"
    << "    base_url: " << mock << "/v1\n    api_key_env: " << mock_key_env << "\n"
    << "    prices: {input: \"0.15\", cached_input: \"0.075\", output: \"0.6\"}\n";
  y << "routing:\n" << demo_routing_yaml() << "  chains:\n";
  for (const auto& [task, chain] : base->routing.chains) {
    y << "    " << task << ": [demo/flaky";
    for (const auto& id : chain) y << ", " << id;
    y << "]\n";
  }
  return y.str();
}

}  // namespace

int run_demo(const demo_options& opts) {
  std::signal(SIGPIPE, SIG_IGN);
  boost::asio::io_context signal_ioc(1);
  boost::asio::signal_set signals(signal_ioc, SIGINT, SIGTERM);

  std::error_code ec;
  std::filesystem::create_directories(opts.data_dir, ec);
  if (ec) {
    std::cerr << "demo: cannot create data dir " << opts.data_dir << ": " << ec.message() << "\n";
    return 1;
  }

  mock::mock_server mock;
  auto mock_port = mock.start("127.0.0.1", 0);
  if (!mock_port) {
    std::cerr << "demo: mock upstream: " << mock_port.error().message << "\n";
    return 1;
  }
  std::string mock_url = "http://127.0.0.1:" + std::to_string(*mock_port);

  auto store_path = (std::filesystem::absolute(opts.data_dir) / "gammainfra.db").string();
  std::string yaml = demo_yaml(opts.port, mock_url, store_path);
  auto cfg = config::load_string(yaml, "<demo>");
  if (!cfg) {
    std::cerr << "demo: internal config error: " << cfg.error().to_string() << "\n";
    return 1;
  }
  {
    // Kept for inspection; the key itself is stored only as its hash.
    std::ofstream(std::filesystem::path(opts.data_dir) / "demo-config.yaml") << yaml;
  }

  auto metrics = std::make_shared<telemetry::metrics_registry>();
  auto client = std::make_shared<upstream::client>(upstream::options_from_config((*cfg)->upstream));
  auto handler = std::make_shared<gateway_handler>(
      *cfg, client, core::system_clock_source::instance(), metrics,
      [](const std::string& name) -> std::optional<std::string> {
        if (name == mock_key_env) return std::string("sk-mock-demo");
        return std::nullopt;
      });
  server::server_options so;
  so.config = *cfg;
  so.handler = handler;
  so.metrics = metrics;
  // The demo account (created once: $3 trial + a $100 demo top-up) and a new key per start;
  // every request is charged against it.
  auto accounts = start_accounts(*cfg, std::cerr);
  if (!accounts) {
    std::cerr << "demo: store: " << accounts.error().message << "\n";
    return 1;
  }
  accounts->wire(so, *handler);
  std::string key;
  {
    auto& svc = *accounts->service;
    constexpr const char* demo_email = "demo@gammainfra.local";
    auto existing = svc.store().find_account_by_email(demo_email);
    std::string account_id;
    if (existing && existing->has_value()) {
      account_id = (*existing)->id;
    } else {
      billing::create_account_request ar;
      ar.name = "demo";
      ar.email = demo_email;
      auto a = svc.create_account(ar, "demo");
      if (!a) {
        std::cerr << "demo: " << a.error().message << "\n";
        return 1;
      }
      account_id = a->id;
    }
    auto t = svc.topup(account_id, core::money::from_usd(100), "demo-topup", "demo");
    billing::create_key_request kr;
    kr.account_id = account_id;
    kr.name = "demo";
    auto k = svc.create_key(kr, "demo");
    if (!t || !k) {
      std::cerr << "demo: " << (!t ? t.error().message : k.error().message) << "\n";
      return 1;
    }
    key = k->secret;
  }
  auto classifier = start_classifier(**cfg, metrics, std::cerr);
  if (!classifier) {
    std::cerr << "demo: " << classifier.error().message << "\n";
    return 1;
  }
  classifier->wire(so, *handler);
  server::gateway_server srv(so);
  auto port = srv.start();
  if (!port) {
    std::cerr << "demo: " << port.error().message << "\n";
    return 1;
  }
  std::string base = "http://127.0.0.1:" + std::to_string(*port) + "/v1";
  std::cout << "GammaInfra demo: gateway on " << base << " (mock providers on " << mock_url
            << ", data in " << opts.data_dir << ")\n\n"
            << "export OPENAI_BASE_URL=" << base << "\n"
            << "export OPENAI_API_KEY=" << key << "\n\n"
            << "curl -sS $OPENAI_BASE_URL/chat/completions -H \"Authorization: Bearer $OPENAI_API_KEY\" "
               "-H 'Content-Type: application/json' -D - "
               "-d '{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}'\n\n"
            << "Live routing (p50s, circuits, the ranking):\n"
            << "gammainfra route --explain --task chat --gateway http://127.0.0.1:" << *port
            << " --api-key $OPENAI_API_KEY\n\n"
            << "Ctrl-C stops the demo.\n"
            << std::flush;

  signals.async_wait([&](const boost::system::error_code& e, int) {
    if (e) return;
    std::cerr << "demo: shutting down\n";
    srv.stop();
  });
  signal_ioc.run();
  srv.wait();
  classifier->stop();
  accounts->stop();
  // Pooled upstream connections belong to the server's io_contexts: drop them first.
  client->close_idle();
  mock.stop();
  return 0;
}

}  // namespace gi::app
