#pragma once
// The non-OpenAI wire formats of the mock, one file each (anthropic.cc, gemini.cc,
// bedrock.cc). Each returns nullopt when the request is not for it (path mismatch), so the
// router can ask them in turn.

#include <optional>

#include "mock/mock_request.h"
#include "mock/openai_family.h"
#include "mock/response_plan.h"

namespace gi::mock {

std::optional<response_plan> handle_anthropic(const mock_request& req, const mock_context& ctx);
std::optional<response_plan> handle_gemini(const mock_request& req, const mock_context& ctx);
std::optional<response_plan> handle_bedrock(const mock_request& req, const mock_context& ctx);

}  // namespace gi::mock
