#include "auth/authenticator.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>

#include <openssl/evp.h>

#include "core/ascii.h"

namespace gi::auth {

namespace {

constexpr std::string_view key_prefix = "sk-gammainfra-";

// The digest is fetched from the provider once, not per call (OpenSSL 3's implicit fetch in
// EVP_sha256() + a fresh context cost ~5k instructions per request), and each I/O thread
// reuses its context: key hashing runs on every authenticated request.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

bool sha256(std::string_view data, unsigned char out[32]) {
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                             &EVP_MD_CTX_free);
  const EVP_MD* md = sha256_md();
  unsigned int len = 0;
  return ctx && md && EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1 &&
         EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 &&
         EVP_DigestFinal_ex(ctx.get(), out, &len) == 1 && len == 32;
}

// Constant-time equality — no early exit, no branch on the data — eight bytes at a time.
// CRYPTO_memcmp goes byte by byte through volatile pointers: ~200 instructions for a
// 32-byte digest, and every authenticated request made two such comparisons.
bool ct_equal(const void* a, const void* b, std::size_t n) noexcept {
  const auto* pa = static_cast<const unsigned char*>(a);
  const auto* pb = static_cast<const unsigned char*>(b);
  std::uint64_t diff = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, pa + i, 8);
    std::memcpy(&y, pb + i, 8);
    diff |= x ^ y;
  }
  for (; i < n; ++i) diff |= static_cast<std::uint64_t>(pa[i] ^ pb[i]);
  // The whole accumulated value is an input here, so it must be computed in full.
  asm volatile("" : "+r"(diff));
  return diff == 0;
}

// SHA-256 of the presented key, memoised per thread for the few keys a thread sees most: a
// client sends the same key on every request and hashing it was ~2 % of a proxied request's
// instructions. The memo holds raw secrets, like the request buffers they come from; it
// never leaves the process, and a slot is found by a hash of the key but only used when the
// whole key matches.
bool key_digest(std::string_view key, unsigned char out[32]) {
  struct slot {
    std::string key;
    unsigned char digest[32];
  };
  static constexpr std::size_t slots = 16;
  thread_local std::array<slot, slots> memo;
  slot& s = memo[std::hash<std::string_view>{}(key) % slots];
  if (s.key.size() == key.size() && !key.empty() &&
      ct_equal(s.key.data(), key.data(), key.size())) {
    std::memcpy(out, s.digest, 32);
    return true;
  }
  if (!sha256(key, out)) return false;
  s.key.assign(key);
  std::memcpy(s.digest, out, 32);
  return true;
}

bool ieq_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i], b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// OpenAI masks keys as "sk-abc…wxyz"; never echo more than a prefix and the last 4.
std::string mask(std::string_view key) {
  if (key.size() <= 12) return std::string(key.substr(0, std::min<std::size_t>(key.size(), 3))) + "…";
  return std::string(key.substr(0, 7)) + "…" + std::string(key.substr(key.size() - 4));
}

core::error unauthenticated(std::string message, std::string code) {
  return core::error(core::error_kind::unauthenticated, std::move(message), {}, std::move(code));
}

}  // namespace

authenticator::authenticator(const config::auth_config& cfg) {
  keys_.reserve(cfg.keys.size());
  for (const auto& k : cfg.keys) {
    entry e{k.id, {}};
    // The loader guarantees 64 hex characters; a malformed digest simply never matches.
    bool ok = k.sha256_hex.size() == 64;
    for (std::size_t i = 0; ok && i < 32; ++i) {
      int hi = core::hex_value(k.sha256_hex[2 * i]), lo = core::hex_value(k.sha256_hex[2 * i + 1]);
      if (hi < 0 || lo < 0) ok = false;
      else e.digest[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    if (ok) keys_.push_back(std::move(e));
  }
}

authenticator::authenticator(const config::auth_config& cfg,
                             std::shared_ptr<const key_directory> directory, const core::clock& clk)
    : authenticator(cfg) {
  directory_ = std::move(directory);
  clock_ = &clk;
}

core::result<principal> authenticator::authenticate(std::string_view authorization) const {
  std::string_view v = trim(authorization);
  if (v.empty())
    return unauthenticated(
        "Missing bearer authentication in header. You need to provide your API key in an "
        "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        "missing_api_key");
  if (v.size() == 6 && ieq_prefix(v, "bearer"))  // "Bearer" with nothing after it
    return unauthenticated("Missing bearer authentication in header. You need to provide your "
                           "API key after 'Bearer '.",
                           "missing_api_key");
  if (!ieq_prefix(v, "bearer ") && !ieq_prefix(v, "bearer\t"))
    return unauthenticated(
        "Invalid authorization scheme: expected 'Authorization: Bearer sk-gammainfra-…'.",
        "invalid_auth_scheme");
  std::string_view key = trim(v.substr(7));
  if (key.empty())
    return unauthenticated("Missing bearer authentication in header. You need to provide your "
                           "API key after 'Bearer '.",
                           "missing_api_key");
  if (key.substr(0, key_prefix.size()) != key_prefix)
    return unauthenticated("Incorrect API key provided: " + mask(key) +
                               ". GammaInfra keys start with 'sk-gammainfra-'.",
                           "invalid_api_key");
  unsigned char digest[32];
  if (!key_digest(key, digest)) return core::error(core::error_kind::internal, "SHA-256 failed");
  if (directory_) {
    if (auto k = directory_->by_digest(std::string(reinterpret_cast<const char*>(digest), 32))) {
      if (k->revoked_at_ms)
        return unauthenticated("The API key " + k->prefix + "… has been revoked.", "invalid_api_key");
      auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        clock_->system_now().time_since_epoch()).count();
      if (k->expires_at_ms && *k->expires_at_ms <= now_ms)
        return unauthenticated("The API key " + k->prefix + "… has expired.", "expired_api_key");
      return principal{k->id, k->account_id, k};
    }
  }
  // Compare against every configured digest in constant time and without an early exit,
  // so the time taken reveals neither which key matched nor how much of a digest did.
  const entry* match = nullptr;
  for (const auto& e : keys_) {
    bool eq = ct_equal(e.digest, digest, sizeof digest);
    if (eq && match == nullptr) match = &e;
  }
  if (match == nullptr)
    return unauthenticated("Incorrect API key provided: " + mask(key) + ".", "invalid_api_key");
  return principal{match->id, {}, nullptr};
}

std::string sha256_hex(std::string_view data) {
  unsigned char d[32];
  if (!sha256(data, d)) return {};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(64, '0');
  for (int i = 0; i < 32; ++i) {
    out[2 * i] = hex[d[i] >> 4];
    out[2 * i + 1] = hex[d[i] & 0xf];
  }
  return out;
}

}  // namespace gi::auth
