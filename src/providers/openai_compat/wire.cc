#include "providers/openai_compat/wire.h"

#include <boost/json/serialize.hpp>

namespace gi::providers::openai_compat::wire {

namespace json = boost::json;

std::optional<std::string_view> str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

std::optional<std::int64_t> integer(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  return std::nullopt;
}

const json::object* obj(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr ? v->if_object() : nullptr;
}

core::finish_reason finish_reason(std::string_view v) noexcept {
  if (v == "stop") return core::finish_reason::stop;
  if (v == "length" || v == "model_length") return core::finish_reason::length;
  if (v == "tool_calls") return core::finish_reason::tool_calls;
  if (v == "content_filter") return core::finish_reason::content_filter;
  if (v == "function_call") return core::finish_reason::function_call;
  // Mistral `error`, DeepSeek `insufficient_system_resource` and unknown values.
  return core::finish_reason::stop;
}

std::optional<core::usage> usage(const json::value& v) {
  const json::object* o = v.if_object();
  if (o == nullptr) return std::nullopt;
  core::usage u;
  u.prompt_tokens = integer(*o, "prompt_tokens").value_or(0);
  u.completion_tokens = integer(*o, "completion_tokens").value_or(0);
  if (const json::object* p = obj(*o, "prompt_tokens_details")) {
    u.cached_tokens = integer(*p, "cached_tokens").value_or(0);
    u.cache_write_tokens = integer(*p, "cache_write_tokens").value_or(0);
  }
  if (auto hit = integer(*o, "prompt_cache_hit_tokens")) u.cached_tokens = *hit;  // DeepSeek §7.3
  if (const json::object* c = obj(*o, "completion_tokens_details"))
    u.reasoning_tokens = integer(*c, "reasoning_tokens").value_or(0);
  return u;
}

std::string arguments(const json::object& function) {
  const json::value* a = function.if_contains("arguments");
  if (a == nullptr || a->is_null()) return {};
  if (a->is_string()) return std::string(a->get_string());
  return json::serialize(*a);
}

void content(const json::value& v, std::string& text, std::string& reasoning) {
  if (v.is_string()) {
    text += v.get_string();
    return;
  }
  const json::array* parts = v.if_array();
  if (parts == nullptr) return;
  for (const json::value& p : *parts) {
    const json::object* po = p.if_object();
    if (po == nullptr) continue;
    auto type = str(*po, "type").value_or("");
    if (type == "text") {
      text += str(*po, "text").value_or("");
    } else if (type == "thinking") {
      // {"type":"thinking","thinking":[{"type":"text","text":"…"}]} (Mistral Magistral).
      if (const json::value* th = po->if_contains("thinking")) {
        std::string ignored;
        content(*th, reasoning, ignored);
      }
    }
  }
}

}  // namespace gi::providers::openai_compat::wire
