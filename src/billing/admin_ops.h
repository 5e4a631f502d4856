#pragma once
// Administrative operations on the store (issue 10 §3, §9), shared by the admin HTTP API
// (through account_service, which also refreshes its caches) and the CLI (directly on the
// store file, while a gateway may be running). Each operation
//   - is one or two store transactions,
//   - records a change-sequence row for what it touched, so a running gateway refreshes its
//     caches within its poll interval,
//   - appends an audit row (who, what, when; ids and amounts only, never a secret).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "billing/fees.h"
#include "core/clock.h"
#include "core/money.h"
#include "core/result.h"
#include "storage/store.h"

namespace gi::billing {

struct create_account_request {
  std::string name;
  std::string email;
  bool store_prompts = false;
  core::money trial = trial_credit;
};

struct create_key_request {
  std::string account_id;
  std::string name;
  std::optional<std::int64_t> expires_at_ms;
  std::vector<std::string> allowed_models;
  std::vector<std::string> allowed_regions;
  std::optional<core::money> spend_limit;
  std::optional<std::int64_t> rpm;
  std::optional<std::int64_t> tpm;
};

struct created_key {
  storage::key_row row;
  std::string secret;  // shown once; never stored or logged
};

struct topup_result {
  topup_quote quote;
  bool replayed = false;  // the Idempotency-Key was seen before: nothing new was credited
  std::string ref;
};

core::result<storage::account_row> create_account(storage::store& st, const core::clock& clk,
                                                  const create_account_request& req,
                                                  const std::string& actor);
core::result<created_key> create_key(storage::store& st, const core::clock& clk,
                                     const create_key_request& req, const std::string& actor);
// Errors: not_found for an unknown key; false when it was already revoked.
core::result<bool> revoke_key(storage::store& st, const core::clock& clk, const std::string& key_id,
                              const std::string& actor);
// `idempotency_key` empty = a fresh random one. Errors: not_found (account),
// invalid_request (amount). A replay with the same key returns the original quote.
core::result<topup_result> topup(storage::store& st, const core::clock& clk,
                                 const std::string& account_id, core::money credit,
                                 const std::string& idempotency_key, const std::string& actor);

std::int64_t unix_ms(std::chrono::system_clock::time_point t);

}  // namespace gi::billing
