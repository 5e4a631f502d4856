// Differential tests of the stream decoder's chunk readers (stream_chunk.h): whatever
// scan_chunk (the purpose-built scanner) accepts, scan_chunk_simd must accept and read
// identically, on every golden stream event, on hand-written edge chunks and on seeded
// mutations of both; and a decoder on the fast path must emit exactly what the general
// Boost.JSON path emits for the edge chunks.

#include <filesystem>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "golden_io.h"
#include "providers/openai_compat/codec.h"
#include "providers/openai_compat/dialect.h"
#include "providers/openai_compat/stream_chunk.h"
#include "support/test_support.h"
#include "upstream/sse_framer.h"

namespace gi {
namespace {

namespace fs = std::filesystem;
using namespace providers::openai_compat;

// Everything a reader put in the view that the decoder may use, as text (readable diffs).
std::string describe(const fast_chunk_view& v) {
  std::ostringstream s;
  auto opt = [&](const char* name, const std::optional<std::string_view>& o) {
    s << name << '=';
    if (o) s << '[' << *o << "] ";
    else s << "none ";
  };
  opt("id", v.id);
  opt("model", v.model);
  opt("fp", v.fingerprint);
  s << "created=" << v.created << " choices=" << v.choice_count << '\n';
  for (std::size_t i = 0; i < v.choice_count; ++i) {
    const fast_choice& c = v.choices[i];
    s << " choice object=" << c.object << " index=" << c.index_kind << '/' << c.index
      << " delta=" << c.delta << " role=" << c.role << ' ';
    opt("rc", c.reasoning_content);
    opt("r", c.reasoning);
    opt("content", c.content);
    opt("refusal", c.refusal);
    opt("finish", c.finish_reason);
    s << "tools=" << c.tool_count << '\n';
    for (std::size_t k = 0; k < c.tool_count; ++k) {
      const fast_tool& t = v.tools[c.first_tool + k];
      s << "  tool object=" << t.object << " index=" << t.index_kind << '/' << t.index << ' ';
      opt("id", t.id);
      s << "function=" << t.function << ' ';
      opt("name", t.name);
      s << "args=[" << t.arguments << "]\n";
    }
  }
  if (v.usage) {
    s << "usage " << v.usage->prompt_tokens << ' ' << v.usage->completion_tokens << ' '
      << v.usage->cached_tokens << ' ' << v.usage->cache_write_tokens << ' '
      << v.usage->reasoning_tokens << ' ' << v.usage->cache_write_1h_tokens << '\n';
  }
  return s.str();
}

// 1 = scan_chunk accepted (and agreed), 0 = declined; records a failure on disagreement.
// With `memo`, scan_chunk may resume after a head remembered from an earlier chunk.
int agree(std::string_view chunk, chunk_memo* memo = nullptr) {
  thread_local simdjson::dom::parser parser;
  // Exactly json.size() bytes, so an overrun shows under ASan.
  auto scratch = std::make_unique<char[]>(chunk.size() + (chunk.empty() ? 1 : 0));
  fast_chunk_view a, b;
  const bool fa = scan_chunk(chunk, scratch.get(), a, memo);
  const bool fb = scan_chunk_simd(parser, chunk, b);
  if (!fa) return 0;
  EXPECT_TRUE(fb) << "scan_chunk accepted what simdjson declines: " << chunk;
  if (fb) {
    EXPECT_EQ(describe(a), describe(b)) << chunk;
  }
  return 1;
}

// Every golden upstream stream's chunk payloads, in order, one list per stream.
std::vector<std::vector<std::string>> golden_streams() {
  std::vector<std::vector<std::string>> out;
  for (const auto& e : fs::recursive_directory_iterator(test::source_dir() / "test" / "golden")) {
    if (e.path().filename() != "upstream.stream.sse") continue;
    upstream::sse_framer framer;
    std::vector<upstream::sse_event> framed;
    framer.feed(test::read_file(e.path()), framed);
    (void)framer.finish(framed);
    auto& chunks = out.emplace_back();
    for (auto& f : framed)
      if (!f.data.empty() && f.data != "[DONE]") chunks.push_back(std::move(f.data));
  }
  return out;
}

std::vector<std::string> golden_chunks() {
  std::vector<std::string> out;
  for (auto& stream : golden_streams())
    for (auto& c : stream) out.push_back(std::move(c));
  return out;
}

constexpr std::string_view head =
    R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1735689600,"model":"gpt-4o-mini","system_fingerprint":"fp_1",)";

std::string with_choices(std::string_view choices) {
  return std::string(head) + R"("choices":[)" + std::string(choices) + "]}";
}
std::string with_delta(std::string_view delta) {
  return with_choices(R"({"index":0,"delta":)" + std::string(delta) +
                      R"(,"logprobs":null,"finish_reason":null})");
}

// Chunks scan_chunk must read itself (the fast path is really taken) and read right.
std::vector<std::string> accepted_chunks() {
  return {
      R"({"id":"chatcmpl-bench0000000000000000000001","object":"chat.completion.chunk","created":1735689600,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_bench0001","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]})",
      with_delta(R"({"content":"Hello"})"),
      with_delta(R"({"content":"q\" b\\ s\/ \b\f\n\r\t end"})"),
      with_delta(R"({"content":"\u00e9\u4E2D\u0041\u0000\u007f\u0080\u07ff\u0800\uffff."})"),
      with_delta(R"({"content":"pair \ud83d\ude00 \uD83D\uDE00 \udbff\udfff!"})"),
      with_delta("{\"content\":\"h\xc3\xa9llo \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80 \x7f\"}"),
      with_delta(R"({"content":"a long content string that spans several eight-byte words \n and escapes \" late in the run"})"),
      with_delta(R"({"content":"1234567"})"),
      with_delta(R"({"content":"12345678"})"),
      with_delta(R"({"content":"\n"})"),
      with_delta(R"({"content":""})"),
      with_delta(R"({"content":null,"role":null})"),
      with_delta(R"({"content":"a","content":"b"})"),
      with_delta(R"({"content":"a","content":null})"),
      with_delta(R"({"con\u0074ent":"escaped key"})"),
      with_delta(R"({"reasoning_content":"think","reasoning":" more","refusal":"no"})"),
      with_delta(R"({"reasoning_content":5,"reasoning":null,"refusal":[1]})"),
      with_delta(R"({"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]})"),
      with_delta(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Par"}}]})"),
      with_delta(R"({"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{}"}},{"index":1,"id":"b","function":{"name":"g","arguments":null}}]})"),
      with_delta(R"({"tool_calls":[{"id":"a","function":null},5,{"function":{"name":null}},{"index":"x","function":{}}]})"),
      with_delta(R"({"tool_calls":[{"index":0,"function":{"arguments":"x"},"function":7}]})"),
      with_delta(R"({"tool_calls":[{"index":0}],"tool_calls":null})"),
      with_delta(R"({"tool_calls":[{"index":0}],"tool_calls":[{"index":2}]})"),
      with_delta(R"(null)"),
      with_delta(R"("text")"),
      with_choices(R"({"index":0,"delta":{"content":"a","tool_calls":[{"index":0}]},"delta":4})"),
      with_choices(R"({"index":0,"delta":{},"finish_reason":"stop"})"),
      with_choices(R"({"index":0,"delta":{},"finish_reason":"tool_calls"},{"index":1,"delta":{"content":"x"},"finish_reason":"length"})"),
      with_choices(R"(1,{"delta":{"content":"positional"}},null,{"index":3,"delta":{},"finish_reason":"content_filter"})"),
      with_choices(R"({"finish_reason":7,"index":null,"delta":{"content":"late"}})"),
      with_choices(""),
      std::string(head) + R"("choices":[{"index":0,"delta":{"content":"x"}}],"choices":null})",
      std::string(head) + R"("choices":[{"index":0,"delta":{"content":"x"}}],"choices":[]})",
      R"({"choices":[{"delta":{"content":"order"},"index":0}],"model":"m2","created":7,"id":"x","object":"chat.completion.chunk"})",
      R"({"id":null,"model":5,"created":"soon","system_fingerprint":null,"choices":[]})",
      R"({"id":"a","id":"b","created":1,"created":null})",
      R"({})",
      " \t\r\n{ \"id\" : \"w\" ,\n  \"choices\" : [ { \"index\" : 0 , \"delta\" : { \"content\" : \"ws\" } , "
      "\"finish_reason\" : null } ] , \"usage\" : { \"prompt_tokens\" : 3 } }\n ",
      std::string(head) + R"("choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21,"prompt_tokens_details":{"cached_tokens":4,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":5,"accepted_prediction_tokens":0}}})",
      std::string(head) + R"("choices":[],"usage":{"prompt_tokens":9,"prompt_cache_hit_tokens":3,"prompt_cache_miss_tokens":6,"prompt_tokens_details":{"cached_tokens":1,"cache_write_tokens":2}}})",
      std::string(head) + R"("choices":[],"usage":{"prompt_cache_hit_tokens":"x","prompt_tokens_details":null,"completion_tokens_details":[]}})",
      std::string(head) + R"("choices":[],"usage":{"prompt_tokens":1},"usage":null})",
      std::string(head) + R"("choices":[],"usage":5})",
      std::string(head) + R"("error":null,"x_groq":null,"choices":[]})",
      std::string(head) + R"("x_groq":"s","choices":[]})",
      std::string(head) + R"("unknown":{"a":[1,-2,0.5,-0,-0.25,true,false,null,"s\u00e9",{"b":{}}],"c":[]},"choices":[]})",
      std::string(head) + R"("logprobs":{"content":[{"token":"a","logprob":-0.31,"bytes":[97],"top_logprobs":[]}]},"choices":[]})",
      std::string(head) + R"("created2":123456789012345678,"choices":[]})",
      R"({"created":123456789012345678,"choices":[{"index":0}]})",
  };
}

