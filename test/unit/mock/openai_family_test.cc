// The OpenAI-family renderer without sockets: request → response plan, per dialect.
#include "mock/openai_family.h"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "mock/bench_fixtures.h"
#include "support/test_support.h"

namespace gi::mock {
namespace {

namespace json = boost::json;

const mock_context ctx{1700000000};

response_plan call(dialect d, const std::string& body, std::string_view auth = "Bearer sk-test",
                   std::string_view fault_header = {}) {
  mock_request r;
  r.method = "POST";
  r.target = "/v1/chat/completions";
  r.body = body;
  r.authorization = auth;
  r.mock_fault = fault_header;
  return handle_openai_family(d, r, ctx);
}

std::string simple(std::string_view model, bool stream = false, bool usage = false) {
  json::object o{{"model", model},
                 {"messages", json::array{json::object{{"role", "user"}, {"content", "Hello there, how are you today my friend?"}}}}};
  if (stream) o["stream"] = true;
  if (usage) o["stream_options"] = json::object{{"include_usage", true}};
  return json::serialize(o);
}

std::string with_tools(std::string_view model, json::value tool_choice, bool stream = false,
                       std::optional<bool> parallel = std::nullopt, std::string_view prompt = "Weather?") {
  json::object o{{"model", model},
                 {"messages", json::array{json::object{{"role", "user"}, {"content", prompt}}}},
                 {"tools", json::array{
                     json::object{{"type", "function"},
                                  {"function", json::object{{"name", "get_weather"},
                                                            {"parameters", json::parse(R"({"type":"object","properties":{"city":{"type":"string"},"unit":{"enum":["c","f"]}},"required":["city","unit"]})")}}}},
                     json::object{{"type", "function"},
                                  {"function", json::object{{"name", "get_time"},
                                                            {"parameters", json::parse(R"({"type":"object","properties":{"tz":{"type":"string"}},"required":["tz"]})")}}}}}}};
  if (!tool_choice.is_null()) o["tool_choice"] = tool_choice;
  if (stream) o["stream"] = true;
  if (parallel) o["parallel_tool_calls"] = *parallel;
  return json::serialize(o);
}

// The JSON payloads of the data events; `done` says whether the last event was [DONE].
std::vector<json::object> data_events(const response_plan& p, bool* done = nullptr) {
  std::vector<json::object> out;
  const auto& events = p.shared_events ? *p.shared_events : p.events;
  if (done) *done = !events.empty() && events.back() == "data: [DONE]\n\n";
  for (const auto& e : events) {
    if (!e.starts_with("data: ") || e == "data: [DONE]\n\n") continue;
    EXPECT_TRUE(e.ends_with("\n\n")) << e;
    out.push_back(json::parse(std::string_view(e).substr(6)).as_object());
  }
  return out;
}

std::string header(const response_plan& p, std::string_view name) {
  for (const auto& [k, v] : p.headers) {
    if (k == name) return v;
  }
  return {};
}

TEST(mock_openai_family, non_stream_shapes_per_dialect) {
  for (dialect d : {dialect::openai, dialect::groq, dialect::mistral, dialect::deepseek, dialect::xai}) {
    SCOPED_TRACE(std::string(to_string(d)));
    const auto p = call(d, simple("some-model"));
    ASSERT_EQ(p.status, 200) << p.body;
    EXPECT_FALSE(p.streaming);
    const auto b = json::parse(p.body).as_object();
    EXPECT_EQ(b.at("object"), "chat.completion");
    EXPECT_EQ(b.at("model"), "some-model");
    EXPECT_EQ(b.at("created"), 1700000000);
    const auto& ch = b.at("choices").as_array().at(0).as_object();
    EXPECT_EQ(ch.at("message").at("content"), "Mock answer to: Hello there, how are you today my friend?");
    EXPECT_EQ(ch.at("finish_reason"), "stop");
    const auto& u = b.at("usage").as_object();
    EXPECT_EQ(u.at("total_tokens").as_int64(), u.at("prompt_tokens").as_int64() + u.at("completion_tokens").as_int64());
    EXPECT_GT(u.at("prompt_tokens").as_int64(), 0);
    if (d == dialect::groq) { EXPECT_TRUE(b.at("x_groq").at("id").as_string().starts_with("req_")); }
    if (d == dialect::deepseek) { EXPECT_EQ(u.at("prompt_cache_miss_tokens"), u.at("prompt_tokens")); }
    if (d == dialect::mistral) {
      EXPECT_EQ(b.at("id").as_string().size(), 32u);
    } else {
      EXPECT_TRUE(b.at("id").as_string().starts_with("chatcmpl-"));
    }
  }
}

TEST(mock_openai_family, same_request_same_bytes) {
  EXPECT_EQ(call(dialect::openai, simple("m")).body, call(dialect::openai, simple("m")).body);
}

TEST(mock_openai_family, openai_stream_grammar) {
  for (bool usage : {false, true}) {
    const auto p = call(dialect::openai, simple("m", true, usage));
    ASSERT_EQ(p.status, 200);
    ASSERT_TRUE(p.streaming);
    EXPECT_EQ(header(p, "Content-Type").rfind("text/event-stream", 0), 0u);
    bool done = false;
    const auto ev = data_events(p, &done);
    EXPECT_TRUE(done);
    ASSERT_GE(ev.size(), 3u);
    // Role chunk first, with the exact preamble of §2.7.
    EXPECT_TRUE(test::json_equal(R"({"role":"assistant","content":"","refusal":null})",
                                 json::serialize(ev[0].at("choices").at(0).at("delta"))));
    std::string text;
    std::size_t finish_at = 0;
    for (std::size_t i = 0; i < ev.size(); ++i) {
      EXPECT_EQ(ev[i].at("id"), ev[0].at("id"));
      EXPECT_EQ(ev[i].at("created"), ev[0].at("created"));
      EXPECT_EQ(ev[i].at("model"), "m");
      EXPECT_EQ(ev[i].at("object"), "chat.completion.chunk");
      EXPECT_EQ(ev[i].contains("usage"), usage) << i;
      const auto& choices = ev[i].at("choices").as_array();
      if (choices.empty()) continue;
      const auto& c = choices.at(0).as_object();
      if (const auto* s = c.at("delta").as_object().if_contains("content")) text += s->as_string();
      if (!c.at("finish_reason").is_null()) finish_at = i;
    }
    EXPECT_EQ(text, "Mock answer to: Hello there, how are you today my friend?");
    ASSERT_GT(finish_at, 0u);
    EXPECT_EQ(ev[finish_at].at("choices").at(0).at("finish_reason"), "stop");
    EXPECT_TRUE(ev[finish_at].at("choices").at(0).at("delta").as_object().empty());
    if (usage) {
      ASSERT_EQ(finish_at + 2, ev.size());
      EXPECT_TRUE(ev.back().at("choices").as_array().empty());
      EXPECT_TRUE(ev.back().at("usage").is_object());
      for (std::size_t i = 0; i + 1 < ev.size(); ++i) EXPECT_TRUE(ev[i].at("usage").is_null());
    } else {
      EXPECT_EQ(finish_at + 1, ev.size());
    }
  }
}

TEST(mock_openai_family, groq_usage_only_in_x_groq) {
  const auto ev = data_events(call(dialect::groq, simple("llama", true, true)));
  for (std::size_t i = 0; i < ev.size(); ++i) {
    EXPECT_FALSE(ev[i].contains("usage")) << i;
    EXPECT_FALSE(ev[i].at("choices").as_array().empty()) << i;
  }
  EXPECT_TRUE(ev.front().at("x_groq").at("id").is_string());
  EXPECT_EQ(ev.back().at("choices").at(0).at("finish_reason"), "stop");
  EXPECT_TRUE(ev.back().at("x_groq").at("usage").at("total_tokens").is_int64());
}

TEST(mock_openai_family, mistral_usage_on_last_content_chunk) {
  const auto ev = data_events(call(dialect::mistral, simple("mistral-small-latest", true, false)));
  ASSERT_GE(ev.size(), 2u);
  const auto& last = ev.back();
  EXPECT_EQ(last.at("choices").at(0).at("finish_reason"), "stop");
  EXPECT_TRUE(last.at("choices").at(0).at("delta").at("content").is_string());
  EXPECT_TRUE(last.at("usage").is_object());
  for (std::size_t i = 0; i + 1 < ev.size(); ++i) EXPECT_FALSE(ev[i].contains("usage"));
}

TEST(mock_openai_family, xai_usage_on_finish_and_trailing_chunk) {
  const auto ev = data_events(call(dialect::xai, simple("grok-4", true, true)));
  ASSERT_GE(ev.size(), 3u);
  EXPECT_TRUE(ev.back().at("choices").as_array().empty());
  EXPECT_TRUE(ev.back().at("usage").is_object());
  const auto& fin = ev[ev.size() - 2];
  EXPECT_EQ(fin.at("choices").at(0).at("finish_reason"), "stop");
  EXPECT_TRUE(fin.at("usage").is_object());
  const auto none = data_events(call(dialect::xai, simple("grok-4", true, false)));
  for (const auto& e : none) EXPECT_FALSE(e.contains("usage"));
}

TEST(mock_openai_family, deepseek_keepalive_and_reasoning_first) {
  const auto p = call(dialect::deepseek, simple("deepseek-reasoner", true, true));
  ASSERT_FALSE(p.events.empty());
  EXPECT_EQ(p.events.front(), ": keep-alive\n\n");
  EXPECT_EQ(p.first_content_event, 2u);
  const auto ev = data_events(p);
  bool seen_content = false;
  std::string reasoning;
  for (const auto& e : ev) {
    if (e.at("choices").as_array().empty()) continue;
    const auto& delta = e.at("choices").at(0).at("delta").as_object();
    if (const auto* r = delta.if_contains("reasoning_content"); r && r->is_string()) {
      EXPECT_FALSE(seen_content) << "reasoning after content";
      reasoning += r->as_string();
    }
    if (const auto* c = delta.if_contains("content"); c && c->is_string() && !c->as_string().empty()) seen_content = true;
  }
  EXPECT_TRUE(seen_content);
  EXPECT_FALSE(reasoning.empty());
  const auto nb = json::parse(call(dialect::deepseek, simple("deepseek-reasoner")).body);
  EXPECT_EQ(std::string_view(nb.at("choices").at(0).at("message").at("reasoning_content").as_string()), reasoning);
  EXPECT_GT(nb.at("usage").at("completion_tokens_details").at("reasoning_tokens").as_int64(), 0);
}

TEST(mock_openai_family, tool_calls_required_parallel_with_dialect_ids) {
  // (No std::regex: GCC 12 warns falsely inside it under the sanitizers.)
  auto all = [](std::string_view s, int (*pred)(int)) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](unsigned char c) { return pred(c) != 0; });
  };
  auto openai_id = [&](std::string_view id) { return id.starts_with("call_") && id.size() == 29 && all(id.substr(5), isalnum); };
  auto mistral_id = [&](std::string_view id) { return id.size() == 9 && all(id, isalnum); };
  auto xai_id = [&](std::string_view id) { return id.starts_with("call_") && all(id.substr(5), isdigit); };
  for (dialect d : {dialect::openai, dialect::groq, dialect::mistral, dialect::deepseek, dialect::xai}) {
    SCOPED_TRACE(std::string(to_string(d)));
    const auto p = call(d, with_tools("m", "required"));
    ASSERT_EQ(p.status, 200) << p.body;
    const auto b = json::parse(p.body);
    const auto& ch = b.at("choices").at(0);
    EXPECT_EQ(ch.at("finish_reason"), "tool_calls");
    const auto& calls = ch.at("message").at("tool_calls").as_array();
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0].at("function").at("name"), "get_weather");
    EXPECT_TRUE(test::json_equal(R"({"city":"mock-city","unit":"c"})",
                                 std::string_view(calls[0].at("function").at("arguments").as_string())));
    EXPECT_TRUE(test::json_equal(R"({"tz":"mock-tz"})", std::string_view(calls[1].at("function").at("arguments").as_string())));
    EXPECT_NE(calls[0].at("id"), calls[1].at("id"));
    const std::string id(calls[0].at("id").as_string());
    const bool ok = d == dialect::mistral ? mistral_id(id) : d == dialect::xai ? xai_id(id) : openai_id(id);
    EXPECT_TRUE(ok) << id;
  }
}

