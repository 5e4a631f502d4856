#include "auth/rate_limiter.h"

#include <cmath>
#include <functional>

namespace gi::auth {

namespace {

using namespace std::chrono;

// Time for a bucket refilling `per_minute` to gain `amount`.
milliseconds time_to_gain(double amount, std::int64_t per_minute) {
  if (amount <= 0 || per_minute <= 0) return milliseconds(0);
  return milliseconds(static_cast<std::int64_t>(std::ceil(amount * 60'000.0 / static_cast<double>(per_minute))));
}

}  // namespace

rate_limiter::shard& rate_limiter::shard_for(const std::string& key_id) {
  return shards_[std::hash<std::string>{}(key_id) % shard_count];
}

void rate_limiter::refill(bucket& b, std::int64_t per_minute, steady_clock::time_point now) const {
  auto cap = static_cast<double>(per_minute);
  if (!b.init) {
    b = bucket{cap, now, true};
    return;
  }
  if (now > b.at) {
    double gained = duration<double>(now - b.at).count() * cap / 60.0;
    b.level = std::min(cap, b.level + gained);
    b.at = now;
  }
}

rate_decision rate_limiter::admit(const std::string& key_id, const rate_limits& limits,
                                  std::int64_t estimated_tokens) {
  rate_decision d;
  if (limits.rpm <= 0 && limits.tpm <= 0) return d;
  auto now = clock_.steady_now();
  auto& sh = shard_for(key_id);
  std::lock_guard lock(sh.mu);
  auto& st = sh.keys[key_id];
  if (limits.rpm > 0) refill(st.requests, limits.rpm, now);
  if (limits.tpm > 0) refill(st.tokens, limits.tpm, now);
  if (limits.rpm > 0 && st.requests.level < 1.0) {
    d.allowed = false;
    d.limited_by = "requests";
    d.limit = limits.rpm;
    d.remaining = 0;
    d.retry_after = time_to_gain(1.0 - st.requests.level, limits.rpm);
    d.reset = time_to_gain(static_cast<double>(limits.rpm) - st.requests.level, limits.rpm);
    return d;
  }
  if (limits.tpm > 0) {
    // A request larger than a whole minute's allowance is admitted once the bucket is full
    // (otherwise it could never run).
    double need = std::min<double>(static_cast<double>(std::max<std::int64_t>(estimated_tokens, 0)),
                                   static_cast<double>(limits.tpm));
    if (st.tokens.level < need || st.tokens.level <= 0) {
      d.allowed = false;
      d.limited_by = "tokens";
      d.limit = limits.tpm;
      d.remaining = std::max<std::int64_t>(0, static_cast<std::int64_t>(st.tokens.level));
      d.retry_after = time_to_gain(std::max(need, 1.0) - st.tokens.level, limits.tpm);
      d.reset = time_to_gain(static_cast<double>(limits.tpm) - st.tokens.level, limits.tpm);
      return d;
    }
    st.tokens.level -= static_cast<double>(std::max<std::int64_t>(estimated_tokens, 0));
  }
  if (limits.rpm > 0) {
    st.requests.level -= 1.0;
    d.limit = limits.rpm;
    d.remaining = static_cast<std::int64_t>(std::floor(st.requests.level));
    d.reset = time_to_gain(static_cast<double>(limits.rpm) - st.requests.level, limits.rpm);
  } else {
    d.limit = limits.tpm;
    d.remaining = std::max<std::int64_t>(0, static_cast<std::int64_t>(st.tokens.level));
    d.reset = time_to_gain(static_cast<double>(limits.tpm) - st.tokens.level, limits.tpm);
  }
  return d;
}

void rate_limiter::adjust_tokens(const std::string& key_id, const rate_limits& limits,
                                 std::int64_t delta) {
  if (limits.tpm <= 0 || delta == 0) return;
  auto now = clock_.steady_now();
  auto& sh = shard_for(key_id);
  std::lock_guard lock(sh.mu);
  auto& st = sh.keys[key_id];
  refill(st.tokens, limits.tpm, now);
  st.tokens.level = std::min(static_cast<double>(limits.tpm), st.tokens.level - static_cast<double>(delta));
}

}  // namespace gi::auth
