#include "core/money.h"

#include <gtest/gtest.h>

namespace gi::core {
namespace {

TEST(money, parses_and_prints_exactly) {
  for (const char* s : {"0", "3", "10", "0.000412", "-0.5", "123456.000000001", "0.1"}) {
    auto m = money::parse(s);
    ASSERT_TRUE(m) << s;
    EXPECT_EQ(m->to_string(), s);
  }
  EXPECT_EQ(money::parse("0.000412")->nanos(), 412'000);
  EXPECT_EQ(money::parse("3.10")->to_string(), "3.1");
  EXPECT_EQ(money::parse("-0")->to_string(), "0");
}

TEST(money, rejects_non_plain_decimals) {
  for (const char* s : {"", "-", ".5", "1.", "1e3", "+1", " 1", "1.0000000001", "abc", "1..2",
                        "99999999999999999999"})
    EXPECT_FALSE(money::parse(s)) << s;
}

TEST(money, prints_extremes) {
  EXPECT_EQ(money::from_nanos(INT64_MIN).to_string(), "-9223372036.854775808");
  EXPECT_EQ(money::from_nanos(INT64_MAX).to_string(), "9223372036.854775807");
  EXPECT_EQ(money::from_nanos(1).to_string(), "0.000000001");
}

TEST(money, cost_rounds_up_to_the_nano) {
  auto p = price_per_mtok::parse("0.15").value();  // $0.15 per 1M tokens = 150 nano/token
  EXPECT_EQ(cost_of(1000, p).nanos(), 150'000);
  auto q = price_per_mtok::parse("0.075").value();  // 75 nano/token
  EXPECT_EQ(cost_of(3, q).nanos(), 225);
  auto r = price_per_mtok::parse("0.0000015").value();  // 0.0015 nano/token
  EXPECT_EQ(cost_of(1, r).nanos(), 1);
  EXPECT_EQ(cost_of(0, r).nanos(), 0);
}

TEST(money, cost_of_a_product_beyond_64_bits_is_exact) {
  // 1e9 tokens x 100000000001 nano per 1M tokens overflows int64 (the 128-bit path); the
  // rounding is the same as below it.
  auto p = price_per_mtok::parse("100.000000001").value();
  EXPECT_EQ(cost_of(1'000'000'000, p).nanos(), 100'000'000'001'000);
  EXPECT_EQ(cost_of(1'000'000'001, p).nanos(), 100'000'000'101'001);
  EXPECT_EQ(cost_of(1'000'000, p).nanos(), 100'000'000'001);
  EXPECT_EQ(cost_of(1, p).nanos(), 100'001);  // 100000.000001 rounds up
}

}  // namespace
}  // namespace gi::core
