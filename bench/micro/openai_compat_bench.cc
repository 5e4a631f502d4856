// Micro-benchmarks of the OpenAI-family upstream codec (providers/openai_compat) on the
// payloads of the end-to-end bench (bench/configs): the 1 KB chat request encoded for the
// upstream, the 880 B answer and the 21-event stream of bench/configs/nginx-mock.conf
// decoded. The decoders' fast paths run next to their baselines in the same binary:
//   encode: the direct writer (its Boost.JSON-tree predecessor's numbers: docs/decisions.md)
//   decode: simdjson fast path vs the general Boost.JSON path (decode_response fast_path=false)
//   stream: fast path vs general path (new_stream_decoder fast_path=false)
//
//   build/<dir>/bench/micro_bench --benchmark_filter=openai_compat --benchmark_repetitions=5

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "openai_api/openai_api.h"
#include "providers/openai_compat/codec.h"
#include "providers/openai_compat/dialect.h"

namespace {

namespace oc = gi::providers::openai_compat;

std::string load(const std::string& rel) {
  std::ifstream in(std::string(GI_SOURCE_DIR) + "/bench/" + rel, std::ios::binary);
  if (!in) throw std::runtime_error("missing bench file " + rel);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const gi::core::chat_request& bench_request() {
  static const gi::core::chat_request r = [] {
    auto d = gi::openai_api::decode_chat_request(load("configs/payloads/chat.json"));
    if (!d) throw std::runtime_error("bench request does not decode");
    return std::move(*d);
  }();
  return r;
}

// The non-stream answer: the `return 200 '…'` body of the first mock server.
const std::string& bench_response() {
  static const std::string body = [] {
    const std::string conf = load("configs/nginx-mock.conf");
    const auto a = conf.find("return 200 '{");
    const auto b = conf.find("}';", a);
    if (a == std::string::npos || b == std::string::npos) throw std::runtime_error("no answer");
    return conf.substr(a + 12, b + 1 - (a + 12));
  }();
  return body;
}

// The stream: the `data:` payloads the stream mock (port 18181) echoes.
const std::vector<std::string>& bench_events() {
  static const std::vector<std::string> events = [] {
    const std::string conf = load("configs/nginx-mock.conf");
    const auto from = conf.find("listen 127.0.0.1:18181");
    const auto to = conf.find("listen 127.0.0.1:18182");
    std::vector<std::string> out;
    for (auto p = conf.find("echo -n 'data: ", from); p < to;
         p = conf.find("echo -n 'data: ", p + 1)) {
      const auto start = p + 15;
      const auto end = conf.find("\\n\\n'", start);
      out.push_back(conf.substr(start, end - start));
    }
    if (out.empty()) throw std::runtime_error("no stream events");
    return out;
  }();
  return events;
}

gi::providers::target bench_target() {
  gi::providers::target t;
  t.model = "gpt-4o-mini";
  return t;
}

void bm_openai_compat_encode(benchmark::State& state) {
  const auto& req = bench_request();
  const auto tgt = bench_target();
  for (auto _ : state) {
    auto r = oc::encode_request(oc::openai_dialect(), req, tgt);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(bm_openai_compat_encode);

void bm_openai_compat_decode(benchmark::State& state) {
  const bool fast = state.range(0) != 0;
  const auto& body = bench_response();
  const auto tgt = bench_target();
  for (auto _ : state) {
    auto r = oc::decode_response(oc::openai_dialect(), tgt, body, fast);
    if (!r) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel(fast ? "fast path" : "general path (baseline)");
}
BENCHMARK(bm_openai_compat_decode)->Arg(0)->Arg(1);

// One whole stream (21 events + [DONE]) per iteration.
void bm_openai_compat_stream(benchmark::State& state) {
  const bool fast = state.range(0) != 0;
  const auto& events = bench_events();
  const auto tgt = bench_target();
  std::vector<gi::core::stream_event> out;
  out.reserve(64);
  for (auto _ : state) {
    auto dec = oc::new_stream_decoder(oc::openai_dialect(), tgt, fast);
    out.clear();
    for (const auto& e : events) dec->feed(gi::providers::framed_event{"", e, ""}, out);
    dec->feed(gi::providers::framed_event{"", "[DONE]", ""}, out);
    auto err = dec->finish(out);
    if (err) state.SkipWithError("stream truncated");
    benchmark::DoNotOptimize(out);
  }
  state.SetLabel(fast ? "fast path" : "general path (baseline)");
}
BENCHMARK(bm_openai_compat_stream)->Arg(0)->Arg(1);

}  // namespace
