#pragma once
// Balances and reservations in memory (design §4.6). The durable truth is the store's
// append-only ledger; this cache holds, per account,
//   committed  — Σ ledger as last read from (or written to) the store,
//   pending    — this process's charges queued for the batched writer, not yet committed,
//   reserved   — Σ open reservations of running requests,
// so balance = committed + pending and available = balance − reserved.
//
// Rules (issue 10 §4):
//   - precheck: a request is refused (402 insufficient_credit) while balance ≤ 0;
//   - reserve: refused when available < estimate; otherwise reserved += estimate, in one
//     critical section, so concurrent requests cannot spend the same credit twice;
//   - settle: reserved −= estimate, pending −= actual. Only a request whose actual cost
//     exceeds its own reservation can take the balance below zero, by that excess.
//
// Thread safety: all members may be called from any thread (one mutex per account).

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/money.h"
#include "core/result.h"

namespace gi::billing {

struct balance_view {
  core::money balance;    // committed + pending
  core::money reserved;
  core::money available;  // balance − reserved
  core::money spent;      // Σ charges
  core::money trial;      // Σ trial grants
  core::money trial_remaining;  // trial credit not yet used (spending draws on it first)
};

class credit_ledger;

// An open reservation; released on destruction unless settled (RAII, design §4.3 step 5).
class reservation {
 public:
  reservation() = default;
  reservation(reservation&& o) noexcept { *this = std::move(o); }
  reservation& operator=(reservation&& o) noexcept;
  ~reservation() { release(); }

  core::money amount() const noexcept { return amount_; }
  bool active() const noexcept { return ledger_ != nullptr; }
  // Turns the reservation into a charge of `actual` (pending until the writer commits it).
  // Returns the balance after the charge.
  core::money settle(core::money actual);
  void release();

 private:
  friend class credit_ledger;
  credit_ledger* ledger_ = nullptr;
  std::string account_;
  core::money amount_;
};

class credit_ledger {
 public:
  struct totals {
    core::money balance;
    core::money spent;
    core::money trial;
  };
  // Sets the committed state of an account (start-up load, reload after an external change
  // or a synchronous ledger write). Must not race with a flush of this account's pending
  // charges: the caller serializes them (account_service does).
  void set_committed(const std::string& account, totals t);
  // The writer committed `amount` of this account's pending charges.
  void on_committed(const std::string& account, core::money amount, bool is_charge);

  // 402 insufficient_credit when the balance is not positive.
  core::status<> precheck(const std::string& account) const;
  // 402 insufficient_credit when available < amount.
  core::result<reservation> reserve(const std::string& account, core::money amount);
  // A charge without a reservation (e.g. BYOK fee after the fact).
  core::money charge(const std::string& account, core::money amount);

  std::optional<balance_view> view(const std::string& account) const;
  bool known(const std::string& account) const;

 private:
  friend class reservation;
  struct state {
    mutable std::mutex mu;
    std::int64_t committed = 0;
    std::int64_t pending = 0;   // ≤ 0: charges not yet committed
    std::int64_t reserved = 0;
    std::int64_t spent_committed = 0;
    std::int64_t spent_pending = 0;
    std::int64_t trial = 0;
  };
  std::shared_ptr<state> find(const std::string& account) const;
  std::shared_ptr<state> find_or_add(const std::string& account);
  core::money settle(const std::string& account, core::money reserved, core::money actual);
  void release(const std::string& account, core::money reserved);

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<state>> accounts_;
};

}  // namespace gi::billing
