// One parameterised suite over test/golden/<dialect>/<case>/ (style.md §3). Each case runs
// every stage it has files for:
//   encode   request.openai.json          -> expected.upstream_request.json
//                                            (or expected.encode_error.json)
//   decode   upstream.response.json       -> expected.response.json
//   stream   upstream.stream.sse          -> expected.stream.events.jsonl (whole, byte by
//            byte and seeded random splits through upstream::sse_framer; identical events
//            and aggregates)
//   error    upstream.error.json + case.toml `status`, `header.<name>` -> expected.error.json
//   state    expected.tool_state.json: side-store entries written by decode / stream
// case.toml keys: dialect, model, path_prefix, status, header.<name>, state.<tool_call_id>
// (pre-seeds the side store with DeepSeek reasoning, or with Anthropic thinking blocks when
// state_type = "thinking_blocks"), request_stream_usage, decode_path (= "general": the
// OpenAI-family simdjson fast path must decline this case; every other decode case must
// take it, and both paths must decode it identically).
// GW_UPDATE_GOLDEN=1 rewrites the expected files (not expected.tool_state.json).

#include <algorithm>
#include <filesystem>
#include <random>
#include <sstream>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "golden_io.h"
#include "providers/registry.h"
#include "providers/tool_state_store.h"
#include "support/test_support.h"
#include "providers/openai_compat/codec.h"
#include "upstream/sse_framer.h"

