#include "server/request_headers.h"

#include <gtest/gtest.h>

#include "server/headers.h"
#include "server/router.h"

namespace gi::server {
namespace {

core::result<gateway_options> parse(std::string name, std::string value) {
  return parse_gateway_headers({{std::move(name), std::move(value)}});
}

void expect_bad(std::string name, std::string value) {
  auto r = parse(name, value);
  ASSERT_FALSE(r) << name << ": " << value;
  EXPECT_EQ(r.error().kind, core::error_kind::invalid_request);
  EXPECT_EQ(r.error().param, name);
  EXPECT_NE(r.error().message.find(name), std::string::npos) << r.error().message;
}

TEST(request_headers, empty_is_fine) {
  auto r = parse_gateway_headers({});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->preference);
  EXPECT_FALSE(r->max_latency);
}

TEST(request_headers, max_latency_must_be_positive_integer) {
  auto r = parse("x-gammainfra-max-latency-ms", " 2500 ");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->max_latency->count(), 2500);
  for (auto bad : {"0", "-5", "1.5", "abc", "", "10ms", "99999999999999"})
    expect_bad(std::string(headers::max_latency_ms), bad);
}

TEST(request_headers, preference_enum_case_insensitive) {
  auto r = parse(std::string(headers::preference), "Latency");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->preference, preference::latency);
  expect_bad(std::string(headers::preference), "fastest");
}

TEST(request_headers, cost_quality_in_unit_interval) {
  auto r = parse(std::string(headers::cost_quality), "0.25");
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(*r->cost_quality, 0.25);
  ASSERT_TRUE(parse(std::string(headers::cost_quality), "1"));
  ASSERT_TRUE(parse(std::string(headers::cost_quality), "0"));
  for (auto bad : {"1.01", "-0.1", "nan", "inf", "x", ""})
    expect_bad(std::string(headers::cost_quality), bad);
}

TEST(request_headers, fallback_on_off) {
  EXPECT_FALSE(*parse(std::string(headers::fallback), "off")->fallback);
  EXPECT_TRUE(*parse(std::string(headers::fallback), "ON")->fallback);
  expect_bad(std::string(headers::fallback), "yes");
}

TEST(request_headers, hedge_off_on_or_delay) {
  EXPECT_EQ(parse(std::string(headers::hedge), "off")->hedge->m, hedge_setting::mode::off);
  EXPECT_EQ(parse(std::string(headers::hedge), "on")->hedge->m, hedge_setting::mode::on);
  auto d = parse(std::string(headers::hedge), "150");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->hedge->m, hedge_setting::mode::delay);
  EXPECT_EQ(d->hedge->delay.count(), 150);
  expect_bad(std::string(headers::hedge), "maybe");
  expect_bad(std::string(headers::hedge), "0");
}

TEST(request_headers, task_and_region) {
  EXPECT_EQ(*parse(std::string(headers::task), "Code")->task, "code");
  expect_bad(std::string(headers::task), "poetry");
  auto r = parse(std::string(headers::region), "us, EU");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->regions, (std::vector<std::string>{"us", "eu"}));
  expect_bad(std::string(headers::region), "us,,eu");
  expect_bad(std::string(headers::region), "u s");
}

TEST(request_headers, byok_provider_names) {
  auto r = parse("x-gammainfra-provider-key-openai", "sk-abc");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->byok.size(), 1u);
  EXPECT_EQ(r->byok[0].provider, core::provider_kind::openai);
  expect_bad("X-GammaInfra-Provider-Key-Nope", "k");
  expect_bad("X-GammaInfra-Provider-Key-Bedrock", "no-colon");
  ASSERT_TRUE(parse("X-GammaInfra-Provider-Key-Bedrock", "AKID:secret"));
}

TEST(request_headers, unknown_gateway_headers_are_ignored) {
  ASSERT_TRUE(parse("X-GammaInfra-Future-Thing", "whatever"));
}

TEST(request_headers, traceparent_validation) {
  EXPECT_TRUE(is_valid_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(is_valid_traceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(is_valid_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
  EXPECT_FALSE(is_valid_traceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(is_valid_traceparent("garbage"));
  EXPECT_TRUE(is_valid_client_request_id("abc-123"));
  EXPECT_FALSE(is_valid_client_request_id("has space"));
  EXPECT_FALSE(is_valid_client_request_id(std::string(200, 'a')));
}

TEST(router, json_content_type_accepts_parameters) {
  EXPECT_TRUE(is_json_content_type("application/json"));
  EXPECT_TRUE(is_json_content_type("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(is_json_content_type("text/plain"));
  EXPECT_FALSE(is_json_content_type("application/jsonx"));
  EXPECT_FALSE(is_json_content_type(""));
}

TEST(router, match_ignores_query) {
  EXPECT_EQ(request_router::match("/healthz?x=1"), route_id::healthz);
  EXPECT_EQ(request_router::match("/v1/chat/completions"), route_id::chat_completions);
  EXPECT_EQ(request_router::match("/v1/chat"), route_id::not_found);
}

}  // namespace
}  // namespace gi::server
