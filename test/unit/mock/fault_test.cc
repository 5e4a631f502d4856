#include "mock/fault.h"

#include <gtest/gtest.h>

namespace gi::mock {
namespace {

TEST(mock_fault, plain_model_has_no_fault) {
  auto f = parse_model_fault("gpt-4o-mini");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, fault_kind::none);
  EXPECT_EQ(f->base_model, "gpt-4o-mini");
  EXPECT_EQ(f->latency_ms, 0u);
}

TEST(mock_fault, prefix_names_select_kinds) {
  struct row { const char* model; fault_kind kind; int status; };
  const row rows[] = {
      {"mock-fault-429", fault_kind::rate_limit, 429},
      {"mock-fault-500", fault_kind::server_error, 500},
      {"mock-fault-503", fault_kind::overloaded, 503},
      {"mock-fault-502", fault_kind::http_status, 502},
      {"mock-fault-reset", fault_kind::reset, 0},
      {"mock-fault-hang", fault_kind::hang, 0},
      {"mock-fault-close", fault_kind::close_mid_stream, 200},
      {"mock-fault-insufficient_quota", fault_kind::insufficient_quota, 429},
      {"mock-fault-context_length", fault_kind::context_length, 400},
      {"mock-fault-invalid_json", fault_kind::invalid_json, 200},
      {"mock-fault-wrong_content_type", fault_kind::wrong_content_type, 200},
      {"mock-fault-truncated", fault_kind::truncated, 200},
      {"mock-fault-endless", fault_kind::endless, 200},
      {"mock-fault-oversized", fault_kind::oversized, 200},
      {"mock-fault-stream_error", fault_kind::stream_error, 200},
  };
  for (const auto& r : rows) {
    auto f = parse_model_fault(r.model);
    ASSERT_TRUE(f) << r.model;
    EXPECT_EQ(f->kind, r.kind) << r.model;
    EXPECT_EQ(f->status, r.status) << r.model;
    EXPECT_EQ(f->base_model, r.model);
  }
}

TEST(mock_fault, suffix_spec_with_timings) {
  auto f = parse_model_fault("gpt-4o-mini@fault=429,retry_after=7;latency_ms=15, ttft_ms=20,chunk_ms=3,chunks=5,after=2,split=4");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->base_model, "gpt-4o-mini");
  EXPECT_EQ(f->kind, fault_kind::rate_limit);
  ASSERT_TRUE(f->retry_after_s);
  EXPECT_EQ(*f->retry_after_s, 7u);
  EXPECT_EQ(f->latency_ms, 15u);
  EXPECT_EQ(f->ttft_ms, 20u);
  EXPECT_EQ(f->chunk_ms, 3u);
  ASSERT_TRUE(f->chunks);
  EXPECT_EQ(*f->chunks, 5u);
  EXPECT_EQ(f->after, 2u);
  EXPECT_EQ(f->split, 4u);
}

TEST(mock_fault, bare_kind_after_at_and_prefix_with_spec) {
  auto f = parse_model_fault("m@503");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, fault_kind::overloaded);
  auto g = parse_model_fault("mock-fault-hang@hang_ms=250");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, fault_kind::hang);
  EXPECT_EQ(g->hang_ms, 250u);
  EXPECT_EQ(g->base_model, "mock-fault-hang");
  auto h = parse_model_fault("m@latency_ms=5");  // timing only, no fault
  ASSERT_TRUE(h);
  EXPECT_EQ(h->kind, fault_kind::none);
  EXPECT_EQ(h->latency_ms, 5u);
}

TEST(mock_fault, retry_after_none_and_size) {
  auto f = parse_model_fault("m@fault=503,retry_after=none");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->retry_after_off);
  EXPECT_FALSE(f->retry_after_s);
  auto g = parse_model_fault("m@oversized,size=1024");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, fault_kind::oversized);
  EXPECT_EQ(g->size, 1024u);
}

TEST(mock_fault, header_overrides_model) {
  auto f = parse_model_fault("m@fault=429");
  ASSERT_TRUE(f);
  auto g = apply_fault_header(*f, "fault=reset; latency_ms=3");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, fault_kind::reset);
  EXPECT_EQ(g->latency_ms, 3u);
  EXPECT_EQ(g->base_model, "m");
}

TEST(mock_fault, bad_grammar_is_an_error_naming_the_item) {
  for (const char* bad : {"m@fault=teapot", "m@latency_ms=abc", "m@nope=1", "m@fault=99", "m@chunks=0",
                          "mock-fault-unknown", "m@retry_after=-1", "m@latency_ms="}) {
    auto f = parse_model_fault(bad);
    ASSERT_FALSE(f) << bad;
    EXPECT_NE(f.error().message.find('\''), std::string::npos) << f.error().message;
  }
  EXPECT_FALSE(apply_fault_header(fault_spec{}, "fault=zzz"));
}

TEST(mock_fault, every_kind_has_a_name) {
  for (int k = 0; k <= static_cast<int>(fault_kind::oversized); ++k) {
    EXPECT_NE(to_string(static_cast<fault_kind>(k)), "unknown");
  }
}

}  // namespace
}  // namespace gi::mock
