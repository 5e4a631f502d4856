// Gemini error answers (google.rpc.Status, providers.md §4.6, §10.4) -> core::error. The
// kind alone drives retry and fallback; the upstream status word is kept in `code` as
// "gemini:<STATUS>" (or the ErrorInfo reason, e.g. gemini:API_KEY_INVALID).
//
// status word / HTTP -> kind (first match wins):
//   message says the input is too long ("exceeds the maximum number of tokens", "input
//       token count", "context window")                                     -> context_length
//   INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID, UNAUTHENTICATED,
//       PERMISSION_DENIED, FAILED_PRECONDITION (region / billing), NOT_FOUND (model not
//       available to this key), 401 / 403 / 404                              -> auth (no
//       retry; another endpoint may serve the request, §10.4)
//   INVALID_ARGUMENT, OUT_OF_RANGE, other 4xx                                -> upstream_invalid_request
//   RESOURCE_EXHAUSTED, 429                                                  -> rate_limited
//       (retry_after from RetryInfo.retryDelay, else a retry-after header)
//   UNAVAILABLE, 503                                                         -> overloaded
//   DEADLINE_EXCEEDED, 504                                                   -> timeout
//   INTERNAL, UNKNOWN, other 5xx                                             -> upstream_5xx
//   anything else                                                            -> unknown

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include <boost/json/parse.hpp>

#include "providers/gemini/codec.h"
#include "providers/gemini/wire.h"

namespace gi::providers::gemini {

namespace json = boost::json;

namespace {

struct parsed_status {
  int code = 0;
  std::string message;
  std::string status;
  std::string reason;  // ErrorInfo.reason
  std::optional<std::chrono::milliseconds> retry_delay;
};

// "13s", "0.5s", "1.500s" (google.protobuf.Duration JSON form).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) {
  if (!s.ends_with('s')) return std::nullopt;
  s.remove_suffix(1);
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v) || v < 0)
    return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(v * 1000.0)));
}

parsed_status parse_status(const json::value& v) {
  parsed_status p;
  if (v.is_string()) {
    p.message = std::string(v.get_string());
    return p;
  }
  const json::object* o = v.if_object();
  if (o == nullptr) return p;
  p.code = static_cast<int>(wire::integer(*o, "code").value_or(0));
  p.message = std::string(wire::str(*o, "message").value_or(""));
  p.status = std::string(wire::str(*o, "status").value_or(""));
  if (const json::array* details = wire::arr(*o, "details")) {
    for (const json::value& d : *details) {
      const json::object* dob = d.if_object();
      if (dob == nullptr) continue;
      const std::string_view type = wire::str(*dob, "@type").value_or("");
      if (type.ends_with("google.rpc.RetryInfo")) {
        if (auto rd = wire::str(*dob, "retryDelay")) p.retry_delay = parse_duration(*rd);
      } else if (type.ends_with("google.rpc.ErrorInfo")) {
        if (auto r = wire::str(*dob, "reason")) p.reason = std::string(*r);
      }
    }
  }
  return p;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

core::error_kind kind_of(const parsed_status& p, int http) {
  const std::string msg = lower(p.message);
  if (msg.find("exceeds the maximum number of tokens") != std::string::npos ||
      msg.find("input token count") != std::string::npos ||
      msg.find("context window") != std::string::npos)
    return core::error_kind::context_length;
  const std::string& s = p.status;
  if (p.reason == "API_KEY_INVALID" || s == "UNAUTHENTICATED" || s == "PERMISSION_DENIED" ||
      s == "FAILED_PRECONDITION" || s == "NOT_FOUND")
    return core::error_kind::auth;
  if (s == "INVALID_ARGUMENT" || s == "OUT_OF_RANGE") return core::error_kind::upstream_invalid_request;
  if (s == "RESOURCE_EXHAUSTED") return core::error_kind::rate_limited;
  if (s == "UNAVAILABLE") return core::error_kind::overloaded;
  if (s == "DEADLINE_EXCEEDED") return core::error_kind::timeout;
  if (s == "INTERNAL" || s == "UNKNOWN" || s == "DATA_LOSS") return core::error_kind::upstream_5xx;
  const int status = http != 0 ? http : p.code;
  switch (status) {
    case 401: case 403: case 404: return core::error_kind::auth;
    case 408: case 504: return core::error_kind::timeout;
    case 429: return core::error_kind::rate_limited;
    case 503: return core::error_kind::overloaded;
    default: break;
  }
  if (status >= 500 && status <= 599) return core::error_kind::upstream_5xx;
  if (status >= 400 && status <= 499) return core::error_kind::upstream_invalid_request;
  return core::error_kind::unknown;
}

core::error make(const parsed_status& p, int http) {
  core::error e(kind_of(p, http),
                "gemini: " + (p.message.empty() ? std::string("upstream error") : p.message));
  const std::string& word = !p.reason.empty() ? p.reason : p.status;
  if (!word.empty()) e.code = "gemini:" + word;
  e.upstream_status = http;
  e.retry_after = p.retry_delay;
  return e;
}

// retry-after in seconds (§1.4: rare on Gemini; RetryInfo wins).
std::optional<std::chrono::milliseconds> header_retry_after(const core::header_list& h) {
  auto v = core::find_header(h, "retry-after");
  if (!v) return std::nullopt;
  double s = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), s);
  if (ec != std::errc() || ptr != v->data() + v->size() || !std::isfinite(s) || s < 0)
    return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(s * 1000.0)));
}

}  // namespace

core::error classify(int status, const core::header_list& headers, std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  // Errors of the array-form stream come wrapped in an array.
  if (!ec && v.is_array() && !v.get_array().empty()) v = v.get_array()[0];
  parsed_status p;
  if (const json::object* o = ec ? nullptr : v.if_object()) {
    if (const json::value* e = o->if_contains("error")) p = parse_status(*e);
  } else {
    p.message = std::string(body.substr(0, 300));  // HTML from a proxy, plain text, …
  }
  core::error e = make(p, status);
  if (!e.retry_after) e.retry_after = header_retry_after(headers);
  return e;
}

core::error classify_inline(const json::value& error_value) {
  return make(parse_status(error_value), 0);
}

}  // namespace gi::providers::gemini
