// JSON Schema -> Gemini schema transforms (the rules are listed in schema.h).

#include "providers/gemini/schema.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace gi::providers::gemini {

namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 18> rejected_keywords = {
    "not",           "if",           "then",          "else",
    "patternProperties", "dependentSchemas", "dependentRequired", "dependencies",
    "unevaluatedProperties", "unevaluatedItems", "contains", "minContains",
    "maxContains",   "propertyNames", "$dynamicRef",  "$dynamicAnchor",
    "$recursiveRef", "$recursiveAnchor"};

bool in(std::string_view k, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), k) != set.end();
}
bool rejected(std::string_view k) {
  return std::find(rejected_keywords.begin(), rejected_keywords.end(), k) !=
         rejected_keywords.end();
}

core::error unsupported(const std::string& path, std::string_view what) {
  return core::invalid_request("JSON Schema " + std::string(what) + " at '" + path +
                                   "' cannot be expressed for provider 'gemini'",
                               path, "unsupported_schema");
}

void warn(std::vector<std::string>& w, const std::string& path) {
  std::string s = path + ":dropped";
  if (std::find(w.begin(), w.end(), s) == w.end()) w.push_back(std::move(s));
}

// allOf of plain object schemas -> one object (shared by both targets).
std::optional<json::object> merge_all_of(const json::array& branches) {
  json::object merged;
  json::object props;
  json::array required;
  for (const json::value& b : branches) {
    const json::object* o = b.if_object();
    if (o == nullptr) return std::nullopt;
    for (const auto& kv : *o) {
      const std::string_view k = kv.key();
      if (k == "properties" && kv.value().is_object()) {
        for (const auto& p : kv.value().get_object()) props[p.key()] = p.value();
      } else if (k == "required" && kv.value().is_array()) {
        for (const auto& r : kv.value().get_array())
          if (std::find(required.begin(), required.end(), r) == required.end())
            required.push_back(r);
      } else if (k == "type") {
        if (!(kv.value().is_string() && kv.value().get_string() == "object")) return std::nullopt;
        merged["type"] = "object";
      } else if (k == "description" || k == "title") {
        if (!merged.contains(k)) merged[k] = kv.value();
      } else {
        return std::nullopt;  // a non-object branch or a keyword we cannot merge
      }
    }
  }
  merged["type"] = "object";
  if (!props.empty()) merged["properties"] = std::move(props);
  if (!required.empty()) merged["required"] = std::move(required);
  return merged;
}

bool scalar_enum_value(const json::value& v) { return v.is_string() || v.is_number(); }

// ---- 1. plain JSON Schema ------------------------------------------------------------------

class json_schema_converter {
 public:
  explicit json_schema_converter(std::vector<std::string>& w) : w_(w) {}

  std::optional<core::error> err;

