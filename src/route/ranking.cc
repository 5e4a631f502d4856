#include "route/ranking.h"

#include <algorithm>
#include <cmath>

#include "billing/cost.h"

namespace gi::route {

using namespace std::chrono;

std::string_view preference_name(preference p) noexcept {
  switch (p) {
    case preference::balanced: return "balanced";
    case preference::latency: return "latency";
    case preference::cost: return "cost";
    case preference::quality: return "quality";
  }
  return "balanced";
}

weights weights_for(const rank_options& opts) noexcept {
  weights w;
  switch (opts.pref) {
    case preference::balanced: w = {0.4, 0.3, 0.3}; break;
    case preference::latency: w = {0.15, 0.15, 0.7}; break;
    case preference::cost: w = {0.2, 0.7, 0.1}; break;
    case preference::quality: w = {0.7, 0.1, 0.2}; break;
  }
  if (opts.cost_quality) {
    double d = std::clamp(*opts.cost_quality, 0.0, 1.0);
    double rest = 1.0 - w.latency;
    w.quality = rest * d;
    w.cost = rest * (1.0 - d);
  }
  return w;
}

request_features features_of(const core::chat_request& req) {
  std::size_t chars = 0;
  for (const auto& m : req.messages) {
    chars += m.joined_text_size() + 4;
    for (const auto& t : m.tool_calls) chars += t.name.size() + t.arguments.size();
  }
  // A tool's schema is not serialized here (hot path): ~200 characters per tool.
  for (const auto& t : req.tools)
    chars += 200 + t.function.name.size() + t.function.description.value_or("").size();
  request_features f;
  f.prompt_tokens = static_cast<std::int64_t>((chars + 3) / 4);  // ≈4 characters per token
  f.max_output = req.max_completion_tokens.value_or(0);
  if (f.max_output > 0) f.expected_output = std::min<std::int64_t>(f.max_output, 1024);
  return f;
}

bool region_allowed(const config::endpoint_config& ep, const std::vector<std::string>& regions) {
  if (regions.empty()) return true;
  if (ep.region.empty()) return false;
  return std::find(regions.begin(), regions.end(), ep.region) != regions.end();
}

namespace {

// (ln hi − ln v) / (ln hi − ln lo): 1 for the smallest value, 0 for the largest.
double log_norm_low_is_best(double v, double lo, double hi) {
  v = std::max(v, 1e-9);
  lo = std::max(lo, 1e-9);
  hi = std::max(hi, 1e-9);
  if (hi <= lo * (1 + 1e-12)) return 1.0;
  return (std::log(hi) - std::log(v)) / (std::log(hi) - std::log(lo));
}

}  // namespace

std::vector<ranked_candidate> rank(const config::snapshot& cfg,
                                   const std::vector<const config::endpoint_config*>& chain,
                                   const std::vector<std::string>& pre_skip,
                                   const std::string& task, const request_features& feat,
                                   const stats_snapshot& stats,
                                   const std::vector<health_view>& health,
                                   const rank_options& opts, bool pinned) {
  std::vector<ranked_candidate> out;
  out.reserve(chain.size());
  std::size_t runnable = 0;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const auto& ep = *chain[i];
    ranked_candidate c;
    c.endpoint = &ep;
    c.chain_position = i;
    auto idx = static_cast<std::size_t>(&ep - cfg.endpoints.data());
    const endpoint_stats& st = stats.at(idx);
    health_view hv = idx < health.size() ? health[idx] : health_view{};
    if (i < pre_skip.size() && !pre_skip[i].empty()) {
      c.skip_reason = pre_skip[i];
    } else if (!region_allowed(ep, opts.regions)) {
      c.skip_reason = "region";
    } else if (feat.prompt_tokens + feat.max_output > ep.context_window) {
      c.skip_reason = "context";
    } else if (hv.circuit == circuit_state::open) {
      c.skip_reason = "circuit-open";
    } else if (hv.cooling_down) {
      c.skip_reason = "cooldown";
    } else if (opts.budget && !st.from_prior && st.p50 > *opts.budget) {
      // Only a measured p50 excludes: a prior is a guess, and a cold endpoint must get the
      // chance to be measured.
      c.skip_reason = "budget";
    } else {
      ++runnable;
    }
    out.push_back(std::move(c));
  }
  const bool lead_fixed = pinned && !out.empty() && out[0].skip_reason.empty();
  if (!opts.always_score && runnable - (lead_fixed ? 1 : 0) < 2) {
    // Nothing for the scores to order: skipped first, the rest in chain order (usually
    // already so; stable_partition would allocate a buffer even then).
    auto skipped = [](const ranked_candidate& c) { return !c.skip_reason.empty(); };
    if (!std::is_partitioned(out.begin(), out.end(), skipped))
      std::stable_partition(out.begin(), out.end(), skipped);
    return out;
  }

