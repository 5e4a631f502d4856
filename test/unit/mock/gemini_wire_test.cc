// The mock's Gemini wire format without sockets: request -> response plan (providers.md §4,
// §13.3 checklist).
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "mock/gemini_answer.h"
#include "mock/wire_formats.h"

namespace gi::mock {
namespace {

namespace json = boost::json;

const mock_context ctx{1700000000};

response_plan call(std::string_view target, const std::string& body, std::string_view key = "k-test",
                   std::string_view fault = {}) {
  mock_request r;
  r.method = "POST";
  r.target = target;
  r.body = body;
  r.x_goog_api_key = key;
  r.mock_fault = fault;
  auto p = handle_gemini(r, ctx);
  EXPECT_TRUE(p.has_value()) << target;
  return p ? *p : response_plan{};
}

std::string user(std::string_view text, json::object extra = {}) {
  json::object o{{"contents", json::array{json::object{{"role", "user"}, {"parts", json::array{json::object{{"text", text}}}}}}}};
  for (auto& kv : extra) o[kv.key()] = kv.value();
  return json::serialize(o);
}

json::object tools_json() {
  return json::object{{"functionDeclarations",
                       json::array{json::object{{"name", "get_weather"},
                                                {"parametersJsonSchema", json::parse(R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})")}},
                                   json::object{{"name", "get_time"}}}}};
}

json::object status_of(const response_plan& p) { return json::parse(p.body).at("error").as_object(); }

std::vector<json::object> sse_events(const response_plan& p) {
  std::vector<json::object> out;
  for (const auto& e : p.events) {
    EXPECT_TRUE(e.starts_with("data: ")) << e;
    EXPECT_TRUE(e.ends_with("\r\n\r\n")) << "Gemini frames events with CRLF";
    out.push_back(json::parse(e.substr(6, e.size() - 10)).as_object());
  }
  return out;
}

TEST(gemini_mock, paths_outside_the_format_are_not_ours) {
  mock_request r;
  r.method = "POST";
  r.target = "/v1/chat/completions";
  EXPECT_FALSE(handle_gemini(r, ctx));
  r.target = "/v1beta/models/gemini-2.5-flash:countTokens";
  EXPECT_FALSE(handle_gemini(r, ctx));
}

TEST(gemini_mock, key_from_header_or_query_else_403) {
  EXPECT_EQ(call("/v1beta/models/gemini-2.5-flash:generateContent", user("hi")).status, 200);
  EXPECT_EQ(call("/v1beta/models/gemini-2.5-flash:generateContent?key=abc", user("hi"), "").status, 200);
  auto p = call("/v1beta/models/gemini-2.5-flash:generateContent", user("hi"), "");
  EXPECT_EQ(p.status, 403);
  EXPECT_EQ(status_of(p).at("status"), "PERMISSION_DENIED");
}

TEST(gemini_mock, text_answer_with_usage) {
  auto p = call("/v1beta/models/gemini-2.5-flash:generateContent", user("Hello there friend"));
  ASSERT_EQ(p.status, 200);
  auto o = json::parse(p.body).as_object();
  const auto& c = o.at("candidates").at(0).as_object();
  EXPECT_EQ(c.at("content").at("parts").at(0).at("text"), "Mock answer to: Hello there friend");
  EXPECT_EQ(c.at("finishReason"), "STOP");
  EXPECT_EQ(o.at("modelVersion"), "gemini-2.5-flash");
  const auto& u = o.at("usageMetadata").as_object();
  EXPECT_EQ(u.at("totalTokenCount").as_int64(),
            u.at("promptTokenCount").as_int64() + u.at("candidatesTokenCount").as_int64() +
                u.at("thoughtsTokenCount").as_int64());
}

TEST(gemini_mock, sse_stream_has_crlf_events_repeated_usage_and_no_done) {
  auto p = call("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", user("one two three"));
  ASSERT_EQ(p.status, 200);
  auto ev = sse_events(p);
  ASSERT_GE(ev.size(), 3u);
  std::string text;
  for (const auto& e : ev) {
    EXPECT_TRUE(e.contains("usageMetadata"));
    for (const auto& part : e.at("candidates").at(0).at("content").at("parts").as_array())
      text += part.at("text").as_string();
  }
  EXPECT_EQ(text, "Mock answer to: one two three");
  EXPECT_EQ(ev.back().at("candidates").at(0).at("finishReason"), "STOP");
  EXPECT_FALSE(ev.front().at("candidates").at(0).as_object().contains("finishReason"));
}

TEST(gemini_mock, stream_without_alt_sse_is_a_json_array) {
  auto p = call("/v1beta/models/gemini-2.5-flash:streamGenerateContent", user("a b"));
  std::string all;
  for (const auto& e : p.events) all += e;
  auto v = json::parse(all);
  ASSERT_TRUE(v.is_array());
  EXPECT_GE(v.as_array().size(), 2u);
}

TEST(gemini_mock, function_calls_whole_with_signature_on_the_first) {
  auto body = user("use the tools", json::object{{"tools", json::array{tools_json()}}});
  auto p = call("/v1beta/models/gemini-3.5-flash:streamGenerateContent?alt=sse", body);
  auto ev = sse_events(p);
  const auto& last = ev.back().at("candidates").at(0).as_object();
  const auto& parts = last.at("content").at("parts").as_array();
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].at("functionCall").at("name"), "get_weather");
  EXPECT_EQ(parts[0].at("functionCall").at("args").at("city"), "mock-city");
  EXPECT_TRUE(parts[0].as_object().contains("thoughtSignature"));
  EXPECT_FALSE(parts[1].as_object().contains("thoughtSignature"));
  EXPECT_EQ(last.at("finishReason"), "STOP");
}

TEST(gemini_mock, tool_config_none_and_allowed_names) {
  auto none = user("use the tools", json::object{{"tools", json::array{tools_json()}},
                                                   {"toolConfig", json::parse(R"({"functionCallingConfig":{"mode":"NONE"}})")}});
  auto p = call("/v1beta/models/gemini-2.5-flash:generateContent", none);
  EXPECT_TRUE(json::parse(p.body).at("candidates").at(0).at("content").at("parts").at(0).as_object().contains("text"));
  auto any = user("hi", json::object{{"tools", json::array{tools_json()}},
                                     {"toolConfig", json::parse(R"({"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_time"]}})")}});
  auto q = call("/v1beta/models/gemini-2.5-flash:generateContent", any);
  const json::value qv = json::parse(q.body);
  const auto& parts = qv.at("candidates").at(0).at("content").at("parts").as_array();
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].at("functionCall").at("name"), "get_time");
}

