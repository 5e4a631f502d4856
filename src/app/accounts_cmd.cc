#include "app/accounts_cmd.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <ostream>

#include <CLI/CLI.hpp>

#include "app/accounts_api.h"
#include "billing/admin_ops.h"
#include "billing/byok_vault.h"
#include "storage/sqlite_store.h"

namespace gi::app {

struct accounts_commands::state {
  std::string db;
  CLI::App* accounts = nullptr;
  CLI::App* acct_create = nullptr;
  CLI::App* acct_list = nullptr;
  CLI::App* keys = nullptr;
  CLI::App* key_create = nullptr;
  CLI::App* key_list = nullptr;
  CLI::App* key_revoke = nullptr;
  CLI::App* topup = nullptr;
  CLI::App* usage = nullptr;
  CLI::App* purge = nullptr;
  CLI::App* byok = nullptr;
  CLI::App* byok_set = nullptr;
  CLI::App* byok_list = nullptr;
  CLI::App* byok_delete = nullptr;
  CLI::App* byok_rekey = nullptr;
  std::string provider;

  std::string name, email, account, key_id, amount, idempotency_key, models, regions, spend_limit;
  std::string format = "table";
  bool no_trial = false;
  bool store_prompts = false;
  std::int64_t expires_days = 0, rpm = -1, tpm = -1, from = 0, to = 0, limit = 50, older_than_days = 0;
};

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto c = s.find(',', start);
    auto part = s.substr(start, c == std::string::npos ? std::string::npos : c - start);
    if (!part.empty()) out.push_back(part);
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

std::string actor() {
  const char* u = std::getenv("USER");
  return std::string("cli:") + (u && *u ? u : "unknown");
}

int fail(std::ostream& err, const core::error& e) {
  err << "error: " << e.message << '\n';
  return 1;
}

std::optional<auth::byok_cipher> master_cipher(std::ostream& err) {
  const char* cur = std::getenv("GAMMAINFRA_BYOK_KEY");
  const char* prev = std::getenv("GAMMAINFRA_BYOK_PREVIOUS_KEY");
  if (!cur || !*cur) {
    err << "error: GAMMAINFRA_BYOK_KEY (64 hex characters) is not set\n";
    return std::nullopt;
  }
  auto c = auth::byok_cipher::from_hex(cur, prev ? prev : "");
  if (!c) {
    err << "error: " << c.error().message << "\n";
    return std::nullopt;
  }
  return std::move(*c);
}

}  // namespace

int accounts_commands::run_byok(const state& s, storage::store& st, const core::clock& clk, std::ostream& out,
                                std::ostream& err) {
  std::optional<core::provider_kind> kind;
  if (s.byok_set->parsed() || s.byok_delete->parsed()) {
    kind = core::parse_provider_kind(s.provider);
    if (!kind) {
      err << "error: unknown provider '" << s.provider << "'\n";
      return 2;
    }
  }
  if (s.byok_list->parsed()) {
    auto rows = st.list_byok(s.account);
    if (!rows) return fail(err, rows.error());
    out << "account\tprovider\tkey_version\tcreated_at\n";
    for (const auto& r : *rows)
      out << r.account_id << "\t" << r.provider << "\t" << r.key_version << "\t" << r.created_at_ms / 1000 << "\n";
    return 0;
  }
  if (s.byok_delete->parsed()) {
    auto r = billing::delete_byok_key(st, clk, s.account, *kind, actor());
    if (!r) return fail(err, r.error());
    out << (*r ? "deleted\n" : "no stored key\n");
    return 0;
  }
  auto cipher = master_cipher(err);
  if (!cipher) return 1;
  if (s.byok_rekey->parsed()) {
    auto n = billing::rekey_byok(st, clk, *cipher, actor());
    if (!n) return fail(err, n.error());
    out << *n << " stored keys re-sealed with the current master key\n";
    return 0;
  }
  std::string secret;
  std::getline(std::cin, secret);
  while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
  auto r = billing::set_byok_key(st, clk, *cipher, s.account, *kind, secret, actor());
  std::fill(secret.begin(), secret.end(), '\0');
  if (!r) return fail(err, r.error());
  out << "stored (sealed) the " << core::to_string(*kind) << " key of " << s.account << "\n";
  return 0;
}

