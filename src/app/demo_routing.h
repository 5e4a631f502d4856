#pragma once
// The demo's routing scenery (issue 8 item 7): each mock provider answers with its own
// latency distribution (mock fault grammar: latency_ms + jitter_ms + a slow tail), one
// flaky endpoint fails some requests before sending anything (so a cascade or a hedge
// always rescues them and clients never see the failure), hedging is on, and the live
// stats refresh every 5 s so `route --explain --gateway` and the response headers show
// live-p50 routing, cascades and hedges within a minute of traffic.

#include <string>
#include <string_view>

#include "core/provider_kind.h"

namespace gi::app {

// "@latency_ms=…,jitter_ms=…,tail_pct=…,tail_ms=…" appended to a catalog model name.
std::string demo_latency_spec(core::provider_kind provider);

// The flaky endpoint's model: fails `fault_pct` % of requests with a 500 within ≤ 1 s.
inline constexpr std::string_view demo_flaky_model =
    "gpt-4o-mini@fault=500,fault_pct=35,latency_ms=80,jitter_ms=700";

// The flaky endpoint's `quality:` lines: high on every task, so it leads the ranking until
// its live error rate pulls it down (estimates for the demo).
std::string demo_flaky_quality_yaml();

// The `routing:` keys of the demo besides its chains (hedge and latency stats).
std::string demo_routing_yaml();

}  // namespace gi::app
