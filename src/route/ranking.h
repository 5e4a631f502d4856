#pragma once
// Ranking: the pure policy that turns a task chain into an ordered plan (design §4.5
// "Ranking", issue 8 item 3). Inputs are values only — request features, the latency
// snapshot, per-endpoint health at one instant, the header options — so the same inputs
// always give the same order (`route --explain` prints exactly what a request would do).
//
// Filters (first that applies is the skip reason, in this order): incapable, region,
// context (estimated prompt tokens + requested max output > context window), circuit-open,
// cooldown, budget (a live — not prior — p50 above the latency budget).
//
// Score of a runnable candidate, each term normalized over the runnable set to [0,1]
// (1 = best), so weights mean the same thing whatever the chain:
//   quality_norm = (q - q_min) / (q_max - q_min)                    (1 when all equal)
//   cost_norm    = (ln c_max - ln c) / (ln c_max - ln c_min)          estimated request cost
//   latency_norm = (ln l_max - ln l) / (ln l_max - ln l_min)          p50 (prior when cold)
//   score = w_q·quality_norm + w_c·cost_norm + w_l·latency_norm − 0.5·error_rate
// Costs and latencies span orders of magnitude across providers, hence the logs.
// Weights by preference (q, c, l): balanced .4/.3/.3, latency .15/.15/.7,
// cost .2/.7/.1, quality .7/.1/.2. The Cost-Quality dial d keeps the preference's latency
// weight and splits the rest: w_q = (1 − w_l)·d, w_c = (1 − w_l)·(1 − d).
// Ties (equal score) keep chain order.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/chat_request.h"
#include "core/money.h"
#include "route/endpoint_health.h"
#include "route/latency_stats.h"

namespace gi::route {

enum class preference : std::uint8_t { balanced, latency, cost, quality };
std::string_view preference_name(preference p) noexcept;

struct rank_options {
  preference pref = preference::balanced;
  std::optional<double> cost_quality;          // [0,1]
  std::vector<std::string> regions;            // allowed; empty = any
  std::optional<std::chrono::milliseconds> budget;  // X-GammaInfra-Max-Latency-Ms
  // Compute the score terms even when they decide no order (route --explain shows them).
  bool always_score = false;
};

struct request_features {
  std::int64_t prompt_tokens = 0;  // estimated
  std::int64_t max_output = 0;     // requested (0 = not given)
  std::int64_t expected_output = 256;  // for the cost estimate when not given
};
request_features features_of(const core::chat_request& req);

struct score_terms {
  double quality = 0;  // raw per-task quality
  double quality_norm = 0;
  core::money est_cost;
  double cost_norm = 0;
  std::chrono::milliseconds p50{0};
  bool p50_from_prior = true;
  double latency_norm = 0;
  double error_rate = 0;
  double w_quality = 0, w_cost = 0, w_latency = 0;
  double score = 0;
};

struct ranked_candidate {
  const config::endpoint_config* endpoint = nullptr;
  std::size_t chain_position = 0;  // in the input order
  std::string skip_reason;         // empty = runnable
  score_terms terms;               // when `scored`: for runnable candidates (raw terms for all)
  bool scored = false;
};

struct weights {
  double quality = 0, cost = 0, latency = 0;
};
weights weights_for(const rank_options& opts) noexcept;

// Ranks `chain` (endpoints, in configured order). `pre_skip[i]`, when non-empty, is a skip
// reason already decided by the caller (incapable, no-key) for chain[i]. The result: every
// skipped candidate first, in chain order, then the runnable ones by descending score.
// `cfg` maps endpoints to indices of `stats` and `health` (indices into cfg.endpoints).
// `pinned`: chain[0] was asked for by name and leads whenever it can run, so its score
// orders nothing. Scores are computed only when they order something — two or more runnable
// candidates besides a pinned lead — or with opts.always_score; otherwise the runnable
// candidates keep chain order (what the scores could not change) and their terms stay zero.
// Why: a pinned model with one fallback is the common explicit-model request, and scoring
// (price estimates, logarithms, a sort) was a third of its routing time on a cold path.
std::vector<ranked_candidate> rank(const config::snapshot& cfg,
                                   const std::vector<const config::endpoint_config*>& chain,
                                   const std::vector<std::string>& pre_skip,
                                   const std::string& task, const request_features& feat,
                                   const stats_snapshot& stats,
                                   const std::vector<health_view>& health,
                                   const rank_options& opts, bool pinned = false);

// Whether an endpoint's region passes the X-GammaInfra-Region filter. The endpoint's
// `region` field names its region; an endpoint without one (a global API whose data
// location is unknown) does not pass a non-empty filter — residency must be explicit.
bool region_allowed(const config::endpoint_config& ep, const std::vector<std::string>& regions);

}  // namespace gi::route
