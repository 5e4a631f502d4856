// decode_chat_request's fast path must decode exactly what the general path decodes, or
// decline. Differential over every request body in the test corpus, the bench payloads,
// hand-picked edge cases and a seeded generator of field/value combinations (valid and
// invalid): whenever the fast path answers, the general path must accept the body and
// produce the same request, field by field.
#include "openai_api/request_fast_path.h"

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "openai_api/openai_api.h"
#include "support/test_support.h"

namespace gi::openai_api::detail {
namespace {

std::string hex(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", d);
  return buf;
}
template <class T>
std::string opt(const std::optional<T>& v) {
  if (!v) return "-";
  if constexpr (std::is_same_v<T, double>) return hex(*v);
  else if constexpr (std::is_same_v<T, std::string>) return "'" + *v + "'";
  else return std::to_string(*v);
}

// Every field of the canonical request, written out (doubles bit-exact).
std::string describe(const core::chat_request& r) {
  std::string s = "model=" + r.model + "\n";
  for (const auto& m : r.messages) {
    s += "msg role=" + std::to_string(static_cast<int>(m.role));
    if (const auto* t = std::get_if<std::string>(&m.content)) s += " text='" + *t + "'";
    else s += " content-kind=" + std::to_string(m.content.index());
    s += " name=" + opt(m.name) + " refusal=" + opt(m.refusal) +
         " tool_calls=" + std::to_string(m.tool_calls.size()) + " tool_call_id=" + m.tool_call_id +
         " reasoning=" + opt(m.reasoning_content) + " extra=" + std::to_string(m.extra.size()) + "\n";
  }
  s += "max_completion_tokens=" + opt(r.max_completion_tokens) +
       " legacy=" + std::to_string(r.max_tokens_legacy_field) + " temperature=" + opt(r.temperature) +
       " top_p=" + opt(r.top_p) + " n=" + opt(r.n) + " seed=" + opt(r.seed) +
       " fp=" + opt(r.frequency_penalty) + " pp=" + opt(r.presence_penalty) + "\n";
  s += "stop=" + std::to_string(r.stop_was_string);
  for (const auto& x : r.stop) s += " '" + x + "'";
  s += "\nlogit_bias=" + std::to_string(r.logit_bias.has_value()) +
       " logprobs=" + std::to_string(r.logprobs.has_value()) + " top_logprobs=" + opt(r.top_logprobs) +
       " effort=" + opt(r.reasoning_effort) + " verbosity=" + opt(r.verbosity) +
       " tier=" + opt(r.service_tier) + " user=" + opt(r.user) + " safety=" + opt(r.safety_identifier) +
       " cache_key=" + opt(r.prompt_cache_key) + " metadata=" + std::to_string(r.metadata.has_value()) + "\n";
  s += "stream=" + std::to_string(r.stream) + " stream_options=" +
       (r.stream_options ? opt(r.stream_options->include_usage) + "/" +
                               opt(r.stream_options->include_obfuscation)
                         : std::string("-")) +
       " tools=" + std::to_string(r.tools.size()) +
       " tool_choice=" + std::to_string(static_cast<int>(r.tool_choice.mode)) +
       " parallel=" + std::to_string(r.parallel_tool_calls.has_value()) +
       " response_format=" + std::to_string(static_cast<int>(r.response_format.type)) +
       " passthrough=" + std::to_string(r.passthrough.size()) + "\n";
  return s;
}

struct tally {
  int fast = 0, total = 0;
};

// Returns whether the fast path answered.
bool check(const std::string& body, tally& t) {
  ++t.total;
  auto fast = decode_chat_request_fast(body);
  auto general = decode_chat_request_general(body);
  // The in-place entry point (what the server uses) answers like the general path, and
  // leaves a fresh request behind on error (a declined fast read may have filled part).
  core::chat_request in_place;
  auto st = decode_chat_request(body, in_place);
  EXPECT_EQ(static_cast<bool>(st), static_cast<bool>(general)) << body;
  if (general) EXPECT_EQ(describe(in_place), describe(*general)) << body;
  else EXPECT_EQ(describe(in_place), describe(core::chat_request{})) << body;
  if (!fast) return false;
  ++t.fast;
  EXPECT_TRUE(general) << "fast path accepted a body the general path rejects ("
                       << (general ? "" : general.error().message) << "):\n" << body;
  if (general) {
    EXPECT_EQ(describe(*fast), describe(*general)) << body;
  }
  // The public entry point takes the fast path and gives the same answer.
  auto both = decode_chat_request(body);
  EXPECT_TRUE(both);
  if (both && general) {
    EXPECT_EQ(describe(*both), describe(*general));
  }
  return true;
}

TEST(request_fast_path, agrees_with_the_general_path_on_the_corpus) {
  tally t;
  for (const auto& e : std::filesystem::recursive_directory_iterator(test::source_dir() / "test")) {
    if (!e.is_regular_file()) continue;
    const auto name = e.path().filename().string();
    if (name.find("request") == std::string::npos || e.path().extension() != ".json") continue;
    check(test::read_file(e.path()), t);
  }
  for (const char* p : {"bench/configs/payloads/chat.json", "bench/configs/payloads/chat-stream.json"}) {
    EXPECT_TRUE(check(test::read_file(test::source_dir() / p), t)) << p << " must take the fast path";
  }
  RecordProperty("fast_path_taken", t.fast);
  RecordProperty("bodies", t.total);
  EXPECT_GT(t.total, 100);
  EXPECT_GT(t.fast, 10) << "the corpus has plain chat requests; the fast path must take them";
}

TEST(request_fast_path, declines_what_it_must_not_judge) {
  const char* bodies[] = {
      // invalid JSON, trailing bytes, wrong root
      "", "{", "[]", R"({"model":"m","messages":[{"role":"user","content":"hi"}]} x)",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}]}})",
      // duplicates
      R"({"model":"m","model":"n","messages":[{"role":"user","content":"hi"}]})",
      R"({"model":"m","messages":[{"role":"user","role":"system","content":"hi"}]})",
      // fields and shapes outside the fast path
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[]})",
      R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]})",
      R"({"model":"m","messages":[{"role":"tool","content":"x","tool_call_id":"a"}]})",
      R"({"model":"m","messages":[{"role":"assistant","content":null}]})",
      R"({"model":"m","messages":[{"role":"user","content":"hi","foo":1}]})",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"foo":1})",
      // numbers the general path must judge
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":1e0})",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":-0})",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.1234567890123456})",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":2.5})",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":256.0})",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":0})",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"seed":9223372036854775808})",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"n":01})",
      // cross-field rules
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}})",
      R"({"messages":[{"role":"user","content":"hi"}]})", R"({"model":"m"})",
      R"({"model":"","messages":[{"role":"user","content":"hi"}]})",
      R"({"model":"m","messages":[]})",
      // strings the general path must judge
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\x01b\"}]}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a\xff\"}]}",
      R"({"model":"m","messages":[{"role":"user","content":"\ud800"}]})",
      R"({"model":"m","messages":[{"role":"user","content":"\udc00"}]})",
      R"({"model":"m","messages":[{"role":"user","content":"\u12"}]})",
      R"({"model":"m","messages":[{"role":"user","content":"\x"}]})",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\xc3\"}]}",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"\xed\xa0\x80\"}]}",
      // literals and numbers with trailing bytes, truncation
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":truex})",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"user":nul})",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":1.})",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":-})",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":.5})",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}])",
      R"({"model":"m","messages":[{"role":"user","content":"hi"},]})",
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],})",
  };
  for (const char* b : bodies) EXPECT_FALSE(decode_chat_request_fast(b)) << b;
}

