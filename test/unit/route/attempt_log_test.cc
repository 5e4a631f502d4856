#include "route/attempt_log.h"

#include <gtest/gtest.h>

namespace gi::route {
namespace {

using std::chrono::milliseconds;

TEST(attempt_log, formats_the_design_grammar) {
  std::vector<attempt_record> a;
  a.push_back(record_failure("openai/gpt-4o-mini",
                             [] {
                               core::error e(core::error_kind::rate_limited, "slow down");
                               e.upstream_status = 429;
                               return e;
                             }(),
                             milliseconds(41)));
  attempt_record skipped;
  skipped.endpoint_id = "groq/llama";
  skipped.outcome = attempt_outcome::skipped;
  skipped.detail = "no-key";
  a.push_back(skipped);
  attempt_record ok;
  ok.endpoint_id = "anthropic/claude-haiku-4-5";
  ok.elapsed = milliseconds(820);
  ok.byok = true;
  a.push_back(ok);
  EXPECT_EQ(format_chain(a),
            "openai/gpt-4o-mini;error=429;ms=41, groq/llama;skipped=no-key, "
            "anthropic/claude-haiku-4-5;ok;ms=820;byok");
}

TEST(attempt_log, errors_without_status_use_the_kind_word) {
  auto conn = record_failure("x", core::error(core::error_kind::connect, "connect: refused"), milliseconds(1));
  EXPECT_EQ(format_chain({conn}), "x;error=connect;ms=1");
  auto reset = record_failure("x", core::error(core::error_kind::truncated, "connection reset by peer"),
                              milliseconds(2));
  EXPECT_EQ(format_chain({reset}), "x;error=reset;ms=2");
  auto proto = record_failure("x", core::error(core::error_kind::protocol, "response-too-large"),
                              milliseconds(3));
  EXPECT_EQ(format_chain({proto}), "x;error=protocol;ms=3");
}

TEST(attempt_log, timeouts_name_their_phase) {
  EXPECT_EQ(format_chain({record_failure("x", core::error(core::error_kind::timeout, "ttfb-timeout after 60000 ms"),
                                         milliseconds(5))}),
            "x;ttft-timeout;ms=5");
  EXPECT_EQ(format_chain({record_failure("x", core::error(core::error_kind::timeout, "stall-timeout"),
                                         milliseconds(5))}),
            "x;stall;ms=5");
  EXPECT_EQ(format_chain({record_failure("x", core::error(core::error_kind::timeout, "total-timeout"),
                                         milliseconds(5))}),
            "x;timeout;ms=5");
  EXPECT_EQ(format_chain({record_failure("x", core::error(core::error_kind::budget_exhausted, "spent"),
                                         milliseconds(5))}),
            "x;budget;ms=5");
}

}  // namespace
}  // namespace gi::route
