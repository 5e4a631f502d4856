#include "app/demo_routing.h"

#include <fmt/format.h>

namespace gi::app {

namespace {

struct profile {
  unsigned latency_ms, jitter_ms, tail_pct, tail_ms;
};

// Rough shapes of time-to-first-token of the hosted APIs for short prompts (estimates for
// the demo, not measurements): Groq fast and tight, DeepSeek slow with a long tail, the big
// three in between; every provider has an occasional slow tail, which hedging cuts.
profile profile_of(core::provider_kind k) {
  switch (k) {
    case core::provider_kind::groq: return {90, 80, 3, 600};
    case core::provider_kind::openai: return {300, 250, 5, 1500};
    case core::provider_kind::anthropic: return {450, 350, 5, 1800};
    case core::provider_kind::gemini: return {350, 450, 8, 1600};
    case core::provider_kind::mistral: return {250, 200, 5, 1200};
    case core::provider_kind::deepseek: return {700, 600, 10, 2500};
    case core::provider_kind::xai: return {400, 300, 6, 1400};
    case core::provider_kind::bedrock: return {500, 350, 5, 1800};
  }
  return {300, 200, 5, 1000};
}

}  // namespace

std::string demo_latency_spec(core::provider_kind provider) {
  auto p = profile_of(provider);
  return fmt::format("@latency_ms={},jitter_ms={},tail_pct={},tail_ms={}", p.latency_ms, p.jitter_ms,
                     p.tail_pct, p.tail_ms);
}

std::string demo_flaky_quality_yaml() {
  std::string y = "    quality_source: \"estimate: demo endpoint, made attractive so the router tries it\"\n"
                  "    quality: {";
  const char* tasks[] = {"reasoning", "code", "creative", "rewrite", "chat", "extraction", "summarize", "translation"};
  for (std::size_t i = 0; i < std::size(tasks); ++i) y += fmt::format("{}{}: 0.9", i ? ", " : "", tasks[i]);
  return y + "}\n";
}

std::string demo_routing_yaml() {
  return "  hedge: {default: \"on\", min_delay: 150ms, max_delay: 2s}\n"
         "  latency: {window: 60s, refresh: 5s, min_samples: 3}\n";
}

}  // namespace gi::app
