#pragma once
// API key format (issue 10 §2): "sk-gammainfra-" + 32 random bytes (OpenSSL RAND) in base62
// (43 characters). Only SHA-256(secret) and a short display prefix are stored; the secret
// is shown once, at creation.

#include <string>
#include <string_view>

#include "core/result.h"

namespace gi::auth {

inline constexpr std::string_view api_key_prefix = "sk-gammainfra-";
inline constexpr std::size_t api_key_body_chars = 43;  // ceil(256 / log2(62))
// "sk-gammainfra-" + 4 characters of the body: enough to tell keys apart in a list, far
// too little to guess the rest (the body carries 256 bits).
inline constexpr std::size_t display_prefix_chars = api_key_prefix.size() + 4;

struct new_key {
  std::string secret;  // shown once
  std::string sha256;  // 32 raw bytes
  std::string prefix;  // display prefix
};

// Base62 of a big-endian byte string, left-padded with '0' to `width` characters.
std::string base62(std::string_view bytes, std::size_t width);

// A fresh key from OpenSSL's CSPRNG; internal error if RAND_bytes fails.
core::result<new_key> generate_api_key();

// SHA-256 of `data`, 32 raw bytes (empty on an OpenSSL failure).
std::string sha256_raw(std::string_view data);

// Whether `key` has the exact shape of a generated key (prefix + 43 base62 characters).
bool well_formed_api_key(std::string_view key) noexcept;

// Random public id with a type prefix: "acct_" / "key_" + 17 base62 characters (96 random bits).
core::result<std::string> random_id(std::string_view type_prefix);

}  // namespace gi::auth
