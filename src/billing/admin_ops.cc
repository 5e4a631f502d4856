#include "billing/admin_ops.h"

#include "auth/api_key.h"

namespace gi::billing {

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

namespace {

void audit(storage::store& st, std::int64_t at, const std::string& actor, std::string action,
           std::string detail) {
  // Best effort: the operation itself is already committed; a failed audit write is
  // reported by the store's own error path on the next operation.
  (void)st.audit({at, actor, std::move(action), std::move(detail)});
}

bool plausible_email(const std::string& e) {
  auto at = e.find('@');
  return at != std::string::npos && at > 0 && at + 1 < e.size() && e.size() <= 254 &&
         e.find_first_of(" \t\r\n,;") == std::string::npos;
}

}  // namespace

core::result<storage::account_row> create_account(storage::store& st, const core::clock& clk,
                                                  const create_account_request& req,
                                                  const std::string& actor) {
  if (!req.email.empty() && !plausible_email(req.email))
    return core::error(core::error_kind::invalid_request, "Invalid email address.", "email", "invalid_email");
  if (req.name.size() > 200)
    return core::error(core::error_kind::invalid_request, "Name too long (200 characters max).", "name");
  auto id = auth::random_id("acct_");
  if (!id) return id.error();
  auto now = unix_ms(clk.system_now());
  storage::account_row a{*id, req.name, req.email, now, req.store_prompts};
  std::vector<storage::ledger_entry> initial;
  if (req.trial.is_positive()) {
    storage::ledger_entry e;
    e.account_id = a.id;
    e.kind = std::string(storage::ledger_trial);
    e.ref = "trial";
    e.amount_nanos = req.trial.nanos();
    e.created_at_ms = now;
    e.note = "trial credit";
    initial.push_back(std::move(e));
  }
  if (auto r = st.create_account(a, initial); !r) return r.error();
  (void)st.record_change("account", a.id);
  audit(st, now, actor, "accounts.create", a.id + " trial=" + req.trial.to_string());
  return a;
}

core::result<created_key> create_key(storage::store& st, const core::clock& clk,
                                     const create_key_request& req, const std::string& actor) {
  auto acct = st.find_account(req.account_id);
  if (!acct) return acct.error();
  if (!acct->has_value())
    return core::error(core::error_kind::not_found, "No account '" + req.account_id + "'.",
                       "account_id", "account_not_found");
  auto now = unix_ms(clk.system_now());
  if (req.expires_at_ms && *req.expires_at_ms <= now)
    return core::error(core::error_kind::invalid_request, "expires_at is in the past.", "expires_at");
  if ((req.rpm && *req.rpm < 0) || (req.tpm && *req.tpm < 0) ||
      (req.spend_limit && !req.spend_limit->is_positive()))
    return core::error(core::error_kind::invalid_request, "Limits must be positive.", "limits");
  auto k = auth::generate_api_key();
  if (!k) return k.error();
  auto id = auth::random_id("key_");
  if (!id) return id.error();
  created_key out;
  out.secret = std::move(k->secret);
  auto& r = out.row;
  r.id = *id;
  r.account_id = req.account_id;
  r.sha256 = std::move(k->sha256);
  r.prefix = std::move(k->prefix);
  r.name = req.name;
  r.created_at_ms = now;
  r.expires_at_ms = req.expires_at_ms;
  r.allowed_models = req.allowed_models;
  r.allowed_regions = req.allowed_regions;
  if (req.spend_limit) r.spend_limit_nanos = req.spend_limit->nanos();
  r.rpm = req.rpm;
  r.tpm = req.tpm;
  if (auto s = st.insert_key(r); !s) return s.error();
  (void)st.record_change("key", r.id);
  audit(st, now, actor, "keys.create", r.id + " account=" + r.account_id + " prefix=" + r.prefix);
  return out;
}

core::result<bool> revoke_key(storage::store& st, const core::clock& clk, const std::string& key_id,
                              const std::string& actor) {
  auto k = st.find_key(key_id);
  if (!k) return k.error();
  if (!k->has_value())
    return core::error(core::error_kind::not_found, "No key '" + key_id + "'.", "key_id", "key_not_found");
  auto now = unix_ms(clk.system_now());
  auto r = st.revoke_key(key_id, now);
  if (!r) return r.error();
  (void)st.record_change("key", key_id);
  audit(st, now, actor, "keys.revoke", key_id);
  return *r;
}

core::result<topup_result> topup(storage::store& st, const core::clock& clk,
                                 const std::string& account_id, core::money credit,
                                 const std::string& idempotency_key, const std::string& actor) {
  auto acct = st.find_account(account_id);
  if (!acct) return acct.error();
  if (!acct->has_value())
    return core::error(core::error_kind::not_found, "No account '" + account_id + "'.",
                       "account_id", "account_not_found");
  if (idempotency_key.size() > 200)
    return core::error(core::error_kind::invalid_request, "Idempotency-Key too long (200 max).",
                       "Idempotency-Key");
  topup_result out;
  out.ref = idempotency_key;
  if (out.ref.empty()) {
    auto id = auth::random_id("topup_");
    if (!id) return id.error();
    out.ref = *id;
  } else if (auto prev = st.find_ledger(account_id, std::string(storage::ledger_topup), out.ref); !prev) {
    return prev.error();
  } else if (prev->has_value()) {
    // A replay: answer with the original amounts, credit nothing.
    const auto& e = **prev;
    out.replayed = true;
    out.quote.credit = core::money::from_nanos(e.amount_nanos);
    out.quote.fee = core::money::from_nanos(e.fee_nanos);
    out.quote.charged = out.quote.credit + out.quote.fee;
    out.quote.fee_percent = e.amount_nanos > 0 ? static_cast<int>(e.fee_nanos * 100 / e.amount_nanos) : 0;
    if (core::money::from_nanos(e.amount_nanos) != credit)
      return core::error(core::error_kind::invalid_request,
                         "Idempotency-Key was already used for a top-up of a different amount.",
                         "Idempotency-Key", "idempotency_key_reused");
    return out;
  }
  auto now_tp = clk.system_now();
  auto q = quote_topup(credit, now_tp);
  if (!q) return q.error();
  out.quote = *q;
  storage::ledger_entry e;
  e.account_id = account_id;
  e.kind = std::string(storage::ledger_topup);
  e.ref = out.ref;
  e.amount_nanos = q->credit.nanos();
  e.fee_nanos = q->fee.nanos();
  e.created_at_ms = unix_ms(now_tp);
  e.note = "top-up, fee " + std::to_string(q->fee_percent) + "%";
  auto ins = st.append_ledger(e);
  if (!ins) return ins.error();
  out.replayed = !*ins;  // a concurrent replay won the race
  (void)st.record_change("account", account_id);
  if (*ins)
    audit(st, e.created_at_ms, actor, "topup",
          account_id + " credit=" + q->credit.to_string() + " fee=" + q->fee.to_string() + " ref=" + out.ref);
  return out;
}

}  // namespace gi::billing