  weights w = weights_for(opts);
  for (auto& c : out) {
    const auto& ep = *c.endpoint;
    const endpoint_stats& st = stats.at(static_cast<std::size_t>(&ep - cfg.endpoints.data()));
    auto& t = c.terms;
    c.scored = true;
    auto q = ep.quality.find(task);
    t.quality = q != ep.quality.end() ? q->second : 0.5;
    core::usage u;
    u.prompt_tokens = feat.prompt_tokens;
    u.completion_tokens = feat.expected_output;
    t.est_cost = billing::cost_of(u, ep.prices).total();
    t.p50 = st.p50;
    t.p50_from_prior = st.from_prior;
    t.error_rate = st.error_rate();
    t.w_quality = w.quality;
    t.w_cost = w.cost;
    t.w_latency = w.latency;
  }

  // Normalize over the runnable set.
  double qmin = 1e300, qmax = -1e300, cmin = 1e300, cmax = 0, lmin = 1e300, lmax = 0;
  for (const auto& c : out) {
    if (!c.skip_reason.empty()) continue;
    qmin = std::min(qmin, c.terms.quality);
    qmax = std::max(qmax, c.terms.quality);
    double cost = static_cast<double>(c.terms.est_cost.nanos());
    cmin = std::min(cmin, cost);
    cmax = std::max(cmax, cost);
    double l = static_cast<double>(c.terms.p50.count());
    lmin = std::min(lmin, l);
    lmax = std::max(lmax, l);
  }
  for (auto& c : out) {
    if (!c.skip_reason.empty()) continue;
    auto& t = c.terms;
    t.quality_norm = qmax - qmin > 1e-12 ? (t.quality - qmin) / (qmax - qmin) : 1.0;
    t.cost_norm = log_norm_low_is_best(static_cast<double>(t.est_cost.nanos()), cmin, cmax);
    t.latency_norm = log_norm_low_is_best(static_cast<double>(t.p50.count()), lmin, lmax);
    t.score = t.w_quality * t.quality_norm + t.w_cost * t.cost_norm +
              t.w_latency * t.latency_norm - 0.5 * t.error_rate;
    // Quantized so floating noise cannot reorder equal candidates (ties keep chain order).
    t.score = std::round(t.score * 1e9) / 1e9;
  }

  // One candidate (a pinned model without fallbacks) is already in order, and stable_sort
  // would still allocate its temporary buffer.
  if (out.size() < 2) return out;
  std::stable_sort(out.begin(), out.end(), [](const ranked_candidate& a, const ranked_candidate& b) {
    bool as = !a.skip_reason.empty(), bs = !b.skip_reason.empty();
    if (as != bs) return as;  // skipped first (they only appear in the chain header)
    if (as) return a.chain_position < b.chain_position;
    if (a.terms.score != b.terms.score) return a.terms.score > b.terms.score;
    return a.chain_position < b.chain_position;
  });
  return out;
}

}  // namespace gi::route
