#pragma once
// The cost function (design §4.6): Σ tokens × price per token class, exact in nano-USD.
// Usage arrives in OpenAI semantics (prompt_tokens includes cached and cache-write tokens;
// completion_tokens includes reasoning), so the uncached input is what remains after the
// cache classes are taken out (providers.md §10.3: price the raw classes separately).

#include "config/config.h"
#include "core/chat_response.h"
#include "core/money.h"

namespace gi::billing {

struct cost_breakdown {
  core::money input;         // uncached prompt tokens
  core::money cached_input;  // cache reads
  core::money cache_write;   // cache writes (5-minute tier)
  core::money output;        // completion tokens incl. reasoning
  core::money total() const { return input + cached_input + cache_write + output; }
};

cost_breakdown cost_of(const core::usage& u, const config::prices& p);

}  // namespace gi::billing
