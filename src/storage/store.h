#pragma once
// The accounts store (design §4.7): accounts, API keys, the credit ledger, the request log,
// BYOK secrets, a change sequence for cross-process cache invalidation and the admin audit
// log. Callers use only this interface; the embedded default is SQLite (sqlite_store.h) and
// a PostgreSQL implementation can follow with the same schema and semantics:
//   - every method is one transaction; errors are values (core::error_kind::unavailable
//     when the database cannot be reached, internal otherwise);
//   - ledger rows are append-only and unique per (account_id, kind, ref): inserting a
//     duplicate is a no-op that reports `false`, which is how request ids and top-up
//     Idempotency-Keys make charging idempotent.
// Money is integer nano-USD; times are unix milliseconds (UTC).
//
// Thread safety: implementations are safe to call from any thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace gi::storage {

struct account_row {
  std::string id;  // "acct_…"
  std::string name;
  std::string email;  // may be empty; unique when set
  std::int64_t created_at_ms = 0;
  bool store_prompts = false;  // opt-in: prompt text in the request log
};

struct key_row {
  std::string id;          // "key_…" (public, appears in logs and the request log)
  std::string account_id;
  std::string sha256;      // 32 raw bytes of SHA-256(secret); the secret is never stored
  std::string prefix;      // display prefix "sk-gammainfra-AbCd"
  std::string name;
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> expires_at_ms;
  std::optional<std::int64_t> revoked_at_ms;
  std::vector<std::string> allowed_models;   // empty = all
  std::vector<std::string> allowed_regions;  // empty = all
  std::optional<std::int64_t> spend_limit_nanos;
  std::optional<std::int64_t> rpm;  // requests/min (unset = config default)
  std::optional<std::int64_t> tpm;  // tokens/min
};

// Ledger kinds (the `kind` column).
inline constexpr std::string_view ledger_trial = "trial";
inline constexpr std::string_view ledger_topup = "topup";
inline constexpr std::string_view ledger_charge = "charge";
inline constexpr std::string_view ledger_adjust = "adjust";

struct ledger_entry {
  std::string account_id;
  std::string kind;
  std::string ref;  // request id, Idempotency-Key, "trial"
  std::int64_t amount_nanos = 0;  // effect on the balance (charges are negative)
  std::int64_t fee_nanos = 0;     // top-up fee (charged on top of the credit; not credited)
  std::string key_id;
  std::int64_t created_at_ms = 0;
  std::string note;
};

// One request-log record (issue 10 §7). Never holds a secret; prompt only with opt-in.
struct request_record {
  std::string request_id;
  std::string account_id;
  std::string key_id;
  std::string key_prefix;
  std::int64_t created_at_ms = 0;
  std::string endpoint;  // "/v1/chat/completions"
  std::string task;
  std::string task_source;
  std::string winner;  // endpoint id that answered
  std::string chain;   // X-GammaInfra-Fallback-Chain
  std::int64_t prompt_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::int64_t cache_write_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t reasoning_tokens = 0;
  std::int64_t cost_nanos = 0;
  std::int64_t hedge_waste_nanos = 0;
  std::int64_t upstream_ms = 0;
  double overhead_ms = 0;
  int status = 0;
  bool stream = false;
  bool byok = false;
  std::string prompt;  // only when the account opted in
  std::int64_t seq = 0;  // assigned by the store (cursor for pagination)
};

struct usage_query {
  std::string account_id;  // empty = all accounts (admin export)
  std::int64_t from_ms = 0;
  std::int64_t to_ms = INT64_MAX;
  std::int64_t before_seq = INT64_MAX;  // cursor: records with seq < this
  int limit = 100;
};

struct account_totals {
  std::string account_id;
  std::int64_t balance_nanos = 0;  // Σ amount
  std::int64_t spent_nanos = 0;    // -Σ amount of charges
  std::int64_t trial_nanos = 0;    // Σ trial grants
};

struct change_row {
  std::int64_t seq = 0;
  std::string entity;  // "key" | "account"
  std::string entity_id;
};

