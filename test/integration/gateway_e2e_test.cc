// End to end through the real gateway (Beast server + executor + upstream client) and the
// real mock upstream, both on port 0 in this process. Covers explicit routing, fallback on
// every upstream fault class, the streaming commit point, headers, cost and trailers.

#include <thread>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "support/gateway_mock_fixture.h"
#include "support/test_support.h"

namespace gi::test {
namespace {

namespace json = boost::json;

std::string endpoint_yaml(const std::string& id, const std::string& model, const std::string& base,
                          const std::string& provider = "openai") {
  return test::endpoint_yaml({.id = id, .provider = provider, .model = model, .base_url = base,
                              .key_env = "TEST_OPENAI_KEY",
                              .prices = R"({input: "0.15", cached_input: "0.075", output: "0.6"})"});
}

class gateway_e2e : public gateway_mock_test {
 protected:
  gateway_e2e() { upstream_timeout_ = "300ms"; }
};

std::string body_for(const std::string& model, bool stream = false, bool usage = false) {
  std::string b = R"({"model":")" + model + R"(","messages":[{"role":"user","content":"Say hello to the gateway"}])";
  if (stream) b += R"(,"stream":true)";
  if (usage) b += R"(,"stream_options":{"include_usage":true})";
  return b + "}";
}

TEST_F(gateway_e2e, explicit_model_answers_with_headers_and_exact_cost) {
  start(endpoint_yaml("openai/gpt-4o-mini", "gpt-4o-mini", mock_base() + "/v1"), "openai/gpt-4o-mini");
  auto r = chat(body_for("openai/gpt-4o-mini"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "openai/gpt-4o-mini");
  EXPECT_TRUE(r->header("x-gammainfra-fallback-chain").starts_with("openai/gpt-4o-mini;ok;ms="));
  EXPECT_TRUE(r->header("x-gammainfra-router-version").find("+cfg.") != std::string::npos);
  auto v = json::parse(r->body).as_object();
  auto rid = r->header("x-gammainfra-request-id");
  EXPECT_EQ(v.at("id").as_string(), "chatcmpl-" + rid);
  EXPECT_EQ(v.at("object").as_string(), "chat.completion");
  const auto& usage = v.at("usage").as_object();
  auto pt = usage.at("prompt_tokens").to_number<std::int64_t>();
  auto ct = usage.at("completion_tokens").to_number<std::int64_t>();
  // $0.15 / 1M input, $0.60 / 1M output, rounded up per class.
  auto expected = core::cost_of(pt, *core::price_per_mtok::parse("0.15")) +
                  core::cost_of(ct, *core::price_per_mtok::parse("0.6"));
  EXPECT_EQ(r->header("x-gammainfra-cost-usd"), expected.to_string());
  EXPECT_FALSE(r->header("x-gammainfra-overhead-ms").empty());
}

TEST_F(gateway_e2e, falls_back_on_each_upstream_fault_class) {
  struct fault_case {
    const char* fault;
    const char* chain_outcome;
  };
  for (auto fc : {fault_case{"fault=500", "error=500"}, fault_case{"fault=rate_limit", "error=429"},
                  fault_case{"fault=overloaded", "error=503"}, fault_case{"fault=reset", "error="},
                  fault_case{"fault=hang", "ttft-timeout"},
                  fault_case{"fault=invalid_json", "error=protocol"},
                  fault_case{"fault=wrong_content_type", "error=protocol"},
                  fault_case{"fault=truncated", "error="}}) {
    SCOPED_TRACE(fc.fault);
    std::string eps = endpoint_yaml("bad/one", std::string("gpt-4o-mini@") + fc.fault, mock_base() + "/v1") +
                      endpoint_yaml("good/two", "gpt-4o-mini", mock_base() + "/v1");
    start(eps, "bad/one, good/two");
    auto r = chat(body_for("auto"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->header("x-gammainfra-endpoint"), "good/two");
    auto chain = r->header("x-gammainfra-fallback-chain");
    EXPECT_TRUE(chain.starts_with(std::string("bad/one;") + fc.chain_outcome)) << chain;
    EXPECT_NE(chain.find(", good/two;ok;ms="), std::string::npos) << chain;
    EXPECT_EQ(r->header("x-gammainfra-task-source"), "default");
  }
}

TEST_F(gateway_e2e, callers_own_400_is_returned_without_fallback) {
  start(endpoint_yaml("bad/one", "gpt-4o-mini@fault=400", mock_base() + "/v1") +
            endpoint_yaml("good/two", "gpt-4o-mini", mock_base() + "/v1"),
        "bad/one, good/two");
  auto r = chat(body_for("auto"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  auto chain = r->header("x-gammainfra-fallback-chain");
  EXPECT_EQ(chain.find("good/two"), std::string::npos) << chain;
  auto v = json::parse(r->body).as_object();
  EXPECT_EQ(v.at("error").at("type").as_string(), "invalid_request_error");
}

TEST_F(gateway_e2e, all_attempts_failing_is_502_with_chain_and_missing_keys_are_skipped) {
  start(endpoint_yaml("bad/one", "gpt-4o-mini@fault=500", mock_base() + "/v1") +
            "  - id: keyed/three\n    provider: openai\n    model: gpt-4o-mini\n    base_url: " +
            mock_base() + "/v1\n    api_key_env: NOT_SET_ANYWHERE\n" +
            "    prices: {input: \"1\", cached_input: \"1\", output: \"1\"}\n",
        "bad/one, keyed/three");
  auto r = chat(body_for("auto"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-fallback-chain").find("keyed/three;skipped=no-key"),
            r->header("x-gammainfra-fallback-chain").find("keyed/three"));
  EXPECT_NE(r->body.find("bad/one;error=500"), std::string::npos) << r->body;
}

TEST_F(gateway_e2e, unknown_model_is_404_naming_the_model) {
  start(endpoint_yaml("openai/gpt-4o-mini", "gpt-4o-mini", mock_base() + "/v1"), "openai/gpt-4o-mini");
  auto r = chat(body_for("no-such-model"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  auto v = json::parse(r->body).as_object();
  EXPECT_EQ(v.at("error").at("param").as_string(), "model");
  EXPECT_EQ(v.at("error").at("code").as_string(), "model_not_found");
}

TEST_F(gateway_e2e, latency_budget_exhausted_is_504) {
  start(endpoint_yaml("slow/one", "gpt-4o-mini@latency_ms=400", mock_base() + "/v1") +
            endpoint_yaml("slow/two", "gpt-4o-mini@latency_ms=400", mock_base() + "/v1"),
        "slow/one, slow/two", "");
  auto r = chat(body_for("auto"), "X-GammaInfra-Max-Latency-Ms: 150\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504) << r->body;
  EXPECT_NE(r->header("x-gammainfra-fallback-chain").find("budget"), std::string::npos)
      << r->header("x-gammainfra-fallback-chain");
}

TEST_F(gateway_e2e, stream_commits_after_invisible_fallback_and_ends_with_cost) {
  start(endpoint_yaml("bad/one", "gpt-4o-mini@fault=503", mock_base() + "/v1") +
            endpoint_yaml("good/two", "gpt-4o-mini", mock_base() + "/groq/openai/v1", "groq"),
        "bad/one, good/two");
  auto r = chat(body_for("auto", true, true));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("content-type"), "text/event-stream");
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "good/two");
  EXPECT_TRUE(r->header("x-gammainfra-fallback-chain").starts_with("bad/one;error=503"));
  auto events = sse_data(r->body);
  ASSERT_GE(events.size(), 4u) << r->body;
  EXPECT_EQ(events.back(), "[DONE]");
  auto first = json::parse(events[0]).as_object();
  EXPECT_EQ(first.at("choices").at(0).at("delta").at("role").as_string(), "assistant");
  std::string text;
  std::string id = std::string(first.at("id").as_string());
  bool saw_finish = false, saw_usage = false;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    auto c = json::parse(events[i]).as_object();
    EXPECT_EQ(c.at("id").as_string(), id);
    const auto& choices = c.at("choices").as_array();
    if (choices.empty()) {
      saw_usage = true;
      EXPECT_TRUE(c.at("usage").as_object().contains("cost_usd"));
      continue;
    }
    const auto& d = choices[0].at("delta").as_object();
    if (auto* t = d.if_contains("content")) text += t->as_string();
    if (!choices[0].at("finish_reason").is_null()) {
      saw_finish = true;
      EXPECT_TRUE(c.contains("x_gammainfra"));
    }
  }
  EXPECT_TRUE(saw_finish);
  EXPECT_TRUE(saw_usage);
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(id, "chatcmpl-" + r->header("x-gammainfra-request-id"));
  EXPECT_FALSE(r->trailers["x-gammainfra-cost-usd"].empty());
  EXPECT_NE(r->trailers["x-gammainfra-fallback-chain"].find("good/two;ok"), std::string::npos);
}

// X-GammaInfra-Overhead-Ms is the gateway's own time: the upstream's 150 ms before its
// answer (non-stream) or before its first content event (stream, header sent at the commit
// point) must not be in it. The gateway's real share is well under a millisecond; 75 ms
// leaves room for a sanitizer build on a loaded machine and still fails if the wait leaks in
// (and 150 ms stays as far below the fixture's 300 ms upstream timeouts).
TEST_F(gateway_e2e, overhead_header_excludes_upstream_waits) {
  start(endpoint_yaml("slow/json", "gpt-4o-mini@latency_ms=150", mock_base() + "/v1") +
            endpoint_yaml("slow/stream", "gpt-4o-mini@ttft_ms=150", mock_base() + "/v1"),
        "slow/json");
  for (bool stream : {false, true}) {
    SCOPED_TRACE(stream ? "stream" : "json");
    auto r = chat(body_for(stream ? "slow/stream" : "slow/json", stream));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    auto ms = std::stod(r->header("x-gammainfra-overhead-ms"));
    EXPECT_GE(ms, 0.0);
    EXPECT_LT(ms, 75.0);
    auto chain_ms = r->header("x-gammainfra-fallback-chain");
    EXPECT_NE(chain_ms.find(";ok;ms="), std::string::npos) << chain_ms;
  }
}

TEST_F(gateway_e2e, stream_without_include_usage_sends_no_usage_chunk) {
  start(endpoint_yaml("good/two", "gpt-4o-mini", mock_base() + "/v1"), "good/two");
  auto r = chat(body_for("auto", true, false));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  for (const auto& e : sse_data(r->body)) {
    if (e == "[DONE]") continue;
    auto c = json::parse(e).as_object();
    EXPECT_FALSE(c.at("choices").as_array().empty()) << e;
  }
}

TEST_F(gateway_e2e, failure_after_commit_is_an_error_event_not_a_silent_end) {
  start(endpoint_yaml("bad/one", "gpt-4o-mini@fault=close,after=3", mock_base() + "/v1") +
            endpoint_yaml("good/two", "gpt-4o-mini", mock_base() + "/v1"),
        "bad/one, good/two");
  auto r = chat(body_for("auto", true));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "bad/one");
  auto events = sse_data(r->body);
  ASSERT_FALSE(events.empty());
  EXPECT_NE(events.back(), "[DONE]");
  auto last = json::parse(events.back()).as_object();
  EXPECT_TRUE(last.contains("error")) << events.back();
  EXPECT_NE(r->trailers["x-gammainfra-fallback-chain"].find("bad/one;error="), std::string::npos);
}

TEST_F(gateway_e2e, oversized_upstream_response_is_a_protocol_error_and_falls_back) {
  start(endpoint_yaml("big/one", "gpt-4o-mini@fault=oversized,size=2000000", mock_base() + "/v1") +
            endpoint_yaml("good/two", "gpt-4o-mini", mock_base() + "/v1"),
        "big/one, good/two", "  max_response_bytes: 1MiB\n");
  auto r = chat(body_for("auto"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(r->header("x-gammainfra-fallback-chain").starts_with("big/one;error=protocol"))
      << r->header("x-gammainfra-fallback-chain");
}

TEST_F(gateway_e2e, stream_faults_before_commit_cascade_invisibly) {
  for (const char* fault : {"fault=429", "fault=hang", "fault=invalid_json", "fault=reset",
                            "fault=close,after=0", "fault=stream_error,after=0"}) {
    SCOPED_TRACE(fault);
    start(endpoint_yaml("bad/one", std::string("gpt-4o-mini@") + fault, mock_base() + "/v1") +
              endpoint_yaml("good/two", "gpt-4o-mini", mock_base() + "/v1"),
          "bad/one, good/two");
    auto r = chat(body_for("auto", true));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->header("x-gammainfra-endpoint"), "good/two");
    EXPECT_TRUE(r->header("x-gammainfra-fallback-chain").starts_with("bad/one;"))
        << r->header("x-gammainfra-fallback-chain");
    auto events = sse_data(r->body);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back(), "[DONE]");
  }
}

// The role-only preamble arrives before the content (here 100 ms before it): the gateway
// stages the head and the preamble's bytes then and completes them at the commit. The client
// must see one head (the commit's chain and overhead in it), one role chunk, then the text.
TEST_F(gateway_e2e, preamble_staged_before_the_commit_is_sent_once_with_the_commit_headers) {
  start(endpoint_yaml("slow/stream", "model-paced@ttft_ms=100", mock_base() + "/v1"), "slow/stream");
  auto r = chat(body_for("slow/stream", true, true));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("content-type"), "text/event-stream");
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "slow/stream");
  EXPECT_TRUE(r->header("x-gammainfra-fallback-chain").starts_with("slow/stream;ok;ms="))
      << r->header("x-gammainfra-fallback-chain");
  EXPECT_LT(std::stod(r->header("x-gammainfra-overhead-ms")), 75.0);  // the 100 ms excluded
  EXPECT_FALSE(r->header("date").empty());
  EXPECT_FALSE(r->header("x-gammainfra-router-version").empty());
  auto events = sse_data(r->body);
  ASSERT_GE(events.size(), 4u) << r->body;
  EXPECT_EQ(events.back(), "[DONE]");
  std::size_t roles = 0;
  std::string text;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    auto c = json::parse(events[i]).as_object();
    EXPECT_EQ(c.at("id").as_string(), "chatcmpl-" + r->header("x-gammainfra-request-id"));
    EXPECT_EQ(c.at("model").as_string(), "model-paced") << events[i];
    const auto& choices = c.at("choices").as_array();
    if (choices.empty()) continue;
    const auto& d = choices[0].at("delta").as_object();
    if (d.contains("role")) {
      ++roles;
      EXPECT_EQ(i, 0u) << "the role chunk leads";
    }
    if (auto* t = d.if_contains("content")) text += t->as_string();
  }
  EXPECT_EQ(roles, 1u) << r->body;
  EXPECT_FALSE(text.empty());
  EXPECT_NE(r->trailers["x-gammainfra-fallback-chain"].find("slow/stream;ok"), std::string::npos);
}

// An attempt that sent its preamble (staged) and then failed before any content: the client
// sees only the attempt that answered, its model in every chunk, its preamble once.
TEST_F(gateway_e2e, staged_preamble_of_a_failed_attempt_never_reaches_the_client) {
  // The answering attempt either stages its own preamble (it comes 20 ms before the
  // content) or commits on its first read (preamble and content together, nothing staged).
  for (const char* fault : {"fault=close,after=1", "fault=stream_error,after=1"})
  for (const char* good : {"model-of-good@ttft_ms=20", "model-of-good"}) {
    SCOPED_TRACE(std::string(fault) + " then " + good);
    start(endpoint_yaml("bad/one", std::string("model-of-bad@") + fault, mock_base() + "/v1") +
              endpoint_yaml("good/two", good, mock_base() + "/v1"),
          "bad/one, good/two");
    auto r = chat(body_for("auto", true));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->header("x-gammainfra-endpoint"), "good/two");
    EXPECT_TRUE(r->header("x-gammainfra-fallback-chain").starts_with("bad/one;error="))
        << r->header("x-gammainfra-fallback-chain");
    EXPECT_EQ(r->body.find("model-of-bad"), std::string::npos) << r->body;
    auto events = sse_data(r->body);
    ASSERT_GE(events.size(), 3u) << r->body;
    EXPECT_EQ(events.back(), "[DONE]");
    std::size_t roles = 0;
    for (std::size_t i = 0; i + 1 < events.size(); ++i) {
      auto c = json::parse(events[i]).as_object();
      EXPECT_EQ(c.at("model").as_string(), "model-of-good") << events[i];
      const auto& choices = c.at("choices").as_array();
      if (!choices.empty() && choices[0].at("delta").as_object().contains("role")) ++roles;
    }
    EXPECT_EQ(roles, 1u) << r->body;
  }
}

TEST_F(gateway_e2e, endless_stream_ends_with_an_error_event_within_the_attempt_deadline) {
  start(endpoint_yaml("endless/one", "gpt-4o-mini@fault=endless,chunk_ms=20", mock_base() + "/v1"),
        "endless/one", "    total: 600ms\n");
  auto t0 = std::chrono::steady_clock::now();
  auto r = chat(body_for("auto", true));
  ASSERT_TRUE(r);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(r->status, 200);
  auto events = sse_data(r->body);
  ASSERT_FALSE(events.empty());
  EXPECT_NE(events.back().find("\"error\""), std::string::npos) << events.back();
  EXPECT_NE(r->trailers["x-gammainfra-fallback-chain"].find("endless/one;timeout"), std::string::npos)
      << r->trailers["x-gammainfra-fallback-chain"];
}

TEST_F(gateway_e2e, stream_framing_survives_one_byte_upstream_writes) {
  start(endpoint_yaml("split/one", "gpt-4o-mini@split=1", mock_base() + "/v1"), "split/one");
  auto r = chat(body_for("auto", true, true));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto events = sse_data(r->body);
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events.back(), "[DONE]");
}

TEST_F(gateway_e2e, every_openai_family_dialect_answers_through_its_prefix) {
  struct dialect_case {
    const char* provider;
    const char* path;
    const char* model;
  };
  for (auto d : {dialect_case{"groq", "/groq/openai/v1", "llama-3.3-70b-versatile"},
                 dialect_case{"mistral", "/mistral/v1", "mistral-small-latest"},
                 dialect_case{"deepseek", "/deepseek/v1", "deepseek-chat"},
                 dialect_case{"xai", "/xai/v1", "grok-3-mini"}}) {
    SCOPED_TRACE(d.provider);
    std::string id = std::string(d.provider) + "/m";
    start(endpoint_yaml(id, d.model, mock_base() + d.path, d.provider), id);
    for (bool stream : {false, true}) {
      auto r = chat(R"({"model":")" + id + R"(","stream":)" + (stream ? "true" : "false") +
                    R"(,"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],"tool_choice":"required"})");
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 200) << r->body;
      EXPECT_EQ(r->header("x-gammainfra-endpoint"), id);
      EXPECT_NE(r->body.find("get_weather"), std::string::npos) << r->body;
      EXPECT_FALSE(r->header("x-gammainfra-cost-usd").empty() && r->trailers["x-gammainfra-cost-usd"].empty());
    }
  }
}

TEST_F(gateway_e2e, client_disconnect_mid_stream_cancels_the_upstream_and_frees_its_slot) {
  start(endpoint_yaml("slow/one", "gpt-4o-mini@chunk_ms=100,chunks=100", mock_base() + "/v1"), "slow/one");
  {
    raw_connection c(gateway_port());
    auto body = body_for("auto", true);
    ASSERT_TRUE(c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + auth_header() +
                       "Content-Type: application/json\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body));
    // Wait until the upstream request is in flight, then vanish.
    auto target = upstream::parse_target_url(mock_base() + "/v1").value();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (upstream_client().stats(target).inflight == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_EQ(upstream_client().stats(target).inflight, 1u);
  }
  auto target = upstream::parse_target_url(mock_base() + "/v1").value();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (upstream_client().stats(target).inflight != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  // 100 chunks × 100 ms = 10 s if the upstream were left running.
  EXPECT_EQ(upstream_client().stats(target).inflight, 0u);
}

}  // namespace
}  // namespace gi::test
