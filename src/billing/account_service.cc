#include "billing/account_service.h"

#include <vector>

namespace gi::billing {

account_service::account_service(std::shared_ptr<storage::store> st, const core::clock& clk,
                                  account_options opts)
    : store_(std::move(st)), clock_(clk), opts_(opts), byok_(opts_.byok_cipher) {}

account_service::~account_service() { stop(); }

core::status<> account_service::start() {
  auto last = store_->last_change();
  if (!last) return last.error();
  last_change_ = *last;
  auto keys = store_->list_keys({});
  if (!keys) return keys.error();
  keys_->load(std::move(*keys));
  auto totals = store_->all_totals();
  if (!totals) return totals.error();
  for (const auto& t : *totals)
    ledger_.set_committed(t.account_id, {core::money::from_nanos(t.balance_nanos),
                                         core::money::from_nanos(t.spent_nanos),
                                         core::money::from_nanos(t.trial_nanos)});
  auto spend = store_->key_spend_totals();
  if (!spend) return spend.error();
  spend_.load(*spend);
  auto byok = store_->list_byok({});
  if (!byok) return byok.error();
  byok_.load(std::move(*byok));
  auto accounts = store_->list_accounts();
  if (!accounts) return accounts.error();
  {
    std::unique_lock lock(flags_mu_);
    for (const auto& a : *accounts)
      if (a.store_prompts) prompt_accounts_.insert(a.id);
  }
  (void)purge_expired();
  started_ = true;
  thread_ = std::thread([this] { run(); });
  return core::ok;
}

void account_service::stop() {
  {
    std::lock_guard lock(q_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  q_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  flush();  // anything queued after the thread's last pass (or when never started)
}

void account_service::enqueue_charge(storage::ledger_entry e) {
  bool wake;
  {
    std::lock_guard lock(q_mu_);
    q_charges_.push_back(std::move(e));
    wake = q_charges_.size() + q_records_.size() >= opts_.max_batch;
  }
  if (wake) q_cv_.notify_one();
}

void account_service::enqueue_record(storage::request_record r) {
  bool wake;
  {
    std::lock_guard lock(q_mu_);
    if (q_records_.size() >= opts_.max_queued_records) {
      ++dropped_;
      return;
    }
    q_records_.push_back(std::move(r));
    wake = q_charges_.size() + q_records_.size() >= opts_.max_batch;
  }
  if (wake) q_cv_.notify_one();
}

std::uint64_t account_service::dropped_records() const {
  std::lock_guard lock(q_mu_);
  return dropped_;
}

void account_service::flush() {
  std::unique_lock lock(q_mu_);
  while (!q_charges_.empty() || !q_records_.empty()) {
    auto before = q_charges_.size() + q_records_.size();
    flush_locked(lock);
    if (q_charges_.size() + q_records_.size() >= before) break;  // store failing: give up for now
  }
}

// Takes one batch off the queues (q_mu_ held on entry and exit; released while writing).
void account_service::flush_locked(std::unique_lock<std::mutex>& qlock) {
  std::vector<storage::ledger_entry> charges;
  std::vector<storage::request_record> records;
  while (!q_charges_.empty() && charges.size() < opts_.max_batch) {
    charges.push_back(std::move(q_charges_.front()));
    q_charges_.pop_front();
  }
  while (!q_records_.empty() && charges.size() + records.size() < opts_.max_batch) {
    records.push_back(std::move(q_records_.front()));
    q_records_.pop_front();
  }
  if (charges.empty() && records.empty()) return;
  // Taken while the queue lock is held, so batches reach the store in queue order (a failed
  // batch goes back to the front and follows any batch another flusher already took).
  std::unique_lock flock(flush_mu_);
  qlock.unlock();
  auto r = store_->write_batch(charges, records);
  healthy_.store(r.has_value(), std::memory_order_relaxed);
  if (r) {
    for (const auto& c : charges)
      ledger_.on_committed(c.account_id, core::money::from_nanos(c.amount_nanos),
                           c.kind == storage::ledger_charge);
  }
  // Released before the queue lock is taken again: another flusher may hold the queue lock
  // while it waits for this one (the reverse order deadlocked a request thread's flush()
  // with the service thread's group commit).
  flock.unlock();
  qlock.lock();
  if (!r) {
    // Keep the batch (front of the queue, original order) for the next attempt.
    for (auto it = records.rbegin(); it != records.rend(); ++it) q_records_.push_front(std::move(*it));
    for (auto it = charges.rbegin(); it != charges.rend(); ++it) q_charges_.push_front(std::move(*it));
  }
}

void account_service::run() {
  auto next_poll = std::chrono::steady_clock::now() + opts_.poll_interval;
  auto next_purge = std::chrono::steady_clock::now() + opts_.purge_interval;
  std::unique_lock lock(q_mu_);
  for (;;) {
    // Bounded delay: wait at most flush_interval, or less when a batch fills up.
    q_cv_.wait_for(lock, opts_.flush_interval, [&] {
      return stopping_ || q_charges_.size() + q_records_.size() >= opts_.max_batch;
    });
    while (!q_charges_.empty() || !q_records_.empty()) {
      auto before = q_charges_.size() + q_records_.size();
      flush_locked(lock);
      if (q_charges_.size() + q_records_.size() >= before) break;
    }
    if (stopping_) return;
    if (std::chrono::steady_clock::now() >= next_poll) {
      lock.unlock();
      poll_changes();
      lock.lock();
      next_poll = std::chrono::steady_clock::now() + opts_.poll_interval;
    }
    if (std::chrono::steady_clock::now() >= next_purge) {
      lock.unlock();
      (void)purge_expired();
      lock.lock();
      next_purge = std::chrono::steady_clock::now() + opts_.purge_interval;
    }
  }
}

void account_service::poll_changes() {
  auto changes = store_->changes_since(last_change_);
  if (!changes) return;
  for (const auto& c : *changes) {
    if (c.entity == "key") reload_key(c.entity_id);
    else if (c.entity == "account") reload_account(c.entity_id);
    else if (c.entity == "byok") reload_byok(c.entity_id);
    last_change_ = std::max(last_change_, c.seq);
  }
}

void account_service::reload_account(const std::string& account_id) {
  std::lock_guard flock(flush_mu_);
  if (auto a = store_->find_account(account_id); a && a->has_value()) {
    std::unique_lock lock(flags_mu_);
    if ((*a)->store_prompts) prompt_accounts_.insert(account_id);
    else prompt_accounts_.erase(account_id);
  }
  auto t = store_->totals(account_id);
  if (!t) return;
  ledger_.set_committed(account_id, {core::money::from_nanos(t->balance_nanos),
                                     core::money::from_nanos(t->spent_nanos),
                                     core::money::from_nanos(t->trial_nanos)});
}

void account_service::reload_byok(const std::string& account_id) {
  auto rows = store_->list_byok(account_id);
  if (rows) byok_.set_account(account_id, std::move(*rows));
}

bool account_service::stores_prompts(const std::string& account_id) const {
  std::shared_lock lock(flags_mu_);
  return prompt_accounts_.contains(account_id);
}

core::result<std::int64_t> account_service::purge_expired() {
  if (opts_.retention_days <= 0) return std::int64_t{0};
  auto cutoff = clock_.system_now() - std::chrono::hours(24) * opts_.retention_days;
  return store_->purge_request_log(unix_ms(cutoff));
}

core::status<> account_service::set_byok(const std::string& account_id, core::provider_kind provider,
                                         std::string_view secret, const std::string& actor) {
  if (!byok_.enabled())
    return core::error(core::error_kind::invalid_request,
                       "Stored provider keys need a BYOK master key (accounts.byok_master_key_env).", {},
                       "byok_not_configured");
  auto r = set_byok_key(*store_, clock_, *byok_.cipher(), account_id, provider, secret, actor);
  if (r) reload_byok(account_id);
  return r;
}

core::result<bool> account_service::delete_byok(const std::string& account_id, core::provider_kind provider,
                                                const std::string& actor) {
  auto r = delete_byok_key(*store_, clock_, account_id, provider, actor);
  if (r) reload_byok(account_id);
  return r;
}

void account_service::reload_key(const std::string& key_id) {
  auto k = store_->find_key(key_id);
  if (k && k->has_value()) keys_->upsert(std::move(**k));
}

core::result<storage::account_row> account_service::create_account(const create_account_request& req,
                                                                   const std::string& actor) {
  auto a = billing::create_account(*store_, clock_, req, actor);
  if (a) reload_account(a->id);
  return a;
}

core::result<created_key> account_service::create_key(const create_key_request& req, const std::string& actor) {
  auto k = billing::create_key(*store_, clock_, req, actor);
  if (k) keys_->upsert(k->row);
  return k;
}

core::result<bool> account_service::revoke_key(const std::string& key_id, const std::string& actor) {
  auto r = billing::revoke_key(*store_, clock_, key_id, actor);
  if (r) reload_key(key_id);
  return r;
}

core::result<topup_result> account_service::topup(const std::string& account_id, core::money credit,
                                                  const std::string& idempotency_key,
                                                  const std::string& actor) {
  auto r = billing::topup(*store_, clock_, account_id, credit, idempotency_key, actor);
  if (r) reload_account(account_id);
  return r;
}

core::result<account_view> account_service::view(const std::string& account_id) {
  auto a = store_->find_account(account_id);
  if (!a) return a.error();
  if (!a->has_value())
    return core::error(core::error_kind::not_found, "No account '" + account_id + "'.", "account_id",
                       "account_not_found");
  account_view v;
  v.account = std::move(**a);
  if (auto b = ledger_.view(account_id)) v.balance = *b;
  return v;
}

}  // namespace gi::billing
