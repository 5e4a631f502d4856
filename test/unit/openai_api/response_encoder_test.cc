#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/json_out.h"
#include "openai_api/openai_api.h"
#include "support/test_support.h"

namespace gi::openai_api {
namespace {

namespace json = boost::json;

response_meta meta() {
  response_meta m;
  m.id = "chatcmpl-gi-test-000001";
  m.created = 1764000000;
  m.model = "gpt-4o-mini-2024-07-18";
  return m;
}

TEST(EncodeResponse, TextAnswerMatchesOpenAiShape) {
  core::chat_response r;
  r.upstream_id = "up-1";
  r.model = "ignored-upstream-model";
  r.system_fingerprint = "fp_x";
  r.service_tier = "default";
  auto& c = r.choices.emplace_back();
  c.content = "Hi!";
  c.finish_reason = core::finish_reason::stop;
  r.usage = core::usage{12, 5, 0, 0, 0};
  EXPECT_TRUE(gi::test::json_equal(R"({
    "id":"chatcmpl-gi-test-000001","object":"chat.completion","created":1764000000,
    "model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_x","service_tier":"default",
    "choices":[{"index":0,"message":{"role":"assistant","content":"Hi!","refusal":null,"annotations":[]},
                "logprobs":null,"finish_reason":"stop"}],
    "usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,
             "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
             "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,
                                          "accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}})",
                                   encode_chat_response(r, meta())));
}

TEST(EncodeResponse, ToolCallsReasoningCacheAndExtension) {
  core::chat_response r;
  auto& c = r.choices.emplace_back();
  c.tool_calls.push_back({"call_1", "function", "get_weather", R"({"city":"Paris"})"});
  c.tool_calls.push_back({"call_2", "custom", "grep", "foo"});
  c.reasoning = "step 1";
  c.finish_reason = core::finish_reason::tool_calls;
  c.logprobs = json::parse(R"({"content":[]})");
  auto& c2 = r.choices.emplace_back();
  c2.index = 1;
  c2.refusal = "no";
  c2.finish_reason = core::finish_reason::content_filter;
  r.usage = core::usage{100, 40, 80, 20, 30};
  auto m = meta();
  m.x_gammainfra = json::parse(R"({"cost_usd":"0.000412","endpoint":"openai/gpt-4o-mini"})").as_object();
  EXPECT_TRUE(gi::test::json_equal(R"({
    "id":"chatcmpl-gi-test-000001","object":"chat.completion","created":1764000000,"model":"gpt-4o-mini-2024-07-18",
    "choices":[
      {"index":0,"message":{"role":"assistant","content":null,"refusal":null,"annotations":[],
        "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
                      {"id":"call_2","type":"custom","custom":{"name":"grep","input":"foo"}}],
        "reasoning_content":"step 1"},
       "logprobs":{"content":[]},"finish_reason":"tool_calls"},
      {"index":1,"message":{"role":"assistant","content":null,"refusal":"no","annotations":[]},
       "logprobs":null,"finish_reason":"content_filter"}],
    "usage":{"prompt_tokens":100,"completion_tokens":40,"total_tokens":140,
             "prompt_tokens_details":{"cached_tokens":80,"audio_tokens":0,"cache_write_tokens":20},
             "completion_tokens_details":{"reasoning_tokens":30,"audio_tokens":0,
                                          "accepted_prediction_tokens":0,"rejected_prediction_tokens":0},
             "cost_usd":"0.000412"},
    "x_gammainfra":{"cost_usd":"0.000412","endpoint":"openai/gpt-4o-mini"}})",
                                   encode_chat_response(r, m)));
}

TEST(EncodeResponse, NoUsageNoFinishReason) {
  core::chat_response r;
  r.choices.emplace_back().content = "partial";
  auto v = json::parse(encode_chat_response(r, meta()));
  EXPECT_FALSE(v.as_object().contains("usage"));
  EXPECT_FALSE(v.as_object().contains("system_fingerprint"));
  EXPECT_TRUE(v.at("choices").at(0).at("finish_reason").is_null());
}

TEST(EncodeResponse, EscapesControlCharactersAndKeepsUnicode) {
  core::chat_response r;
  std::string s = "q\"b\\s/\b\f\n\r\t";
  s.push_back('\0');
  s += "\x01\x1f\x7f caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8";
  r.choices.emplace_back().content = s;
  const std::string out = encode_chat_response(r, meta());
  EXPECT_NE(out.find(R"("q\"b\\s/\b\f\n\r\t\u0000\u0001\u001f)"), std::string::npos) << out;
  auto v = json::parse(out);  // valid JSON
  EXPECT_EQ(std::string_view(v.at("choices").at(0).at("message").at("content").as_string()), s);
}

TEST(JsonWriter, EscapesEveryControlCharacter) {
  for (int c = 0; c < 0x20; ++c) {
    std::string out;
    core::json_out::append_string(out, std::string(1, static_cast<char>(c)));
    auto v = json::parse(out);
    EXPECT_EQ(v.as_string().size(), 1u);
    EXPECT_EQ(v.as_string()[0], static_cast<char>(c));
  }
  std::string out;
  core::json_out::append_int(out, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(out, "-9223372036854775808");
}

TEST(EncodeError, ShapeWithNullsAndValues) {
  EXPECT_TRUE(gi::test::json_equal(
      R"({"error":{"message":"Invalid type for 'messages[0].content'","type":"invalid_request_error","param":"messages[0].content","code":"invalid_type"}})",
      encode_error(core::invalid_request("Invalid type for 'messages[0].content'", "messages[0].content", "invalid_type"))));
  EXPECT_TRUE(gi::test::json_equal(
      R"({"error":{"message":"upstream \"busy\"","type":"service_unavailable","param":null,"code":"anthropic:overloaded_error"}})",
      encode_error(core::error(core::error_kind::overloaded, "upstream \"busy\"", "", "anthropic:overloaded_error"))));
  EXPECT_TRUE(gi::test::json_equal(
      R"({"error":{"message":"no key","type":"authentication_error","param":null,"code":null}})",
      encode_error(core::error(core::error_kind::unauthenticated, "no key"))));
}

TEST(EncodeError, EveryKindProducesValidJsonWithItsType) {
  for (int k = 0; k <= static_cast<int>(core::error_kind::internal); ++k) {
    auto kind = static_cast<core::error_kind>(k);
    auto v = json::parse(encode_error(core::error(kind, "m")));
    EXPECT_EQ(std::string_view(v.at("error").at("type").as_string()), core::traits(kind).type);
  }
}

}  // namespace
}  // namespace gi::openai_api
