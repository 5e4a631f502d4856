// End to end: OpenAI request in, Anthropic upstream (the mock's /v1/messages), OpenAI answer
// out — through the real gateway (server + executor + upstream client) in this process.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "support/gateway_mock_fixture.h"
#include "support/test_support.h"

namespace gi::test {
namespace {

namespace json = boost::json;

std::string endpoint(const std::string& id, const std::string& provider, const std::string& model,
                     const std::string& base) {
  return endpoint_yaml({.id = id, .provider = provider, .model = model, .base_url = base,
                        .prices = R"({input: "3.00", cached_input: "0.30", output: "15.00"})"});
}

class anthropic_e2e : public gateway_mock_test {
 protected:
  std::string base() const { return mock_base(); }
};

const char* weather_tools =
    R"("tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}},
               {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"tz":{"type":"string"}},"required":["tz"]}}}])";

TEST_F(anthropic_e2e, non_stream_text_answer_in_openai_format) {
  start(endpoint("anthropic/claude-sonnet-4-6", "anthropic", "claude-sonnet-4-6", base()),
        "anthropic/claude-sonnet-4-6");
  auto r = chat(R"({"model":"anthropic/claude-sonnet-4-6","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hello from the gateway"}]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "anthropic/claude-sonnet-4-6");
  auto v = json::parse(r->body).as_object();
  EXPECT_EQ(v.at("object"), "chat.completion");
  const auto& c = v.at("choices").at(0).as_object();
  EXPECT_EQ(c.at("message").at("content"), "Mock answer to: Hello from the gateway");
  EXPECT_EQ(c.at("finish_reason"), "stop");
  EXPECT_GT(v.at("usage").at("prompt_tokens").to_number<std::int64_t>(), 0);
  EXPECT_FALSE(r->header("x-gammainfra-cost-usd").empty());
}

TEST_F(anthropic_e2e, stream_parallel_tool_calls_on_distinct_indexes) {
  start(endpoint("anthropic/claude-sonnet-4-6", "anthropic", "claude-sonnet-4-6", base()),
        "anthropic/claude-sonnet-4-6");
  auto r = chat(std::string(R"({"model":"anthropic/claude-sonnet-4-6","stream":true,"stream_options":{"include_usage":true},"tool_choice":"required",)") +
                weather_tools + R"(,"messages":[{"role":"user","content":"Weather and time?"}]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto events = sse_data(r->body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "[DONE]");
  std::map<std::int64_t, std::string> args, names;
  std::string finish;
  bool usage = false;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    auto c = json::parse(events[i]).as_object();
    const auto& choices = c.at("choices").as_array();
    if (choices.empty()) {
      usage = true;
      continue;
    }
    if (!choices[0].at("finish_reason").is_null()) finish = std::string(choices[0].at("finish_reason").as_string());
    const auto& d = choices[0].at("delta").as_object();
    if (auto* tcs = d.if_contains("tool_calls")) {
      for (const auto& tc : tcs->as_array()) {
        auto idx = tc.at("index").to_number<std::int64_t>();
        const auto& f = tc.at("function").as_object();
        if (auto* n = f.if_contains("name")) names[idx] = std::string(n->as_string());
        if (auto* a = f.if_contains("arguments")) args[idx] += a->as_string();
      }
    }
  }
  EXPECT_EQ(finish, "tool_calls");
  EXPECT_TRUE(usage);
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], "get_weather");
  EXPECT_EQ(names[1], "get_time");
  EXPECT_TRUE(json::parse(args[0]).at("city").is_string());
  EXPECT_TRUE(json::parse(args[1]).at("tz").is_string());
}

