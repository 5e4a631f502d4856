// The mock's Anthropic wire format, driven without sockets (providers.md §3, §13.3).

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "mock/anthropic.h"
#include "mock/wire_formats.h"

namespace gi::mock {
namespace {

namespace json = boost::json;

struct call {
  explicit call(std::string b) : body(std::move(b)) {}
  std::string body;
  std::string key = "sk-ant-test";
  std::string auth{};
  std::string version = "2023-06-01";
  std::string fault{};
  std::string path = "/v1/messages";

  response_plan run() const {
    mock_request r;
    r.method = "POST";
    r.target = path;
    r.body = body;
    r.x_api_key = key;
    r.authorization = auth;
    r.anthropic_version = version;
    r.mock_fault = fault;
    auto p = handle_anthropic(r, mock_context{});
    EXPECT_TRUE(p.has_value());
    return p ? *p : response_plan{};
  }
};

std::string hello(std::string extra = "") {
  return R"({"model":"claude-sonnet-4-6","max_tokens":100,)" + extra +
         R"("messages":[{"role":"user","content":"Hello mock world"}]})";
}

std::string error_type(const response_plan& p) {
  return std::string(json::parse(p.body).at("error").at("type").as_string());
}

std::string header(const response_plan& p, std::string_view name) {
  for (const auto& [k, v] : p.headers)
    if (k == name) return v;
  return {};
}

TEST(anthropic_mock, other_paths_are_not_ours) {
  mock_request r;
  r.target = "/v1/chat/completions";
  EXPECT_FALSE(handle_anthropic(r, mock_context{}).has_value());
}

TEST(anthropic_mock, text_answer_with_usage) {
  auto p = call{hello()}.run();
  ASSERT_EQ(p.status, 200) << p.body;
  auto v = json::parse(p.body).as_object();
  EXPECT_EQ(v.at("type"), "message");
  EXPECT_EQ(v.at("content").as_array()[0].at("text"), "Mock answer to: Hello mock world");
  EXPECT_EQ(v.at("stop_reason"), "end_turn");
  EXPECT_GT(v.at("usage").at("input_tokens").as_int64(), 0);
  EXPECT_FALSE(header(p, "request-id").empty());
}

TEST(anthropic_mock, auth_and_version_rules) {
  call c{hello()};
  c.key.clear();
  EXPECT_EQ(c.run().status, 401);
  EXPECT_EQ(error_type(c.run()), "authentication_error");
  c.auth = "Bearer sk-ant-test";  // 2026 SDKs send bearer (§3.1)
  EXPECT_EQ(c.run().status, 200);
  call v{hello()};
  v.version.clear();
  EXPECT_EQ(v.run().status, 400);
  call s{hello(R"("temperature":0.5,)")};
  s.version = "2026-10-21";
  EXPECT_EQ(s.run().status, 400);  // sampling params removed in 2026-10-21
  s.version = "2023-06-01";
  EXPECT_EQ(s.run().status, 200);
  call both{hello(R"("temperature":0.5,"top_p":0.9,)")};
  EXPECT_EQ(both.run().status, 400);
  EXPECT_NE(both.run().body.find("cannot both be specified"), std::string::npos);
}

TEST(anthropic_mock, forced_tool_use_with_schema_valid_input) {
  auto p = call{R"({"model":"claude-sonnet-4-6","max_tokens":100,"tool_choice":{"type":"any"},
    "tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
             {"name":"ping","input_schema":{"type":"object","properties":{}}}],
    "messages":[{"role":"user","content":"Weather?"}]})"}
               .run();
  ASSERT_EQ(p.status, 200) << p.body;
  auto v = json::parse(p.body).as_object();
  EXPECT_EQ(v.at("stop_reason"), "tool_use");
  const auto& c = v.at("content").as_array();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].at("name"), "get_weather");
  EXPECT_TRUE(c[0].at("input").at("city").is_string());
  EXPECT_TRUE(std::string(c[0].at("id").as_string()).starts_with("toolu_01"));
}

