#include "mock/schema_values.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace gi::mock {
namespace {

namespace json = boost::json;

constexpr int max_depth = 24;  // recursive $ref chains end here

const json::value* member(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it == o.end() ? nullptr : &it->value();
}

// `#/$defs/name` or `#/definitions/name` (JSON pointer inside the root schema).
const json::value* resolve_ref(const json::value& root, std::string_view ref) {
  if (!ref.starts_with("#")) return nullptr;
  ref.remove_prefix(1);
  if (ref.empty()) return &root;
  boost::system::error_code ec;
  const json::value* v = root.find_pointer(ref, ec);
  return ec ? nullptr : v;
}

std::string_view first_type(const json::object& s) {
  const json::value* t = member(s, "type");
  if (t == nullptr) {
    if (member(s, "properties") || member(s, "required")) return "object";
    if (member(s, "items") || member(s, "prefixItems")) return "array";
    return "";
  }
  if (t->is_string()) return t->as_string();
  if (t->is_array()) {
    std::string_view fallback;
    for (const auto& e : t->as_array()) {
      if (!e.is_string()) continue;
      if (e.as_string() != "null") return e.as_string();
      fallback = "null";
    }
    return fallback;
  }
  return "";
}

double num(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  if (v.is_double()) return v.as_double();
  return 0;
}

json::value make_string(const json::object& s, std::string_view hint) {
  std::string out;
  const json::value* fmt = member(s, "format");
  const std::string_view f = fmt && fmt->is_string() ? std::string_view(fmt->as_string()) : "";
  if (f == "date-time") out = "2025-01-01T00:00:00Z";
  else if (f == "date") out = "2025-01-01";
  else if (f == "time") out = "00:00:00";
  else if (f == "email") out = "mock@example.com";
  else if (f == "uri" || f == "url") out = "https://example.com/mock";
  else if (f == "uuid") out = "00000000-0000-4000-8000-000000000000";
  else out = hint.empty() ? std::string("mock") : "mock-" + std::string(hint);
  std::uint64_t min_len = 0;
  std::uint64_t max_len = UINT64_MAX;
  if (const auto* v = member(s, "minLength")) min_len = static_cast<std::uint64_t>(num(*v));
  if (const auto* v = member(s, "maxLength")) max_len = static_cast<std::uint64_t>(num(*v));
  if (out.size() > max_len) out.resize(max_len);
  if (out.size() < min_len) out.append(min_len - out.size(), 'x');
  return json::string(out);
}

json::value make_number(const json::object& s, bool integer) {
  double lo = -INFINITY;
  double hi = INFINITY;
  if (const auto* v = member(s, "minimum")) lo = num(*v);
  if (const auto* v = member(s, "maximum")) hi = num(*v);
  const double step = integer ? 1.0 : 0.5;
  if (const auto* v = member(s, "exclusiveMinimum"); v && v->is_number()) lo = std::max(lo, num(*v) + step);
  if (const auto* v = member(s, "exclusiveMaximum"); v && v->is_number()) hi = std::min(hi, num(*v) - step);
  double x = 0;
  if (x < lo) x = integer ? std::ceil(lo) : lo;
  if (x > hi) x = integer ? std::floor(hi) : hi;
  if (integer) return static_cast<std::int64_t>(x);
  return x;
}

json::value gen(const json::value& schema, const json::value& root, std::string_view hint, int depth);

json::value gen_object(const json::object& s, const json::value& root, int depth) {
  json::object out;
  const json::value* props = member(s, "properties");
  const json::value* req = member(s, "required");
  if (req == nullptr || !req->is_array()) return out;
  for (const auto& r : req->as_array()) {
    if (!r.is_string()) continue;
    const std::string_view name = r.as_string();
    const json::value* ps = nullptr;
    if (props && props->is_object()) ps = member(props->as_object(), name);
    if (ps == nullptr) {
      // Required but undeclared: additionalProperties' schema if any, else a string.
      ps = member(s, "additionalProperties");
      if (ps && !ps->is_object()) ps = nullptr;
    }
    out[name] = ps ? gen(*ps, root, name, depth + 1) : json::value(json::string("mock"));
  }
  return out;
}

json::value gen_array(const json::object& s, const json::value& root, std::string_view hint,
                      int depth) {
  json::array out;
  std::uint64_t min_items = 0;
  if (const auto* v = member(s, "minItems")) min_items = static_cast<std::uint64_t>(num(*v));
  const json::value* prefix = member(s, "prefixItems");
  if (prefix && prefix->is_array()) {
    for (const auto& p : prefix->as_array()) {
      if (out.size() >= min_items) break;
      out.push_back(gen(p, root, hint, depth + 1));
    }
  }
  const json::value* items = member(s, "items");
  static const json::value empty_schema = json::object{};
  while (out.size() < min_items) {
    out.push_back(gen(items && items->is_object() ? *items : empty_schema, root, hint, depth + 1));
  }
  return out;
}

json::value gen(const json::value& schema, const json::value& root, std::string_view hint,
                int depth) {
  if (depth > max_depth || !schema.is_object()) return nullptr;
  const json::object& s = schema.as_object();
  if (const auto* v = member(s, "const")) return *v;
  if (const auto* v = member(s, "enum"); v && v->is_array() && !v->as_array().empty()) {
    return v->as_array().front();
  }
  if (const auto* v = member(s, "$ref"); v && v->is_string()) {
    if (const json::value* target = resolve_ref(root, v->as_string())) {
      return gen(*target, root, hint, depth + 1);
    }
  }
  for (std::string_view k : {"anyOf", "oneOf"}) {
    if (const auto* v = member(s, k); v && v->is_array() && !v->as_array().empty()) {
      // Prefer a non-null branch so the value is informative.
      for (const auto& b : v->as_array()) {
        if (b.is_object() && first_type(b.as_object()) != "null") return gen(b, root, hint, depth + 1);
      }
      return gen(v->as_array().front(), root, hint, depth + 1);
    }
  }
  if (const auto* v = member(s, "allOf"); v && v->is_array()) {
    json::object merged;
    for (const auto& b : v->as_array()) {
      json::value part = gen(b, root, hint, depth + 1);
      if (!part.is_object()) return part;
      for (auto& kv : part.as_object()) merged[kv.key()] = kv.value();
    }
    if (first_type(s).empty() || first_type(s) == "object") {
      json::value own = gen_object(s, root, depth);
      for (auto& kv : own.as_object()) merged[kv.key()] = kv.value();
    }
    return merged;
  }
  const std::string_view t = first_type(s);
  if (t == "object") return gen_object(s, root, depth);
  if (t == "array") return gen_array(s, root, hint, depth);
  if (t == "string") return make_string(s, hint);
  if (t == "integer") return make_number(s, true);
  if (t == "number") return make_number(s, false);
  if (t == "boolean") return true;
  if (t == "null") return nullptr;
  // No type: anything is valid.
  return make_string(s, hint);
}

}  // namespace

boost::json::value minimal_instance(const boost::json::value& schema) {
  if (!schema.is_object()) return boost::json::object{};  // absent parameters: no arguments
  return gen(schema, schema, "", 0);
}

}  // namespace gi::mock
