// OpenAI-family request writer and decoder fast paths: cases clearer as code than as
// fixtures (the goldens cover the dialect rules).

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "providers/openai_compat/codec.h"
#include "providers/openai_compat/dialect.h"

namespace gi::providers::openai_compat {
namespace {

namespace json = boost::json;

core::chat_request user_request(std::string text) {
  core::chat_request r;
  r.model = "m";
  core::message m;
  m.role = core::role::user;
  m.content = std::move(text);
  r.messages.push_back(std::move(m));
  return r;
}

TEST(openai_compat_writer, a_pass_through_key_naming_a_written_field_is_not_duplicated) {
  // The client decoder never puts modelled fields in `passthrough`; a caller that does must
  // not produce a body with two "temperature" keys (upstreams disagree on which one wins).
  core::chat_request r = user_request("hi");
  r.temperature = 0.5;
  r.passthrough["temperature"] = 2;
  r.passthrough["top_k"] = 3;
  target t;
  t.model = "gpt-4o";
  auto enc = encode_request(openai_dialect(), r, t);
  ASSERT_TRUE(enc);
  EXPECT_EQ(enc->body.find("\"temperature\""), enc->body.rfind("\"temperature\"")) << enc->body;
  json::value body = json::parse(enc->body);
  EXPECT_EQ(body.at("temperature").as_double(), 0.5);
  EXPECT_EQ(body.at("top_k").as_int64(), 3);
}

TEST(openai_compat_writer, long_and_escaped_content_round_trips) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += static_cast<char>(i % 127 + 1);
  core::chat_request r = user_request(text);
  target t;
  t.model = "mistral-small-latest";
  auto enc = encode_request(mistral_dialect(), r, t);
  ASSERT_TRUE(enc);
  json::value body = json::parse(enc->body);
  EXPECT_EQ(std::string(body.at("messages").at(0).at("content").as_string()), text);
}

TEST(openai_compat_fast_decode, declines_what_the_general_path_must_read) {
  target t;
  t.model = "m";
  const char* general_only[] = {
      R"({"error":{"message":"x","type":"server_error"}})",
      R"({"choices":[{"message":{"content":[{"type":"text","text":"a"}]}}]})",
      R"({"choices":[{"message":{"tool_calls":[{"function":{"name":"f","arguments":{"a":1}}}]}}]})",
      R"({"choices":[{"index":0.0,"message":{"content":"a"}}]})",
      R"({"choices":[{"logprobs":{"content":[]},"message":{"content":"a"}}]})",
      R"({"choices":[],"usage":{"prompt_tokens":1.5}})",
      R"({"choices":[],"x_groq":{"usage":{"prompt_tokens":1}}})",
      R"({"created":1.0,"choices":[]})",
      R"({"no_choices":true})",
      R"({"choices":{}})",
      R"([1,2])",
      R"({"choices":[] )",
  };
  for (const char* body : general_only)
    EXPECT_FALSE(decode_response_fast(t, body)) << body;
  EXPECT_TRUE(decode_response_fast(t, R"({"choices":[{"message":{"content":"a"}}],"x_groq":null})"));
}

TEST(openai_compat_fast_decode, both_paths_agree_on_odd_but_common_shapes) {
  target t;
  t.model = "fallback-model";
  const char* bodies[] = {
      R"({"choices":[]})",
      R"({"id":7,"model":null,"created":"x","choices":[null,{"message":null},{"index":"2","finish_reason":null}]})",
      R"({"choices":[{"message":{"content":"a","content":null}},{"message":{"content":null,"content":"b"}}]})",
      R"({"model":"a","model":"b","choices":[{"index":3,"index":1,"message":{"refusal":"r","tool_calls":null}}]})",
      R"({"choices":[],"usage":{"prompt_tokens":5,"prompt_cache_hit_tokens":null,"prompt_tokens_details":{"cached_tokens":2},"prompt_tokens_details":null}})",
      R"({"choices":[],"usage":{"prompt_tokens":18446744073709551615,"completion_tokens":-1}})",
  };
  for (const char* body : bodies) {
    auto fast = decode_response(openai_dialect(), t, body, true);
    auto general = decode_response(openai_dialect(), t, body, false);
    ASSERT_TRUE(fast && general) << body;
    ASSERT_TRUE(decode_response_fast(t, body)) << "expected the fast path to take " << body;
    const auto& a = *fast;
    const auto& b = *general;
    EXPECT_EQ(a.upstream_id, b.upstream_id) << body;
    EXPECT_EQ(a.model, b.model) << body;
    EXPECT_EQ(a.created, b.created) << body;
    EXPECT_EQ(a.usage, b.usage) << body;
    ASSERT_EQ(a.choices.size(), b.choices.size()) << body;
    for (std::size_t i = 0; i < a.choices.size(); ++i) {
      EXPECT_EQ(a.choices[i].index, b.choices[i].index) << body;
      EXPECT_EQ(a.choices[i].content, b.choices[i].content) << body;
      EXPECT_EQ(a.choices[i].refusal, b.choices[i].refusal) << body;
      EXPECT_EQ(a.choices[i].finish_reason, b.choices[i].finish_reason) << body;
      EXPECT_EQ(a.choices[i].tool_calls.size(), b.choices[i].tool_calls.size()) << body;
    }
  }
}

}  // namespace
}  // namespace gi::providers::openai_compat
