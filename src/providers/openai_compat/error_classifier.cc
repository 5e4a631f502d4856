// Upstream error answers -> core::error (providers.md §2.8, §5.3, §6.2, §7.3, §8.2, §10.4).
// The kind alone drives retry and fallback (core::traits); the provider's own code is kept
// in `code` as "<dialect>:<code>" for operators.
//
// Status / body -> kind (first match wins):
//   any status, body says context length (code context_length_exceeded, "maximum context
//       length", "context window", "prompt is too long", xAI "maximum prompt length")
//                                                                          -> context_length
//   any status, body says content policy (content_policy_violation, content_filter,
//       "safety system")                                                   -> content_policy
//   any status, body says quota / balance (insufficient_quota, "exceeded your current
//       quota", DeepSeek 402 "Insufficient Balance")                       -> auth (our
//       account can't pay here: no retry, fallback allowed — §10.4)
//   401, 402, 403, 404 (key, balance, region/permission, model not on this account)
//                                                                          -> auth (same
//       reasoning: this endpoint can't serve us; another endpoint may)
//   408, 504                                                               -> timeout
//   429                                                                    -> rate_limited
//   498 (Groq flex capacity), 503, 529                                      -> overloaded
//   other 5xx                                                              -> upstream_5xx
//   409                                                                    -> unknown (retryable)
//   other 4xx (400, 413, 422, …)                                           -> upstream_invalid_request
//   anything else                                                          -> unknown

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "providers/openai_compat/codec.h"
#include "providers/openai_compat/wire.h"

