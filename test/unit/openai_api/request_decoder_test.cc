#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "openai_api/openai_api.h"
#include "support/test_support.h"

namespace gi::openai_api {
namespace {

namespace json = boost::json;

// A minimal valid request with `patch`'s top-level members merged in.
std::string request_with(std::string_view patch) {
  json::object base = json::parse(R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})")
                          .as_object();
  json::value extra = json::parse(patch);
  for (auto& kv : extra.as_object()) base[kv.key()] = kv.value();
  return json::serialize(base);
}

// A valid request whose messages array is `messages`.
std::string request_with_messages(std::string_view messages) {
  return request_with(std::string(R"({"messages":)") + std::string(messages) + "}");
}

core::chat_request decode_ok(const std::string& body) {
  auto r = decode_chat_request(body);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message) << "\nbody: " << body;
  if (!r) return {};
  return std::move(r).value();
}

// Asserts a 400 invalid_request whose param is exactly `param` and whose message names it
// and contains `fragment`.
void expect_invalid(const std::string& body, std::string_view param, std::string_view fragment = "") {
  auto r = decode_chat_request(body);
  ASSERT_FALSE(r.has_value()) << "expected an error for " << body;
  const core::error& e = r.error();
  EXPECT_EQ(e.kind, core::error_kind::invalid_request);
  EXPECT_EQ(e.http_status(), 400);
  EXPECT_EQ(e.param, param) << e.message;
  if (!param.empty()) {
    std::string quoted = "'";
    quoted.append(param).append("'");
    EXPECT_NE(e.message.find(quoted), std::string::npos) << e.message;
  }
  EXPECT_NE(e.message.find(fragment), std::string::npos) << e.message;
}

// ---------------------------------------------------------------- body-level errors

TEST(DecodeBody, EmptyBodyIs400) {
  expect_invalid("", "", "empty");
  expect_invalid("  \n", "", "empty");
}

TEST(DecodeBody, MalformedJsonNamesThePosition) {
  expect_invalid(R"({"model":"m",)", "", "not valid JSON");
  auto r = decode_chat_request("{\"model\":\"m\",\n  \"messages\": [}");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("line 2 column 16"), std::string::npos) << r.error().message;
  expect_invalid(R"({"model":"m"} trailing)", "", "not valid JSON");
  expect_invalid("{\"model\":\"\xff\"}", "", "not valid JSON");  // invalid UTF-8
}

TEST(DecodeBody, NonObjectBodyNamesWhatItGot) {
  expect_invalid("[1,2]", "", "got an array");
  expect_invalid("42", "", "got an integer");
  expect_invalid("null", "", "got null");
}

TEST(DecodeBody, MissingModelAndMessages) {
  expect_invalid(R"({"messages":[{"role":"user","content":"x"}]})", "model", "Missing required");
  expect_invalid(R"({"model":"m"})", "messages", "Missing required");
  expect_invalid(request_with(R"({"model":""})"), "model", "non-empty");
  expect_invalid(request_with(R"({"model":7})"), "model", "expected a string, but got an integer");
  expect_invalid(request_with(R"({"model":null})"), "model", "got null");
}

TEST(DecodeBody, DeepSchemasAreAccepted) {
  std::string schema = "{}";
  for (int i = 0; i < 60; ++i) schema = R"({"type":"object","properties":{"a":)" + schema + "}}";
  // Deeper than Boost.JSON's default limit of 32.
  auto r = decode_ok(std::string(R"({"model":"m","messages":[{"role":"user","content":"x"}],)") +
                     R"("response_format":{"type":"json_schema","json_schema":{"name":"x","schema":)" + schema + "}}}");
  EXPECT_TRUE(r.response_format.schema.has_value());
}

// ---------------------------------------------------------------- messages

TEST(DecodeMessages, ArrayShape) {
  expect_invalid(request_with(R"({"messages":[]})"), "messages", "non-empty");
  expect_invalid(request_with(R"({"messages":{}})"), "messages", "expected an array, but got an object");
  expect_invalid(request_with_messages(R"(["hi"])"), "messages[0]", "expected an object, but got a string");
}

TEST(DecodeMessages, Role) {
  expect_invalid(request_with_messages(R"([{"content":"x"}])"), "messages[0].role", "Missing");
  expect_invalid(request_with_messages(R"([{"role":"bot","content":"x"}])"), "messages[0].role", "'bot'");
  expect_invalid(request_with_messages(R"([{"role":1,"content":"x"}])"), "messages[0].role", "expected a string");
  auto r = decode_ok(request_with_messages(
      R"([{"role":"developer","content":"d"},{"role":"system","content":"s"},{"role":"user","content":"u"},)"
      R"({"role":"assistant","content":"a"},{"role":"function","name":"f","content":null}])"));
  ASSERT_EQ(r.messages.size(), 5u);
  EXPECT_EQ(r.messages[0].role, core::role::developer);
  EXPECT_EQ(r.messages[1].role, core::role::system);
  EXPECT_EQ(r.messages[2].role, core::role::user);
  EXPECT_EQ(r.messages[3].role, core::role::assistant);
  EXPECT_EQ(r.messages[4].role, core::role::function);
  EXPECT_EQ(r.messages[4].name, "f");
}