TEST(mock_openai_family, tool_choice_variants) {
  auto count = [](const response_plan& p) -> std::size_t {
    const json::value b = json::parse(p.body);
    const auto& m = b.at("choices").at(0).at("message").as_object();
    const auto* tc = m.if_contains("tool_calls");
    return tc && tc->is_array() ? tc->as_array().size() : 0;
  };
  EXPECT_EQ(count(call(dialect::openai, with_tools("m", "required", false, false))), 1u);
  EXPECT_EQ(count(call(dialect::openai, with_tools("m", json::parse(R"({"type":"function","function":{"name":"get_time"}})")))), 1u);
  EXPECT_EQ(count(call(dialect::openai, with_tools("m", nullptr))), 0u);                       // auto, no ask
  EXPECT_EQ(count(call(dialect::openai, with_tools("m", nullptr, false, {}, "Please use the tools"))), 2u);
  EXPECT_EQ(count(call(dialect::openai, with_tools("m", "none", false, {}, "use the tools"))), 0u);
  EXPECT_EQ(count(call(dialect::mistral, with_tools("m", "any"))), 2u);
  const auto bad = call(dialect::openai, with_tools("m", json::parse(R"({"type":"function","function":{"name":"nope"}})")));
  EXPECT_EQ(bad.status, 400);
}