  json::value convert(const json::value& v, const std::string& path) {
    if (err) return nullptr;
    if (v.is_bool()) {
      if (v.get_bool()) return json::object{};
      err = unsupported(path, "'false' schema");
      return nullptr;
    }
    const json::object* o = v.if_object();
    if (o == nullptr) {
      err = unsupported(path, "value that is not a schema object");
      return nullptr;
    }
    json::object src = *o;
    if (const json::value* all = src.if_contains("allOf")) {
      std::optional<json::object> merged;
      if (all->is_array()) merged = merge_all_of(all->get_array());
      if (!merged) {
        err = unsupported(path + ".allOf", "'allOf' (only object branches can be merged)");
        return nullptr;
      }
      src.erase("allOf");
      for (auto& kv : *merged) {
        if (kv.key() == "properties" && src.contains("properties")) {
          for (auto& p : kv.value().get_object()) src["properties"].as_object()[p.key()] = p.value();
        } else if (kv.key() == "required" && src.contains("required") && src["required"].is_array()) {
          for (auto& r : kv.value().get_array()) src["required"].as_array().push_back(r);
        } else if (!src.contains(kv.key())) {
          src[kv.key()] = kv.value();
        }
      }
    }
    const bool has_ref = src.contains("$ref");
    json::object out;
    for (const auto& kv : src) {
      const std::string_view k = kv.key();
      const json::value& val = kv.value();
      const std::string at = path + "." + std::string(k);
      if (rejected(k)) {
        err = unsupported(at, "keyword '" + std::string(k) + "'");
        return nullptr;
      }
      if (has_ref && !k.starts_with("$")) {
        warn(w_, at);  // Gemini: a $ref takes no sibling keywords except $-ones
        continue;
      }
      if (k == "$schema" || k == "$comment") continue;
      if (k == "$ref") {
        std::string ref = val.is_string() ? std::string(val.get_string()) : std::string();
        if (ref.starts_with("#/definitions/")) ref = "#/$defs/" + ref.substr(14);
        out["$ref"] = ref;
      } else if (k == "$defs" || k == "definitions") {
        if (!val.is_object()) continue;
        json::object& defs = out.contains("$defs") ? out["$defs"].as_object()
                                                   : out.emplace("$defs", json::object{}).first->value().as_object();
        for (const auto& d : val.get_object())
          defs[d.key()] = convert(d.value(), at + "." + std::string(d.key()));
      } else if (k == "properties") {
        if (!val.is_object()) continue;
        json::object props;
        for (const auto& p : val.get_object())
          props[p.key()] = convert(p.value(), at + "." + std::string(p.key()));
        out["properties"] = std::move(props);
      } else if (k == "items") {
        if (val.is_array()) {  // draft-4 tuple form
          json::array pre;
          for (std::size_t i = 0; i < val.get_array().size(); ++i)
            pre.push_back(convert(val.get_array()[i], at + "[" + std::to_string(i) + "]"));
          out["prefixItems"] = std::move(pre);
        } else {
          out["items"] = convert(val, at);
        }
      } else if (k == "prefixItems" || k == "anyOf" || k == "oneOf") {
        if (!val.is_array()) continue;
        json::array a;
        for (std::size_t i = 0; i < val.get_array().size(); ++i)
          a.push_back(convert(val.get_array()[i], at + "[" + std::to_string(i) + "]"));
        out[k] = std::move(a);
      } else if (k == "additionalProperties") {
        out[k] = val.is_object() ? convert(val, at) : val;
      } else if (k == "const") {
        if (!scalar_enum_value(val)) {
          err = unsupported(at, "'const' that is not a string or number");
          return nullptr;
        }
        out["enum"] = json::array{val};
      } else if (k == "enum") {
        if (!val.is_array()) continue;
        json::array e;
        for (const json::value& ev : val.get_array()) {
          if (ev.is_null()) continue;  // null is expressed by the type
          if (!scalar_enum_value(ev)) {
            err = unsupported(at, "'enum' value " + json::serialize(ev) +
                                      " (only strings and numbers)");
            return nullptr;
          }
          e.push_back(ev);
        }
        out["enum"] = std::move(e);
      } else if (k == "format") {
        if (val.is_string() && in(val.get_string(), {"date-time", "date", "time", "duration", "enum",
                                                     "int32", "int64", "float", "double"}))
          out[k] = val;
        else
          warn(w_, at);
      } else if (in(k, {"type", "title", "description", "minItems", "maxItems", "minimum",
                        "maximum", "required", "propertyOrdering", "$id", "$anchor"})) {
        out[k] = val;
      } else {
        warn(w_, at);  // minLength, pattern, default, examples, nullable, unknown words, …
      }
      if (err) return nullptr;
    }
    return out;
  }

 private:
  std::vector<std::string>& w_;
};

// ---- 2. OpenAPI-subset Schema --------------------------------------------------------------

class openapi_converter {
 public:
  openapi_converter(const json::value& root, std::vector<std::string>& w) : w_(w) {
    if (const json::object* o = root.if_object()) {
      for (const char* key : {"$defs", "definitions"})
        if (const json::value* d = o->if_contains(key); d && d->is_object())
          defs_[key] = d->get_object();
    }
  }

  std::optional<core::error> err;

