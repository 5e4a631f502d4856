#include "route/latency_stats.h"

#include <cmath>
#include <thread>

#include <gtest/gtest.h>

namespace gi::route {
namespace {

using namespace std::chrono;

// A reported percentile is the middle of its 2^(1/8) bin: within ±4.5 % of the sample.
void expect_near_ms(milliseconds got, double want) {
  EXPECT_NEAR(static_cast<double>(got.count()), want, want * 0.05 + 1) << "got " << got.count();
}

latency_stats_options opts() {
  latency_stats_options o;
  o.min_samples = 3;
  o.prior = {milliseconds(700), milliseconds(1500), milliseconds(4000)};
  return o;
}

TEST(latency_stats, bins_are_monotonic_and_close) {
  for (std::int64_t ms : {2, 10, 57, 100, 999, 12'345, 600'000}) {
    auto b = latency_stats::bin_of(milliseconds(ms));
    expect_near_ms(latency_stats::bin_value(b), static_cast<double>(ms));
  }
  EXPECT_LT(latency_stats::bin_of(milliseconds(100)), latency_stats::bin_of(milliseconds(120)));
  EXPECT_EQ(latency_stats::bin_of(milliseconds(0)), 0u);
  EXPECT_EQ(latency_stats::bin_of(hours(10)), latency_stats::bin_count - 1);
}

TEST(latency_stats, cold_endpoint_uses_the_prior_until_min_samples) {
  core::manual_clock clk;
  auto o = opts();
  o.endpoint_priors = {std::nullopt, latency_prior{milliseconds(90), milliseconds(200), milliseconds(300)}};
  latency_stats s(2, clk, o);
  auto snap = s.snapshot();
  EXPECT_TRUE(snap->at(0).from_prior);
  EXPECT_EQ(snap->at(0).p50, milliseconds(700));
  EXPECT_EQ(snap->at(1).p50, milliseconds(90));  // per-endpoint prior
  EXPECT_EQ(snap->at(7).p90, milliseconds(1500));  // out of range: the default prior
  s.record_success(0, milliseconds(100));
  s.record_success(0, milliseconds(100));
  s.refresh();
  EXPECT_TRUE(s.current()->at(0).from_prior);
  EXPECT_EQ(s.current()->at(0).samples, 2u);
  s.record_success(0, milliseconds(100));
  s.refresh();
  EXPECT_FALSE(s.current()->at(0).from_prior);
  expect_near_ms(s.current()->at(0).p50, 100);
}

TEST(latency_stats, percentiles_of_a_known_distribution) {
  core::manual_clock clk;
  latency_stats s(1, clk, opts());
  for (int i = 1; i <= 100; ++i) s.record_success(0, milliseconds(10 * i));  // 10..1000
  s.refresh();
  auto st = s.current()->at(0);
  EXPECT_EQ(st.samples, 100u);
  expect_near_ms(st.p50, 500);
  expect_near_ms(st.p90, 900);
  expect_near_ms(st.p99, 990);
}

TEST(latency_stats, snapshot_swaps_only_at_the_30s_refresh_boundary) {
  core::manual_clock clk;
  latency_stats s(1, clk, opts());
  auto first = s.snapshot();
  for (int i = 0; i < 5; ++i) s.record_success(0, milliseconds(50));
  clk.advance(seconds(29));
  EXPECT_EQ(s.snapshot(), first);  // not due yet: the hot path sees the old snapshot
  EXPECT_TRUE(s.snapshot()->at(0).from_prior);
  clk.advance(seconds(1));
  auto second = s.snapshot();
  EXPECT_NE(second, first);
  EXPECT_FALSE(second->at(0).from_prior);
  expect_near_ms(second->at(0).p50, 50);
  EXPECT_EQ(s.snapshot(), second);  // next refresh is 30 s later
}

TEST(latency_stats, samples_expire_after_the_5_minute_window) {
  core::manual_clock clk;
  latency_stats s(1, clk, opts());
  for (int i = 0; i < 10; ++i) s.record_success(0, milliseconds(2000));
  clk.advance(seconds(200));
  for (int i = 0; i < 10; ++i) s.record_success(0, milliseconds(100));
  s.refresh();
  EXPECT_EQ(s.current()->at(0).samples, 20u);
  clk.advance(seconds(120));  // the first batch is now > 5 min old
  s.refresh();
  EXPECT_EQ(s.current()->at(0).samples, 10u);
  expect_near_ms(s.current()->at(0).p90, 100);
  clk.advance(seconds(300));
  s.refresh();
  EXPECT_EQ(s.current()->at(0).samples, 0u);
  EXPECT_TRUE(s.current()->at(0).from_prior);
}

TEST(latency_stats, recycled_slot_starts_empty) {
  core::manual_clock clk;
  latency_stats s(1, clk, opts());
  s.record_error(0);
  s.record_timeout(0);
  clk.advance(seconds(300));  // the same ring slot, ten epochs later
  s.record_success(0, milliseconds(10));
  s.refresh();
  auto st = s.current()->at(0);
  EXPECT_EQ(st.errors, 0u);
  EXPECT_EQ(st.timeouts, 0u);
  EXPECT_EQ(st.samples, 1u);
}

TEST(latency_stats, error_rate_and_per_token_latency) {
  core::manual_clock clk;
  latency_stats s(1, clk, opts());
  s.record_success(0, milliseconds(1000), 100);
  s.record_success(0, milliseconds(3000), 100);
  s.record_error(0);
  s.record_timeout(0);
  s.refresh();
  auto st = s.current()->at(0);
  EXPECT_EQ(st.attempts(), 4u);
  EXPECT_DOUBLE_EQ(st.error_rate(), 0.5);
  EXPECT_DOUBLE_EQ(st.ms_per_output_token, 20.0);
}

TEST(latency_stats, concurrent_recording_loses_nothing_within_one_slot) {
  core::manual_clock clk;
  latency_stats s(3, clk, opts());
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) s.record_success(static_cast<std::size_t>(i % 3), milliseconds(40));
    });
  for (auto& t : ts) t.join();
  s.refresh();
  auto snap = s.current();
  EXPECT_EQ(snap->at(0).samples + snap->at(1).samples + snap->at(2).samples, 20'000u);
}

