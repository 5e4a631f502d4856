// The task classifier in the real gateway (design §4.8, issue 9 §6): `model: auto` requests
// are classified and routed to the task's chain, with X-GammaInfra-Task and
// X-GammaInfra-Task-Source; the header and `auto:<task>` bypass the classifier; a primary
// classifier that misses its deadline is answered from the lexical model ("fallback");
// /readyz names the model and /metrics counts classifications, timeouts and latency.

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <sstream>

#include <gtest/gtest.h>

#include "app/classifier_runtime.h"
#include "app/gateway_handler.h"
#include "auth/authenticator.h"
#include "classify/shipped_model.h"
#include "config/config.h"
#include "mock/mock_server.h"
#include "server/gateway_server.h"
#include "support/http_client.h"
#include "support/test_server.h"
#include "support/test_support.h"
#include "upstream/options_from_config.h"

namespace gi::test {
namespace {

constexpr const char* code_prompt =
    "Write a Python function that parses a CSV file and returns the rows as a list of dicts. "
    "Include type hints and handle a missing file.";

// A primary classifier stub: answers `task` as "minilm", after waiting for release() when
// `blocking` (a classifier slower than any deadline).
class stub_primary final : public classify::classifier {
 public:
  stub_primary(std::string task, bool blocking) : task_(std::move(task)), blocking_(blocking) {}
  classify::classification classify(std::string_view) const override {
    if (blocking_) {
      std::unique_lock lk(mu_);
      cv_.wait_for(lk, std::chrono::seconds(10), [&] { return released_; });
    }
    classify::classification c;
    c.scores[static_cast<std::size_t>(classify::task_index(task_))] = 1.0f;
    c.source = "minilm";
    classify::finish(c);
    return c;
  }
  std::string_view name() const noexcept override { return "minilm"; }
  void release() const {
    {
      std::lock_guard lk(mu_);
      released_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::string task_;
  bool blocking_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable bool released_ = false;
};

class classifier_gateway : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = mock_.start("127.0.0.1", 0);
    ASSERT_TRUE(p) << p.error().message;
  }
  void TearDown() override {
    if (primary_) primary_->release();
    if (server_) {
      server_->stop();
      server_->wait();
    }
    if (runtime_.service) runtime_.service->stop();
    if (client_) client_->close_idle();
    server_.reset();
    mock_.stop();
  }

  // Three chains on distinct endpoints so X-GammaInfra-Endpoint shows the routed task.
  void start(std::shared_ptr<const classify::classifier> primary, const std::string& classifier_yaml = "") {
    auto ep = [&](const std::string& id) {
      return "  - id: " + id + "\n    provider: openai\n    model: gpt-4o-mini\n    base_url: " + mock_.base_url() +
             "/v1\n    api_key_env: TEST_OPENAI_KEY\n    prices: {input: \"0.15\", output: \"0.6\"}\n";
    };
    std::string yaml = "catalog: false\nserver:\n  host: 127.0.0.1\n  port: 0\n  threads: 2\n"
                       "logging:\n  access_log: false\n" + classifier_yaml +
                       "auth:\n  keys:\n    - id: t\n      sha256: " + auth::sha256_hex(test_api_key) +
                       "\nendpoints:\n" + ep("t/code") + ep("t/chat") + ep("t/translation") +
                       "routing:\n  default_task: chat\n  chains:\n    code: [t/code]\n    chat: [t/chat]\n"
                       "    translation: [t/translation]\n";
    auto cfg = config::load_string(yaml, "<test>");
    ASSERT_TRUE(cfg) << cfg.error().to_string();
    metrics_ = std::make_shared<telemetry::metrics_registry>();
    client_ = std::make_shared<upstream::client>(upstream::options_from_config((*cfg)->upstream));
    auto handler = std::make_shared<app::gateway_handler>(
        *cfg, client_, core::system_clock_source::instance(), metrics_,
        [](const std::string& n) -> std::optional<std::string> {
          if (n == "TEST_OPENAI_KEY") return std::string("sk-upstream");
          return std::nullopt;
        });
    auto lexical = classify::shipped_lexical_model();
    ASSERT_TRUE(lexical);
    runtime_.model = primary ? "minilm" : "lexical";
    runtime_.minilm_state = primary ? "loaded" : "not installed";
    runtime_.service = app::make_classifier_service(*lexical, std::move(primary), (*cfg)->classifier, metrics_);
    server::server_options so;
    so.config = *cfg;
    so.handler = handler;
    so.metrics = metrics_;
    runtime_.wire(so, *handler);
    server_ = std::make_unique<server::gateway_server>(std::move(so));
    auto port = server_->start();
    ASSERT_TRUE(port) << port.error().message;
    port_ = *port;
  }

