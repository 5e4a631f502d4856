#pragma once
// What the mock answers to a Gemini generateContent request (providers.md §4, §13.3),
// decided from the request alone (deterministic). Pure; gemini.cc renders it as JSON or
// CRLF-terminated SSE. An independent reading of the wire format: shares nothing with
// src/providers/gemini.
//
// Validation like the real API (400 INVALID_ARGUMENT with a google.rpc.Status body):
// - `contents` missing or empty; a role other than user / model / function; a part with no
//   or several data fields; unknown top-level, generationConfig, toolConfig or
//   functionCallingConfig fields (proto JSON is strict about names);
// - a function declaration with both `parameters` and `parametersJsonSchema`; an unknown
//   keyword inside an OpenAPI `Schema` (`parameters`, `responseSchema`) — e.g.
//   additionalProperties — or a lower-case type there;
// - `responseJsonSchema` together with `responseSchema`, or without `responseMimeType`;
// - more than 5 stopSequences; candidateCount above 8;
// - a functionResponse whose name matches no earlier functionCall (§13.3);
// - thought signatures (§4.3): the first functionCall part of each model turn must carry
//   a signature this mock issued for that call, or the sentinel
//   `skip_thought_signature_validator`; a wrong one is 400 "Corrupted thought signature.";
//   a missing one is 400 on `gemini-3*` models ("Function call is missing a
//   thought_signature in functionCall parts…").
//
// Answers:
// - After function results (the last content has functionResponse parts): text "Mock
//   answer after N tool result(s): <names>; thought signatures verified=V skipped=S".
// - Function calls when tools are offered, the mode is not NONE, and the mode is ANY or the
//   last user text mentions "tool": one call per allowed function (ANY + one allowed name:
//   that one), args a minimal instance of its schema. Thinking models (gemini-2.5*,
//   gemini-3*) put a thoughtSignature on the first call's part only.
// - Otherwise "Mock answer to: <first 8 words>", one piece per word; JSON mode answers a
//   minimal instance of responseJsonSchema / responseSchema, or {"answer": "<text>"}.
// - Thought parts with thinkingConfig.includeThoughts; thoughtsTokenCount on thinking models.
// - maxOutputTokens below the piece count: cut, MAX_TOKENS.
// - "mock-block-prompt" in the last user text: promptFeedback.blockReason SAFETY, no
//   candidates. "mock-block-output": some text, then finishReason SAFETY with no parts.

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/result.h"
#include "mock/fault.h"

namespace gi::mock {

struct gemini_call {
  std::string name;
  boost::json::object args;
  std::string signature;  // "" = none on this part
};

struct gemini_answer {
  std::string model;
  std::string response_id;
  std::vector<std::string> thought_pieces;
  std::vector<std::string> text_pieces;
  std::vector<gemini_call> calls;
  std::string finish = "STOP";
  bool prompt_blocked = false;
  bool output_blocked = false;
  int candidates = 1;
  std::uint32_t prompt_tokens = 0;
  std::uint32_t candidate_tokens = 0;
  std::uint32_t thought_tokens = 0;
  std::uint32_t cached_tokens = 0;
};

// A google.rpc.Status to answer with.
struct gemini_status {
  int code = 400;
  std::string status = "INVALID_ARGUMENT";
  std::string message;
  boost::json::array details;
};

core::result<gemini_answer, gemini_status> decide_gemini_answer(std::string_view model,
                                                                const boost::json::object& req,
                                                                const fault_spec& fault,
                                                                std::uint64_t seed);

// The signature this mock issues for a call (and accepts back): base64 of a hash of the
// call's name and arguments.
std::string gemini_mock_signature(std::string_view name, const boost::json::object& args);

}  // namespace gi::mock
