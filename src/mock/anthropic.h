#pragma once
// The Anthropic Messages wire format of the mock (providers.md §3, §13.3): an independent
// implementation (no src/providers code). anthropic.cc validates the request like the real
// API and decides the answer; anthropic_render.cc turns an answer, error or fault into bytes.
// Pure.

#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "mock/fault.h"
#include "mock/response_plan.h"

namespace gi::mock::anthropic_wire {

struct block {
  std::string type;       // text | thinking | tool_use
  std::vector<std::string> pieces;  // text / thinking deltas
  std::string signature;  // thinking
  std::string id, name;   // tool_use
  std::string input;      // tool_use input JSON text
};

struct answer {
  std::string id;
  std::string model;
  bool stream = false;
  std::vector<block> blocks;
  std::string stop_reason = "end_turn";
  std::uint32_t input_tokens = 0;
  std::uint32_t output_tokens = 0;
  std::uint32_t cache_read = 0;
  std::uint32_t cache_write = 0;
  std::uint64_t seed = 0;
};

struct api_error {
  int status = 400;
  std::string type = "invalid_request_error";
  std::string message;
  std::string error_code;  // details.error_code
  std::optional<std::uint32_t> retry_after_s;
};

// The signature the mock puts on a thinking block and expects back unchanged.
std::string signature_for(std::string_view thinking);

response_plan render_answer(answer& a, const fault_spec& f);
response_plan render_error(const api_error& e, std::uint64_t seed, const fault_spec* f);
// The error a status-type fault (429, 529, fault=<N>, …) answers with.
api_error fault_error(const fault_spec& f);

}  // namespace gi::mock::anthropic_wire