TEST(DecodeMessages, ContentRequiredAndTyped) {
  expect_invalid(request_with_messages(R"([{"role":"user"}])"), "messages[0].content", "Missing");
  expect_invalid(request_with_messages(R"([{"role":"user","content":null}])"), "messages[0].content",
                 "expected a string or an array of content parts, but got null");
  expect_invalid(request_with_messages(R"([{"role":"system","content":5}])"), "messages[0].content",
                 "got an integer");
  expect_invalid(request_with_messages(R"([{"role":"user","content":[]}])"), "messages[0].content", "non-empty");
  expect_invalid(request_with_messages(R"([{"role":"assistant"}])"), "messages[0].content", "Missing");
  expect_invalid(request_with_messages(R"([{"role":"function","content":"x"}])"), "messages[0].name", "Missing");
  expect_invalid(request_with_messages(R"([{"role":"function","name":"f"}])"), "messages[0].content", "Missing");
  expect_invalid(request_with_messages(R"([{"role":"developer","content":null}])"), "messages[0].content", "got null");
  expect_invalid(request_with_messages(R"([{"role":"user","content":"x"},{"role":"assistant","content":7}])"),
                 "messages[1].content", "expected a string, an array of content parts or null, but got an integer");
  expect_invalid(request_with_messages(R"([{"role":"user","content":"x","name":3}])"), "messages[0].name",
                 "expected a string");
}

TEST(DecodeMessages, ContentParts) {
  auto r = decode_ok(request_with_messages(R"([{"role":"user","content":[
      {"type":"text","text":"look"},
      {"type":"image_url","image_url":{"url":"https://x/y.png","detail":"high"}},
      {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":null}},
      {"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}},
      {"type":"file","file":{"file_data":"data:application/pdf;base64,JVBE","filename":"a.pdf"}},
      {"type":"file","file":{"file_id":"file-1"}}]}])"));
  const auto& parts = std::get<std::vector<core::content_part>>(r.messages[0].content);
  ASSERT_EQ(parts.size(), 6u);
  EXPECT_EQ(std::get<core::text_part>(parts[0]).text, "look");
  EXPECT_EQ(std::get<core::image_part>(parts[1]).url, "https://x/y.png");
  EXPECT_EQ(std::get<core::image_part>(parts[1]).detail, "high");
  EXPECT_EQ(std::get<core::image_part>(parts[2]).detail, "");
  EXPECT_EQ(std::get<core::audio_part>(parts[3]).format, "wav");
  EXPECT_EQ(std::get<core::file_part>(parts[4]).filename, "a.pdf");
  EXPECT_EQ(std::get<core::file_part>(parts[5]).file_id, "file-1");
}

TEST(DecodeMessages, ContentPartErrorsNameTheExactPath) {
  const std::string prefix = R"([{"role":"system","content":"s"},{"role":"user","content":"u"},{"role":"user","content":[)";
  auto with_part = [&](std::string_view part) { return request_with_messages(prefix + std::string(part) + "]}]"); };
  expect_invalid(with_part(R"({"type":"image_url","image_url":{"url":5}})"), "messages[2].content[0].image_url.url",
                 "expected a string, but got an integer");
  expect_invalid(with_part(R"({"type":"image_url","image_url":{}})"), "messages[2].content[0].image_url.url", "Missing");
  expect_invalid(with_part(R"({"type":"image_url","image_url":{"url":""}})"), "messages[2].content[0].image_url.url");
  expect_invalid(with_part(R"({"type":"image_url"})"), "messages[2].content[0].image_url", "Missing");
  expect_invalid(with_part(R"({"type":"image_url","image_url":"https://x"})"), "messages[2].content[0].image_url",
                 "expected an object, but got a string");
  expect_invalid(with_part(R"({"type":"image_url","image_url":{"url":"https://x","detail":"ultra"}})"),
                 "messages[2].content[0].image_url.detail", "'ultra'");
  expect_invalid(with_part(R"({"type":"input_audio","input_audio":{"data":"x","format":"ogg"}})"),
                 "messages[2].content[0].input_audio.format", "'ogg'");
  expect_invalid(with_part(R"({"type":"input_audio","input_audio":{"format":"wav"}})"),
                 "messages[2].content[0].input_audio.data", "Missing");
  expect_invalid(with_part(R"({"type":"file","file":{"filename":"a"}})"), "messages[2].content[0].file",
                 "file_data");
  expect_invalid(with_part(R"({"text":"x"})"), "messages[2].content[0].type", "Missing");
  expect_invalid(with_part(R"({"type":"video","video":{}})"), "messages[2].content[0].type", "'video'");
  expect_invalid(with_part(R"({"type":"text"})"), "messages[2].content[0].text", "Missing");
  expect_invalid(with_part(R"({"type":"text","text":"a"},{"type":"text","text":false})"),
                 "messages[2].content[1].text", "expected a string, but got a boolean");
  expect_invalid(with_part(R"("plain")"), "messages[2].content[0]", "expected an object");
}

TEST(DecodeMessages, PartsAllowedPerRole) {
  expect_invalid(request_with_messages(R"([{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x"}}]}])"),
                 "messages[0].content[0].type", "'image_url'");
  expect_invalid(request_with_messages(R"([{"role":"user","content":[{"type":"refusal","refusal":"no"}]}])"),
                 "messages[0].content[0].type", "'refusal'");
  expect_invalid(request_with_messages(R"([{"role":"assistant","content":[{"type":"image_url","image_url":{"url":"https://x"}}]}])"),
                 "messages[0].content[0].type");
  auto r = decode_ok(request_with_messages(
      R"([{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"refusal","refusal":"no"}]}])"));
  const auto& parts = std::get<std::vector<core::content_part>>(r.messages[1].content);
  EXPECT_EQ(std::get<core::refusal_part>(parts[1]).refusal, "no");
}

