#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "openai_api/sse_encoder.h"
#include "support/test_support.h"

namespace gi::openai_api {
namespace {

namespace json = boost::json;

response_meta meta() {
  response_meta m;
  m.id = "chatcmpl-gi-1";
  m.created = 1764000000;
  m.model = "m1";
  return m;
}

// Splits SSE output into the payloads of its `data:` events, checking the framing: every
// event is exactly one `data: ` line followed by a blank line (providers.md §2.7).
std::vector<std::string> data_events(const std::string& out) {
  std::vector<std::string> events;
  std::size_t pos = 0;
  while (pos < out.size()) {
    auto end = out.find("\n\n", pos);
    EXPECT_NE(end, std::string::npos) << "unterminated event in: " << out;
    if (end == std::string::npos) break;
    std::string ev = out.substr(pos, end - pos);
    EXPECT_EQ(ev.rfind("data: ", 0), 0u) << ev;
    EXPECT_EQ(ev.find('\n'), std::string::npos) << "multi-line event: " << ev;
    events.push_back(ev.substr(6));
    pos = end + 2;
  }
  return events;
}

// A chunk with the stream's fixed id/created/model around `choices_and_rest`.
std::string chunk(std::string_view rest) {
  return std::string(R"({"id":"chatcmpl-gi-1","object":"chat.completion.chunk","created":1764000000,"model":"m1",)") +
         std::string(rest) + "}";
}
std::string delta(int index, std::string_view d, std::string_view finish = "null", bool usage_null = false) {
  return chunk(std::string(R"("choices":[{"index":)") + std::to_string(index) + R"(,"delta":)" + std::string(d) +
               R"(,"logprobs":null,"finish_reason":)" + std::string(finish) + "}]" +
               (usage_null ? R"(,"usage":null)" : ""));
}

void expect_events(const std::string& out, const std::vector<std::string>& expected) {
  auto got = data_events(out);
  ASSERT_EQ(got.size(), expected.size()) << out;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (expected[i] == "[DONE]") {
      EXPECT_EQ(got[i], "[DONE]");
      continue;
    }
    EXPECT_TRUE(gi::test::json_equal(expected[i], got[i])) << "event " << i;
  }
}

const std::string role_delta = R"({"role":"assistant","content":"","refusal":null})";

TEST(SseEncoder, TextStreamWithoutUsage) {
  sse_encoder enc(meta(), false);
  std::string out;
  enc.on_event(core::stream_start{"up", "m-up", 5, std::nullopt}, out);
  enc.on_event(core::role_delta{0}, out);
  EXPECT_FALSE(enc.has_content());
  enc.on_event(core::text_delta{0, "Hel"}, out);
  EXPECT_TRUE(enc.has_content());
  enc.on_event(core::text_delta{0, "lo"}, out);
  enc.on_event(core::finish{0, core::finish_reason::stop}, out);
  enc.on_event(core::usage_report{core::usage{3, 2}}, out);
  enc.on_event(core::stream_end{}, out);
  // The finish chunk is held until the stream is finished.
  EXPECT_EQ(data_events(out).size(), 3u);
  enc.finish_stream(std::nullopt, std::nullopt, out);
  expect_events(out, {delta(0, role_delta), delta(0, R"({"content":"Hel"})"), delta(0, R"({"content":"lo"})"),
                      delta(0, "{}", R"("stop")"), "[DONE]"});
  // No usage key anywhere without include_usage.
  EXPECT_EQ(out.find("usage"), std::string::npos);
}

TEST(SseEncoder, RoleChunkIsAddedWhenUpstreamSentNone) {
  sse_encoder enc(meta(), false);
  std::string out;
  enc.on_event(core::reasoning_delta{0, "think"}, out);
  enc.on_event(core::role_delta{0}, out);  // late role: not repeated
  enc.on_event(core::refusal_delta{0, "no"}, out);
  enc.on_event(core::text_delta{0, ""}, out);  // empty deltas are dropped
  expect_events(out, {delta(0, role_delta), delta(0, R"({"reasoning_content":"think"})"),
                      delta(0, R"({"refusal":"no"})")});
}

TEST(SseEncoder, ToolCallsWithUsageAndExtension) {
  sse_encoder enc(meta(), true);
  std::string out;
  enc.on_event(core::stream_start{"up", "m-up", 5, "fp_1"}, out);
  enc.on_event(core::tool_call_start{0, 0, "call_1", "get_weather", ""}, out);
  enc.on_event(core::tool_call_delta{0, 0, R"({"ci)"}, out);
  enc.on_event(core::tool_call_start{0, 1, "call_2", "f", "{}"}, out);
  enc.on_event(core::tool_call_delta{0, 0, R"(ty":"P"})"}, out);
  enc.on_event(core::finish{0, core::finish_reason::tool_calls}, out);
  json::object x = json::parse(R"({"cost_usd":"0.000412","endpoint":"openai/gpt-4o-mini","chain":"openai/gpt-4o-mini;ok;ms=9"})").as_object();
  enc.finish_stream(core::usage{10, 7, 4, 2, 3}, x, out);

  auto fp = [](std::string s) {  // every chunk after stream_start carries system_fingerprint
    json::value v = json::parse(s);
    v.as_object()["system_fingerprint"] = "fp_1";
    return json::serialize(v);
  };
  std::string finish = delta(0, "{}", R"("tool_calls")", true);
  json::value fv = json::parse(finish);
  fv.as_object()["x_gammainfra"] = x;
  const std::string usage =
      R"("usage":{"prompt_tokens":10,"completion_tokens":7,"total_tokens":17,)"
      R"("prompt_tokens_details":{"cached_tokens":4,"audio_tokens":0,"cache_write_tokens":2},)"
      R"("completion_tokens_details":{"reasoning_tokens":3,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0},)"
      R"("cost_usd":"0.000412"})";
  json::value uv = json::parse(chunk(R"("choices":[],)" + usage));
  uv.as_object()["x_gammainfra"] = x;
  expect_events(out, {fp(delta(0, role_delta, "null", true)),
                      fp(delta(0, R"({"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]})", "null", true)),
                      fp(delta(0, R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]})", "null", true)),
                      fp(delta(0, R"({"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"f","arguments":"{}"}}]})", "null", true)),
                      fp(delta(0, R"({"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"P\"}"}}]})", "null", true)),
                      fp(json::serialize(fv)), fp(json::serialize(uv)), "[DONE]"});
}

