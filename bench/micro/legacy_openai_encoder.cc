// BASELINE ONLY: the OpenAI-family request encoder as it was before the direct writer
// (src/providers/openai_compat/request_encoder.cc at commit be31921: Boost.JSON tree +
// json::serialize), kept so bench/micro/openai_compat_bench.cc can measure old vs new in
// one run. Not used by the gateway; do not extend it.

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "providers/openai_compat/codec.h"
#include "providers/tool_ids.h"
#include "providers/tool_state_store.h"

namespace gi::bench_legacy {

using namespace gi::providers;
using namespace gi::providers::openai_compat;

namespace json = boost::json;

namespace {

std::string_view role_name(core::role r) {
  switch (r) {
    case core::role::system: return "system";
    case core::role::developer: return "developer";
    case core::role::user: return "user";
    case core::role::assistant: return "assistant";
    case core::role::tool: return "tool";
    case core::role::function: return "function";
  }
  return "user";
}

class encoder {
 public:
  encoder(const dialect& d, const core::chat_request& r, const target& t)
      : d_(d), r_(r), t_(t) {}

  core::result<core::upstream_request> run();

 private:
  // Returns false (and records the error) when the policy is reject.
  bool apply(field_policy p, std::string_view field, std::string_view what) {
    switch (p) {
      case field_policy::pass: return true;
      case field_policy::drop_warn: warn(field); return true;
      case field_policy::reject: fail(field, what); return false;
    }
    return true;
  }
  void warn(std::string_view field, std::string_view reason = "dropped") {
    std::string w = std::string(field) + ":" + std::string(reason);
    if (std::find(warnings_.begin(), warnings_.end(), w) == warnings_.end())
      warnings_.push_back(std::move(w));
  }
  void fail(std::string_view param, std::string_view what) {
    if (err_) return;
    err_ = core::invalid_request(std::string(what) + " is not supported by provider '" +
                                     std::string(d_.name) + "'",
                                 std::string(param), "unsupported_parameter");
  }

  void messages();
  std::optional<json::value> content(const core::message& m, std::size_t i);
  void reasoning_echo(const core::message& m, std::size_t i, json::object& o);
  void sampling();
  void tools();
  void response_format();
  void passthrough();
  const std::string& tool_id(const std::string& id) {
    return d_.kind == core::provider_kind::mistral ? ids_.map(id) : id;
  }