TEST(DecodeMessages, AssistantToolCallsAndToolResults) {
  auto r = decode_ok(request_with_messages(R"([
      {"role":"user","content":"weather?"},
      {"role":"assistant","content":null,"tool_calls":[
         {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
         {"id":"call_2","type":"custom","custom":{"name":"grep","input":"foo"}}],
       "reasoning_content":"thinking","audio":{"id":"aud_1"}},
      {"role":"tool","tool_call_id":"call_1","content":"sunny"},
      {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"hit"}]}])"));
  const auto& a = r.messages[1];
  ASSERT_EQ(a.tool_calls.size(), 2u);
  EXPECT_EQ(a.tool_calls[0].id, "call_1");
  EXPECT_EQ(a.tool_calls[0].name, "get_weather");
  EXPECT_EQ(a.tool_calls[0].arguments, R"({"city":"Paris"})");
  EXPECT_EQ(a.tool_calls[1].type, "custom");
  EXPECT_EQ(a.tool_calls[1].arguments, "foo");
  EXPECT_EQ(a.reasoning_content, "thinking");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(a.content));
  EXPECT_TRUE(a.extra.contains("audio"));
  EXPECT_EQ(r.messages[2].tool_call_id, "call_1");
  EXPECT_EQ(r.messages[3].joined_text(), "hit");
}

TEST(DecodeMessages, ToolCallShapeErrors) {
  auto with_calls = [](std::string_view calls) {
    return request_with_messages(std::string(R"([{"role":"user","content":"q"},{"role":"assistant","tool_calls":)") +
                                 std::string(calls) + "}]");
  };
  expect_invalid(with_calls(R"({})"), "messages[1].tool_calls", "expected an array");
  expect_invalid(with_calls(R"([{"type":"function","function":{"name":"f","arguments":"{}"}}])"),
                 "messages[1].tool_calls[0].id", "Missing");
  expect_invalid(with_calls(R"([{"id":"","type":"function","function":{"name":"f","arguments":"{}"}}])"),
                 "messages[1].tool_calls[0].id");
  expect_invalid(with_calls(R"([{"id":"c","type":"function","function":{"name":"f","arguments":{}}}])"),
                 "messages[1].tool_calls[0].function.arguments", "expected a string, but got an object");
  expect_invalid(with_calls(R"([{"id":"c","type":"function","function":{"arguments":"{}"}}])"),
                 "messages[1].tool_calls[0].function.name", "Missing");
  expect_invalid(with_calls(R"([{"id":"c","type":"function"}])"), "messages[1].tool_calls[0].function", "Missing");
  expect_invalid(with_calls(R"([{"id":"c","type":"web","function":{"name":"f","arguments":"{}"}}])"),
                 "messages[1].tool_calls[0].type", "'web'");
  expect_invalid(with_calls(R"([{"id":"c","function":{"name":"f","arguments":"{}"}}])"),
                 "messages[1].tool_calls[0].type", "Missing");
}

TEST(DecodeMessages, ToolMessageNeedsAKnownToolCallId) {
  const std::string call =
      R"({"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]})";
  expect_invalid(request_with_messages("[" + call + R"(,{"role":"tool","content":"x"}])"), "messages[1].tool_call_id",
                 "Missing");
  expect_invalid(request_with_messages("[" + call + R"(,{"role":"tool","content":"x","tool_call_id":""}])"),
                 "messages[1].tool_call_id");
  expect_invalid(request_with_messages("[" + call + R"(,{"role":"tool","content":"x","tool_call_id":7}])"),
                 "messages[1].tool_call_id", "expected a string");
  expect_invalid(request_with_messages("[" + call + R"(,{"role":"tool","content":"x","tool_call_id":"call_9"}])"),
                 "messages[1].tool_call_id", "'call_9'");
  // A result that precedes its call is not an answer to it.
  expect_invalid(request_with_messages(R"([{"role":"tool","content":"x","tool_call_id":"call_1"},)" + call + "]"),
                 "messages[0].tool_call_id");
  expect_invalid(request_with_messages("[" + call + R"(,{"role":"tool","tool_call_id":"call_1"}])"),
                 "messages[1].content", "Missing");
}

TEST(DecodeMessages, LegacyAssistantFunctionCallIsValidatedAndKept) {
  auto r = decode_ok(request_with_messages(
      R"([{"role":"user","content":"q"},{"role":"assistant","content":null,"function_call":{"name":"f","arguments":"{}"}},)"
      R"({"role":"function","name":"f","content":"42"}])"));
  EXPECT_TRUE(r.messages[1].extra.contains("function_call"));
  expect_invalid(request_with_messages(R"([{"role":"assistant","function_call":{"name":"f"}}])"),
                 "messages[0].function_call.arguments", "Missing");
}

