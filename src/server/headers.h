#pragma once
// Every gateway-specific HTTP header name, declared once (design §3.2–§3.3, style rule 11).
// Code refers to these constants, never to literals. HTTP header names are
// case-insensitive; compare with core::iequals / core::find_header.

#include <string_view>

namespace gi::server::headers {

// --- request headers (design §3.2) ---
inline constexpr std::string_view authorization = "Authorization";
inline constexpr std::string_view preference = "X-GammaInfra-Preference";
inline constexpr std::string_view cost_quality = "X-GammaInfra-Cost-Quality";
inline constexpr std::string_view max_latency_ms = "X-GammaInfra-Max-Latency-Ms";
inline constexpr std::string_view region = "X-GammaInfra-Region";
inline constexpr std::string_view hedge = "X-GammaInfra-Hedge";
inline constexpr std::string_view task = "X-GammaInfra-Task";
inline constexpr std::string_view fallback = "X-GammaInfra-Fallback";
// BYOK: the provider name follows the prefix (`X-GammaInfra-Provider-Key-OpenAI`). Never logged.
inline constexpr std::string_view provider_key_prefix = "X-GammaInfra-Provider-Key-";
inline constexpr std::string_view traceparent = "traceparent";
inline constexpr std::string_view request_id_in = "X-Request-Id";
// Admin top-ups: replaying the same key credits once (issue 10 §3).
inline constexpr std::string_view idempotency_key = "Idempotency-Key";

// --- response headers (design §3.3) ---
inline constexpr std::string_view request_id = "X-GammaInfra-Request-Id";
inline constexpr std::string_view endpoint = "X-GammaInfra-Endpoint";
inline constexpr std::string_view fallback_chain = "X-GammaInfra-Fallback-Chain";
inline constexpr std::string_view cost_usd = "X-GammaInfra-Cost-USD";
inline constexpr std::string_view router_version = "X-GammaInfra-Router-Version";
inline constexpr std::string_view task_out = "X-GammaInfra-Task";
inline constexpr std::string_view task_source = "X-GammaInfra-Task-Source";
inline constexpr std::string_view overhead_ms = "X-GammaInfra-Overhead-Ms";
inline constexpr std::string_view credit_remaining_usd = "X-GammaInfra-Credit-Remaining-USD";
inline constexpr std::string_view hedged = "X-GammaInfra-Hedged";
// Gateway rate limits (design §3.4): of the requests/min bucket, or of the tokens/min bucket
// when that one refused. Reset = seconds until the bucket is full again.
inline constexpr std::string_view ratelimit_limit = "X-RateLimit-Limit";
inline constexpr std::string_view ratelimit_remaining = "X-RateLimit-Remaining";
inline constexpr std::string_view ratelimit_reset = "X-RateLimit-Reset";

// --- standard headers the gateway sets or checks by name ---
inline constexpr std::string_view content_type = "Content-Type";
inline constexpr std::string_view allow = "Allow";
inline constexpr std::string_view retry_after = "Retry-After";
inline constexpr std::string_view www_authenticate = "WWW-Authenticate";

inline constexpr std::string_view json_content_type = "application/json";

}  // namespace gi::server::headers
