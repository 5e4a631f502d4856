#pragma once
// Building the ordered attempt list for one request (design §3.1 `model` semantics, §4.5).
// Pure: config snapshot + request + header options in, plan out.
//
//   model = "auto"         -> the chain of the task (X-GammaInfra-Task or the default task)
//   model = "auto:<task>"  -> the chain of <task>
//   model = endpoint id or alias -> that endpoint first, then its own `fallbacks` when
//                            configured, else the task chain; nothing more with
//                            X-GammaInfra-Fallback: off.
// Endpoints that cannot serve the request stay in the plan as skipped attempts (with a
// reason) so the Fallback-Chain header shows them.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/chat_request.h"
#include "core/result.h"
#include "route/ranking.h"

namespace gi::route {


// X-GammaInfra-Hedge: off | on (delay = the leader's live p90, clamped) | <ms>.
struct hedge_request {
  config::hedge_config::mode mode = config::hedge_config::mode::on;
  std::chrono::milliseconds delay{0};  // mode::delay only
};

struct plan_options {
  std::optional<std::string> task;  // X-GammaInfra-Task
  bool fallback = true;             // X-GammaInfra-Fallback
  rank_options ranking;             // Preference, Cost-Quality, Region, Max-Latency-Ms
  std::optional<hedge_request> hedge;  // absent = routing.hedge.default
};

// Live inputs of the ranking. Without them (nullptr) the plan keeps the configured chain
// order and applies only the capability / key filters (a static ordered fallback).
struct routing_inputs {
  const stats_snapshot* stats = nullptr;
  const std::vector<health_view>* health = nullptr;
};

struct planned_attempt {
  const config::endpoint_config* endpoint = nullptr;
  std::string skip_reason;  // empty = runnable; else incapable | no-key | region | …
  std::string skip_detail;  // which capability was missing (route --explain), e.g. image_url
  std::optional<score_terms> terms;  // when scored (ranking.h: only when they order something)
};

struct plan {
  std::vector<planned_attempt> attempts;
  std::string task;
  std::string task_source;  // header | model | default
  bool pinned = false;      // an explicit endpoint was requested
  bool ranked = false;      // ordered by rank() (else the configured order)
  bool fallback = true;     // X-GammaInfra-Fallback: off = only the first runnable attempt
  std::optional<hedge_request> hedge;  // X-GammaInfra-Hedge (absent = the config default)
  // The param-naming 400 for a request feature a candidate cannot take (an image URL on
  // Bedrock): the executor answers it when no attempt ran, like an encoder's error.
  std::optional<core::error> incapable_error;
  std::size_t runnable() const;
};

// Whether the gateway holds credentials for an endpoint (env var set, or auth: none).
using credential_check = std::function<bool(const config::endpoint_config&)>;

// Errors: 404 unknown model (param "model"), 400 unknown task.
// With `live`, the candidates are ranked (ranking.h): skipped ones first, then by score;
// a pinned endpoint stays first when it is runnable (the caller asked for it).
core::result<plan> make_plan(const config::snapshot& cfg, const core::chat_request& req,
                             const plan_options& opts, const credential_check& has_key,
                             const routing_inputs* live = nullptr);

// The reason an endpoint cannot serve `req` ("incapable"), or empty.
std::string capability_gap(const config::endpoint_config& ep, const core::chat_request& req);

}  // namespace gi::route
