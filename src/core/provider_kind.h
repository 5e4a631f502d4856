#pragma once
// The closed set of providers. Parsed from config strings once; everything after that
// switches on the enum (a missing case is a build error: -Werror=switch-enum).

#include <cstdint>
#include <optional>
#include <string_view>

namespace gi::core {

enum class provider_kind : std::uint8_t {
  openai,
  anthropic,
  gemini,
  mistral,
  groq,
  deepseek,
  xai,
  bedrock,
};

inline constexpr provider_kind all_providers[] = {
    provider_kind::openai, provider_kind::anthropic, provider_kind::gemini,
    provider_kind::mistral, provider_kind::groq, provider_kind::deepseek,
    provider_kind::xai, provider_kind::bedrock};

// Lower-case catalog name: "openai", "anthropic", "gemini", "mistral", "groq", "deepseek",
// "xai", "bedrock".
std::string_view to_string(provider_kind k) noexcept;
// Case-insensitive.
std::optional<provider_kind> parse_provider_kind(std::string_view name) noexcept;

}  // namespace gi::core