TEST(DecodeMessages, UnknownMessageFieldsKeptInExtra) {
  auto r = decode_ok(request_with_messages(R"([{"role":"user","content":"x","cache_control":{"type":"ephemeral"}}])"));
  EXPECT_TRUE(gi::test::json_equal(json::parse(R"({"cache_control":{"type":"ephemeral"}})"), r.messages[0].extra));
}

// ---------------------------------------------------------------- sampling and limits

TEST(DecodeParams, MaxTokensSynonyms) {
  auto a = decode_ok(request_with(R"({"max_tokens":100})"));
  EXPECT_EQ(a.max_completion_tokens, 100);
  EXPECT_TRUE(a.max_tokens_legacy_field);
  auto b = decode_ok(request_with(R"({"max_tokens":100,"max_completion_tokens":50})"));
  EXPECT_EQ(b.max_completion_tokens, 50);
  EXPECT_FALSE(b.max_tokens_legacy_field);
  auto c = decode_ok(request_with(R"({"max_completion_tokens":7,"max_tokens":null})"));
  EXPECT_EQ(c.max_completion_tokens, 7);
  auto d = decode_ok(request_with(R"({"max_tokens":64.0})"));
  EXPECT_EQ(d.max_completion_tokens, 64);
  expect_invalid(request_with(R"({"max_tokens":0})"), "max_tokens", "out of range");
  expect_invalid(request_with(R"({"max_completion_tokens":1.5})"), "max_completion_tokens",
                 "expected an integer, but got a decimal number");
  expect_invalid(request_with(R"({"max_completion_tokens":"10"})"), "max_completion_tokens", "got a string");
}

TEST(DecodeParams, NumericRanges) {
  auto r = decode_ok(request_with(
      R"({"temperature":2,"top_p":0,"n":128,"seed":-5,"frequency_penalty":-2,"presence_penalty":2.0,"logprobs":true,"top_logprobs":20})"));
  EXPECT_EQ(r.temperature, 2.0);
  EXPECT_EQ(r.top_p, 0.0);
  EXPECT_EQ(r.n, 128);
  EXPECT_EQ(r.seed, -5);
  EXPECT_EQ(r.frequency_penalty, -2.0);
  EXPECT_EQ(r.presence_penalty, 2.0);
  EXPECT_EQ(r.top_logprobs, 20);
  expect_invalid(request_with(R"({"temperature":2.01})"), "temperature", "between 0 and 2");
  expect_invalid(request_with(R"({"temperature":-0.1})"), "temperature");
  expect_invalid(request_with(R"({"temperature":"hot"})"), "temperature", "expected a number, but got a string");
  expect_invalid(request_with(R"({"top_p":1.5})"), "top_p", "between 0 and 1");
  expect_invalid(request_with(R"({"n":0})"), "n");
  expect_invalid(request_with(R"({"n":129})"), "n", "between 1 and 128");
  expect_invalid(request_with(R"({"seed":1.5})"), "seed", "decimal");
  expect_invalid(request_with(R"({"seed":18446744073709551615})"), "seed", "too large");
  expect_invalid(request_with(R"({"frequency_penalty":-2.5})"), "frequency_penalty");
  expect_invalid(request_with(R"({"presence_penalty":3})"), "presence_penalty");
  expect_invalid(request_with(R"({"logprobs":true,"top_logprobs":21})"), "top_logprobs", "between 0 and 20");
  expect_invalid(request_with(R"({"top_logprobs":2})"), "top_logprobs", "'logprobs' must be true");
  expect_invalid(request_with(R"({"logprobs":"yes"})"), "logprobs", "expected a boolean");
}

TEST(DecodeParams, NullMeansAbsent) {
  auto r = decode_ok(request_with(
      R"({"temperature":null,"top_p":null,"n":null,"stop":null,"seed":null,"max_tokens":null,"user":null,)"
      R"("metadata":null,"stream":null,"stream_options":null,"tools":null,"tool_choice":null,"logit_bias":null,)"
      R"("response_format":null,"reasoning_effort":null,"parallel_tool_calls":null,"logprobs":null,"store":null})"));
  EXPECT_FALSE(r.temperature);
  EXPECT_FALSE(r.n);
  EXPECT_TRUE(r.stop.empty());
  EXPECT_FALSE(r.max_completion_tokens);
  EXPECT_FALSE(r.stream);
  EXPECT_FALSE(r.stream_options);
  EXPECT_EQ(r.tool_choice.mode, core::tool_choice_mode::unset);
  EXPECT_EQ(r.response_format.type, core::response_format_type::unset);
  EXPECT_FALSE(r.metadata);
  EXPECT_TRUE(r.passthrough.empty()) << json::serialize(r.passthrough);
}

TEST(DecodeParams, Stop) {
  auto a = decode_ok(request_with(R"({"stop":"END"})"));
  EXPECT_EQ(a.stop, std::vector<std::string>{"END"});
  EXPECT_TRUE(a.stop_was_string);
  auto b = decode_ok(request_with(R"({"stop":["a","b","c","d"]})"));
  EXPECT_EQ(b.stop.size(), 4u);
  EXPECT_FALSE(b.stop_was_string);
  expect_invalid(request_with(R"({"stop":["a","b","c","d","e"]})"), "stop", "at most 4");
  expect_invalid(request_with(R"({"stop":["a",1]})"), "stop[1]", "expected a string");
  expect_invalid(request_with(R"({"stop":5})"), "stop", "expected a string, an array of strings or null");
}

