// Bedrock error answers -> core::error (providers.md §9.5, §10.4). The exception name comes
// from x-amzn-ErrorType (text before the first ':'), else the body's __type / code (text
// after '#'); the message from `message` or `Message`.
//
//   ValidationException              -> upstream_invalid_request (context_length when the
//                                       message says the input is too long)
//   ServiceQuotaExceededException    -> rate_limited (quota: fall back elsewhere)
//   AccessDenied / UnrecognizedClient / InvalidSignature / ExpiredToken /
//   ResourceNotFound                 -> auth (this endpoint cannot serve us; another may)
//   ModelTimeoutException            -> timeout
//   ModelError / ModelStreamError / InternalServer -> upstream_5xx
//   Throttling / ModelNotReady       -> rate_limited
//   ServiceUnavailableException      -> overloaded
//   ConflictException                -> unknown
//   anything else                    -> by HTTP status

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include <boost/json/parse.hpp>

#include "providers/bedrock/codec.h"

namespace gi::providers::bedrock {

namespace json = boost::json;

namespace {

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

core::error_kind kind_from_status(int status) {
  switch (status) {
    case 401: case 403: case 404: return core::error_kind::auth;
    case 408: case 504: return core::error_kind::timeout;
    case 429: return core::error_kind::rate_limited;
    case 503: return core::error_kind::overloaded;
    case 409: return core::error_kind::unknown;
    default: break;
  }
  if (status >= 500 && status <= 599) return core::error_kind::upstream_5xx;
  if (status >= 400 && status <= 499) return core::error_kind::upstream_invalid_request;
  return core::error_kind::unknown;
}

std::optional<std::chrono::milliseconds> retry_after(const core::header_list& headers) {
  auto v = core::find_header(headers, "retry-after");
  if (!v) return std::nullopt;
  double secs = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), secs);
  if (ec != std::errc() || p != v->data() + v->size() || !std::isfinite(secs) || secs < 0) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(secs * 1000)));
}

}  // namespace

core::error classify_exception(std::string_view raw_name, std::string_view message, int status) {
  std::string name(raw_name.substr(0, raw_name.find(':')));
  if (!name.empty()) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  const std::string msg = lower(message);
  std::optional<core::error_kind> kind;
  if (name == "ValidationException") {
    const bool too_long = msg.find("too long") != std::string::npos || msg.find("context window") != std::string::npos ||
                          msg.find("maximum context length") != std::string::npos ||
                          msg.find("too many input tokens") != std::string::npos ||
                          msg.find("input is too long") != std::string::npos;
    kind = too_long ? core::error_kind::context_length : core::error_kind::upstream_invalid_request;
  } else if (name == "ServiceQuotaExceededException" || name == "ThrottlingException" || name == "ModelNotReadyException") {
    kind = core::error_kind::rate_limited;
  } else if (name == "AccessDeniedException" || name == "UnrecognizedClientException" ||
             name == "InvalidSignatureException" || name == "ExpiredTokenException" ||
             name == "ResourceNotFoundException" || name == "IncompleteSignatureException" ||
             name == "MissingAuthenticationTokenException") {
    kind = core::error_kind::auth;
  } else if (name == "ModelTimeoutException") {
    kind = core::error_kind::timeout;
  } else if (name == "ModelErrorException" || name == "ModelStreamErrorException" || name == "InternalServerException") {
    kind = core::error_kind::upstream_5xx;
  } else if (name == "ServiceUnavailableException") {
    kind = core::error_kind::overloaded;
  } else if (name == "ConflictException") {
    kind = core::error_kind::unknown;
  }
  core::error e(kind.value_or(status > 0 ? kind_from_status(status) : core::error_kind::unknown),
                "bedrock: " + (message.empty() ? std::string("upstream error") : std::string(message)), {},
                name.empty() ? std::string() : "bedrock:" + name);
  e.upstream_status = status;
  return e;
}

core::error classify(int status, const core::header_list& headers, std::string_view body) {
  std::string name, message;
  if (auto t = core::find_header(headers, "x-amzn-errortype")) name = std::string(*t);
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    const json::object& o = v.get_object();
    for (const char* k : {"message", "Message"})
      if (const json::value* m = o.if_contains(k); m && m->is_string()) message = std::string(m->get_string());
    if (name.empty()) {
      for (const char* k : {"__type", "code"}) {
        if (const json::value* t = o.if_contains(k); t && t->is_string()) {
          std::string_view s = t->get_string();
          if (auto h = s.rfind('#'); h != std::string_view::npos) s = s.substr(h + 1);
          name = std::string(s);
          break;
        }
      }
    }
  } else {
    message = std::string(body.substr(0, 300));
  }
  core::error e = classify_exception(name, message, status);
  e.retry_after = retry_after(headers);
  return e;
}

}  // namespace gi::providers::bedrock
