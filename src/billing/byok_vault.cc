#include "billing/byok_vault.h"

#include <algorithm>
#include <mutex>

#include "billing/admin_ops.h"

namespace gi::billing {

std::string byok_aad(const std::string& account_id, core::provider_kind provider) {
  return account_id + "/" + std::string(core::to_string(provider));
}

core::status<> set_byok_key(storage::store& st, const core::clock& clk, const auth::byok_cipher& cipher,
                            const std::string& account_id, core::provider_kind provider,
                            std::string_view secret, const std::string& actor) {
  if (secret.empty() || secret.size() > 4096)
    return core::error(core::error_kind::invalid_request, "The provider key must be 1..4096 characters.",
                       "key", "invalid_provider_key");
  if (provider == core::provider_kind::bedrock) {
    auto c1 = secret.find(':');
    if (c1 == 0 || c1 == std::string_view::npos || c1 + 1 >= secret.size())
      return core::error(core::error_kind::invalid_request,
                         "A Bedrock key must be <access key id>:<secret>[:<session token>].", "key",
                         "invalid_provider_key");
  }
  auto acct = st.find_account(account_id);
  if (!acct) return acct.error();
  if (!acct->has_value())
    return core::error(core::error_kind::not_found, "No account '" + account_id + "'.", "account_id",
                       "account_not_found");
  auto sealed = cipher.seal(secret, byok_aad(account_id, provider));
  if (!sealed) return sealed.error();
  auto now = unix_ms(clk.system_now());
  storage::byok_row r{account_id, std::string(core::to_string(provider)), sealed->nonce,
                      sealed->ciphertext, sealed->key_version, now};
  if (auto s = st.put_byok(r); !s) return s.error();
  (void)st.record_change("byok", account_id);
  (void)st.audit({now, actor, "byok.set", account_id + " provider=" + r.provider});
  return core::ok;
}

core::result<bool> delete_byok_key(storage::store& st, const core::clock& clk, const std::string& account_id,
                                   core::provider_kind provider, const std::string& actor) {
  auto r = st.delete_byok(account_id, std::string(core::to_string(provider)));
  if (!r) return r.error();
  auto now = unix_ms(clk.system_now());
  if (*r) {
    (void)st.record_change("byok", account_id);
    (void)st.audit({now, actor, "byok.delete", account_id + " provider=" + std::string(core::to_string(provider))});
  }
  return *r;
}

core::result<int> rekey_byok(storage::store& st, const core::clock& clk, const auth::byok_cipher& cipher,
                             const std::string& actor) {
  auto rows = st.list_byok({});
  if (!rows) return rows.error();
  int n = 0;
  auto now = unix_ms(clk.system_now());
  for (auto& r : *rows) {
    if (r.key_version == cipher.current_version()) continue;
    auto kind = core::parse_provider_kind(r.provider);
    if (!kind) continue;
    auto aad = byok_aad(r.account_id, *kind);
    auto plain = cipher.open({r.nonce, r.ciphertext, r.key_version}, aad);
    if (!plain)
      return core::error(core::error_kind::invalid_request,
                         "Cannot open the stored key of " + r.account_id + "/" + r.provider +
                             ": neither the current nor the previous master key sealed it.");
    auto sealed = cipher.seal(*plain, aad);
    std::fill(plain->begin(), plain->end(), '\0');
    if (!sealed) return sealed.error();
    r.nonce = sealed->nonce;
    r.ciphertext = sealed->ciphertext;
    r.key_version = sealed->key_version;
    if (auto s = st.put_byok(r); !s) return s.error();
    (void)st.record_change("byok", r.account_id);
    ++n;
  }
  (void)st.audit({now, actor, "byok.rekey", "resealed=" + std::to_string(n)});
  return n;
}

void byok_vault::load(std::vector<storage::byok_row> rows) {
  std::map<std::string, std::vector<storage::byok_row>> m;
  for (auto& r : rows) m[r.account_id].push_back(std::move(r));
  std::unique_lock lock(mu_);
  by_account_ = std::move(m);
}

void byok_vault::set_account(const std::string& account_id, std::vector<storage::byok_row> rows) {
  std::unique_lock lock(mu_);
  if (rows.empty()) by_account_.erase(account_id);
  else by_account_[account_id] = std::move(rows);
}

void byok_vault::add_secrets(const std::string& account_id, std::vector<core::byok_secret>& out) const {
  if (!cipher_) return;
  std::shared_lock lock(mu_);
  auto it = by_account_.find(account_id);
  if (it == by_account_.end()) return;
  for (const auto& r : it->second) {
    auto kind = core::parse_provider_kind(r.provider);
    if (!kind) continue;
    if (std::any_of(out.begin(), out.end(), [&](const auto& b) { return b.provider == *kind; })) continue;
    auto plain = cipher_->open({r.nonce, r.ciphertext, r.key_version}, byok_aad(account_id, *kind));
    if (!plain) continue;
    out.push_back(core::byok_secret{*kind, std::move(*plain)});
  }
}

std::vector<std::string> byok_vault::providers(const std::string& account_id) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  if (auto it = by_account_.find(account_id); it != by_account_.end())
    for (const auto& r : it->second) out.push_back(r.provider);
  return out;
}

}  // namespace gi::billing