  std::optional<http_response> chat(const std::string& model, const std::string& prompt,
                                    const std::string& headers = "") {
    std::string body = R"({"model":")" + model + R"(","messages":[{"role":"system","content":"You are helpful."},)" +
                       R"({"role":"user","content":")" + prompt + R"("}]})";
    return simple_request(port_, "POST", "/v1/chat/completions", body,
                          auth_header() + "Content-Type: application/json\r\n" + headers);
  }

  std::string metrics_text() {
    auto r = simple_request(port_, "GET", "/metrics");
    return r ? r->body : std::string();
  }

  mock::mock_server mock_;
  std::shared_ptr<telemetry::metrics_registry> metrics_;
  std::shared_ptr<upstream::client> client_;
  app::classifier_runtime runtime_;
  std::shared_ptr<stub_primary> primary_;
  std::unique_ptr<server::gateway_server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(classifier_gateway, auto_code_prompt_routes_to_the_code_chain_by_the_lexical_model) {
  start(nullptr);
  auto r = chat("auto", code_prompt);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-task"), "code");
  EXPECT_EQ(r->header("x-gammainfra-task-source"), "lexical");
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "t/code");

  // A chatty prompt goes elsewhere: the label comes from the text, not a constant.
  r = chat("auto", "Hi there! How was your weekend? Anything fun planned for the holidays?");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-task"), "chat");
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "t/chat");

  auto m = metrics_text();
  EXPECT_NE(m.find(R"(gammainfra_classifier_classifications_total{task="code",source="lexical"} 1)"),
            std::string::npos) << m;
  EXPECT_NE(m.find(R"(gammainfra_classifier_latency_seconds_count{classifier="lexical"} 2)"), std::string::npos);
}

TEST_F(classifier_gateway, task_header_and_auto_task_model_bypass_the_classifier) {
  start(nullptr);
  auto r = chat("auto", code_prompt, "X-GammaInfra-Task: translation\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-task"), "translation");
  EXPECT_EQ(r->header("x-gammainfra-task-source"), "header");
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "t/translation");

  r = chat("auto:chat", code_prompt);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-task"), "chat");
  EXPECT_EQ(r->header("x-gammainfra-task-source"), "model");

  // Neither request reached the classifier.
  EXPECT_EQ(runtime_.service->stats().requests, 0u);
  auto m = metrics_text();
  EXPECT_NE(m.find(R"(gammainfra_classifier_classifications_total{task="code",source="lexical"} 0)"), std::string::npos)
      << m;
  EXPECT_NE(m.find(R"(gammainfra_classifier_latency_seconds_count{classifier="lexical"} 0)"), std::string::npos);
}

TEST_F(classifier_gateway, primary_answer_is_used_and_named) {
  start(std::make_shared<stub_primary>("translation", false), "classifier:\n  timeout: 5s\n");
  auto r = chat("auto", code_prompt);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-task"), "translation");
  EXPECT_EQ(r->header("x-gammainfra-task-source"), "minilm");
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "t/translation");
  // The same text again is a cache hit (no second forward).
  r = chat("auto", code_prompt);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("x-gammainfra-task-source"), "minilm");
  EXPECT_EQ(runtime_.service->stats().cache_hits, 1u);
  EXPECT_NE(metrics_text().find("gammainfra_classifier_cache_hits_total 1"), std::string::npos);
}

