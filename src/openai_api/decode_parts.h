#pragma once
// Decoders for the pieces of a Chat Completions request (providers.md §2.3–§2.5). Each
// reads the value at ctx.path (already pushed by the caller), moves what it keeps out of
// the parsed DOM, and returns false with ctx holding the error on the first violation.

#include <vector>

#include "core/chat_request.h"
#include "openai_api/decode_context.h"

namespace gi::openai_api::detail {

// `messages`: non-empty array of role-tagged message objects.
bool decode_messages(decode_context& ctx, json::value& v, std::vector<core::message>& out);

// `tools`: array of function / custom tool definitions.
bool decode_tools(decode_context& ctx, json::value& v, std::vector<core::tool>& out);
// Legacy `functions`: array of function definitions, up-converted to function tools.
bool decode_legacy_functions(decode_context& ctx, json::value& v, std::vector<core::tool>& out);

// `tool_choice`: "none" | "auto" | "required" | {type:function|allowed_tools|custom,…}.
bool decode_tool_choice(decode_context& ctx, json::value& v, core::tool_choice& out);
// Legacy `function_call`: "none" | "auto" | {name} -> tool_choice.
bool decode_legacy_function_call(decode_context& ctx, json::value& v, core::tool_choice& out);

// `response_format`: {type:text|json_object|json_schema, json_schema:{…}}.
bool decode_response_format(decode_context& ctx, json::value& v, core::response_format& out);

}  // namespace gi::openai_api::detail
