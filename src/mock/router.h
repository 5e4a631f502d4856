#pragma once
// Path → wire format. One place where a new format (Anthropic /v1/messages, Gemini
// /v1beta/models/{m}:generateContent, Bedrock /model/{id}/converse) is wired in.

#include "mock/mock_request.h"
#include "mock/openai_family.h"
#include "mock/response_plan.h"

namespace gi::mock {

response_plan route(const mock_request& req, const mock_context& ctx);

}  // namespace gi::mock
