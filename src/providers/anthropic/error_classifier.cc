// Anthropic error answers -> core::error (providers.md §3.8, §10.4). The body is
// {"type":"error","error":{"type":…,"message":…,"details"?:{"error_code":…}},"request_id":…};
// the error type decides the kind (it is more specific than the status), the status
// decides when the body is not Anthropic's (a proxy's HTML, Cloudflare's 413).
//
//   invalid_request_error    -> context_length when the message says the prompt is too
//                               long, else upstream_invalid_request
//   authentication_error, permission_error, billing_error, not_found_error
//                            -> auth (this endpoint cannot serve us; another may)
//   rate_limit_error         -> rate_limited with retry-after; with details.error_code
//                               enforced_spend_limit_reached -> auth (a monthly cap: no retry)
//   request_too_large        -> payload_too_large (413, no fallback)
//   api_error                -> upstream_5xx
//   timeout_error            -> timeout
//   overloaded_error / 529   -> overloaded (retry later or fail over)
//   conflict_error / 409     -> unknown (retryable)

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include <boost/json/parse.hpp>

#include "providers/anthropic/codec.h"
#include "providers/openai_compat/wire.h"

namespace gi::providers::anthropic {

namespace json = boost::json;
namespace wire = openai_compat::wire;

namespace {

struct parsed {
  std::string type;
  std::string message;
  std::string error_code;  // details.error_code
};

parsed from_error_object(const json::value& v) {
  parsed p;
  if (const json::object* e = v.if_object()) {
    p.type = std::string(wire::str(*e, "type").value_or(""));
    p.message = std::string(wire::str(*e, "message").value_or(""));
    if (const json::object* d = wire::obj(*e, "details"))
      p.error_code = std::string(wire::str(*d, "error_code").value_or(""));
  } else if (v.is_string()) {
    p.message = std::string(v.get_string());
  }
  return p;
}

parsed parse_body(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) {
    parsed p;
    p.message = std::string(body.substr(0, 300));  // HTML from a proxy, plain text, …
    return p;
  }
  if (const json::value* e = o->if_contains("error")) return from_error_object(*e);
  return from_error_object(v);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool context_message(const std::string& message) {
  const std::string m = lower(message);
  return m.find("prompt is too long") != std::string::npos ||
         m.find("context window") != std::string::npos ||
         m.find("context length") != std::string::npos;
}

std::optional<core::error_kind> kind_from_type(const parsed& p) {
  const std::string& t = p.type;
  if (t == "invalid_request_error")
    return context_message(p.message) ? core::error_kind::context_length
                                      : core::error_kind::upstream_invalid_request;
  if (t == "authentication_error" || t == "permission_error" || t == "billing_error" ||
      t == "not_found_error")
    return core::error_kind::auth;
  if (t == "rate_limit_error")
    return p.error_code == "enforced_spend_limit_reached" ? core::error_kind::auth
                                                          : core::error_kind::rate_limited;
  if (t == "request_too_large") return core::error_kind::payload_too_large;
  if (t == "api_error") return core::error_kind::upstream_5xx;
  if (t == "timeout_error") return core::error_kind::timeout;
  if (t == "overloaded_error") return core::error_kind::overloaded;
  if (t == "conflict_error") return core::error_kind::unknown;
  return std::nullopt;
}

core::error_kind kind_from_status(int status, const parsed& p) {
  switch (status) {
    case 400: return context_message(p.message) ? core::error_kind::context_length
                                                : core::error_kind::upstream_invalid_request;
    case 401: case 402: case 403: case 404: return core::error_kind::auth;
    case 408: case 504: return core::error_kind::timeout;
    case 413: return core::error_kind::payload_too_large;
    case 429: return core::error_kind::rate_limited;
    case 503: case 529: return core::error_kind::overloaded;
    case 409: return core::error_kind::unknown;
    default: break;
  }
  if (status >= 500 && status <= 599) return core::error_kind::upstream_5xx;
  if (status >= 400 && status <= 499) return core::error_kind::upstream_invalid_request;
  return core::error_kind::unknown;
}

core::error make(core::error_kind kind, const parsed& p, int status) {
  std::string msg = "anthropic: " + (p.message.empty() ? std::string("upstream error") : p.message);
  std::string code = !p.error_code.empty() ? p.error_code : p.type;
  core::error e(kind, std::move(msg), {}, code.empty() ? std::string() : "anthropic:" + code);
  e.upstream_status = status;
  return e;
}

std::optional<double> parse_decimal(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value) || value < 0)
    return std::nullopt;
  return value;
}

// §1.4 / §3.1: `retry-after` in seconds (the HTTP-date form needs a clock: ignored);
// `retry-after-ms` is honoured first if a proxy adds it.
std::optional<std::chrono::milliseconds> retry_after(const core::header_list& headers) {
  if (auto ms = core::find_header(headers, "retry-after-ms"))
    if (auto v = parse_decimal(*ms)) return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(*v)));
  if (auto s = core::find_header(headers, "retry-after"))
    if (auto v = parse_decimal(*s))
      return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(*v * 1000.0)));
  return std::nullopt;
}

}  // namespace

core::error classify(int status, const core::header_list& headers, std::string_view body) {
  parsed p = parse_body(body);
  core::error_kind kind = kind_from_type(p).value_or(kind_from_status(status, p));
  core::error e = make(kind, p, status);
  // A spend cap is not worth retrying even if a retry-after came along (§3.8).
  if (p.error_code != "enforced_spend_limit_reached") e.retry_after = retry_after(headers);
  return e;
}

core::error classify_inline(const json::value& error_value) {
  parsed p = from_error_object(error_value);
  return make(kind_from_type(p).value_or(core::error_kind::unknown), p, 0);
}

}  // namespace gi::providers::anthropic
