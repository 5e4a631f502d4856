#pragma once
// The embedded default store: one SQLite database file in WAL mode (design §4.7).
//   - WAL + synchronous=NORMAL: a committed transaction survives a process crash (kill -9);
//     only an OS crash/power loss can lose the last transactions.
//   - busy_timeout lets the CLI and a running gateway share the file.
//   - One connection behind a mutex: writes are serialized by SQLite anyway, and the hot
//     path never waits on it (charges and request-log records go through the batched
//     writer, authentication and balances are served from memory).
//
// Thread safety: every method may be called from any thread.

#include <memory>
#include <mutex>
#include <string>

#include "storage/store.h"

struct sqlite3;

namespace gi::storage {

struct sqlite_options {
  std::string path;  // database file; ":memory:" for tests
  int busy_timeout_ms = 5'000;
};

class sqlite_store final : public store {
 public:
  // Opens (creating the file if needed). Migrations are not applied: call migrate().
  static core::result<std::unique_ptr<sqlite_store>> open(const sqlite_options& opts);
  ~sqlite_store() override;

  core::result<int> migrate(const migration_progress& progress) override;
  core::result<std::string> integrity_check(std::chrono::milliseconds deadline) override;

  core::status<> create_account(const account_row& a, std::span<const ledger_entry> initial) override;
  core::result<std::optional<account_row>> find_account(const std::string& id) override;
  core::result<std::optional<account_row>> find_account_by_email(const std::string& email) override;
  core::result<std::vector<account_row>> list_accounts() override;

  core::status<> insert_key(const key_row& k) override;
  core::result<std::vector<key_row>> list_keys(const std::string& account_id) override;
  core::result<std::optional<key_row>> find_key(const std::string& key_id) override;
  core::result<bool> revoke_key(const std::string& key_id, std::int64_t at_ms) override;

  core::result<bool> append_ledger(const ledger_entry& e) override;
  core::status<> write_batch(std::span<const ledger_entry> ledger,
                             std::span<const request_record> requests) override;
  core::result<std::optional<ledger_entry>> find_ledger(const std::string& account_id,
                                                        const std::string& kind,
                                                        const std::string& ref) override;
  core::result<std::vector<ledger_entry>> list_ledger(const std::string& account_id) override;
  core::result<account_totals> totals(const std::string& account_id) override;
  core::result<std::vector<account_totals>> all_totals() override;
  core::result<std::vector<std::pair<std::string, std::int64_t>>> key_spend_totals() override;

  core::result<std::vector<request_record>> usage(const usage_query& q) override;
  core::result<std::int64_t> purge_request_log(std::int64_t before_ms) override;

  core::result<std::int64_t> record_change(const std::string& entity,
                                           const std::string& entity_id) override;
  core::result<std::vector<change_row>> changes_since(std::int64_t seq) override;
  core::result<std::int64_t> last_change() override;

  core::status<> put_byok(const byok_row& r) override;
  core::result<std::vector<byok_row>> list_byok(const std::string& account_id) override;
  core::result<bool> delete_byok(const std::string& account_id, const std::string& provider) override;

  core::status<> audit(const audit_row& r) override;
  core::result<std::vector<audit_row>> list_audit(int limit) override;

 private:
  sqlite_store(sqlite3* db, sqlite_options opts) : opts_(std::move(opts)), db_(db) {}
  sqlite_options opts_;
  std::mutex mu_;
  sqlite3* db_;
};

}  // namespace gi::storage
