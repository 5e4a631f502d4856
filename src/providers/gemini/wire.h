#pragma once
// Reading Gemini response JSON (providers.md §4.4, §10.2, §10.3), shared by the non-stream
// decoder and the stream decoder. Lenient: unknown fields and enum values are ignored (§1.1).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/chat_response.h"
#include "providers/adapter.h"

namespace gi::providers::gemini::wire {

std::optional<std::string_view> str(const boost::json::object& o, std::string_view key);
std::optional<std::int64_t> integer(const boost::json::object& o, std::string_view key);
const boost::json::object* obj(const boost::json::object& o, std::string_view key);
const boost::json::array* arr(const boost::json::object& o, std::string_view key);

// §10.2. `had_calls`: STOP with functionCall parts becomes tool_calls.
core::finish_reason finish_reason(std::string_view v, bool had_calls) noexcept;

// §10.3: prompt = promptTokenCount + toolUsePromptTokenCount; completion =
// candidatesTokenCount + thoughtsTokenCount; cached = cachedContentTokenCount; reasoning =
// thoughtsTokenCount.
core::usage usage(const boost::json::object& usage_metadata);

// §11.2: Gemini gives no call ids, so the gateway mints `call_` + 24 base62 digits derived
// from (response id, candidate index, call position). Deterministic: the same upstream
// answer always yields the same ids. `salt` stands in for the response id when the upstream
// sent none (the call's own JSON and signature).
std::string mint_call_id(std::string_view response_id, int candidate, int call_index,
                         std::string_view salt);

// One candidate's parts, split the way the OpenAI message wants them.
struct call {
  std::string id;         // minted (or the upstream's `id` when present, §11.2)
  std::string name;
  std::string arguments;  // JSON text of `args` ("{}" when absent)
  std::string signature;  // thoughtSignature on the part ("" when absent)
};
struct parts_view {
  std::string text;       // non-thought text parts, concatenated
  std::string reasoning;  // thought parts (includeThoughts), concatenated
  std::vector<call> calls;
  bool has_text = false;
};
// `first_call_index` numbers calls across stream chunks (ids must be unique per response).
parts_view read_parts(const boost::json::object& candidate, std::string_view response_id,
                      int candidate_index, int first_call_index);

// §11.4: keep each call's thoughtSignature under its OpenAI id. Only the first call of a
// parallel step carries one (§4.3); calls without one are not stored.
void remember_signatures(const target& tgt, std::string_view model,
                         const std::vector<call>& calls);

// promptFeedback.blockReason -> a content_policy error (the contract: a blocked
// prompt is the caller's fault; no fallback).
core::error prompt_blocked(std::string_view reason, std::string_view message);

}  // namespace gi::providers::gemini::wire