TEST(DecodeParams, LogitBias) {
  auto r = decode_ok(request_with(R"({"logit_bias":{"50256":-100,"123":5.5}})"));
  ASSERT_TRUE(r.logit_bias);
  EXPECT_EQ(r.logit_bias->size(), 2u);
  expect_invalid(request_with(R"({"logit_bias":{"50256":-101}})"), "logit_bias.50256", "between -100 and 100");
  expect_invalid(request_with(R"({"logit_bias":{"abc":1}})"), "logit_bias.abc", "token ids");
  expect_invalid(request_with(R"({"logit_bias":{"1":"x"}})"), "logit_bias.1", "expected a number");
  expect_invalid(request_with(R"({"logit_bias":[1]})"), "logit_bias", "expected an object");
}

TEST(DecodeParams, Enums) {
  auto r = decode_ok(request_with(R"({"reasoning_effort":"xhigh","verbosity":"low","service_tier":"flex"})"));
  EXPECT_EQ(r.reasoning_effort, "xhigh");
  EXPECT_EQ(r.verbosity, "low");
  EXPECT_EQ(r.service_tier, "flex");
  for (auto e : {"none", "minimal", "low", "medium", "high", "max"})
    EXPECT_EQ(decode_ok(request_with(std::string(R"({"reasoning_effort":")") + e + "\"}")).reasoning_effort, e);
  expect_invalid(request_with(R"({"reasoning_effort":"extreme"})"), "reasoning_effort", "'extreme'");
  expect_invalid(request_with(R"({"verbosity":"loud"})"), "verbosity");
  expect_invalid(request_with(R"({"service_tier":"gold"})"), "service_tier");
  expect_invalid(request_with(R"({"service_tier":1})"), "service_tier", "expected a string");
}

TEST(DecodeParams, IdentityStrings) {
  auto r = decode_ok(request_with(R"({"user":"u1","safety_identifier":"s1","prompt_cache_key":"k1"})"));
  EXPECT_EQ(r.user, "u1");
  EXPECT_EQ(r.safety_identifier, "s1");
  EXPECT_EQ(r.prompt_cache_key, "k1");
  expect_invalid(request_with(R"({"user":5})"), "user", "expected a string");
  expect_invalid(request_with(R"({"safety_identifier":{}})"), "safety_identifier");
  expect_invalid(request_with(R"({"prompt_cache_key":[]})"), "prompt_cache_key");
}

TEST(DecodeParams, Metadata) {
  auto r = decode_ok(request_with(R"({"metadata":{"team":"a","env":"prod"}})"));
  ASSERT_TRUE(r.metadata);
  EXPECT_EQ(r.metadata->size(), 2u);
  json::object many;
  for (int i = 0; i < 17; ++i) many[std::to_string(i)] = "v";
  expect_invalid(request_with(R"({"metadata":)" + json::serialize(many) + "}"), "metadata", "at most 16");
  const std::string long_key(65, 'k');
  expect_invalid(request_with(R"({"metadata":{")" + long_key + R"(":"v"}})"), std::string("metadata.").append(long_key), "64");
  expect_invalid(request_with(R"({"metadata":{"k":")" + std::string(513, 'v') + R"("}})"), "metadata.k", "512");
  expect_invalid(request_with(R"({"metadata":{"k":1}})"), "metadata.k", "expected a string, but got an integer");
  // Exactly at the limits is fine.
  decode_ok(request_with(R"({"metadata":{")" + std::string(64, 'k') + R"(":")" + std::string(512, 'v') + R"("}})"));
}

TEST(DecodeParams, StreamAndStreamOptions) {
  auto r = decode_ok(request_with(R"({"stream":true,"stream_options":{"include_usage":true,"include_obfuscation":false}})"));
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.wants_stream_usage());
  EXPECT_EQ(r.stream_options->include_obfuscation, false);
  expect_invalid(request_with(R"({"stream_options":{"include_usage":true}})"), "stream_options", "only allowed");
  expect_invalid(request_with(R"({"stream":false,"stream_options":{"include_usage":true}})"), "stream_options");
  expect_invalid(request_with(R"({"stream":"yes"})"), "stream", "expected a boolean, but got a string");
  expect_invalid(request_with(R"({"stream":true,"stream_options":{"include_usage":1}})"),
                 "stream_options.include_usage", "expected a boolean");
  expect_invalid(request_with(R"({"stream":true,"stream_options":true})"), "stream_options", "expected an object");
}

// ---------------------------------------------------------------- tools

