#include "billing/key_spend.h"

namespace gi::billing {

namespace {

core::error limit_error(const std::string& prefix, core::money limit, core::money spent) {
  return core::error(core::error_kind::insufficient_credit,
                     "This API key (" + prefix + "…) has reached its spend limit of $" + limit.to_string() +
                         " (spent $" + spent.to_string() + "). Raise the key's spend_limit or use another key.",
                     {}, "key_spend_limit_exceeded");
}

}  // namespace

spend_hold& spend_hold::operator=(spend_hold&& o) noexcept {
  if (this != &o) {
    release();
    owner_ = o.owner_;
    key_ = std::move(o.key_);
    amount_ = o.amount_;
    o.owner_ = nullptr;
  }
  return *this;
}

void spend_hold::settle(core::money actual) {
  if (!owner_) return;
  std::lock_guard lock(owner_->mu_);
  auto& s = owner_->keys_[key_];
  s.reserved -= amount_.nanos();
  s.spent += actual.nanos();
  owner_ = nullptr;
}

void spend_hold::release() {
  if (!owner_) return;
  std::lock_guard lock(owner_->mu_);
  owner_->keys_[key_].reserved -= amount_.nanos();
  owner_ = nullptr;
}

void key_spend::load(const std::vector<std::pair<std::string, std::int64_t>>& totals) {
  std::lock_guard lock(mu_);
  for (const auto& [k, v] : totals) keys_[k].spent = v;
}

core::status<> key_spend::precheck(const std::string& key_id, core::money limit,
                                   const std::string& key_prefix) const {
  std::lock_guard lock(mu_);
  auto it = keys_.find(key_id);
  std::int64_t spent = it == keys_.end() ? 0 : it->second.spent;
  if (spent >= limit.nanos()) return limit_error(key_prefix, limit, core::money::from_nanos(spent));
  return core::ok;
}

core::result<spend_hold> key_spend::hold(const std::string& key_id, core::money limit, core::money amount,
                                         const std::string& key_prefix) {
  std::lock_guard lock(mu_);
  auto& s = keys_[key_id];
  if (s.spent + s.reserved + amount.nanos() > limit.nanos())
    return limit_error(key_prefix, limit, core::money::from_nanos(s.spent));
  s.reserved += amount.nanos();
  spend_hold h;
  h.owner_ = this;
  h.key_ = key_id;
  h.amount_ = amount;
  return h;
}

void key_spend::add(const std::string& key_id, core::money amount) {
  std::lock_guard lock(mu_);
  keys_[key_id].spent += amount.nanos();
}

core::money key_spend::spent(const std::string& key_id) const {
  std::lock_guard lock(mu_);
  auto it = keys_.find(key_id);
  return core::money::from_nanos(it == keys_.end() ? 0 : it->second.spent);
}

}  // namespace gi::billing
