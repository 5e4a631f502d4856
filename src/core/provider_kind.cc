#include "core/provider_kind.h"

#include "core/http_types.h"

namespace gi::core {

std::string_view to_string(provider_kind k) noexcept {
  switch (k) {
    case provider_kind::openai: return "openai";
    case provider_kind::anthropic: return "anthropic";
    case provider_kind::gemini: return "gemini";
    case provider_kind::mistral: return "mistral";
    case provider_kind::groq: return "groq";
    case provider_kind::deepseek: return "deepseek";
    case provider_kind::xai: return "xai";
    case provider_kind::bedrock: return "bedrock";
  }
  return "openai";
}

std::optional<provider_kind> parse_provider_kind(std::string_view name) noexcept {
  for (auto k : all_providers)
    if (iequals(to_string(k), name)) return k;
  return std::nullopt;
}

}  // namespace gi::core
