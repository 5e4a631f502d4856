#pragma once
// Validation of the X-GammaInfra-* request headers (design §3.2). Pure: the server calls it
// before the chat handler so a bad value is a 400 naming the header; the router reuses
// the parsed values. Unknown X-GammaInfra-* headers are ignored (forward compatibility).
//
// Thread safety: free functions, no shared state.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http_types.h"
#include "core/provider_kind.h"
#include "core/request_context.h"
#include "core/result.h"
#include "core/tasks.h"

namespace gi::server {

enum class preference { balanced, latency, cost, quality };

struct hedge_setting {
  enum class mode { off, on, delay };
  mode m = mode::on;
  std::chrono::milliseconds delay{0};  // mode::delay only
};

// A BYOK secret from X-GammaInfra-Provider-Key-<Provider>. Never logged.
using byok_key = core::byok_secret;

// The 8 task labels of design §1 (declared once, in core/tasks.h).
using core::is_known_task;
using core::task_names;

struct gateway_options {
  std::optional<server::preference> preference;
  std::optional<double> cost_quality;                   // [0,1]
  std::optional<std::chrono::milliseconds> max_latency;  // > 0
  std::vector<std::string> regions;                     // lower-case; empty = any
  std::optional<hedge_setting> hedge;
  std::optional<std::string> task;
  std::optional<bool> fallback;
  std::vector<byok_key> byok;
};

// Errors are invalid_request with `param` = the header name and a message naming it.
core::result<gateway_options> parse_gateway_headers(const core::header_list& headers);

// Light checks of trace headers; invalid values are dropped (not an error: they only feed
// logs and upstream propagation). W3C trace-context: `00-<32 hex>-<16 hex>-<2 hex>`.
bool is_valid_traceparent(std::string_view v) noexcept;
// X-Request-Id: 1..128 visible ASCII characters.
bool is_valid_client_request_id(std::string_view v) noexcept;

}  // namespace gi::server