TEST(DecodeTools, FunctionAndCustomTools) {
  auto r = decode_ok(request_with(R"({"tools":[
      {"type":"function","function":{"name":"get_weather","description":"d","parameters":{"type":"object"},"strict":true}},
      {"type":"function","function":{"name":"no_args"}},
      {"type":"custom","custom":{"name":"grep","description":"search","format":{"type":"text"}}}],
    "parallel_tool_calls":false})"));
  ASSERT_EQ(r.tools.size(), 3u);
  EXPECT_EQ(r.tools[0].function.name, "get_weather");
  EXPECT_EQ(r.tools[0].function.description, "d");
  EXPECT_TRUE(gi::test::json_equal(json::parse(R"({"type":"object"})"), *r.tools[0].function.parameters));
  EXPECT_EQ(r.tools[0].function.strict, true);
  EXPECT_FALSE(r.tools[1].function.parameters);
  EXPECT_EQ(r.tools[2].type, "custom");
  EXPECT_EQ(r.tools[2].function.name, "grep");
  EXPECT_TRUE(gi::test::json_equal(
      json::parse(R"({"type":"custom","custom":{"name":"grep","description":"search","format":{"type":"text"}}})"),
      r.tools[2].raw));
  EXPECT_EQ(r.parallel_tool_calls, false);
}

TEST(DecodeTools, ToolErrors) {
  expect_invalid(request_with(R"({"tools":{}})"), "tools", "expected an array");
  expect_invalid(request_with(R"({"tools":[{"function":{"name":"f"}}]})"), "tools[0].type", "Missing");
  expect_invalid(request_with(R"({"tools":[{"type":"retrieval"}]})"), "tools[0].type", "'retrieval'");
  expect_invalid(request_with(R"({"tools":[{"type":"function"}]})"), "tools[0].function", "Missing");
  expect_invalid(request_with(R"({"tools":[{"type":"function","function":{}}]})"), "tools[0].function.name", "Missing");
  expect_invalid(request_with(R"({"tools":[{"type":"function","function":{"name":"get weather"}}]})"),
                 "tools[0].function.name", "^[a-zA-Z0-9_-]{1,64}$");
  expect_invalid(request_with(R"({"tools":[{"type":"function","function":{"name":")" + std::string(65, 'a') + R"("}}]})"),
                 "tools[0].function.name");
  decode_ok(request_with(R"({"tools":[{"type":"function","function":{"name":")" + std::string(64, 'a') + R"("}}]})"));
  expect_invalid(request_with(R"({"tools":[{"type":"function","function":{"name":"f","parameters":"{}"}}]})"),
                 "tools[0].function.parameters", "expected an object, but got a string");
  expect_invalid(request_with(R"({"tools":[{"type":"function","function":{"name":"f","strict":"yes"}}]})"),
                 "tools[0].function.strict", "expected a boolean");
  expect_invalid(request_with(R"({"tools":[{"type":"function","function":{"name":"f","description":1}}]})"),
                 "tools[0].function.description");
  expect_invalid(request_with(R"({"tools":[{"type":"custom","custom":{"name":"a b"}}]})"), "tools[0].custom.name");
  json::array many;
  for (int i = 0; i < 129; ++i)
    many.push_back(json::parse(R"({"type":"function","function":{"name":"f"}})"));
  expect_invalid(request_with(R"({"tools":)" + json::serialize(many) + "}"), "tools", "at most 128");
  expect_invalid(request_with(R"({"parallel_tool_calls":1})"), "parallel_tool_calls", "expected a boolean");
}

TEST(DecodeTools, ToolChoiceForms) {
  const std::string tools = R"("tools":[{"type":"function","function":{"name":"f"}},{"type":"custom","custom":{"name":"c"}}])";
  auto choice = [&](std::string_view tc) {
    return decode_ok(request_with("{" + tools + R"(,"tool_choice":)" + std::string(tc) + "}")).tool_choice;
  };
  EXPECT_EQ(choice(R"("none")").mode, core::tool_choice_mode::none);
  EXPECT_EQ(choice(R"("auto")").mode, core::tool_choice_mode::auto_);
  EXPECT_EQ(choice(R"("required")").mode, core::tool_choice_mode::required);
  auto f = choice(R"({"type":"function","function":{"name":"f"}})");
  EXPECT_EQ(f.mode, core::tool_choice_mode::function);
  EXPECT_EQ(f.name, "f");
  auto c = choice(R"({"type":"custom","custom":{"name":"c"}})");
  EXPECT_EQ(c.mode, core::tool_choice_mode::custom);
  EXPECT_EQ(c.name, "c");
  auto at = choice(R"({"type":"allowed_tools","allowed_tools":{"mode":"required","tools":[{"type":"function","function":{"name":"f"}}]}})");
  EXPECT_EQ(at.mode, core::tool_choice_mode::allowed_tools);
  EXPECT_TRUE(at.raw.is_object());
  // "none" / "auto" are fine without tools.
  EXPECT_EQ(decode_ok(request_with(R"({"tool_choice":"auto"})")).tool_choice.mode, core::tool_choice_mode::auto_);
}