namespace gi::providers::openai_compat {

namespace json = boost::json;

namespace {

struct parsed_error {
  std::string message;
  std::string type;
  std::string code;
  std::string param;
};

std::string scalar_text(const json::value* v) {
  if (v == nullptr || v->is_null()) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64() || v->is_uint64()) return json::serialize(*v);
  return {};
}

void from_object(const json::object& o, parsed_error& p) {
  p.message = scalar_text(o.if_contains("message"));
  p.type = scalar_text(o.if_contains("type"));
  p.code = scalar_text(o.if_contains("code"));
  p.param = scalar_text(o.if_contains("param"));
}

// Every error body shape of the family, parsed defensively.
parsed_error parse_error_value(const json::value& v) {
  parsed_error p;
  if (v.is_string()) {
    p.message = std::string(v.get_string());  // Groq x_groq.error, xAI {"error":"…"}
  } else if (const json::object* o = v.if_object()) {
    from_object(*o, p);
  }
  return p;
}

parsed_error parse_error_body(std::string_view body) {
  parsed_error p;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) {
    p.message = std::string(body.substr(0, 300));  // HTML from a proxy, plain text, …
    return p;
  }
  if (const json::value* e = o->if_contains("error"); e != nullptr && !e->is_null()) {
    p = parse_error_value(*e);  // OpenAI / Groq / DeepSeek: {"error":{…}}
    if (e->is_string() && p.code.empty()) p.code = scalar_text(o->if_contains("code"));  // xAI
    return p;
  }
  if (const json::value* d = o->if_contains("detail")) {
    // FastAPI validation shape (Mistral 422): {"detail":[{"loc":[…],"msg":…,"type":…}]}.
    if (const json::array* a = d->if_array()) {
      for (const json::value& item : *a) {
        const json::object* io = item.if_object();
        if (io == nullptr) continue;
        if (!p.message.empty()) p.message += "; ";
        if (const json::value* loc = io->if_contains("loc")) p.message += json::serialize(*loc) + ": ";
        p.message += scalar_text(io->if_contains("msg"));
        if (p.type.empty()) p.type = scalar_text(io->if_contains("type"));
      }
    } else {
      p.message = scalar_text(d);
    }
    return p;
  }
  from_object(*o, p);  // Mistral {"object":"error","message",…} / {"message":"Unauthorized"}
  return p;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool has(const std::string& hay, std::string_view needle) {
  return hay.find(needle) != std::string::npos;
}

// Kinds decided by what the body says, whatever the status.
std::optional<core::error_kind> kind_from_text(const parsed_error& p) {
  const std::string code = lower(p.code), type = lower(p.type), msg = lower(p.message);
  if (code == "context_length_exceeded" || has(msg, "maximum context length") ||
      has(msg, "context length") || has(msg, "context window") ||
      has(msg, "prompt is too long") || has(msg, "maximum prompt length") ||
      has(msg, "reduce the length of the messages"))
    return core::error_kind::context_length;
  if (code == "content_policy_violation" || code == "content_filter" ||
      has(type, "content_policy") || has(msg, "content management policy") ||
      has(msg, "safety system"))
    return core::error_kind::content_policy;
  if (code == "insufficient_quota" || type == "insufficient_quota" ||
      has(msg, "exceeded your current quota") || has(msg, "insufficient balance"))
    return core::error_kind::auth;
  return std::nullopt;
}

core::error_kind kind_from_status(int status) {
  switch (status) {
    case 401: case 402: case 403: case 404: return core::error_kind::auth;
    case 408: case 504: return core::error_kind::timeout;
    case 429: return core::error_kind::rate_limited;
    case 498: case 503: case 529: return core::error_kind::overloaded;
    case 409: return core::error_kind::unknown;
    default: break;
  }
  if (status >= 500 && status <= 599) return core::error_kind::upstream_5xx;
  if (status >= 400 && status <= 499) return core::error_kind::upstream_invalid_request;
  return core::error_kind::unknown;
}

// No status (inline / mid-stream errors): decide from the type or code words.
core::error_kind kind_from_type(const parsed_error& p) {
  const std::string t = lower(p.type) + " " + lower(p.code) + " " + lower(p.message);
  if (has(t, "rate_limit") || has(t, "rate limit")) return core::error_kind::rate_limited;
  if (has(t, "overloaded") || has(t, "service_unavailable") || has(t, "capacity"))
    return core::error_kind::overloaded;
  if (has(t, "timeout") || has(t, "timed out")) return core::error_kind::timeout;
  if (has(t, "invalid_api_key") || has(t, "authentication")) return core::error_kind::auth;
  if (has(t, "invalid_request")) return core::error_kind::upstream_invalid_request;
  if (has(t, "server_error") || has(t, "api_error") || has(t, "internal"))
    return core::error_kind::upstream_5xx;
  return core::error_kind::unknown;
}

core::error make(const dialect& d, core::error_kind kind, const parsed_error& p, int status) {
  std::string msg = std::string(d.name) + ": " +
                    (p.message.empty() ? std::string("upstream error") : p.message);
  std::string code = !p.code.empty() ? p.code : p.type;
  core::error e(kind, std::move(msg), p.param,
                code.empty() ? std::string() : std::string(d.name) + ":" + code);
  e.upstream_status = status;
  return e;
}

// Non-negative decimal number (digits, optional fraction). nullopt otherwise.
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

// §1.4: `retry-after-ms` (OpenAI, non-standard) wins over `retry-after` (seconds). The
// HTTP-date form of retry-after is ignored: it needs the current time, and no OpenAI-family
// upstream is documented to send it.
std::optional<std::chrono::milliseconds> retry_after(const core::header_list& headers) {
  if (auto ms = core::find_header(headers, "retry-after-ms")) {
    if (auto v = parse_decimal(*ms))
      return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(*v)));
  }
  if (auto s = core::find_header(headers, "retry-after")) {
    if (auto v = parse_decimal(*s))
      return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(*v * 1000.0)));
  }
  return std::nullopt;
}

}  // namespace

core::error classify(const dialect& d, int status, const core::header_list& headers,
                     std::string_view body) {
  parsed_error p = parse_error_body(body);
  core::error_kind kind = kind_from_text(p).value_or(kind_from_status(status));
  core::error e = make(d, kind, p, status);
  e.retry_after = retry_after(headers);
  return e;
}

core::error classify_inline(const dialect& d, const json::value& error_value) {
  parsed_error p = parse_error_value(error_value);
  core::error_kind kind = core::error_kind::unknown;
  if (auto k = kind_from_text(p)) {
    kind = *k;
  } else if (const json::object* o = error_value.if_object();
             o != nullptr && wire::integer(*o, "code").value_or(0) >= 400) {
    kind = kind_from_status(static_cast<int>(*wire::integer(*o, "code")));
  } else {
    kind = kind_from_type(p);
  }
  return make(d, kind, p, 0);
}

}  // namespace gi::providers::openai_compat