std::string history(std::string_view model_sig, bool with_sig, std::string_view response_name = "get_weather") {
  json::object call_part{{"functionCall", json::object{{"name", "get_weather"}, {"args", json::object{{"city", "Paris"}}}}}};
  if (with_sig) call_part["thoughtSignature"] = model_sig;
  json::array contents{
      json::object{{"role", "user"}, {"parts", json::array{json::object{{"text", "weather?"}}}}},
      json::object{{"role", "model"}, {"parts", json::array{call_part}}},
      json::object{{"role", "user"},
                   {"parts", json::array{json::object{{"functionResponse", json::object{{"name", response_name}, {"response", json::object{{"output", "18C"}}}}}}}}}};
  return json::serialize(json::object{{"contents", contents}, {"tools", json::array{tools_json()}}});
}

TEST(gemini_mock, thought_signatures_are_verified) {
  const std::string good = gemini_mock_signature("get_weather", json::object{{"city", "x"}});
  const std::string url = "/v1beta/models/gemini-3.5-flash:generateContent";
  auto ok = call(url, history(good, true));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find("verified=1 skipped=0"), std::string::npos) << ok.body;

  auto sentinel = call(url, history("skip_thought_signature_validator", true));
  ASSERT_EQ(sentinel.status, 200);
  EXPECT_NE(sentinel.body.find("verified=0 skipped=1"), std::string::npos);

  auto missing = call(url, history("", false));
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(status_of(missing).at("message").as_string().find("missing a thought_signature"), std::string::npos);
  // Gemini 2.5 tolerates a missing signature.
  EXPECT_EQ(call("/v1beta/models/gemini-2.5-flash:generateContent", history("", false)).status, 200);

  auto corrupt = call(url, history("Zm9v", true));
  EXPECT_EQ(corrupt.status, 400);
  EXPECT_EQ(status_of(corrupt).at("message"), "Corrupted thought signature.");
}

TEST(gemini_mock, function_response_name_must_match_a_call) {
  auto p = call("/v1beta/models/gemini-2.5-flash:generateContent", history("", false, "get_time"));
  EXPECT_EQ(p.status, 400);
  EXPECT_EQ(status_of(p).at("status"), "INVALID_ARGUMENT");
}

