#pragma once
// The OpenAI Chat Completions wire format and its dialects (Groq, Mistral, DeepSeek, xAI):
// request → response plan. Pure (the created timestamp is an input); an independent
// implementation of providers.md §2, §5–§8 that does not share code with src/providers, so
// that it can prove those codecs right.

#include <cstdint>
#include <string>

#include "mock/dialect.h"
#include "mock/mock_request.h"
#include "mock/response_plan.h"

namespace gi::mock {

struct mock_context {
  std::int64_t created = 1735689600;  // `created` of every response
  // Bedrock SigV4 verification (bedrock.cc): the one accepted key pair (the AWS
  // documentation example by default), and the wall clock for the 5-minute skew check
  // (null = no skew check, for pure unit tests).
  std::string aws_access_key_id = "AKIDEXAMPLE";
  std::string aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  std::int64_t (*unix_now)() = nullptr;
};

response_plan handle_openai_family(dialect d, const mock_request& req, const mock_context& ctx);

}  // namespace gi::mock