  const dialect& d_;
  const core::chat_request& r_;
  const target& t_;
  json::object body_;
  std::vector<std::string> warnings_;
  std::optional<core::error> err_;
  tool_ids::alnum9_mapper ids_;
  bool thinking_ = false;       // DeepSeek thinking mode
  bool xai_reasoning_ = false;  // xAI reasoning model
};

core::result<core::upstream_request> encoder::run() {
  thinking_ = d_.rules == model_rules::deepseek && deepseek_thinking(r_, t_.model);
  xai_reasoning_ = d_.rules == model_rules::xai && xai_reasoning_model(t_.model);

  body_["model"] = t_.model;
  messages();
  if (!err_) sampling();
  if (!err_) tools();
  if (!err_) response_format();
  if (!err_) passthrough();
  if (err_) return std::move(*err_);

  core::upstream_request out;
  out.method = "POST";
  out.path = t_.path_prefix + std::string(d_.path);
  out.stream = r_.stream;
  out.headers.emplace_back("content-type", "application/json");
  out.headers.emplace_back("accept", r_.stream ? "text/event-stream" : "application/json");
  out.body = json::serialize(body_);
  if (t_.warnings != nullptr)
    t_.warnings->insert(t_.warnings->end(), warnings_.begin(), warnings_.end());
  return out;
}

std::optional<json::value> encoder::content(const core::message& m, std::size_t i) {
  const std::string at = "messages[" + std::to_string(i) + "].content";
  if (std::holds_alternative<std::monostate>(m.content)) {
    // §5.2: Mistral rejects a null assistant content without tool_calls; send "".
    if (d_.mistral_messages && m.role == core::role::assistant && m.tool_calls.empty())
      return json::value(json::string());
    return json::value(nullptr);
  }
  if (const auto* s = std::get_if<std::string>(&m.content)) return json::value(*s);
  const auto& parts = std::get<std::vector<core::content_part>>(m.content);

  // Off OpenAI, an all-text array becomes one string (§2.3: join with "\n"); refusal parts
  // in assistant history are text the model wrote.
  const bool all_text = std::all_of(parts.begin(), parts.end(), [](const auto& p) {
    return std::holds_alternative<core::text_part>(p) ||
           std::holds_alternative<core::refusal_part>(p);
  });
  if (!d_.full_openai && all_text) {
    std::string joined;
    for (std::size_t k = 0; k < parts.size(); ++k) {
      if (k > 0) joined += "\n";
      if (const auto* t = std::get_if<core::text_part>(&parts[k])) joined += t->text;
      else joined += std::get<core::refusal_part>(parts[k]).refusal;
    }
    return json::value(joined);
  }

  json::array arr;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const std::string pat = at + "[" + std::to_string(k) + "]";
    json::object po;
    if (const auto* t = std::get_if<core::text_part>(&parts[k])) {
      po["type"] = "text";
      po["text"] = t->text;
    } else if (const auto* img = std::get_if<core::image_part>(&parts[k])) {
      if (!apply(d_.images, pat, "image input")) return std::nullopt;
      po["type"] = "image_url";
      json::object iu{{"url", img->url}};
      if (!img->detail.empty()) iu["detail"] = img->detail;
      po["image_url"] = std::move(iu);
    } else if (const auto* au = std::get_if<core::audio_part>(&parts[k])) {
      if (!apply(d_.audio_parts, pat, "audio input")) return std::nullopt;
      po["type"] = "input_audio";
      po["input_audio"] = json::object{{"data", au->data}, {"format", au->format}};
    } else if (const auto* f = std::get_if<core::file_part>(&parts[k])) {
      if (!d_.full_openai) {
        fail(pat, "file input");
        return std::nullopt;
      }
      json::object fo;
      if (!f->file_data.empty()) fo["file_data"] = f->file_data;
      if (!f->file_id.empty()) fo["file_id"] = f->file_id;
      if (!f->filename.empty()) fo["filename"] = f->filename;
      po["type"] = "file";
      po["file"] = std::move(fo);
    } else {
      const auto& rf = std::get<core::refusal_part>(parts[k]);
      if (d_.full_openai) {
        po["type"] = "refusal";
        po["refusal"] = rf.refusal;
      } else {
        po["type"] = "text";
        po["text"] = rf.refusal;
      }
    }
    arr.push_back(std::move(po));
  }
  return json::value(std::move(arr));
}

void encoder::reasoning_echo(const core::message& m, std::size_t i, json::object& o) {
  const std::string at = "messages[" + std::to_string(i) + "].reasoning_content";
  if (d_.echo != reasoning_echo::deepseek) {
    if (m.reasoning_content) warn(at);
    return;
  }
  // §7.2: thinking models need reasoning_content echoed on assistant turns that made tool
  // calls; it is ignored (V3.2+) or a 400 (R1 era) elsewhere, so strip it there.
  if (!thinking_ || m.role != core::role::assistant || m.tool_calls.empty()) return;
  if (m.reasoning_content) {
    o["reasoning_content"] = *m.reasoning_content;  // the client carried it itself
    return;
  }
  if (t_.tool_state != nullptr) {
    for (const core::tool_call& tc : m.tool_calls) {
      auto st = t_.tool_state->get(tc.id, t_.now);
      if (st && st->provider == core::provider_kind::deepseek &&
          st->type == tool_state_type::reasoning_content) {
        o["reasoning_content"] = st->data;
        return;
      }
    }
  }
  // §11.4: nothing stored (other replica, expired, or the turn came from another provider).
  // Send "" rather than omit the field (omitting is a documented 400). [unsure in §14]
  o["reasoning_content"] = "";
  warn(at, "missing");
}

void encoder::messages() {
  json::array out;
  // Mistral tool messages carry the function name of the call they answer (§5.2).
  std::unordered_map<std::string, std::string> call_names;

  // DeepSeek json_schema emulation: the schema goes into a leading system instruction.
  if (!d_.json_schema_native &&
      r_.response_format.type == core::response_format_type::json_schema) {
    std::string text = "Respond only with a JSON object that conforms to this JSON Schema";
    if (!r_.response_format.name.empty()) text += " (\"" + r_.response_format.name + "\")";
    text += ": ";
    text += r_.response_format.schema ? json::serialize(*r_.response_format.schema) : "{}";
    out.push_back(json::object{{"role", "system"}, {"content", text}});
  }

  for (std::size_t i = 0; i < r_.messages.size() && !err_; ++i) {
    const core::message& m = r_.messages[i];
    const std::string at = "messages[" + std::to_string(i) + "]";
    json::object o;
    switch (m.role) {
      case core::role::developer:
        o["role"] = d_.full_openai ? "developer" : "system";
        break;
      case core::role::function:
        if (!d_.full_openai) {
          fail(at + ".role", "the legacy 'function' role");
          return;
        }
        o["role"] = "function";
        break;
      case core::role::system:
      case core::role::user:
      case core::role::assistant:
      case core::role::tool:
        o["role"] = role_name(m.role);
        break;
    }
    auto c = content(m, i);
    if (!c) return;
    o["content"] = std::move(*c);
    if (m.name) {
      if (d_.full_openai) o["name"] = *m.name;
      else if (!apply(d_.message_name, "messages[].name", "messages[].name")) return;
    }
    if (m.refusal) {
      if (d_.full_openai) o["refusal"] = *m.refusal;
      else warn(at + ".refusal");
    }
    if (!m.tool_calls.empty()) {
      json::array calls;
      for (std::size_t k = 0; k < m.tool_calls.size(); ++k) {
        const core::tool_call& tc = m.tool_calls[k];
        if (tc.type != "function" && !d_.full_openai) {
          fail(at + ".tool_calls[" + std::to_string(k) + "].type", "a custom tool call");
          return;
        }
        const std::string& id = tool_id(tc.id);
        call_names[id] = tc.name;
        calls.push_back(json::object{
            {"id", id},
            {"type", tc.type},
            {"function", json::object{{"name", tc.name}, {"arguments", tc.arguments}}}});
      }
      o["tool_calls"] = std::move(calls);
    }
    if (m.role == core::role::tool) {
      const std::string& id = tool_id(m.tool_call_id);
      o["tool_call_id"] = id;
      if (d_.mistral_messages) {
        auto it = call_names.find(id);
        if (it == call_names.end()) {
          // §11.3: Mistral would reject it anyway, with a less clear error.
          err_ = core::invalid_request(
              "tool_call_id '" + m.tool_call_id + "' does not match any earlier tool call",
              at + ".tool_call_id");
          return;
        }
        o["name"] = it->second;
      }
    }
    reasoning_echo(m, i, o);
    for (const auto& kv : m.extra) {
      if (d_.full_openai) {
        o[kv.key()] = kv.value();
      } else if (kv.key() == "function_call") {
        fail(at + ".function_call", "the legacy function_call message field");
        return;
      } else {
        warn(at + "." + std::string(kv.key()));
      }
    }
    out.push_back(std::move(o));
  }
  body_["messages"] = std::move(out);
}

void encoder::sampling() {
  if (r_.max_completion_tokens) {
    body_[d_.max_tokens == max_tokens_name::max_tokens ? "max_tokens" : "max_completion_tokens"] =
        *r_.max_completion_tokens;
  }
  if (r_.temperature) body_["temperature"] = *r_.temperature;
  if (r_.top_p) body_["top_p"] = *r_.top_p;
  if (r_.n) {
    if (*r_.n > 1) {
      if (!apply(d_.n_above_1, "n", "n > 1")) return;
      if (d_.n_above_1 == field_policy::pass) body_["n"] = *r_.n;
    } else if (d_.n_above_1 == field_policy::pass) {
      body_["n"] = *r_.n;  // n = 1 elsewhere is the default: omitting it changes nothing
    }
  }
  if (!r_.stop.empty()) {
    if (xai_reasoning_) {
      warn("stop", "unsupported_by_model");  // §8.2: reasoning models reject stop
    } else if (static_cast<int>(r_.stop.size()) > d_.caps.max_stop_sequences) {
      fail("stop", "more than " + std::to_string(d_.caps.max_stop_sequences) +
                       " stop sequences");
      return;
    } else if (r_.stop_was_string && r_.stop.size() == 1) {
      body_["stop"] = r_.stop.front();
    } else {
      json::array a;
      for (const auto& s : r_.stop) a.emplace_back(s);
      body_["stop"] = std::move(a);
    }
  }
  if (r_.seed && apply(d_.seed, "seed", "seed") && d_.seed == field_policy::pass)
    body_[d_.seed_name] = *r_.seed;
  if (err_) return;
  for (auto [name, v] : {std::pair{"frequency_penalty", r_.frequency_penalty},
                         std::pair{"presence_penalty", r_.presence_penalty}}) {
    if (!v) continue;
    if (xai_reasoning_) warn(name, "unsupported_by_model");
    else body_[name] = *v;
  }
  if (r_.logit_bias && apply(d_.logit_bias, "logit_bias", "logit_bias") &&
      d_.logit_bias == field_policy::pass)
    body_["logit_bias"] = *r_.logit_bias;
  if (err_) return;
  for (const char* name : {"logprobs", "top_logprobs"}) {
    const bool present = std::string_view(name) == "logprobs" ? r_.logprobs.has_value()
                                                              : r_.top_logprobs.has_value();
    if (!present) continue;
    // §7.3: logprobs / top_logprobs are a 400 in DeepSeek thinking mode.
    field_policy p = thinking_ ? field_policy::reject : d_.logprobs;
    if (!apply(p, name, std::string(name) + (thinking_ ? " in thinking mode" : ""))) return;
    if (p != field_policy::pass) continue;
    if (r_.logprobs && std::string_view(name) == "logprobs") body_["logprobs"] = *r_.logprobs;
    if (r_.top_logprobs && std::string_view(name) == "top_logprobs")
      body_["top_logprobs"] = *r_.top_logprobs;
  }
  if (r_.reasoning_effort) body_["reasoning_effort"] = *r_.reasoning_effort;

  // Bookkeeping / OpenAI-only tuning fields: pass to OpenAI, drop+warn elsewhere (§10.1).
  auto openai_only = [&](const char* name, const auto& v) {
    if (!v) return;
    if (d_.full_openai) body_[name] = *v;
    else warn(name);
  };
  openai_only("verbosity", r_.verbosity);
  openai_only("service_tier", r_.service_tier);
  openai_only("safety_identifier", r_.safety_identifier);
  openai_only("prompt_cache_key", r_.prompt_cache_key);
  openai_only("metadata", r_.metadata);
  if (r_.user && apply(d_.user, "user", "user") && d_.user == field_policy::pass)
    body_["user"] = *r_.user;
  if (err_) return;

  if (r_.stream) {
    body_["stream"] = true;
    json::object so;
    // §10.3: always ask for usage upstream (billing); the client sees it only if it asked.
    const bool usage = t_.request_stream_usage || r_.wants_stream_usage();
    if (d_.stream_usage_option && usage) so["include_usage"] = true;
    if (r_.stream_options && r_.stream_options->include_obfuscation) {
      if (d_.full_openai) so["include_obfuscation"] = *r_.stream_options->include_obfuscation;
      else warn("stream_options.include_obfuscation");
    }
    if (!so.empty()) body_["stream_options"] = std::move(so);
  }
}

void encoder::tools() {
  if (!r_.tools.empty()) {
    json::array arr;
    for (std::size_t i = 0; i < r_.tools.size(); ++i) {
      const core::tool& t = r_.tools[i];
      if (d_.full_openai && t.raw.is_object()) {
        arr.push_back(t.raw);
        continue;
      }
      if (t.type != "function") {
        fail("tools[" + std::to_string(i) + "].type", "tool type '" + t.type + "'");
        return;
      }
      json::object f{{"name", t.function.name}};
      if (t.function.description) f["description"] = *t.function.description;
      // §2.4: absent parameters means "no arguments"; upstreams want the explicit schema.
      f["parameters"] = t.function.parameters
                            ? *t.function.parameters
                            : json::value(json::object{{"type", "object"},
                                                       {"properties", json::object{}}});
      if (t.function.strict) f["strict"] = *t.function.strict;
      arr.push_back(json::object{{"type", "function"}, {"function", std::move(f)}});
    }
    body_["tools"] = std::move(arr);
  }
  const core::tool_choice& tc = r_.tool_choice;
  switch (tc.mode) {
    case core::tool_choice_mode::unset: break;
    case core::tool_choice_mode::none: body_["tool_choice"] = "none"; break;
    case core::tool_choice_mode::auto_: body_["tool_choice"] = "auto"; break;
    case core::tool_choice_mode::required:
      body_["tool_choice"] = d_.tool_choice_required_as_any ? "any" : "required";
      break;
    case core::tool_choice_mode::function:
      body_["tool_choice"] = json::object{{"type", "function"},
                                          {"function", json::object{{"name", tc.name}}}};
      break;
    case core::tool_choice_mode::allowed_tools:
    case core::tool_choice_mode::custom:
      if (!d_.full_openai) {
        fail("tool_choice", tc.mode == core::tool_choice_mode::custom
                                ? "tool_choice of type 'custom'"
                                : "tool_choice of type 'allowed_tools'");
        return;
      }
      body_["tool_choice"] = tc.raw;
      break;
  }
  if (r_.parallel_tool_calls) {
    if (*r_.parallel_tool_calls) {
      // true is every dialect's default; only OpenAI-shaped dialects that take it get it.
      if (d_.parallel_tool_calls_false == field_policy::pass) body_["parallel_tool_calls"] = true;
    } else if (apply(d_.parallel_tool_calls_false, "parallel_tool_calls",
                     "parallel_tool_calls=false") &&
               d_.parallel_tool_calls_false == field_policy::pass) {
      body_["parallel_tool_calls"] = false;
    }
  }
}

void encoder::response_format() {
  const core::response_format& rf = r_.response_format;
  switch (rf.type) {
    case core::response_format_type::unset: return;
    case core::response_format_type::text:
      body_["response_format"] = json::object{{"type", "text"}};
      return;
    case core::response_format_type::json_object:
      body_["response_format"] = json::object{{"type", "json_object"}};
      return;
    case core::response_format_type::json_schema:
      break;
  }
  if (!d_.json_schema_native) {
    // §7.3: degrade to json_object plus the instruction added in messages().
    body_["response_format"] = json::object{{"type", "json_object"}};
    warn("response_format.json_schema", "emulated_with_json_object");
    return;
  }
  json::object js{{"name", rf.name}};
  if (rf.description) js["description"] = *rf.description;
  if (rf.schema) js["schema"] = *rf.schema;
  if (rf.strict) js["strict"] = *rf.strict;
  body_["response_format"] = json::object{{"type", "json_schema"}, {"json_schema", std::move(js)}};
}

void encoder::passthrough() {
  for (const auto& kv : r_.passthrough) {
    const std::string_view k = kv.key();
    if (d_.full_openai ||
        std::find(d_.extra_fields.begin(), d_.extra_fields.end(), k) != d_.extra_fields.end() ||
        (k == "prediction" && d_.prediction)) {
      body_[k] = kv.value();
      continue;
    }
    if (k == "audio") {
      fail("audio", "audio output");
      return;
    }
    if (k == "modalities") {
      const json::array* a = kv.value().if_array();
      const bool text_only =
          a != nullptr && std::all_of(a->begin(), a->end(), [](const json::value& v) {
            return v.is_string() && v.get_string() == "text";
          });
      if (!text_only) {
        fail("modalities", "output modalities other than text");
        return;
      }
      warn("modalities");
      continue;
    }
    if (k == "functions" || k == "function_call") {
      fail(k, "the legacy '" + std::string(k) + "' field (use tools)");
      return;
    }
    // store, web_search_options, prompt_cache_*, moderation, prediction and unknown fields.
    warn(k);
  }
}

}  // namespace

core::result<core::upstream_request> encode_request_tree(const dialect& d,
                                                         const core::chat_request& req,
                                                         const target& tgt) {
  return encoder(d, req, tgt).run();
}

}  // namespace gi::bench_legacy