namespace gi {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using test::golden::aggregate;
using test::golden::to_json;

const auto fixed_now = std::chrono::system_clock::time_point(std::chrono::seconds(1'764'000'000));

struct golden_case {
  fs::path dir;
  std::string name;
};

std::vector<golden_case> discover() {
  std::vector<golden_case> out;
  const fs::path root = test::source_dir() / "test" / "golden";
  if (!fs::exists(root)) return out;
  for (const auto& provider : fs::directory_iterator(root)) {
    if (!provider.is_directory() || provider.path().filename().string().starts_with("_")) continue;
    for (const auto& c : fs::directory_iterator(provider.path())) {
      if (!c.is_directory() || !fs::exists(c.path() / "case.toml")) continue;
      std::string name = provider.path().filename().string() + "_" + c.path().filename().string();
      std::replace_if(name.begin(), name.end(), [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)) && ch != '_'; }, '_');
      out.push_back({c.path(), name});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

// Indented JSON so golden diffs are reviewable (Boost.JSON has no pretty printer).
void pretty_into(const json::value& v, std::string& out, int depth) {
  const std::string pad(static_cast<std::size_t>(depth + 1) * 2, ' ');
  const std::string close_pad(static_cast<std::size_t>(depth) * 2, ' ');
  if (const json::object* o = v.if_object(); o != nullptr && !o->empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& kv : *o) {
      if (!first) out += ",\n";
      first = false;
      out += pad + json::serialize(json::value(kv.key())) + ": ";
      pretty_into(kv.value(), out, depth + 1);
    }
    out += "\n" + close_pad + "}";
  } else if (const json::array* a = v.if_array(); a != nullptr && !a->empty()) {
    out += "[\n";
    for (std::size_t i = 0; i < a->size(); ++i) {
      if (i > 0) out += ",\n";
      out += pad;
      pretty_into((*a)[i], out, depth + 1);
    }
    out += "\n" + close_pad + "]";
  } else {
    out += json::serialize(v);
  }
}
std::string pretty(const json::value& v) {
  std::string out;
  pretty_into(v, out, 0);
  return out + "\n";
}

class golden : public ::testing::TestWithParam<golden_case> {
 protected:
  void SetUp() override {
    dir_ = GetParam().dir;
    meta_ = test::golden::load_case(test::read_file(dir_ / "case.toml"));
    auto kind = core::parse_provider_kind(meta_.count("dialect") ? meta_["dialect"]
                                                                 : dir_.parent_path().filename().string());
    ASSERT_TRUE(kind) << "unknown dialect in " << dir_;
    adapter_ = providers::find_adapter(*kind);
    ASSERT_NE(adapter_, nullptr);
    tgt_.model = meta_.count("model") ? meta_["model"] : "test-model";
    tgt_.path_prefix = meta_.count("path_prefix") ? meta_["path_prefix"] : "";
    tgt_.request_stream_usage = meta_.count("request_stream_usage") == 0 || meta_["request_stream_usage"] != "false";
    tgt_.now = fixed_now;
    tgt_.tool_state = &store_;
    // `state_type = "thinking_blocks"` seeds Anthropic thinking blocks instead of reasoning.
    const auto state_type = meta_.count("state_type") && meta_["state_type"] == "thinking_blocks"
                                ? providers::tool_state_type::thinking_blocks
                                : providers::tool_state_type::reasoning_content;
    for (const auto& [k, v] : meta_) {
      if (k.starts_with("header.")) headers_.emplace_back(k.substr(7), v);
      if (k.starts_with("state."))
        (void)store_.put(k.substr(6), providers::tool_state{*kind, tgt_.model, state_type, v},
                         fixed_now - std::chrono::minutes(5));
    }
  }

  bool has(const char* f) const { return fs::exists(dir_ / f); }
  json::value read_json(const char* f) const { return json::parse(test::read_file(dir_ / f)); }
  void check(const char* file, const json::value& actual) {
    if (test::update_goldens()) {
      test::write_file(dir_ / file, pretty(actual));
      return;
    }
    ASSERT_TRUE(has(file)) << dir_ / file << " missing (run with GW_UPDATE_GOLDEN=1)";
    EXPECT_TRUE(test::json_equal(read_json(file), actual)) << dir_ / file;
  }

  std::vector<json::value> run_stream(const std::string& sse, const std::vector<std::size_t>& cuts,
                                      json::value& finish_result, bool fast_path = true) {
    upstream::sse_framer framer;
    const auto* compat = dynamic_cast<const providers::openai_compat::codec*>(adapter_);
    auto dec = compat != nullptr && !fast_path
                   ? providers::openai_compat::new_stream_decoder(compat->dialect(), tgt_, false)
                   : adapter_->make_stream_decoder(tgt_);
    std::vector<core::stream_event> events;
    std::vector<upstream::sse_event> framed;
    auto pump = [&] {
      for (const auto& f : framed) dec->feed(providers::framed_event{f.event, f.data, ""}, events);
      framed.clear();
    };
    std::size_t pos = 0;
    for (std::size_t cut : cuts) {
      framer.feed(std::string_view(sse).substr(pos, cut - pos), framed);
      pump();
      pos = cut;
    }
    framer.feed(std::string_view(sse).substr(pos), framed);
    pump();
    (void)framer.finish(framed);
    pump();
    auto err = dec->finish(events);
    finish_result = err ? to_json(*err) : json::value(nullptr);
    std::vector<json::value> out;
    for (const auto& e : events) out.push_back(to_json(e));
    return out;
  }

  fs::path dir_;
  std::map<std::string, std::string> meta_;
  const providers::adapter* adapter_ = nullptr;
  providers::target tgt_;
  providers::tool_state_store store_;
  core::header_list headers_;
};

TEST_P(golden, stages) {
  int stages = 0;

  if (has("request.openai.json")) {
    ++stages;
    core::chat_request req = test::golden::load_request(read_json("request.openai.json"));
    std::vector<std::string> warnings;
    tgt_.warnings = &warnings;
    auto enc = adapter_->encode(req, tgt_);
    tgt_.warnings = nullptr;
    if (enc) {
      json::object headers;
      for (const auto& [k, v] : enc->headers) headers[k] = v;
      json::array w;
      for (const auto& s : warnings) w.emplace_back(s);
      json::value body = json::parse(enc->body);
      check("expected.upstream_request.json",
            json::object{{"method", enc->method}, {"path", enc->path}, {"stream", enc->stream},
                         {"headers", headers}, {"body", body}, {"warnings", w}});
      EXPECT_FALSE(has("expected.encode_error.json")) << "encode succeeded but an error was expected";
    } else {
      json::value e = to_json(enc.error());
      check("expected.encode_error.json", e);
      EXPECT_FALSE(has("expected.upstream_request.json")) << "encode failed: " << json::serialize(e);
    }
  }

  if (has("upstream.response.json")) {
    ++stages;
    const std::string body = test::read_file(dir_ / "upstream.response.json");
    auto dec = adapter_->decode(tgt_, 200, {}, body);
    ASSERT_TRUE(dec) << json::serialize(to_json(dec.error()));
    check("expected.response.json", to_json(*dec));
    // OpenAI family: the simdjson fast path (when it takes the case) and the general path
    // decode to the same response; cases listed in fast_path_cases must take the fast path.
    if (const auto* compat = dynamic_cast<const providers::openai_compat::codec*>(adapter_)) {
      auto general = providers::openai_compat::decode_response(compat->dialect(), tgt_, body,
                                                               /*fast_path=*/false);
      ASSERT_TRUE(general) << json::serialize(to_json(general.error()));
      EXPECT_TRUE(test::json_equal(to_json(*dec), to_json(*general))) << "fast vs general path";
      auto fast = providers::openai_compat::decode_response_fast(tgt_, body);
      if (fast) {
        EXPECT_TRUE(test::json_equal(to_json(*general), to_json(*fast))) << "fast path alone";
      }
      const bool expect_fast = meta_.count("decode_path") == 0 || meta_["decode_path"] != "general";
      EXPECT_EQ(fast.has_value(), expect_fast)
          << "decode_path: the fast path " << (fast ? "took" : "declined")
          << " this case (case.toml `decode_path = \"general\"` marks the cases it must decline)";
    }
  }

  if (has("upstream.stream.sse")) {
    ++stages;
    const std::string sse = test::read_file(dir_ / "upstream.stream.sse");
    json::value finish_whole;
    auto whole = run_stream(sse, {}, finish_whole);
    json::array lines;
    for (auto& e : whole) lines.push_back(e);
    if (test::update_goldens()) {
      std::string text;
      for (auto& e : whole) text += json::serialize(e) + "\n";
      text += json::serialize(json::object{{"type", "finish_result"}, {"error", finish_whole}}) + "\n";
      test::write_file(dir_ / "expected.stream.events.jsonl", text);
    } else {
      ASSERT_TRUE(has("expected.stream.events.jsonl"));
      std::istringstream in(test::read_file(dir_ / "expected.stream.events.jsonl"));
      std::vector<json::value> expected;
      json::value expected_finish;
      for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        json::value v = json::parse(line);
        if (v.as_object().at("type") == "finish_result") expected_finish = v.as_object().at("error");
        else expected.push_back(v);
      }
      EXPECT_TRUE(test::json_equal(aggregate(expected), aggregate(whole))) << "aggregates";
      EXPECT_TRUE(test::json_equal(json::value(json::array(expected.begin(), expected.end())), lines));
      EXPECT_TRUE(test::json_equal(expected_finish, finish_whole)) << "finish()";
    }
    // OpenAI family: the simdjson fast path and the general path agree on every case.
    if (dynamic_cast<const providers::openai_compat::codec*>(adapter_) != nullptr) {
      json::value finish_general;
      auto general = run_stream(sse, {}, finish_general, /*fast_path=*/false);
      EXPECT_TRUE(test::json_equal(json::value(json::array(whole.begin(), whole.end())),
                                   json::value(json::array(general.begin(), general.end()))))
          << "fast path vs general path";
      EXPECT_TRUE(test::json_equal(finish_whole, finish_general)) << "fast vs general finish()";
    }
    // Byte by byte.
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < sse.size(); ++i) every.push_back(i);
    json::value finish_bytes;
    auto bytes = run_stream(sse, every, finish_bytes);
    EXPECT_TRUE(test::json_equal(json::value(json::array(whole.begin(), whole.end())),
                                 json::value(json::array(bytes.begin(), bytes.end()))))
        << "byte-by-byte";
    EXPECT_TRUE(test::json_equal(finish_whole, finish_bytes));
    // Seeded random splits.
    for (std::uint32_t seed : {1u, 7u, 42u, 1234u, 99991u}) {
      std::mt19937 rng(seed);
      std::vector<std::size_t> cuts;
      for (std::size_t p = 0;;) {
        p += 1 + rng() % 48;
        if (p >= sse.size()) break;
        cuts.push_back(p);
      }
      json::value finish_rand;
      auto rand = run_stream(sse, cuts, finish_rand);
      EXPECT_TRUE(test::json_equal(aggregate(whole), aggregate(rand))) << "seed " << seed;
      EXPECT_TRUE(test::json_equal(json::value(json::array(whole.begin(), whole.end())),
                                   json::value(json::array(rand.begin(), rand.end()))))
          << "seed " << seed;
      EXPECT_TRUE(test::json_equal(finish_whole, finish_rand)) << "seed " << seed;
    }
  }

  if (has("upstream.error.json")) {
    ++stages;
    ASSERT_TRUE(meta_.count("status")) << "error case needs status in case.toml";
    const int status = std::stoi(meta_["status"]);
    const std::string body = test::read_file(dir_ / "upstream.error.json");
    core::error e = adapter_->classify_error(status, headers_, body);
    check("expected.error.json", to_json(e));
    // decode() of the same answer must agree.
    auto dec = adapter_->decode(tgt_, status, headers_, body);
    ASSERT_FALSE(dec);
    EXPECT_TRUE(test::json_equal(to_json(e), to_json(dec.error())));
  }

  if (has("expected.tool_state.json")) {
    ++stages;
    const json::value expected_state = read_json("expected.tool_state.json");
    for (const auto& kv : expected_state.as_object()) {
      auto st = store_.get(kv.key(), fixed_now);
      ASSERT_TRUE(st) << "no side-store entry for " << kv.key();
      EXPECT_EQ(st->data, kv.value().as_string()) << kv.key();
    }
  }

  EXPECT_GT(stages, 0) << dir_ << " has no stage files";
}

INSTANTIATE_TEST_SUITE_P(providers, golden, ::testing::ValuesIn(discover()),
                         [](const auto& info) { return info.param.name; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(golden);

TEST(golden_discovery, finds_cases_for_every_openai_family_dialect) {
  auto cases = discover();
  for (const char* d : {"openai", "groq", "deepseek", "xai", "mistral"}) {
    const bool any = std::any_of(cases.begin(), cases.end(),
                                 [&](const auto& c) { return c.name.starts_with(std::string(d) + "_"); });
    EXPECT_TRUE(any) << "no golden cases for " << d;
  }
}

}  // namespace
}  // namespace gi
