#include "telemetry/metrics.h"

#include <gtest/gtest.h>

#include "telemetry/access_log.h"

namespace gi::telemetry {
namespace {

TEST(metrics, counter_with_labels_renders_prometheus_text) {
  metrics_registry m;
  m.http_requests_total.with({"/healthz", "200"}).inc();
  m.http_requests_total.with({"/healthz", "200"}).inc(2);
  m.http_requests_total.with({"other", "404"}).inc();
  auto text = m.render();
  EXPECT_NE(text.find("# TYPE gammainfra_http_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("gammainfra_http_requests_total{route=\"/healthz\",status=\"200\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("gammainfra_http_requests_total{route=\"other\",status=\"404\"} 1\n"),
            std::string::npos);
}

TEST(metrics, unlabelled_series_render_zero_before_use) {
  metrics_registry m;
  auto text = m.render();
  EXPECT_NE(text.find("gammainfra_http_requests_in_flight 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("gammainfra_gateway_overhead_seconds_count 0\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE gammainfra_upstream_attempts_total counter\n"), std::string::npos);
}

TEST(metrics, gauge_goes_up_and_down) {
  metrics_registry m;
  auto& g = m.http_open_connections.get();
  g.inc();
  g.inc();
  g.dec();
  EXPECT_EQ(g.value(), 1);
  EXPECT_NE(m.render().find("gammainfra_http_open_connections 1\n"), std::string::npos);
}

TEST(metrics, histogram_buckets_are_cumulative_with_sum_and_count) {
  metrics_registry m;
  auto& h = m.http_request_duration_seconds.with({"/v1/models"});
  h.observe(0.0003);  // first bucket (0.0005)
  h.observe(0.002);   // 0.0025
  h.observe(1000.0);  // +Inf only
  auto text = m.render();
  auto has = [&](const std::string& line) {
    EXPECT_NE(text.find(line + "\n"), std::string::npos) << line << "\n" << text;
  };
  has(R"(gammainfra_http_request_duration_seconds_bucket{route="/v1/models",le="0.0005"} 1)");
  has(R"(gammainfra_http_request_duration_seconds_bucket{route="/v1/models",le="0.001"} 1)");
  has(R"(gammainfra_http_request_duration_seconds_bucket{route="/v1/models",le="0.0025"} 2)");
  has(R"(gammainfra_http_request_duration_seconds_bucket{route="/v1/models",le="120"} 2)");
  has(R"(gammainfra_http_request_duration_seconds_bucket{route="/v1/models",le="+Inf"} 3)");
  has(R"(gammainfra_http_request_duration_seconds_count{route="/v1/models"} 3)");
  has(R"(gammainfra_http_request_duration_seconds_sum{route="/v1/models"} 1000.0023)");
}

TEST(metrics, label_values_are_escaped) {
  metrics_registry m;
  m.upstream_attempts_total.with({"a\"b\\c\nd", "ok"}).inc();
  EXPECT_NE(m.render().find(R"(gammainfra_upstream_attempts_total{endpoint="a\"b\\c\nd",outcome="ok"} 1)"),
            std::string::npos);
}

TEST(metrics, same_labels_return_the_same_cell) {
  metrics_registry m;
  auto* a = &m.upstream_attempts_total.with({"openai/gpt-4o-mini", "ok"});
  auto* b = &m.upstream_attempts_total.with({"openai/gpt-4o-mini", "ok"});
  auto* c = &m.upstream_attempts_total.with({"openai/gpt-4o-mini", "timeout"});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(access_log, line_is_json_with_escaping) {
  access_record r;
  r.request_id = "gi-1";
  r.method = "POST";
  r.path = "/v1/chat/completions?x=\"y\"";
  r.status = 400;
  r.bytes_in = 12;
  r.bytes_out = 99;
  r.duration_ms = 1.5;
  r.key_id = "k1";
  auto line = format_access_line(r, "2026-01-01T00:00:00Z");
  EXPECT_EQ(line,
            R"({"ts":"2026-01-01T00:00:00Z","request_id":"gi-1","method":"POST","path":"/v1/chat/completions?x=\"y\"","status":400,"bytes_in":12,"bytes_out":99,"duration_ms":1.500,"key_id":"k1"})");
}

}  // namespace
}  // namespace gi::telemetry