TEST(DecodeTools, ToolChoiceErrors) {
  const std::string tools = R"("tools":[{"type":"function","function":{"name":"f"}}])";
  auto with = [&](std::string_view tc) { return request_with("{" + tools + R"(,"tool_choice":)" + std::string(tc) + "}"); };
  expect_invalid(with(R"("always")"), "tool_choice", "'always'");
  expect_invalid(with("1"), "tool_choice", "expected a string or an object, but got an integer");
  expect_invalid(with(R"({"type":"function"})"), "tool_choice.function", "Missing");
  expect_invalid(with(R"({"type":"function","function":{}})"), "tool_choice.function.name", "Missing");
  expect_invalid(with(R"({"type":"function","function":{"name":"g"}})"), "tool_choice.function.name", "'g'");
  expect_invalid(with(R"({"type":"tool"})"), "tool_choice.type", "'tool'");
  expect_invalid(with(R"({"type":"allowed_tools","allowed_tools":{"mode":"any","tools":[]}})"),
                 "tool_choice.allowed_tools.mode", "'any'");
  expect_invalid(with(R"({"type":"allowed_tools","allowed_tools":{"mode":"auto"}})"),
                 "tool_choice.allowed_tools.tools", "Missing");
  expect_invalid(with(R"({"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[1]}})"),
                 "tool_choice.allowed_tools.tools[0]", "expected an object");
  expect_invalid(request_with(R"({"tool_choice":"required"})"), "tool_choice", "only allowed when 'tools'");
  expect_invalid(request_with(R"({"tool_choice":{"type":"function","function":{"name":"f"}}})"), "tool_choice");
}

TEST(DecodeTools, LegacyFunctionsAreUpConverted) {
  auto r = decode_ok(request_with(
      R"({"functions":[{"name":"f","description":"d","parameters":{"type":"object"}}],"function_call":{"name":"f"}})"));
  ASSERT_EQ(r.tools.size(), 1u);
  EXPECT_EQ(r.tools[0].type, "function");
  EXPECT_EQ(r.tools[0].function.name, "f");
  EXPECT_TRUE(gi::test::json_equal(
      json::parse(R"({"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object"}}})"),
      r.tools[0].raw));
  EXPECT_EQ(r.tool_choice.mode, core::tool_choice_mode::function);
  EXPECT_EQ(r.tool_choice.name, "f");
  EXPECT_TRUE(gi::test::json_equal(json::parse(R"({"type":"function","function":{"name":"f"}})"), r.tool_choice.raw));
  EXPECT_TRUE(r.passthrough.empty());
  EXPECT_EQ(decode_ok(request_with(R"({"functions":[{"name":"f"}],"function_call":"none"})")).tool_choice.mode,
            core::tool_choice_mode::none);
  expect_invalid(request_with(R"({"functions":[{"name":"bad name"}]})"), "functions[0].name");
  expect_invalid(request_with(R"({"functions":[{"name":"f"}],"function_call":"required"})"), "function_call");
  expect_invalid(request_with(R"({"functions":[{"name":"f"}],"function_call":{"name":"g"}})"), "function_call.name");
  expect_invalid(request_with(R"({"functions":[{"name":"f"}],"tools":[{"type":"function","function":{"name":"g"}}]})"),
                 "functions", "not both");
  expect_invalid(request_with(R"({"functions":[{"name":"f"}],"tool_choice":"auto","function_call":"auto"})"),
                 "function_call", "not both");
}

// ---------------------------------------------------------------- response_format

TEST(DecodeResponseFormat, Forms) {
  EXPECT_EQ(decode_ok(request_with(R"({"response_format":{"type":"text"}})")).response_format.type,
            core::response_format_type::text);
  EXPECT_EQ(decode_ok(request_with(R"({"response_format":{"type":"json_object"}})")).response_format.type,
            core::response_format_type::json_object);
  auto r = decode_ok(request_with(
      R"({"response_format":{"type":"json_schema","json_schema":{"name":"answer-1","description":"d","schema":{"type":"object"},"strict":true}}})"));
  EXPECT_EQ(r.response_format.type, core::response_format_type::json_schema);
  EXPECT_EQ(r.response_format.name, "answer-1");
  EXPECT_EQ(r.response_format.description, "d");
  EXPECT_EQ(r.response_format.strict, true);
  EXPECT_TRUE(gi::test::json_equal(json::parse(R"({"type":"object"})"), *r.response_format.schema));
}

TEST(DecodeResponseFormat, Errors) {
  expect_invalid(request_with(R"({"response_format":"json"})"), "response_format", "expected an object");
  expect_invalid(request_with(R"({"response_format":{}})"), "response_format.type", "Missing");
  expect_invalid(request_with(R"({"response_format":{"type":"yaml"}})"), "response_format.type", "'yaml'");
  expect_invalid(request_with(R"({"response_format":{"type":"json_schema"}})"), "response_format.json_schema", "Missing");
  expect_invalid(request_with(R"({"response_format":{"type":"json_schema","json_schema":{"schema":{}}}})"),
                 "response_format.json_schema.name", "Missing");
  expect_invalid(request_with(R"({"response_format":{"type":"json_schema","json_schema":{"name":"my answer"}}})"),
                 "response_format.json_schema.name", "^[a-zA-Z0-9_-]{1,64}$");
  expect_invalid(request_with(R"({"response_format":{"type":"json_schema","json_schema":{"name":"a","schema":[]}}})"),
                 "response_format.json_schema.schema", "expected an object, but got an array");
  expect_invalid(request_with(R"({"response_format":{"type":"json_schema","json_schema":{"name":"a","strict":0}}})"),
                 "response_format.json_schema.strict", "expected a boolean");
}

// ---------------------------------------------------------------- pass-through

