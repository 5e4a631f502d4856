#pragma once
// Retry hints carried by upstream responses (providers.md §1.4). Pure: the current time is
// an input (for HTTP-date Retry-After). Provider codecs and the router read these; nothing
// here decides policy.
//
// Thread safety: pure functions over values.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/http_types.h"

namespace gi::upstream {

struct rate_limit_window {
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> remaining;
  std::optional<std::chrono::milliseconds> reset;  // time until the window resets
};

struct retry_hints {
  // From `retry-after-ms` (preferred, as the OpenAI SDK does) or `retry-after` (delta
  // seconds, fractional allowed, or an HTTP-date relative to `now`; a past date gives 0).
  std::optional<std::chrono::milliseconds> retry_after;
  // `x-should-retry: true|false` (the SDKs obey it before looking at the status).
  std::optional<bool> should_retry;
  // `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` (OpenAI, Groq, xAI).
  rate_limit_window requests;
  rate_limit_window tokens;
};

retry_hints parse_retry_hints(const core::header_list& headers,
                              std::chrono::system_clock::time_point now);

// Go-style durations as used by OpenAI's x-ratelimit-reset-* ("1s", "6m0s", "20ms",
// "1h2m3.5s", "0.5s") and Gemini's RetryInfo.retryDelay ("13s", "0.5s"). Rounded up to
// whole milliseconds. nullopt on anything malformed or negative.
std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view s);

// Gemini `retryDelay` (google.protobuf.Duration JSON form: "<seconds>[.<frac>]s").
std::optional<std::chrono::milliseconds> parse_retry_delay(std::string_view s);

// `retry-after` value alone: delta-seconds or IMF-fixdate / RFC 850 / asctime date.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace gi::upstream
