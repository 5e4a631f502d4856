#include "app/accounts_runtime.h"

#include <cstdlib>
#include <filesystem>
#include <ostream>

#include "storage/sqlite_store.h"

namespace gi::app {

void accounts_runtime::wire(server::server_options& so, gateway_handler& handler) const {
  so.auth = auth;
  so.accounts_api = api;
  handler.attach_accounts(service);
  if (!so.readiness) so.readiness = std::make_shared<server::readiness_registry>();
  auto svc = service;
  so.readiness->add("store", [svc] { return svc->healthy() ? std::string() : std::string("unreachable"); });
  // /readyz?deep=1: SQLite quick_check on its own read connection, bounded by a short
  // deadline so a probe never hangs (design §4.7, issue 10 §1).
  if (!so.deep_readiness) so.deep_readiness = std::make_shared<server::readiness_registry>();
  so.deep_readiness->add("store_integrity", [svc]() -> std::string {
    auto r = svc->store().integrity_check(std::chrono::milliseconds(500));
    if (!r) return r.error().kind == core::error_kind::timeout ? "timeout" : "unreachable";
    return *r == "ok" ? std::string() : "corrupt: " + r->substr(0, 200);
  });
}

core::result<accounts_runtime> start_accounts(config::snapshot_ptr cfg, std::ostream& progress,
                                              route::credential_source::env_lookup env) {
  const auto& ac = cfg->accounts;
  std::filesystem::path path = ac.store_path;
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
  }
  auto opened = storage::sqlite_store::open({ac.store_path});
  if (!opened) return opened.error();
  std::shared_ptr<storage::store> st(std::move(*opened));
  auto v = st->migrate([&](int version, int total, std::string_view desc) {
    progress << "store: migration " << version << "/" << total << " (" << desc << ") applied" << std::endl;
  });
  if (!v) return v.error();
  const auto& clk = core::system_clock_source::instance();
  auto getenv_str = [&](const std::string& name) -> std::string {
    if (name.empty()) return {};
    if (env) return env(name).value_or("");
    const char* t = std::getenv(name.c_str());
    return t ? std::string(t) : std::string();
  };
  billing::account_options o;
  o.flush_interval = ac.flush_interval;
  o.retention_days = ac.request_log_retention_days;
  // Stored BYOK keys open only with the master key (64 hex chars) from the environment.
  if (auto current = getenv_str(ac.byok_master_key_env); !current.empty()) {
    auto cipher = auth::byok_cipher::from_hex(current, getenv_str(ac.byok_previous_key_env));
    if (!cipher)
      return core::error(core::error_kind::invalid_request,
                         ac.byok_master_key_env + ": " + cipher.error().message);
    o.byok_cipher = std::make_shared<const auth::byok_cipher>(std::move(*cipher));
  }
  auto svc = std::make_shared<billing::account_service>(st, clk, o);
  if (auto s = svc->start(); !s) return s.error();
  std::string admin_token = getenv_str(ac.admin_token_env);
  accounts_runtime rt;
  rt.store = st;
  rt.service = svc;
  rt.auth = std::make_shared<const auth::authenticator>(cfg->auth, svc->keys(), clk);
  rt.api = std::make_shared<accounts_api>(svc, cfg, std::move(admin_token));
  return rt;
}

}  // namespace gi::app
