#pragma once
// Bounded side store for provider-only state attached to tool calls (providers.md §11.4):
// DeepSeek `reasoning_content`, later Gemini `thoughtSignature`, Anthropic / Bedrock
// thinking blocks with signatures. OpenAI clients drop this state; the gateway keeps it
// keyed by the canonical (client-facing) tool-call id and re-attaches it when the next
// request in the conversation goes to the same provider and model family.
//
// Access from the pure codecs: the caller puts a pointer to the store and the current wall
// time into `providers::target` (adapter.h). Decoders `put` after a complete turn; encode
// `get`s for each assistant tool call in history. No clock reads: `now` is always passed.
//
// Bounds: entries expire `ttl` after insertion; when `max_entries` or `max_bytes` would be
// exceeded the oldest entries are evicted first (insertion order = expiry order because the
// TTL is uniform). A re-put of an existing id replaces it and refreshes its age.
//
// Thread safety: all members are safe to call concurrently (one mutex; the critical
// sections are map operations only).

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/provider_kind.h"

namespace gi::providers {

enum class tool_state_type : std::uint8_t {
  reasoning_content,  // DeepSeek thinking mode: the assistant turn's reasoning text
  thought_signature,  // Gemini 3 functionCall thoughtSignature
  thinking_blocks,    // Anthropic / Bedrock thinking blocks with signatures (JSON)
};

struct tool_state {
  core::provider_kind provider = core::provider_kind::openai;
  std::string model;  // upstream model id that produced it (family match on re-attach)
  tool_state_type type = tool_state_type::reasoning_content;
  std::string data;
};

class tool_state_store {
 public:
  struct limits {
    std::chrono::seconds ttl{std::chrono::hours(24)};
    std::size_t max_entries = 100'000;
    std::size_t max_bytes = 64u << 20;  // key + model + data bytes
  };

  tool_state_store() : tool_state_store(limits{}) {}
  explicit tool_state_store(limits l) : limits_(l) {}

  // Stores `state` under `tool_call_id`. A single entry larger than max_bytes is not stored
  // (returns false).
  bool put(std::string_view tool_call_id, tool_state state,
           std::chrono::system_clock::time_point now);
  // The state for `tool_call_id` if present and not expired at `now`.
  std::optional<tool_state> get(std::string_view tool_call_id,
                                std::chrono::system_clock::time_point now) const;
  // Drops expired entries (also done lazily by put).
  void expire(std::chrono::system_clock::time_point now);

  std::size_t size() const;
  std::size_t bytes() const;

 private:
  struct entry {
    std::string id;
    tool_state state;
    std::chrono::system_clock::time_point stored_at;
    std::size_t cost() const { return id.size() + state.model.size() + state.data.size(); }
  };
  void erase_locked(std::list<entry>::iterator it);
  void expire_locked(std::chrono::system_clock::time_point now);

  limits limits_;
  mutable std::mutex mu_;
  std::list<entry> order_;  // oldest first
  std::unordered_map<std::string_view, std::list<entry>::iterator> index_;  // views into order_
  std::size_t bytes_ = 0;
};

}  // namespace gi::providers
