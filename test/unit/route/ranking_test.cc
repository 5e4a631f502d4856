#include "route/ranking.h"

#include <gtest/gtest.h>

#include "config/loader.h"
#include "route/plan.h"

namespace gi::route {
namespace {

using namespace std::chrono;

// cheap: low quality, cheap, fast.  best: high quality, expensive, slow.  mid: between.
config::snapshot_ptr make_config() {
  auto cfg = config::load_string(R"(
catalog: false
endpoints:
  - id: x/cheap
    provider: openai
    model: cheap
    auth: none
    region: us
    prices: {input: "0.1", output: "0.4"}
    context_window: 8000
    max_output: 4000
    quality: {chat: 0.5}
    quality_source: "estimate: test"
  - id: x/mid
    provider: groq
    model: mid
    auth: none
    region: eu
    prices: {input: "1", output: "4"}
    quality: {chat: 0.7}
    quality_source: "estimate: test"
  - id: x/best
    provider: mistral
    model: best
    auth: none
    region: eu
    prices: {input: "10", output: "40"}
    quality: {chat: 0.9}
    quality_source: "estimate: test"
routing:
  default_task: chat
  chains:
    chat: [x/best, x/mid, x/cheap]
)", "<test>");
  EXPECT_TRUE(cfg) << cfg.error().to_string();
  return *cfg;
}

struct fixture {
  config::snapshot_ptr cfg = make_config();
  stats_snapshot stats;
  std::vector<health_view> health = std::vector<health_view>(3);
  std::vector<const config::endpoint_config*> chain;
  request_features feat;

