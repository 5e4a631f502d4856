// chat.completion and error bodies (providers.md §2.6, §2.8), written by hand into one
// string: the shape is fixed, so a DOM would only add allocations.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "openai_api/encode_parts.h"
#include "core/json_out.h"
#include "openai_api/openai_api.h"

namespace gi::openai_api {

using core::json_out::append_literal;

namespace detail {

void append_usage(std::string& out, const core::usage& u, const boost::json::value* cost_usd) {
  using namespace core::json_out;
  append_literal(out, R"({"prompt_tokens":)");
  append_int(out, u.prompt_tokens);
  append_literal(out, R"(,"completion_tokens":)");
  append_int(out, u.completion_tokens);
  append_literal(out, R"(,"total_tokens":)");
  append_int(out, u.total());
  append_literal(out, R"(,"prompt_tokens_details":{"cached_tokens":)");
  append_int(out, u.cached_tokens);
  append_literal(out, R"(,"audio_tokens":0)");
  // cache_write_tokens is new and optional in 2026 SDKs (§2.6): only sent when it says
  // something, so strict older clients never see it on providers without prompt caching.
  if (u.cache_write_tokens != 0) {
    append_literal(out, R"(,"cache_write_tokens":)");
    append_int(out, u.cache_write_tokens);
  }
  append_literal(out, R"(},"completion_tokens_details":{"reasoning_tokens":)");
  append_int(out, u.reasoning_tokens);
  append_literal(out,
                 R"(,"audio_tokens":0,"accepted_prediction_tokens":0,)"
                 R"("rejected_prediction_tokens":0})");
  if (cost_usd) {
    append_literal(out, R"(,"cost_usd":)");
    append_value(out, *cost_usd);
  }
  out.push_back('}');
}

void append_tool_call(std::string& out, const core::tool_call& tc) {
  using namespace core::json_out;
  append_literal(out, R"({"id":)");
  append_string(out, tc.id);
  if (tc.type == "custom") {
    // Custom tools carry free-form `input` instead of JSON `arguments`.
    append_literal(out, R"(,"type":"custom","custom":{"name":)");
    append_string(out, tc.name);
    append_literal(out, R"(,"input":)");
    append_string(out, tc.arguments);
    append_literal(out, "}}");
    return;
  }
  append_literal(out, R"(,"type":"function","function":{"name":)");
  append_string(out, tc.name);
  append_literal(out, R"(,"arguments":)");
  append_string(out, tc.arguments);
  append_literal(out, "}}");
}

void append_error_object(std::string& out, const core::error& e) {
  using namespace core::json_out;
  append_literal(out, R"({"message":)");
  append_string(out, e.message);
  append_literal(out, R"(,"type":)");
  append_string(out, core::traits(e.kind).type);
  append_literal(out, R"(,"param":)");
  if (e.param.empty()) append_literal(out, "null");
  else append_string(out, e.param);
  append_literal(out, R"(,"code":)");
  if (e.code.empty()) append_literal(out, "null");
  else append_string(out, e.code);
  out.push_back('}');
}

}  // namespace detail

namespace {

void append_optional_string(std::string& out, const std::optional<std::string>& s) {
  if (s) core::json_out::append_string(out, *s);
  else append_literal(out, "null");
}

// An upper estimate for typical answers, so the body is allocated once: the fixed members
// of the envelope, choice and usage are ~600 bytes, x_gammainfra a few hundred.
std::size_t response_size_hint(const core::chat_response& r, const response_meta& meta) {
  std::size_t n = 640 + meta.id.size() + meta.model.size() + (meta.x_gammainfra ? 384 : 0);
  for (const auto& c : r.choices) {
    n += 256;
    if (c.content) n += c.content->size();
    if (c.reasoning) n += c.reasoning->size();
    for (const auto& tc : c.tool_calls)
      n += 96 + tc.id.size() + tc.name.size() + tc.arguments.size();
  }
  return n + n / 16;  // escapes
}

void append_choice(std::string& out, const core::choice& c) {
  using namespace core::json_out;
  append_literal(out, R"({"index":)");
  append_int(out, c.index);
  append_literal(out, R"(,"message":{"role":"assistant","content":)");
  append_optional_string(out, c.content);
  append_literal(out, R"(,"refusal":)");
  append_optional_string(out, c.refusal);
  append_literal(out, R"(,"annotations":[])");
  if (!c.tool_calls.empty()) {
    append_literal(out, R"(,"tool_calls":[)");
    bool first = true;
    for (const auto& tc : c.tool_calls) {
      if (!first) out.push_back(',');
      first = false;
      detail::append_tool_call(out, tc);
    }
    out.push_back(']');
  }
  // Reasoning goes out as `reasoning_content`, DeepSeek's name for it (providers.md §7.2):
  // the one reasoning field OpenAI-family SDKs and UIs already know; others ignore it.
  if (c.reasoning) {
    append_literal(out, R"(,"reasoning_content":)");
    append_string(out, *c.reasoning);
  }
  append_literal(out, R"(},"logprobs":)");
  if (c.logprobs.is_null()) append_literal(out, "null");
  else append_value(out, c.logprobs);
  append_literal(out, R"(,"finish_reason":)");
  if (c.finish_reason == core::finish_reason::none) append_literal(out, "null");
  else append_string(out, core::to_string(c.finish_reason));
  out.push_back('}');
}

}  // namespace

std::string encode_chat_response(const core::chat_response& r, const response_meta& meta) {
  using namespace core::json_out;
  std::string out;
  out.reserve(response_size_hint(r, meta));
  append_literal(out, R"({"id":)");
  append_string(out, meta.id);
  append_literal(out, R"(,"object":"chat.completion","created":)");
  append_int(out, meta.created);
  append_literal(out, R"(,"model":)");
  append_string(out, meta.model);
  if (r.system_fingerprint) {
    append_literal(out, R"(,"system_fingerprint":)");
    append_string(out, *r.system_fingerprint);
  }
  if (r.service_tier) {
    append_literal(out, R"(,"service_tier":)");
    append_string(out, *r.service_tier);
  }
  append_literal(out, R"(,"choices":[)");
  bool first = true;
  for (const auto& c : r.choices) {
    if (!first) out.push_back(',');
    first = false;
    append_choice(out, c);
  }
  out.push_back(']');
  if (r.usage) {
    append_literal(out, R"(,"usage":)");
    const boost::json::value* cost = nullptr;
    if (meta.x_gammainfra) {
      if (auto it = meta.x_gammainfra->find("cost_usd"); it != meta.x_gammainfra->end())
        cost = &it->value();
    }
    detail::append_usage(out, *r.usage, cost);
  }
  if (meta.x_gammainfra) {
    append_literal(out, R"(,"x_gammainfra":)");
    append_object(out, *meta.x_gammainfra);
  }
  out.push_back('}');
  return out;
}

std::string encode_error(const core::error& e) {
  std::string out;
  out.reserve(96 + e.message.size());
  append_literal(out, R"({"error":)");
  detail::append_error_object(out, e);
  out.push_back('}');
  return out;
}

}  // namespace gi::openai_api
