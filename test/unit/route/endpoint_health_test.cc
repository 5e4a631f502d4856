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

}  // namespace
}  // namespace gi::route
