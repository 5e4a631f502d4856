// POST /v1/chat/completions body -> core::chat_request (providers.md §2.2). Plain chat
// requests take the simdjson fast path (request_fast_path.h); everything else is parsed
// into a Boost.JSON DOM here (docs/json-library.md has the measurements): such a request
// has to end up partly as boost::json values anyway (schemas, pass-through fields), so one
// parse into that DOM beats parsing with simdjson and rebuilding those subtrees.
//
// Null handling: wherever OpenAI accepts `null` for a field, null means "absent".
//
// Legacy `functions` / `function_call` are up-converted to `tools` / `tool_choice` here,
// so every provider codec sees one shape. Giving both the legacy and the current field is a
// 400 (the two would disagree). History messages keep their legacy form (role `function`,
// assistant `function_call` in message::extra): turning them into tool calls would need
// invented ids, which §11.2 forbids.

#include <fmt/format.h>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>

#include "openai_api/decode_parts.h"
#include "openai_api/openai_api.h"
#include "openai_api/request_fast_path.h"

namespace gi::openai_api {

namespace {

using detail::decode_context;
using detail::path_scope;
namespace json = boost::json;

// JSON Schemas nest deeper than Boost.JSON's default limit of 32.
constexpr std::size_t max_json_depth = 256;
constexpr std::size_t max_stop_sequences = 4;
constexpr std::int64_t max_n = 128;
constexpr std::size_t max_metadata_pairs = 16;
constexpr std::size_t max_metadata_key = 64;
constexpr std::size_t max_metadata_value = 512;

bool one_of(decode_context& ctx, const json::value& v, std::optional<std::string>& out,
            std::initializer_list<std::string_view> allowed) {
  std::string s;
  if (!ctx.get_string(v, s)) return false;
  for (auto a : allowed) {
    if (s == a) {
      out = std::move(s);
      return true;
    }
  }
  std::string list;
  for (auto a : allowed) list += fmt::format("{}'{}'", list.empty() ? "" : ", ", a);
  return ctx.value_error(fmt::format("'{}' is not one of {}.", s, list));
}

bool decode_stop(decode_context& ctx, const json::value& v, core::chat_request& r) {
  if (const auto* s = v.if_string()) {
    r.stop.emplace_back(s->data(), s->size());
    r.stop_was_string = true;
    return true;
  }
  const auto* a = v.if_array();
  if (!a) return ctx.type_error(v, "a string, an array of strings or null");
  if (a->size() > max_stop_sequences)
    return ctx.value_error(fmt::format("expected at most {} stop sequences, got {}.",
                                       max_stop_sequences, a->size()));
  for (std::size_t i = 0; i < a->size(); ++i) {
    path_scope s(ctx.path, i);
    if (!ctx.get_string((*a)[i], r.stop.emplace_back())) return false;
  }
  return true;
}

bool decode_logit_bias(decode_context& ctx, json::value& v, core::chat_request& r) {
  json::object* o = ctx.get_object(v);
  if (!o) return false;
  for (auto& kv : *o) {
    path_scope s(ctx.path, kv.key());
    const std::string_view key = kv.key();
    const bool numeric =
        !key.empty() && key.size() <= 10 &&
        std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!numeric) return ctx.value_error("keys must be token ids (non-negative integers).");
    double bias = 0;
    if (!ctx.get_number(kv.value(), bias) || !ctx.check_range(bias, -100, 100)) return false;
  }
  r.logit_bias = std::move(*o);
  return true;
}

bool decode_metadata(decode_context& ctx, json::value& v, core::chat_request& r) {
  json::object* o = ctx.get_object(v);
  if (!o) return false;
  if (o->size() > max_metadata_pairs)
    return ctx.value_error(fmt::format("expected at most {} key-value pairs, got {}.",
                                       max_metadata_pairs, o->size()));
  for (auto& kv : *o) {
    path_scope s(ctx.path, kv.key());
    if (kv.key().size() > max_metadata_key)
      return ctx.value_error(fmt::format("key is longer than {} characters.", max_metadata_key));
    const auto* str = kv.value().if_string();
    if (!str) return ctx.type_error(kv.value(), "a string");
    if (str->size() > max_metadata_value)
      return ctx.value_error(
          fmt::format("value is longer than {} characters.", max_metadata_value));
  }
  r.metadata = std::move(*o);
  return true;
}

bool decode_stream_options(decode_context& ctx, json::value& v, core::chat_request& r) {
  json::object* o = ctx.get_object(v);
  if (!o) return false;
  core::stream_options so;
  for (auto& kv : *o) {
    if (kv.value().is_null()) continue;
    path_scope s(ctx.path, kv.key());
    bool b = false;
    if (kv.key() == "include_usage") {
      if (!ctx.get_bool(kv.value(), b)) return false;
      so.include_usage = b;
    } else if (kv.key() == "include_obfuscation") {
      if (!ctx.get_bool(kv.value(), b)) return false;
      so.include_obfuscation = b;
    }
  }
  r.stream_options = so;
  return true;
}

// OpenAI-only fields (§2.2 last rows): type-checked lightly, then passed through.
bool check_openai_only(decode_context& ctx, std::string_view key, json::value& v) {
  if (key == "store") {
    bool b = false;
    return ctx.get_bool(v, b);
  }
  if (key == "modalities") {
    json::array* a = ctx.get_array(v);
    if (!a) return false;
    for (std::size_t i = 0; i < a->size(); ++i) {
      path_scope s(ctx.path, i);
      std::string m;
      if (!ctx.get_string((*a)[i], m)) return false;
    }
    return true;
  }
  if (key == "prompt_cache_retention") {
    std::string s;
    return ctx.get_string(v, s);
  }
  // audio, prediction, web_search_options, prompt_cache_options, moderation: objects.
  return ctx.get_object(v) != nullptr;
}

// Fields decoded into typed members of core::chat_request (besides model and messages).
bool is_modelled(std::string_view k) {
  static constexpr std::string_view keys[] = {
      "max_completion_tokens", "max_tokens", "temperature", "top_p", "n", "stop", "seed",
      "frequency_penalty", "presence_penalty", "logit_bias", "logprobs", "top_logprobs",
      "reasoning_effort", "verbosity", "service_tier", "user", "safety_identifier",
      "prompt_cache_key", "metadata", "stream", "stream_options", "parallel_tool_calls",
      "response_format", "tools", "tool_choice", "functions", "function_call"};
  for (auto key : keys)
    if (k == key) return true;
  return false;
}

bool is_openai_only(std::string_view k) {
  return k == "store" || k == "modalities" || k == "audio" || k == "prediction" ||
         k == "web_search_options" || k == "prompt_cache_retention" ||
         k == "prompt_cache_options" || k == "moderation";
}

// Reads the optional int / number fields with a range, null = absent.
bool opt_int(decode_context& ctx, const json::value& v, std::optional<std::int64_t>& out,
             std::int64_t lo, std::int64_t hi) {
  std::int64_t x = 0;
  if (!ctx.get_int(v, x) || !ctx.check_int_range(x, lo, hi)) return false;
  out = x;
  return true;
}
bool opt_number(decode_context& ctx, const json::value& v, std::optional<double>& out,
                double lo, double hi) {
  double x = 0;
  if (!ctx.get_number(v, x) || !ctx.check_range(x, lo, hi)) return false;
  out = x;
  return true;
}
bool opt_string(decode_context& ctx, const json::value& v, std::optional<std::string>& out) {
  return ctx.get_string(v, out.emplace());
}

struct seen_fields {
  bool model = false;
  bool messages = false;
  std::optional<std::int64_t> max_tokens;
  bool tools = false;
  bool functions = false;
  bool tool_choice = false;
  bool function_call = false;
};

bool decode_field(decode_context& ctx, std::string_view key, json::value& v,
                  core::chat_request& r, seen_fields& seen) {
  constexpr auto int_max = std::numeric_limits<std::int64_t>::max();
  constexpr auto int_min = std::numeric_limits<std::int64_t>::min();
  if (key == "model") {
    if (!ctx.get_string(v, r.model)) return false;
    if (r.model.empty()) return ctx.value_error("expected a non-empty model name.");
    seen.model = true;
    return true;
  }
  if (key == "messages") {
    seen.messages = true;
    return detail::decode_messages(ctx, v, r.messages);
  }
  // Every other known field accepts null as "absent" (§2.2: `T | null`). Unknown fields
  // are not ours to interpret: they pass through exactly as sent, null included.
  if (v.is_null() && (is_modelled(key) || is_openai_only(key))) return true;
  if (key == "max_completion_tokens") return opt_int(ctx, v, r.max_completion_tokens, 1, int_max);
  if (key == "max_tokens") return opt_int(ctx, v, seen.max_tokens, 1, int_max);
  if (key == "temperature") return opt_number(ctx, v, r.temperature, 0, 2);
  if (key == "top_p") return opt_number(ctx, v, r.top_p, 0, 1);
  if (key == "n") return opt_int(ctx, v, r.n, 1, max_n);
  if (key == "stop") return decode_stop(ctx, v, r);
  if (key == "seed") return opt_int(ctx, v, r.seed, int_min, int_max);
  if (key == "frequency_penalty") return opt_number(ctx, v, r.frequency_penalty, -2, 2);
  if (key == "presence_penalty") return opt_number(ctx, v, r.presence_penalty, -2, 2);
  if (key == "logit_bias") return decode_logit_bias(ctx, v, r);
  if (key == "logprobs") return ctx.get_bool(v, r.logprobs.emplace());
  if (key == "top_logprobs") return opt_int(ctx, v, r.top_logprobs, 0, 20);
  if (key == "reasoning_effort")
    return one_of(ctx, v, r.reasoning_effort,
                  {"none", "minimal", "low", "medium", "high", "xhigh", "max"});
  if (key == "verbosity") return one_of(ctx, v, r.verbosity, {"low", "medium", "high"});
  if (key == "service_tier")
    return one_of(ctx, v, r.service_tier, {"auto", "default", "flex", "scale", "priority"});
  if (key == "user") return opt_string(ctx, v, r.user);
  if (key == "safety_identifier") return opt_string(ctx, v, r.safety_identifier);
  if (key == "prompt_cache_key") return opt_string(ctx, v, r.prompt_cache_key);
  if (key == "metadata") return decode_metadata(ctx, v, r);
  if (key == "stream") return ctx.get_bool(v, r.stream);
  if (key == "stream_options") return decode_stream_options(ctx, v, r);
  if (key == "parallel_tool_calls") return ctx.get_bool(v, r.parallel_tool_calls.emplace());
  if (key == "response_format") return detail::decode_response_format(ctx, v, r.response_format);
  if (key == "tools") {
    seen.tools = true;
    return detail::decode_tools(ctx, v, r.tools);
  }
  if (key == "tool_choice") {
    seen.tool_choice = true;
    return detail::decode_tool_choice(ctx, v, r.tool_choice);
  }
  if (key == "functions") {
    seen.functions = true;
    return detail::decode_legacy_functions(ctx, v, r.tools);
  }
  if (key == "function_call") {
    seen.function_call = true;
    return detail::decode_legacy_function_call(ctx, v, r.tool_choice);
  }
  if (is_openai_only(key)) {
    if (!check_openai_only(ctx, key, v)) return false;
  }
  r.passthrough.emplace(key, std::move(v));
  return true;
}

// Rules that span fields, checked once every field is read.
bool check_cross_field(decode_context& ctx, core::chat_request& r, const seen_fields& seen) {
  if (!seen.model) return ctx.missing("model");
  if (!seen.messages) return ctx.missing("messages");
  if (seen.tools && seen.functions)
    return ctx.rule_error("functions",
                          "Invalid value for 'functions': use either 'tools' or the legacy "
                          "'functions', not both.");
  if (seen.tool_choice && seen.function_call)
    return ctx.rule_error("function_call",
                          "Invalid value for 'function_call': use either 'tool_choice' or the "
                          "legacy 'function_call', not both.");
  // §2.2: the two are synonyms on input; max_completion_tokens wins when both are set.
  if (seen.max_tokens && !r.max_completion_tokens) {
    r.max_completion_tokens = seen.max_tokens;
    r.max_tokens_legacy_field = true;
  }
  if (r.stream_options && !r.stream)
    return ctx.rule_error("stream_options",
                          "Invalid value for 'stream_options': 'stream_options' is only "
                          "allowed when 'stream' is true.");
  if (r.top_logprobs && !r.logprobs.value_or(false))
    return ctx.rule_error("top_logprobs",
                          "Invalid value for 'top_logprobs': 'logprobs' must be true when "
                          "'top_logprobs' is set.");
  const auto mode = r.tool_choice.mode;
  const bool names_a_tool = mode == core::tool_choice_mode::function ||
                            mode == core::tool_choice_mode::custom ||
                            mode == core::tool_choice_mode::allowed_tools ||
                            mode == core::tool_choice_mode::required;
  const char* choice_param = seen.function_call ? "function_call" : "tool_choice";
  if (names_a_tool && r.tools.empty())
    return ctx.rule_error(choice_param,
                          fmt::format("Invalid value for '{}': '{}' is only allowed when "
                                      "'tools' are specified.",
                                      choice_param, choice_param));
  if (mode == core::tool_choice_mode::function || mode == core::tool_choice_mode::custom) {
    const char* want_type = mode == core::tool_choice_mode::function ? "function" : "custom";
    bool found = false;
    for (const auto& t : r.tools) found |= t.type == want_type && t.function.name == r.tool_choice.name;
    if (!found) {
      std::string param = seen.function_call ? "function_call.name"
                                             : fmt::format("tool_choice.{}.name", want_type);
      return ctx.rule_error(param, fmt::format("Invalid value for '{}': no {} tool named '{}' "
                                               "is defined in 'tools'.",
                                               param, want_type, r.tool_choice.name));
    }
  }
  return true;
}

std::string describe_position(std::string_view body, std::size_t pos) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < pos && i < body.size(); ++i) {
    if (body[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return fmt::format("at line {} column {} (byte {})", line, col, pos);
}

}  // namespace

core::result<core::chat_request> decode_chat_request(std::string_view body) {
  core::chat_request r;
  if (auto st = decode_chat_request(body, r); !st) return std::move(st).error();
  return r;
}

core::status<> decode_chat_request(std::string_view body, core::chat_request& out) {
  if (detail::decode_chat_request_fast(body, out)) return core::ok;
  // The fast reader declined, possibly after filling part of `out`.
  auto r = detail::decode_chat_request_general(body);
  if (!r) {
    out = core::chat_request{};
    return std::move(r).error();
  }
  out = std::move(r).value();
  return core::ok;
}

core::result<core::chat_request> detail::decode_chat_request_general(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return core::invalid_request("The request body is empty; expected a JSON object.", "",
                                 "invalid_json");

  // One parser per thread, reused: its value stack keeps its capacity between requests.
  // The tree lives in a monotonic arena that the request's retained subtrees (tools,
  // response_format, passthrough, ...) share through their storage_ptr, so parsing is bump
  // allocation and destroying the tree is one free of the arena, not a walk of every node.
  // The arena is sized for the tree of a typical body so that one block usually suffices.
  thread_local json::parser p(json::storage_ptr(), [] {
    json::parse_options opts;
    opts.max_depth = max_json_depth;
    return opts;
  }());
  p.reset(json::make_shared_resource<json::monotonic_resource>(2 * body.size() + 1024));
  boost::system::error_code ec;
  const std::size_t used = p.write(body.data(), body.size(), ec);
  if (ec) {
    // On error `used` is where parsing stopped: the offending byte.
    return core::invalid_request(
        fmt::format("The request body is not valid JSON: {} {}.", ec.message(),
                    describe_position(body, used)),
        "", "invalid_json");
  }
  json::value root = p.release();
  json::object* obj = root.if_object();
  if (!obj)
    return core::invalid_request(
        fmt::format("The request body must be a JSON object, but got {}.",
                    detail::describe_kind(root)),
        "", "invalid_type");

  decode_context ctx;
  core::chat_request r;
  seen_fields seen;
  for (auto& kv : *obj) {
    path_scope s(ctx.path, kv.key());
    if (!decode_field(ctx, kv.key(), kv.value(), r, seen)) return ctx.take_error();
  }
  if (!check_cross_field(ctx, r, seen)) return ctx.take_error();
  return r;
}

}  // namespace gi::openai_api
