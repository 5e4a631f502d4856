#include "billing/credit_ledger.h"

#include <algorithm>

namespace gi::billing {

namespace {

core::error insufficient(std::string message) {
  return core::error(core::error_kind::insufficient_credit, std::move(message), {},
                     "insufficient_credit");
}

}  // namespace

reservation& reservation::operator=(reservation&& o) noexcept {
  if (this != &o) {
    release();
    ledger_ = std::exchange(o.ledger_, nullptr);
    account_ = std::move(o.account_);
    amount_ = o.amount_;
  }
  return *this;
}

core::money reservation::settle(core::money actual) {
  if (!ledger_) return {};
  auto* l = std::exchange(ledger_, nullptr);
  return l->settle(account_, amount_, actual);
}

void reservation::release() {
  if (!ledger_) return;
  auto* l = std::exchange(ledger_, nullptr);
  l->release(account_, amount_);
}

std::shared_ptr<credit_ledger::state> credit_ledger::find(const std::string& account) const {
  std::shared_lock lock(mu_);
  auto it = accounts_.find(account);
  return it == accounts_.end() ? nullptr : it->second;
}

std::shared_ptr<credit_ledger::state> credit_ledger::find_or_add(const std::string& account) {
  if (auto s = find(account)) return s;
  std::unique_lock lock(mu_);
  auto& s = accounts_[account];
  if (!s) s = std::make_shared<state>();
  return s;
}

void credit_ledger::set_committed(const std::string& account, totals t) {
  auto s = find_or_add(account);
  std::lock_guard lock(s->mu);
  s->committed = t.balance.nanos();
  s->spent_committed = t.spent.nanos();
  s->trial = t.trial.nanos();
}

void credit_ledger::on_committed(const std::string& account, core::money amount, bool is_charge) {
  auto s = find_or_add(account);
  std::lock_guard lock(s->mu);
  s->pending -= amount.nanos();
  s->committed += amount.nanos();
  if (is_charge) {
    s->spent_pending += amount.nanos();  // amount is negative for a charge
    s->spent_committed -= amount.nanos();
  }
}

core::status<> credit_ledger::precheck(const std::string& account) const {
  auto s = find(account);
  if (!s) return insufficient("Your account has no credit. Top up to continue.");
  std::lock_guard lock(s->mu);
  if (s->committed + s->pending <= 0)
    return insufficient("Your credit balance is exhausted. Top up to continue.");
  return core::ok;
}

core::result<reservation> credit_ledger::reserve(const std::string& account, core::money amount) {
  auto s = find(account);
  if (!s) return insufficient("Your account has no credit. Top up to continue.");
  {
    std::lock_guard lock(s->mu);
    std::int64_t balance = s->committed + s->pending;
    std::int64_t available = balance - s->reserved;
    if (balance <= 0 || available < amount.nanos())
      return insufficient("Your available credit ($" + core::money::from_nanos(std::max<std::int64_t>(available, 0)).to_string() +
                          ") cannot cover this request's estimated cost ($" + amount.to_string() +
                          "). Lower max_tokens or top up.");
    s->reserved += amount.nanos();
  }
  reservation r;
  r.ledger_ = this;
  r.account_ = account;
  r.amount_ = amount;
  return r;
}

core::money credit_ledger::settle(const std::string& account, core::money reserved, core::money actual) {
  auto s = find_or_add(account);
  std::lock_guard lock(s->mu);
  s->reserved -= reserved.nanos();
  s->pending -= actual.nanos();
  s->spent_pending += actual.nanos();
  return core::money::from_nanos(s->committed + s->pending);
}

core::money credit_ledger::charge(const std::string& account, core::money amount) {
  return settle(account, core::money(), amount);
}

void credit_ledger::release(const std::string& account, core::money reserved) {
  auto s = find_or_add(account);
  std::lock_guard lock(s->mu);
  s->reserved -= reserved.nanos();
}

std::optional<balance_view> credit_ledger::view(const std::string& account) const {
  auto s = find(account);
  if (!s) return std::nullopt;
  std::lock_guard lock(s->mu);
  balance_view v;
  v.balance = core::money::from_nanos(s->committed + s->pending);
  v.reserved = core::money::from_nanos(s->reserved);
  v.available = v.balance - v.reserved;
  v.spent = core::money::from_nanos(s->spent_committed + s->spent_pending);
  v.trial = core::money::from_nanos(s->trial);
  v.trial_remaining = core::money::from_nanos(std::clamp<std::int64_t>(
      s->trial - v.spent.nanos(), 0, std::max<std::int64_t>(v.balance.nanos(), 0)));
  return v;
}

bool credit_ledger::known(const std::string& account) const { return find(account) != nullptr; }

}  // namespace gi::billing
