#pragma once
// The one error taxonomy (design §3.4, §4.4). Every failure in the gateway — a client's bad
// input, a gateway policy decision, or an upstream provider failure — is an `error` with an
// `error_kind`. The kind alone decides the HTTP status, the OpenAI error `type`, whether a
// retry is allowed and whether the router may fall back to another endpoint. The router
// switches on the kind, never on provider strings.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gi::core {

enum class error_kind : std::uint8_t {
  // --- the caller's request (never fallback) ---
  invalid_request,         // 400 malformed JSON, schema violation, bad header
  unauthenticated,         // 401 missing / unknown / revoked key
  insufficient_credit,     // 402
  permission_denied,       // 403
  not_found,               // 404 unknown route, model or endpoint
  method_not_allowed,      // 405
  request_timeout,         // 408 client too slow to send its request
  payload_too_large,       // 413
  unsupported_media_type,  // 415
  no_capable_endpoint,     // 422 no endpoint in the chain can serve the request
  gateway_rate_limited,    // 429 our own rate limit
  // --- upstream provider outcomes (design §4.4) ---
  auth,                    // provider rejected our credentials (our config, not the caller)
  upstream_invalid_request,// provider says the request is invalid: caller's fault, no fallback
  context_length,          // prompt too long for this endpoint: fallback only to larger windows
  content_policy,          // safety refusal: caller's fault, no fallback
  rate_limited,            // upstream 429
  overloaded,              // upstream 503/529 overloaded
  timeout,                 // upstream deadline (connect/ttfb/stall/total)
  upstream_5xx,            // other upstream 5xx
  truncated,               // stream or body ended early
  connect,                 // could not connect / DNS
  tls,                     // TLS handshake or verification failure
  protocol,                // garbage: invalid JSON, wrong content type, oversized response
  unknown,                 // unclassified upstream failure
  // --- gateway outcomes ---
  all_attempts_failed,     // 502 every attempt in the plan failed
  budget_exhausted,        // 504 X-GammaInfra-Max-Latency-Ms exhausted
  unavailable,             // 503 shutting down / not ready
  internal,                // 500 a bug
};

struct error_traits {
  int http_status;
  std::string_view type;  // OpenAI error `type`
  bool retryable;         // an SDK may retry the same request later
  bool fallback_allowed;  // the router may try the next endpoint
};

// The single mapping table. constexpr so tests can check it exhaustively.
error_traits traits(error_kind kind) noexcept;
std::string_view to_string(error_kind kind) noexcept;

struct error {
  error_kind kind = error_kind::internal;
  std::string message;
  // OpenAI `param`: the JSON path or header name at fault (empty = null).
  std::string param;
  // OpenAI `code` (empty = null). Upstream errors carry `provider:code`, e.g.
  // `anthropic:overloaded_error`.
  std::string code;
  // Upstream HTTP status when the error came from one (0 otherwise).
  int upstream_status = 0;
  std::optional<std::chrono::milliseconds> retry_after;

  error() = default;
  error(error_kind k, std::string msg, std::string prm = {}, std::string cd = {})
      : kind(k), message(std::move(msg)), param(std::move(prm)), code(std::move(cd)) {}

  int http_status() const noexcept { return traits(kind).http_status; }
  bool fallback_allowed() const noexcept { return traits(kind).fallback_allowed; }
};

inline error invalid_request(std::string message, std::string param = {},
                             std::string code = {}) {
  return error(error_kind::invalid_request, std::move(message), std::move(param),
               std::move(code));
}

}  // namespace gi::core
