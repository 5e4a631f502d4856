#pragma once
// Interim authentication (issue 3 §7): `/v1/*` requires `Authorization: Bearer
// sk-gammainfra-…`; valid keys are listed in config as SHA-256 hex digests and compared in
// constant time. The accounts store replaces the key source later; this interface stays.
//
// Thread safety: immutable after construction; call from any thread.

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/result.h"

namespace gi::auth {

struct principal {
  std::string key_id;
};

class authenticator {
 public:
  explicit authenticator(const config::auth_config& cfg);
  // `authorization` is the raw Authorization header value (may be empty when absent).
  // Errors are core::error_kind::unauthenticated with an OpenAI-style message.
  core::result<principal> authenticate(std::string_view authorization) const;

 private:
  struct entry {
    std::string id;
    unsigned char digest[32];
  };
  std::vector<entry> keys_;
};

// Lower-case hex SHA-256 of `data` (OpenSSL EVP).
std::string sha256_hex(std::string_view data);

}  // namespace gi::auth
