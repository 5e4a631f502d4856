#pragma once
// The canonical chat response (providers.md §2.6) and usage (§10.3).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "core/chat_request.h"

namespace gi::core {

enum class finish_reason : std::uint8_t { none, stop, length, tool_calls, content_filter, function_call };
std::string_view to_string(finish_reason r) noexcept;  // "" for none

// Token usage in OpenAI's semantics: prompt_tokens includes cached_tokens (and cache
// writes); completion_tokens includes reasoning_tokens.
struct usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t cached_tokens = 0;       // prompt tokens read from cache
  std::int64_t cache_write_tokens = 0;  // prompt tokens written to cache
  std::int64_t reasoning_tokens = 0;    // part of completion_tokens
  // The part of cache_write_tokens written with a 1-hour TTL (Anthropic
  // `cache_creation.ephemeral_1h_input_tokens`), priced at the 1h write rate. Last, so
  // positional initialisers of the fields above keep their meaning.
  std::int64_t cache_write_1h_tokens = 0;
  std::int64_t total() const { return prompt_tokens + completion_tokens; }
  bool operator==(const usage&) const = default;
};

struct choice {
  int index = 0;
  std::optional<std::string> content;
  std::optional<std::string> refusal;
  std::optional<std::string> reasoning;  // reasoning text (DeepSeek reasoning_content, thinking)
  std::vector<tool_call> tool_calls;
  core::finish_reason finish_reason = core::finish_reason::none;
  boost::json::value logprobs;  // null when absent
};

struct chat_response {
  std::string upstream_id;  // the provider's id (we answer with chatcmpl-<request id>)
  std::string model;        // the model that actually answered
  std::int64_t created = 0;
  std::optional<std::string> system_fingerprint;
  std::optional<std::string> service_tier;
  std::vector<choice> choices;
  std::optional<core::usage> usage;  // absent if the upstream gave none
};

}  // namespace gi::core