TEST(mock_openai_family, streamed_tool_calls_fragments_and_whole) {
  // OpenAI: header delta with id/type/name and "" arguments, then fragments on the same index.
  const auto ev = data_events(call(dialect::openai, with_tools("m", "required", true)));
  std::map<std::int64_t, std::string> args;
  std::map<std::int64_t, int> headers;
  for (const auto& e : ev) {
    if (e.at("choices").as_array().empty()) continue;
    const auto& delta = e.at("choices").at(0).at("delta").as_object();
    const auto* tcs = delta.if_contains("tool_calls");
    if (!tcs) continue;
    for (const auto& tc : tcs->as_array()) {
      const auto i = tc.at("index").as_int64();
      if (tc.as_object().contains("id")) {
        ++headers[i];
        EXPECT_EQ(tc.at("function").at("arguments"), "");
        EXPECT_EQ(tc.at("type"), "function");
      } else {
        EXPECT_FALSE(tc.at("function").as_object().contains("name"));
      }
      args[i] += tc.at("function").at("arguments").as_string();
    }
  }
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0], 1);
  EXPECT_TRUE(test::json_equal(R"({"city":"mock-city","unit":"c"})", args[0]));
  EXPECT_TRUE(test::json_equal(R"({"tz":"mock-tz"})", args[1]));
  EXPECT_EQ(ev.back().at("choices").at(0).at("finish_reason"), "tool_calls");

  // Mistral: the whole calls in one delta, which also carries finish_reason and usage.
  const auto mev = data_events(call(dialect::mistral, with_tools("m", "required", true)));
  const auto& last = mev.back();
  EXPECT_EQ(last.at("choices").at(0).at("finish_reason"), "tool_calls");
  const auto& calls = last.at("choices").at(0).at("delta").at("tool_calls").as_array();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_TRUE(test::json_equal(R"({"tz":"mock-tz"})", std::string_view(calls[1].at("function").at("arguments").as_string())));
  EXPECT_TRUE(last.contains("usage"));
}