// Chunks scan_chunk must leave to the other readers (the general path may still take them).
std::vector<std::string> declined_chunks() {
  return {
      "",
      "[]",
      "\"x\"",
      "null",
      "{",
      R"({"id":"a",})",
      R"({"id":"a"} x)",
      std::string(R"({"id":"a"})") + '\0',
      R"({"id":"a"}{})",
      R"({"error":{"message":"overloaded","type":"server_error"}})",
      R"({"error":"x"})",
      std::string(head) + R"("x_groq":{"id":"req_1","usage":{"prompt_tokens":1}},"choices":[]})",
      with_delta(R"({"content":[{"type":"text","text":"mistral"}]})"),
      with_delta(R"({"content":5})"),
      with_delta(R"({"content":"lone \ud800 high"})"),
      with_delta(R"({"content":"lone \udc00 low"})"),
      with_delta(R"({"content":"\ud800\u0041"})"),
      with_delta(R"({"content":"bad \x escape"})"),
      with_delta(R"({"content":"bad \u12g4 hex"})"),
      with_delta("{\"content\":\"raw \x01 control\"}"),
      with_delta("{\"content\":\"raw\ttab\"}"),
      with_delta("{\"content\":\"bad \xff utf8\"}"),
      with_delta("{\"content\":\"cut \xe4\xb8\"}"),
      with_delta("{\"content\":\"overlong \xc0\xaf\"}"),
      with_delta(R"({"content":"unterminated)"),
      with_delta(R"({"tool_calls":[{"index":0,"function":{"arguments":{"city":"Paris"}}}]})"),
      with_delta(R"({"tool_calls":[{"index":1.0}]})"),
      with_delta(R"({"tool_calls":[{"index":-1}]})"),
      with_delta(R"({"tool_calls":[{},{},{},{},{},{},{},{},{}]})"),
      with_choices(R"({"index":0.5})"),
      with_choices(R"({},{},{},{},{})"),
      R"({"created":1.5})",
      R"({"created":-1})",
      R"({"created":1e3})",
      R"({"created":1234567890123456789})",
      R"({"created":01})",
      R"({"n":1e5})",
      R"({"n":12345678901234567890})",
      R"({"n":-})",
      R"({"n":1.})",
      R"({"n":tru})",
      R"({"n":nul})",
      R"({"n":[1,]})",
      R"({"n":{"a":1,}})",
      R"({"n":'x'})",
      std::string(head) + R"("usage":{"prompt_tokens":1.5},"choices":[]})",
  };
}

