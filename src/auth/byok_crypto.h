#pragma once
// Encryption at rest of stored BYOK provider keys (issue 10 §5, design §4.7): AES-256-GCM
// with a random 96-bit nonce per secret; the account id and provider are bound as
// associated data, so a ciphertext copied to another account or provider fails to open.
// The master key comes from the environment (64 hex characters); a previous key may be
// configured during rotation: secrets sealed with it still open and `byok rekey` re-seals
// them with the current one. Key versions are the first 8 hex digits of SHA-256(key), so a
// row names the key that sealed it without revealing it.
//
// Thread safety: immutable after construction.

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace gi::auth {

struct sealed_secret {
  std::string nonce;       // 12 bytes
  std::string ciphertext;  // ciphertext + 16-byte tag
  int key_version = 0;
};

class byok_cipher {
 public:
  // `current_hex` / `previous_hex`: 64 hex characters each (previous may be empty).
  static core::result<byok_cipher> from_hex(std::string_view current_hex, std::string_view previous_hex = {});

  core::result<sealed_secret> seal(std::string_view plaintext, std::string_view associated) const;
  core::result<std::string> open(const sealed_secret& s, std::string_view associated) const;
  int current_version() const noexcept { return current_version_; }

 private:
  std::string current_;  // 32 bytes
  int current_version_ = 0;
  std::string previous_;
  int previous_version_ = 0;
};

}  // namespace gi::auth