TEST(DecodePassthrough, UnknownAndOpenAiOnlyFieldsKeptInArrivalOrder) {
  auto r = decode_ok(
      R"({"zeta":1,"model":"m","store":true,"messages":[{"role":"user","content":"x"}],)"
      R"("modalities":["text"],"alpha":{"nested":[1,2]},"prediction":{"type":"content","content":"x"},"beta":null})");
  std::vector<std::string> keys;
  for (const auto& kv : r.passthrough) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"zeta", "store", "modalities", "alpha", "prediction", "beta"}));
  EXPECT_TRUE(gi::test::json_equal(json::parse(R"({"nested":[1,2]})"), r.passthrough.at("alpha")));
  EXPECT_TRUE(r.passthrough.at("beta").is_null());  // unknown fields are kept exactly as sent
}

TEST(DecodePassthrough, OpenAiOnlyFieldsAreTypeChecked) {
  expect_invalid(request_with(R"({"store":"yes"})"), "store", "expected a boolean");
  expect_invalid(request_with(R"({"modalities":"text"})"), "modalities", "expected an array");
  expect_invalid(request_with(R"({"modalities":[1]})"), "modalities[0]", "expected a string");
  expect_invalid(request_with(R"({"audio":"alloy"})"), "audio", "expected an object");
  expect_invalid(request_with(R"({"web_search_options":[]})"), "web_search_options");
}

// ---------------------------------------------------------------- round trip

TEST(DecodeRoundTrip, RichRequest) {
  const std::string body = R"({
    "model": "auto:code",
    "messages": [
      {"role": "developer", "content": [{"type": "text", "text": "be brief"}, {"type": "text", "text": "be right"}]},
      {"role": "user", "name": "ann", "content": [{"type": "text", "text": "caf\u00e9 \ud83d\ude00"},
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "low"}}]},
      {"role": "assistant", "content": "", "refusal": null,
       "tool_calls": [{"id": "call_a", "type": "function", "function": {"name": "lookup", "arguments": "{\"q\":1}"}}]},
      {"role": "tool", "tool_call_id": "call_a", "content": "result"}
    ],
    "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {"q": {"type": "integer"}}}}}],
    "tool_choice": {"type": "function", "function": {"name": "lookup"}},
    "parallel_tool_calls": true,
    "response_format": {"type": "json_object"},
    "stream": true, "stream_options": {"include_usage": true},
    "max_completion_tokens": 256, "temperature": 0.2, "top_p": 0.9, "n": 1, "stop": ["\n\n"],
    "seed": 42, "frequency_penalty": 0.1, "presence_penalty": -0.1, "logit_bias": {"42": 3},
    "logprobs": true, "top_logprobs": 3, "reasoning_effort": "low", "verbosity": "medium",
    "service_tier": "auto", "user": "u", "safety_identifier": "sid", "prompt_cache_key": "pck",
    "metadata": {"a": "b"}, "x_custom": [1]
  })";
  auto r = decode_ok(body);
  EXPECT_EQ(r.model, "auto:code");
  ASSERT_EQ(r.messages.size(), 4u);
  EXPECT_EQ(r.messages[0].joined_text(), "be brief\nbe right");
  EXPECT_EQ(r.messages[1].name, "ann");
  const auto& up = std::get<std::vector<core::content_part>>(r.messages[1].content);
  EXPECT_EQ(std::get<core::text_part>(up[0]).text, "caf\xc3\xa9 \xf0\x9f\x98\x80");
  EXPECT_EQ(std::get<std::string>(r.messages[2].content), "");
  EXPECT_FALSE(r.messages[2].refusal);
  EXPECT_EQ(r.messages[2].tool_calls[0].arguments, R"({"q":1})");
  EXPECT_EQ(r.tools.size(), 1u);
  EXPECT_EQ(r.tool_choice.name, "lookup");
  EXPECT_EQ(r.parallel_tool_calls, true);
  EXPECT_EQ(r.response_format.type, core::response_format_type::json_object);
  EXPECT_TRUE(r.wants_stream_usage());
  EXPECT_EQ(r.max_completion_tokens, 256);
  EXPECT_EQ(r.temperature, 0.2);
  EXPECT_EQ(r.top_p, 0.9);
  EXPECT_EQ(r.stop, std::vector<std::string>{"\n\n"});
  EXPECT_EQ(r.seed, 42);
  EXPECT_EQ(r.logprobs, true);
  EXPECT_EQ(r.top_logprobs, 3);
  EXPECT_EQ(r.reasoning_effort, "low");
  EXPECT_EQ(r.verbosity, "medium");
  EXPECT_EQ(r.service_tier, "auto");
  EXPECT_EQ(r.user, "u");
  EXPECT_EQ(r.safety_identifier, "sid");
  EXPECT_EQ(r.prompt_cache_key, "pck");
  EXPECT_TRUE(gi::test::json_equal(json::parse(R"({"a":"b"})"), *r.metadata));
  EXPECT_TRUE(gi::test::json_equal(json::parse(R"({"42":3})"), *r.logit_bias));
  EXPECT_TRUE(gi::test::json_equal(json::parse(R"({"x_custom":[1]})"), r.passthrough));
}

TEST(DecodeRoundTrip, BenchPayloadsDecode) {
  for (auto name : {"request_1k.json", "request_100k.json"}) {
    auto body = gi::test::read_file(gi::test::source_dir() / "bench/micro/data" / name);
    auto r = decode_chat_request(body);
    EXPECT_TRUE(r.has_value()) << name << ": " << (r ? "" : r.error().message);
  }
}

}  // namespace
}  // namespace gi::openai_api