TEST(gemini_mock, strict_proto_names_and_schema_rules) {
  const std::string url = "/v1beta/models/gemini-2.5-flash:generateContent";
  EXPECT_EQ(call(url, user("hi", json::object{{"generationConfig", json::object{{"maxTokens", 5}}}})).status, 400);
  EXPECT_EQ(call(url, user("hi", json::object{{"bogus", 1}})).status, 400);
  auto legacy = user("hi", json::object{{"tools", json::parse(R"([{"functionDeclarations":[{"name":"f","parameters":{"type":"OBJECT","additionalProperties":false}}]}])")}});
  auto p = call(url, legacy);
  EXPECT_EQ(p.status, 400);
  EXPECT_NE(status_of(p).at("message").as_string().find("additionalProperties"), std::string::npos);
  auto both = user("hi", json::object{{"generationConfig", json::parse(R"({"responseSchema":{"type":"OBJECT"},"responseJsonSchema":{},"responseMimeType":"application/json"})")}});
  EXPECT_EQ(call(url, both).status, 400);
  auto no_mime = user("hi", json::object{{"generationConfig", json::parse(R"({"responseJsonSchema":{"type":"object"}})")}});
  EXPECT_EQ(call(url, no_mime).status, 400);
  EXPECT_EQ(call(url, R"({"contents":[]})").status, 400);
  EXPECT_EQ(call(url, R"({"contents":[{"role":"assistant","parts":[{"text":"x"}]}]})").status, 400);
}

TEST(gemini_mock, json_schema_answer_is_an_instance) {
  auto body = user("city", json::object{{"generationConfig", json::parse(R"({"responseMimeType":"application/json","responseJsonSchema":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}})")}});
  auto p = call("/v1beta/models/gemini-2.5-flash:generateContent", body);
  auto text = json::parse(p.body).at("candidates").at(0).at("content").at("parts").at(0).at("text").as_string();
  EXPECT_EQ(json::parse(text).at("name"), "mock-name");
}

TEST(gemini_mock, safety_blocks) {
  auto p = call("/v1beta/models/gemini-2.5-flash:generateContent", user("please mock-block-prompt now"));
  auto o = json::parse(p.body).as_object();
  EXPECT_FALSE(o.contains("candidates"));
  EXPECT_EQ(o.at("promptFeedback").at("blockReason"), "SAFETY");

  auto s = call("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", user("say mock-block-output please"));
  auto ev = sse_events(s);
  const auto& last = ev.back().at("candidates").at(0).as_object();
  EXPECT_EQ(last.at("finishReason"), "SAFETY");
  EXPECT_FALSE(last.contains("content"));
}

TEST(gemini_mock, thoughts_and_max_tokens) {
  auto body = user("one two three four", json::object{{"generationConfig", json::parse(R"({"maxOutputTokens":2,"thinkingConfig":{"includeThoughts":true}})")}});
  auto p = call("/v1beta/models/gemini-2.5-flash:generateContent", body);
  auto c = json::parse(p.body).at("candidates").at(0).as_object();
  EXPECT_EQ(c.at("finishReason"), "MAX_TOKENS");
  EXPECT_EQ(c.at("content").at("parts").at(0).at("thought"), true);
}

TEST(gemini_mock, scripted_faults) {
  auto rl = call("/v1beta/models/gemini-2.5-flash@fault=429,retry_after=7:generateContent", user("hi"));
  EXPECT_EQ(rl.status, 429);
  auto st = status_of(rl);
  EXPECT_EQ(st.at("status"), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(st.at("details").at(1).at("retryDelay"), "7s");
  EXPECT_EQ(call("/v1beta/models/gemini-2.5-flash:generateContent", user("hi"), "k", "fault=overloaded").status, 503);
  // Percent-encoded fault suffix in the path (SDKs encode '@' and ',').
  EXPECT_EQ(call("/v1beta/models/mock-fault-500:generateContent", user("hi")).status, 500);

  auto mid = call("/v1beta/models/gemini-2.5-flash@fault=stream_error,after=1:streamGenerateContent?alt=sse",
                  user("one two three"));
  auto ev = sse_events(mid);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev.back().at("error").at("status"), "INTERNAL");

  auto cut = call("/v1beta/models/gemini-2.5-flash@fault=close_mid_stream,after=1:streamGenerateContent?alt=sse",
                  user("one two three"));
  EXPECT_EQ(cut.ending, plan_ending::close);
  EXPECT_EQ(cut.events.size(), 1u);
  EXPECT_EQ(call("/v1beta/models/gemini-2.5-flash%40fault%3Dreset:generateContent", user("hi")).ending,
            plan_ending::reset);
}

}  // namespace
}  // namespace gi::mock
