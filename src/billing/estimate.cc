#include "billing/estimate.h"

#include <algorithm>

namespace gi::billing {

core::money reservation_estimate(std::int64_t prompt_tokens, std::int64_t output_tokens,
                                 std::span<const config::prices* const> candidates) {
  core::money worst;
  prompt_tokens = std::max<std::int64_t>(prompt_tokens, 0);
  output_tokens = std::max<std::int64_t>(output_tokens, 0);
  for (const auto* p : candidates) {
    if (p == nullptr) continue;
    auto m = core::cost_of(prompt_tokens, p->input) + core::cost_of(output_tokens, p->output);
    worst = std::max(worst, m);
  }
  return worst;
}

}  // namespace gi::billing
