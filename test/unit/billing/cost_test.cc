#include "billing/cost.h"

#include <gtest/gtest.h>

namespace gi::billing {
namespace {

config::prices make_prices() {
  config::prices p;
  p.input = *core::price_per_mtok::parse("3");            // $3 / 1M
  p.cached_input = *core::price_per_mtok::parse("0.3");   // $0.30 / 1M
  p.cache_write_5m = *core::price_per_mtok::parse("3.75");
  p.output = *core::price_per_mtok::parse("15");
  return p;
}

TEST(cost, prices_each_token_class_separately) {
  core::usage u;
  u.prompt_tokens = 1000;  // includes 200 cached and 100 written
  u.cached_tokens = 200;
  u.cache_write_tokens = 100;
  u.completion_tokens = 50;
  auto c = cost_of(u, make_prices());
  EXPECT_EQ(c.input.nanos(), 700 * 3000);
  EXPECT_EQ(c.cached_input.nanos(), 200 * 300);
  EXPECT_EQ(c.cache_write.nanos(), 100 * 3750);
  EXPECT_EQ(c.output.nanos(), 50 * 15000);
  EXPECT_EQ(c.total().to_string(), "0.003285");
}

TEST(cost, one_hour_cache_writes_use_their_own_rate) {
  auto p = make_prices();
  p.cache_write_1h = *core::price_per_mtok::parse("6");
  core::usage u;
  u.prompt_tokens = 1000;
  u.cache_write_tokens = 300;     // 100 at the 5m rate, 200 at the 1h rate
  u.cache_write_1h_tokens = 200;
  auto c = cost_of(u, p);
  EXPECT_EQ(c.input.nanos(), 700 * 3000);
  EXPECT_EQ(c.cache_write.nanos(), 100 * 3750 + 200 * 6000);
  u.cache_write_1h_tokens = 5000;  // inconsistent: capped at the tokens written
  EXPECT_EQ(cost_of(u, p).cache_write.nanos(), 300 * 6000);
}

TEST(cost, inconsistent_usage_never_goes_negative) {
  core::usage u;
  u.prompt_tokens = 10;
  u.cached_tokens = 50;
  auto c = cost_of(u, make_prices());
  EXPECT_EQ(c.input.nanos(), 0);
  EXPECT_EQ(c.cached_input.nanos(), 50 * 300);
}

}  // namespace
}  // namespace gi::billing
