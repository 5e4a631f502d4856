#include "core/error.h"

namespace gi::core {

error_traits traits(error_kind kind) noexcept {
  switch (kind) {
    case error_kind::invalid_request: return {400, "invalid_request_error", false, false};
    case error_kind::unauthenticated: return {401, "authentication_error", false, false};
    case error_kind::insufficient_credit: return {402, "insufficient_quota", false, false};
    case error_kind::permission_denied: return {403, "permission_error", false, false};
    case error_kind::not_found: return {404, "not_found_error", false, false};
    case error_kind::method_not_allowed: return {405, "invalid_request_error", false, false};
    case error_kind::request_timeout: return {408, "timeout", true, false};
    case error_kind::payload_too_large: return {413, "invalid_request_error", false, false};
    case error_kind::unsupported_media_type: return {415, "invalid_request_error", false, false};
    case error_kind::no_capable_endpoint: return {422, "invalid_request_error", false, false};
    case error_kind::gateway_rate_limited: return {429, "rate_limit_error", true, false};
    // Upstream kinds: the status is what the caller sees if this error is returned as-is
    // (the caller's own faults) or ends the chain.
    case error_kind::auth: return {502, "server_error", false, true};
    case error_kind::upstream_invalid_request: return {400, "invalid_request_error", false, false};
    case error_kind::context_length: return {400, "invalid_request_error", false, true};
    case error_kind::content_policy: return {400, "invalid_request_error", false, false};
    case error_kind::rate_limited: return {429, "rate_limit_error", true, true};
    case error_kind::overloaded: return {503, "service_unavailable", true, true};
    case error_kind::timeout: return {504, "timeout", true, true};
    case error_kind::upstream_5xx: return {502, "server_error", true, true};
    case error_kind::truncated: return {502, "server_error", true, true};
    case error_kind::connect: return {502, "server_error", true, true};
    case error_kind::tls: return {502, "server_error", true, true};
    case error_kind::protocol: return {502, "server_error", true, true};
    case error_kind::unknown: return {502, "server_error", true, true};
    case error_kind::all_attempts_failed: return {502, "server_error", true, false};
    case error_kind::budget_exhausted: return {504, "timeout", true, false};
    case error_kind::unavailable: return {503, "service_unavailable", true, false};
    case error_kind::internal: return {500, "server_error", true, false};
  }
  return {500, "server_error", false, false};
}

std::string_view to_string(error_kind kind) noexcept {
  switch (kind) {
    case error_kind::invalid_request: return "invalid_request";
    case error_kind::unauthenticated: return "unauthenticated";
    case error_kind::insufficient_credit: return "insufficient_credit";
    case error_kind::permission_denied: return "permission_denied";
    case error_kind::not_found: return "not_found";
    case error_kind::method_not_allowed: return "method_not_allowed";
    case error_kind::request_timeout: return "request_timeout";
    case error_kind::payload_too_large: return "payload_too_large";
    case error_kind::unsupported_media_type: return "unsupported_media_type";
    case error_kind::no_capable_endpoint: return "no_capable_endpoint";
    case error_kind::gateway_rate_limited: return "gateway_rate_limited";
    case error_kind::auth: return "auth";
    case error_kind::upstream_invalid_request: return "upstream_invalid_request";
    case error_kind::context_length: return "context_length";
    case error_kind::content_policy: return "content_policy";
    case error_kind::rate_limited: return "rate_limited";
    case error_kind::overloaded: return "overloaded";
    case error_kind::timeout: return "timeout";
    case error_kind::upstream_5xx: return "upstream_5xx";
    case error_kind::truncated: return "truncated";
    case error_kind::connect: return "connect";
    case error_kind::tls: return "tls";
    case error_kind::protocol: return "protocol";
    case error_kind::unknown: return "unknown";
    case error_kind::all_attempts_failed: return "all_attempts_failed";
    case error_kind::budget_exhausted: return "budget_exhausted";
    case error_kind::unavailable: return "unavailable";
    case error_kind::internal: return "internal";
  }
  return "internal";
}

}  // namespace gi::core
