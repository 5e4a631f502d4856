#pragma once
// Per-request state that travels from the server through routing and execution. Owned by
// one request; never shared across strands.

#include <chrono>
#include <optional>
#include <string>

namespace gi::core {

struct request_context {
  std::string request_id;  // gi-…
  std::chrono::steady_clock::time_point received_at{};
  // Overall deadline (X-GammaInfra-Max-Latency-Ms or the configured request timeout).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // Incoming trace headers, kept for logs and passed upstream.
  std::string traceparent;
  std::string client_request_id;  // X-Request-Id
  std::string key_id;              // authenticated key (never the secret)

  std::chrono::nanoseconds remaining(std::chrono::steady_clock::time_point now) const {
    if (!deadline) return std::chrono::nanoseconds::max();
    return *deadline > now ? *deadline - now : std::chrono::nanoseconds::zero();
  }
};

}  // namespace gi::core
