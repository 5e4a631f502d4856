// Anthropic codec checks that the file-driven goldens do not cover: model traits, the
// stateless tool-id transform, authorisation, version pinning, side-store family matching.

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "providers/anthropic/codec.h"
#include "providers/registry.h"
#include "providers/tool_state_store.h"

namespace gi {
namespace {

namespace json = boost::json;
namespace an = providers::anthropic;

const providers::adapter& adapter() {
  const auto* a = providers::find_adapter(core::provider_kind::anthropic);
  EXPECT_NE(a, nullptr);
  return *a;
}

core::chat_request hello() {
  core::chat_request r;
  r.model = "x";
  core::message m;
  m.content = std::string("hi");
  r.messages.push_back(m);
  return r;
}

TEST(anthropic_codec, model_traits) {
  auto s46 = an::traits_for("claude-sonnet-4-6");
  EXPECT_EQ(s46.major, 4);
  EXPECT_EQ(s46.minor, 6);
  EXPECT_TRUE(s46.native_json_schema);
  EXPECT_TRUE(s46.sampling_exclusive);
  auto h35 = an::traits_for("claude-3-5-haiku-20241022");
  EXPECT_EQ(h35.major, 3);
  EXPECT_EQ(h35.minor, 5);
  EXPECT_FALSE(h35.native_json_schema);
  EXPECT_FALSE(h35.sampling_exclusive);
  EXPECT_EQ(h35.default_max_tokens, 8192);
  auto s4 = an::traits_for("claude-sonnet-4-20250514");
  EXPECT_EQ(s4.minor, 0);  // the snapshot date is not a minor version
  EXPECT_FALSE(s4.native_json_schema);
  EXPECT_TRUE(an::traits_for("global.anthropic.claude-haiku-4-5-20251001-v1:0").native_json_schema);
  EXPECT_EQ(an::traits_for("some-other-model").default_max_tokens, 4096);
  EXPECT_EQ(an::model_family("claude-haiku-4-5-20251001"), "claude-haiku-4-5");
  EXPECT_EQ(an::model_family("claude-sonnet-4-6"), "claude-sonnet-4-6");
}

TEST(anthropic_codec, usage_splits_cache_writes_by_ttl) {
  // providers.md §3.5: input_tokens excludes cache reads and writes; cache_creation splits
  // the writes by TTL, and 1-hour writes are priced at their own rate.
  auto u = an::usage_from(json::parse(R"({"input_tokens":100,"output_tokens":7,
      "cache_read_input_tokens":40,"cache_creation_input_tokens":60,
      "cache_creation":{"ephemeral_5m_input_tokens":20,"ephemeral_1h_input_tokens":40}})")
                              .as_object());
  EXPECT_EQ(u.prompt_tokens, 200);
  EXPECT_EQ(u.cached_tokens, 40);
  EXPECT_EQ(u.cache_write_tokens, 60);
  EXPECT_EQ(u.cache_write_1h_tokens, 40);
  auto legacy = an::usage_from(
      json::parse(R"({"input_tokens":1,"output_tokens":1,"cache_creation_input_tokens":5})")
          .as_object());
  EXPECT_EQ(legacy.cache_write_1h_tokens, 0);
}

TEST(anthropic_codec, tool_ids_are_stateless_and_valid) {
  EXPECT_EQ(an::upstream_tool_id("call_abc-123"), "call_abc-123");
  EXPECT_EQ(an::upstream_tool_id("toolu_01XyZ"), "toolu_01XyZ");
  const std::string h = an::upstream_tool_id("call.odd/id");
  EXPECT_EQ(h, an::upstream_tool_id("call.odd/id"));  // deterministic
  EXPECT_EQ(h.size(), 41u);
  EXPECT_EQ(h[0], 't');
  for (char c : h) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << h;
  EXPECT_NE(h, an::upstream_tool_id("call.odd/id2"));
  EXPECT_NE(an::upstream_tool_id(std::string(65, 'a')), std::string(65, 'a'));  // > 64 chars
  EXPECT_NE(an::upstream_tool_id(""), "");
}

TEST(anthropic_codec, authorize_uses_x_api_key) {
  core::upstream_request req;
  providers::credentials creds;
  creds.api_key = "sk-ant-test";
  ASSERT_TRUE(adapter().authorize(req, creds, {}));
  ASSERT_EQ(req.headers.size(), 1u);
  EXPECT_EQ(req.headers[0].first, "x-api-key");
  EXPECT_EQ(req.headers[0].second, "sk-ant-test");
  core::upstream_request none;
  ASSERT_TRUE(adapter().authorize(none, providers::credentials{}, {}));
  EXPECT_TRUE(none.headers.empty());
}

TEST(anthropic_codec, newer_api_version_drops_sampling_with_warning) {
  auto r = hello();
  r.temperature = 0.2;
  providers::target t;
  t.model = "claude-sonnet-4-6";
  t.api_version = "2026-10-21";
  std::vector<std::string> warnings;
  t.warnings = &warnings;
  auto enc = adapter().encode(r, t);
  ASSERT_TRUE(enc);
  EXPECT_EQ(core::find_header(enc->headers, "anthropic-version").value_or(""), "2026-10-21");
  EXPECT_FALSE(json::parse(enc->body).as_object().contains("temperature"));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "temperature:unsupported_by_api_version");
}