TEST(SseEncoder, UsageFallsBackToLastReportThenZeros) {
  {
    sse_encoder enc(meta(), true);
    std::string out;
    enc.on_event(core::text_delta{0, "x"}, out);
    enc.on_event(core::usage_report{core::usage{1, 2}}, out);
    enc.on_event(core::finish{0, core::finish_reason::length}, out);
    enc.finish_stream(std::nullopt, std::nullopt, out);
    auto ev = data_events(out);
    ASSERT_EQ(ev.size(), 5u);
    auto u = json::parse(ev[3]);
    EXPECT_TRUE(u.at("choices").as_array().empty());
    EXPECT_EQ(u.at("usage").at("total_tokens").to_number<int>(), 3);
    EXPECT_FALSE(u.at("usage").as_object().contains("cost_usd"));
    EXPECT_FALSE(u.as_object().contains("x_gammainfra"));
    EXPECT_EQ(json::parse(ev[2]).at("choices").at(0).at("finish_reason"), "length");
  }
  {
    sse_encoder enc(meta(), true);
    std::string out;
    enc.on_event(core::finish{0, core::finish_reason::stop}, out);
    enc.finish_stream(std::nullopt, std::nullopt, out);
    auto ev = data_events(out);
    ASSERT_EQ(ev.size(), 4u);  // role, finish, usage, [DONE]
    EXPECT_EQ(json::parse(ev[2]).at("usage").at("total_tokens").to_number<int>(), 0);
  }
}

