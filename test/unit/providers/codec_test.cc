// Non-golden checks of the adapter surface: registry, capabilities, authorize, retry-after
// parsing, and encoder/decoder edge cases that are clearer as code than as fixtures.

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "providers/registry.h"
#include "providers/tool_state_store.h"

namespace gi::providers {
namespace {

namespace json = boost::json;

TEST(registry, every_kind_is_wired_or_explicitly_unavailable) {
  for (core::provider_kind k : core::all_providers) {
    const adapter* a = find_adapter(k);
    switch (k) {
      case core::provider_kind::bedrock:
      case core::provider_kind::gemini:
      case core::provider_kind::anthropic:
      case core::provider_kind::openai:
      case core::provider_kind::groq:
      case core::provider_kind::deepseek:
      case core::provider_kind::xai:
      case core::provider_kind::mistral:
        ASSERT_NE(a, nullptr) << core::to_string(k);
        EXPECT_EQ(a->kind(), k);
        EXPECT_EQ(find_adapter(k), a) << "singleton";
        break;
    }
  }
}

TEST(capabilities, dialect_differences) {
  EXPECT_EQ(find_adapter(core::provider_kind::mistral)->capabilities().tool_ids, tool_id_rule::alnum_9);
  EXPECT_EQ(find_adapter(core::provider_kind::openai)->capabilities().tool_ids, tool_id_rule::any);
  EXPECT_EQ(find_adapter(core::provider_kind::deepseek)->capabilities().json_schema,
            json_schema_support::emulated);
  EXPECT_FALSE(find_adapter(core::provider_kind::deepseek)->capabilities().vision);
  EXPECT_TRUE(find_adapter(core::provider_kind::deepseek)->capabilities().reasoning_signatures);
  EXPECT_TRUE(find_adapter(core::provider_kind::openai)->capabilities().vision);
}

TEST(authorize, bearer_and_openai_scoping) {
  const adapter* a = find_adapter(core::provider_kind::openai);
  core::upstream_request r;
  credentials c;
  c.api_key = "sk-test";
  c.organization = "org_1";
  c.project = "proj_1";
  ASSERT_TRUE(a->authorize(r, c, {}));
  EXPECT_EQ(core::find_header(r.headers, "Authorization").value_or(""), "Bearer sk-test");
  EXPECT_EQ(core::find_header(r.headers, "openai-organization").value_or(""), "org_1");
  EXPECT_EQ(core::find_header(r.headers, "openai-project").value_or(""), "proj_1");

  core::upstream_request g;
  ASSERT_TRUE(find_adapter(core::provider_kind::groq)->authorize(g, c, {}));
  EXPECT_EQ(core::find_header(g.headers, "authorization").value_or(""), "Bearer sk-test");
  EXPECT_FALSE(core::find_header(g.headers, "openai-organization")) << "OpenAI-only header";

  core::upstream_request none;
  ASSERT_TRUE(a->authorize(none, credentials{}, {}));
  EXPECT_TRUE(none.headers.empty()) << "auth: none endpoints get no credential header";
}

TEST(classify_error, retry_after_forms) {
  const adapter* a = find_adapter(core::provider_kind::openai);
  const std::string body = R"({"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}})";
  auto e = a->classify_error(429, {{"Retry-After", "2"}}, body);
  EXPECT_EQ(e.kind, core::error_kind::rate_limited);
  ASSERT_TRUE(e.retry_after);
  EXPECT_EQ(e.retry_after->count(), 2000);
  e = a->classify_error(429, {{"retry-after", "1.5"}, {"retry-after-ms", "250.2"}}, body);
  ASSERT_TRUE(e.retry_after);
  EXPECT_EQ(e.retry_after->count(), 251) << "retry-after-ms wins, rounded up";
  e = a->classify_error(429, {{"retry-after", "Wed, 21 Oct 2026 07:28:00 GMT"}}, body);
  EXPECT_FALSE(e.retry_after) << "HTTP-date ignored";
  e = a->classify_error(429, {{"retry-after", "-3"}}, body);
  EXPECT_FALSE(e.retry_after);
}

