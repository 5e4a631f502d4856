// `messages` (providers.md §2.3): roles, content strings and parts, assistant tool calls,
// and the history check of §11.3 (a tool result must answer an earlier tool call).

#include <string_view>
#include <unordered_set>

#include <fmt/format.h>

#include "openai_api/decode_parts.h"

namespace gi::openai_api::detail {

namespace {

// Which content-part types a role may use (§2.3 role table).
enum class part_set : std::uint8_t { text_only, user, assistant };

std::string_view describe_parts(part_set s) {
  switch (s) {
    case part_set::text_only: return "'text'";
    case part_set::user: return "'text', 'image_url', 'input_audio' or 'file'";
    case part_set::assistant: return "'text' or 'refusal'";
  }
  return "";
}

// Reads the required string member `key` of `o` (path: current + key).
bool required_string(decode_context& ctx, json::object& o, std::string_view key,
                     std::string& out) {
  auto it = o.find(key);
  if (it == o.end()) return ctx.missing(key);
  path_scope s(ctx.path, key);
  return ctx.get_string(it->value(), out);
}

// Optional string member; absent or null leaves `out` untouched.
bool optional_string(decode_context& ctx, json::object& o, std::string_view key,
                     std::string& out) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return true;
  path_scope s(ctx.path, key);
  return ctx.get_string(it->value(), out);
}

// The nested object member `key` (e.g. `image_url` of an image part), required.
json::object* required_object(decode_context& ctx, json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) {
    ctx.missing(key);
    return nullptr;
  }
  ctx.path.push_key(key);  // the caller pops (see decode_part)
  return ctx.get_object(it->value());
}

bool decode_part(decode_context& ctx, json::value& v, part_set allowed, core::content_part& out) {
  json::object* o = ctx.get_object(v);
  if (!o) return false;
  std::string type;
  if (!required_string(ctx, *o, "type", type)) return false;

  if (type == "text") {
    core::text_part t;
    if (!required_string(ctx, *o, "text", t.text)) return false;
    out = std::move(t);
    return true;
  }
  const std::size_t mark = ctx.path.mark();
  if (allowed == part_set::user && type == "image_url") {
    core::image_part p;
    json::object* img = required_object(ctx, *o, "image_url");
    if (!img) return false;
    if (!required_string(ctx, *img, "url", p.url)) return false;
    if (p.url.empty()) {
      path_scope s(ctx.path, "url");
      return ctx.value_error("expected a non-empty URL or data URL.");
    }
    if (!optional_string(ctx, *img, "detail", p.detail)) return false;
    if (!p.detail.empty() && p.detail != "auto" && p.detail != "low" && p.detail != "high") {
      path_scope s(ctx.path, "detail");
      return ctx.value_error(fmt::format("'{}' is not one of 'auto', 'low', 'high'.", p.detail));
    }
    ctx.path.reset(mark);
    out = std::move(p);
    return true;
  }
  if (allowed == part_set::user && type == "input_audio") {
    core::audio_part p;
    json::object* a = required_object(ctx, *o, "input_audio");
    if (!a) return false;
    if (!required_string(ctx, *a, "data", p.data)) return false;
    if (!required_string(ctx, *a, "format", p.format)) return false;
    if (p.format != "wav" && p.format != "mp3") {
      path_scope s(ctx.path, "format");
      return ctx.value_error(fmt::format("'{}' is not one of 'wav', 'mp3'.", p.format));
    }
    ctx.path.reset(mark);
    out = std::move(p);
    return true;
  }
  if (allowed == part_set::user && type == "file") {
    core::file_part p;
    json::object* f = required_object(ctx, *o, "file");
    if (!f) return false;
    if (!optional_string(ctx, *f, "file_data", p.file_data)) return false;
    if (!optional_string(ctx, *f, "file_id", p.file_id)) return false;
    if (!optional_string(ctx, *f, "filename", p.filename)) return false;
    if (p.file_data.empty() && p.file_id.empty())
      return ctx.value_error("a file part needs 'file_data' or 'file_id'.");
    ctx.path.reset(mark);
    out = std::move(p);
    return true;
  }
  if (allowed == part_set::assistant && type == "refusal") {
    core::refusal_part p;
    if (!required_string(ctx, *o, "refusal", p.refusal)) return false;
    out = std::move(p);
    return true;
  }
  path_scope s(ctx.path, "type");
  return ctx.value_error(fmt::format("content part type '{}' is not allowed here; expected {}.",
                                     type, describe_parts(allowed)));
}