TEST(stream_chunk, golden_events_read_alike) {
  const auto chunks = golden_chunks();
  ASSERT_GT(chunks.size(), 100u);
  int accepted = 0;
  for (const auto& c : chunks) accepted += agree(c);
  // Most golden chunks are of the common shape; the scanner must actually take them.
  EXPECT_GT(accepted * 10, static_cast<int>(chunks.size()) * 7) << accepted << " of " << chunks.size();
}

// Each golden stream's chunks in order through one memo, as the decoder reads them.
TEST(stream_chunk, golden_streams_read_alike_with_memo) {
  std::size_t resumed = 0, reused = 0;
  for (const auto& stream : golden_streams()) {
    chunk_memo memo;
    for (const auto& chunk : stream) agree(chunk, &memo);
    resumed += memo.resumed;
    reused += memo.reused;
  }
  // The memo is really used, both ways.
  EXPECT_GT(resumed, 30u);
  EXPECT_GT(reused, 3u);
}

// Text chunks after a remembered one: only the text differs, in every way that must (or
// must not) be read alike.
TEST(stream_chunk, text_chunks_after_a_remembered_one) {
  // Raw JSON string bodies (escapes as sent on the wire).
  const std::vector<std::string> texts = {
      "", "x", "Hello", " world, longer than sixteen bytes of plain text", R"(\n)", R"(a\\b)",
      R"(q\"q)", R"(\u00e9)", R"(\ud83d\ude00)", R"(\ud800)", "h\xc3\xa9", "\xe4\xb8\xad\xe6\x96\x87",
      "\xff", "\xc3", "\xed\xa0\x80", "tab\there", "\x01", "\"", "\\", "a\"b", R"(\x)",
      R"(},"content":"y)", R"(","role":"x)", std::string(300, 'a')};
  for (const char* before : {"Hello", "", "h\xc3\xa9", R"(a\nb)"}) {
    for (const char* tail : {R"(},"logprobs":null,"finish_reason":null}]})",
                             R"(,"refusal":null},"finish_reason":null}]})",
                             R"(},"finish_reason":"stop"}],"usage":{"prompt_tokens":2}})"}) {
      auto chunk = [&](const std::string& text) {
        return std::string(head) + R"("choices":[{"index":0,"delta":{"content":")" + text +
               '"' + tail;
      };
      chunk_memo memo;
      agree(chunk(before), &memo);
      for (const auto& t : texts) {
        agree(chunk(t), &memo);
        agree(chunk(before), &memo);
      }
      // An escaped text is not remembered (the plain ones between still are).
      const bool plain = std::string_view(before).find('\\') == std::string_view::npos;
      EXPECT_GT(memo.reused, plain ? texts.size() : 4u) << before << tail;
    }
  }
}

