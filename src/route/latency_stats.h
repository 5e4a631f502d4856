#pragma once
// Live latency statistics per endpoint (design §4.5 "Live latency", issue 8 item 2).
//
// Recording (hot path, every finished attempt) is lock-free: each endpoint has `shards`
// copies of a ring of 30-second slots; a slot is a fixed log-scale histogram of
// successful-attempt latencies (bins of 2^(1/8) ≈ 9 %, so a reported percentile is within
// ±4.5 % of the true one) plus error/timeout counters, all relaxed atomics. The recording
// thread picks its shard by a per-thread index, so two I/O threads never share a cache line
// in the common case. No samples are stored: memory is fixed, recording is O(1).
//
// Reading (ranking) never touches the rings: every `refresh` interval (30 s) one caller
// merges the slots of the last `window` (5 min) into an immutable `stats_snapshot` and
// swaps it in atomically; the hot path only loads a shared_ptr. Endpoints with fewer than
// `min_samples` successes in the window report the configured prior (`from_prior`).
//
// Window granularity is one slot: a snapshot covers the current (partial) slot plus the
// previous window/refresh - 1 full ones, i.e. between 4.5 and 5 minutes of history.
// A slot is recycled by the first recorder that sees it carry an old epoch; a sample
// recorded concurrently with that reset may be lost — acceptable for a statistic.
//
// Thread safety: every member is safe from any thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/clock.h"

namespace gi::route {

using std::chrono::milliseconds;

struct latency_prior {
  milliseconds p50{1'000};
  milliseconds p90{3'000};
  milliseconds p99{8'000};
};

// One endpoint in a snapshot. Latencies are of successful attempts: time to first token for
// streams, time to complete otherwise.
struct endpoint_stats {
  std::uint32_t samples = 0;   // successes in the window
  std::uint32_t errors = 0;    // failed attempts (not counting timeouts)
  std::uint32_t timeouts = 0;  // timed-out attempts (total, TTFT or stall)
  milliseconds p50{0};
  milliseconds p90{0};
  milliseconds p99{0};
  // Non-stream successes that reported output tokens: mean total time per output token.
  double ms_per_output_token = 0;
  bool from_prior = true;  // too few samples: p50/p90/p99 are the prior's

  std::uint32_t attempts() const noexcept { return samples + errors + timeouts; }
  double error_rate() const noexcept {
    return attempts() == 0 ? 0.0 : double(errors + timeouts) / double(attempts());
  }
};

// Immutable; indices parallel the config snapshot's endpoints.
struct stats_snapshot {
  std::vector<endpoint_stats> endpoints;
  std::chrono::steady_clock::time_point computed_at{};

  // A prior-only entry for indices out of range (a config reload added endpoints).
  const endpoint_stats& at(std::size_t i) const noexcept;
  endpoint_stats fallback;
};

using stats_snapshot_ptr = std::shared_ptr<const stats_snapshot>;

struct latency_stats_options {
  std::chrono::seconds window{300};
  std::chrono::seconds refresh{30};
  std::uint32_t min_samples = 5;
  latency_prior prior;
  std::vector<std::optional<latency_prior>> endpoint_priors;  // by endpoint index
  std::size_t shards = 8;
};

class latency_stats {
 public:
  latency_stats(std::size_t endpoint_count, const core::clock& clk,
                latency_stats_options opts = {});
  ~latency_stats();
  latency_stats(const latency_stats&) = delete;
  latency_stats& operator=(const latency_stats&) = delete;

  // A successful attempt. `output_tokens` only for non-stream answers (per-token latency).
  void record_success(std::size_t endpoint, milliseconds latency,
                      std::optional<std::int64_t> output_tokens = std::nullopt) noexcept;
  void record_error(std::size_t endpoint) noexcept;
  void record_timeout(std::size_t endpoint) noexcept;

  // The current snapshot, refreshed first when the refresh interval has passed (one caller
  // rebuilds; concurrent callers keep using the previous snapshot). Never null.
  stats_snapshot_ptr snapshot() noexcept;
  // The current snapshot without refreshing.
  stats_snapshot_ptr current() const noexcept;
  // Rebuilds now (tests, admin).
  void refresh() noexcept;

  // Takes over another instance's recorded history (a config reload): endpoint i gets the
  // slots of `from` endpoint from_index[i] when that is set, then the snapshot is rebuilt.
  // Nothing is copied when the two differ in window, refresh or shards (the slots would not
  // line up); returns whether it copied. `from` may still be recording meanwhile (relaxed
  // copies: a sample recorded during the copy may or may not move, like any statistic).
  bool adopt(const latency_stats& from, const std::vector<std::optional<std::size_t>>& from_index) noexcept;

  const latency_stats_options& options() const noexcept { return opts_; }
  std::size_t endpoint_count() const noexcept { return endpoint_count_; }

  // Histogram geometry (exposed for tests): the bin of a latency and its representative.
  static std::size_t bin_of(milliseconds latency) noexcept;
  static milliseconds bin_value(std::size_t bin) noexcept;
  static constexpr std::size_t bin_count = 168;  // 2^(1/8) steps from 1 ms to ~33 min

 private:
  struct slot;
  slot& slot_for(std::size_t endpoint, std::int64_t epoch) noexcept;
  std::int64_t epoch_of(std::chrono::steady_clock::time_point t) const noexcept;
  stats_snapshot_ptr build() const;

  std::size_t endpoint_count_;
  const core::clock& clock_;
  latency_stats_options opts_;
  std::size_t slots_per_ring_;
  std::unique_ptr<slot[]> slots_;  // [endpoint][shard][slot]
  std::atomic<std::shared_ptr<const stats_snapshot>> snap_;
  std::atomic<std::int64_t> next_refresh_ns_{0};
};

}  // namespace gi::route
