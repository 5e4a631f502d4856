// The mock's latency distributions and intermittent faults (jitter_ms, tail_pct/tail_ms,
// fault_pct): parsing, bounds, determinism per body and the drawn proportions.

#include <gtest/gtest.h>

#include "mock/fault.h"

namespace gi::mock {
namespace {

fault_spec parse(std::string_view model) {
  auto f = parse_model_fault(model);
  EXPECT_TRUE(f) << model;
  return f ? *f : fault_spec{};
}

TEST(fault_realize, parses_and_validates_the_keys) {
  auto f = parse("m@latency_ms=100,jitter_ms=50,tail_pct=10,tail_ms=900,fault=500,fault_pct=30");
  EXPECT_EQ(f.jitter_ms, 50u);
  EXPECT_EQ(f.tail_pct, 10u);
  EXPECT_EQ(f.tail_ms, 900u);
  EXPECT_EQ(f.fault_pct, 30u);
  EXPECT_FALSE(parse_model_fault("m@tail_pct=101"));
  EXPECT_FALSE(parse_model_fault("m@fault_pct=x"));
  EXPECT_FALSE(parse_model_fault("m@jitter_ms=-1"));
}

TEST(fault_realize, without_random_keys_nothing_changes) {
  auto f = parse("m@latency_ms=100,fault=500");
  auto r = realize(f, "body");
  EXPECT_EQ(r.latency_ms, 100u);
  EXPECT_EQ(r.kind, fault_kind::server_error);
}

TEST(fault_realize, deterministic_per_body_and_distributed_across_bodies) {
  auto f = parse("m@latency_ms=100,jitter_ms=50,tail_pct=10,tail_ms=1000,fault=500,fault_pct=30");
  EXPECT_EQ(realize(f, "same").latency_ms, realize(f, "same").latency_ms);
  int tails = 0, faults = 0;
  std::uint32_t lo = ~0u, hi = 0;
  const int n = 2000;
  for (int i = 0; i < n; ++i) {
    auto r = realize(f, "request " + std::to_string(i));
    std::uint32_t base = r.latency_ms >= 1100 ? r.latency_ms - 1000 : r.latency_ms;
    if (r.latency_ms >= 1100) ++tails;
    lo = std::min(lo, base);
    hi = std::max(hi, base);
    EXPECT_GE(base, 100u);
    EXPECT_LT(base, 150u);
    if (r.kind == fault_kind::server_error) ++faults;
    else EXPECT_EQ(r.kind, fault_kind::none);
  }
  EXPECT_LE(lo, 102u);
  EXPECT_GE(hi, 147u);
  EXPECT_NEAR(tails, n / 10, n / 25);       // 10 % ± 4 points
  EXPECT_NEAR(faults, n * 3 / 10, n / 25);  // 30 % ± 4 points
}

}  // namespace
}  // namespace gi::mock