accounts_commands::accounts_commands(CLI::App& app) : s_(std::make_unique<state>()) {
  auto& s = *s_;
  const char* env_db = std::getenv("GAMMAINFRA_DB");
  s.db = env_db && *env_db ? env_db : "data/gammainfra.db";
  auto add_db = [&](CLI::App* c) { c->add_option("--db", s.db, "Store file (SQLite)")->capture_default_str(); };

  s.accounts = app.add_subcommand("accounts", "Manage accounts in the store");
  s.accounts->require_subcommand(1);
  s.acct_create = s.accounts->add_subcommand("create", "Create an account (with the $3 trial credit)");
  s.acct_create->add_option("--name", s.name, "Display name");
  s.acct_create->add_option("--email", s.email, "Email (unique)");
  s.acct_create->add_flag("--no-trial", s.no_trial, "Do not grant the trial credit");
  s.acct_create->add_flag("--store-prompts", s.store_prompts, "Opt in to prompt text in the request log");
  add_db(s.acct_create);
  s.acct_list = s.accounts->add_subcommand("list", "List accounts with balances");
  add_db(s.acct_list);

  s.keys = app.add_subcommand("keys", "Manage API keys");
  s.keys->require_subcommand(1);
  s.key_create = s.keys->add_subcommand("create", "Create a key (the secret is printed once)");
  s.key_create->add_option("--account", s.account, "Account id")->required();
  s.key_create->add_option("--name", s.name, "Key name");
  s.key_create->add_option("--expires-in-days", s.expires_days, "Expiry in days (0 = never)");
  s.key_create->add_option("--models", s.models, "Allowed models, comma separated (default: all)");
  s.key_create->add_option("--regions", s.regions, "Allowed regions, comma separated (default: all)");
  s.key_create->add_option("--rpm", s.rpm, "Requests per minute (default: config)");
  s.key_create->add_option("--tpm", s.tpm, "Tokens per minute (default: config)");
  s.key_create->add_option("--spend-limit", s.spend_limit, "Spend limit in USD");
  add_db(s.key_create);
  s.key_list = s.keys->add_subcommand("list", "List keys (prefixes only)");
  s.key_list->add_option("--account", s.account, "Only this account's keys");
  add_db(s.key_list);
  s.key_revoke = s.keys->add_subcommand("revoke", "Revoke a key (a running gateway refuses it within 1 s)");
  s.key_revoke->add_option("KEY_ID", s.key_id, "Key id (key_…)")->required();
  add_db(s.key_revoke);

  s.topup = app.add_subcommand("topup", "Add credit (≥ $10; fee 3% before 2026-06-23 UTC, 5% from then)");
  s.topup->add_option("--account", s.account, "Account id")->required();
  s.topup->add_option("--amount", s.amount, "Credit in USD, e.g. 25 or 12.50")->required();
  s.topup->add_option("--idempotency-key", s.idempotency_key, "Replaying the same key credits once");
  add_db(s.topup);

  s.usage = app.add_subcommand("usage", "Show or export the request log");
  s.usage->add_option("--account", s.account, "Only this account");
  s.usage->add_option("--from", s.from, "From (unix seconds)");
  s.usage->add_option("--to", s.to, "To (unix seconds, exclusive)");
  s.usage->add_option("--limit", s.limit, "Rows (newest first)")->capture_default_str();
  s.usage->add_option("--format", s.format, "table | jsonl | csv")->capture_default_str();
  add_db(s.usage);
  s.purge = s.usage->add_subcommand("purge", "Delete request-log records older than N days (retention)");
  s.purge->add_option("--older-than-days", s.older_than_days, "Days")->required();

  // Stored BYOK keys (issue 10 §5, §9). The secret is read from stdin, never from argv
  // (argv is visible to other users in `ps`); the master key from GAMMAINFRA_BYOK_KEY.
  s.byok = app.add_subcommand("byok", "Stored provider keys (BYOK), sealed with $GAMMAINFRA_BYOK_KEY");
  s.byok->require_subcommand(1);
  s.byok_set = s.byok->add_subcommand("set", "Store the account's key for a provider (read from stdin)");
  s.byok_set->add_option("--account", s.account, "Account id")->required();
  s.byok_set->add_option("--provider", s.provider, "openai, anthropic, gemini, mistral, groq, deepseek, xai, bedrock")
      ->required();
  add_db(s.byok_set);
  s.byok_list = s.byok->add_subcommand("list", "Providers with a stored key (never the key)");
  s.byok_list->add_option("--account", s.account, "Only this account");
  add_db(s.byok_list);
  s.byok_delete = s.byok->add_subcommand("delete", "Delete the account's key for a provider");
  s.byok_delete->add_option("--account", s.account, "Account id")->required();
  s.byok_delete->add_option("--provider", s.provider, "Provider")->required();
  add_db(s.byok_delete);
  s.byok_rekey = s.byok->add_subcommand(
      "rekey", "Re-seal every stored key with the current master key ($GAMMAINFRA_BYOK_PREVIOUS_KEY opens the old)");
  add_db(s.byok_rekey);
}

