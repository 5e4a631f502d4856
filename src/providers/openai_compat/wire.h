#pragma once
// Small helpers for reading the OpenAI-family wire JSON (shared by the response decoder,
// the stream decoder and the error classifier). Lenient by design: unknown fields and enum
// values are ignored (providers.md §1.1).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/chat_response.h"

namespace gi::providers::openai_compat::wire {

// The string at obj[key], or nullopt when absent / not a string.
std::optional<std::string_view> str(const boost::json::object& obj, std::string_view key);
// The integer at obj[key] (int, uint or integral double), or nullopt.
std::optional<std::int64_t> integer(const boost::json::object& obj, std::string_view key);
const boost::json::object* obj(const boost::json::object& o, std::string_view key);

// Provider finish_reason -> canonical (providers.md §10.2): OpenAI values pass; Mistral
// `model_length` -> length, `error` -> stop; DeepSeek `insufficient_system_resource` -> stop;
// unknown -> stop.
core::finish_reason finish_reason(std::string_view v) noexcept;

// An OpenAI-shaped usage object -> canonical usage (§10.3): cached tokens from
// prompt_tokens_details.cached_tokens or DeepSeek prompt_cache_hit_tokens; cache writes from
// prompt_tokens_details.cache_write_tokens; reasoning from
// completion_tokens_details.reasoning_tokens. nullopt if `v` is not an object.
std::optional<core::usage> usage(const boost::json::value& v);

// tool_calls[].function.arguments: a string as-is, anything else serialised (Mistral's types
// allow an object, §5.3); absent -> "".
std::string arguments(const boost::json::object& function);

// message.content / delta.content: a string, null, or (Mistral) an array of chunks whose
// `text` chunks are content and whose `thinking` chunks are reasoning (§5.3). Appends.
void content(const boost::json::value& v, std::string& text, std::string& reasoning);

}  // namespace gi::providers::openai_compat::wire