  json::value convert(const json::value& v, const std::string& path, int depth = 0) {
    if (err) return nullptr;
    if (v.is_bool()) {
      if (v.get_bool()) return json::object{};
      err = unsupported(path, "'false' schema");
      return nullptr;
    }
    const json::object* o = v.if_object();
    if (o == nullptr) {
      err = unsupported(path, "value that is not a schema object");
      return nullptr;
    }
    if (const json::value* ref = o->if_contains("$ref")) {
      // OpenAPI Schema has no references: inline the target (§4.2).
      const json::value* target = resolve(*ref);
      if (target == nullptr) {
        err = unsupported(path + ".$ref", "'$ref' that does not point into $defs/definitions");
        return nullptr;
      }
      if (depth >= 16 || std::find(stack_.begin(), stack_.end(), ref->get_string()) != stack_.end()) {
        err = unsupported(path + ".$ref", "recursive '$ref'");
        return nullptr;
      }
      stack_.emplace_back(ref->get_string());
      json::value inlined = convert(*target, path, depth + 1);
      stack_.pop_back();
      if (json::object* io = inlined.if_object()) {
        if (auto d = o->if_contains("description"); d && !io->contains("description"))
          (*io)["description"] = *d;
      }
      return inlined;
    }
    json::object src = *o;
    if (const json::value* all = src.if_contains("allOf")) {
      std::optional<json::object> merged;
      if (all->is_array()) merged = merge_all_of(all->get_array());
      if (!merged) {
        err = unsupported(path + ".allOf", "'allOf' (only object branches can be merged)");
        return nullptr;
      }
      src.erase("allOf");
      for (auto& kv : *merged)
        if (!src.contains(kv.key())) src[kv.key()] = kv.value();
    }
    json::object out;
    for (const auto& kv : src) {
      const std::string_view k = kv.key();
      const json::value& val = kv.value();
      const std::string at = path + "." + std::string(k);
      if (rejected(k) || k == "prefixItems") {
        err = unsupported(at, "keyword '" + std::string(k) + "'");
        return nullptr;
      }
      if (in(k, {"$schema", "$comment", "$id", "$defs", "definitions", "$anchor"})) continue;
      if (k == "type") {
        type(val, at, out);
      } else if (k == "properties") {
        if (!val.is_object()) continue;
        json::object props;
        for (const auto& p : val.get_object())
          props[p.key()] = convert(p.value(), at + "." + std::string(p.key()), depth);
        out["properties"] = std::move(props);
      } else if (k == "items") {
        if (val.is_array()) {
          err = unsupported(at, "tuple 'items'");
          return nullptr;
        }
        out["items"] = convert(val, at, depth);
      } else if (k == "anyOf" || k == "oneOf") {
        if (!val.is_array()) continue;
        json::array branches;
        for (std::size_t i = 0; i < val.get_array().size(); ++i) {
          const json::value& b = val.get_array()[i];
          if (const json::object* bo = b.if_object(); bo && bo->size() == 1) {
            if (auto t = bo->if_contains("type"); t && t->is_string() && t->get_string() == "null") {
              out["nullable"] = true;
              continue;
            }
          }
          branches.push_back(convert(b, at + "[" + std::to_string(i) + "]", depth));
        }
        if (branches.size() == 1 && branches[0].is_object()) {
          for (auto& bkv : branches[0].get_object())
            if (!out.contains(bkv.key())) out[bkv.key()] = bkv.value();
        } else if (!branches.empty()) {
          out["anyOf"] = std::move(branches);
        }
      } else if (k == "const") {
        out["enum"] = json::array{val.is_string() ? val : json::value(json::serialize(val))};
        if (!src.contains("type")) out["type"] = "STRING";  // Schema enums are typed strings
      } else if (k == "enum") {
        if (!val.is_array()) continue;
        json::array e;
        bool all_strings = true;
        for (const json::value& ev : val.get_array()) {
          if (ev.is_null()) {
            out["nullable"] = true;
            continue;
          }
          all_strings = all_strings && ev.is_string();
          e.push_back(ev);
        }
        if (all_strings) out["enum"] = std::move(e);
        else warn(w_, at);  // Schema enums are strings only
      } else if (k == "format") {
        if (val.is_string() && in(val.get_string(), {"enum", "date-time", "int32", "int64", "float", "double"}))
          out[k] = val;
        else
          warn(w_, at);
      } else if (in(k, {"title", "description", "nullable", "maxItems", "minItems", "required",
                        "minProperties", "maxProperties", "minLength", "maxLength", "pattern",
                        "example", "propertyOrdering", "default", "minimum", "maximum"})) {
        out[k] = val;
      } else {
        warn(w_, at);  // additionalProperties, exclusiveMinimum, unknown words, …
      }
      if (err) return nullptr;
    }
    return out;
  }

 private:
  void type(const json::value& val, const std::string& at, json::object& out) {
    auto upper = [](std::string_view s) {
      std::string u(s);
      std::transform(u.begin(), u.end(), u.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      return u;
    };
    if (val.is_string()) {
      if (val.get_string() == "null") out["nullable"] = true;
      else out["type"] = upper(val.get_string());
      return;
    }
    if (!val.is_array()) return;
    json::array types;
    for (const json::value& t : val.get_array()) {
      if (!t.is_string()) continue;
      if (t.get_string() == "null") out["nullable"] = true;
      else types.push_back(json::value(upper(t.get_string())));
    }
    if (types.size() == 1) {
      out["type"] = types[0];
    } else if (types.size() > 1) {
      json::array any;
      for (auto& t : types) any.push_back(json::object{{"type", t}});
      out["anyOf"] = std::move(any);
      (void)at;
    }
  }

  const json::value* resolve(const json::value& ref) const {
    if (!ref.is_string()) return nullptr;
    std::string_view r = ref.get_string();
    for (const auto& [prefix, key] : {std::pair{"#/$defs/", "$defs"},
                                      std::pair{"#/definitions/", "definitions"}}) {
      std::string_view p(prefix);
      if (!r.starts_with(p)) continue;
      auto it = defs_.find(key);
      if (it == defs_.end()) return nullptr;
      return it->second.if_contains(r.substr(p.size()));
    }
    return nullptr;
  }

  std::vector<std::string>& w_;
  std::map<std::string, json::object> defs_;
  std::vector<std::string> stack_;
};

}  // namespace

core::result<json::value> to_json_schema(const json::value& schema, std::string_view param,
                                         std::vector<std::string>& warnings) {
  json_schema_converter c(warnings);
  json::value out = c.convert(schema, std::string(param));
  if (c.err) return std::move(*c.err);
  return out;
}

core::result<json::value> to_openapi_schema(const json::value& schema, std::string_view param,
                                            std::vector<std::string>& warnings) {
  openapi_converter c(schema, warnings);
  json::value out = c.convert(schema, std::string(param));
  if (c.err) return std::move(*c.err);
  return out;
}

}  // namespace gi::providers::gemini