TEST(anthropic_mock, stream_grammar) {
  auto p = call{R"({"model":"claude-sonnet-4-6","max_tokens":100,"stream":true,
    "tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
             {"name":"ping","input_schema":{"type":"object","properties":{}}}],
    "messages":[{"role":"user","content":"use the tool"}]})"}
               .run();
  ASSERT_TRUE(p.streaming);
  std::vector<std::string> names;
  for (const auto& e : p.events) {
    ASSERT_TRUE(e.starts_with("event: ")) << e;
    names.push_back(e.substr(7, e.find('\n') - 7));
  }
  const std::vector<std::string> expected{
      "message_start", "content_block_start", "ping", "content_block_delta"};
  ASSERT_GE(names.size(), 8u);
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), names.begin()));
  EXPECT_EQ(names[names.size() - 2], "message_delta");
  EXPECT_EQ(names.back(), "message_stop");
  // First input_json_delta is empty (§13.3); the no-argument tool has no deltas at all.
  EXPECT_NE(p.events[3].find(R"("partial_json":"")"), std::string::npos);
  std::size_t ping_block = 0;
  for (std::size_t i = 0; i < p.events.size(); ++i)
    if (p.events[i].find(R"("name":"ping")") != std::string::npos) ping_block = i;
  ASSERT_GT(ping_block, 0u);
  EXPECT_EQ(names[ping_block + 1], "content_block_stop");
}

TEST(anthropic_mock, thinking_signatures_are_verified_when_echoed) {
  const std::string sig = anthropic_wire::signature_for("I think.");
  auto history = [&](const std::string& s) {
    return R"({"model":"claude-sonnet-4-6","max_tokens":3000,"thinking":{"type":"enabled","budget_tokens":1024},
      "tools":[{"name":"f","input_schema":{"type":"object"}}],
      "messages":[{"role":"user","content":"go"},
        {"role":"assistant","content":[{"type":"thinking","thinking":"I think.","signature":")" + s + R"("},
                                       {"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},
        {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}]})";
  };
  auto ok = call{history(sig)}.run();
  EXPECT_EQ(ok.status, 200) << ok.body;
  auto v = json::parse(ok.body).as_object();
  EXPECT_EQ(v.at("content").as_array()[0].at("type"), "thinking");
  auto bad = call{history("forged")}.run();
  EXPECT_EQ(bad.status, 400);
  // Thinking on, tool turn without its thinking block: 400 like the real API.
  auto missing = call{R"({"model":"claude-sonnet-4-6","max_tokens":3000,"thinking":{"type":"enabled","budget_tokens":1024},
      "messages":[{"role":"user","content":"go"},
        {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},
        {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}]})"}
                     .run();
  EXPECT_EQ(missing.status, 400);
}

TEST(anthropic_mock, tool_use_must_be_answered) {
  auto p = call{R"({"model":"claude-sonnet-4-6","max_tokens":100,
      "messages":[{"role":"user","content":"go"},
        {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},
        {"role":"user","content":"next"}]})"}
               .run();
  EXPECT_EQ(p.status, 400);
  EXPECT_NE(p.body.find("toolu_1"), std::string::npos);
}

TEST(anthropic_mock, faults) {
  call o{hello()};
  o.fault = "fault=overloaded";
  auto p = o.run();
  EXPECT_EQ(p.status, 529);
  EXPECT_EQ(error_type(p), "overloaded_error");
  EXPECT_EQ(header(p, "retry-after"), "1");
  o.fault = "fault=429,retry_after=7";
  p = o.run();
  EXPECT_EQ(p.status, 429);
  EXPECT_EQ(error_type(p), "rate_limit_error");
  EXPECT_EQ(header(p, "retry-after"), "7");
  o.fault = "fault=413";
  EXPECT_EQ(error_type(o.run()), "request_too_large");
  call s{hello(R"("stream":true,)")};
  s.fault = "fault=stream_error,after=4";
  p = s.run();
  ASSERT_EQ(p.events.size(), 5u);
  EXPECT_TRUE(p.events.back().starts_with("event: error\n"));
  EXPECT_EQ(p.events.back().find("message_stop"), std::string::npos);
}

}  // namespace
}  // namespace gi::mock
