#pragma once
// Shared machinery of the request decoder: the JSON path of the value being checked and
// typed accessors that record OpenAI-style errors naming that path (design §3.4: a schema
// violation is a 400 whose message and `param` name the JSON path, e.g.
// `messages[2].content[0].image_url.url`). Internal to openai_api.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/error.h"

namespace gi::openai_api::detail {

namespace json = boost::json;

// The decoder's position, as a dotted path with [i] indexes. Segments are pushed and popped
// with scope guards, so the string is reused for the whole request.
class json_path {
 public:
  void push_key(std::string_view key) {
    if (!s_.empty()) s_.push_back('.');
    s_.append(key);
  }
  void push_index(std::size_t i) {
    s_.push_back('[');
    s_.append(std::to_string(i));
    s_.push_back(']');
  }
  std::size_t mark() const { return s_.size(); }
  void reset(std::size_t m) { s_.resize(m); }
  const std::string& str() const { return s_; }

 private:
  std::string s_;
};

// The decode state: the path and the first error (decoding stops at the first violation).
class decode_context {
 public:
  json_path path;

  // Each failure helper records the error and returns false, so callers write
  // `if (!…) return false;`.
  bool type_error(const json::value& got, std::string_view expected);
  bool value_error(std::string_view detail);
  bool missing(std::string_view key);  // the child `key` of the current path
  // A rule spanning two fields (e.g. stream_options without stream): names `param`.
  bool rule_error(std::string param, std::string message);

  bool failed() const { return err_.has_value(); }
  core::error take_error() { return std::move(*err_); }

  // Typed reads of the value at the current path. Integers accept integral JSON numbers
  // (`5`, `5.0`); a fraction is a type error, like OpenAI's "got a decimal number".
  bool get_string(const json::value& v, std::string& out);
  bool get_int(const json::value& v, std::int64_t& out);
  bool get_number(const json::value& v, double& out);
  bool get_bool(const json::value& v, bool& out);
  json::object* get_object(json::value& v);
  json::array* get_array(json::value& v);

  // Range checks on numbers already read (message "… must be between lo and hi").
  bool check_range(double x, double lo, double hi);
  bool check_int_range(std::int64_t x, std::int64_t lo, std::int64_t hi);

 private:
  std::optional<core::error> err_;
};

// Scope guard: pushes a key or index on construction, pops it on destruction.
class path_scope {
 public:
  path_scope(json_path& p, std::string_view key) : p_(p), mark_(p.mark()) { p.push_key(key); }
  path_scope(json_path& p, std::size_t index) : p_(p), mark_(p.mark()) { p.push_index(index); }
  ~path_scope() { p_.reset(mark_); }
  path_scope(const path_scope&) = delete;
  path_scope& operator=(const path_scope&) = delete;

 private:
  json_path& p_;
  std::size_t mark_;
};

// "a string", "an integer", "a decimal number", "a boolean", "an object", "an array", "null".
std::string_view describe_kind(const json::value& v);

// ^[a-zA-Z0-9_-]{1,64}$ — function, custom tool and json_schema names (providers.md §2.2, §2.5).
bool is_valid_function_name(std::string_view name);

}  // namespace gi::openai_api::detail