TEST(SseEncoder, InterleavedChoicesEachGetRoleAndFinish) {
  auto m = meta();
  m.x_gammainfra = json::parse(R"({"endpoint":"e"})").as_object();  // used when finish_stream has none
  sse_encoder enc(m, false);
  std::string out;
  enc.on_event(core::text_delta{0, "a"}, out);
  enc.on_event(core::text_delta{1, "b"}, out);
  enc.on_event(core::finish{1, core::finish_reason::stop}, out);
  enc.on_event(core::finish{0, core::finish_reason::length}, out);
  enc.finish_stream(std::nullopt, std::nullopt, out);
  auto fin1 = json::parse(delta(1, "{}", R"("stop")"));
  auto fin0 = json::parse(delta(0, "{}", R"("length")"));
  fin0.as_object()["x_gammainfra"] = json::parse(R"({"endpoint":"e"})");
  expect_events(out, {delta(0, role_delta), delta(0, R"({"content":"a"})"), delta(1, role_delta),
                      delta(1, R"({"content":"b"})"), json::serialize(fin1), json::serialize(fin0), "[DONE]"});
}

TEST(SseEncoder, NoFinishCarriesExtensionOnEmptyChoicesChunk) {
  sse_encoder enc(meta(), false);
  std::string out;
  enc.on_event(core::text_delta{0, "a"}, out);
  enc.finish_stream(std::nullopt, json::parse(R"({"cost_usd":"0.1"})").as_object(), out);
  expect_events(out, {delta(0, role_delta), delta(0, R"({"content":"a"})"),
                      chunk(R"("choices":[],"x_gammainfra":{"cost_usd":"0.1"})"), "[DONE]"});
}

TEST(SseEncoder, ErrorEventHasNoDone) {
  sse_encoder enc(meta(), true);
  std::string out;
  enc.on_event(core::text_delta{0, "a"}, out);
  enc.on_event(core::finish{0, core::finish_reason::stop}, out);
  out.clear();
  enc.error(core::error(core::error_kind::truncated, "upstream stream ended early", "", "anthropic:eof"), out);
  expect_events(out, {R"({"error":{"message":"upstream stream ended early","type":"server_error","param":null,"code":"anthropic:eof"}})"});
  // Nothing after the terminal event.
  enc.finish_stream(std::nullopt, std::nullopt, out);
  enc.on_event(core::text_delta{0, "late"}, out);
  EXPECT_EQ(data_events(out).size(), 1u);
  EXPECT_EQ(out.find("[DONE]"), std::string::npos);
}

TEST(SseEncoder, StreamErrorEventIsWrittenAsErrorEvent) {
  sse_encoder enc(meta(), false);
  std::string out;
  enc.on_event(core::stream_error{core::error(core::error_kind::overloaded, "busy")}, out);
  expect_events(out, {R"({"error":{"message":"busy","type":"service_unavailable","param":null,"code":null}})"});
}

TEST(SseEncoder, EscapesContentInChunks) {
  sse_encoder enc(meta(), false);
  std::string out;
  enc.on_event(core::text_delta{0, "line1\nline2\r\n\"q\"\t\x01 \xe2\x9c\x93"}, out);
  auto ev = data_events(out);  // a raw newline in the payload would break SSE framing
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(std::string_view(json::parse(ev[1]).at("choices").at(0).at("delta").at("content").as_string()),
            "line1\nline2\r\n\"q\"\t\x01 \xe2\x9c\x93");
}

TEST(SseEncoder, IdCreatedModelIdenticalOnEveryChunk) {
  auto m = meta();
  m.model = "model \"x\"";
  sse_encoder enc(m, true);
  std::string out;
  for (int i = 0; i < 50; ++i) enc.on_event(core::text_delta{i % 2, "t"}, out);
  enc.on_event(core::finish{0, core::finish_reason::stop}, out);
  enc.finish_stream(core::usage{}, std::nullopt, out);
  auto ev = data_events(out);
  ev.pop_back();  // [DONE]
  for (const auto& e : ev) {
    auto v = json::parse(e);
    EXPECT_EQ(v.at("id"), "chatcmpl-gi-1");
    EXPECT_EQ(v.at("created"), 1764000000);
    EXPECT_EQ(v.at("model"), "model \"x\"");
    EXPECT_EQ(v.at("object"), "chat.completion.chunk");
  }
}

}  // namespace
}  // namespace gi::openai_api
