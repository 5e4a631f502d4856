#pragma once
// Per-key spend limits (issue 10 §2): a key with `spend_limit` may not spend more than that
// in total (lifetime of the key). Per key, in memory:
//   spent    — Σ charges of the key (loaded from the ledger at start, then this process's
//              settlements; only gateways charge, so memory is authoritative after start),
//   reserved — Σ open holds of running requests.
// A request is admitted while spent < limit (else 402 `key_spend_limit_exceeded`, naming
// the limit), and holds its reservation estimate against the limit like credit: refused
// when spent + reserved + estimate > limit, so parallel requests cannot overrun the limit
// except by one request's actual cost beyond its own estimate.
//
// Thread safety: all members may be called from any thread (one mutex).

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/money.h"
#include "core/result.h"

namespace gi::billing {

class key_spend;

// An open hold against a key's limit; released on destruction unless settled.
class spend_hold {
 public:
  spend_hold() = default;
  spend_hold(spend_hold&& o) noexcept { *this = std::move(o); }
  spend_hold& operator=(spend_hold&& o) noexcept;
  ~spend_hold() { release(); }
  bool active() const noexcept { return owner_ != nullptr; }
  void settle(core::money actual);
  void release();

 private:
  friend class key_spend;
  key_spend* owner_ = nullptr;
  std::string key_;
  core::money amount_;
};

class key_spend {
 public:
  void load(const std::vector<std::pair<std::string, std::int64_t>>& totals);

  // 402 key_spend_limit_exceeded when the key has spent its limit already.
  core::status<> precheck(const std::string& key_id, core::money limit, const std::string& key_prefix) const;
  // 402 key_spend_limit_exceeded when spent + reserved + amount > limit.
  core::result<spend_hold> hold(const std::string& key_id, core::money limit, core::money amount,
                                const std::string& key_prefix);
  // A charge without a hold (a key without a limit still accumulates its spend).
  void add(const std::string& key_id, core::money amount);
  core::money spent(const std::string& key_id) const;

 private:
  friend class spend_hold;
  struct state {
    std::int64_t spent = 0;
    std::int64_t reserved = 0;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::string, state> keys_;
};

}  // namespace gi::billing
