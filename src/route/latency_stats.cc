#include "route/latency_stats.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <thread>

namespace gi::route {

using namespace std::chrono;

struct latency_stats::slot {
  std::atomic<std::int64_t> epoch{-1};
  std::atomic<std::uint32_t> errors{0};
  std::atomic<std::uint32_t> timeouts{0};
  std::atomic<std::uint64_t> per_token_ms{0};      // sum of latency of token-counted successes
  std::atomic<std::uint64_t> per_token_tokens{0};  // their output tokens
  std::array<std::atomic<std::uint32_t>, bin_count> bins{};

  void reset(std::int64_t e) noexcept {
    errors.store(0, std::memory_order_relaxed);
    timeouts.store(0, std::memory_order_relaxed);
    per_token_ms.store(0, std::memory_order_relaxed);
    per_token_tokens.store(0, std::memory_order_relaxed);
    for (auto& b : bins) b.store(0, std::memory_order_relaxed);
    epoch.store(e, std::memory_order_release);
  }
};

const endpoint_stats& stats_snapshot::at(std::size_t i) const noexcept {
  return i < endpoints.size() ? endpoints[i] : fallback;
}

namespace {

// A per-thread shard index: threads spread over shards by their id hash, computed once.
std::size_t thread_shard() noexcept {
  thread_local const std::size_t h = std::hash<std::thread::id>{}(std::this_thread::get_id());
  return h;
}

constexpr double bin_ratio_log2 = 1.0 / 8.0;  // bins of 2^(1/8)

}  // namespace

std::size_t latency_stats::bin_of(milliseconds latency) noexcept {
  auto ms = latency.count();
  if (ms <= 1) return 0;
  auto b = static_cast<std::size_t>(std::log2(static_cast<double>(ms)) / bin_ratio_log2);
  return std::min(b, bin_count - 1);
}

milliseconds latency_stats::bin_value(std::size_t bin) noexcept {
  // Geometric middle of [2^(b/8), 2^((b+1)/8)).
  double v = std::exp2((static_cast<double>(bin) + 0.5) * bin_ratio_log2);
  return milliseconds(static_cast<std::int64_t>(std::llround(v)));
}

latency_stats::latency_stats(std::size_t endpoint_count, const core::clock& clk,
                             latency_stats_options opts)
    : endpoint_count_(endpoint_count), clock_(clk), opts_(std::move(opts)) {
  if (opts_.refresh.count() <= 0) opts_.refresh = seconds(30);
  if (opts_.window < opts_.refresh) opts_.window = opts_.refresh;
  if (opts_.shards == 0) opts_.shards = 1;
  slots_per_ring_ = static_cast<std::size_t>(opts_.window / opts_.refresh);
  slots_ = std::make_unique<slot[]>(std::max<std::size_t>(endpoint_count_, 1) * opts_.shards *
                                    slots_per_ring_);
  refresh();
}

latency_stats::~latency_stats() = default;

std::int64_t latency_stats::epoch_of(steady_clock::time_point t) const noexcept {
  return duration_cast<nanoseconds>(t.time_since_epoch()).count() /
         duration_cast<nanoseconds>(opts_.refresh).count();
}

latency_stats::slot& latency_stats::slot_for(std::size_t endpoint, std::int64_t epoch) noexcept {
  std::size_t shard = thread_shard() % opts_.shards;
  std::size_t idx = (endpoint * opts_.shards + shard) * slots_per_ring_ +
                    static_cast<std::size_t>(epoch % static_cast<std::int64_t>(slots_per_ring_));
  slot& s = slots_[idx];
  auto old = s.epoch.load(std::memory_order_acquire);
  if (old != epoch && old < epoch && s.epoch.compare_exchange_strong(old, epoch)) {
    // We own the recycling of this slot (see the header on the race this accepts).
    s.reset(epoch);
  }
  return s;
}

void latency_stats::record_success(std::size_t endpoint, milliseconds latency,
                                   std::optional<std::int64_t> output_tokens) noexcept {
  if (endpoint >= endpoint_count_) return;
  auto& s = slot_for(endpoint, epoch_of(clock_.steady_now()));
  s.bins[bin_of(latency)].fetch_add(1, std::memory_order_relaxed);
  if (output_tokens && *output_tokens > 0 && latency.count() >= 0) {
    s.per_token_ms.fetch_add(static_cast<std::uint64_t>(latency.count()), std::memory_order_relaxed);
    s.per_token_tokens.fetch_add(static_cast<std::uint64_t>(*output_tokens),
                                 std::memory_order_relaxed);
  }
}

bool latency_stats::adopt(const latency_stats& from,
                          const std::vector<std::optional<std::size_t>>& from_index) noexcept {
  if (from.opts_.window != opts_.window || from.opts_.refresh != opts_.refresh ||
      from.opts_.shards != opts_.shards || from.slots_per_ring_ != slots_per_ring_)
    return false;
  const std::size_t per_endpoint = opts_.shards * slots_per_ring_;
  for (std::size_t i = 0; i < endpoint_count_ && i < from_index.size(); ++i) {
    if (!from_index[i] || *from_index[i] >= from.endpoint_count_) continue;
    for (std::size_t k = 0; k < per_endpoint; ++k) {
      const slot& src = from.slots_[*from_index[i] * per_endpoint + k];
      slot& dst = slots_[i * per_endpoint + k];
      constexpr auto r = std::memory_order_relaxed;
      dst.errors.store(src.errors.load(r), r);
      dst.timeouts.store(src.timeouts.load(r), r);
      dst.per_token_ms.store(src.per_token_ms.load(r), r);
      dst.per_token_tokens.store(src.per_token_tokens.load(r), r);
      for (std::size_t b = 0; b < bin_count; ++b) dst.bins[b].store(src.bins[b].load(r), r);
      dst.epoch.store(src.epoch.load(std::memory_order_acquire), std::memory_order_release);
    }
  }
  refresh();
  return true;
}

void latency_stats::record_error(std::size_t endpoint) noexcept {
  if (endpoint >= endpoint_count_) return;
  slot_for(endpoint, epoch_of(clock_.steady_now())).errors.fetch_add(1, std::memory_order_relaxed);
}

void latency_stats::record_timeout(std::size_t endpoint) noexcept {
  if (endpoint >= endpoint_count_) return;
  slot_for(endpoint, epoch_of(clock_.steady_now())).timeouts.fetch_add(1, std::memory_order_relaxed);
}

stats_snapshot_ptr latency_stats::build() const {
  auto snap = std::make_shared<stats_snapshot>();
  auto now = clock_.steady_now();
  snap->computed_at = now;
  auto cur = epoch_of(now);
  auto oldest = cur - static_cast<std::int64_t>(slots_per_ring_) + 1;
  snap->fallback.p50 = opts_.prior.p50;
  snap->fallback.p90 = opts_.prior.p90;
  snap->fallback.p99 = opts_.prior.p99;
  snap->endpoints.resize(endpoint_count_);
  std::array<std::uint64_t, bin_count> merged{};
  for (std::size_t ep = 0; ep < endpoint_count_; ++ep) {
    merged.fill(0);
    endpoint_stats st;
    std::uint64_t samples = 0, tok_ms = 0, toks = 0;
    for (std::size_t sh = 0; sh < opts_.shards; ++sh) {
      for (std::size_t k = 0; k < slots_per_ring_; ++k) {
        const slot& s = slots_[(ep * opts_.shards + sh) * slots_per_ring_ + k];
        auto e = s.epoch.load(std::memory_order_acquire);
        if (e < oldest || e > cur) continue;
        st.errors += s.errors.load(std::memory_order_relaxed);
        st.timeouts += s.timeouts.load(std::memory_order_relaxed);
        tok_ms += s.per_token_ms.load(std::memory_order_relaxed);
        toks += s.per_token_tokens.load(std::memory_order_relaxed);
        for (std::size_t b = 0; b < bin_count; ++b) {
          auto n = s.bins[b].load(std::memory_order_relaxed);
          merged[b] += n;
          samples += n;
        }
      }
    }
    st.samples = static_cast<std::uint32_t>(samples);
    if (toks > 0) st.ms_per_output_token = double(tok_ms) / double(toks);
    const latency_prior& prior =
        ep < opts_.endpoint_priors.size() && opts_.endpoint_priors[ep] ? *opts_.endpoint_priors[ep]
                                                                       : opts_.prior;
    if (samples < opts_.min_samples || samples == 0) {
      st.from_prior = true;
      st.p50 = prior.p50;
      st.p90 = prior.p90;
      st.p99 = prior.p99;
    } else {
      st.from_prior = false;
      // Nearest-rank percentiles over the merged histogram.
      auto pct = [&](double q) {
        auto rank = static_cast<std::uint64_t>(std::ceil(q * double(samples)));
        rank = std::max<std::uint64_t>(rank, 1);
        std::uint64_t acc = 0;
        for (std::size_t b = 0; b < bin_count; ++b) {
          acc += merged[b];
          if (acc >= rank) return bin_value(b);
        }
        return bin_value(bin_count - 1);
      };
      st.p50 = pct(0.50);
      st.p90 = pct(0.90);
      st.p99 = pct(0.99);
    }
    snap->endpoints[ep] = st;
  }
  return snap;
}

void latency_stats::refresh() noexcept {
  auto now = clock_.steady_now();
  snap_.store(build(), std::memory_order_release);
  next_refresh_ns_.store(duration_cast<nanoseconds>((now + opts_.refresh).time_since_epoch()).count(),
                         std::memory_order_release);
}

stats_snapshot_ptr latency_stats::current() const noexcept {
  return snap_.load(std::memory_order_acquire);
}

stats_snapshot_ptr latency_stats::snapshot() noexcept {
  auto now_ns = duration_cast<nanoseconds>(clock_.steady_now().time_since_epoch()).count();
  auto due = next_refresh_ns_.load(std::memory_order_acquire);
  if (now_ns >= due) {
    auto next = now_ns + duration_cast<nanoseconds>(opts_.refresh).count();
    // One caller wins the rebuild; the others keep the previous snapshot.
    if (next_refresh_ns_.compare_exchange_strong(due, next)) snap_.store(build(), std::memory_order_release);
  }
  return current();
}

}  // namespace gi::route