  fixture() {
    stats.endpoints.resize(3);
    set_p50("x/cheap", 200);
    set_p50("x/mid", 800);
    set_p50("x/best", 3000);
    for (const auto* id : {"x/best", "x/mid", "x/cheap"}) chain.push_back(cfg->find_endpoint(id));
    feat.prompt_tokens = 1000;
  }
  std::size_t idx(std::string_view id) const {
    return static_cast<std::size_t>(cfg->find_endpoint(id) - cfg->endpoints.data());
  }
  void set_p50(std::string_view id, int ms) {
    auto& s = stats.endpoints[idx(id)];
    s.p50 = milliseconds(ms);
    s.from_prior = false;
    s.samples = 100;
  }
  std::vector<ranked_candidate> run(const rank_options& o, std::vector<std::string> pre = {}) {
    return rank(*cfg, chain, pre, "chat", feat, stats, health, o);
  }
  std::vector<std::string> order(const rank_options& o, std::vector<std::string> pre = {}) {
    std::vector<std::string> out;
    for (const auto& c : run(o, std::move(pre)))
      out.push_back(c.endpoint->id + (c.skip_reason.empty() ? "" : "!" + c.skip_reason));
    return out;
  }
};

using v = std::vector<std::string>;

TEST(ranking, each_preference_orders_by_its_main_term) {
  fixture f;
  rank_options o;
  o.pref = preference::latency;
  EXPECT_EQ(f.order(o), (v{"x/cheap", "x/mid", "x/best"}));
  o.pref = preference::cost;
  EXPECT_EQ(f.order(o), (v{"x/cheap", "x/mid", "x/best"}));
  o.pref = preference::quality;
  EXPECT_EQ(f.order(o), (v{"x/best", "x/mid", "x/cheap"}));
  // Balanced with a slow cheap endpoint: quality 0.4 vs cost+latency 0.6 of a fast best.
  f.set_p50("x/best", 150);
  f.set_p50("x/cheap", 3000);
  o.pref = preference::balanced;
  EXPECT_EQ(f.order(o), (v{"x/best", "x/mid", "x/cheap"}));
}

TEST(ranking, cost_quality_dial_extremes) {
  fixture f;
  // Equal latencies so only the dial matters.
  for (auto id : {"x/cheap", "x/mid", "x/best"}) f.set_p50(id, 500);
  rank_options o;
  o.cost_quality = 0.0;
  EXPECT_EQ(f.order(o), (v{"x/cheap", "x/mid", "x/best"}));
  auto r = f.run(o);
  EXPECT_DOUBLE_EQ(r[0].terms.w_quality, 0.0);
  EXPECT_DOUBLE_EQ(r[0].terms.w_cost, 0.7);
  EXPECT_DOUBLE_EQ(r[0].terms.w_latency, 0.3);
  o.cost_quality = 1.0;
  EXPECT_EQ(f.order(o), (v{"x/best", "x/mid", "x/cheap"}));
  r = f.run(o);
  EXPECT_DOUBLE_EQ(r[0].terms.w_quality, 0.7);
  EXPECT_DOUBLE_EQ(r[0].terms.w_cost, 0.0);
  // The dial overrides Preference's cost/quality split but keeps its latency weight.
  o.pref = preference::latency;
  auto w = weights_for(o);
  EXPECT_DOUBLE_EQ(w.latency, 0.7);
  EXPECT_NEAR(w.quality, 0.3, 1e-12);
  EXPECT_DOUBLE_EQ(w.cost, 0.0);
}

TEST(ranking, score_terms_are_normalized_and_reported) {
  fixture f;
  rank_options o;
  auto r = f.run(o);
  for (const auto& c : r) {
    const auto& t = c.terms;
    if (c.endpoint->id == "x/best") {
      EXPECT_DOUBLE_EQ(t.quality_norm, 1.0);
      EXPECT_DOUBLE_EQ(t.cost_norm, 0.0);
      EXPECT_DOUBLE_EQ(t.latency_norm, 0.0);
      // 1000 prompt tokens × $10/M + 256 × $40/M = $0.02024
      EXPECT_EQ(t.est_cost.to_string(), "0.02024");
    }
    if (c.endpoint->id == "x/cheap") {
      EXPECT_DOUBLE_EQ(t.quality_norm, 0.0);
      EXPECT_DOUBLE_EQ(t.cost_norm, 1.0);
      EXPECT_DOUBLE_EQ(t.latency_norm, 1.0);
      EXPECT_NEAR(t.score, 0.6, 1e-9);
    }
    if (c.endpoint->id == "x/mid") {
      EXPECT_NEAR(t.quality_norm, 0.5, 1e-12);
    }
  }
}

TEST(ranking, ties_keep_chain_order) {
  fixture f;
  auto cfg = config::load_string(R"(
catalog: false
endpoints:
  - {id: t/a, provider: openai, model: a, auth: none, prices: {input: "1", output: "1"}, quality: {chat: 0.5}, quality_source: "estimate: test"}
  - {id: t/b, provider: openai, model: b, auth: none, prices: {input: "1", output: "1"}, quality: {chat: 0.5}, quality_source: "estimate: test"}
  - {id: t/c, provider: openai, model: c, auth: none, prices: {input: "1", output: "1"}, quality: {chat: 0.5}, quality_source: "estimate: test"}
routing: {chains: {chat: [t/c, t/a, t/b]}}
)", "<t>");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  stats_snapshot st;
  st.fallback.p50 = milliseconds(500);
  std::vector<const config::endpoint_config*> chain{(*cfg)->find_endpoint("t/c"),
                                                    (*cfg)->find_endpoint("t/a"),
                                                    (*cfg)->find_endpoint("t/b")};
  for (auto pref : {preference::balanced, preference::latency, preference::cost, preference::quality}) {
    rank_options o;
    o.pref = pref;
    auto r = rank(**cfg, chain, {}, "chat", {}, st, {}, o);
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].endpoint->id, "t/c");
    EXPECT_EQ(r[1].endpoint->id, "t/a");
    EXPECT_EQ(r[2].endpoint->id, "t/b");
  }
}