bool decode_content(decode_context& ctx, json::value& v, part_set allowed, bool nullable,
                    core::message_content& out) {
  if (v.is_null() && nullable) {
    out = std::monostate{};
    return true;
  }
  if (auto* s = v.if_string()) {
    out = std::string(s->data(), s->size());
    return true;
  }
  auto* a = v.if_array();
  if (!a) {
    return ctx.type_error(v, nullable ? "a string, an array of content parts or null"
                                      : "a string or an array of content parts");
  }
  // An assistant turn that only made tool calls may carry an empty parts array.
  if (a->empty() && allowed != part_set::assistant)
    return ctx.value_error("expected a non-empty array of content parts.");
  std::vector<core::content_part> parts;
  parts.reserve(a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    path_scope s(ctx.path, i);
    if (!decode_part(ctx, (*a)[i], allowed, parts.emplace_back())) return false;
  }
  out = std::move(parts);
  return true;
}

bool decode_history_tool_call(decode_context& ctx, json::value& v, core::tool_call& tc) {
  json::object* o = ctx.get_object(v);
  if (!o) return false;
  if (!required_string(ctx, *o, "id", tc.id)) return false;
  if (tc.id.empty()) {
    path_scope s(ctx.path, "id");
    return ctx.value_error("expected a non-empty tool call id.");
  }
  if (!required_string(ctx, *o, "type", tc.type)) return false;
  const std::size_t mark = ctx.path.mark();
  if (tc.type == "function") {
    json::object* f = required_object(ctx, *o, "function");
    if (!f) return false;
    if (!required_string(ctx, *f, "name", tc.name)) return false;
    if (!required_string(ctx, *f, "arguments", tc.arguments)) return false;
  } else if (tc.type == "custom") {
    json::object* c = required_object(ctx, *o, "custom");
    if (!c) return false;
    if (!required_string(ctx, *c, "name", tc.name)) return false;
    if (!required_string(ctx, *c, "input", tc.arguments)) return false;
  } else {
    path_scope s(ctx.path, "type");
    return ctx.value_error(fmt::format("'{}' is not one of 'function', 'custom'.", tc.type));
  }
  ctx.path.reset(mark);
  return true;
}

// Legacy assistant `function_call: {name, arguments}`: validated, kept in `extra` as sent.
bool check_legacy_function_call(decode_context& ctx, json::value& v) {
  json::object* o = ctx.get_object(v);
  if (!o) return false;
  std::string scratch;
  if (!required_string(ctx, *o, "name", scratch)) return false;
  return required_string(ctx, *o, "arguments", scratch);
}

std::optional<core::role> parse_role(std::string_view r) {
  if (r == "user") return core::role::user;
  if (r == "assistant") return core::role::assistant;
  if (r == "system") return core::role::system;
  if (r == "developer") return core::role::developer;
  if (r == "tool") return core::role::tool;
  if (r == "function") return core::role::function;
  return std::nullopt;
}

part_set parts_for(core::role r) {
  switch (r) {
    case core::role::user: return part_set::user;
    case core::role::assistant: return part_set::assistant;
    case core::role::system:
    case core::role::developer:
    case core::role::tool:
    case core::role::function: return part_set::text_only;
  }
  return part_set::text_only;
}

