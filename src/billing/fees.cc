#include "billing/fees.h"

namespace gi::billing {

int topup_fee_percent(std::chrono::system_clock::time_point at) noexcept {
  return at < fee_change_at ? 3 : 5;
}

core::result<topup_quote> quote_topup(core::money credit, std::chrono::system_clock::time_point at) {
  if (credit < min_topup)
    return core::error(core::error_kind::invalid_request,
                       "A top-up must be at least $" + min_topup.to_string() + " (got $" +
                           credit.to_string() + ").",
                       "amount", "topup_too_small");
  if (credit > max_topup)
    return core::error(core::error_kind::invalid_request,
                       "A top-up may be at most $" + max_topup.to_string() + ".", "amount",
                       "topup_too_large");
  topup_quote q;
  q.fee_percent = topup_fee_percent(at);
  q.credit = credit;
  // credit ≤ $1e6 = 1e15 nanos, × 5 fits int64 comfortably; round up.
  std::int64_t n = credit.nanos() * q.fee_percent;
  q.fee = core::money::from_nanos(n / 100 + (n % 100 != 0 ? 1 : 0));
  q.charged = q.credit + q.fee;
  return q;
}

}  // namespace gi::billing
