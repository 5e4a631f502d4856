#include "core/error.h"
#include "core/ids.h"

#include <gtest/gtest.h>

namespace gi::core {
namespace {

TEST(error_taxonomy, caller_faults_never_fall_back) {
  for (auto k : {error_kind::invalid_request, error_kind::upstream_invalid_request,
                 error_kind::content_policy, error_kind::unauthenticated})
    EXPECT_FALSE(traits(k).fallback_allowed) << to_string(k);
  for (auto k : {error_kind::rate_limited, error_kind::overloaded, error_kind::timeout,
                 error_kind::upstream_5xx, error_kind::connect, error_kind::truncated,
                 error_kind::protocol, error_kind::context_length})
    EXPECT_TRUE(traits(k).fallback_allowed) << to_string(k);
}

TEST(error_taxonomy, statuses_match_design) {
  EXPECT_EQ(traits(error_kind::invalid_request).http_status, 400);
  EXPECT_EQ(traits(error_kind::unauthenticated).http_status, 401);
  EXPECT_EQ(traits(error_kind::insufficient_credit).http_status, 402);
  EXPECT_EQ(traits(error_kind::not_found).http_status, 404);
  EXPECT_EQ(traits(error_kind::payload_too_large).http_status, 413);
  EXPECT_EQ(traits(error_kind::no_capable_endpoint).http_status, 422);
  EXPECT_EQ(traits(error_kind::gateway_rate_limited).http_status, 429);
  EXPECT_EQ(traits(error_kind::all_attempts_failed).http_status, 502);
  EXPECT_EQ(traits(error_kind::budget_exhausted).http_status, 504);
}

TEST(ids, ulid_ids_are_valid_sortable_and_deterministic_with_a_seed) {
  manual_clock clk;
  ulid_source a(clk, 42), b(clk, 42);
  auto id1 = a.next_request_id();
  EXPECT_EQ(id1, b.next_request_id());
  EXPECT_EQ(id1.size(), 29u);
  EXPECT_TRUE(is_valid_request_id(id1));
  clk.advance(std::chrono::milliseconds(1));
  auto id2 = a.next_request_id();
  EXPECT_LT(id1, id2);
  EXPECT_FALSE(is_valid_request_id("gx-123"));
  EXPECT_FALSE(is_valid_request_id("gi-a b"));
}

}  // namespace
}  // namespace gi::core
