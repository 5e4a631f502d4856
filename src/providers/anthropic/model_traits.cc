// Per-model switches of the Anthropic codec, read off the model id (providers.md §3.2,
// §3.7) and stateless tool-id translation (§11.2).

#include <array>
#include <cctype>
#include <cstdint>
#include <vector>

#include <openssl/sha.h>

#include "providers/anthropic/codec.h"

namespace gi::providers::anthropic {

namespace {

std::vector<std::string_view> split_dash(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    auto p = s.find('-');
    out.push_back(s.substr(0, p));
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return out;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

model_traits traits_for(std::string_view model) noexcept {
  model_traits t;
  // Bedrock-style ids ("anthropic.claude-…-v1:0", "global.anthropic.…") and our own ids
  // reduce to the "claude-…" part.
  if (auto p = model.find("claude-"); p != std::string_view::npos) model.remove_prefix(p);
  else return t;
  // Version numbers are the 1–2 digit tokens ("claude-3-5-haiku", "claude-sonnet-4-6",
  // "claude-sonnet-4-20250514": the 8-digit snapshot date is not a minor version).
  int found = 0;
  for (std::string_view tok : split_dash(model)) {
    if (!all_digits(tok) || tok.size() > 2) continue;
    const int v = std::stoi(std::string(tok));
    if (found == 0) t.major = v;
    else if (found == 1) t.minor = v;
    ++found;
  }
  const int ver = t.major * 10 + t.minor;
  const bool opus = model.find("opus") != std::string_view::npos;
  if (ver >= 45) {
    t.default_max_tokens = opus && ver >= 47 && ver < 50 ? 32000 : 64000;
  } else if (ver >= 40) {
    t.default_max_tokens = opus ? 32000 : 64000;
  } else if (ver == 37) {
    t.default_max_tokens = 64000;
  } else if (ver == 35) {
    t.default_max_tokens = 8192;
  }
  t.native_json_schema = ver >= 45;
  t.sampling_exclusive = ver >= 41;
  t.thinking = ver >= 37;
  return t;
}

std::string model_family(std::string_view model) {
  auto p = model.rfind('-');
  if (p != std::string_view::npos && model.size() - p - 1 == 8 && all_digits(model.substr(p + 1)))
    model = model.substr(0, p);
  return std::string(model);
}

std::string upstream_tool_id(std::string_view id) {
  bool ok = !id.empty() && id.size() <= 64;
  for (char c : id) {
    if (!ok) break;
    ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  }
  if (ok) return std::string(id);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> d{};
  SHA256(reinterpret_cast<const unsigned char*>(id.data()), id.size(), d.data());
  // The digest as a big-endian integer in base 62 (most significant digit first).
  constexpr std::string_view digits =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::vector<unsigned char> num(d.begin(), d.end());
  std::string rev;
  auto nonzero = [&] {
    for (unsigned char b : num)
      if (b != 0) return true;
    return false;
  };
  while (nonzero()) {
    unsigned rem = 0;
    for (unsigned char& b : num) {
      const unsigned cur = rem * 256 + b;
      b = static_cast<unsigned char>(cur / 62);
      rem = cur % 62;
    }
    rev.push_back(digits[rem]);
  }
  std::string out = "t";
  for (auto it = rev.rbegin(); it != rev.rend() && out.size() < 41; ++it) out.push_back(*it);
  return out;
}

}  // namespace gi::providers::anthropic
