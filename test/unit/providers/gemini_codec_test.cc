// Gemini codec behaviour the golden files cannot express: the side store seeded with
// thought signatures (§11.4), non-stream prompt blocks, auth, id determinism.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "providers/gemini/codec.h"
#include "providers/gemini/wire.h"
#include "providers/registry.h"
#include "providers/tool_state_store.h"

namespace gi {
namespace {

namespace json = boost::json;
using providers::tool_state;
using providers::tool_state_type;

const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'764'000'000));

core::message user(std::string text) {
  core::message m;
  m.role = core::role::user;
  m.content = std::move(text);
  return m;
}
providers::credentials key(std::string k) {
  providers::credentials c;
  c.api_key = std::move(k);
  return c;
}

core::chat_request tool_history(std::string id_a, std::string id_b) {
  core::chat_request r;
  r.model = "x";
  r.messages.push_back(user("Weather and time?"));
  core::message a;
  a.role = core::role::assistant;
  a.tool_calls.push_back(core::tool_call{id_a, "function", "get_weather", R"({"city":"Paris"})"});
  a.tool_calls.push_back(core::tool_call{id_b, "function", "get_time", R"({"tz":"UTC"})"});
  r.messages.push_back(a);
  for (auto [id, out] : {std::pair{id_a, "18C"}, std::pair{id_b, "12:00"}}) {
    core::message t;
    t.role = core::role::tool;
    t.tool_call_id = id;
    t.content = std::string(out);
    r.messages.push_back(t);
  }
  return r;
}

json::array model_parts(const core::upstream_request& u) {
  json::value body = json::parse(u.body);
  for (const auto& c : body.at("contents").as_array())
    if (c.at("role") == "model") return c.at("parts").as_array();
  return {};
}

class gemini_codec : public ::testing::Test {
 protected:
  const providers::adapter& a_ = *providers::find_adapter(core::provider_kind::gemini);
  providers::tool_state_store store_;
  providers::target tgt_ = [this] {
    providers::target t;
    t.model = "gemini-3.5-flash";
    t.tool_state = &store_;
    t.now = now;
    return t;
  }();
};

TEST_F(gemini_codec, registered_with_capabilities) {
  EXPECT_EQ(a_.kind(), core::provider_kind::gemini);
  EXPECT_TRUE(a_.capabilities().vision);
  EXPECT_TRUE(a_.capabilities().reasoning_signatures);
  EXPECT_EQ(a_.capabilities().tool_ids, providers::tool_id_rule::not_sent);
  EXPECT_EQ(a_.capabilities().max_stop_sequences, 5);
}

TEST_F(gemini_codec, stored_signature_is_echoed_on_its_call) {
  ASSERT_TRUE(store_.put("call_a", tool_state{core::provider_kind::gemini, "gemini-3.5-flash",
                                              tool_state_type::thought_signature, "U0lHLUE="},
                         now));
  std::vector<std::string> warnings;
  tgt_.warnings = &warnings;
  auto enc = a_.encode(tool_history("call_a", "call_b"), tgt_);
  ASSERT_TRUE(enc) << enc.error().message;
  json::array parts = model_parts(*enc);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].at("thoughtSignature"), "U0lHLUE=");
  EXPECT_FALSE(parts[1].as_object().contains("thoughtSignature"));
  EXPECT_TRUE(warnings.empty()) << warnings.front();
}

TEST_F(gemini_codec, signature_from_another_model_falls_back_to_the_sentinel) {
  ASSERT_TRUE(store_.put("call_a", tool_state{core::provider_kind::gemini, "gemini-2.5-pro",
                                              tool_state_type::thought_signature, "U0lHLUE="},
                         now));
  // Another provider's state under the same id is ignored too.
  ASSERT_TRUE(store_.put("call_b", tool_state{core::provider_kind::deepseek, "gemini-3.5-flash",
                                              tool_state_type::reasoning_content, "thinking"},
                         now));
  std::vector<std::string> warnings;
  tgt_.warnings = &warnings;
  auto enc = a_.encode(tool_history("call_a", "call_b"), tgt_);
  ASSERT_TRUE(enc);
  json::array parts = model_parts(*enc);
  EXPECT_EQ(parts[0].at("thoughtSignature").as_string(), providers::gemini::skip_signature_sentinel);
  EXPECT_FALSE(parts[1].as_object().contains("thoughtSignature"));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "messages[1].tool_calls[0].thought_signature:missing");
}

