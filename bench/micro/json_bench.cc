// Micro-benchmarks of the client-facing OpenAI codec (issue 3 items 4 and 11): request
// decode of a typical ~1 KB and a ~100 KB request, response encode, SSE chunk encode, and
// raw parses of the same payloads with Boost.JSON and simdjson (DOM and On-Demand) — the
// measurement behind docs/json-library.md.
//
//   build/<dir>/bench/micro_bench --benchmark_min_time=0.2

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/value.hpp>
#include <simdjson.h>

#include "openai_api/openai_api.h"
#include "openai_api/sse_encoder.h"

namespace {

namespace json = boost::json;

std::string load(const char* name, const char* dir = "/bench/micro/data/") {
  std::ifstream in(std::string(GI_SOURCE_DIR) + dir + name, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("missing bench payload ") + name);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string& payload(int which) {
  static const std::string small = load("request_1k.json");
  static const std::string large = load("request_100k.json");
  // The end-to-end bench's plain chat request (no tools): the decoder's fast path.
  static const std::string plain = load("chat.json", "/bench/configs/payloads/");
  return which == 0 ? small : which == 1 ? large : plain;
}

void label(benchmark::State& state, const std::string& body) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.SetLabel(state.range(0) == 0 ? "1k" : state.range(0) == 1 ? "100k" : "1k-plain");
}

// ---- the gateway's decoder (Boost.JSON parse + validation into core::chat_request)

void bm_decode_chat_request(benchmark::State& state) {
  const auto& body = payload(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto r = gi::openai_api::decode_chat_request(body);
    if (!r) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r);
  }
  label(state, body);
}
BENCHMARK(bm_decode_chat_request)->Arg(0)->Arg(1)->Arg(2);

// ---- raw parses of the same bytes

void bm_parse_boost_json(benchmark::State& state) {
  const auto& body = payload(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    json::value v = json::parse(body);
    benchmark::DoNotOptimize(v);
  }
  label(state, body);
}
BENCHMARK(bm_parse_boost_json)->Arg(0)->Arg(1);

// Boost.JSON with a reused parser and a per-request monotonic arena (the cheapest Boost.JSON
// can be; values then may not outlive the arena, so the decoder does not use this today).
void bm_parse_boost_json_monotonic(benchmark::State& state) {
  const auto& body = payload(static_cast<int>(state.range(0)));
  json::parser p;
  unsigned char buf[4096];
  for (auto _ : state) {
    json::monotonic_resource mr(buf, sizeof buf);
    p.reset(&mr);
    p.write(body);
    json::value v = p.release();
    benchmark::DoNotOptimize(v);
  }
  label(state, body);
}
BENCHMARK(bm_parse_boost_json_monotonic)->Arg(0)->Arg(1);

void bm_parse_simdjson_dom(benchmark::State& state) {
  const auto& body = payload(static_cast<int>(state.range(0)));
  simdjson::dom::parser parser;
  for (auto _ : state) {
    // The padded copy is part of the cost: request bodies arrive in Beast buffers, not in
    // simdjson-padded ones.
    simdjson::padded_string padded(body);
    simdjson::dom::element doc;
    if (parser.parse(padded).get(doc)) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(doc);
  }
  label(state, body);
}
BENCHMARK(bm_parse_simdjson_dom)->Arg(0)->Arg(1);

// On-Demand only parses what is visited; visit everything (every key, string and number)
// because a validating decoder must.
void walk(simdjson::ondemand::value v, std::size_t& n);
void walk_object(simdjson::ondemand::object o, std::size_t& n) {
  for (auto field : o) {
    std::string_view k = field.unescaped_key().value();
    n += k.size();
    walk(field.value().value(), n);
  }
}
void walk(simdjson::ondemand::value v, std::size_t& n) {
  switch (v.type().value()) {
    case simdjson::ondemand::json_type::object: walk_object(v.get_object().value(), n); break;
    case simdjson::ondemand::json_type::array:
      for (auto e : v.get_array()) walk(e.value(), n);
      break;
    case simdjson::ondemand::json_type::string: n += v.get_string().value().size(); break;
    case simdjson::ondemand::json_type::number: n += static_cast<std::size_t>(v.get_double().value() != 0); break;
    case simdjson::ondemand::json_type::boolean: n += v.get_bool().value(); break;
    case simdjson::ondemand::json_type::null: n += v.is_null(); break;
  }
}

