#pragma once
// The client-facing OpenAI wire format (providers.md §2). Pure: no I/O, clock or logging.
// Decoding validates the full Chat Completions request and names the JSON path of any
// violation; encoding produces bytes an OpenAI SDK cannot tell from OpenAI's.
// Streaming output (chat.completion.chunk SSE events) is `sse_encoder` in sse_encoder.h.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/chat_request.h"
#include "core/chat_response.h"
#include "core/error.h"
#include "core/result.h"
#include "core/stream_event.h"

namespace gi::openai_api {

// Body of POST /v1/chat/completions -> canonical request, or a 400 error whose message
// names the JSON path (e.g. `messages[2].content[0].image_url.url`) and whose `param` is
// that path. Malformed JSON, an empty or non-object body are 400s with param empty (the
// malformed-JSON message gives line, column and byte offset). Legacy `functions` /
// `function_call` are up-converted to `tools` / `tool_choice`; unknown and OpenAI-only
// top-level fields land in `passthrough` in arrival order.
core::result<core::chat_request> decode_chat_request(std::string_view body);
// The same into `out` (a default-constructed request), without moving the decoded request
// through a result: the server decodes straight into the request it hands the handler.
// `out` is left default-constructed on error.
core::status<> decode_chat_request(std::string_view body, core::chat_request& out);

// What the gateway stamps on every response it produces.
struct response_meta {
  std::string id;  // "chatcmpl-" + request id
  std::int64_t created = 0;
  std::string model;  // the model that actually answered
  // Gateway extension (cost, endpoint, chain), emitted as top-level `x_gammainfra` when set.
  std::optional<boost::json::object> x_gammainfra;
};

// chat.completion JSON (providers.md §2.6). id/created/model come from `meta`; reasoning
// is emitted as `message.reasoning_content`; usage gets `cost_usd` copied from
// meta.x_gammainfra["cost_usd"] when present; `x_gammainfra` is added when set.
std::string encode_chat_response(const core::chat_response& r, const response_meta& meta);

// {"error":{"message","type","param","code"}} — OpenAI's error shape.
std::string encode_error(const core::error& e);

}  // namespace gi::openai_api