struct byok_row {
  std::string account_id;
  std::string provider;  // catalog provider name, lower case
  std::string nonce;       // 12 bytes
  std::string ciphertext;  // AES-256-GCM ciphertext + 16-byte tag
  int key_version = 0;     // which master key encrypted it
  std::int64_t created_at_ms = 0;
};

struct audit_row {
  std::int64_t at_ms = 0;
  std::string actor;   // "admin-api", "cli:<user>"
  std::string action;  // "keys.revoke"
  std::string detail;  // ids and amounts only, never secrets
};

// Called once per migration applied: (version reached, total versions, description).
using migration_progress = std::function<void(int, int, std::string_view)>;

class store {
 public:
  virtual ~store() = default;

  // Applies pending schema migrations (idempotent); returns the schema version.
  virtual core::result<int> migrate(const migration_progress& progress) = 0;
  // "ok" or the first integrity problem (readyz deep mode: `PRAGMA quick_check`). Gives up
  // with error_kind::timeout after `deadline`, and must not block the writer meanwhile.
  virtual core::result<std::string> integrity_check(std::chrono::milliseconds deadline) = 0;

  // --- accounts ---
  // Creates the account and, in the same transaction, its ledger entries (trial credit).
  virtual core::status<> create_account(const account_row& a,
                                        std::span<const ledger_entry> initial) = 0;
  virtual core::result<std::optional<account_row>> find_account(const std::string& id) = 0;
  virtual core::result<std::optional<account_row>> find_account_by_email(const std::string& email) = 0;
  virtual core::result<std::vector<account_row>> list_accounts() = 0;

  // --- keys ---
  virtual core::status<> insert_key(const key_row& k) = 0;
  // All keys (account_id empty) or one account's, oldest first.
  virtual core::result<std::vector<key_row>> list_keys(const std::string& account_id) = 0;
  virtual core::result<std::optional<key_row>> find_key(const std::string& key_id) = 0;
  // False when the key does not exist or is already revoked.
  virtual core::result<bool> revoke_key(const std::string& key_id, std::int64_t at_ms) = 0;

  // --- ledger (append-only) ---
  // False when (account, kind, ref) exists already (idempotent replay).
  virtual core::result<bool> append_ledger(const ledger_entry& e) = 0;
  // Group commit: every entry and record in one transaction; duplicates are skipped.
  virtual core::status<> write_batch(std::span<const ledger_entry> ledger,
                                     std::span<const request_record> requests) = 0;
  virtual core::result<std::optional<ledger_entry>> find_ledger(const std::string& account_id,
                                                                const std::string& kind,
                                                                const std::string& ref) = 0;
  virtual core::result<std::vector<ledger_entry>> list_ledger(const std::string& account_id) = 0;
  virtual core::result<account_totals> totals(const std::string& account_id) = 0;
  virtual core::result<std::vector<account_totals>> all_totals() = 0;
  // Σ charges per key (positive nano-USD), for per-key spend limits.
  virtual core::result<std::vector<std::pair<std::string, std::int64_t>>> key_spend_totals() = 0;

  // --- request log ---
  // Newest first.
  virtual core::result<std::vector<request_record>> usage(const usage_query& q) = 0;
  virtual core::result<std::int64_t> purge_request_log(std::int64_t before_ms) = 0;

  // --- change sequence (cross-process cache invalidation) ---
  virtual core::result<std::int64_t> record_change(const std::string& entity,
                                                   const std::string& entity_id) = 0;
  virtual core::result<std::vector<change_row>> changes_since(std::int64_t seq) = 0;
  virtual core::result<std::int64_t> last_change() = 0;

  // --- BYOK secrets (ciphertext only) ---
  virtual core::status<> put_byok(const byok_row& r) = 0;
  virtual core::result<std::vector<byok_row>> list_byok(const std::string& account_id) = 0;
  virtual core::result<bool> delete_byok(const std::string& account_id, const std::string& provider) = 0;

  // --- audit log ---
  virtual core::status<> audit(const audit_row& r) = 0;
  virtual core::result<std::vector<audit_row>> list_audit(int limit) = 0;
};

}  // namespace gi::storage
