// ConverseStream -> canonical events (providers.md §12.3) through the real framing: the
// event-stream frames in test/data/bedrock-eventstream/ decoded by event_stream::decoder and
// fed to the Bedrock stream decoder whole, byte by byte and in seeded random splits; plus
// exception frames, cut streams and the reasoning side store.

#include <random>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "golden_io.h"
#include "providers/bedrock/event_stream.h"
#include "providers/registry.h"
#include "providers/tool_state_store.h"
#include "support/test_support.h"

namespace gi {
namespace {

namespace es = providers::bedrock::event_stream;
namespace json = boost::json;

const providers::adapter& bedrock() { return *providers::find_adapter(core::provider_kind::bedrock); }

struct outcome {
  std::string events;  // serialised canonical events
  std::string finish;  // finish() error or "ok"
};

outcome run(const std::string& bin, const std::vector<std::size_t>& cuts, providers::tool_state_store* store = nullptr) {
  providers::target t;
  t.model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
  t.tool_state = store;
  auto dec = bedrock().make_stream_decoder(t);
  es::decoder framing;
  std::vector<es::message> msgs;
  std::vector<core::stream_event> evs;
  std::string framing_error;
  auto pump = [&](std::string_view piece) {
    if (auto e = framing.feed(piece, msgs); e != es::decode_error::none) framing_error = std::string(es::to_string(e));
    for (const auto& m : msgs) {
      auto type = m.string_header(":message-type").value_or("");
      auto name = type == "exception" ? m.string_header(":exception-type").value_or("") : m.string_header(":event-type").value_or("");
      dec->feed({name, m.payload, type}, evs);
    }
    msgs.clear();
  };
  std::size_t pos = 0;
  for (std::size_t c : cuts) {
    pump(std::string_view(bin).substr(pos, c - pos));
    pos = c;
  }
  pump(std::string_view(bin).substr(pos));
  outcome o;
  auto err = dec->finish(evs);
  for (const auto& e : evs) o.events += json::serialize(test::golden::to_json(e)) + "\n";
  o.finish = !framing_error.empty() ? framing_error : err ? json::serialize(test::golden::to_json(*err)) : "ok";
  return o;
}

std::string bin(const char* name) {
  return test::read_file(test::source_dir() / "test" / "data" / "bedrock-eventstream" / name);
}

TEST(bedrock_stream, text_and_tool_whole_bytewise_random) {
  const std::string b = bin("converse-stream-text-and-tool.bin");
  outcome whole = run(b, {});
  EXPECT_EQ(whole.finish, "ok");
  EXPECT_NE(whole.events.find(R"("type":"role")"), std::string::npos) << whole.events;
  EXPECT_NE(whole.events.find("tool_call_start"), std::string::npos) << whole.events;
  EXPECT_NE(whole.events.find("\"tool_calls\""), std::string::npos) << whole.events;  // finish reason
  EXPECT_NE(whole.events.find("usage"), std::string::npos) << whole.events;
  EXPECT_NE(whole.events.find(R"("type":"end")"), std::string::npos) << whole.events;
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < b.size(); ++i) every.push_back(i);
  EXPECT_EQ(run(b, every).events, whole.events);
  for (std::uint32_t seed : {3u, 17u, 2024u}) {
    std::mt19937 rng(seed);
    std::vector<std::size_t> cuts;
    for (std::size_t p = 0;;) {
      p += 1 + rng() % 61;
      if (p >= b.size()) break;
      cuts.push_back(p);
    }
    EXPECT_EQ(run(b, cuts).events, whole.events) << seed;
  }
}

TEST(bedrock_stream, throttling_exception_frame_is_a_rate_limited_stream_error) {
  outcome o = run(bin("converse-stream-throttling-exception.bin"), {});
  EXPECT_NE(o.events.find(R"("type":"error")"), std::string::npos) << o.events;
  EXPECT_NE(o.events.find("rate_limited"), std::string::npos) << o.events;
  EXPECT_NE(o.events.find("bedrock:ThrottlingException"), std::string::npos) << o.events;
  EXPECT_EQ(o.finish, "ok");
}

TEST(bedrock_stream, cut_before_message_stop_is_truncated) {
  const std::string b = bin("converse-stream-text-and-tool.bin");
  // Drop the last two messages (messageStop, metadata) by decoding and re-encoding.
  es::decoder d;
  std::vector<es::message> msgs;
  ASSERT_EQ(d.feed(b, msgs), es::decode_error::none);
  std::string cut;
  for (std::size_t i = 0; i + 2 < msgs.size(); ++i) cut += es::encode(msgs[i]);
  outcome o = run(cut, {});
  EXPECT_NE(o.finish.find("truncated"), std::string::npos) << o.finish;
  // Cut after messageStop but before metadata: finishes without usage (§12.3).
  std::string no_meta;
  for (std::size_t i = 0; i + 1 < msgs.size(); ++i) no_meta += es::encode(msgs[i]);
  outcome o2 = run(no_meta, {});
  EXPECT_EQ(o2.finish, "ok");
  EXPECT_EQ(o2.events.find(R"("type":"usage")"), std::string::npos);
  EXPECT_NE(o2.events.find(R"("type":"end")"), std::string::npos);
}

TEST(bedrock_stream, corrupted_crc_is_a_framing_error) {
  std::string b = bin("converse-stream-text-and-tool.bin");
  b[200] = static_cast<char>(b[200] ^ 0x10);
  EXPECT_NE(run(b, {}).finish.find("CRC"), std::string::npos);
}

TEST(bedrock_stream, reasoning_signature_goes_to_the_side_store_and_back) {
  auto frame = [](const char* type, const char* payload) {
    es::message m;
    m.headers = {{":event-type", std::string(type)}, {":content-type", std::string("application/json")},
                 {":message-type", std::string("event")}};
    m.payload = payload;
    return es::encode(m);
  };
  std::string b = frame("messageStart", R"({"role":"assistant","p":"abc"})") +
                  frame("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"think"}},"p":"x"})") +
                  frame("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"SIG"}}})") +
                  frame("contentBlockStop", R"({"contentBlockIndex":0})") +
                  frame("contentBlockStart", R"({"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_A","name":"f"}}})") +
                  frame("contentBlockStop", R"({"contentBlockIndex":1})") +
                  frame("messageStop", R"({"stopReason":"tool_use"})") +
                  frame("metadata", R"({"usage":{"inputTokens":5,"outputTokens":2,"totalTokens":7}})");
  providers::tool_state_store store;
  outcome o = run(b, {}, &store);
  EXPECT_EQ(o.finish, "ok");
  EXPECT_NE(o.events.find(R"("type":"reasoning")"), std::string::npos);
  auto st = store.get("tooluse_A", {});
  ASSERT_TRUE(st);
  EXPECT_EQ(st->data, R"([{"reasoningContent":{"reasoningText":{"text":"think","signature":"SIG"}}}])");

  // The next request re-attaches it before the toolUse (same model).
  core::chat_request req;
  core::message u;
  u.content = std::string("hi");
  core::message a;
  a.role = core::role::assistant;
  a.tool_calls.push_back({"tooluse_A", "function", "f", "{}"});
  core::message t;
  t.role = core::role::tool;
  t.tool_call_id = "tooluse_A";
  t.content = std::string("ok");
  req.messages = {u, a, t};
  providers::target tgt;
  tgt.model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
  tgt.tool_state = &store;
  auto enc = bedrock().encode(req, tgt);
  ASSERT_TRUE(enc);
  EXPECT_NE(enc->body.find(R"([{"reasoningContent":{"reasoningText":{"text":"think","signature":"SIG"}}},{"toolUse")"), std::string::npos) << enc->body;
  EXPECT_NE(enc->body.find("toolConfig"), std::string::npos) << enc->body;
}

TEST(bedrock_codec, model_ids_are_percent_encoded_in_the_path_and_signed) {
  core::chat_request req;
  core::message u;
  u.content = std::string("hi");
  req.messages = {u};
  providers::target tgt;
  tgt.model = "arn:aws:bedrock:us-east-1:123:inference-profile/us.amazon.nova-lite-v1:0";
  tgt.region = "eu-west-1";
  auto enc = bedrock().encode(req, tgt);
  ASSERT_TRUE(enc);
  EXPECT_EQ(enc->path, "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fus.amazon.nova-lite-v1%3A0/converse");
  EXPECT_EQ(*core::find_header(enc->headers, "host"), "bedrock-runtime.eu-west-1.amazonaws.com");
  providers::credentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  c.session_token = "TOKEN";
  ASSERT_TRUE(bedrock().authorize(*enc, c, std::chrono::system_clock::time_point(std::chrono::seconds(1440938160))));
  auto auth = std::string(*core::find_header(enc->headers, "authorization"));
  EXPECT_TRUE(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/bedrock/aws4_request, "
                               "SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, Signature="))
      << auth;
  // Bearer API key instead.
  auto enc2 = bedrock().encode(req, tgt);
  providers::credentials k;
  k.api_key = "bedrock-api-key";
  ASSERT_TRUE(bedrock().authorize(*enc2, k, {}));
  EXPECT_EQ(*core::find_header(enc2->headers, "authorization"), "Bearer bedrock-api-key");
}

}  // namespace
}  // namespace gi