TEST(request_fast_path, takes_plain_requests_with_every_field_it_models) {
  tally t;
  EXPECT_TRUE(check(R"({"model":"openai/gpt-4o-mini","messages":[
      {"role":"system","content":"be brief"},{"role":"developer","content":""},
      {"role":"user","content":"caf\u00e9 \"q\" \\ \n \ud83d\ude00","name":"ann"},
      {"role":"assistant","content":"ok"}],
      "temperature":0.2,"top_p":1,"max_tokens":256,"presence_penalty":-1.5,"frequency_penalty":0,
      "n":2,"seed":-42,"stop":["a","b"],"user":"u1","stream":true,
      "stream_options":{"include_usage":true}})", t));
  EXPECT_TRUE(check(R"({"model":"m","messages":[{"role":"user","content":"hi"}],
      "temperature":null,"top_p":null,"max_tokens":null,"max_completion_tokens":7,"n":null,
      "seed":null,"stop":null,"user":null,"stream":null,"stream_options":null})", t));
  EXPECT_TRUE(check(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stop":"x",
      "max_tokens":5,"max_completion_tokens":9})", t));
  EXPECT_TRUE(check(R"({"\u006dodel":"m","messages":[{"role":"user","content":"hi"}]})", t));
  // Whitespace everywhere JSON allows it, and raw UTF-8 in strings.
  EXPECT_TRUE(check(" \r\n\t{ \"model\" : \"m\" ,\n \"messages\" :\t[ { \"role\" : \"user\" , "
                    "\"content\" : \"caf\xc3\xa9 \xf0\x9f\x98\x80\" } ] , \"stream\" : false , "
                    "\"stop\" : [ \"a\" ] } \n",
                    t));
  // A long string with escapes spread over it (the unescaping copy in several runs).
  std::string long_text;
  for (int i = 0; i < 200; ++i) long_text += i % 7 == 0 ? "\\n\\\"\\u00e9" : "word ";
  EXPECT_TRUE(check(R"({"model":"m","messages":[{"role":"user","content":")" + long_text + R"("}]})", t));
}

