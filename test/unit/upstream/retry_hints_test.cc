#include "upstream/retry_hints.h"

#include <gtest/gtest.h>

namespace gi::upstream {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// 2026-11-25T12:00:00Z
const std::chrono::system_clock::time_point now{seconds(1'795'608'000)};

TEST(RetryHints, GoDurations) {
  EXPECT_EQ(parse_go_duration("1s"), milliseconds(1000));
  EXPECT_EQ(parse_go_duration("6m0s"), milliseconds(360'000));
  EXPECT_EQ(parse_go_duration("20ms"), milliseconds(20));
  EXPECT_EQ(parse_go_duration("1h2m3.5s"), milliseconds(3'723'500));
  EXPECT_EQ(parse_go_duration("0.5s"), milliseconds(500));
  EXPECT_EQ(parse_go_duration("1.0001s"), milliseconds(1001));  // rounded up
  EXPECT_EQ(parse_go_duration("500us"), milliseconds(1));
  EXPECT_EQ(parse_go_duration("0"), milliseconds(0));
  EXPECT_EQ(parse_go_duration(" 2s "), milliseconds(2000));
  EXPECT_FALSE(parse_go_duration(""));
  EXPECT_FALSE(parse_go_duration("s"));
  EXPECT_FALSE(parse_go_duration("5"));
  EXPECT_FALSE(parse_go_duration("5x"));
  EXPECT_FALSE(parse_go_duration("-1s"));
  EXPECT_FALSE(parse_go_duration("1..2s"));
}

TEST(RetryHints, GeminiRetryDelay) {
  EXPECT_EQ(parse_retry_delay("13s"), milliseconds(13'000));
  EXPECT_EQ(parse_retry_delay("0.250s"), milliseconds(250));
  EXPECT_EQ(parse_retry_delay("0s"), milliseconds(0));
  EXPECT_FALSE(parse_retry_delay("13"));
  EXPECT_FALSE(parse_retry_delay("s"));
  EXPECT_FALSE(parse_retry_delay("1m"));
  EXPECT_FALSE(parse_retry_delay("abc s"));
}

TEST(RetryHints, RetryAfterSecondsAndDates) {
  EXPECT_EQ(parse_retry_after("7", now), milliseconds(7000));
  EXPECT_EQ(parse_retry_after("1.5", now), milliseconds(1500));
  EXPECT_EQ(parse_retry_after("0", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("Wed, 25 Nov 2026 12:00:30 GMT", now), milliseconds(30'000));
  EXPECT_EQ(parse_retry_after("Wednesday, 25-Nov-26 12:01:00 GMT", now), milliseconds(60'000));
  EXPECT_EQ(parse_retry_after("Wed Nov 25 12:00:05 2026", now), milliseconds(5000));
  EXPECT_EQ(parse_retry_after("Wed, 25 Nov 2026 11:00:00 GMT", now), milliseconds(0));  // past
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("-3", now));
  EXPECT_FALSE(parse_retry_after("Wed, 25 Foo 2026 12:00:30 GMT", now));
  EXPECT_FALSE(parse_retry_after("Wed, 25 Nov 2026 25:00:30 GMT", now));
  EXPECT_FALSE(parse_retry_after("", now));
  // Absurd values are capped at a day rather than overflowing.
  EXPECT_EQ(parse_retry_after("99999999999999", now), milliseconds(86'400'000));
}

TEST(RetryHints, OpenAiHeaderSet) {
  core::header_list h = {{"Retry-After", "3"},
                         {"retry-after-ms", "1250"},
                         {"X-Should-Retry", "false"},
                         {"x-ratelimit-limit-requests", "500"},
                         {"x-ratelimit-remaining-requests", "499"},
                         {"x-ratelimit-reset-requests", "120ms"},
                         {"x-ratelimit-limit-tokens", "30000"},
                         {"x-ratelimit-remaining-tokens", "0"},
                         {"x-ratelimit-reset-tokens", "6m0s"}};
  const auto r = parse_retry_hints(h, now);
  EXPECT_EQ(r.retry_after, milliseconds(1250));  // retry-after-ms wins
  EXPECT_EQ(r.should_retry, false);
  EXPECT_EQ(r.requests.limit, 500);
  EXPECT_EQ(r.requests.remaining, 499);
  EXPECT_EQ(r.requests.reset, milliseconds(120));
  EXPECT_EQ(r.tokens.limit, 30000);
  EXPECT_EQ(r.tokens.remaining, 0);
  EXPECT_EQ(r.tokens.reset, milliseconds(360'000));
}

TEST(RetryHints, FallbacksAndGarbage) {
  {
    const auto r = parse_retry_hints({{"retry-after", "2"}, {"x-should-retry", "TRUE"}}, now);
    EXPECT_EQ(r.retry_after, milliseconds(2000));
    EXPECT_EQ(r.should_retry, true);
  }
  {
    // Bad retry-after-ms falls back to retry-after; garbage elsewhere is ignored.
    const auto r = parse_retry_hints({{"retry-after-ms", "x"},
                                      {"retry-after", "4"},
                                      {"x-should-retry", "maybe"},
                                      {"x-ratelimit-remaining-tokens", "lots"},
                                      {"x-ratelimit-reset-tokens", "7.5"}},
                                     now);
    EXPECT_EQ(r.retry_after, milliseconds(4000));
    EXPECT_FALSE(r.should_retry);
    EXPECT_FALSE(r.tokens.remaining);
    EXPECT_EQ(r.tokens.reset, milliseconds(7500));  // bare seconds (Groq-style)
  }
  {
    const auto r = parse_retry_hints({}, now);
    EXPECT_FALSE(r.retry_after);
    EXPECT_FALSE(r.should_retry);
    EXPECT_FALSE(r.requests.limit);
  }
}

}  // namespace
}  // namespace gi::upstream
