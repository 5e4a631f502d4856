// The shared fault -> response plan rendering (mock/fault.h) that every wire format uses:
// each fault kind does the same thing to a body or a stream whatever the format supplies.

#include <gtest/gtest.h>

#include "mock/fault.h"

namespace gi::mock {
namespace {

fault_spec fault(fault_kind k, std::uint32_t after = 3) {
  fault_spec f;
  f.kind = k;
  f.after = after;
  return f;
}

body_fault_parts body_parts() {
  return {.endless_prefix = "{\"open\":[",
          .unterminated = "{\"text\":\"unterm",
          .error_body = [] { return std::string("{\"error\":{}}"); },
          .full_body = [] { return std::string("0123456789"); }};
}

TEST(fault_render, body_faults) {
  response_plan p;
  render_body_fault(p, fault(fault_kind::none), body_parts());
  EXPECT_EQ(p.body, "0123456789");
  EXPECT_EQ(p.ending, plan_ending::complete);

  for (auto k : {fault_kind::truncated, fault_kind::close_mid_stream}) {
    response_plan t;
    render_body_fault(t, fault(k), body_parts());
    EXPECT_EQ(t.body, "01234");
    EXPECT_EQ(t.missing_bytes, 5u);
    EXPECT_EQ(t.ending, plan_ending::truncate);
  }

  response_plan e;
  render_body_fault(e, fault(fault_kind::endless), body_parts());
  EXPECT_TRUE(e.streaming);
  EXPECT_EQ(e.events, std::vector<std::string>{"{\"open\":["});
  EXPECT_EQ(e.repeat_event, " ");
  EXPECT_EQ(e.ending, plan_ending::endless);
  EXPECT_EQ(e.chunk_ms, 10u);

  response_plan j;
  render_body_fault(j, fault(fault_kind::invalid_json), body_parts());
  EXPECT_EQ(j.body, "{\"text\":\"unterm");

  response_plan s;
  render_body_fault(s, fault(fault_kind::stream_error), body_parts());
  EXPECT_EQ(s.body, "{\"error\":{}}");
}

stream_fault_parts stream_parts(bool close_after_error = false) {
  return {.error_event = [] { return std::string("ERR"); },
          .close_after_error = close_after_error,
          .invalid_json = [](std::vector<std::string>& ev) { ev = {"e0", "BROKEN"}; },
          .endless = [](response_plan& p) {
            p.events.resize(1);
            p.repeat_event = "more";
          }};
}

response_plan stream(fault_kind k, std::uint32_t after, bool close_after_error = false) {
  response_plan p;
  p.chunk_ms = 5;
  p.events = {"e0", "e1", "e2xx", "e3"};
  render_stream_fault(p, fault(k, after), stream_parts(close_after_error));
  return p;
}

TEST(fault_render, stream_faults_cut_after_n_events) {
  auto c = stream(fault_kind::close_mid_stream, 2);
  EXPECT_EQ(c.events, (std::vector<std::string>{"e0", "e1"}));
  EXPECT_EQ(c.ending, plan_ending::close);

  auto t = stream(fault_kind::truncated, 2);
  EXPECT_EQ(t.events, (std::vector<std::string>{"e0", "e1", "e2"}));
  EXPECT_EQ(t.ending, plan_ending::close);

  auto e = stream(fault_kind::stream_error, 1);
  EXPECT_EQ(e.events, (std::vector<std::string>{"e0", "ERR"}));
  EXPECT_EQ(e.ending, plan_ending::complete);
  EXPECT_EQ(stream(fault_kind::stream_error, 1, true).ending, plan_ending::close);

  // `after` past the end clamps to the last event.
  EXPECT_EQ(stream(fault_kind::close_mid_stream, 99).events, (std::vector<std::string>{"e0", "e1", "e2xx"}));
}

TEST(fault_render, stream_faults_by_the_formats_parts) {
  EXPECT_EQ(stream(fault_kind::invalid_json, 0).events, (std::vector<std::string>{"e0", "BROKEN"}));
  auto e = stream(fault_kind::endless, 0);
  EXPECT_EQ(e.events, std::vector<std::string>{"e0"});
  EXPECT_EQ(e.repeat_event, "more");
  EXPECT_EQ(e.ending, plan_ending::endless);
  EXPECT_EQ(e.chunk_ms, 5u);  // a configured pace is kept
  for (auto k : {fault_kind::none, fault_kind::oversized, fault_kind::hang}) {
    auto p = stream(k, 0);
    EXPECT_EQ(p.events.size(), 4u);
    EXPECT_EQ(p.ending, plan_ending::complete);
  }
}

TEST(fault_render, empty_stream_does_not_break) {
  response_plan p;
  render_stream_fault(p, fault(fault_kind::truncated, 3), stream_parts());
  EXPECT_EQ(p.events, std::vector<std::string>{""});
  EXPECT_EQ(p.ending, plan_ending::close);
}

TEST(fault_render, wrong_content_type_is_an_html_page_after_the_ttft) {
  response_plan p;
  p.ttft_ms = 7;
  p.latency_ms = 3;
  render_wrong_content_type(p);
  EXPECT_EQ(p.headers.at(0).second, "text/html; charset=utf-8");
  EXPECT_NE(p.body.find("<html>"), std::string::npos);
  EXPECT_EQ(p.latency_ms, 10u);
}

}  // namespace
}  // namespace gi::mock
