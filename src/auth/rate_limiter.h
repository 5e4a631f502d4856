#pragma once
// Per-key rate limits (issue 10 §6): requests/min and tokens/min as token buckets held in
// memory, sharded by key id so concurrent requests of different keys rarely share a lock.
// A bucket holds up to one minute's allowance and refills continuously.
//
// Tokens are charged in two steps: the request's estimate at admission (prompt estimate +
// max output), then the difference to the actual usage after the response (may drive the
// bucket negative, which delays the next admission — the same debt model as credit).
//
// Thread safety: all members may be called from any thread.

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace gi::auth {

struct rate_limits {
  std::int64_t rpm = 0;  // 0 = unlimited
  std::int64_t tpm = 0;  // 0 = unlimited
};

struct rate_decision {
  bool allowed = true;
  std::string_view limited_by;  // "requests" | "tokens" when refused
  // For X-RateLimit-* (of the request bucket; of the token bucket when it refused).
  std::int64_t limit = 0;
  std::int64_t remaining = 0;
  std::chrono::milliseconds reset{0};        // until the bucket is full again
  std::chrono::milliseconds retry_after{0};  // when refused: until admission is possible
};

class rate_limiter {
 public:
  explicit rate_limiter(const core::clock& clk) : clock_(clk) {}

  // Admits one request of `estimated_tokens` or refuses it (nothing is taken then).
  rate_decision admit(const std::string& key_id, const rate_limits& limits,
                      std::int64_t estimated_tokens);
  // Adds (or with a negative count, returns) tokens after the actual usage is known.
  void adjust_tokens(const std::string& key_id, const rate_limits& limits, std::int64_t delta);

 private:
  struct bucket {
    double level = 0;
    std::chrono::steady_clock::time_point at{};
    bool init = false;
  };
  struct key_state {
    bucket requests;
    bucket tokens;
  };
  struct shard {
    std::mutex mu;
    std::unordered_map<std::string, key_state> keys;
  };
  static constexpr std::size_t shard_count = 32;

  shard& shard_for(const std::string& key_id);
  void refill(bucket& b, std::int64_t per_minute, std::chrono::steady_clock::time_point now) const;

  const core::clock& clock_;
  std::array<shard, shard_count> shards_;
};

}  // namespace gi::auth
