#pragma once
// The OpenAI Chat Completions wire format and its dialects (Groq, Mistral, DeepSeek, xAI):
// request → response plan. Pure (the created timestamp is an input); an independent
// implementation of providers.md §2, §5–§8 that does not share code with src/providers, so
// that it can prove those codecs right.

#include <cstdint>

#include "mock/dialect.h"
#include "mock/mock_request.h"
#include "mock/response_plan.h"

namespace gi::mock {

struct mock_context {
  std::int64_t created = 1735689600;  // `created` of every response
};

response_plan handle_openai_family(dialect d, const mock_request& req, const mock_context& ctx);

}  // namespace gi::mock
