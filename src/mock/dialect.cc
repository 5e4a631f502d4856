#include "mock/dialect.h"

#include <array>

namespace gi::mock {
namespace {

constexpr std::array<dialect_traits, 5> table{{
    // openai
    {stream_usage_style::trailing_chunk, tool_delta_style::fragments, true, false, "fp_mock0001"},
    // groq
    {stream_usage_style::x_groq, tool_delta_style::fragments, false, false, "fp_mockgroq"},
    // mistral: no system_fingerprint in its schema
    {stream_usage_style::on_finish_chunk, tool_delta_style::whole, false, false, ""},
    // deepseek
    {stream_usage_style::trailing_chunk, tool_delta_style::fragments, false, true, "fp_mockdeep"},
    // xai
    {stream_usage_style::on_finish_and_trailing, tool_delta_style::fragments, false, false, "fp_mockxai"},
}};

constexpr std::string_view alphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::uint64_t mix(std::uint64_t x) noexcept {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string from_alphabet(std::uint64_t seed, std::size_t n, std::string_view chars) {
  std::string out;
  out.reserve(n);
  std::uint64_t s = seed;
  for (std::size_t i = 0; i < n; ++i) {
    s = mix(s + i);
    out.push_back(chars[s % chars.size()]);
  }
  return out;
}

}  // namespace

std::string_view to_string(dialect d) noexcept {
  switch (d) {
    case dialect::openai: return "openai";
    case dialect::groq: return "groq";
    case dialect::mistral: return "mistral";
    case dialect::deepseek: return "deepseek";
    case dialect::xai: return "xai";
  }
  return "openai";
}

std::optional<dialect> dialect_for_path(std::string_view target) noexcept {
  if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  if (target == "/v1/chat/completions") return dialect::openai;
  if (target == "/groq/openai/v1/chat/completions") return dialect::groq;
  if (target == "/mistral/v1/chat/completions") return dialect::mistral;
  if (target == "/deepseek/v1/chat/completions" || target == "/deepseek/chat/completions") {
    return dialect::deepseek;
  }
  if (target == "/xai/v1/chat/completions") return dialect::xai;
  return std::nullopt;
}

const dialect_traits& traits(dialect d) noexcept { return table[static_cast<std::size_t>(d)]; }

std::uint64_t hash64(std::string_view s, std::uint64_t seed) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ seed;  // FNV-1a
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return mix(h);
}

std::string alnum_id(std::uint64_t seed, std::size_t n) { return from_alphabet(seed, n, alphabet); }

std::string completion_id(dialect d, std::uint64_t seed) {
  switch (d) {
    case dialect::mistral: return from_alphabet(seed, 32, "0123456789abcdef");
    case dialect::openai:
    case dialect::groq:
    case dialect::deepseek:
    case dialect::xai: break;
  }
  return "chatcmpl-" + alnum_id(seed, 29);
}

std::string tool_call_id(dialect d, std::uint64_t seed, std::size_t index) {
  const std::uint64_t s = mix(seed ^ (0x51ed27ULL + index));
  switch (d) {
    case dialect::mistral: return alnum_id(s, 9);
    case dialect::xai: return "call_" + from_alphabet(s, 8, "0123456789");
    case dialect::openai:
    case dialect::groq:
    case dialect::deepseek: break;
  }
  return "call_" + alnum_id(s, 24);
}

}  // namespace gi::mock
