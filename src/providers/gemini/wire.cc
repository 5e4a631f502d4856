#include "providers/gemini/wire.h"

#include <array>

#include <boost/json/serialize.hpp>
#include <openssl/sha.h>

#include "providers/tool_state_store.h"

namespace gi::providers::gemini::wire {

namespace json = boost::json;

std::optional<std::string_view> str(const json::object& o, std::string_view key) {
  if (const json::value* v = o.if_contains(key); v != nullptr && v->is_string())
    return std::string_view(v->get_string());
  return std::nullopt;
}

std::optional<std::int64_t> integer(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  // int64 fields are strings in proto3 JSON; Gemini uses numbers for token counts, but be
  // lenient.
  if (v->is_string()) {
    std::int64_t out = 0;
    for (char c : v->get_string()) {
      if (c < '0' || c > '9') return std::nullopt;
      out = out * 10 + (c - '0');
    }
    return out;
  }
  return std::nullopt;
}

const json::object* obj(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr ? v->if_object() : nullptr;
}

const json::array* arr(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr ? v->if_array() : nullptr;
}

core::finish_reason finish_reason(std::string_view v, bool had_calls) noexcept {
  using core::finish_reason;
  if (v == "STOP") return had_calls ? finish_reason::tool_calls : finish_reason::stop;
  // CONTINUATION: output cut at a per-request limit (§10.2).
  if (v == "MAX_TOKENS" || v == "CONTINUATION") return finish_reason::length;
  // Output withheld by a filter: content_filter is more honest than Portkey's `stop`.
  if (v == "SAFETY" || v == "RECITATION" || v == "BLOCKLIST" || v == "PROHIBITED_CONTENT" ||
      v == "SPII" || v == "LANGUAGE" || v == "IMAGE_SAFETY" || v == "IMAGE_PROHIBITED_CONTENT" ||
      v == "IMAGE_RECITATION")
    return finish_reason::content_filter;
  // MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, TOO_MANY_TOOL_CALLS, OTHER,
  // FINISH_REASON_UNSPECIFIED, NO_IMAGE, IMAGE_OTHER and unknown values.
  return had_calls ? finish_reason::tool_calls : finish_reason::stop;
}

core::usage usage(const json::object& u) {
  core::usage out;
  const std::int64_t prompt = integer(u, "promptTokenCount").value_or(0);
  const std::int64_t tool_prompt = integer(u, "toolUsePromptTokenCount").value_or(0);
  const std::int64_t candidates = integer(u, "candidatesTokenCount").value_or(0);
  const std::int64_t thoughts = integer(u, "thoughtsTokenCount").value_or(0);
  out.prompt_tokens = prompt + tool_prompt;
  out.completion_tokens = candidates + thoughts;
  out.cached_tokens = integer(u, "cachedContentTokenCount").value_or(0);
  out.reasoning_tokens = thoughts;
  return out;
}

std::string mint_call_id(std::string_view response_id, int candidate, int call_index,
                         std::string_view salt) {
  static constexpr std::string_view digits =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string input = "gemini\x1f";
  input.append(response_id);
  input.push_back('\x1f');
  input.append(std::to_string(candidate));
  input.push_back('\x1f');
  input.append(std::to_string(call_index));
  if (response_id.empty()) {
    input.push_back('\x1f');
    input.append(salt);
  }
  std::array<unsigned char, SHA256_DIGEST_LENGTH> d{};
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), d.data());
  // 24 digits from 24 bytes: each byte mod 62 (a tiny bias is irrelevant for an id).
  std::string id = "call_";
  for (std::size_t i = 0; i < 24; ++i) id.push_back(digits[d[i] % 62]);
  return id;
}

parts_view read_parts(const json::object& candidate, std::string_view response_id,
                      int candidate_index, int first_call_index) {
  parts_view out;
  const json::object* content = obj(candidate, "content");
  const json::array* parts = content != nullptr ? arr(*content, "parts") : nullptr;
  if (parts == nullptr) return out;
  for (const json::value& pv : *parts) {
    const json::object* p = pv.if_object();
    if (p == nullptr) continue;
    const bool thought = [&] {
      const json::value* t = p->if_contains("thought");
      return t != nullptr && t->is_bool() && t->get_bool();
    }();
    if (auto t = str(*p, "text")) {
      if (thought) {
        out.reasoning.append(*t);
      } else {
        out.text.append(*t);
        out.has_text = true;
      }
      continue;
    }
    if (const json::object* fc = obj(*p, "functionCall")) {
      call c;
      c.name = std::string(str(*fc, "name").value_or(""));
      const json::value* args = fc->if_contains("args");
      c.arguments = args != nullptr && args->is_object() ? json::serialize(*args) : "{}";
      c.signature = std::string(str(*p, "thoughtSignature").value_or(""));
      const int k = first_call_index + static_cast<int>(out.calls.size());
      if (auto id = str(*fc, "id"); id && !id->empty()) {
        c.id = std::string(*id);  // §11.2 from_upstream: kept unchanged
      } else {
        c.id = mint_call_id(response_id, candidate_index, k,
                            c.name + "\x1f" + c.arguments + "\x1f" + c.signature);
      }
      out.calls.push_back(std::move(c));
    }
    // executableCode / codeExecutionResult / inlineData outputs are not part of the Chat
    // Completions message; ignored (§1.1).
  }
  return out;
}

void remember_signatures(const target& tgt, std::string_view model,
                         const std::vector<call>& calls) {
  if (tgt.tool_state == nullptr) return;
  for (const call& c : calls) {
    if (c.signature.empty()) continue;
    (void)tgt.tool_state->put(c.id,
                              tool_state{core::provider_kind::gemini, std::string(model),
                                         tool_state_type::thought_signature, c.signature},
                              tgt.now);
  }
}

core::error prompt_blocked(std::string_view reason, std::string_view message) {
  std::string msg = "gemini: the prompt was blocked (promptFeedback.blockReason ";
  msg.append(reason);
  msg.push_back(')');
  if (!message.empty()) {
    msg += ": ";
    msg.append(message);
  }
  return core::error(core::error_kind::content_policy, std::move(msg), {},
                     "gemini:" + std::string(reason));
}

}  // namespace gi::providers::gemini::wire
