#pragma once
// Authentication of `/v1/*` (`Authorization: Bearer sk-gammainfra-…`). Two key sources:
//   - the accounts store, through a key_directory (issue 10): one hash lookup of
//     SHA-256(secret) in memory; revoked and expired keys are refused (401), so a
//     revocation is effective as soon as the directory sees it;
//   - keys listed in config as SHA-256 hex digests (issue 3 §7, for store-less setups),
//     compared in constant time.
//
// Thread safety: immutable after construction (the directory is itself thread-safe); call
// from any thread.

#include <string>
#include <string_view>
#include <vector>

#include "auth/key_directory.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/result.h"

namespace gi::auth {

struct principal {
  std::string key_id;
  std::string account_id;  // empty for config-listed keys
  key_ptr key;             // store keys: policy (allowed models/regions, limits)
};

class authenticator {
 public:
  explicit authenticator(const config::auth_config& cfg);
  // Store-backed: keys from `directory` first, then the config-listed ones. `clk` decides
  // expiry and must outlive the authenticator.
  authenticator(const config::auth_config& cfg, std::shared_ptr<const key_directory> directory,
                const core::clock& clk);
  // `authorization` is the raw Authorization header value (may be empty when absent).
  // Errors are core::error_kind::unauthenticated with an OpenAI-style message.
  core::result<principal> authenticate(std::string_view authorization) const;

 private:
  struct entry {
    std::string id;
    unsigned char digest[32];
  };
  std::vector<entry> keys_;
  std::shared_ptr<const key_directory> directory_;
  const core::clock* clock_ = nullptr;
};

// Lower-case hex SHA-256 of `data` (OpenSSL EVP).
std::string sha256_hex(std::string_view data);

}  // namespace gi::auth
