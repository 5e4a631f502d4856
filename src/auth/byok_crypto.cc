#include "auth/byok_crypto.h"

#include <memory>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth/api_key.h"

namespace gi::auth {

namespace {

std::optional<std::string> unhex(std::string_view h) {
  if (h.size() != 64) return std::nullopt;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out(32, '\0');
  for (std::size_t i = 0; i < 32; ++i) {
    int a = nib(h[2 * i]), b = nib(h[2 * i + 1]);
    if (a < 0 || b < 0) return std::nullopt;
    out[i] = static_cast<char>(a * 16 + b);
  }
  return out;
}

int version_of(const std::string& key) {
  std::string d = sha256_raw(key);
  return static_cast<int>((static_cast<unsigned>(static_cast<unsigned char>(d[0])) << 23) |
                          (static_cast<unsigned>(static_cast<unsigned char>(d[1])) << 15) |
                          (static_cast<unsigned>(static_cast<unsigned char>(d[2])) << 7) |
                          (static_cast<unsigned>(static_cast<unsigned char>(d[3])) >> 1));
}

using ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
const auto* u8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
auto* u8(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

core::error crypto_error(std::string what) {
  return core::error(core::error_kind::internal, "byok: " + std::move(what));
}

}  // namespace

core::result<byok_cipher> byok_cipher::from_hex(std::string_view current_hex, std::string_view previous_hex) {
  auto cur = unhex(current_hex);
  if (!cur) return core::error(core::error_kind::invalid_request, "BYOK master key must be 64 hex characters");
  byok_cipher c;
  c.current_ = *cur;
  c.current_version_ = version_of(c.current_);
  if (!previous_hex.empty()) {
    auto prev = unhex(previous_hex);
    if (!prev) return core::error(core::error_kind::invalid_request, "previous BYOK master key must be 64 hex characters");
    c.previous_ = *prev;
    c.previous_version_ = version_of(c.previous_);
  }
  return c;
}

core::result<sealed_secret> byok_cipher::seal(std::string_view plaintext, std::string_view associated) const {
  sealed_secret s;
  s.key_version = current_version_;
  s.nonce.assign(12, '\0');
  if (RAND_bytes(u8(s.nonce), 12) != 1) return crypto_error("RAND_bytes failed");
  ctx_ptr ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  std::string out(plaintext.size() + 16, '\0');
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u8(current_), u8(s.nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, u8(associated), static_cast<int>(associated.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), u8(out), &len, u8(plaintext), static_cast<int>(plaintext.size())) != 1)
    return crypto_error("encrypt failed");
  int total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), u8(out) + total, &len) != 1) return crypto_error("encrypt failed");
  total += len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, u8(out) + total) != 1)
    return crypto_error("tag failed");
  out.resize(static_cast<std::size_t>(total) + 16);
  s.ciphertext = std::move(out);
  return s;
}

core::result<std::string> byok_cipher::open(const sealed_secret& s, std::string_view associated) const {
  const std::string* key = nullptr;
  if (s.key_version == current_version_) key = &current_;
  else if (!previous_.empty() && s.key_version == previous_version_) key = &previous_;
  if (key == nullptr) return crypto_error("secret sealed with an unknown master key");
  if (s.nonce.size() != 12 || s.ciphertext.size() < 16) return crypto_error("malformed secret");
  std::size_t n = s.ciphertext.size() - 16;
  std::string tag = s.ciphertext.substr(n);
  ctx_ptr ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  std::string out(n + 16, '\0');
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u8(*key), u8(s.nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, u8(associated), static_cast<int>(associated.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), u8(out), &len, u8(s.ciphertext), static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, u8(tag)) != 1)
    return crypto_error("decrypt failed");
  int total = len;
  if (EVP_DecryptFinal_ex(ctx.get(), u8(out) + total, &len) != 1)
    return crypto_error("secret failed authentication (wrong key or tampered)");
  out.resize(static_cast<std::size_t>(total + len));
  return out;
}

}  // namespace gi::auth
