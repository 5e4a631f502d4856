// `tools`, `tool_choice`, legacy `functions` / `function_call`, and `response_format`
// (providers.md §2.2, §2.4, §2.5).

#include <fmt/format.h>

#include "openai_api/decode_parts.h"

namespace gi::openai_api::detail {

namespace {

// OpenAI rejects more than 128 tools ("array too long").
constexpr std::size_t max_tools = 128;

bool required_string(decode_context& ctx, json::object& o, std::string_view key,
                     std::string& out) {
  auto it = o.find(key);
  if (it == o.end()) return ctx.missing(key);
  path_scope s(ctx.path, key);
  return ctx.get_string(it->value(), out);
}

// `name` must match ^[a-zA-Z0-9_-]{1,64}$ (§2.2 tools, §2.5 json_schema).
bool required_name(decode_context& ctx, json::object& o, std::string& out) {
  if (!required_string(ctx, o, "name", out)) return false;
  if (is_valid_function_name(out)) return true;
  path_scope s(ctx.path, "name");
  return ctx.value_error(fmt::format(
      "'{}' does not match '^[a-zA-Z0-9_-]{{1,64}}$'.", out));
}

// The nested object member `key`, required; pushes `key` on the path (caller resets).
json::object* required_object(decode_context& ctx, json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) {
    ctx.missing(key);
    return nullptr;
  }
  ctx.path.push_key(key);
  return ctx.get_object(it->value());
}

// A function definition `{name, description?, parameters?, strict?}` (tools[i].function, or
// a legacy functions[i]).
bool decode_function_def(decode_context& ctx, json::object& f, core::function_tool& out) {
  if (!required_name(ctx, f, out.name)) return false;
  for (auto& kv : f) {
    const std::string_view key = kv.key();
    json::value& val = kv.value();
    if (val.is_null() || key == "name") continue;
    path_scope s(ctx.path, key);
    if (key == "description") {
      if (!ctx.get_string(val, out.description.emplace())) return false;
    } else if (key == "parameters") {
      // A JSON Schema is always an object; its contents are the upstream's to judge.
      if (!val.is_object()) return ctx.type_error(val, "an object");
      out.parameters = val;  // copy: `raw` keeps the tool as sent
    } else if (key == "strict") {
      bool b = false;
      if (!ctx.get_bool(val, b)) return false;
      out.strict = b;
    }
  }
  return true;
}

bool decode_tool(decode_context& ctx, json::value& v, core::tool& t) {
  json::object* o = ctx.get_object(v);
  if (!o) return false;
  if (!required_string(ctx, *o, "type", t.type)) return false;
  const std::size_t mark = ctx.path.mark();
  if (t.type == "function") {
    json::object* f = required_object(ctx, *o, "function");
    if (!f || !decode_function_def(ctx, *f, t.function)) return false;
  } else if (t.type == "custom") {
    json::object* c = required_object(ctx, *o, "custom");
    if (!c || !required_name(ctx, *c, t.function.name)) return false;
    if (auto it = c->find("description"); it != c->end() && !it->value().is_null()) {
      path_scope s(ctx.path, "description");
      if (!ctx.get_string(it->value(), t.function.description.emplace())) return false;
    }
    if (auto it = c->find("format"); it != c->end() && !it->value().is_null()) {
      path_scope s(ctx.path, "format");
      if (!ctx.get_object(it->value())) return false;
    }
  } else {
    path_scope s(ctx.path, "type");
    return ctx.value_error(fmt::format("'{}' is not one of 'function', 'custom'.", t.type));
  }
  ctx.path.reset(mark);
  t.raw = std::move(v);
  return true;
}

}  // namespace

bool decode_tools(decode_context& ctx, json::value& v, std::vector<core::tool>& out) {
  json::array* a = ctx.get_array(v);
  if (!a) return false;
  if (a->size() > max_tools)
    return ctx.value_error(fmt::format("array too long; expected at most {} tools, got {}.",
                                       max_tools, a->size()));
  out.reserve(out.size() + a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    path_scope s(ctx.path, i);
    if (!decode_tool(ctx, (*a)[i], out.emplace_back())) return false;
  }
  return true;
}

bool decode_legacy_functions(decode_context& ctx, json::value& v, std::vector<core::tool>& out) {
  json::array* a = ctx.get_array(v);
  if (!a) return false;
  if (a->size() > max_tools)
    return ctx.value_error(fmt::format("array too long; expected at most {} functions, got {}.",
                                       max_tools, a->size()));
  out.reserve(out.size() + a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    path_scope s(ctx.path, i);
    json::object* f = ctx.get_object((*a)[i]);
    if (!f) return false;
    core::tool& t = out.emplace_back();
    t.type = "function";
    if (!decode_function_def(ctx, *f, t.function)) return false;
    // Up-converted: `raw` is the tool a client would have sent today.
    t.raw = json::object{{"type", "function"}, {"function", std::move((*a)[i])}};
  }
  return true;
}