// Single-byte edits of a plain request (deleted, duplicated or replaced with a byte that
// matters to JSON): wherever the fast path still answers, the general path must agree.
TEST(request_fast_path, agrees_on_mutated_bodies) {
  const std::string base = test::read_file(test::source_dir() / "bench/configs/payloads/chat-stream.json");
  const std::string bytes = "{}[]\":,\\ ntfe.-+0159\x01\x80\xc3\xff";
  std::mt19937 rng(7);
  tally t;
  for (int i = 0; i < 4000; ++i) {
    std::string b = base;
    const std::size_t at = rng() % b.size();
    switch (rng() % 3) {
      case 0: b.erase(at, 1); break;
      case 1: b.insert(at, 1, b[at]); break;
      default: b[at] = bytes[rng() % bytes.size()]; break;
    }
    check(b, t);
  }
  RecordProperty("fast_path_taken", t.fast);
  EXPECT_GT(t.fast, 500) << t.fast << " of " << t.total;
}

// Seeded combinations of the fields the fast path models, with valid and invalid values.
TEST(request_fast_path, agrees_on_generated_requests) {
  const std::vector<std::string> temperature = {"0.2", "1", "0", "2", "2.5", "-0", "1e0", "0.30000000000000004",
                                                "\"0.2\"", "null", "true", "0.0000001", "1.000000000000001"};
  const std::vector<std::string> ints = {"1", "64", "0", "256", "256.0", "-1", "9223372036854775807",
                                         "9223372036854775808", "null", "\"5\"", "129", "128", "1e2"};
  const std::vector<std::string> stop = {"\"x\"", "[\"a\",\"b\"]", "[\"a\",\"b\",\"c\",\"d\",\"e\"]", "[]",
                                         "null", "5", "[1]"};
  const std::vector<std::string> flag = {"true", "false", "null", "\"true\"", "1"};
  const std::vector<std::string> sopts = {"{\"include_usage\":true}", "{}", "{\"include_usage\":null}",
                                          "{\"x\":1}", "null", "[]"};
  const std::vector<std::string> role = {"\"user\"", "\"assistant\"", "\"system\"", "\"developer\"",
                                         "\"tool\"", "\"x\"", "null"};
  const std::vector<std::string> content = {"\"hi\"", "\"\\u0041\\n\"", "\"\"", "null", "[{\"type\":\"text\",\"text\":\"a\"}]", "5"};
  const std::vector<std::string> keys = {"temperature", "top_p", "presence_penalty", "frequency_penalty"};
  const std::vector<std::string> int_keys = {"max_tokens", "max_completion_tokens", "n", "seed"};
  std::mt19937 rng(20261126);
  // Mostly the first two values of each list (valid ones), sometimes any: most bodies are
  // plain requests the fast path should take, the rest probe its edges.
  auto pick = [&rng](const std::vector<std::string>& v) -> const std::string& {
    if (rng() % 10 < 8) return v[rng() % 2];
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
  };
  tally t;
  for (int i = 0; i < 3000; ++i) {
    std::string b = "{\"model\":\"m\",\"messages\":[";
    const int nmsg = 1 + static_cast<int>(rng() % 2);
    for (int m = 0; m < nmsg; ++m) {
      if (m) b += ",";
      b += "{\"role\":" + pick(role) + ",\"content\":" + pick(content);
      if (rng() % 4 == 0) b += ",\"name\":" + std::string(rng() % 2 ? "\"n\"" : "null");
      b += "}";
    }
    b += "]";
    for (const auto& k : keys)
      if (rng() % 3 == 0) b += ",\"" + k + "\":" + pick(temperature);
    for (const auto& k : int_keys)
      if (rng() % 3 == 0) b += ",\"" + k + "\":" + pick(ints);
    if (rng() % 3 == 0) b += ",\"stop\":" + pick(stop);
    const bool streamed = rng() % 2 == 0;
    if (streamed) b += ",\"stream\":" + pick(flag);
    if (rng() % (streamed ? 2 : 12) == 0) b += ",\"stream_options\":" + pick(sopts);
    if (rng() % 4 == 0) b += ",\"user\":" + std::string(rng() % 2 ? "\"u\"" : "null");
    if (rng() % 20 == 0) b += ",\"temperature\":0.5";  // a possible duplicate
    b += "}";
    check(b, t);
  }
  RecordProperty("fast_path_taken", t.fast);
  EXPECT_GT(t.fast, 1000) << t.fast << " of " << t.total;
}

}  // namespace
}  // namespace gi::openai_api::detail
