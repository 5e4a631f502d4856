#include "route/plan.h"

#include <gtest/gtest.h>

#include "config/loader.h"

namespace gi::route {
namespace {

config::snapshot_ptr make_config() {
  auto cfg = config::load_string(R"(
catalog: false
endpoints:
  - id: a/one
    provider: openai
    model: one
    aliases: [one]
    api_key_env: KEY_A
    prices: {input: "1", output: "2"}
  - id: b/two
    provider: groq
    model: two
    api_key_env: KEY_B
    prices: {input: "1", output: "2"}
    capabilities: {tools: false}
  - id: c/three
    provider: mistral
    model: three
    fallbacks: [a/one]
    api_key_env: KEY_C
    prices: {input: "1", output: "2"}
routing:
  default_task: chat
  chains:
    chat: [a/one, b/two, c/three]
    code: [c/three, a/one]
)", "<test>");
  EXPECT_TRUE(cfg) << cfg.error().to_string();
  return *cfg;
}

core::chat_request req(std::string model) {
  core::chat_request r;
  r.model = std::move(model);
  r.messages.push_back(core::message{});
  return r;
}

std::vector<std::string> ids(const plan& p) {
  std::vector<std::string> out;
  for (const auto& a : p.attempts)
    out.push_back(a.endpoint->id + (a.skip_reason.empty() ? "" : "!" + a.skip_reason));
  return out;
}

const credential_check all_keys = [](const config::endpoint_config&) { return true; };

TEST(plan, auto_uses_the_default_task_chain) {
  auto cfg = make_config();
  auto p = make_plan(*cfg, req("auto"), {}, all_keys);
  ASSERT_TRUE(p);
  EXPECT_EQ(ids(*p), (std::vector<std::string>{"a/one", "b/two", "c/three"}));
  EXPECT_EQ(p->task, "chat");
  EXPECT_EQ(p->task_source, "default");
  EXPECT_FALSE(p->pinned);
}

TEST(plan, auto_task_in_model_or_header) {
  auto cfg = make_config();
  auto p = make_plan(*cfg, req("auto:code"), {}, all_keys);
  ASSERT_TRUE(p);
  EXPECT_EQ(ids(*p), (std::vector<std::string>{"c/three", "a/one"}));
  EXPECT_EQ(p->task_source, "model");
  plan_options o;
  o.task = "code";
  auto h = make_plan(*cfg, req("auto"), o, all_keys);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->task_source, "header");
  EXPECT_EQ(ids(*h), (std::vector<std::string>{"c/three", "a/one"}));
}

TEST(plan, unknown_task_is_400_naming_model_or_header) {
  auto cfg = make_config();
  auto p = make_plan(*cfg, req("auto:poetry"), {}, all_keys);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().http_status(), 400);
  EXPECT_EQ(p.error().param, "model");
  plan_options o;
  o.task = "poetry";
  auto h = make_plan(*cfg, req("auto"), o, all_keys);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().param, "X-GammaInfra-Task");
}

TEST(plan, pinned_endpoint_then_its_own_fallbacks_else_the_task_chain) {
  auto cfg = make_config();
  auto p = make_plan(*cfg, req("c/three"), {}, all_keys);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->pinned);
  EXPECT_EQ(ids(*p), (std::vector<std::string>{"c/three", "a/one"}));
  auto alias = make_plan(*cfg, req("one"), {}, all_keys);
  ASSERT_TRUE(alias);
  EXPECT_EQ(ids(*alias), (std::vector<std::string>{"a/one", "b/two", "c/three"}));
}

TEST(plan, fallback_off_keeps_only_the_pinned_endpoint) {
  auto cfg = make_config();
  plan_options o;
  o.fallback = false;
  auto p = make_plan(*cfg, req("a/one"), o, all_keys);
  ASSERT_TRUE(p);
  EXPECT_EQ(ids(*p), (std::vector<std::string>{"a/one"}));
}

TEST(plan, unknown_model_is_404_model_not_found) {
  auto cfg = make_config();
  auto p = make_plan(*cfg, req("gpt-9"), {}, all_keys);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().http_status(), 404);
  EXPECT_EQ(p.error().code, "model_not_found");
  EXPECT_EQ(p.error().param, "model");
}

TEST(plan, incapable_and_keyless_endpoints_stay_in_the_plan_as_skipped) {
  auto cfg = make_config();
  auto r = req("auto");
  core::tool t;
  t.function.name = "f";
  r.tools.push_back(t);
  auto p = make_plan(*cfg, r, {}, [](const config::endpoint_config& ep) { return ep.id != "c/three"; });
  ASSERT_TRUE(p);
  EXPECT_EQ(ids(*p), (std::vector<std::string>{"a/one", "b/two!incapable", "c/three!no-key"}));
  EXPECT_EQ(p->runnable(), 1u);
}

TEST(plan, vision_and_json_schema_need_the_capability) {
  auto cfg = make_config();
  auto r = req("auto");
  r.messages[0].content = std::vector<core::content_part>{core::image_part{"https://x/y.png", ""}};
  auto p = make_plan(*cfg, r, {}, all_keys);
  ASSERT_TRUE(p);
  for (const auto& a : p->attempts)
    EXPECT_EQ(a.skip_reason, a.endpoint->capabilities.vision ? "" : "incapable") << a.endpoint->id;
}

}  // namespace
}  // namespace gi::route
