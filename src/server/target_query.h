#pragma once
// The path and the query parameters of a request target ("/path?a=1&b=x%20y"), for the
// routes that take parameters in the query (/readyz?deep=1, /v1/route/explain?task=…, the
// account and admin API's list filters).

#include <string>
#include <string_view>
#include <unordered_map>

namespace gi::server {

// The target without its query.
std::string_view path_of(std::string_view target) noexcept;
// The decoded query parameters (core::percent_decode, '+' is a space; a malformed escape
// stays as written); a parameter without '=' maps to ""; a repeated name keeps its last
// value.
std::unordered_map<std::string, std::string> query_of(std::string_view target);

}  // namespace gi::server
