#include "auth/api_key.h"

#include <vector>

#include <openssl/rand.h>

#include "auth/authenticator.h"

namespace gi::auth {

namespace {
constexpr char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

core::result<std::string> random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    return core::error(core::error_kind::internal, "RAND_bytes failed");
  return out;
}
}  // namespace

std::string base62(std::string_view bytes, std::size_t width) {
  std::vector<unsigned> digits;  // little-endian base-62
  for (unsigned char b : bytes) {
    unsigned carry = b;
    for (auto& d : digits) {
      unsigned v = d * 256 + carry;
      d = v % 62;
      carry = v / 62;
    }
    while (carry) {
      digits.push_back(carry % 62);
      carry /= 62;
    }
  }
  while (digits.size() < width) digits.push_back(0);
  std::string out;
  out.reserve(digits.size());
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(alphabet[*it]);
  return out;
}

core::result<new_key> generate_api_key() {
  auto bytes = random_bytes(32);
  if (!bytes) return bytes.error();
  new_key k;
  k.secret = std::string(api_key_prefix) + base62(*bytes, api_key_body_chars);
  k.sha256 = sha256_raw(k.secret);
  if (k.sha256.size() != 32) return core::error(core::error_kind::internal, "SHA-256 failed");
  k.prefix = k.secret.substr(0, display_prefix_chars);
  return k;
}

std::string sha256_raw(std::string_view data) {
  std::string hex = sha256_hex(data);
  if (hex.size() != 64) return {};
  auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out(32, '\0');
  for (std::size_t i = 0; i < 32; ++i)
    out[i] = static_cast<char>(nib(hex[2 * i]) * 16 + nib(hex[2 * i + 1]));
  return out;
}

bool well_formed_api_key(std::string_view key) noexcept {
  if (key.size() != api_key_prefix.size() + api_key_body_chars) return false;
  if (key.substr(0, api_key_prefix.size()) != api_key_prefix) return false;
  for (char c : key.substr(api_key_prefix.size()))
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  return true;
}

core::result<std::string> random_id(std::string_view type_prefix) {
  auto bytes = random_bytes(12);
  if (!bytes) return bytes.error();
  return std::string(type_prefix) + base62(*bytes, 17);
}

}  // namespace gi::auth