TEST_F(classifier_gateway, slow_primary_times_out_to_the_lexical_model_as_fallback) {
  primary_ = std::make_shared<stub_primary>("creative", true);
  start(primary_, "classifier:\n  timeout: 30ms\n");
  auto t0 = std::chrono::steady_clock::now();
  auto r = chat("auto", code_prompt);
  auto waited = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-gammainfra-task"), "code");  // the lexical answer, not the stub's "creative"
  EXPECT_EQ(r->header("x-gammainfra-task-source"), "fallback");
  EXPECT_EQ(r->header("x-gammainfra-endpoint"), "t/code");
  // Not a timing assertion on speed: only that the request did not wait for the stuck
  // classifier (which holds for 10 s unless released).
  EXPECT_LT(waited, std::chrono::seconds(5));
  auto m = metrics_text();
  EXPECT_NE(m.find("gammainfra_classifier_timeouts_total 1"), std::string::npos) << m;
  EXPECT_NE(m.find(R"(gammainfra_classifier_classifications_total{task="code",source="fallback"} 1)"),
            std::string::npos);
}

TEST_F(classifier_gateway, readyz_names_the_classifier_model) {
  start(nullptr);
  auto r = simple_request(port_, "GET", "/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(json_equal(R"({"status":"ready","components":{"config":"ok","classifier":"ok"},
                             "details":{"classifier":{"model":"lexical","minilm":"not installed"}}})",
                         r->body))
      << r->body;
  runtime_.service->stop();
  r = simple_request(port_, "GET", "/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
}

TEST_F(classifier_gateway, disabled_classifier_routes_the_default_task) {
  start(nullptr, "classifier:\n  enabled: false\n");
  // The runtime honours `enabled: false` by not building a service at all.
  auto cfg = config::load_string("classifier:\n  enabled: false\n", "<t>");
  ASSERT_TRUE(cfg);
  std::ostringstream log;
  auto rt = app::start_classifier(**cfg, nullptr, log);
  ASSERT_TRUE(rt);
  EXPECT_EQ(rt->service, nullptr);
}

TEST(classifier_runtime, minilm_required_but_missing_is_a_start_up_error) {
  temp_dir tmp;
  const auto& dir = tmp.path();
  auto yaml = "classifier:\n  encoder: minilm\n  data_dir: " + dir.string() + "\n";
  auto cfg = config::load_string(yaml, "<t>");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  std::ostringstream log;
  auto rt = app::start_classifier(**cfg, nullptr, log);
  ASSERT_FALSE(rt);
  EXPECT_NE(rt.error().message.find("classifier.encoder is minilm"), std::string::npos) << rt.error().message;

  // auto with nothing installed: lexical, quietly.
  cfg = config::load_string("classifier:\n  data_dir: " + dir.string() + "\n", "<t>");
  ASSERT_TRUE(cfg);
  rt = app::start_classifier(**cfg, nullptr, log);
  ASSERT_TRUE(rt);
  EXPECT_EQ(rt->model, "lexical");
  EXPECT_EQ(log.str().find("warning"), std::string::npos);

  // auto with a corrupt install: lexical and a warning, never a crash.
  std::filesystem::create_directories(dir / "models" / "all-MiniLM-L6-v2");
  write_file(dir / "models" / "all-MiniLM-L6-v2" / "model.safetensors", "garbage");
  rt = app::start_classifier(**cfg, nullptr, log);
  ASSERT_TRUE(rt);
  EXPECT_EQ(rt->model, "lexical");
  EXPECT_NE(log.str().find("warning: classifier: MiniLM not loaded"), std::string::npos) << log.str();
}

TEST(classifier_config, bad_values_name_the_field) {
  auto bad = config::load_string("classifier:\n  encoder: bert\n", "<t>");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().path, "classifier.encoder");
  bad = config::load_string("classifier:\n  timeout: 0ms\n", "<t>");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().path, "classifier.timeout");
  auto ok = config::load_string("classifier:\n  timeout: 25ms\n  threads: 2\n", "<t>");
  ASSERT_TRUE(ok) << ok.error().to_string();
  EXPECT_EQ((*ok)->classifier.timeout.count(), 25);
  EXPECT_EQ((*ok)->classifier.threads, 2u);
}

}  // namespace
}  // namespace gi::test