TEST_F(gemini_codec, decode_then_encode_round_trips_the_signature) {
  const std::string body = R"({"candidates":[{"content":{"role":"model","parts":[
      {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"Rk9P"},
      {"functionCall":{"name":"get_time","args":{"tz":"UTC"}}}]},"finishReason":"STOP","index":0}],
      "responseId":"r1","modelVersion":"gemini-3.5-flash"})";
  auto dec = a_.decode(tgt_, 200, {}, body);
  ASSERT_TRUE(dec);
  ASSERT_EQ(dec->choices.at(0).tool_calls.size(), 2u);
  const auto& calls = dec->choices[0].tool_calls;
  EXPECT_NE(calls[0].id, calls[1].id);
  EXPECT_EQ(calls[0].id.substr(0, 5), "call_");
  EXPECT_EQ(calls[0].id.size(), 29u);
  // The same answer mints the same ids (§11.2: deterministic).
  auto again = a_.decode(tgt_, 200, {}, body);
  EXPECT_EQ(again->choices[0].tool_calls[0].id, calls[0].id);

  auto enc = a_.encode(tool_history(calls[0].id, calls[1].id), tgt_);
  ASSERT_TRUE(enc);
  EXPECT_EQ(model_parts(*enc)[0].at("thoughtSignature"), "Rk9P");
}

TEST_F(gemini_codec, different_responses_mint_different_ids) {
  EXPECT_NE(providers::gemini::wire::mint_call_id("r1", 0, 0, ""),
            providers::gemini::wire::mint_call_id("r2", 0, 0, ""));
  EXPECT_NE(providers::gemini::wire::mint_call_id("r1", 0, 0, ""),
            providers::gemini::wire::mint_call_id("r1", 1, 0, ""));
  EXPECT_NE(providers::gemini::wire::mint_call_id("", 0, 0, "a"),
            providers::gemini::wire::mint_call_id("", 0, 0, "b"));
}

TEST_F(gemini_codec, blocked_prompt_is_a_content_policy_error) {
  auto dec = a_.decode(tgt_, 200, {},
                       R"({"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},
                           "usageMetadata":{"promptTokenCount":4,"totalTokenCount":4}})");
  ASSERT_FALSE(dec);
  EXPECT_EQ(dec.error().kind, core::error_kind::content_policy);
  EXPECT_EQ(dec.error().code, "gemini:PROHIBITED_CONTENT");
  EXPECT_FALSE(dec.error().fallback_allowed());
}

TEST_F(gemini_codec, garbage_bodies_are_protocol_errors) {
  auto a = a_.decode(tgt_, 200, {}, "not json");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, core::error_kind::protocol);
  auto b = a_.decode(tgt_, 200, {}, R"({"modelVersion":"x"})");
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().kind, core::error_kind::protocol);
  // A 200 carrying a Status error is that error.
  auto c = a_.decode(tgt_, 200, {}, R"({"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}})");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, core::error_kind::overloaded);
}

TEST_F(gemini_codec, authorize_uses_x_goog_api_key_and_stream_path) {
  core::chat_request r;
  r.model = "x";
  r.stream = true;
  r.messages.push_back(user("hi"));
  tgt_.path_prefix = "/proxy";
  auto enc = a_.encode(r, tgt_);
  ASSERT_TRUE(enc);
  EXPECT_EQ(enc->path, "/proxy/models/gemini-3.5-flash:streamGenerateContent?alt=sse");
  ASSERT_TRUE(a_.authorize(*enc, key("k-123"), now));
  EXPECT_EQ(core::find_header(enc->headers, "x-goog-api-key").value_or(""), "k-123");
  EXPECT_FALSE(core::find_header(enc->headers, "authorization"));
  // auth: none adds nothing.
  auto enc2 = a_.encode(r, tgt_);
  ASSERT_TRUE(a_.authorize(*enc2, providers::credentials{}, now));
  EXPECT_FALSE(core::find_header(enc2->headers, "x-goog-api-key"));
}

TEST_F(gemini_codec, model_ids_are_percent_encoded_in_the_path) {
  core::chat_request r;
  r.model = "x";
  r.messages.push_back(user("hi"));
  tgt_.model = "tuned model?v=1@fault=429";
  auto enc = a_.encode(r, tgt_);
  ASSERT_TRUE(enc);
  EXPECT_EQ(enc->path, "/models/tuned%20model%3Fv=1@fault=429:generateContent");
}

TEST_F(gemini_codec, stream_without_candidates_or_finish_is_truncated) {
  auto d = a_.make_stream_decoder(tgt_);
  std::vector<core::stream_event> out;
  auto err = d->finish(out);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, core::error_kind::truncated);
}

}  // namespace
}  // namespace gi
