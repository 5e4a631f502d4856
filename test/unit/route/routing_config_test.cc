// The router knobs of `routing.hedge` and `routing.latency` (issue 8): defaults, parsing,
// validation errors naming the path, the executor options built from them, and the
// snapshot hash (X-GammaInfra-Router-Version) changing with them.

#include <gtest/gtest.h>

#include "config/config.h"
#include "route/executor.h"

namespace gi::route {
namespace {

using namespace std::chrono_literals;

config::snapshot_ptr must(std::string_view yaml) {
  auto r = config::load_string(yaml, "<test>");
  EXPECT_TRUE(r) << (r ? "" : r.error().to_string());
  return r ? *r : config::defaults();
}

std::string error_of(std::string_view yaml) {
  auto r = config::load_string(yaml, "<test>");
  EXPECT_FALSE(r) << yaml;
  return r ? std::string() : r.error().to_string();
}

TEST(routing_config, defaults) {
  auto s = config::defaults();
  EXPECT_EQ(s->routing.hedge.default_mode, config::hedge_config::mode::off);
  EXPECT_EQ(s->routing.hedge.min_delay, 50ms);
  EXPECT_EQ(s->routing.hedge.max_delay, 5000ms);
  EXPECT_EQ(s->routing.hedge.max_per_request, 1u);
  EXPECT_TRUE(s->routing.latency.live);
  EXPECT_EQ(s->routing.latency.window, 300s);
  EXPECT_EQ(s->routing.latency.refresh, 30s);
  EXPECT_EQ(s->routing.latency.min_samples, 5u);
  EXPECT_EQ(s->routing.latency.prior_p50, 1000ms);
}

TEST(routing_config, parses_every_knob) {
  auto s = must(
      "routing:\n"
      "  hedge: {default: 250ms, min_delay: 10ms, max_delay: 2s, max_per_request: 2}\n"
      "  latency:\n"
      "    live: false\n    window: 2m\n    refresh: 10s\n    min_samples: 3\n"
      "    prior: {p50: 400ms, p90: 900ms, p99: 3s}\n");
  const auto& h = s->routing.hedge;
  EXPECT_EQ(h.default_mode, config::hedge_config::mode::delay);
  EXPECT_EQ(h.default_delay, 250ms);
  EXPECT_EQ(h.min_delay, 10ms);
  EXPECT_EQ(h.max_delay, 2000ms);
  EXPECT_EQ(h.max_per_request, 2u);
  const auto& l = s->routing.latency;
  EXPECT_FALSE(l.live);
  EXPECT_EQ(l.window, 120s);
  EXPECT_EQ(l.refresh, 10s);
  EXPECT_EQ(l.min_samples, 3u);
  auto o = executor_options_from(*s);
  EXPECT_EQ(o.stats.window, 120s);
  EXPECT_EQ(o.stats.refresh, 10s);
  EXPECT_EQ(o.stats.min_samples, 3u);
  EXPECT_EQ(o.stats.prior.p50, 400ms);
  EXPECT_EQ(o.stats.prior.p90, 900ms);
  EXPECT_EQ(o.stats.prior.p99, 3000ms);

  EXPECT_EQ(must("routing:\n  hedge: {default: on}\n")->routing.hedge.default_mode,
            config::hedge_config::mode::on);
  EXPECT_EQ(must("routing:\n  hedge: {default: \"off\"}\n")->routing.hedge.default_mode,
            config::hedge_config::mode::off);
}

TEST(routing_config, errors_name_the_path) {
  EXPECT_NE(error_of("routing:\n  hedge: {default: sometimes}\n").find("routing.hedge.default"),
            std::string::npos);
  EXPECT_NE(error_of("routing:\n  hedge: {min_delay: 2s, max_delay: 1s}\n").find("routing.hedge.max_delay"),
            std::string::npos);
  EXPECT_NE(error_of("routing:\n  hedge: {max_per_request: 9}\n").find("routing.hedge.max_per_request"),
            std::string::npos);
  EXPECT_NE(error_of("routing:\n  hedge: {delay: 5ms}\n").find("routing.hedge"), std::string::npos);
  EXPECT_NE(error_of("routing:\n  latency: {window: 1500ms}\n").find("routing.latency.window"),
            std::string::npos);
  EXPECT_NE(error_of("routing:\n  latency: {window: 30s, refresh: 60s}\n").find("routing.latency.refresh"),
            std::string::npos);
  EXPECT_NE(error_of("routing:\n  latency: {min_samples: 0}\n").find("routing.latency.min_samples"),
            std::string::npos);
  EXPECT_NE(error_of("routing:\n  latency: {prior: {p50: 2s, p90: 1s}}\n").find("routing.latency.prior"),
            std::string::npos);
  EXPECT_NE(error_of("routing:\n  latency: {live: maybe}\n").find("routing.latency.live"),
            std::string::npos);
}

TEST(routing_config, router_knobs_change_the_hash) {
  auto base = must("");
  EXPECT_NE(must("routing:\n  hedge: {default: on}\n")->hash, base->hash);
  EXPECT_NE(must("routing:\n  latency: {live: false}\n")->hash, base->hash);
  EXPECT_NE(must("routing:\n  latency: {prior: {p50: 2s, p90: 3s}}\n")->hash, base->hash);
  EXPECT_EQ(must("routing:\n  hedge: {default: \"off\"}\n")->hash, base->hash);
}

}  // namespace
}  // namespace gi::route