accounts_commands::~accounts_commands() = default;

std::optional<int> accounts_commands::run(std::ostream& out, std::ostream& err) const {
  const auto& s = *s_;
  bool any = s.accounts->parsed() || s.keys->parsed() || s.topup->parsed() || s.usage->parsed() ||
             s.byok->parsed();
  if (!any) return std::nullopt;

  auto opened = storage::sqlite_store::open({s.db});
  if (!opened) return fail(err, opened.error());
  auto& st = **opened;
  auto v = st.migrate([&](int version, int total, std::string_view desc) {
    err << "store: migration " << version << "/" << total << " (" << desc << ") applied\n";
  });
  if (!v) return fail(err, v.error());
  const auto& clk = core::system_clock_source::instance();

  if (s.acct_create->parsed()) {
    billing::create_account_request r;
    r.name = s.name;
    r.email = s.email;
    r.store_prompts = s.store_prompts;
    if (s.no_trial) r.trial = core::money();
    auto a = billing::create_account(st, clk, r, actor());
    if (!a) return fail(err, a.error());
    out << a->id << "\t" << a->name << "\t" << a->email << "\tbalance $" << r.trial.to_string() << "\n";
    return 0;
  }
  if (s.acct_list->parsed()) {
    auto all = st.list_accounts();
    if (!all) return fail(err, all.error());
    out << "id\tname\temail\tbalance_usd\tspent_usd\n";
    for (const auto& a : *all) {
      auto t = st.totals(a.id);
      if (!t) return fail(err, t.error());
      out << a.id << "\t" << a.name << "\t" << a.email << "\t"
          << core::money::from_nanos(t->balance_nanos).to_string() << "\t"
          << core::money::from_nanos(t->spent_nanos).to_string() << "\n";
    }
    return 0;
  }
  if (s.key_create->parsed()) {
    billing::create_key_request r;
    r.account_id = s.account;
    r.name = s.name;
    if (s.expires_days > 0) r.expires_at_ms = billing::unix_ms(clk.system_now()) + s.expires_days * 86'400'000;
    r.allowed_models = split_list(s.models);
    r.allowed_regions = split_list(s.regions);
    if (s.rpm >= 0) r.rpm = s.rpm;
    if (s.tpm >= 0) r.tpm = s.tpm;
    if (!s.spend_limit.empty()) {
      auto m = core::money::parse(s.spend_limit);
      if (!m) {
        err << "error: --spend-limit must be a decimal USD amount\n";
        return 2;
      }
      r.spend_limit = *m;
    }
    auto k = billing::create_key(st, clk, r, actor());
    if (!k) return fail(err, k.error());
    out << k->row.id << "\t" << k->row.prefix << "…\n"
        << k->secret << "\n";
    err << "The key above is shown only now; store it safely.\n";
    return 0;
  }
  if (s.key_list->parsed()) {
    auto keys = st.list_keys(s.account);
    if (!keys) return fail(err, keys.error());
    out << "id\taccount\tprefix\tname\tstatus\n";
    auto now = billing::unix_ms(clk.system_now());
    for (const auto& k : *keys) {
      std::string status = k.revoked_at_ms ? "revoked" : (k.expires_at_ms && *k.expires_at_ms <= now) ? "expired" : "active";
      out << k.id << "\t" << k.account_id << "\t" << k.prefix << "…\t" << k.name << "\t" << status << "\n";
    }
    return 0;
  }
  if (s.key_revoke->parsed()) {
    auto r = billing::revoke_key(st, clk, s.key_id, actor());
    if (!r) return fail(err, r.error());
    out << s.key_id << (*r ? " revoked\n" : " was already revoked\n");
    return 0;
  }
  if (s.topup->parsed()) {
    auto m = core::money::parse(s.amount);
    if (!m) {
      err << "error: --amount must be a decimal USD amount (e.g. 25 or 12.50)\n";
      return 2;
    }
    auto t = billing::topup(st, clk, s.account, *m, s.idempotency_key, actor());
    if (!t) return fail(err, t.error());
    auto tot = st.totals(s.account);
    out << (t->replayed ? "replayed (already credited): " : "credited: ") << "$" << t->quote.credit.to_string()
        << " + fee $" << t->quote.fee.to_string() << " (" << t->quote.fee_percent << "%) = charged $"
        << t->quote.charged.to_string() << "; balance $"
        << (tot ? core::money::from_nanos(tot->balance_nanos).to_string() : std::string("?")) << "\n";
    return 0;
  }
  if (s.byok->parsed()) return run_byok(s, st, clk, out, err);
  if (s.purge->parsed()) {
    auto cutoff = billing::unix_ms(clk.system_now()) - s.older_than_days * 86'400'000;
    auto n = st.purge_request_log(cutoff);
    if (!n) return fail(err, n.error());
    (void)st.audit({billing::unix_ms(clk.system_now()), actor(), "usage.purge",
                    "older_than_days=" + std::to_string(s.older_than_days) + " rows=" + std::to_string(*n)});
    out << *n << " request-log records deleted\n";
    return 0;
  }
  if (s.usage->parsed()) {
    if (s.format != "table" && s.format != "jsonl" && s.format != "csv") {
      err << "error: --format must be table, jsonl or csv\n";
      return 2;
    }
    storage::usage_query q;
    q.account_id = s.account;
    q.from_ms = s.from * 1000;
    if (s.to > 0) q.to_ms = s.to * 1000;
    q.limit = static_cast<int>(std::max<std::int64_t>(1, s.limit));
    auto rows = st.usage(q);
    if (!rows) return fail(err, rows.error());
    if (s.format == "csv") out << usage_csv_header();
    if (s.format == "table") out << "id\tcreated_at\taccount\tkey\tendpoint\tstatus\ttokens\tcost_usd\n";
    for (const auto& r : *rows) {
      if (s.format == "jsonl") out << usage_record_json(r) << "\n";
      else if (s.format == "csv") out << usage_record_csv(r);
      else
        out << r.request_id << "\t" << r.created_at_ms / 1000 << "\t" << r.account_id << "\t" << r.key_prefix
            << "…\t" << r.winner << "\t" << r.status << "\t" << r.prompt_tokens + r.completion_tokens << "\t"
            << core::money::from_nanos(r.cost_nanos).to_string() << "\n";
    }
    return 0;
  }
  return 2;
}

}  // namespace gi::app