TEST(classify_error, status_table) {
  const adapter* a = find_adapter(core::provider_kind::groq);
  struct row { int status; core::error_kind kind; };
  for (row r : {row{400, core::error_kind::upstream_invalid_request},
                row{401, core::error_kind::auth}, row{402, core::error_kind::auth},
                row{403, core::error_kind::auth}, row{404, core::error_kind::auth},
                row{408, core::error_kind::timeout}, row{409, core::error_kind::unknown},
                row{413, core::error_kind::upstream_invalid_request},
                row{422, core::error_kind::upstream_invalid_request},
                row{429, core::error_kind::rate_limited}, row{498, core::error_kind::overloaded},
                row{500, core::error_kind::upstream_5xx}, row{502, core::error_kind::upstream_5xx},
                row{503, core::error_kind::overloaded}, row{504, core::error_kind::timeout}}) {
    auto e = a->classify_error(r.status, {}, "<html>bad gateway</html>");
    EXPECT_EQ(e.kind, r.kind) << r.status;
    EXPECT_EQ(e.upstream_status, r.status);
  }
}

TEST(decode, garbage_bodies_are_protocol_errors) {
  const adapter* a = find_adapter(core::provider_kind::openai);
  target t;
  for (const char* body : {"", "not json", "[1,2]", R"({"id":"x"})"}) {
    auto r = a->decode(t, 200, {}, body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().kind, core::error_kind::protocol) << body;
    EXPECT_TRUE(r.error().fallback_allowed());
  }
}

TEST(stream, garbage_and_truncation) {
  const adapter* a = find_adapter(core::provider_kind::openai);
  target t;
  auto d = a->make_stream_decoder(t);
  std::vector<core::stream_event> out;
  d->feed(framed_event{"", "{not json", ""}, out);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<core::stream_error>(out[0]));
  EXPECT_EQ(std::get<core::stream_error>(out[0]).err.kind, core::error_kind::protocol);
  EXPECT_FALSE(d->finish(out)) << "already reported";

  auto empty = a->make_stream_decoder(t);
  out.clear();
  auto err = empty->finish(out);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, core::error_kind::truncated);
}

TEST(encode, deepseek_echo_uses_side_store_then_client_value) {
  const adapter* a = find_adapter(core::provider_kind::deepseek);
  tool_state_store store;
  target t;
  t.model = "deepseek-reasoner";
  t.tool_state = &store;
  t.now = std::chrono::system_clock::time_point(std::chrono::hours(1000));
  ASSERT_TRUE(store.put("call_9", tool_state{core::provider_kind::deepseek, "deepseek-reasoner",
                                             tool_state_type::reasoning_content, "I should look it up"},
                        t.now));
  core::chat_request req;
  req.messages.resize(3);
  req.messages[0].content = std::string("weather?");
  req.messages[1].role = core::role::assistant;
  req.messages[1].tool_calls.push_back(core::tool_call{"call_9", "function", "get_weather", "{}"});
  req.messages[2].role = core::role::tool;
  req.messages[2].tool_call_id = "call_9";
  req.messages[2].content = std::string("sunny");
  auto enc = a->encode(req, t);
  ASSERT_TRUE(enc);
  auto body = json::parse(enc->body);
  EXPECT_EQ(body.at("messages").at(1).at("reasoning_content"), "I should look it up");

  req.messages[1].reasoning_content = "client kept it";
  enc = a->encode(req, t);
  ASSERT_TRUE(enc);
  EXPECT_EQ(json::parse(enc->body).at("messages").at(1).at("reasoning_content"), "client kept it");

  t.model = "deepseek-chat";  // non-thinking: stripped
  enc = a->encode(req, t);
  ASSERT_TRUE(enc);
  EXPECT_FALSE(json::parse(enc->body).at("messages").at(1).as_object().contains("reasoning_content"));
}

}  // namespace
}  // namespace gi::providers
