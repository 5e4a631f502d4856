#include "route/endpoint_health.h"

#include <gtest/gtest.h>

namespace gi::route {
namespace {

using namespace std::chrono;

TEST(endpoint_health, consecutive_failures_open_then_half_open_probe) {
  core::manual_clock clk;
  health_options o;
  o.failure_threshold = 3;
  o.open_for = seconds(10);
  endpoint_health h(2, clk, o);
  h.on_failure(0);
  h.on_failure(0);
  EXPECT_EQ(h.view(0).circuit, circuit_state::closed);
  h.on_success(0);  // resets the run
  h.on_failure(0);
  h.on_failure(0);
  EXPECT_EQ(h.view(0).circuit, circuit_state::closed);
  h.on_failure(0);
  EXPECT_EQ(h.view(0).circuit, circuit_state::open);
  EXPECT_FALSE(h.try_acquire(0));
  EXPECT_TRUE(h.try_acquire(1));  // other endpoints unaffected
  clk.advance(seconds(10));
  EXPECT_EQ(h.view(0).circuit, circuit_state::half_open);
  EXPECT_TRUE(h.try_acquire(0));   // the one probe
  EXPECT_FALSE(h.try_acquire(0));  // nobody else while it runs
  h.on_failure(0);                 // probe failed: open again for open_for
  EXPECT_EQ(h.view(0).circuit, circuit_state::open);
  clk.advance(seconds(10));
  EXPECT_TRUE(h.try_acquire(0));
  h.on_success(0);
  EXPECT_EQ(h.view(0).circuit, circuit_state::closed);
  EXPECT_TRUE(h.try_acquire(0));
  EXPECT_TRUE(h.try_acquire(0));
}

TEST(endpoint_health, error_rate_trips_with_enough_attempts) {
  core::manual_clock clk;
  endpoint_health h(1, clk);
  h.on_failure(0, 0.9, 5);  // too few attempts to judge
  EXPECT_EQ(h.view(0).circuit, circuit_state::closed);
  h.on_failure(0, 0.6, 40);
  EXPECT_EQ(h.view(0).circuit, circuit_state::open);
}

TEST(endpoint_health, released_probe_lets_another_probe_run) {
  core::manual_clock clk;
  health_options o;
  o.failure_threshold = 1;
  endpoint_health h(1, clk, o);
  h.on_failure(0);
  clk.advance(o.open_for);
  EXPECT_TRUE(h.try_acquire(0));
  h.release_probe(0);  // e.g. the probe lost a hedge race: no verdict
  EXPECT_TRUE(h.try_acquire(0));
}

TEST(endpoint_health, cooldown_expires_and_is_capped_and_never_shortened) {
  core::manual_clock clk;
  health_options o;
  o.max_cooldown = seconds(60);
  endpoint_health h(1, clk, o);
  h.set_cooldown(0, seconds(5));
  EXPECT_TRUE(h.view(0).cooling_down);
  h.set_cooldown(0, seconds(1));  // a shorter Retry-After does not shorten it
  clk.advance(seconds(4));
  EXPECT_TRUE(h.view(0).cooling_down);
  clk.advance(seconds(1));
  EXPECT_FALSE(h.view(0).cooling_down);
  h.set_cooldown(0, hours(1));
  clk.advance(seconds(60));
  EXPECT_FALSE(h.view(0).cooling_down);  // capped at max_cooldown
  EXPECT_EQ(circuit_state_name(circuit_state::half_open), "half-open");
}

// A config reload: open circuits and cooldowns move with their endpoint.
TEST(endpoint_health, adopt_takes_over_circuits_and_cooldowns) {
  core::manual_clock clk;
  health_options o;
  o.failure_threshold = 2;
  o.open_for = seconds(10);
  endpoint_health old(3, clk, o);
  old.on_failure(0);
  old.on_failure(0);  // open
  old.set_cooldown(2, seconds(5));
  old.on_failure(1);  // one failure of a run
  endpoint_health next(3, clk, o);
  // next[0] = old[2], next[1] = old[0], next[2] = old[1]
  next.adopt(old, {std::size_t{2}, std::size_t{0}, std::size_t{1}});
  EXPECT_TRUE(next.view(0).cooling_down);
  EXPECT_EQ(next.view(0).circuit, circuit_state::closed);
  EXPECT_EQ(next.view(1).circuit, circuit_state::open);
  EXPECT_FALSE(next.try_acquire(1));
  next.on_failure(2);  // the run continues: second failure opens
  EXPECT_EQ(next.view(2).circuit, circuit_state::open);
  clk.advance(seconds(10));
  EXPECT_EQ(next.view(1).circuit, circuit_state::half_open);
  EXPECT_TRUE(next.try_acquire(1));  // the probe is the new instance's own
  // Unmapped endpoints start fresh.
  endpoint_health fresh(1, clk, o);
  fresh.adopt(old, {std::nullopt});
  EXPECT_EQ(fresh.view(0).circuit, circuit_state::closed);
}

}  // namespace
}  // namespace gi::route