void bm_parse_simdjson_ondemand(benchmark::State& state) {
  const auto& body = payload(static_cast<int>(state.range(0)));
  simdjson::ondemand::parser parser;
  for (auto _ : state) {
    simdjson::padded_string padded(body);
    auto doc = parser.iterate(padded);
    std::size_t n = 0;
    walk_object(doc.get_object().value(), n);
    benchmark::DoNotOptimize(n);
  }
  label(state, body);
}
BENCHMARK(bm_parse_simdjson_ondemand)->Arg(0)->Arg(1);

// simdjson DOM, then the subtrees rebuilt as boost::json — the cost a simdjson-based decoder
// pays for the parts core::chat_request keeps as boost::json values (schemas, tool raws,
// pass-through). Converting the whole tree is the upper bound.
json::value to_boost(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      json::object o;
      for (auto [k, v] : e.get_object()) o.emplace(k, to_boost(v));
      return o;
    }
    case simdjson::dom::element_type::ARRAY: {
      json::array a;
      for (auto v : e.get_array()) a.push_back(to_boost(v));
      return a;
    }
    case simdjson::dom::element_type::STRING: return json::string(e.get_string().value());
    case simdjson::dom::element_type::INT64: return e.get_int64().value();
    case simdjson::dom::element_type::UINT64: return e.get_uint64().value();
    case simdjson::dom::element_type::DOUBLE: return e.get_double().value();
    case simdjson::dom::element_type::BOOL: return e.get_bool().value();
    case simdjson::dom::element_type::NULL_VALUE: return nullptr;
  }
  return nullptr;
}

void bm_parse_simdjson_dom_to_boost(benchmark::State& state) {
  const auto& body = payload(static_cast<int>(state.range(0)));
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::padded_string padded(body);
    simdjson::dom::element doc;
    if (parser.parse(padded).get(doc)) state.SkipWithError("parse failed");
    json::value v = to_boost(doc);
    benchmark::DoNotOptimize(v);
  }
  label(state, body);
}
BENCHMARK(bm_parse_simdjson_dom_to_boost)->Arg(0)->Arg(1);

// ---- encoders

gi::openai_api::response_meta bench_meta() {
  gi::openai_api::response_meta m;
  m.id = "chatcmpl-gi-01JD0000000000000000000000";
  m.created = 1764000000;
  m.model = "gpt-4o-mini-2024-07-18";
  return m;
}

void bm_encode_chat_response(benchmark::State& state) {
  gi::core::chat_response r;
  auto& c = r.choices.emplace_back();
  c.content = std::string(
      "Here is a typical answer of a few sentences. It mentions \"quotes\", a newline\nand "
      "some unicode: caf\xc3\xa9. ");
  for (int i = 0; i < 3; ++i) *c.content += *c.content;
  c.finish_reason = gi::core::finish_reason::stop;
  r.usage = gi::core::usage{120, 96, 64, 0, 0};
  r.system_fingerprint = "fp_abc";
  auto meta = bench_meta();
  meta.x_gammainfra = json::parse(
      R"({"cost_usd":"0.000412","endpoint":"openai/gpt-4o-mini","chain":"openai/gpt-4o-mini;ok;ms=820"})")
                          .as_object();
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out = gi::openai_api::encode_chat_response(r, meta);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(bm_encode_chat_response);

// One content delta of a typical token-sized piece into a reused buffer (the server's hot
// path: one of these per upstream token).
void bm_sse_text_chunk(benchmark::State& state) {
  gi::openai_api::sse_encoder enc(bench_meta(), true);
  std::string out;
  enc.on_event(gi::core::role_delta{0}, out);
  const gi::core::stream_event ev = gi::core::text_delta{0, " token\n"};
  for (auto _ : state) {
    out.clear();
    enc.on_event(ev, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(bm_sse_text_chunk);

void bm_sse_tool_delta_chunk(benchmark::State& state) {
  gi::openai_api::sse_encoder enc(bench_meta(), false);
  std::string out;
  enc.on_event(gi::core::tool_call_start{0, 0, "call_1", "get_weather", ""}, out);
  const gi::core::stream_event ev = gi::core::tool_call_delta{0, 0, R"({"city":"Pa)"};
  for (auto _ : state) {
    out.clear();
    enc.on_event(ev, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(bm_sse_tool_delta_chunk);

// Whole stream of 200 text deltas + finish + usage + [DONE]: per-chunk cost must not grow
// with stream length.
void bm_sse_stream_200(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    gi::openai_api::sse_encoder enc(bench_meta(), true);
    out.clear();
    for (int i = 0; i < 200; ++i) enc.on_event(gi::core::text_delta{0, " word"}, out);
    enc.on_event(gi::core::finish{0, gi::core::finish_reason::stop}, out);
    enc.finish_stream(gi::core::usage{100, 200}, std::nullopt, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(bm_sse_stream_200);

}  // namespace