// A config reload: the new instance takes over the history of the endpoints it maps.
TEST(latency_stats, adopt_takes_over_mapped_history_only) {
  core::manual_clock clk;
  latency_stats old(2, clk, opts());
  for (int i = 0; i < 10; ++i) old.record_success(1, milliseconds(200));
  old.record_error(1);
  latency_stats next(2, clk, opts());
  // next[0] is old[1]; next[1] is new.
  ASSERT_TRUE(next.adopt(old, {std::size_t{1}, std::nullopt}));
  auto snap = next.snapshot();
  EXPECT_FALSE(snap->at(0).from_prior);
  EXPECT_EQ(snap->at(0).samples, 10u);
  EXPECT_EQ(snap->at(0).errors, 1u);
  expect_near_ms(snap->at(0).p50, 200);
  EXPECT_TRUE(snap->at(1).from_prior);
  EXPECT_EQ(snap->at(1).attempts(), 0u);
  // Both keep recording on their own afterwards.
  next.record_success(0, milliseconds(200));
  next.refresh();
  EXPECT_EQ(next.snapshot()->at(0).samples, 11u);
  old.refresh();
  EXPECT_EQ(old.snapshot()->at(1).samples, 10u);
  // Another window geometry: nothing copied.
  auto o = opts();
  o.window = seconds(600);
  latency_stats other(2, clk, o);
  EXPECT_FALSE(other.adopt(old, {std::size_t{1}, std::nullopt}));
  EXPECT_TRUE(other.snapshot()->at(0).from_prior);
}

}  // namespace
}  // namespace gi::route
