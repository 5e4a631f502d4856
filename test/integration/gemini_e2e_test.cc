// End to end to a Gemini endpoint: the real gateway (Beast server + executor + upstream
// client + gemini codec) in front of the real mock's Gemini wire format, both on port 0 in
// this process. Covers text, streaming, multi-turn tool use that needs the thought
// signature (side store), the sentinel fallback, safety outcomes, faults and fallback, and
// requests Gemini cannot express (skipped as incapable, or a 400 naming the field).

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
                        .key_env = "TEST_UPSTREAM_KEY",
                        .prices = R"({input: "0.30", cached_input: "0.03", output: "2.50"})",
                        .extra = "    capabilities: {vision: true, reasoning: true}\n"});
}

class gemini_e2e : public gateway_mock_test {
 protected:
  gemini_e2e() { upstream_timeout_ = "500ms"; }

  // The catalog convention: the base URL holds the API version (providers.md §4.1).
  std::string gemini_base() const { return mock_base() + "/v1beta"; }
  void start_gemini(const std::string& model) {
    start(endpoint("gemini/" + model, "gemini", model, gemini_base()), "gemini/" + model);
  }
};

json::object user_msg(std::string text) { return json::object{{"role", "user"}, {"content", std::move(text)}}; }

json::array weather_tools() {
  return json::array{json::parse(R"({"type":"function","function":{"name":"get_weather","description":"Current weather",
      "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}}})"),
                     json::parse(R"({"type":"function","function":{"name":"get_time",
      "parameters":{"type":"object","properties":{"tz":{"type":"string"}},"required":["tz"]}}})")};
}

struct stream_result {
  std::string content;
  std::string finish;
  json::array tool_calls;  // merged by index
  std::optional<json::object> usage;
  bool done = false;
};
stream_result read_stream(const std::string& body) {
  stream_result r;
  for (const auto& d : sse_data(body)) {
    if (d == "[DONE]") {
      r.done = true;
      continue;
    }
    auto v = json::parse(d).as_object();
    if (auto* u = v.if_contains("usage"); u && u->is_object()) r.usage = u->as_object();
    for (const auto& c : v.at("choices").as_array()) {
      const auto& delta = c.at("delta").as_object();
      if (auto* t = delta.if_contains("content"); t && t->is_string()) r.content += t->as_string();
      if (auto* tc = delta.if_contains("tool_calls"))
        for (const auto& call : tc->as_array()) r.tool_calls.push_back(call);
      if (auto* f = c.as_object().if_contains("finish_reason"); f && f->is_string())
        r.finish = std::string(f->as_string());
    }
  }
  return r;
}