TEST(mock_openai_family, json_schema_and_max_tokens) {
  json::object o = json::parse(simple("m")).as_object();
  o["response_format"] = json::parse(
      R"({"type":"json_schema","json_schema":{"name":"a","strict":true,"schema":{"type":"object","properties":{"score":{"type":"number"},"label":{"enum":["x","y"]}},"required":["score","label"],"additionalProperties":false}}})");
  const auto b = json::parse(call(dialect::openai, json::serialize(o)).body);
  EXPECT_TRUE(test::json_equal(R"({"score":0.0,"label":"x"})", std::string_view(b.at("choices").at(0).at("message").at("content").as_string())));

  json::object t = json::parse(simple("m")).as_object();
  t["max_tokens"] = 2;
  const auto tb = json::parse(call(dialect::openai, json::serialize(t)).body);
  EXPECT_EQ(tb.at("choices").at(0).at("finish_reason"), "length");
  EXPECT_EQ(tb.at("choices").at(0).at("message").at("content"), "Mock answer");
  EXPECT_EQ(tb.at("usage").at("completion_tokens"), 2);
}

TEST(mock_openai_family, missing_bearer_is_401_in_each_shape) {
  const auto o = call(dialect::openai, simple("m"), "");
  EXPECT_EQ(o.status, 401);
  EXPECT_TRUE(json::parse(o.body).at("error").at("message").is_string());
  const auto m = call(dialect::mistral, simple("m"), "Basic abc");
  EXPECT_EQ(m.status, 401);
  EXPECT_EQ(json::parse(m.body).at("message"), "Unauthorized");
  const auto x = call(dialect::xai, simple("m"), "Bearer ");
  EXPECT_EQ(x.status, 401);
  EXPECT_TRUE(json::parse(x.body).at("error").is_string());
  const auto g = call(dialect::groq, simple("m"), "");
  EXPECT_EQ(json::parse(g.body).at("error").at("code"), "invalid_api_key");
}

