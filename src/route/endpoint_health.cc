#include "route/endpoint_health.h"

#include <algorithm>

namespace gi::route {

using namespace std::chrono;

std::string_view circuit_state_name(circuit_state s) noexcept {
  switch (s) {
    case circuit_state::closed: return "closed";
    case circuit_state::open: return "open";
    case circuit_state::half_open: return "half-open";
  }
  return "closed";
}

endpoint_health::endpoint_health(std::size_t endpoint_count, const core::clock& clk,
                                 health_options opts)
    : count_(endpoint_count),
      clock_(clk),
      opts_(opts),
      cells_(std::make_unique<cell[]>(std::max<std::size_t>(endpoint_count, 1))) {}

std::int64_t endpoint_health::now_ns() const noexcept {
  return duration_cast<nanoseconds>(clock_.steady_now().time_since_epoch()).count();
}

health_view endpoint_health::view(std::size_t endpoint) const noexcept {
  health_view v;
  if (endpoint >= count_) return v;
  const cell& c = cells_[endpoint];
  auto now = now_ns();
  auto until = c.open_until_ns.load(std::memory_order_acquire);
  if (until != 0) v.circuit = now < until ? circuit_state::open : circuit_state::half_open;
  v.cooling_down = now < c.cooldown_until_ns.load(std::memory_order_acquire);
  return v;
}

std::vector<health_view> endpoint_health::view_all() const {
  std::vector<health_view> out(count_);
  for (std::size_t i = 0; i < count_; ++i) out[i] = view(i);
  return out;
}

bool endpoint_health::try_acquire(std::size_t endpoint) noexcept {
  if (endpoint >= count_) return true;
  auto v = view(endpoint);
  if (v.circuit == circuit_state::closed) return true;
  if (v.circuit == circuit_state::open) return false;
  bool expected = false;
  return cells_[endpoint].probing.compare_exchange_strong(expected, true);
}

void endpoint_health::open(cell& c) noexcept {
  c.open_until_ns.store(now_ns() + duration_cast<nanoseconds>(opts_.open_for).count(),
                        std::memory_order_release);
  c.probing.store(false, std::memory_order_release);
}

void endpoint_health::on_success(std::size_t endpoint) noexcept {
  if (endpoint >= count_) return;
  cell& c = cells_[endpoint];
  c.consecutive.store(0, std::memory_order_relaxed);
  c.open_until_ns.store(0, std::memory_order_release);
  c.probing.store(false, std::memory_order_release);
}

void endpoint_health::on_failure(std::size_t endpoint, double window_error_rate,
                                 std::uint32_t window_attempts) noexcept {
  if (endpoint >= count_) return;
  cell& c = cells_[endpoint];
  auto n = c.consecutive.fetch_add(1, std::memory_order_relaxed) + 1;
  bool was_probe = c.probing.load(std::memory_order_acquire);
  bool rate_trip = window_attempts >= opts_.error_rate_min_attempts &&
                   window_error_rate >= opts_.error_rate_threshold;
  if (was_probe || n >= opts_.failure_threshold || rate_trip) open(c);
}

void endpoint_health::release_probe(std::size_t endpoint) noexcept {
  if (endpoint < count_) cells_[endpoint].probing.store(false, std::memory_order_release);
}

void endpoint_health::set_cooldown(std::size_t endpoint, milliseconds d) noexcept {
  if (endpoint >= count_ || d.count() <= 0) return;
  d = std::min(d, opts_.max_cooldown);
  auto until = now_ns() + duration_cast<nanoseconds>(d).count();
  auto& cu = cells_[endpoint].cooldown_until_ns;
  auto cur = cu.load(std::memory_order_relaxed);
  while (cur < until && !cu.compare_exchange_weak(cur, until)) {
  }
}

void endpoint_health::adopt(const endpoint_health& from,
                            const std::vector<std::optional<std::size_t>>& from_index) noexcept {
  constexpr auto r = std::memory_order_relaxed;
  for (std::size_t i = 0; i < count_ && i < from_index.size(); ++i) {
    if (!from_index[i] || *from_index[i] >= from.count_) continue;
    const cell& src = from.cells_[*from_index[i]];
    cell& dst = cells_[i];
    dst.consecutive.store(src.consecutive.load(r), r);
    dst.open_until_ns.store(src.open_until_ns.load(r), r);
    dst.cooldown_until_ns.store(src.cooldown_until_ns.load(r), r);
    dst.probing.store(false, r);
  }
}

}  // namespace gi::route
