#pragma once
// Where provider credentials come from (design §3.2, §4.5, issue 10 §5):
//   - the gateway's own keys: the environment variables named in the catalog (never the
//     config file itself), read once at start so the hot path does no getenv;
//   - BYOK: the caller's key for the endpoint's provider, from the request's
//     X-GammaInfra-Provider-Key-<Provider> header or the account's stored key (both land in
//     core::request_context::byok). A BYOK credential replaces the gateway's key for every
//     endpoint of that provider; `auth: none` endpoints need no key and never use one;
//     `auth: byok` endpoints (BYOK-only) have no gateway key and run only with the caller's.
// BYOK attempts are marked `;byok` in the Fallback-Chain and billed the BYOK fee instead of
// the provider price (request_billing). Secrets are never logged or echoed.
//
// Thread safety: immutable after construction.

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/request_context.h"
#include "providers/adapter.h"
#include "route/attempt_log.h"

namespace gi::route {

class credential_source {
 public:
  using env_lookup = std::function<std::optional<std::string>(const std::string&)>;
  // `env` defaults to getenv; tests inject a map.
  explicit credential_source(const config::snapshot& cfg, env_lookup env = {});

  // The gateway's credentials for an endpoint; nullopt when its key is not configured (or it
  // is BYOK-only). `auth: none` endpoints get empty credentials.
  std::optional<providers::credentials> get(const config::endpoint_config& ep) const;
  // The same without a copy (the hot path): nullptr when get() would be nullopt.
  const providers::credentials* find(const config::endpoint_config& ep) const;
  bool has(const config::endpoint_config& ep) const { return find(ep) != nullptr; }

  // For one attempt of a request: the caller's BYOK credential when `byok` has one for the
  // endpoint's provider, else the gateway's (nullptr: `skipped=no-key`). A BYOK credential
  // is built into `byok_storage`; the gateway's is not copied.
  const providers::credentials* resolve(const config::endpoint_config& ep,
                                        std::span<const core::byok_secret> byok,
                                        std::optional<providers::credentials>& byok_storage) const;
  // The same as a copy (nullopt: `skipped=no-key`).
  std::optional<providers::credentials> get(const config::endpoint_config& ep,
                                            std::span<const core::byok_secret> byok) const;
  bool has(const config::endpoint_config& ep, std::span<const core::byok_secret> byok) const;
  // Whether an attempt at `ep` uses the caller's key.
  static bool uses_byok(const config::endpoint_config& ep, std::span<const core::byok_secret> byok);

 private:
  std::map<std::string, providers::credentials> by_endpoint_;
};

// The caller's secret for `provider`, or nullptr.
const core::byok_secret* find_byok(std::span<const core::byok_secret> byok, core::provider_kind provider);

// Provider credentials from a BYOK secret. Bedrock: "<access key id>:<secret>[:<session
// token>]" → SigV4 (region = the endpoint's aws_region); nullopt when malformed.
std::optional<providers::credentials> byok_credentials(const config::endpoint_config& ep,
                                                       std::string_view secret);

// Sets `byok` on every attempt that ran (not skipped) with the caller's key. The executor
// picks the credential by provider alone (get(ep, byok)), so this is exact.
void mark_byok_attempts(const config::snapshot& cfg, std::vector<attempt_record>& attempts,
                        std::span<const core::byok_secret> byok);

// providers.md §10.4 (errors): when every attempt that ran used the caller's key and the
// provider rejected it (401/403), the fault is the caller's — a 401 naming the provider
// header, not the gateway's 502. nullopt otherwise.
std::optional<core::error> byok_rejection(const config::snapshot& cfg,
                                          const std::vector<attempt_record>& attempts);

}  // namespace gi::route
