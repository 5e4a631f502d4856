#pragma once
// The gateway's metrics, declared once (style rule 11). Every metric name, type, help text
// and label set lives in GI_METRIC_LIST; code refers to the generated members of
// `metrics_registry`, never to name literals.
//
// Hot path: a labelled cell is looked up once (shared lock on a small map) and then updated
// with relaxed atomics; callers on hot paths cache the returned reference (cells are never
// freed while the registry lives). Scrapes render under the same shared lock.
//
// Thread safety: every member is safe to call from any thread.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gi::telemetry {

// Latency buckets in seconds: sub-millisecond resolution for gateway overhead, up to minutes
// for whole LLM requests.
inline constexpr std::array<double, 16> latency_buckets{
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25,   0.5,   1.0,    2.5,   5.0,  10.0,  30.0,  120.0};
inline constexpr std::array<double, 12> overhead_buckets{
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
    0.005,   0.01,   0.025,   0.05,   0.1,   0.5};

// X(member, kind, "prometheus_name", "help", "label,names", buckets)
// kind: counter | gauge | histogram. `buckets` is ignored for counters and gauges.
#define GI_METRIC_LIST(X)                                                                    \
  X(http_requests_total, counter, "gammainfra_http_requests_total",                          \
    "HTTP requests answered, by route and status", "route,status", latency_buckets)   \
  X(http_request_duration_seconds, histogram, "gammainfra_http_request_duration_seconds",    \
    "Time from request head received to response written, by route", "route",            \
    latency_buckets)                                                                         \
  X(http_requests_in_flight, gauge, "gammainfra_http_requests_in_flight",                    \
    "Requests being handled", "", latency_buckets)                                         \
  X(http_open_connections, gauge, "gammainfra_http_open_connections",                        \
    "Open client connections", "", latency_buckets)                                        \
  X(http_rejected_connections_total, counter, "gammainfra_http_rejected_connections_total",  \
    "Connections closed at accept because max_connections was reached", "",                \
    latency_buckets)                                                                         \
  X(gateway_overhead_seconds, histogram, "gammainfra_gateway_overhead_seconds",              \
    "Gateway time per request excluding upstream waits", "", overhead_buckets)             \
  X(upstream_attempts_total, counter, "gammainfra_upstream_attempts_total",                  \
    "Upstream attempts by endpoint and outcome", "endpoint,outcome", latency_buckets)    \
  X(router_attempt_duration_seconds, histogram, "gammainfra_router_attempt_duration_seconds", \
    "Duration of upstream attempts that ran, by endpoint", "endpoint", latency_buckets)     \
  X(router_circuit_state, gauge, "gammainfra_router_circuit_state",                          \
    "Circuit breaker state per endpoint after its last attempt (0 closed, 1 open, 2 half-open)", \
    "endpoint", latency_buckets)                                                             \
  X(router_budget_exhausted_total, counter, "gammainfra_router_budget_exhausted_total",      \
    "Requests answered 504 latency_budget_exceeded", "", latency_buckets)                  \
  X(router_same_endpoint_retries_total, counter, "gammainfra_router_same_endpoint_retries_total", \
    "Retries of the same endpoint after a 429/503 without Retry-After", "", latency_buckets) \
  X(router_hedges_launched_total, counter, "gammainfra_router_hedges_launched_total",          \
    "Requests that launched a hedge (X-GammaInfra-Hedged: true)", "", latency_buckets)      \
  X(router_hedges_won_total, counter, "gammainfra_router_hedges_won_total",                    \
    "Hedges that committed first (the leader was cancelled)", "", latency_buckets)          \
  X(router_hedge_waste_nano_usd_total, counter, "gammainfra_router_hedge_waste_nano_usd_total", \
    "Estimated cost of cancelled hedge-race losers, in nano-USD (not billed)", "",           \
    latency_buckets)                                                                         \
  X(classifier_classifications_total, counter, "gammainfra_classifier_classifications_total",  \
    "Task classifications of model=auto requests, by task and source (lexical, minilm, fallback)", \
    "task,source", latency_buckets)                                                          \
  X(classifier_latency_seconds, histogram, "gammainfra_classifier_latency_seconds",          \
    "Time from submit to answer, by classifier (lexical, minilm, fallback, cache)", "classifier", \
    overhead_buckets)                                                                        \
  X(classifier_timeouts_total, counter, "gammainfra_classifier_timeouts_total",              \
    "Classifications answered by the lexical model because the MiniLM deadline passed", "", \
    latency_buckets)                                                                         \
  X(classifier_overload_total, counter, "gammainfra_classifier_overload_total",              \
    "Classifications answered by the lexical model because the MiniLM queue was full", "",  \
    latency_buckets)                                                                         \
  X(classifier_cache_hits_total, counter, "gammainfra_classifier_cache_hits_total",          \
    "Classifications answered from the LRU cache", "", latency_buckets)                     \
  X(classifier_queue_depth, gauge, "gammainfra_classifier_queue_depth",                      \
    "MiniLM requests waiting for a worker", "", latency_buckets)