TEST(ranking, region_filter_is_strict) {
  fixture f;
  rank_options o;
  o.pref = preference::latency;
  o.regions = {"eu"};
  EXPECT_EQ(f.order(o), (v{"x/cheap!region", "x/mid", "x/best"}));
  o.regions = {"us", "eu"};
  EXPECT_EQ(f.order(o), (v{"x/cheap", "x/mid", "x/best"}));
  config::endpoint_config global;
  EXPECT_TRUE(region_allowed(global, {}));
  EXPECT_FALSE(region_allowed(global, {"us"}));
}

TEST(ranking, context_window_counts_prompt_and_requested_output) {
  fixture f;
  rank_options o;
  o.pref = preference::latency;
  f.feat.prompt_tokens = 7000;
  f.feat.max_output = 1000;  // 8000 == window: fits
  EXPECT_EQ(f.order(o)[0], "x/cheap");
  f.feat.max_output = 1001;
  EXPECT_EQ(f.order(o), (v{"x/cheap!context", "x/mid", "x/best"}));
}

TEST(ranking, circuit_open_and_cooldown_skip_but_half_open_runs) {
  fixture f;
  rank_options o;
  o.pref = preference::latency;
  f.health[f.idx("x/cheap")].circuit = circuit_state::open;
  f.health[f.idx("x/mid")].cooling_down = true;
  EXPECT_EQ(f.order(o), (v{"x/mid!cooldown", "x/cheap!circuit-open", "x/best"}));
  f.health[f.idx("x/cheap")].circuit = circuit_state::half_open;
  EXPECT_EQ(f.order(o), (v{"x/mid!cooldown", "x/cheap", "x/best"}));
}

TEST(ranking, budget_skips_endpoints_whose_p50_exceeds_it) {
  fixture f;
  rank_options o;
  o.pref = preference::quality;
  o.budget = milliseconds(1000);
  EXPECT_EQ(f.order(o), (v{"x/best!budget", "x/mid", "x/cheap"}));
  f.stats.endpoints[f.idx("x/best")].from_prior = true;  // a prior never excludes
  EXPECT_EQ(f.order(o), (v{"x/best", "x/mid", "x/cheap"}));
}

TEST(ranking, caller_skips_come_first_and_error_rate_penalizes) {
  fixture f;
  rank_options o;
  o.pref = preference::latency;
  EXPECT_EQ(f.order(o, {"incapable", "", ""}), (v{"x/best!incapable", "x/cheap", "x/mid"}));
  auto& s = f.stats.endpoints[f.idx("x/cheap")];
  s.errors = 300;  // 75 % error rate: 0.85 − 0.375 < x/mid's 0.49
  EXPECT_EQ(f.order(o), (v{"x/mid", "x/cheap", "x/best"}));
}

TEST(ranking, prior_is_used_for_cold_endpoints) {
  fixture f;
  f.stats.endpoints[f.idx("x/best")] = endpoint_stats{};  // cold: p50 from the snapshot's prior
  f.stats.endpoints[f.idx("x/best")].p50 = milliseconds(100);
  rank_options o;
  o.pref = preference::latency;
  auto r = f.run(o);
  EXPECT_EQ(r[0].endpoint->id, "x/best");
  EXPECT_TRUE(r[0].terms.p50_from_prior);
}

TEST(ranking, features_estimate_prompt_tokens_and_max_output) {
  core::chat_request req;
  core::message m;
  m.role = core::role::user;
  m.content = std::string(396, 'a');  // + 4 per message = 400 chars = 100 tokens
  req.messages.push_back(m);
  req.max_completion_tokens = 5000;
  auto f = features_of(req);
  EXPECT_EQ(f.prompt_tokens, 100);
  EXPECT_EQ(f.max_output, 5000);
  EXPECT_EQ(f.expected_output, 1024);
}