TEST_F(anthropic_e2e, overloaded_529_falls_back_to_the_next_endpoint) {
  start(endpoint("anthropic/busy", "anthropic", "claude-sonnet-4-6@fault=overloaded", base()) +
            endpoint("openai/ok", "openai", "gpt-4o-mini", base() + "/v1"),
        "anthropic/busy, openai/ok");
  auto r = chat(R"({"model":"auto","messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "openai/ok");
  EXPECT_TRUE(r->header("x-gammainfra-fallback-chain").starts_with("anthropic/busy;error=529"))
      << r->header("x-gammainfra-fallback-chain");
  // Alone, the 529 is never passed to an OpenAI client: 503 service_unavailable.
  start(endpoint("anthropic/busy", "anthropic", "claude-sonnet-4-6@fault=overloaded", base()), "anthropic/busy");
  r = chat(R"({"model":"anthropic/busy","messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_TRUE(r);
  EXPECT_NE(r->status, 529);
  EXPECT_GE(r->status, 500) << r->body;
}

TEST_F(anthropic_e2e, conversation_started_on_openai_fails_over_to_anthropic_with_tool_ids) {
  // Turn 1 on OpenAI: parallel tool calls with call_… ids.
  start(endpoint("openai/gpt", "openai", "gpt-4o-mini", base() + "/v1"), "openai/gpt");
  auto r1 = chat(std::string(R"({"model":"openai/gpt","tool_choice":"required",)") + weather_tools +
                 R"(,"messages":[{"role":"user","content":"Weather and time?"}]})");
  ASSERT_TRUE(r1);
  ASSERT_EQ(r1->status, 200) << r1->body;
  auto msg = json::parse(r1->body).at("choices").at(0).at("message").as_object();
  const auto& calls = msg.at("tool_calls").as_array();
  ASSERT_EQ(calls.size(), 2u);
  // Turn 2: OpenAI now fails, Anthropic continues the same conversation.
  json::array messages{json::object{{"role", "user"}, {"content", "Weather and time?"}}, msg};
  for (const auto& c : calls)
    messages.push_back(json::object{{"role", "tool"}, {"tool_call_id", c.at("id")}, {"content", "fine"}});
  messages.push_back(json::object{{"role", "user"}, {"content", "Summarise please"}});
  start(endpoint("openai/gpt", "openai", "gpt-4o-mini@fault=503", base() + "/v1") +
            endpoint("anthropic/claude", "anthropic", "claude-haiku-4-5", base()),
        "openai/gpt, anthropic/claude");
  json::object body{{"model", "auto"}, {"messages", messages}, {"tools", json::parse(std::string("{") + weather_tools + "}").at("tools")}};
  auto r2 = chat(json::serialize(body));
  ASSERT_TRUE(r2);
  ASSERT_EQ(r2->status, 200) << r2->body;
  EXPECT_EQ(r2->header("x-gammainfra-endpoint"), "anthropic/claude");
  EXPECT_EQ(json::parse(r2->body).at("choices").at(0).at("message").at("content"),
            "Mock answer to: Summarise please");
}

TEST_F(anthropic_e2e, inexpressible_request_is_skipped_as_incapable_or_400) {
  start(endpoint("anthropic/claude", "anthropic", "claude-sonnet-4-6", base()) +
            endpoint("openai/ok", "openai", "gpt-4o-mini", base() + "/v1"),
        "anthropic/claude, openai/ok");
  auto r = chat(R"({"model":"auto","n":2,"messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(r->header("x-gammainfra-fallback-chain").starts_with("anthropic/claude;skipped=incapable"))
      << r->header("x-gammainfra-fallback-chain");
  // Nothing to cascade to: a 400 naming the field.
  r = chat(R"({"model":"anthropic/claude","n":2,"messages":[{"role":"user","content":"Hi"}]})",
           "X-GammaInfra-Fallback: off\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(json::parse(r->body).at("error").at("param"), "n");
}

TEST_F(anthropic_e2e, structured_output_and_thinking_history_without_side_store) {
  start(endpoint("anthropic/old", "anthropic", "claude-3-5-haiku-20241022", base()), "anthropic/old");
  // json_schema on a pre-4.5 model: forced tool, answered as content with finish stop.
  auto r = chat(R"({"model":"anthropic/old","stream":true,"messages":[{"role":"user","content":"A city"}],
    "response_format":{"type":"json_schema","json_schema":{"name":"c","schema":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}}}})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  std::string text, finish;
  for (const auto& e : sse_data(r->body)) {
    if (e == "[DONE]") continue;
    auto c = json::parse(e).as_object();
    if (c.at("choices").as_array().empty()) continue;
    const auto& ch = c.at("choices").at(0).as_object();
    if (auto* t = ch.at("delta").as_object().if_contains("content")) text += t->as_string();
    if (!ch.at("finish_reason").is_null()) finish = std::string(ch.at("finish_reason").as_string());
  }
  EXPECT_EQ(finish, "stop");
  EXPECT_TRUE(json::parse(text).at("name").is_string()) << text;
  // reasoning_effort with a tool turn whose thinking is unknown: the gateway sends the turn
  // without thinking (the mock would 400 a tool turn without its thinking block).
  start(endpoint("anthropic/claude", "anthropic", "claude-sonnet-4-6", base()), "anthropic/claude");
  r = chat(std::string(R"({"model":"anthropic/claude","reasoning_effort":"low",)") + weather_tools + R"(,
    "messages":[{"role":"user","content":"Weather?"},
      {"role":"assistant","content":null,"tool_calls":[{"id":"call_x1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
      {"role":"tool","tool_call_id":"call_x1","content":"18C"}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

}  // namespace
}  // namespace gi::test