TEST(anthropic_codec, thinking_state_only_reattached_for_same_family) {
  providers::tool_state_store store;
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'764'000'000));
  const std::string blocks = R"([{"type":"thinking","thinking":"t","signature":"s"}])";
  ASSERT_TRUE(store.put("toolu_1",
                        providers::tool_state{core::provider_kind::anthropic, "claude-opus-4-7",
                                              providers::tool_state_type::thinking_blocks, blocks},
                        now));
  auto r = hello();
  core::message a;
  a.role = core::role::assistant;
  a.tool_calls.push_back(core::tool_call{"toolu_1", "function", "f", "{}"});
  core::message tool;
  tool.role = core::role::tool;
  tool.tool_call_id = "toolu_1";
  tool.content = std::string("ok");
  r.messages.push_back(a);
  r.messages.push_back(tool);

  providers::target t;
  t.tool_state = &store;
  t.now = now;
  t.model = "claude-sonnet-4-6";  // another family: not re-attached
  auto enc = adapter().encode(r, t);
  ASSERT_TRUE(enc);
  EXPECT_EQ(enc->body.find("\"thinking\""), std::string::npos) << enc->body;
  t.model = "claude-opus-4-7";
  enc = adapter().encode(r, t);
  ASSERT_TRUE(enc);
  const json::value body = json::parse(enc->body);
  const auto& assistant = body.at("messages").as_array()[1].as_object();
  EXPECT_EQ(assistant.at("content").as_array()[0].at("type"), "thinking");
  EXPECT_EQ(assistant.at("content").as_array()[0].at("signature"), "s");
}

TEST(anthropic_codec, custom_tools_and_reserved_names_are_incapable) {
  auto r = hello();
  core::tool t;
  t.function.name = "json_output";
  r.tools.push_back(t);
  providers::target tgt;
  tgt.model = "claude-sonnet-4-6";
  auto enc = adapter().encode(r, tgt);
  ASSERT_FALSE(enc);
  EXPECT_EQ(enc.error().param, "tools[0].function.name");
  r.tools[0].type = "custom";
  enc = adapter().encode(r, tgt);
  ASSERT_FALSE(enc);
  EXPECT_EQ(enc.error().param, "tools[0].type");
}

TEST(anthropic_codec, stream_without_message_start_is_truncated) {
  providers::target t;
  auto d = adapter().make_stream_decoder(t);
  std::vector<core::stream_event> out;
  auto err = d->finish(out);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, core::error_kind::truncated);
}

}  // namespace
}  // namespace gi
