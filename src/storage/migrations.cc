#include "storage/migrations.h"

namespace gi::storage {

namespace {

// Money columns are INTEGER nano-USD, times INTEGER unix milliseconds (both BIGINT in
// PostgreSQL). Lists (allowed models/regions) are comma-joined text.
constexpr migration all[] = {
    {1, "accounts, api keys, ledger",
     R"sql(
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  email TEXT,
  created_at_ms INTEGER NOT NULL,
  store_prompts INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX accounts_email ON accounts(email) WHERE email IS NOT NULL AND email <> '';
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  sha256 BLOB NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER,
  revoked_at_ms INTEGER,
  allowed_models TEXT NOT NULL DEFAULT '',
  allowed_regions TEXT NOT NULL DEFAULT '',
  spend_limit_nanos INTEGER,
  rpm INTEGER,
  tpm INTEGER
);
CREATE INDEX api_keys_account ON api_keys(account_id);
CREATE TABLE ledger (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  amount_nanos INTEGER NOT NULL,
  fee_nanos INTEGER NOT NULL DEFAULT 0,
  key_id TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  UNIQUE (account_id, kind, ref)
);
)sql"},
    {2, "request log",
     R"sql(
CREATE TABLE request_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  key_prefix TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  endpoint TEXT NOT NULL,
  task TEXT NOT NULL,
  task_source TEXT NOT NULL,
  winner TEXT NOT NULL,
  chain TEXT NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  cost_nanos INTEGER NOT NULL,
  hedge_waste_nanos INTEGER NOT NULL,
  upstream_ms INTEGER NOT NULL,
  overhead_ms REAL NOT NULL,
  status INTEGER NOT NULL,
  stream INTEGER NOT NULL,
  byok INTEGER NOT NULL,
  prompt TEXT
);
CREATE INDEX request_log_account_time ON request_log(account_id, created_at_ms);
)sql"},
    {3, "change sequence, audit log, BYOK secrets",
     R"sql(
CREATE TABLE changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE TABLE byok_keys (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  provider TEXT NOT NULL,
  nonce BLOB NOT NULL,
  ciphertext BLOB NOT NULL,
  key_version INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  PRIMARY KEY (account_id, provider)
);
)sql"},
};

}  // namespace

std::span<const migration> migrations() { return all; }

}  // namespace gi::storage