TEST(stream_chunk, edge_chunks) {
  for (const auto& c : accepted_chunks()) EXPECT_EQ(agree(c), 1) << "declined: " << c;
  for (const auto& c : declined_chunks()) EXPECT_EQ(agree(c), 0) << "accepted: " << c;
  // Deeper than the scanner goes. (Not in declined_chunks: simdjson reads it but Boost.JSON,
  // limited to depth 32, does not, so the decoder's two paths already differ on it.)
  EXPECT_EQ(agree(R"({"n":)" + std::string(40, '[') + std::string(40, ']') + "}"), 0);
  EXPECT_EQ(agree(R"({"n":)" + std::string(14, '[') + std::string(14, ']') + "}"), 1);
}

TEST(stream_chunk, mutations_read_alike) {
  std::vector<std::string> seeds = golden_chunks();
  for (auto& c : accepted_chunks()) seeds.push_back(std::move(c));
  for (auto& c : declined_chunks()) seeds.push_back(std::move(c));
  // Bytes that change JSON structure, escapes, numbers, literals and UTF-8.
  static constexpr std::string_view alphabet =
      "\"\\{}[],: \t\nu0189aefnlrt.-+E\x01\x1f\x7f\x80\xbf\xc3\xe4\xed\xf0\xff";
  std::mt19937 rng(20261126);
  int accepted = 0, total = 0;
  for (const auto& seed : seeds) {
    if (seed.empty()) continue;
    for (int i = 0; i < 150; ++i) {
      std::string m = seed;
      const int edits = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < edits && !m.empty(); ++e) {
        const std::size_t at = rng() % m.size();
        const char b = rng() % 4 == 0 ? static_cast<char>(rng() % 256)
                                      : alphabet[rng() % alphabet.size()];
        switch (rng() % 4) {
          case 0: m[at] = b; break;
          case 1: m.insert(m.begin() + static_cast<std::ptrdiff_t>(at), b); break;
          case 2: m.erase(at, 1); break;
          default: m.resize(at); break;  // a cut chunk
        }
      }
      accepted += agree(m);
      // The mutant after its seed (resuming in or past a changed head), and the seed after
      // the mutant (a head remembered from damaged bytes).
      chunk_memo memo;
      agree(seed, &memo);
      agree(m, &memo);
      chunk_memo memo2;
      agree(m, &memo2);
      agree(seed, &memo2);
      agree(m, &memo2);
      ++total;
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_GT(accepted, total / 20);  // plenty of mutants stay valid and are compared
}

// The decoder on the fast path (scan_chunk first) emits what the general path emits.
TEST(stream_chunk, decoder_paths_agree_on_edge_chunks) {
  std::vector<std::string> chunks = accepted_chunks();
  for (auto& c : declined_chunks()) chunks.push_back(std::move(c));
  for (const dialect* d : {&openai_dialect(), &deepseek_dialect(), &groq_dialect()}) {
    providers::target tgt;
    tgt.model = "test-model";
    auto run = [&](const std::vector<std::string>& events, bool fast) {
      auto dec = new_stream_decoder(*d, tgt, fast);
      std::vector<core::stream_event> out;
      for (const auto& e : events) dec->feed(providers::framed_event{"", e, ""}, out);
      dec->feed(providers::framed_event{"", "[DONE]", ""}, out);
      auto err = dec->finish(out);
      std::string s;
      for (const auto& ev : out) s += boost::json::serialize(test::golden::to_json(ev)) + "\n";
      if (err) s += boost::json::serialize(test::golden::to_json(*err));
      return s;
    };
    for (const auto& c : chunks) EXPECT_EQ(run({c}, true), run({c}, false)) << c;
    // A whole stream: state carried across chunks (roles, tool calls by index, usage).
    EXPECT_EQ(run(chunks, true), run(chunks, false));
    const std::vector<std::string> tools = {
        with_delta(R"({"role":"assistant","content":null})"),
        with_delta(R"({"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]})"),
        with_delta(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":"}}]})"),
        with_delta(R"({"tool_calls":[{"index":0,"function":{"arguments":"\"\u00e9\"}"}}]})"),
        with_delta(R"({"tool_calls":[{"id":"call_2","function":{"name":"g","arguments":"{}"}}]})"),
        with_choices(R"({"index":0,"delta":{},"finish_reason":"tool_calls"})"),
        std::string(head) + R"("choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7}})",
    };
    EXPECT_EQ(run(tools, true), run(tools, false));
  }
}

}  // namespace
}  // namespace gi
