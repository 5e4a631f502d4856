#include "server/request_headers.h"

#include <charconv>
#include <cmath>

#include "server/headers.h"

namespace gi::server {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

core::error bad_header(std::string_view name, std::string_view expectation) {
  return core::invalid_request(
      std::string("invalid header ") + std::string(name) + ": " + std::string(expectation),
      std::string(name), "invalid_header");
}

// Positive decimal integer without sign, bounded so ms values stay representable.
std::optional<std::int64_t> parse_positive(std::string_view v) {
  std::int64_t n = 0;
  if (v.empty() || v.size() > 12) return std::nullopt;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n <= 0) return std::nullopt;
  return n;
}

bool hex_run(std::string_view v, std::size_t n) {
  if (v.size() != n) return false;
  for (char c : v)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && core::iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace


core::result<gateway_options> parse_gateway_headers(const core::header_list& hs) {
  // Every header read here starts with "X-GammaInfra-": the others (Host, Authorization,
  // Content-Type, …) are passed over with one comparison instead of eight.
  constexpr std::string_view gateway_prefix = "X-GammaInfra-";
  static_assert(headers::preference.starts_with(gateway_prefix) &&
                headers::cost_quality.starts_with(gateway_prefix) &&
                headers::max_latency_ms.starts_with(gateway_prefix) &&
                headers::region.starts_with(gateway_prefix) &&
                headers::hedge.starts_with(gateway_prefix) &&
                headers::task.starts_with(gateway_prefix) &&
                headers::fallback.starts_with(gateway_prefix) &&
                headers::provider_key_prefix.starts_with(gateway_prefix));
  gateway_options o;
  for (const auto& [name, raw] : hs) {
    if (!starts_with_icase(name, gateway_prefix)) continue;
    std::string_view v = trim(raw);
    if (core::iequals(name, headers::preference)) {
      auto l = lower(v);
      if (l == "balanced") o.preference = preference::balanced;
      else if (l == "latency") o.preference = preference::latency;
      else if (l == "cost") o.preference = preference::cost;
      else if (l == "quality") o.preference = preference::quality;
      else return bad_header(name, "must be one of balanced, latency, cost, quality");
    } else if (core::iequals(name, headers::cost_quality)) {
      double d = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
      if (v.empty() || ec != std::errc() || p != v.data() + v.size() || !std::isfinite(d) ||
          d < 0.0 || d > 1.0)
        return bad_header(name, "must be a number in [0,1]");
      o.cost_quality = d;
    } else if (core::iequals(name, headers::max_latency_ms)) {
      auto n = parse_positive(v);
      if (!n) return bad_header(name, "must be a positive integer (milliseconds)");
      o.max_latency = std::chrono::milliseconds(*n);
    } else if (core::iequals(name, headers::region)) {
      std::string_view rest = v;
      while (true) {
        auto comma = rest.find(',');
        auto item = trim(rest.substr(0, comma));
        bool ok = !item.empty() && item.size() <= 32;
        for (char c : item)
          ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '-' || c == '_');
        if (!ok) return bad_header(name, "must be a comma-separated list of region names");
        o.regions.push_back(lower(item));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    } else if (core::iequals(name, headers::hedge)) {
      auto l = lower(v);
      hedge_setting h;
      if (l == "off") {
        h.m = hedge_setting::mode::off;
      } else if (l == "on") {
        h.m = hedge_setting::mode::on;
      } else if (auto n = parse_positive(l)) {
        h.m = hedge_setting::mode::delay;
        h.delay = std::chrono::milliseconds(*n);
      } else {
        return bad_header(name, "must be off, on or a positive delay in milliseconds");
      }
      o.hedge = h;
    } else if (core::iequals(name, headers::task)) {
      auto l = lower(v);
      if (!is_known_task(l))
        return bad_header(name,
                          "must be one of reasoning, code, creative, rewrite, chat, "
                          "extraction, summarize, translation");
      o.task = std::move(l);
    } else if (core::iequals(name, headers::fallback)) {
      auto l = lower(v);
      if (l == "on") o.fallback = true;
      else if (l == "off") o.fallback = false;
      else return bad_header(name, "must be on or off");
    } else if (starts_with_icase(name, headers::provider_key_prefix)) {
      auto provider_name = std::string_view(name).substr(headers::provider_key_prefix.size());
      auto kind = core::parse_provider_kind(provider_name);
      if (!kind) return bad_header(name, "unknown provider name");
      if (v.empty()) return bad_header(name, "must not be empty");
      if (*kind == core::provider_kind::bedrock) {
        // `<access key id>:<secret>[:<session token>]` (design §3.2).
        auto c1 = v.find(':');
        if (c1 == 0 || c1 == std::string_view::npos || c1 + 1 >= v.size())
          return bad_header(name, "must be <access key id>:<secret>[:<session token>]");
      }
      o.byok.push_back(byok_key{*kind, std::string(v)});
    }
  }
  return o;
}

bool is_valid_traceparent(std::string_view v) noexcept {
  // version(2)-trace-id(32)-parent-id(16)-flags(2); all-zero ids are invalid.
  if (v.size() != 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return false;
  auto version = v.substr(0, 2), trace = v.substr(3, 32), parent = v.substr(36, 16),
       flags = v.substr(53, 2);
  if (!hex_run(version, 2) || version == "ff" || !hex_run(trace, 32) ||
      !hex_run(parent, 16) || !hex_run(flags, 2))
    return false;
  return trace != std::string_view("00000000000000000000000000000000") &&
         parent != std::string_view("0000000000000000");
}

bool is_valid_client_request_id(std::string_view v) noexcept {
  if (v.empty() || v.size() > 128) return false;
  for (char c : v)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

}  // namespace gi::server
