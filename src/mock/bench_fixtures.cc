#include "mock/bench_fixtures.h"

#include <array>

#include <boost/json.hpp>

namespace gi::mock {
namespace {

namespace json = boost::json;

// Same values as ../shared/bench/tools/gen-nginx-mock.py (key order too: Boost.JSON keeps
// insertion order and serialises compactly, like json.dumps(separators=(",", ":"))).
constexpr std::string_view id = "chatcmpl-bench0000000000000000000001";
constexpr std::int64_t created = 1735689600;
constexpr std::string_view model = "gpt-4o-mini-2024-07-18";
constexpr std::string_view fingerprint = "fp_bench0001";
constexpr std::array<std::string_view, 17> pieces{
    "Retry", " only", " inside", " the", " remaining", " deadline:", " cap", " attempts", " at",
    " two,", " use", " jittered", " exponential", " backoff,", " and", " stop", " retrying"};
constexpr std::string_view tail =
    " when the budget left is smaller than a typical call. Use a retry budget (for example 10 "
    "percent of requests) shared by all callers, and never retry on 4xx or when the upstream "
    "signals overload.";

json::object usage() {
  return json::object{
      {"prompt_tokens", 187},
      {"completion_tokens", 64},
      {"total_tokens", 251},
      {"prompt_tokens_details", json::object{{"cached_tokens", 0}, {"audio_tokens", 0}}},
      {"completion_tokens_details",
       json::object{{"reasoning_tokens", 0}, {"audio_tokens", 0}, {"accepted_prediction_tokens", 0},
                    {"rejected_prediction_tokens", 0}}}};
}

std::string content() {
  std::string s;
  for (auto p : pieces) s += p;
  s += tail;
  return s;
}

std::string completion() {
  json::object c{
      {"id", id},
      {"object", "chat.completion"},
      {"created", created},
      {"model", model},
      {"choices", json::array{json::object{
                      {"index", 0},
                      {"message", json::object{{"role", "assistant"}, {"content", content()}, {"refusal", nullptr}}},
                      {"logprobs", nullptr},
                      {"finish_reason", "stop"}}}},
      {"usage", usage()},
      {"service_tier", "default"},
      {"system_fingerprint", fingerprint}};
  return json::serialize(c);
}

std::string chunk(json::value delta, json::value finish, bool usage_chunk) {
  json::object c{{"id", id},          {"object", "chat.completion.chunk"}, {"created", created},
                 {"model", model},    {"service_tier", "default"},         {"system_fingerprint", fingerprint}};
  if (usage_chunk) {
    c["choices"] = json::array{};
    c["usage"] = usage();
  } else {
    c["choices"] = json::array{json::object{
        {"index", 0}, {"delta", std::move(delta)}, {"logprobs", nullptr}, {"finish_reason", std::move(finish)}}};
  }
  return "data: " + json::serialize(c) + "\n\n";
}

std::vector<std::string> events() {
  std::vector<std::string> ev;
  ev.push_back(chunk(json::object{{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}, nullptr, false));
  for (std::size_t i = 0; i + 1 < pieces.size(); ++i) {
    ev.push_back(chunk(json::object{{"content", pieces[i]}}, nullptr, false));
  }
  ev.push_back(chunk(json::object{{"content", std::string(pieces.back()) + std::string(tail)}}, nullptr, false));
  ev.push_back(chunk(json::object{}, "stop", false));
  ev.push_back(chunk(nullptr, nullptr, true));
  ev.emplace_back("data: [DONE]\n\n");
  return ev;
}

struct fixtures {
  response_plan chat;
  response_plan stream;
  response_plan paced;

  fixtures() {
    chat.body.clear();
    chat.shared_body = std::make_shared<const std::string>(completion());
    chat.header("Content-Type", "application/json");
    chat.header("x-request-id", "req_bench0001");
    chat.header("openai-processing-ms", "1");

    auto ev = std::make_shared<const std::vector<std::string>>(events());
    stream.streaming = true;
    stream.shared_events = ev;
    stream.header("Content-Type", "text/event-stream");
    stream.header("x-request-id", "req_bench0001");
    stream.header("cache-control", "no-cache");
    paced = stream;
    paced.chunk_ms = 2;
  }
};

const fixtures& get_fixtures() {
  static const fixtures f;  // immutable after first use (thread-safe static init)
  return f;
}

}  // namespace

std::optional<response_plan> bench_fixture_for(std::string_view name) {
  if (name == "mock-chat") return get_fixtures().chat;
  if (name == "mock-stream") return get_fixtures().stream;
  if (name == "mock-paced") return get_fixtures().paced;
  return std::nullopt;
}

}  // namespace gi::mock
