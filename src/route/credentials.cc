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
    if (ep.byok_only) continue;  // the caller's key only
    // Bedrock (providers.md §9.1): a Bedrock API key (bearer) from api_key_env when set,
    // else SigV4 from the AWS variables named in the endpoint; region = aws_region.
    if (ep.provider == core::provider_kind::bedrock) {
      providers::credentials c;
      c.region = ep.aws_region;
      if (!ep.api_key_env.empty()) {
        if (auto key = env(ep.api_key_env)) {
          c.api_key = *key;
          by_endpoint_.emplace(ep.id, std::move(c));
          continue;
        }
      }
      if (ep.aws_access_key_id_env.empty() || ep.aws_secret_access_key_env.empty()) continue;
      auto akid = env(ep.aws_access_key_id_env);
      auto secret = env(ep.aws_secret_access_key_env);
      if (!akid || !secret) continue;
      c.access_key_id = *akid;
      c.secret_access_key = *secret;
      if (!ep.aws_session_token_env.empty())
        if (auto token = env(ep.aws_session_token_env)) c.session_token = *token;
      by_endpoint_.emplace(ep.id, std::move(c));
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
  if (const auto* c = find(ep)) return *c;
  return std::nullopt;
}

const providers::credentials* credential_source::find(const config::endpoint_config& ep) const {
  auto it = by_endpoint_.find(ep.id);
  return it == by_endpoint_.end() ? nullptr : &it->second;
}

const core::byok_secret* find_byok(std::span<const core::byok_secret> byok, core::provider_kind provider) {
  for (const auto& b : byok)
    if (b.provider == provider) return &b;
  return nullptr;
}

std::optional<providers::credentials> byok_credentials(const config::endpoint_config& ep,
                                                       std::string_view secret) {
  providers::credentials c;
  if (ep.provider != core::provider_kind::bedrock) {
    if (secret.empty()) return std::nullopt;
    c.api_key = std::string(secret);
    return c;
  }
  // Design §3.2: `<access key id>:<secret>[:<session token>]` (the server validated the
  // header's shape; a stored key is checked again here).
  auto c1 = secret.find(':');
  if (c1 == 0 || c1 == std::string_view::npos || c1 + 1 >= secret.size()) return std::nullopt;
  auto rest = secret.substr(c1 + 1);
  auto c2 = rest.find(':');
  c.access_key_id = std::string(secret.substr(0, c1));
  c.secret_access_key = std::string(rest.substr(0, c2));
  if (c2 != std::string_view::npos) c.session_token = std::string(rest.substr(c2 + 1));
  if (c.secret_access_key.empty()) return std::nullopt;
  c.region = ep.aws_region;
  return c;
}

bool credential_source::uses_byok(const config::endpoint_config& ep,
                                  std::span<const core::byok_secret> byok) {
  return !ep.auth_none && find_byok(byok, ep.provider) != nullptr;
}

const providers::credentials* credential_source::resolve(
    const config::endpoint_config& ep, std::span<const core::byok_secret> byok,
    std::optional<providers::credentials>& byok_storage) const {
  if (!uses_byok(ep, byok)) return find(ep);
  byok_storage = byok_credentials(ep, find_byok(byok, ep.provider)->secret);
  return byok_storage ? &*byok_storage : nullptr;
}

std::optional<providers::credentials> credential_source::get(const config::endpoint_config& ep,
                                                             std::span<const core::byok_secret> byok) const {
  std::optional<providers::credentials> storage;
  const auto* c = resolve(ep, byok, storage);
  if (c == nullptr) return std::nullopt;
  if (storage) return storage;  // the caller's key, built by resolve()
  return *c;
}

bool credential_source::has(const config::endpoint_config& ep,
                            std::span<const core::byok_secret> byok) const {
  std::optional<providers::credentials> storage;
  return resolve(ep, byok, storage) != nullptr;
}

void mark_byok_attempts(const config::snapshot& cfg, std::vector<attempt_record>& attempts,
                        std::span<const core::byok_secret> byok) {
  if (byok.empty()) return;
  for (auto& a : attempts) {
    if (a.outcome == attempt_outcome::skipped) continue;
    if (const auto* ep = cfg.find_endpoint(a.endpoint_id)) a.byok = credential_source::uses_byok(*ep, byok);
  }
}

std::optional<core::error> byok_rejection(const config::snapshot& cfg,
                                          const std::vector<attempt_record>& attempts) {
  std::string providers;
  bool any = false;
  for (const auto& a : attempts) {
    if (a.outcome == attempt_outcome::skipped) continue;
    if (!a.byok || a.outcome != attempt_outcome::error || (a.status != 401 && a.status != 403))
      return std::nullopt;
    any = true;
    const auto* ep = cfg.find_endpoint(a.endpoint_id);
    std::string p = ep ? std::string(core::to_string(ep->provider)) : a.endpoint_id;
    if (providers.find(p) == std::string::npos) providers += (providers.empty() ? "" : ", ") + p;
  }
  if (!any) return std::nullopt;
  return core::error(core::error_kind::unauthenticated,
                     "The provider rejected the key you supplied for " + providers +
                         " (X-GammaInfra-Provider-Key-<Provider> header or stored provider key).",
                     {}, "invalid_provider_key");
}

}  // namespace gi::route