TEST(ranking, make_plan_ranks_auto_and_keeps_a_pinned_endpoint_first) {
  fixture f;
  plan_options po;
  po.ranking.pref = preference::latency;
  routing_inputs live{&f.stats, &f.health};
  core::chat_request req;
  req.model = "auto";
  req.messages.push_back(core::message{});
  auto p = make_plan(*f.cfg, req, po, {}, &live);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->ranked);
  ASSERT_EQ(p->attempts.size(), 3u);
  EXPECT_EQ(p->attempts[0].endpoint->id, "x/cheap");
  ASSERT_TRUE(p->attempts[0].terms);
  req.model = "x/best";
  p = make_plan(*f.cfg, req, po, {}, &live);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->attempts[0].endpoint->id, "x/best");
  EXPECT_EQ(p->attempts[1].endpoint->id, "x/cheap");
  // Without live inputs: configured order (static fallback).
  req.model = "auto";
  p = make_plan(*f.cfg, req, po, {});
  EXPECT_FALSE(p->ranked);
  EXPECT_EQ(p->attempts[0].endpoint->id, "x/best");
}

// Scores are computed only where they decide an order; the order is the same either way.
TEST(ranking, scores_only_when_they_order_something) {
  fixture f;
  rank_options o;
  o.pref = preference::latency;
  auto scored = [](const std::vector<ranked_candidate>& r) {
    int n = 0;
    for (const auto& c : r) n += c.scored;
    return n;
  };
  // Pinned lead plus one runnable fallback: nothing to order.
  auto r = rank(*f.cfg, f.chain, {"", "", "no-key"}, "chat", f.feat, f.stats, f.health, o, true);
  EXPECT_EQ(scored(r), 0);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].endpoint->id + "!" + r[0].skip_reason, "x/cheap!no-key");
  EXPECT_EQ(r[1].endpoint->id, "x/best");
  EXPECT_EQ(r[2].endpoint->id, "x/mid");
  // Pinned lead plus two runnable fallbacks: the scores order them.
  r = rank(*f.cfg, f.chain, {}, "chat", f.feat, f.stats, f.health, o, true);
  EXPECT_EQ(scored(r), 3);
  EXPECT_EQ(r[0].endpoint->id, "x/cheap");
  EXPECT_EQ(r[1].endpoint->id, "x/mid");
  // Not pinned, one runnable: nothing to order, unless the terms are asked for.
  r = rank(*f.cfg, f.chain, {"", "no-key", "no-key"}, "chat", f.feat, f.stats, f.health, o);
  EXPECT_EQ(scored(r), 0);
  EXPECT_EQ(r[2].endpoint->id, "x/best");
  o.always_score = true;
  r = rank(*f.cfg, f.chain, {"", "no-key", "no-key"}, "chat", f.feat, f.stats, f.health, o);
  EXPECT_EQ(scored(r), 3);
  EXPECT_DOUBLE_EQ(r[2].terms.w_latency, 0.7);
  EXPECT_GT(r[2].terms.est_cost.nanos(), 0);
  // Not pinned, two runnable: scored, and the scores decide (latency: mid before best).
  o.always_score = false;
  r = rank(*f.cfg, f.chain, {"", "", "no-key"}, "chat", f.feat, f.stats, f.health, o);
  EXPECT_EQ(scored(r), 3);
  EXPECT_EQ(r[1].endpoint->id, "x/mid");
  EXPECT_EQ(r[2].endpoint->id, "x/best");

  // Through make_plan: a pinned model whose only other runnable fallback needs no scores.
  plan_options po;
  po.ranking.pref = preference::latency;
  routing_inputs live{&f.stats, &f.health};
  core::chat_request req;
  req.model = "x/best";
  req.messages.push_back(core::message{});
  auto p = make_plan(*f.cfg, req, po, [](const config::endpoint_config& ep) { return ep.id != "x/cheap"; },
                     &live);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->attempts.size(), 3u);
  EXPECT_EQ(p->attempts[0].skip_reason, "no-key");
  EXPECT_EQ(p->attempts[1].endpoint->id, "x/best");
  EXPECT_EQ(p->attempts[2].endpoint->id, "x/mid");
  for (const auto& a : p->attempts) EXPECT_FALSE(a.terms);
}

}  // namespace
}  // namespace gi::route
