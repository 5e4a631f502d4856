#include "route/credentials.h"

#include <cstdlib>

namespace gi::route {

credential_source::credential_source(const config::snapshot& cfg, env_lookup env) {
  if (!env) {
    env = [](const std::string& name) -> std::optional<std::string> {
      const char* v = std::getenv(name.c_str());
      if (v == nullptr || *v == '\0') return std::nullopt;
      return std::string(v);
    };
  }
  for (const auto& ep : cfg.endpoints) {
    if (ep.auth_none) {
      by_endpoint_.emplace(ep.id, providers::credentials{});
      continue;
    }
    if (ep.api_key_env.empty()) continue;
    auto key = env(ep.api_key_env);
    if (!key) continue;
    providers::credentials c;
    c.api_key = *key;
    by_endpoint_.emplace(ep.id, std::move(c));
  }
}

std::optional<providers::credentials> credential_source::get(const config::endpoint_config& ep) const {
  auto it = by_endpoint_.find(ep.id);
  if (it == by_endpoint_.end()) return std::nullopt;
  return it->second;
}

}  // namespace gi::route
