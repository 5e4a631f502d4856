#pragma once
// Per-request state that travels from the server through routing and execution. Owned by
// one request; never shared across strands.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/provider_kind.h"

namespace gi::core {

// A caller's own provider credential for this request (BYOK, design §3.2): from an
// X-GammaInfra-Provider-Key-<Provider> header or the account's stored (decrypted) key.
// Raw as given (Bedrock: "<access key id>:<secret>[:<session token>]"). Never logged.
struct byok_secret {
  provider_kind provider = provider_kind::openai;
  std::string secret;
};

struct request_context {
  std::string request_id;  // gi-…
  std::chrono::steady_clock::time_point received_at{};
  // Overall deadline (X-GammaInfra-Max-Latency-Ms or the configured request timeout).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // Incoming trace headers, kept for logs and passed upstream.
  std::string traceparent;
  std::string client_request_id;  // X-Request-Id
  std::string key_id;              // authenticated key (never the secret)
  // BYOK credentials by provider (at most one per provider; a header beats a stored key).
  std::vector<byok_secret> byok;

  std::chrono::nanoseconds remaining(std::chrono::steady_clock::time_point now) const {
    if (!deadline) return std::chrono::nanoseconds::max();
    return *deadline > now ? *deadline - now : std::chrono::nanoseconds::zero();
  }
};

}  // namespace gi::core
