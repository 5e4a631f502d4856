#pragma once
// Where an upstream request goes: scheme, host, port and the base path that request paths
// (core::upstream_request::path) are appended to. Parsed once per endpoint from its base URL
// (Boost.URL) and reused for every attempt.
//
// Thread safety: a plain value; share freely once built.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace gi::upstream {

struct target_url {
  bool tls = true;          // https
  std::string host;         // "api.openai.com", "127.0.0.1", "::1" (no brackets)
  std::uint16_t port = 443;
  std::string base_path;    // "/v1" — never ends with '/'; empty for the root

  // "host" or "host:port" when the port is not the scheme default; IPv6 in brackets.
  std::string host_header() const;
  // base_path + path, e.g. "/v1" + "/chat/completions". `path` may carry a query.
  std::string request_target(std::string_view path) const;
  // "https://host:port": the key of the per-host connection pool.
  std::string origin() const;
};

// Accepts http:// and https:// absolute URLs without user-info or fragment; a query in the
// base URL is rejected (paths are appended). Error kind: invalid_request, param "base_url".
core::result<target_url> parse_target_url(std::string_view url);

}  // namespace gi::upstream