TEST_F(gemini_e2e, non_stream_text_with_usage_and_cost) {
  start_gemini("gemini-2.5-flash");
  auto r = chat(json::object{{"model", "gemini/gemini-2.5-flash"},
                             {"messages", json::array{json::object{{"role", "system"}, {"content", "Be terse."}},
                                                      user_msg("Say hello to the gateway")}}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto v = json::parse(r->body).as_object();
  const auto& c = v.at("choices").at(0).as_object();
  EXPECT_EQ(c.at("message").at("content"), "Mock answer to: Say hello to the gateway");
  EXPECT_EQ(c.at("finish_reason"), "stop");
  const auto& u = v.at("usage").as_object();
  EXPECT_GT(u.at("prompt_tokens").as_int64(), 0);
  // Thinking model: completion includes the thoughts (§10.3).
  EXPECT_EQ(u.at("completion_tokens_details").at("reasoning_tokens").as_int64(), 16);
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "gemini/gemini-2.5-flash");
  EXPECT_FALSE(r->header("x-gammainfra-cost-usd").empty());
}

TEST_F(gemini_e2e, stream_with_usage) {
  start_gemini("gemini-2.5-flash");
  auto r = chat(json::object{{"model", "gemini/gemini-2.5-flash"},
                             {"messages", json::array{user_msg("one two three four")}},
                             {"stream", true},
                             {"stream_options", json::object{{"include_usage", true}}}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto s = read_stream(r->body);
  EXPECT_EQ(s.content, "Mock answer to: one two three four");
  EXPECT_EQ(s.finish, "stop");
  ASSERT_TRUE(s.usage);
  EXPECT_GT(s.usage->at("total_tokens").as_int64(), 0);
  EXPECT_TRUE(s.done);
}

// Gemini 3 rejects a replayed function call without its thought signature; the gateway
// keeps it in the side store under the minted OpenAI id and re-attaches it (§11.4).
TEST_F(gemini_e2e, multi_turn_tool_use_echoes_the_thought_signature) {
  start_gemini("gemini-3.5-flash");
  for (bool stream_first : {false, true}) {
    SCOPED_TRACE(stream_first ? "stream first turn" : "non-stream first turn");
    json::array messages{user_msg("What's the weather and time in Paris? Use the tools.")};
    json::object turn1{{"model", "gemini/gemini-3.5-flash"}, {"messages", messages}, {"tools", weather_tools()}};
    if (stream_first) turn1["stream"] = true;
    auto r1 = chat(turn1);
    ASSERT_TRUE(r1);
    ASSERT_EQ(r1->status, 200) << r1->body;
    json::array calls;
    if (stream_first) {
      auto s = read_stream(r1->body);
      EXPECT_EQ(s.finish, "tool_calls");
      calls = s.tool_calls;
      for (auto& c : calls) c.as_object().erase("index");
    } else {
      auto v = json::parse(r1->body).as_object();
      EXPECT_EQ(v.at("choices").at(0).at("finish_reason"), "tool_calls");
      calls = v.at("choices").at(0).at("message").at("tool_calls").as_array();
    }
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0].at("function").at("name"), "get_weather");
    EXPECT_EQ(calls[0].at("function").at("arguments"), R"({"city":"mock-city"})");
    EXPECT_TRUE(calls[0].at("id").as_string().starts_with("call_"));
    EXPECT_NE(calls[0].at("id"), calls[1].at("id"));

    messages.push_back(json::object{{"role", "assistant"}, {"content", nullptr}, {"tool_calls", calls}});
    messages.push_back(json::object{{"role", "tool"}, {"tool_call_id", calls[1].at("id")}, {"content", "14:05"}});
    messages.push_back(json::object{{"role", "tool"}, {"tool_call_id", calls[0].at("id")}, {"content", R"({"temp_c":18})"}});
    auto r2 = chat(json::object{{"model", "gemini/gemini-3.5-flash"}, {"messages", messages}, {"tools", weather_tools()}});
    ASSERT_TRUE(r2);
    ASSERT_EQ(r2->status, 200) << r2->body;
    auto text = json::parse(r2->body).at("choices").at(0).at("message").at("content").as_string();
    // The mock verified the echoed signature (not the sentinel) and saw results in call order.
    EXPECT_EQ(text, "Mock answer after 2 tool result(s): get_weather, get_time; thought signatures verified=1 skipped=0");
  }
}

TEST_F(gemini_e2e, foreign_tool_history_uses_the_sentinel) {
  start_gemini("gemini-3.5-flash");
  json::array messages{
      user_msg("Weather?"),
      json::object{{"role", "assistant"}, {"content", nullptr},
                   {"tool_calls", json::array{json::object{{"id", "toolu_01FromAnthropic"}, {"type", "function"},
                                                           {"function", json::object{{"name", "get_weather"}, {"arguments", R"({"city":"Oslo"})"}}}}}}},
      json::object{{"role", "tool"}, {"tool_call_id", "toolu_01FromAnthropic"}, {"content", "3C"}}};
  auto r = chat(json::object{{"model", "gemini/gemini-3.5-flash"}, {"messages", messages}, {"tools", weather_tools()}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto text = json::parse(r->body).at("choices").at(0).at("message").at("content").as_string();
  EXPECT_NE(text.find("verified=0 skipped=1"), std::string::npos) << text;
}

TEST_F(gemini_e2e, json_schema_response_format) {
  start_gemini("gemini-2.5-flash");
  auto r = chat(json::object{{"model", "gemini/gemini-2.5-flash"}, {"messages", json::array{user_msg("A city")}},
                             {"response_format", json::parse(R"({"type":"json_schema","json_schema":{"name":"city","strict":true,
                                 "schema":{"type":"object","properties":{"name":{"type":"string"},"pop":{"type":"integer"}},
                                           "required":["name","pop"],"additionalProperties":false}}})")}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto content = json::parse(r->body).at("choices").at(0).at("message").at("content").as_string();
  auto v = json::parse(content).as_object();
  EXPECT_EQ(v.at("name"), "mock-name");
  EXPECT_TRUE(v.contains("pop"));
}

TEST_F(gemini_e2e, blocked_prompt_is_a_400_without_fallback) {
  start(endpoint("gemini/a", "gemini", "gemini-2.5-flash", gemini_base()) +
            endpoint("openai/b", "openai", "gpt-4o-mini", mock_base() + "/v1"),
        "gemini/a, openai/b");
  for (bool stream : {false, true}) {
    auto r = chat(json::object{{"model", "auto"}, {"messages", json::array{user_msg("mock-block-prompt please")}},
                               {"stream", stream}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    EXPECT_EQ(r->header("x-gammainfra-fallback-chain").find("openai/b"), std::string::npos);
    EXPECT_EQ(json::parse(r->body).at("error").at("code"), "gemini:SAFETY");
  }
}

TEST_F(gemini_e2e, blocked_output_is_finish_reason_content_filter) {
  start_gemini("gemini-2.5-flash");
  auto r = chat(json::object{{"model", "gemini/gemini-2.5-flash"},
                             {"messages", json::array{user_msg("tell me mock-block-output now")}}, {"stream", true}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto s = read_stream(r->body);
  EXPECT_EQ(s.finish, "content_filter");
  EXPECT_EQ(s.content, "Mock answer");
}

TEST_F(gemini_e2e, upstream_faults_fall_back) {
  struct fault_case {
    const char* fault;
    bool stream;
    const char* outcome;
  };
  for (auto fc : {fault_case{"fault=rate_limit", false, "error=429"}, fault_case{"fault=overloaded", false, "error=503"},
                  fault_case{"fault=500", false, "error=500"}, fault_case{"fault=invalid_json", false, "error=protocol"},
                  fault_case{"fault=stream_error,after=0", true, "error="},
                  fault_case{"fault=close_mid_stream,after=0", true, "error="},
                  fault_case{"fault=truncated,after=0", true, "error="},
                  fault_case{"fault=invalid_json", true, "error=protocol"}}) {
    SCOPED_TRACE(fc.fault);
    start(endpoint("gemini/bad", "gemini", std::string("gemini-2.5-flash@") + fc.fault, gemini_base()) +
              endpoint("gemini/good", "gemini", "gemini-2.5-flash", gemini_base()),
          "gemini/bad, gemini/good");
    auto r = chat(json::object{{"model", "auto"}, {"messages", json::array{user_msg("hello there")}}, {"stream", fc.stream}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->header("x-gammainfra-endpoint"), "gemini/good");
    auto chain = r->header("x-gammainfra-fallback-chain");
    EXPECT_TRUE(chain.starts_with(std::string("gemini/bad;") + fc.outcome)) << chain;
  }
}

TEST_F(gemini_e2e, inexpressible_request_is_skipped_as_incapable_or_400) {
  json::object body{{"model", "auto"},
                    {"messages", json::array{json::object{
                                     {"role", "user"},
                                     {"content", json::parse(R"([{"type":"text","text":"What is it?"},
                                        {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}])")}}}}};
  start(endpoint("gemini/a", "gemini", "gemini-2.5-flash", gemini_base()) +
            endpoint("openai/b", "openai", "gpt-4o-mini", mock_base() + "/v1"),
        "gemini/a, openai/b");
  auto r = chat(body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "openai/b");
  EXPECT_NE(r->header("x-gammainfra-fallback-chain").find("gemini/a;skipped=incapable"), std::string::npos)
      << r->header("x-gammainfra-fallback-chain");

  // Pinned with the fallback switched off: the endpoint's translation error is the answer.
  body["model"] = "gemini/a";
  auto pinned = chat(body);
  ASSERT_TRUE(pinned);
  EXPECT_EQ(pinned->status, 200) << pinned->body;
  EXPECT_EQ(pinned->header("x-gammainfra-endpoint"), "openai/b");
  auto off = chat(body, "X-GammaInfra-Fallback: off\r\n");
  ASSERT_TRUE(off);
  EXPECT_EQ(off->status, 400) << off->body;
  EXPECT_EQ(json::parse(off->body).at("error").at("param"), "messages[0].content[1].image_url.url");

  // Nothing to cascade to: a 400 naming the field.
  start_gemini("gemini-2.5-flash");
  body["model"] = "gemini/gemini-2.5-flash";
  auto only = chat(body);
  ASSERT_TRUE(only);
  EXPECT_EQ(only->status, 400) << only->body;
  EXPECT_EQ(json::parse(only->body).at("error").at("param"), "messages[0].content[1].image_url.url");

  // A schema keyword Gemini cannot honour is named, not sent upstream to fail there.
  json::object schema_body{{"model", "gemini/gemini-2.5-flash"}, {"messages", json::array{user_msg("hi")}},
                           {"tools", json::parse(R"([{"type":"function","function":{"name":"f","parameters":
                               {"type":"object","properties":{"a":{"type":"string","not":{"const":"x"}}}}}}])")}};
  auto bad_schema = chat(schema_body);
  ASSERT_TRUE(bad_schema);
  EXPECT_EQ(bad_schema->status, 400) << bad_schema->body;
  EXPECT_EQ(json::parse(bad_schema->body).at("error").at("param"), "tools[0].function.parameters.properties.a.not");
}

}  // namespace
}  // namespace gi::test
