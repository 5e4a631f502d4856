#include "providers/tool_ids.h"

#include <array>
#include <cstdint>

#include <openssl/sha.h>

namespace gi::providers::tool_ids {
namespace {

constexpr std::string_view base62_digits =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool is_alnum(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

bool is_alnum9(std::string_view id) noexcept {
  if (id.size() != 9) return false;
  for (char c : id)
    if (!is_alnum(c)) return false;
  return true;
}

std::string alnum9_hash(std::string_view id, int attempt) {
  std::string input(id);
  if (attempt > 0) {
    const std::string suffix = std::to_string(attempt);
    input.push_back('#');
    input.append(suffix);
  }
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  // digest mod 62^9 by long division over bytes (62^9 < 2^54, so rem * 256 fits in 64 bits).
  constexpr std::uint64_t modulus = 13'537'086'546'263'552ULL;  // 62^9
  std::uint64_t rem = 0;
  for (unsigned char b : digest) rem = (rem * 256 + b) % modulus;
  std::string out(9, '0');
  for (int i = 8; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = base62_digits[rem % 62];
    rem /= 62;
  }
  return out;
}

const std::string& alnum9_mapper::map(const std::string& canonical) {
  if (auto it = forward_.find(canonical); it != forward_.end()) return it->second;
  std::string candidate = is_alnum9(canonical) ? canonical : alnum9_hash(canonical);
  for (int attempt = 1; used_.count(candidate) != 0; ++attempt)
    candidate = alnum9_hash(canonical, attempt);
  used_.insert(candidate);
  return forward_.emplace(canonical, std::move(candidate)).first->second;
}

}  // namespace gi::providers::tool_ids
