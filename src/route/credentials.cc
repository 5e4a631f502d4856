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
  auto it = by_endpoint_.find(ep.id);
  if (it == by_endpoint_.end()) return std::nullopt;
  return it->second;
}

}  // namespace gi::route
