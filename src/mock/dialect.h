#pragma once
// The OpenAI-family dialects the mock serves, each at its real path (design §2), and the
// per-dialect facts the mock needs (providers.md §2, §5–§8). Data, not branches scattered
// through the renderer.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gi::mock {

enum class dialect : std::uint8_t { openai, groq, mistral, deepseek, xai };

std::string_view to_string(dialect d) noexcept;

// `POST <path>` → dialect, for the chat-completions paths:
//   /v1/chat/completions (OpenAI), /groq/openai/v1/chat/completions, /mistral/v1/chat/completions,
//   /deepseek/v1/chat/completions (and /deepseek/chat/completions: DeepSeek accepts both bases,
//   providers.md §7.1), /xai/v1/chat/completions. A query string is ignored.
std::optional<dialect> dialect_for_path(std::string_view target) noexcept;

enum class stream_usage_style : std::uint8_t {
  trailing_chunk,           // OpenAI/DeepSeek: `choices: []` chunk only with include_usage
  x_groq,                   // Groq: always in x_groq.usage on the finish chunk (§6.2)
  on_finish_chunk,          // Mistral: always on the last chunk with finish_reason (§5.3)
  on_finish_and_trailing,   // xAI: with include_usage, on the finish chunk and an extra empty chunk (§8.2)
};

enum class tool_delta_style : std::uint8_t {
  fragments,  // header delta (id, type, name, "") then argument fragments (§2.7)
  whole,      // the whole call in one delta (Mistral, §5.3)
};

struct dialect_traits {
  stream_usage_style usage;
  tool_delta_style tools;
  bool null_usage_on_chunks;   // OpenAI: "usage": null on every chunk when include_usage
  bool keepalive_comment;      // DeepSeek: ": keep-alive" before the first event (§7.3)
  std::string_view system_fingerprint;  // empty: field omitted
};

const dialect_traits& traits(dialect d) noexcept;

// Deterministic ids from a 64-bit seed (a hash of the request body): the mock has no
// randomness, so the same request always gets the same ids.
std::uint64_t hash64(std::string_view s, std::uint64_t seed = 0) noexcept;
std::string alnum_id(std::uint64_t seed, std::size_t n);
std::string completion_id(dialect d, std::uint64_t seed);
// Tool-call id in the format the dialect generates (providers.md §11.1):
// OpenAI/Groq/DeepSeek `call_` + 24 alphanumerics, xAI `call_` + digits, Mistral exactly 9
// alphanumerics.
std::string tool_call_id(dialect d, std::uint64_t seed, std::size_t index);

}  // namespace gi::mock