bool decode_tool_choice(decode_context& ctx, json::value& v, core::tool_choice& out) {
  if (const auto* s = v.if_string()) {
    if (*s == "none") out.mode = core::tool_choice_mode::none;
    else if (*s == "auto") out.mode = core::tool_choice_mode::auto_;
    else if (*s == "required") out.mode = core::tool_choice_mode::required;
    else
      return ctx.value_error(fmt::format("'{}' is not one of 'none', 'auto', 'required'.",
                                         std::string_view(*s)));
    return true;
  }
  json::object* o = v.if_object();
  if (!o) return ctx.type_error(v, "a string or an object");
  std::string type;
  if (!required_string(ctx, *o, "type", type)) return false;
  const std::size_t mark = ctx.path.mark();
  if (type == "function") {
    json::object* f = required_object(ctx, *o, "function");
    if (!f || !required_string(ctx, *f, "name", out.name)) return false;
    out.mode = core::tool_choice_mode::function;
  } else if (type == "custom") {
    json::object* c = required_object(ctx, *o, "custom");
    if (!c || !required_string(ctx, *c, "name", out.name)) return false;
    out.mode = core::tool_choice_mode::custom;
  } else if (type == "allowed_tools") {
    json::object* at = required_object(ctx, *o, "allowed_tools");
    if (!at) return false;
    std::string mode;
    if (!required_string(ctx, *at, "mode", mode)) return false;
    if (mode != "auto" && mode != "required") {
      path_scope s(ctx.path, "mode");
      return ctx.value_error(fmt::format("'{}' is not one of 'auto', 'required'.", mode));
    }
    auto it = at->find("tools");
    if (it == at->end()) return ctx.missing("tools");
    path_scope s(ctx.path, "tools");
    json::array* tools = ctx.get_array(it->value());
    if (!tools) return false;
    for (std::size_t i = 0; i < tools->size(); ++i) {
      path_scope si(ctx.path, i);
      if (!ctx.get_object((*tools)[i])) return false;
    }
    out.mode = core::tool_choice_mode::allowed_tools;
  } else {
    path_scope s(ctx.path, "type");
    return ctx.value_error(fmt::format(
        "'{}' is not one of 'function', 'custom', 'allowed_tools'.", type));
  }
  ctx.path.reset(mark);
  out.raw = std::move(v);
  return true;
}

bool decode_legacy_function_call(decode_context& ctx, json::value& v, core::tool_choice& out) {
  if (const auto* s = v.if_string()) {
    if (*s == "none") out.mode = core::tool_choice_mode::none;
    else if (*s == "auto") out.mode = core::tool_choice_mode::auto_;
    else
      return ctx.value_error(
          fmt::format("'{}' is not one of 'none', 'auto'.", std::string_view(*s)));
    return true;
  }
  json::object* o = v.if_object();
  if (!o) return ctx.type_error(v, "a string or an object");
  if (!required_string(ctx, *o, "name", out.name)) return false;
  out.mode = core::tool_choice_mode::function;
  out.raw = json::object{{"type", "function"}, {"function", json::object{{"name", out.name}}}};
  return true;
}

bool decode_response_format(decode_context& ctx, json::value& v, core::response_format& out) {
  json::object* o = ctx.get_object(v);
  if (!o) return false;
  std::string type;
  if (!required_string(ctx, *o, "type", type)) return false;
  if (type == "text") {
    out.type = core::response_format_type::text;
    return true;
  }
  if (type == "json_object") {
    out.type = core::response_format_type::json_object;
    return true;
  }
  if (type != "json_schema") {
    path_scope s(ctx.path, "type");
    return ctx.value_error(
        fmt::format("'{}' is not one of 'text', 'json_object', 'json_schema'.", type));
  }
  out.type = core::response_format_type::json_schema;
  json::object* js = required_object(ctx, *o, "json_schema");
  if (!js || !required_name(ctx, *js, out.name)) return false;
  for (auto& kv : *js) {
    const std::string_view key = kv.key();
    json::value& val = kv.value();
    if (val.is_null() || key == "name") continue;
    path_scope s(ctx.path, key);
    if (key == "description") {
      if (!ctx.get_string(val, out.description.emplace())) return false;
    } else if (key == "schema") {
      if (!val.is_object()) return ctx.type_error(val, "an object");
      out.schema = std::move(val);
    } else if (key == "strict") {
      bool b = false;
      if (!ctx.get_bool(val, b)) return false;
      out.strict = b;
    }
  }
  return true;
}

}  // namespace gi::openai_api::detail
