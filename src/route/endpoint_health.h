#pragma once
// Per-endpoint circuit breaker and Retry-After cooldown (design §4.5 "Execution").
//
//   closed    --N consecutive failures, or error rate >= threshold over enough attempts-->
//   open      --after open_for-->  half_open (exactly one probe request may run)
//   half_open --probe ok--> closed;  --probe fails--> open again
//
// A cooldown (429/503 with Retry-After) is separate: the endpoint is skipped until it ends,
// whatever the circuit says. Both are live state (not the 30 s statistics snapshot): a
// breaker must react within the request that tripped it.
//
// Thread safety: every member is safe from any thread (relaxed/acq-rel atomics).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace gi::route {

enum class circuit_state : std::uint8_t { closed, open, half_open };
std::string_view circuit_state_name(circuit_state s) noexcept;

struct health_options {
  std::uint32_t failure_threshold = 5;       // consecutive failures that open the circuit
  double error_rate_threshold = 0.5;         // ... or this error rate
  std::uint32_t error_rate_min_attempts = 20;  // over at least this many window attempts
  std::chrono::milliseconds open_for{30'000};  // before the half-open probe
  std::chrono::milliseconds max_cooldown{120'000};  // cap on a Retry-After
};

// The health of one endpoint at one instant (input of the pure ranking).
struct health_view {
  circuit_state circuit = circuit_state::closed;
  bool cooling_down = false;
};

class endpoint_health {
 public:
  endpoint_health(std::size_t endpoint_count, const core::clock& clk, health_options opts = {});

  health_view view(std::size_t endpoint) const noexcept;
  std::vector<health_view> view_all() const;

  // Half-open: the one caller that gets true runs the probe; others must skip.
  // Closed: always true. Open: false.
  bool try_acquire(std::size_t endpoint) noexcept;

  void on_success(std::size_t endpoint) noexcept;
  // `window_error_rate`/`window_attempts` from the stats snapshot (error-rate trip).
  void on_failure(std::size_t endpoint, double window_error_rate = 0,
                  std::uint32_t window_attempts = 0) noexcept;
  // A failure the breaker should ignore but that ends a half-open probe (e.g. cancelled).
  void release_probe(std::size_t endpoint) noexcept;
  void set_cooldown(std::size_t endpoint, std::chrono::milliseconds d) noexcept;

  const health_options& options() const noexcept { return opts_; }

  // Takes over another instance's state (a config reload): endpoint i gets the failure
  // count, open circuit and cooldown of `from` endpoint from_index[i] when that is set. A
  // half-open probe in flight stays with the old instance (its outcome is recorded there).
  void adopt(const endpoint_health& from, const std::vector<std::optional<std::size_t>>& from_index) noexcept;

 private:
  struct cell {
    std::atomic<std::uint32_t> consecutive{0};
    std::atomic<std::int64_t> open_until_ns{0};  // 0 = closed
    std::atomic<bool> probing{false};
    std::atomic<std::int64_t> cooldown_until_ns{0};
  };
  std::int64_t now_ns() const noexcept;
  void open(cell& c) noexcept;

  std::size_t count_;
  const core::clock& clock_;
  health_options opts_;
  std::unique_ptr<cell[]> cells_;
};

}  // namespace gi::route
