#pragma once
// Top-up pricing (design §4.6): a top-up credits at least $10; the customer is charged the
// credit plus a fee of 3% for top-ups dated before 2026-06-23T00:00:00Z and 5% from then.
// The fee is rounded up to the next nano-USD (like every price: never less than the list
// rate). One top-up is capped at $1,000,000 so that sums of balances stay far inside int64
// nano-USD (±9.2e9 USD).

#include <chrono>

#include "core/money.h"
#include "core/result.h"

namespace gi::billing {

inline constexpr core::money min_topup = core::money::from_usd(10);
inline constexpr core::money max_topup = core::money::from_usd(1'000'000);
inline constexpr core::money trial_credit = core::money::from_usd(3);
// 2026-06-23T00:00:00Z.
inline constexpr std::chrono::system_clock::time_point fee_change_at{std::chrono::seconds(1'782'172'800)};

struct topup_quote {
  core::money credit;   // added to the balance
  core::money fee;      // charged on top, not credited
  core::money charged;  // credit + fee
  int fee_percent = 0;
};

// Fee percent in force at `at` (UTC).
int topup_fee_percent(std::chrono::system_clock::time_point at) noexcept;
// Errors: invalid_request (param "amount") below $10, above the cap, or not positive.
core::result<topup_quote> quote_topup(core::money credit, std::chrono::system_clock::time_point at);

}  // namespace gi::billing
