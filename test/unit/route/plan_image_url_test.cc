// Image URLs and endpoints that take only inline images (Bedrock Converse, providers.md §9.2):
// the plan skips such endpoints with a visible reason, and when none of the candidates can
// take the URL the plan carries the 400 that names the content part.

#include <gtest/gtest.h>

#include "config/loader.h"
#include "route/explain.h"
#include "route/plan.h"

namespace gi::route {
namespace {

config::snapshot_ptr make_config() {
  auto cfg = config::load_string(R"(
catalog: false
endpoints:
  - id: aws/claude
    provider: bedrock
    model: anthropic.claude-3-haiku-20240307-v1:0
    aws_region: us-east-1
    auth: none
    prices: {input: "1", output: "2"}
    capabilities: {vision: true}
  - id: oai/vision
    provider: openai
    model: gpt-4o
    api_key_env: KEY_A
    prices: {input: "1", output: "2"}
    capabilities: {vision: true}
routing:
  default_task: chat
  chains:
    chat: [aws/claude, oai/vision]
)", "<test>");
  EXPECT_TRUE(cfg) << cfg.error().to_string();
  return *cfg;
}

core::chat_request with_image(std::string model, std::string url) {
  core::chat_request r;
  r.model = std::move(model);
  core::message m;
  m.content = std::vector<core::content_part>{core::text_part{"what is this?"},
                                              core::image_part{std::move(url), ""}};
  r.messages.push_back(core::message{});
  r.messages.push_back(std::move(m));
  return r;
}

const credential_check all_keys = [](const config::endpoint_config&) { return true; };

TEST(plan_image_url, bedrock_takes_no_image_urls_others_do) {
  auto cfg = make_config();
  EXPECT_FALSE(cfg->find_endpoint("aws/claude")->capabilities.image_urls);
  EXPECT_TRUE(cfg->find_endpoint("oai/vision")->capabilities.image_urls);
}

TEST(plan_image_url, url_image_skips_bedrock_with_a_reason_and_keeps_the_other) {
  auto cfg = make_config();
  auto p = make_plan(*cfg, with_image("auto", "https://example.com/cat.png"), {}, all_keys);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->attempts.size(), 2u);
  EXPECT_EQ(p->attempts[0].endpoint->id, "aws/claude");
  EXPECT_EQ(p->attempts[0].skip_reason, "incapable");
  EXPECT_EQ(p->attempts[0].skip_detail, "image_url");
  EXPECT_EQ(p->attempts[1].skip_reason, "");
  EXPECT_EQ(p->runnable(), 1u);
  ASSERT_TRUE(p->incapable_error);
  EXPECT_EQ(p->incapable_error->param, "messages[1].content[1].image_url.url");

  // route --explain shows it in both forms.
  auto j = explain_json(*p, {});
  EXPECT_EQ(j.at("candidates").as_array().at(0).as_object().at("skip_detail"), "image_url");
  EXPECT_NE(explain_text(*p, {}).find("skipped=incapable(image_url)"), std::string::npos);
}

TEST(plan_image_url, ranked_plan_skips_it_too) {
  auto cfg = make_config();
  stats_snapshot stats;
  stats.endpoints.resize(cfg->endpoints.size());
  std::vector<health_view> health(cfg->endpoints.size());
  routing_inputs live{&stats, &health};
  auto p = make_plan(*cfg, with_image("aws/claude", "http://example.com/a.jpg"), {}, all_keys, &live);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->attempts.size(), 2u);
  for (const auto& a : p->attempts) {
    EXPECT_EQ(a.skip_reason, a.endpoint->id == "aws/claude" ? "incapable" : "") << a.endpoint->id;
    EXPECT_EQ(a.skip_detail, a.endpoint->id == "aws/claude" ? "image_url" : "") << a.endpoint->id;
  }
}

TEST(plan_image_url, inline_data_url_is_fine_everywhere) {
  auto cfg = make_config();
  auto p = make_plan(*cfg, with_image("auto", "data:image/png;base64,iVBORw0KGgo="), {}, all_keys);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->runnable(), 2u);
  EXPECT_FALSE(p->incapable_error);
  for (const auto& a : p->attempts) EXPECT_EQ(a.skip_detail, "");
}

TEST(plan_image_url, pinned_bedrock_with_fallback_off_has_nothing_runnable_and_a_400) {
  auto cfg = make_config();
  plan_options opts;
  opts.fallback = false;
  auto p = make_plan(*cfg, with_image("aws/claude", "https://example.com/cat.png"), opts, all_keys);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->attempts.size(), 1u);
  EXPECT_EQ(p->runnable(), 0u);
  ASSERT_TRUE(p->incapable_error);
  EXPECT_EQ(p->incapable_error->kind, core::error_kind::invalid_request);
  EXPECT_EQ(p->incapable_error->http_status(), 400);
  EXPECT_EQ(p->incapable_error->param, "messages[1].content[1].image_url.url");
  EXPECT_EQ(p->incapable_error->code, "unsupported_image_url");
}

}  // namespace
}  // namespace gi::route
