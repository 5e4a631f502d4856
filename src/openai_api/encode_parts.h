#pragma once
// Pieces shared by the non-stream response encoder and the SSE encoder.

#include <string>

#include <boost/json/fwd.hpp>

#include "core/chat_response.h"
#include "core/error.h"

namespace gi::openai_api::detail {

// `{"prompt_tokens":…,"completion_tokens":…,"total_tokens":…,"prompt_tokens_details":{…},
// "completion_tokens_details":{…}}` (providers.md §2.6). `cost_usd`, when given, is added
// as the last member (design §3.3: the stream usage chunk carries the cost).
void append_usage(std::string& out, const core::usage& u,
                  const boost::json::value* cost_usd = nullptr);

// One element of a message's `tool_calls` array (function or custom).
void append_tool_call(std::string& out, const core::tool_call& tc);

// `{"message":…,"type":…,"param":…,"code":…}` without the `{"error":` wrapper.
void append_error_object(std::string& out, const core::error& e);

}  // namespace gi::openai_api::detail