enum class metric_kind { counter, gauge, histogram };

// One labelled time series of a counter or gauge.
class scalar_cell {
 public:
  void inc(std::int64_t n = 1) noexcept { v_.fetch_add(n, std::memory_order_relaxed); }
  void dec(std::int64_t n = 1) noexcept { v_.fetch_sub(n, std::memory_order_relaxed); }
  void set(std::int64_t n) noexcept { v_.store(n, std::memory_order_relaxed); }
  std::int64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> v_{0};
};

// One labelled time series of a histogram. Buckets are stored non-cumulative (one increment
// per observation) and summed on render.
class histogram_cell {
 public:
  explicit histogram_cell(std::span<const double> bounds);
  void observe(double seconds) noexcept;
  std::span<const double> bounds() const noexcept { return bounds_; }
  // Per-bucket (non-cumulative) counts; the last one is +Inf.
  std::vector<std::uint64_t> bucket_counts() const;
  std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  double sum() const noexcept;

 private:
  std::span<const double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_ns_{0};  // integer nanoseconds: exact and atomic
};

// A metric with its label names and the time series created so far.
template <class Cell>
class family {
 public:
  // `label_names` is comma-separated ("route,status"; empty = unlabelled).
  family(std::string_view name, std::string_view help, metric_kind kind,
         std::string_view label_names, std::span<const double> bounds = {});

  // The series for these label values (created on first use). The reference stays valid
  // for the registry's lifetime. `values.size()` must equal the number of label names.
  Cell& with(std::vector<std::string> values);
  // The unlabelled series. Its cell is looked up once and then read from an atomic pointer:
  // get() runs several times per request, and with() costs a lock and a map search.
  Cell& get() {
    if (Cell* c = unlabelled_.load(std::memory_order_acquire)) return *c;
    Cell& c = with({});
    unlabelled_.store(&c, std::memory_order_release);
    return c;
  }

  void render(std::string& out) const;
  std::string_view name() const noexcept { return name_; }

 private:
  std::string_view name_;
  std::string_view help_;
  metric_kind kind_;
  std::vector<std::string> label_names_;
  std::span<const double> bounds_;
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Cell>> cells_;
  std::atomic<Cell*> unlabelled_{nullptr};
};

using counter_family = family<scalar_cell>;
using gauge_family = family<scalar_cell>;
using histogram_family = family<histogram_cell>;

#define GI_METRIC_FAMILY_TYPE_counter counter_family
#define GI_METRIC_FAMILY_TYPE_gauge gauge_family
#define GI_METRIC_FAMILY_TYPE_histogram histogram_family

class metrics_registry {
 public:
  metrics_registry();
  metrics_registry(const metrics_registry&) = delete;
  metrics_registry& operator=(const metrics_registry&) = delete;

 private:
  int dummy_;  // lets the constructor's initializer list be generated from the macro list

 public:

#define GI_METRIC_MEMBER(member, kind, name, help, labels, buckets) \
  GI_METRIC_FAMILY_TYPE_##kind member;
  GI_METRIC_LIST(GI_METRIC_MEMBER)
#undef GI_METRIC_MEMBER

  // Prometheus text exposition format 0.0.4.
  std::string render() const;
};

// Content-Type of render()'s output.
inline constexpr std::string_view prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

// Label value escaping of the text format: backslash, double quote and newline.
void append_escaped_label_value(std::string& out, std::string_view v);

}  // namespace gi::telemetry