TEST(mock_openai_family, dialect_rejections) {
  // Mistral's hard tool-id rule (§5.2), exact body.
  const std::string hist = R"({"model":"m","messages":[{"role":"user","content":"hi"},
    {"role":"assistant","content":"","tool_calls":[{"id":"call_0fypS1hVX","type":"function","function":{"name":"f","arguments":"{}"}}]},
    {"role":"tool","tool_call_id":"call_0fypS1hVX","content":"ok"}]})";
  const auto m = call(dialect::mistral, hist);
  EXPECT_EQ(m.status, 400);
  EXPECT_TRUE(test::json_equal(
      R"({"object":"error","message":"Tool call id was call_0fypS1hVX but must be a-z, A-Z, 0-9, with a length of 9.","type":"invalid_function_call","param":null,"code":"3280","raw_status_code":400})",
      m.body));
  std::string ok_hist = hist;
  for (std::size_t pos; (pos = ok_hist.find("call_0fypS1hVX")) != std::string::npos;) ok_hist.replace(pos, 14, "abcDEF123");
  EXPECT_EQ(call(dialect::mistral, ok_hist).status, 200);
  EXPECT_EQ(call(dialect::openai, hist).status, 200);  // OpenAI ids are opaque

  EXPECT_EQ(call(dialect::groq, R"({"model":"m","logprobs":true,"messages":[{"role":"user","content":"x"}]})").status, 400);
  EXPECT_EQ(call(dialect::groq, R"({"model":"m","messages":[{"role":"user","name":"bob","content":"x"}]})").status, 400);
  EXPECT_EQ(call(dialect::xai, R"({"model":"grok-3-mini","stop":["x"],"messages":[{"role":"user","content":"x"}]})").status, 400);
  EXPECT_EQ(call(dialect::xai, R"({"model":"grok-2","stop":["x"],"messages":[{"role":"user","content":"x"}]})").status, 200);
  EXPECT_EQ(call(dialect::openai, R"({"model":"o3-mini","max_tokens":5,"messages":[{"role":"user","content":"x"}]})").status, 400);
  EXPECT_EQ(call(dialect::openai, R"({"model":"m","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]})").status, 400);
  EXPECT_EQ(call(dialect::openai, "{not json").status, 400);
  EXPECT_EQ(call(dialect::openai, R"({"model":"m","messages":[]})").status, 400);
  const auto mi = call(dialect::mistral, R"({"model":"m"})");
  EXPECT_EQ(mi.status, 422);
  EXPECT_TRUE(json::parse(mi.body).at("detail").is_array());
}

TEST(mock_openai_family, status_faults_with_bodies_and_retry_after) {
  const auto rl = call(dialect::openai, simple("m@fault=429,retry_after=3"));
  EXPECT_EQ(rl.status, 429);
  EXPECT_EQ(header(rl, "retry-after"), "3");
  EXPECT_EQ(json::parse(rl.body).at("error").at("code"), "rate_limit_exceeded");
  const auto q = call(dialect::openai, simple("mock-fault-insufficient_quota"));
  EXPECT_EQ(q.status, 429);
  EXPECT_EQ(json::parse(q.body).at("error").at("type"), "insufficient_quota");
  EXPECT_EQ(header(q, "retry-after"), "");
  EXPECT_EQ(call(dialect::deepseek, simple("mock-fault-insufficient_quota")).status, 402);
  const auto ctxl = call(dialect::openai, simple("mock-fault-context_length"));
  EXPECT_EQ(ctxl.status, 400);
  EXPECT_EQ(json::parse(ctxl.body).at("error").at("code"), "context_length_exceeded");
  const auto ov = call(dialect::groq, simple("m@503,retry_after=none"));
  EXPECT_EQ(ov.status, 503);
  EXPECT_EQ(header(ov, "retry-after"), "");
  const auto mr = call(dialect::mistral, simple("mock-fault-429"));
  EXPECT_EQ(json::parse(mr.body).at("type"), "rate_limited");
  EXPECT_EQ(header(mr, "retry-after"), "1");
  const auto gen = call(dialect::xai, simple("m@fault=502"));
  EXPECT_EQ(gen.status, 502);
  EXPECT_TRUE(json::parse(gen.body).at("error").is_string());
  // Header selects too, and overrides the model.
  EXPECT_EQ(call(dialect::openai, simple("m"), "Bearer k", "fault=500").status, 500);
  EXPECT_EQ(call(dialect::openai, simple("mock-fault-429"), "Bearer k", "fault=none").status, 200);
  // A typo in the grammar is a 400 naming it, not a normal answer.
  const auto typo = call(dialect::openai, simple("m@fault=42x"));
  EXPECT_EQ(typo.status, 400);
  EXPECT_NE(typo.body.find("42x"), std::string::npos);
}

