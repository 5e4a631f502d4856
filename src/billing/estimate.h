#pragma once
// The reservation a request holds while it runs (design §4.6): estimated prompt tokens ×
// input price + (max_tokens, or the configured typical output) × output price, for the
// dearest candidate of the plan — so whichever attempt ends up answering, the estimate
// covers its list price for that many tokens.

#include <cstdint>
#include <span>

#include "config/config.h"
#include "core/money.h"

namespace gi::billing {

inline constexpr std::int64_t default_typical_output_tokens = 1024;

core::money reservation_estimate(std::int64_t prompt_tokens, std::int64_t output_tokens,
                                 std::span<const config::prices* const> candidates);

}  // namespace gi::billing
