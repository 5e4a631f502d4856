#pragma once
// Error responses of the OpenAI-family dialects, each in its provider's real shape
// (providers.md §2.8, §5.2–§5.3, §6.2, §7.3, §8.2). Pure.

#include <cstdint>
#include <string>
#include <string_view>

#include "mock/dialect.h"
#include "mock/fault.h"
#include "mock/response_plan.h"

namespace gi::mock {

enum class error_case : std::uint8_t {
  missing_key,         // 401: no bearer
  invalid_key,         // 401 (fault=401)
  bad_json,            // 400: request body is not JSON
  invalid_request,     // 400/422: schema problem, message + param
  unsupported_param,   // 400: a field the dialect rejects (Groq logprobs, xAI reasoning stop…)
  mistral_tool_id,     // 400: Mistral's tool-call id rule, exact body of §5.2
  context_length,      // 400 context_length_exceeded
  rate_limit,          // 429 + Retry-After
  insufficient_quota,  // OpenAI 429 insufficient_quota; DeepSeek 402 Insufficient Balance
  overloaded,          // 503 + Retry-After
  server_error,        // 500
  generic_status,      // any other status from fault=<N>
};

struct error_detail {
  error_case what = error_case::invalid_request;
  int status = 0;        // generic_status; otherwise implied by `what`
  std::string message;   // invalid_request / unsupported_param / mistral_tool_id
  std::string param;     // OpenAI `param`
};

// `retry_after_s`: seconds for the Retry-After header (nullopt: the case's default; the
// header is omitted when `retry_after_off`).
response_plan error_plan(dialect d, const error_detail& e, std::string_view model,
                         std::uint64_t seed, const fault_spec* fault);

}  // namespace gi::mock