TEST(mock_openai_family, connection_level_fault_plans) {
  EXPECT_EQ(call(dialect::openai, simple("mock-fault-reset")).ending, plan_ending::reset);
  const auto h = call(dialect::openai, simple("m@hang,hang_ms=100"));
  EXPECT_EQ(h.ending, plan_ending::hang);
  EXPECT_EQ(h.hang_ms, 100u);

  const auto c = call(dialect::openai, simple("m@close,after=2", true));
  EXPECT_EQ(c.ending, plan_ending::close);
  EXPECT_EQ(c.events.size(), 2u);
  bool done = true;
  data_events(c, &done);
  EXPECT_FALSE(done);

  const auto e = call(dialect::openai, simple("mock-fault-stream_error", true));
  EXPECT_EQ(e.ending, plan_ending::complete);
  EXPECT_NE(e.events.back().find(R"("error":{)"), std::string::npos);
  const auto ge = call(dialect::groq, simple("mock-fault-stream_error", true));
  EXPECT_NE(ge.events.back().find(R"("x_groq":{)"), std::string::npos);
  EXPECT_NE(ge.events.back().find(R"("error":")"), std::string::npos);

  const auto t = call(dialect::openai, simple("mock-fault-truncated"));
  EXPECT_EQ(t.ending, plan_ending::truncate);
  EXPECT_GT(t.missing_bytes, 0u);
  const auto ij = call(dialect::openai, simple("mock-fault-invalid_json"));
  boost::system::error_code ec;
  json::parse(ij.body, ec);
  EXPECT_TRUE(ec);
  const auto ct = call(dialect::openai, simple("mock-fault-wrong_content_type", true));
  EXPECT_EQ(header(ct, "Content-Type").rfind("text/html", 0), 0u);
  const auto en = call(dialect::openai, simple("mock-fault-endless", true));
  EXPECT_EQ(en.ending, plan_ending::endless);
  EXPECT_FALSE(en.repeat_event.empty());
  const auto big = call(dialect::openai, simple("m@oversized,size=100000"));
  EXPECT_GT(big.body.size(), 100000u);
  const auto timed = call(dialect::openai, simple("m@latency_ms=5,ttft_ms=6,chunk_ms=7,chunks=3,split=9", true));
  EXPECT_EQ(timed.latency_ms, 5u);
  EXPECT_EQ(timed.ttft_ms, 6u);
  EXPECT_EQ(timed.chunk_ms, 7u);
  EXPECT_EQ(timed.split, 9u);
  EXPECT_EQ(timed.events.size(), 1u + 3u + 1u + 1u);  // role, 3 content, finish, [DONE]
}

TEST(mock_openai_family, bench_fixtures_match_the_reference_mock) {
  const auto chat = bench_fixture_for("mock-chat");
  ASSERT_TRUE(chat && chat->shared_body);
  EXPECT_EQ(chat->shared_body->size(), 880u);  // ../shared/bench README: 880 bytes
  EXPECT_NE(chat->shared_body->find("jittered"), std::string::npos);
  const auto stream = bench_fixture_for("mock-stream");
  ASSERT_TRUE(stream && stream->shared_events);
  EXPECT_EQ(stream->shared_events->size(), 21u);
  EXPECT_EQ(stream->chunk_ms, 0u);
  const auto paced = bench_fixture_for("mock-paced");
  ASSERT_TRUE(paced);
  EXPECT_EQ(paced->chunk_ms, 2u);
  EXPECT_FALSE(bench_fixture_for("gpt-4o-mini"));
  // Reached through the family handler by model name, any dialect path.
  const auto via = call(dialect::openai, R"({"model":"mock-stream","messages":[]})");
  EXPECT_EQ(via.shared_events, stream->shared_events);
}

}  // namespace
}  // namespace gi::mock
