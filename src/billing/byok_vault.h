#pragma once
// Stored BYOK provider keys (issue 10 §5, §9): sealing with the master key, the admin
// operations (set, delete, list providers, re-encrypt after a master-key rotation) and the
// gateway's in-memory cache of the sealed rows, opened per request for the account's
// requests only. Plaintext leaves this file only as core::byok_secret for one request's
// upstream credentials; it is never logged, returned by an API or written to the store.
//
// AAD = "<account id>/<provider>": a ciphertext moved to another account or provider
// does not open (byok_crypto.h).
//
// Thread safety: byok_vault members may be called from any thread (shared_mutex); the free
// functions are as thread-safe as the store.

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "auth/byok_crypto.h"
#include "core/clock.h"
#include "core/request_context.h"
#include "core/result.h"
#include "storage/store.h"

namespace gi::billing {

std::string byok_aad(const std::string& account_id, core::provider_kind provider);

// Seals and stores (replacing) the account's key for `provider`; change row + audit.
// Errors: not_found (account), invalid_request (empty/oversized secret, Bedrock shape).
core::status<> set_byok_key(storage::store& st, const core::clock& clk, const auth::byok_cipher& cipher,
                            const std::string& account_id, core::provider_kind provider,
                            std::string_view secret, const std::string& actor);
// False when there was none.
core::result<bool> delete_byok_key(storage::store& st, const core::clock& clk, const std::string& account_id,
                                   core::provider_kind provider, const std::string& actor);
// Re-seals every stored key not sealed with the current master key (after rotation: the
// previous key must still be configured). Returns how many were re-sealed.
core::result<int> rekey_byok(storage::store& st, const core::clock& clk, const auth::byok_cipher& cipher,
                             const std::string& actor);

class byok_vault {
 public:
  // Without a cipher (master key not configured) stored keys are ignored.
  explicit byok_vault(std::shared_ptr<const auth::byok_cipher> cipher) : cipher_(std::move(cipher)) {}

  bool enabled() const noexcept { return cipher_ != nullptr; }
  const auth::byok_cipher* cipher() const noexcept { return cipher_.get(); }
  // Replaces everything (start) / one account's rows (after a change).
  void load(std::vector<storage::byok_row> rows);
  void set_account(const std::string& account_id, std::vector<storage::byok_row> rows);

  // Adds the account's stored keys to `out` for providers `out` has no key for yet (a
  // request header wins). Rows that fail to open (wrong master key) are skipped.
  void add_secrets(const std::string& account_id, std::vector<core::byok_secret>& out) const;
  // Providers with a stored key (for listings; never the secret).
  std::vector<std::string> providers(const std::string& account_id) const;

 private:
  std::shared_ptr<const auth::byok_cipher> cipher_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::vector<storage::byok_row>> by_account_;
};

}  // namespace gi::billing
