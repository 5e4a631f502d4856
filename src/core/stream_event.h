#pragma once
// Canonical stream events: what every provider stream decoder produces and what the
// OpenAI SSE encoder consumes (providers.md §2.7, §12). One event is one delta; the encoder
// decides chunk framing.

#include <cstdint>
#include <string>
#include <variant>

#include "core/chat_response.h"
#include "core/error.h"

namespace gi::core {

// Stream metadata known at start (upstream id, model, created). Does not commit.
struct stream_start {
  std::string upstream_id;
  std::string model;
  std::int64_t created = 0;
  std::optional<std::string> system_fingerprint;
};
// The role-only preamble. Does not commit (design §3.3).
struct role_delta {
  int choice = 0;
};
struct text_delta {
  int choice = 0;
  std::string text;
};
struct reasoning_delta {
  int choice = 0;
  std::string text;
};
struct refusal_delta {
  int choice = 0;
  std::string text;
};
// First delta of a tool call at OpenAI index `index` (id, name; arguments may start here).
struct tool_call_start {
  int choice = 0;
  int index = 0;
  std::string id;
  std::string name;
  std::string arguments;
};
struct tool_call_delta {
  int choice = 0;
  int index = 0;
  std::string arguments;
};
struct finish {
  int choice = 0;
  core::finish_reason reason = core::finish_reason::stop;
};
struct usage_report {
  core::usage usage;
};
// A mid-stream upstream error (Anthropic `event: error`, OpenAI `data: {"error":…}`, …).
struct stream_error {
  core::error err;
};
// The upstream signalled a clean end ([DONE], message_stop, …).
struct stream_end {};

using stream_event = std::variant<stream_start, role_delta, text_delta, reasoning_delta,
                                  refusal_delta, tool_call_start, tool_call_delta, finish,
                                  usage_report, stream_error, stream_end>;

// True for events that carry content, a tool call or reasoning: the commit point.
inline bool commits(const stream_event& e) {
  return std::holds_alternative<text_delta>(e) || std::holds_alternative<reasoning_delta>(e) ||
         std::holds_alternative<refusal_delta>(e) || std::holds_alternative<tool_call_start>(e) ||
         std::holds_alternative<tool_call_delta>(e);
}

}  // namespace gi::core