bool decode_message(decode_context& ctx, json::value& v, core::message& m) {
  json::object* o = ctx.get_object(v);
  if (!o) return false;
  std::string role;
  if (!required_string(ctx, *o, "role", role)) return false;
  auto r = parse_role(role);
  if (!r) {
    path_scope s(ctx.path, "role");
    return ctx.value_error(fmt::format(
        "'{}' is not one of 'developer', 'system', 'user', 'assistant', 'tool', 'function'.",
        role));
  }
  m.role = *r;
  const bool is_assistant = m.role == core::role::assistant;
  bool has_content = false;
  bool has_function_call = false;

  for (auto& kv : *o) {
    const std::string_view key = kv.key();
    json::value& val = kv.value();
    if (key == "role") continue;
    path_scope s(ctx.path, key);
    if (key == "content") {
      // Only the assistant (and legacy function) turn may have null content (§2.3).
      const bool nullable = is_assistant || m.role == core::role::function;
      if (!decode_content(ctx, val, parts_for(m.role), nullable, m.content)) return false;
      // The legacy function message requires `content` but allows it to be null.
      has_content = !val.is_null() || m.role == core::role::function;
    } else if (key == "name") {
      if (val.is_null()) continue;
      if (!ctx.get_string(val, m.name.emplace())) return false;
    } else if (is_assistant && key == "tool_calls") {
      if (val.is_null()) continue;
      json::array* a = ctx.get_array(val);
      if (!a) return false;
      m.tool_calls.reserve(a->size());
      for (std::size_t i = 0; i < a->size(); ++i) {
        path_scope si(ctx.path, i);
        if (!decode_history_tool_call(ctx, (*a)[i], m.tool_calls.emplace_back())) return false;
      }
    } else if (m.role == core::role::tool && key == "tool_call_id") {
      if (!ctx.get_string(val, m.tool_call_id)) return false;
    } else if (is_assistant && key == "refusal") {
      if (val.is_null()) continue;
      if (!ctx.get_string(val, m.refusal.emplace())) return false;
    } else if (is_assistant && key == "reasoning_content") {
      if (val.is_null()) continue;
      if (!ctx.get_string(val, m.reasoning_content.emplace())) return false;
    } else if (is_assistant && key == "function_call") {
      if (val.is_null()) continue;
      if (!check_legacy_function_call(ctx, val)) return false;
      has_function_call = true;
      m.extra.emplace(key, std::move(val));
    } else if (is_assistant && key == "audio") {
      if (val.is_null()) continue;
      json::object* a = ctx.get_object(val);
      if (!a) return false;
      std::string id;
      if (!required_string(ctx, *a, "id", id)) return false;
      m.extra.emplace(key, std::move(val));
    } else {
      // Not modelled: kept for OpenAI-family pass-through (core::message::extra).
      m.extra.emplace(key, std::move(val));
    }
  }

  if (is_assistant) {
    if (!has_content && m.tool_calls.empty() && !has_function_call && !m.refusal &&
        !m.extra.contains("audio"))
      return ctx.missing("content");
  } else if (!has_content) {
    return ctx.missing("content");
  }
  if (m.role == core::role::tool && m.tool_call_id.empty()) {
    if (!o->contains("tool_call_id")) return ctx.missing("tool_call_id");
    path_scope s(ctx.path, "tool_call_id");
    return ctx.value_error("expected a non-empty tool call id.");
  }
  if (m.role == core::role::function && !m.name) return ctx.missing("name");
  return true;
}

}  // namespace

bool decode_messages(decode_context& ctx, json::value& v, std::vector<core::message>& out) {
  json::array* a = ctx.get_array(v);
  if (!a) return false;
  if (a->empty()) return ctx.value_error("expected a non-empty array of messages.");
  out.reserve(a->size());
  std::unordered_set<std::string_view> call_ids;  // views into `out`, which never reallocates
  for (std::size_t i = 0; i < a->size(); ++i) {
    path_scope s(ctx.path, i);
    core::message& m = out.emplace_back();
    if (!decode_message(ctx, (*a)[i], m)) return false;
    for (const auto& tc : m.tool_calls) call_ids.insert(tc.id);
    // providers.md §11.3: a tool result must answer a tool call made earlier in the
    // conversation; Anthropic, Bedrock and Mistral would reject it less clearly.
    if (m.role == core::role::tool && !call_ids.contains(m.tool_call_id)) {
      path_scope t(ctx.path, "tool_call_id");
      return ctx.value_error(fmt::format(
          "'{}' does not match the id of any tool call in an earlier assistant message.",
          m.tool_call_id));
    }
  }
  return true;
}

}  // namespace gi::openai_api::detail
