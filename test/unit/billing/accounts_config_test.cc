// The `accounts:` config section (issue 10): defaults, every key, strict validation.

#include <gtest/gtest.h>

#include "config/config.h"

namespace gi::config {
namespace {

TEST(accounts_config, defaults_are_off_and_safe) {
  auto s = defaults();
  EXPECT_FALSE(s->accounts.enabled);
  EXPECT_FALSE(s->accounts.signup_enabled);
  EXPECT_EQ(s->accounts.typical_output_tokens, 1024);
  EXPECT_EQ(s->accounts.byok_fee, core::money());
  EXPECT_EQ(s->accounts.admin_token_env, "GAMMAINFRA_ADMIN_TOKEN");
}

TEST(accounts_config, every_key_parses) {
  auto r = load_string(R"(accounts:
  enabled: true
  store: /tmp/x.db
  admin_token_env: MY_ADMIN
  byok_master_key_env: MY_BYOK
  byok_previous_key_env: MY_BYOK_OLD
  byok_fee_usd: "0.0001"
  typical_output_tokens: 512
  rate_limits: {requests_per_minute: 60, tokens_per_minute: 100000}
  signup: {enabled: true, per_ip_per_hour: 3}
  request_log_retention_days: 7
  flush_interval: 20ms
)", "<t>");
  ASSERT_TRUE(r) << r.error().to_string();
  const auto& a = (*r)->accounts;
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(a.store_path, "/tmp/x.db");
  EXPECT_EQ(a.admin_token_env, "MY_ADMIN");
  EXPECT_EQ(a.byok_fee, core::money::from_nanos(100'000));
  EXPECT_EQ(a.typical_output_tokens, 512);
  EXPECT_EQ(a.default_rpm, 60);
  EXPECT_EQ(a.default_tpm, 100000);
  EXPECT_TRUE(a.signup_enabled);
  EXPECT_EQ(a.signup_per_ip_per_hour, 3);
  EXPECT_EQ(a.request_log_retention_days, 7);
  EXPECT_EQ(a.flush_interval, std::chrono::milliseconds(20));
}

TEST(accounts_config, bad_values_name_the_path) {
  auto bad = [](const char* yaml) {
    auto r = load_string(yaml, "<t>");
    EXPECT_FALSE(r) << yaml;
    return r ? std::string() : r.error().path;
  };
  EXPECT_EQ(bad("accounts:\n  byok_fee_usd: \"-1\"\n"), "accounts.byok_fee_usd");
  EXPECT_EQ(bad("accounts:\n  admin_token: abc\n"), "accounts.admin_token");
  EXPECT_EQ(bad("accounts:\n  admin_token_env: \"not a name\"\n"), "accounts.admin_token_env");
  EXPECT_EQ(bad("accounts:\n  rate_limits: {requests_per_minute: -1}\n"), "accounts.rate_limits.requests_per_minute");
  EXPECT_EQ(bad("accounts:\n  typical_output_tokens: 0\n"), "accounts.typical_output_tokens");
}

TEST(accounts_config, auth_byok_endpoints_need_no_gateway_key) {
  auto r = load_string(R"(catalog: false
endpoints:
  - id: my/groq
    provider: groq
    model: llama-3.1-8b-instant
    auth: byok
    prices: {input: "1", output: "2"}
  - id: my/bedrock
    provider: bedrock
    model: anthropic.claude
    auth: byok
    aws_region: us-east-1
    prices: {input: "1", output: "2"}
routing:
  default_task: chat
  chains:
    chat: [my/groq]
)", "<t>");
  ASSERT_TRUE(r) << r.error().to_string();
  const auto* g = (*r)->find_endpoint("my/groq");
  ASSERT_NE(g, nullptr);
  EXPECT_TRUE(g->byok_only);
  EXPECT_FALSE(g->auth_none);
  EXPECT_TRUE((*r)->find_endpoint("my/bedrock")->byok_only);
  // Bedrock still needs its region; an unknown auth word is refused naming the choices.
  auto no_region = load_string(R"(catalog: false
endpoints:
  - id: my/bedrock
    provider: bedrock
    model: anthropic.claude
    auth: byok
    prices: {input: "1", output: "2"}
)", "<t>");
  ASSERT_FALSE(no_region);
  EXPECT_NE(no_region.error().to_string().find("aws_region"), std::string::npos);
  auto bad = load_string(R"(catalog: false
endpoints:
  - id: my/groq
    provider: groq
    model: m
    auth: mine
    prices: {input: "1", output: "2"}
)", "<t>");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().to_string().find("'byok'"), std::string::npos) << bad.error().to_string();
}

}  // namespace
}  // namespace gi::config
