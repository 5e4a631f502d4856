#pragma once
// The accounts runtime of a gateway process (issue 10): owns the in-memory key directory
// and credit ledger, and one background thread that
//   - group-commits queued charges and request-log records (one store transaction per
//     batch; a batch is written when it reaches `max_batch` or after `flush_interval`),
//   - polls the store's change sequence every `poll_interval` and refreshes keys and
//     balances changed by other processes (the CLI), so a revocation or top-up made there
//     is in force here within poll_interval (≤ 1 s),
// and is flushed completely by stop() (graceful shutdown).
//
// Durability: a charge is in memory at once and in the store within flush_interval; a
// kill -9 loses at most the charges of the last flush_interval (documented in
// docs/accounts.md). Charges are idempotent per request id.
//
// Thread safety: all public members may be called from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_set>

#include "auth/byok_crypto.h"
#include "auth/key_directory.h"
#include "billing/admin_ops.h"
#include "billing/byok_vault.h"
#include "billing/credit_ledger.h"
#include "billing/key_spend.h"
#include "core/clock.h"
#include "storage/store.h"

namespace gi::billing {

struct account_options {
  std::chrono::milliseconds flush_interval{50};
  std::size_t max_batch = 512;
  // Request-log records beyond this many queued are dropped (counted); charges never are.
  std::size_t max_queued_records = 100'000;
  std::chrono::milliseconds poll_interval{250};
  // Request-log retention (issue 10 §9): rows (and their prompts) older than this many days
  // are deleted by the purge job, run at start and every purge_interval. 0 = keep forever.
  int retention_days = 30;
  std::chrono::milliseconds purge_interval{std::chrono::hours(1)};
  // Opens stored BYOK keys; null = stored keys are ignored (no master key configured).
  std::shared_ptr<const auth::byok_cipher> byok_cipher;
};

struct account_view {
  storage::account_row account;
  balance_view balance;
};

class account_service {
 public:
  account_service(std::shared_ptr<storage::store> st, const core::clock& clk, account_options opts = {});
  ~account_service();
  account_service(const account_service&) = delete;
  account_service& operator=(const account_service&) = delete;

  // Loads keys and balances, then starts the writer/poller thread.
  core::status<> start();
  // Flushes everything queued and joins the thread. Idempotent.
  void stop();

  std::shared_ptr<const auth::key_directory> keys() const { return keys_; }
  credit_ledger& ledger() { return ledger_; }
  key_spend& spend() { return spend_; }
  const byok_vault& byok() const { return byok_; }
  // The account opted in to prompt text in the request log (cached; refreshed on change).
  bool stores_prompts(const std::string& account_id) const;
  storage::store& store() { return *store_; }
  const core::clock& clock() const { return clock_; }

  // Queue a charge (settled request) and/or a request-log record for the batched writer.
  void enqueue_charge(storage::ledger_entry e);
  void enqueue_record(storage::request_record r);
  // Writes everything queued now (tests; shutdown).
  void flush();
  std::uint64_t dropped_records() const;
  // False after a batch failed to write (until one succeeds): /readyz "store".
  bool healthy() const noexcept { return healthy_.load(std::memory_order_relaxed); }

  // Admin operations: store + caches updated before they return.
  core::result<storage::account_row> create_account(const create_account_request& req, const std::string& actor);
  core::result<created_key> create_key(const create_key_request& req, const std::string& actor);
  core::result<bool> revoke_key(const std::string& key_id, const std::string& actor);
  core::result<topup_result> topup(const std::string& account_id, core::money credit,
                                   const std::string& idempotency_key, const std::string& actor);
  core::result<account_view> view(const std::string& account_id);
  // Stored BYOK keys (error failed_precondition-like invalid_request when no master key).
  core::status<> set_byok(const std::string& account_id, core::provider_kind provider,
                          std::string_view secret, const std::string& actor);
  core::result<bool> delete_byok(const std::string& account_id, core::provider_kind provider,
                                 const std::string& actor);

  // Deletes request-log rows older than the retention window (by the injected clock).
  // Returns the number deleted (0 when retention is off). The thread runs it periodically.
  core::result<std::int64_t> purge_expired();
  // Re-reads one account's committed totals / one key (serialized with flushes).
  void reload_account(const std::string& account_id);
  void reload_key(const std::string& key_id);
  void reload_byok(const std::string& account_id);
  // Applies the store's change sequence now (the thread does this every poll_interval).
  void poll_changes();

 private:
  void run();
  void flush_locked(std::unique_lock<std::mutex>& qlock);

  std::shared_ptr<storage::store> store_;
  const core::clock& clock_;
  account_options opts_;
  std::shared_ptr<auth::key_directory> keys_ = std::make_shared<auth::key_directory>();
  credit_ledger ledger_;
  key_spend spend_;
  byok_vault byok_;
  mutable std::shared_mutex flags_mu_;
  std::unordered_set<std::string> prompt_accounts_;  // accounts with store_prompts

  mutable std::mutex q_mu_;
  std::condition_variable q_cv_;
  std::deque<storage::ledger_entry> q_charges_;
  std::deque<storage::request_record> q_records_;
  bool stopping_ = false;
  std::uint64_t dropped_ = 0;
  std::atomic<bool> healthy_{true};

  // Held while a batch is written and applied, and while a reload reads the store, so a
  // reload never double-counts a batch in flight.
  std::mutex flush_mu_;
  std::int64_t last_change_ = 0;
  std::thread thread_;
  bool started_ = false;
};

}  // namespace gi::billing
