#include "billing/cost.h"

#include <algorithm>

namespace gi::billing {

cost_breakdown cost_of(const core::usage& u, const config::prices& p) {
  std::int64_t cached = std::max<std::int64_t>(0, u.cached_tokens);
  std::int64_t written = std::max<std::int64_t>(0, u.cache_write_tokens);
  std::int64_t uncached = std::max<std::int64_t>(0, u.prompt_tokens - cached - written);
  cost_breakdown c;
  c.input = core::cost_of(uncached, p.input);
  c.cached_input = core::cost_of(cached, p.cached_input);
  // 1-hour cache writes are billed at their own rate; the rest at the 5-minute rate.
  std::int64_t written_1h = std::clamp<std::int64_t>(u.cache_write_1h_tokens, 0, written);
  c.cache_write = core::cost_of(written - written_1h, p.cache_write_5m) +
                  core::cost_of(written_1h, p.cache_write_1h);
  c.output = core::cost_of(std::max<std::int64_t>(0, u.completion_tokens), p.output);
  return c;
}

}  // namespace gi::billing
