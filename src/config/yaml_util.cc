#include "config/yaml_util.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>

#include <fmt/format.h>

namespace gi::config::detail {

namespace {

std::string_view node_type_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Undefined: return "nothing";
    case YAML::NodeType::Null: return "null";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
  }
  return "nothing";
}

// Scalar text; a null or non-scalar node is a type error naming what was found.
std::string scalar_text(const YAML::Node& n, const std::string& path, std::string_view want) {
  if (!n.IsScalar()) fail(path, n, fmt::format("expected {}, got {}", want, node_type_name(n)));
  return n.Scalar();
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool looks_like_secret(std::string_view key) {
  static constexpr std::string_view secrets[] = {
      "api_key", "apikey", "key", "secret", "token", "password", "aws_secret_access_key",
      "secret_access_key", "aws_access_key_id", "access_key_id", "session_token",
      "aws_session_token", "bearer"};
  return std::find(std::begin(secrets), std::end(secrets), key) != std::end(secrets);
}

}  // namespace

int line_of(const YAML::Node& n) {
  if (!n.IsDefined()) return 0;
  return n.Mark().line + 1;
}

void fail(const std::string& path, const YAML::Node& at, std::string message) {
  throw load_failure{config_error{path, line_of(at), std::move(message), {}}};
}

std::string child_path(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

std::string index_path(const std::string& parent, std::size_t index) {
  return fmt::format("{}[{}]", parent, index);
}

void require_map(const YAML::Node& n, const std::string& path) {
  if (!n.IsMap())
    fail(path, n, fmt::format("expected a mapping, got {}", node_type_name(n)));
}

void require_sequence(const YAML::Node& n, const std::string& path) {
  if (!n.IsSequence())
    fail(path, n, fmt::format("expected a list, got {}", node_type_name(n)));
}

void check_map(const YAML::Node& n, const std::string& path,
               std::initializer_list<std::string_view> allowed) {
  require_map(n, path);
  std::set<std::string, std::less<>> seen;
  for (const auto& kv : n) {
    const YAML::Node& key = kv.first;
    if (!key.IsScalar()) fail(path, key, "mapping keys must be plain names");
    const std::string& name = key.Scalar();
    std::string p = child_path(path, name);
    if (!seen.insert(name).second) fail(p, key, "duplicate key");
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    if (looks_like_secret(name))
      fail(p, key,
           "secrets are never read from the config file: put the value in an environment "
           "variable and name that variable (e.g. api_key_env: OPENAI_API_KEY)");
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    fail(p, key, fmt::format("unknown key (allowed: {})", list));
  }
}

std::string read_string(const YAML::Node& n, const std::string& path) {
  return scalar_text(n, path, "a string");
}

bool read_bool(const YAML::Node& n, const std::string& path) {
  std::string s = scalar_text(n, path, "true or false");
  if (s == "true") return true;
  if (s == "false") return false;
  fail(path, n, fmt::format("expected true or false, got '{}'", s));
}

std::int64_t read_int(const YAML::Node& n, const std::string& path, std::int64_t min,
                      std::int64_t max) {
  std::string s = scalar_text(n, path, "an integer");
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty() || s[0] == '+')
    fail(path, n, fmt::format("expected an integer, got '{}'", s));
  if (v < min || v > max) fail(path, n, fmt::format("must be {}..{}, got {}", min, max, v));
  return v;
}

