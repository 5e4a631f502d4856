#include "openai_api/decode_context.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace gi::openai_api::detail {

std::string_view describe_kind(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64: return "an integer";
    case json::kind::double_: {
      const double d = v.get_double();
      return d == std::floor(d) ? "an integer" : "a decimal number";
    }
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "an unknown value";
}

bool decode_context::type_error(const json::value& got, std::string_view expected) {
  if (err_) return false;
  err_ = core::invalid_request(fmt::format("Invalid type for '{}': expected {}, but got {} instead.",
                                           path.str(), expected, describe_kind(got)),
                               path.str(), "invalid_type");
  return false;
}

bool decode_context::value_error(std::string_view detail) {
  if (err_) return false;
  err_ = core::invalid_request(fmt::format("Invalid value for '{}': {}", path.str(), detail),
                               path.str(), "invalid_value");
  return false;
}

bool decode_context::missing(std::string_view key) {
  if (err_) return false;
  std::string p = path.str();
  if (!p.empty()) p.push_back('.');
  p.append(key);
  err_ = core::invalid_request(fmt::format("Missing required parameter: '{}'.", p), p,
                               "missing_required_parameter");
  return false;
}

bool decode_context::rule_error(std::string param, std::string message) {
  if (err_) return false;
  err_ = core::invalid_request(std::move(message), std::move(param), "invalid_value");
  return false;
}

bool decode_context::get_string(const json::value& v, std::string& out) {
  if (const auto* s = v.if_string()) {
    out.assign(s->data(), s->size());
    return true;
  }
  return type_error(v, "a string");
}

bool decode_context::get_int(const json::value& v, std::int64_t& out) {
  switch (v.kind()) {
    case json::kind::int64:
      out = v.get_int64();
      return true;
    case json::kind::uint64:
      if (v.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return value_error("integer is too large.");
      out = static_cast<std::int64_t>(v.get_uint64());
      return true;
    case json::kind::double_: {
      const double d = v.get_double();
      if (d != std::floor(d)) return type_error(v, "an integer");
      // 2^63 is exactly representable; anything at or beyond it overflows int64.
      if (d >= 9223372036854775808.0 || d < -9223372036854775808.0)
        return value_error("integer is out of range.");
      out = static_cast<std::int64_t>(d);
      return true;
    }
    case json::kind::null:
    case json::kind::bool_:
    case json::kind::string:
    case json::kind::array:
    case json::kind::object: break;
  }
  return type_error(v, "an integer");
}

bool decode_context::get_number(const json::value& v, double& out) {
  if (v.is_number()) {
    out = v.to_number<double>();
    return true;
  }
  return type_error(v, "a number");
}

bool decode_context::get_bool(const json::value& v, bool& out) {
  if (const auto* b = v.if_bool()) {
    out = *b;
    return true;
  }
  return type_error(v, "a boolean");
}

json::object* decode_context::get_object(json::value& v) {
  if (auto* o = v.if_object()) return o;
  type_error(v, "an object");
  return nullptr;
}

json::array* decode_context::get_array(json::value& v) {
  if (auto* a = v.if_array()) return a;
  type_error(v, "an array");
  return nullptr;
}

bool decode_context::check_range(double x, double lo, double hi) {
  if (x >= lo && x <= hi) return true;
  return value_error(fmt::format("{} is out of range; expected a value between {} and {}.", x,
                                 lo, hi));
}

bool decode_context::check_int_range(std::int64_t x, std::int64_t lo, std::int64_t hi) {
  if (x >= lo && x <= hi) return true;
  return value_error(fmt::format("{} is out of range; expected a value between {} and {}.", x,
                                 lo, hi));
}

bool is_valid_function_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace gi::openai_api::detail
