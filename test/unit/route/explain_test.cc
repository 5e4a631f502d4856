#include "route/explain.h"

#include <gtest/gtest.h>

#include "config/loader.h"

namespace gi::route {
namespace {

TEST(explain, json_lists_ranked_and_skipped_candidates_with_every_term) {
  auto cfg = config::load_string(R"(
catalog: false
endpoints:
  - {id: a/fast, provider: openai, model: a, auth: none, region: eu, prices: {input: "1", output: "2"}, quality: {chat: 0.6}, quality_source: "estimate: t"}
  - {id: b/far, provider: openai, model: b, auth: none, region: us, prices: {input: "1", output: "2"}, quality: {chat: 0.9}, quality_source: "estimate: t"}
routing: {chains: {chat: [b/far, a/fast]}}
)", "<t>");
  ASSERT_TRUE(cfg) << cfg.error().to_string();
  stats_snapshot st;
  st.fallback.p50 = std::chrono::milliseconds(700);
  std::vector<health_view> hv(2);
  routing_inputs live{&st, &hv};
  plan_options po;
  po.ranking.regions = {"eu"};
  po.ranking.always_score = true;  // as explain_task asks: one runnable candidate needs no scores
  core::chat_request req;
  req.model = "auto";
  req.messages.push_back(core::message{});
  auto p = make_plan(**cfg, req, po, {}, &live);
  ASSERT_TRUE(p);
  auto j = explain_json(*p, po.ranking);
  EXPECT_EQ(j.at("task").as_string(), "chat");
  EXPECT_EQ(j.at("preference").as_string(), "balanced");
  EXPECT_TRUE(j.at("cost_quality").is_null());
  const auto& c = j.at("candidates").as_array();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].at("endpoint").as_string(), "b/far");
  EXPECT_EQ(c[0].at("skipped").as_string(), "region");
  EXPECT_TRUE(c[0].at("rank").is_null());
  EXPECT_TRUE(c[0].at("score").is_null());
  EXPECT_EQ(c[1].at("endpoint").as_string(), "a/fast");
  EXPECT_EQ(c[1].at("rank").as_int64(), 1);
  EXPECT_EQ(c[1].at("p50_ms").as_int64(), 700);
  EXPECT_EQ(c[1].at("p50_source").as_string(), "prior");
  for (auto key : {"quality", "quality_norm", "est_cost_usd", "cost_norm", "latency_norm", "error_rate", "score"})
    EXPECT_TRUE(c[1].as_object().contains(key)) << key;
  auto text = explain_text(*p, po.ranking);
  EXPECT_NE(text.find("skipped=region"), std::string::npos) << text;
  EXPECT_NE(text.find("p50=prior"), std::string::npos) << text;
}

}  // namespace
}  // namespace gi::route