double read_unit_double(const YAML::Node& n, const std::string& path, double min, double max) {
  std::string s = scalar_text(n, path, "a number");
  // Plain decimal only: digits, optional fraction (no sign, exponent, inf or nan).
  auto dot = s.find('.');
  std::string_view whole = std::string_view(s).substr(0, dot);
  std::string_view frac = dot == std::string::npos ? std::string_view{} : std::string_view(s).substr(dot + 1);
  if (!all_digits(whole) || (dot != std::string::npos && !all_digits(frac)))
    fail(path, n, fmt::format("expected a plain decimal number, got '{}'", s));
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size())
    fail(path, n, fmt::format("expected a plain decimal number, got '{}'", s));
  if (v < min || v > max) fail(path, n, fmt::format("must be in [{}, {}], got {}", min, max, s));
  return v;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  std::string_view digits = text.substr(0, i);
  std::string_view unit = text.substr(i);
  if (digits.empty() || digits.size() > 12) return std::nullopt;
  std::int64_t v = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), v);
  std::int64_t mult = 0;
  if (unit.empty() || unit == "ms") mult = 1;
  else if (unit == "s") mult = 1'000;
  else if (unit == "m") mult = 60'000;
  else if (unit == "h") mult = 3'600'000;
  else return std::nullopt;
  return std::chrono::milliseconds(v * mult);
}

std::chrono::milliseconds read_duration(const YAML::Node& n, const std::string& path) {
  std::string s = scalar_text(n, path, "a duration");
  auto d = parse_duration(s);
  if (!d) fail(path, n, fmt::format("not a duration: '{}' (use e.g. 30s, 500ms, 2m or integer milliseconds)", s));
  if (d->count() <= 0) fail(path, n, "duration must be greater than 0");
  return *d;
}

std::optional<std::size_t> parse_size(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  std::string_view digits = text.substr(0, i);
  std::string_view unit = text.substr(i);
  if (digits.empty() || digits.size() > 12) return std::nullopt;
  std::uint64_t v = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), v);
  std::uint64_t mult = 0;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "KiB") mult = 1ull << 10;
  else if (unit == "MiB") mult = 1ull << 20;
  else if (unit == "GiB") mult = 1ull << 30;
  else return std::nullopt;
  if (v > std::numeric_limits<std::uint64_t>::max() / mult) return std::nullopt;
  return static_cast<std::size_t>(v * mult);
}

std::size_t read_size(const YAML::Node& n, const std::string& path) {
  std::string s = scalar_text(n, path, "a size");
  auto v = parse_size(s);
  if (!v) fail(path, n, fmt::format("not a size: '{}' (use integer bytes or e.g. 16KiB, 10MiB)", s));
  if (*v == 0) fail(path, n, "size must be greater than 0");
  return *v;
}

core::price_per_mtok read_price(const YAML::Node& n, const std::string& path) {
  // The scalar's source text, so "0.075" is exactly 75'000'000 nano-USD per 1M tokens —
  // never a double on the way.
  std::string s = scalar_text(n, path, "a decimal amount");
  auto p = core::price_per_mtok::parse(s);
  if (!p)
    fail(path, n,
         fmt::format("not a decimal amount: '{}' (USD per 1M tokens, e.g. \"0.15\"; at most 9 "
                     "fractional digits, no exponent)", s));
  if (p->per_million.nanos() < 0) fail(path, n, "price must not be negative");
  return *p;
}

std::string read_env_name(const YAML::Node& n, const std::string& path) {
  std::string s = scalar_text(n, path, "an environment variable name");
  bool ok = !s.empty() && !(s[0] >= '0' && s[0] <= '9') &&
            std::all_of(s.begin(), s.end(), [](char c) {
              return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
            });
  // A value shaped like a provider key (OpenAI/Anthropic "sk-", Groq "gsk_", xAI "xai-",
  // Google "AIza", AWS "AKIA"/"ASIA") is a secret pasted where its variable's name belongs.
  static constexpr std::string_view key_prefixes[] = {"sk-", "sk_", "gsk_", "xai-", "AIza", "AKIA", "ASIA"};
  bool secret_like = s.size() > 64;
  for (auto prefix : key_prefixes) secret_like = secret_like || s.rfind(prefix, 0) == 0;
  if (!ok || secret_like)
    fail(path, n,
         fmt::format("not an environment variable name: '{}' (the config names the variable; "
                     "the secret itself stays in the environment)",
                     s.size() > 8 ? s.substr(0, 4) + "…" : s));
  return s;
}

}  // namespace gi::config::detail
