#pragma once
// What the mock answers to an OpenAI-family chat request, decided from the request alone
// (deterministic, no randomness). Pure; the renderer turns it into dialect-specific bytes.
//
// Behaviour (docs/mock-upstream.md):
// - Text: "Mock answer to: <first 8 words of the last user message>", split into one delta per
//   word (or `chunks=N` pieces).
// - Tool calls when tools are offered, tool_choice is not "none", and either tool_choice forces a
//   call ("required", Mistral "any", a named function, allowed_tools mode "required") or the last
//   message is a user message that mentions "tool" (e.g. "use the tools"). A named function
//   gets one call; otherwise every offered tool gets one call (parallel), or only the first when
//   parallel_tool_calls is false. Arguments are a minimal valid instance of each tool's schema.
// - response_format json_schema → content is a minimal valid instance of the schema;
//   json_object → {"answer": "<text>"}.
// - Reasoning text for reasoning models (DeepSeek `*reasoner*`, xAI `grok-3-mini*`).
// - max_tokens / max_completion_tokens below the piece count cut the text: finish "length".

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "mock/dialect.h"
#include "mock/fault.h"
#include "mock/openai_errors.h"

namespace gi::mock {

struct mock_tool_call {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text
};

struct chat_answer {
  std::string id;
  std::string model;  // echoed: the request's model without the fault suffix
  bool stream = false;
  bool include_usage = false;
  std::vector<std::string> content_pieces;  // concatenation = message content
  std::vector<std::string> reasoning_pieces;
  std::vector<mock_tool_call> tool_calls;
  std::string finish_reason = "stop";
  std::uint32_t prompt_tokens = 0;
  std::uint32_t completion_tokens = 0;  // includes reasoning tokens
  std::uint32_t reasoning_tokens = 0;
  std::uint64_t seed = 0;

  std::string content() const;
  std::string reasoning() const;
};

// Validates the request the way the dialect does (providers.md §5–§8 quirks) and decides the
// answer. `seed` makes ids deterministic (a hash of the body).
core::result<chat_answer, error_detail> decide_answer(dialect d, const boost::json::object& req,
                                                      const fault_spec& fault, std::uint64_t seed);

// UTF-8-safe split of `s` into pieces of about `n` bytes (never inside a code point).
std::vector<std::string> split_utf8(std::string_view s, std::size_t n);

}  // namespace gi::mock
