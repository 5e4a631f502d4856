// Canonical request -> OpenAI-family upstream request, driven by the dialect table
// (dialects.cc has the per-field decisions). Nothing is dropped silently: a dropped field is
// reported as "field:dropped" in target.warnings; a field that cannot be expressed fails the
// encode with an invalid_request error whose `param` names it.
//
// The body is written directly into one reserved std::string (core/json_out.h): building a
// Boost.JSON tree and serialising it was ~24 k instructions of a 1 KB request's gateway CPU
// (bench/micro/callgrind-e2e.sh). Fields are written in the order the tree encoder inserted
// them; the JSON subtrees the canonical request keeps (schemas, raw tools, pass-through) are
// written by json_out::append_value.

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/json_out.h"
#include "providers/openai_compat/codec.h"
#include "providers/tool_ids.h"
#include "providers/tool_state_store.h"

namespace gi::providers::openai_compat {

namespace json = boost::json;
namespace jo = core::json_out;

bool deepseek_thinking(const core::chat_request& req, std::string_view model) {
  if (const json::value* th = req.passthrough.if_contains("thinking")) {
    if (const json::object* o = th->if_object()) {
      if (const json::value* type = o->if_contains("type"); type && type->is_string()) {
        if (type->get_string() == "enabled") return true;
        if (type->get_string() == "disabled") return false;
      }
    }
  }
  // §7.2: deepseek-reasoner is thinking mode; V4 models think by default.
  return model.find("reasoner") != std::string_view::npos || model.starts_with("deepseek-v4") ||
         model == "deepseek-flash" || model == "deepseek-pro";
}

bool xai_reasoning_model(std::string_view model) {
  if (model.find("non-reasoning") != std::string_view::npos) return false;
  return model.starts_with("grok-3-mini") || model.starts_with("grok-4") ||
         model.starts_with("grok-code");
}

namespace {

// A message object's opening up to its content value: `{"role":"<role>","content":`.
std::string_view message_head(core::role r) {
  switch (r) {
    case core::role::system: return R"({"role":"system","content":)";
    case core::role::developer: return R"({"role":"developer","content":)";
    case core::role::user: return R"({"role":"user","content":)";
    case core::role::assistant: return R"({"role":"assistant","content":)";
    case core::role::tool: return R"({"role":"tool","content":)";
    case core::role::function: return R"({"role":"function","content":)";
  }
  return R"({"role":"user","content":)";
}

// "messages[i]" + suffix, or "messages[i]" + suffix + "[k]" + tail (error / warning paths:
// built only when one is reported).
std::string msg_path(std::size_t i, std::string_view suffix = {}) {
  std::string s = "messages[";
  s += std::to_string(i);
  s += ']';
  s += suffix;
  return s;
}
std::string msg_path(std::size_t i, std::string_view suffix, std::size_t k,
                     std::string_view tail = {}) {
  std::string s = msg_path(i, suffix);
  s += '[';
  s += std::to_string(k);
  s += ']';
  s += tail;
  return s;
}

// Keys the encoder itself writes on a message object; a message `extra` entry with one of
// these names is not written a second time (the decoder never puts them there).
constexpr std::array<std::string_view, 7> message_keys{
    "role", "content", "name", "refusal", "tool_calls", "tool_call_id", "reasoning_content"};

// A rough upper estimate of the body size, so the body is allocated once for typical requests.
std::size_t size_hint(const core::chat_request& r) {
  std::size_t n = 256 + r.model.size() + r.tools.size() * 384;
  for (const core::message& m : r.messages) {
    n += 48 + m.tool_call_id.size();
    if (const auto* s = std::get_if<std::string>(&m.content)) {
      n += s->size();
    } else if (const auto* parts = std::get_if<std::vector<core::content_part>>(&m.content)) {
      for (const auto& p : *parts) {
        if (const auto* t = std::get_if<core::text_part>(&p)) n += t->text.size() + 32;
        else if (const auto* img = std::get_if<core::image_part>(&p)) n += img->url.size() + 64;
        else n += 256;
      }
    }
    for (const core::tool_call& tc : m.tool_calls)
      n += 64 + tc.id.size() + tc.name.size() + tc.arguments.size();
  }
  return n + n / 8;  // escapes
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

  // `,"name":` for a top-level field (the body always opens with "model", so every later
  // field takes a comma), with one append; the name is recorded for passthrough(). Literal
  // names (most calls) get compile-time sizes; the others are dialect table names. None
  // needs escaping.
  template <std::size_t N>
  void field(const char (&name)[N]) {
    constexpr std::size_t n = N - 1;
    if (top_count_ < top_keys_.size()) top_keys_[top_count_++] = std::string_view(name, n);
    char buf[n + 4];
    buf[0] = ',';
    buf[1] = '"';
    std::memcpy(buf + 2, name, n);
    buf[n + 2] = '"';
    buf[n + 3] = ':';
    out_.append(buf, n + 4);
  }
  void field(std::string_view name) {
    if (top_count_ < top_keys_.size()) top_keys_[top_count_++] = name;
    out_.push_back(',');
    jo::append_string(out_, name);
    out_.push_back(':');
  }
  bool written(std::string_view name) const {
    return std::find(top_keys_.begin(), top_keys_.begin() + static_cast<std::ptrdiff_t>(top_count_),
                     name) != top_keys_.begin() + static_cast<std::ptrdiff_t>(top_count_);
  }
  template <typename Name>
  void str_field(const Name& name, std::string_view v) {
    field(name);
    jo::append_string(out_, v);
  }

  void messages();
  bool content(const core::message& m, std::size_t i);
  void reasoning_echo(const core::message& m, std::size_t i);
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
  std::string out_;
  std::array<std::string_view, 40> top_keys_{};  // top-level keys written so far
  std::size_t top_count_ = 0;
  std::vector<std::string> warnings_;
  std::optional<core::error> err_;
  tool_ids::alnum9_mapper ids_;
  bool thinking_ = false;       // DeepSeek thinking mode
  bool xai_reasoning_ = false;  // xAI reasoning model
};

core::result<core::upstream_request> encoder::run() {
  thinking_ = d_.rules == model_rules::deepseek && deepseek_thinking(r_, t_.model);
  xai_reasoning_ = d_.rules == model_rules::xai && xai_reasoning_model(t_.model);

  out_.reserve(size_hint(r_));
  jo::append_literal(out_, "{\"model\":");
  top_keys_[top_count_++] = "model";
  jo::append_string(out_, t_.model);
  messages();
  if (!err_) sampling();
  if (!err_) tools();
  if (!err_) response_format();
  if (!err_) passthrough();
  if (err_) return std::move(*err_);
  out_.push_back('}');

  using namespace std::string_view_literals;
  core::upstream_request out;  // method is "POST" already
  out.path.reserve(t_.path_prefix.size() + d_.path.size());
  out.path.append(t_.path_prefix).append(d_.path);
  out.stream = r_.stream;
  // Room for authorize()'s credentials too (authorization, OpenAI organisation / project):
  // growing the list moves every header string.
  out.headers.reserve(5);
  out.headers.emplace_back("content-type"sv, "application/json"sv);
  out.headers.emplace_back("accept"sv,
                           r_.stream ? "text/event-stream"sv : "application/json"sv);
  out.body = std::move(out_);
  if (t_.warnings != nullptr)
    t_.warnings->insert(t_.warnings->end(), warnings_.begin(), warnings_.end());
  return out;
}

// Writes the message's `content` value; false (with err_ set) when a part is rejected.
bool encoder::content(const core::message& m, std::size_t i) {
  if (std::holds_alternative<std::monostate>(m.content)) {
    // §5.2: Mistral rejects a null assistant content without tool_calls; send "".
    if (d_.mistral_messages && m.role == core::role::assistant && m.tool_calls.empty())
      jo::append_literal(out_, "\"\"");
    else
      jo::append_literal(out_, "null");
    return true;
  }
  if (const auto* s = std::get_if<std::string>(&m.content)) {
    jo::append_string(out_, *s);
    return true;
  }
  const auto& parts = std::get<std::vector<core::content_part>>(m.content);

  // Off OpenAI, an all-text array becomes one string (§2.3: join with "\n"); refusal parts
  // in assistant history are text the model wrote.
  const bool all_text = std::all_of(parts.begin(), parts.end(), [](const auto& p) {
    return std::holds_alternative<core::text_part>(p) ||
           std::holds_alternative<core::refusal_part>(p);
  });
  if (!d_.full_openai && all_text) {
    out_.push_back('"');
    for (std::size_t k = 0; k < parts.size(); ++k) {
      if (k > 0) jo::append_literal(out_, "\\n");
      if (const auto* t = std::get_if<core::text_part>(&parts[k])) jo::append_escaped(out_, t->text);
      else jo::append_escaped(out_, std::get<core::refusal_part>(parts[k]).refusal);
    }
    out_.push_back('"');
    return true;
  }

  auto part_path = [&](std::size_t k) {
    return msg_path(i, ".content", k);
  };
  out_.push_back('[');
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out_.push_back(',');
    if (const auto* t = std::get_if<core::text_part>(&parts[k])) {
      jo::append_literal(out_, "{\"type\":\"text\",\"text\":");
      jo::append_string(out_, t->text);
    } else if (const auto* img = std::get_if<core::image_part>(&parts[k])) {
      if (d_.images != field_policy::pass && !apply(d_.images, part_path(k), "image input"))
        return false;
      jo::append_literal(out_, "{\"type\":\"image_url\",\"image_url\":{\"url\":");
      jo::append_string(out_, img->url);
      if (!img->detail.empty()) {
        jo::append_literal(out_, ",\"detail\":");
        jo::append_string(out_, img->detail);
      }
      out_.push_back('}');
    } else if (const auto* au = std::get_if<core::audio_part>(&parts[k])) {
      if (d_.audio_parts != field_policy::pass &&
          !apply(d_.audio_parts, part_path(k), "audio input"))
        return false;
      jo::append_literal(out_, "{\"type\":\"input_audio\",\"input_audio\":{\"data\":");
      jo::append_string(out_, au->data);
      jo::append_literal(out_, ",\"format\":");
      jo::append_string(out_, au->format);
      out_.push_back('}');
    } else if (const auto* f = std::get_if<core::file_part>(&parts[k])) {
      if (!d_.full_openai) {
        fail(part_path(k), "file input");
        return false;
      }
      jo::append_literal(out_, "{\"type\":\"file\",\"file\":{");
      bool first = true;
      if (!f->file_data.empty()) {
        jo::append_key(out_, first, "file_data");
        jo::append_string(out_, f->file_data);
      }
      if (!f->file_id.empty()) {
        jo::append_key(out_, first, "file_id");
        jo::append_string(out_, f->file_id);
      }
      if (!f->filename.empty()) {
        jo::append_key(out_, first, "filename");
        jo::append_string(out_, f->filename);
      }
      out_.push_back('}');
    } else {
      const auto& rf = std::get<core::refusal_part>(parts[k]);
      out_.append(d_.full_openai ? "{\"type\":\"refusal\",\"refusal\":"
                                 : "{\"type\":\"text\",\"text\":");
      jo::append_string(out_, rf.refusal);
    }
    out_.push_back('}');
  }
  out_.push_back(']');
  return true;
}

void encoder::reasoning_echo(const core::message& m, std::size_t i) {
  if (d_.echo != reasoning_echo::deepseek) {
    if (m.reasoning_content) warn(msg_path(i, ".reasoning_content"));
    return;
  }
  // §7.2: thinking models need reasoning_content echoed on assistant turns that made tool
  // calls; it is ignored (V3.2+) or a 400 (R1 era) elsewhere, so strip it there.
  if (!thinking_ || m.role != core::role::assistant || m.tool_calls.empty()) return;
  jo::append_literal(out_, ",\"reasoning_content\":");
  if (m.reasoning_content) {
    jo::append_string(out_, *m.reasoning_content);  // the client carried it itself
    return;
  }
  if (t_.tool_state != nullptr) {
    for (const core::tool_call& tc : m.tool_calls) {
      auto st = t_.tool_state->get(tc.id, t_.now);
      if (st && st->provider == core::provider_kind::deepseek &&
          st->type == tool_state_type::reasoning_content) {
        jo::append_string(out_, st->data);
        return;
      }
    }
  }
  // §11.4: nothing stored (other replica, expired, or the turn came from another provider).
  // Send "" rather than omit the field (omitting is a documented 400). [unsure in §14]
  jo::append_literal(out_, "\"\"");
  warn(msg_path(i, ".reasoning_content"), "missing");
}

void encoder::messages() {
  field("messages");
  out_.push_back('[');
  bool first_message = true;
  // Mistral tool messages carry the function name of the call they answer (§5.2): the
  // (upstream id, name) of every call so far; the latest entry for an id wins.
  std::vector<std::pair<std::string_view, std::string_view>> call_names;

  // DeepSeek json_schema emulation: the schema goes into a leading system instruction.
  if (!d_.json_schema_native &&
      r_.response_format.type == core::response_format_type::json_schema) {
    std::string text = "Respond only with a JSON object that conforms to this JSON Schema";
    if (!r_.response_format.name.empty()) text += " (\"" + r_.response_format.name + "\")";
    text += ": ";
    // Cold path: keeps Boost.JSON's spelling of the schema text the model reads.
    text += r_.response_format.schema ? json::serialize(*r_.response_format.schema) : "{}";
    jo::append_literal(out_, "{\"role\":\"system\",\"content\":");
    jo::append_string(out_, text);
    out_.push_back('}');
    first_message = false;
  }

  for (std::size_t i = 0; i < r_.messages.size() && !err_; ++i) {
    const core::message& m = r_.messages[i];
    if (!first_message) out_.push_back(',');
    first_message = false;
    switch (m.role) {
      case core::role::developer:
        out_.append(message_head(d_.full_openai ? core::role::developer : core::role::system));
        break;
      case core::role::function:
        if (!d_.full_openai) {
          fail(msg_path(i, ".role"), "the legacy 'function' role");
          return;
        }
        out_.append(message_head(core::role::function));
        break;
      case core::role::system:
      case core::role::user:
      case core::role::assistant:
      case core::role::tool:
        out_.append(message_head(m.role));
        break;
    }
    if (!content(m, i)) return;
    if (m.name) {
      if (d_.full_openai) {
        jo::append_literal(out_, ",\"name\":");
        jo::append_string(out_, *m.name);
      } else if (!apply(d_.message_name, "messages[].name", "messages[].name")) {
        return;
      }
    }
    if (m.refusal) {
      if (d_.full_openai) {
        jo::append_literal(out_, ",\"refusal\":");
        jo::append_string(out_, *m.refusal);
      } else {
        warn(msg_path(i, ".refusal"));
      }
    }
    if (!m.tool_calls.empty()) {
      jo::append_literal(out_, ",\"tool_calls\":[");
      for (std::size_t k = 0; k < m.tool_calls.size(); ++k) {
        const core::tool_call& tc = m.tool_calls[k];
        if (tc.type != "function" && !d_.full_openai) {
          fail(msg_path(i, ".tool_calls", k, ".type"), "a custom tool call");
          return;
        }
        const std::string& id = tool_id(tc.id);
        if (d_.mistral_messages) call_names.emplace_back(id, tc.name);
        if (k > 0) out_.push_back(',');
        jo::append_literal(out_, "{\"id\":");
        jo::append_string(out_, id);
        jo::append_literal(out_, ",\"type\":");
        jo::append_string(out_, tc.type);
        jo::append_literal(out_, ",\"function\":{\"name\":");
        jo::append_string(out_, tc.name);
        jo::append_literal(out_, ",\"arguments\":");
        jo::append_string(out_, tc.arguments);
        jo::append_literal(out_, "}}");
      }
      out_.push_back(']');
    }
    if (m.role == core::role::tool) {
      const std::string& id = tool_id(m.tool_call_id);
      jo::append_literal(out_, ",\"tool_call_id\":");
      jo::append_string(out_, id);
      if (d_.mistral_messages) {
        auto it = std::find_if(call_names.rbegin(), call_names.rend(),
                               [&](const auto& e) { return e.first == id; });
        if (it == call_names.rend()) {
          // §11.3: Mistral would reject it anyway, with a less clear error.
          err_ = core::invalid_request(
              "tool_call_id '" + m.tool_call_id + "' does not match any earlier tool call",
              msg_path(i, ".tool_call_id"));
          return;
        }
        jo::append_literal(out_, ",\"name\":");
        jo::append_string(out_, it->second);
      }
    }
    reasoning_echo(m, i);
    for (const auto& kv : m.extra) {
      if (d_.full_openai) {
        if (std::find(message_keys.begin(), message_keys.end(), kv.key()) != message_keys.end())
          continue;
        out_.push_back(',');
        jo::append_string(out_, kv.key());
        out_.push_back(':');
        jo::append_value(out_, kv.value());
      } else if (kv.key() == "function_call") {
        fail(msg_path(i, ".function_call"), "the legacy function_call message field");
        return;
      } else {
        std::string at = msg_path(i, ".");
        at += kv.key();
        warn(at);
      }
    }
    out_.push_back('}');
  }
  out_.push_back(']');
}

void encoder::sampling() {
  if (r_.max_completion_tokens) {
    field(d_.max_tokens == max_tokens_name::max_tokens ? "max_tokens" : "max_completion_tokens");
    jo::append_int(out_, *r_.max_completion_tokens);
  }
  if (r_.temperature) {
    field("temperature");
    jo::append_double(out_, *r_.temperature);
  }
  if (r_.top_p) {
    field("top_p");
    jo::append_double(out_, *r_.top_p);
  }
  if (r_.n) {
    if (*r_.n > 1) {
      if (!apply(d_.n_above_1, "n", "n > 1")) return;
      if (d_.n_above_1 == field_policy::pass) {
        field("n");
        jo::append_int(out_, *r_.n);
      }
    } else if (d_.n_above_1 == field_policy::pass) {
      field("n");  // n = 1 elsewhere is the default: omitting it changes nothing
      jo::append_int(out_, *r_.n);
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
      str_field("stop", r_.stop.front());
    } else {
      field("stop");
      out_.push_back('[');
      for (std::size_t k = 0; k < r_.stop.size(); ++k) {
        if (k > 0) out_.push_back(',');
        jo::append_string(out_, r_.stop[k]);
      }
      out_.push_back(']');
    }
  }
  if (r_.seed && apply(d_.seed, "seed", "seed") && d_.seed == field_policy::pass) {
    field(d_.seed_name);
    jo::append_int(out_, *r_.seed);
  }
  if (err_) return;
  auto penalty = [&](const auto& name, const std::optional<double>& v) {
    if (!v) return;
    if (xai_reasoning_) {
      warn(name, "unsupported_by_model");
    } else {
      field(name);
      jo::append_double(out_, *v);
    }
  };
  penalty("frequency_penalty", r_.frequency_penalty);
  penalty("presence_penalty", r_.presence_penalty);
  if (r_.logit_bias && apply(d_.logit_bias, "logit_bias", "logit_bias") &&
      d_.logit_bias == field_policy::pass) {
    field("logit_bias");
    jo::append_object(out_, *r_.logit_bias);
  }
  if (err_) return;
  for (const char* name : {"logprobs", "top_logprobs"}) {
    const bool present = std::string_view(name) == "logprobs" ? r_.logprobs.has_value()
                                                              : r_.top_logprobs.has_value();
    if (!present) continue;
    // §7.3: logprobs / top_logprobs are a 400 in DeepSeek thinking mode.
    field_policy p = thinking_ ? field_policy::reject : d_.logprobs;
    if (!apply(p, name, std::string(name) + (thinking_ ? " in thinking mode" : ""))) return;
    if (p != field_policy::pass) continue;
    field(name);
    if (std::string_view(name) == "logprobs") jo::append_bool(out_, *r_.logprobs);
    else jo::append_int(out_, *r_.top_logprobs);
  }
  if (r_.reasoning_effort) str_field("reasoning_effort", *r_.reasoning_effort);

  // Bookkeeping / OpenAI-only tuning fields: pass to OpenAI, drop+warn elsewhere (§10.1).
  auto openai_only = [&](const char* name, const std::optional<std::string>& v) {
    if (!v) return;
    if (d_.full_openai) str_field(name, *v);
    else warn(name);
  };
  openai_only("verbosity", r_.verbosity);
  openai_only("service_tier", r_.service_tier);
  openai_only("safety_identifier", r_.safety_identifier);
  openai_only("prompt_cache_key", r_.prompt_cache_key);
  if (r_.metadata) {
    if (d_.full_openai) {
      field("metadata");
      jo::append_object(out_, *r_.metadata);
    } else {
      warn("metadata");
    }
  }
  if (r_.user && apply(d_.user, "user", "user") && d_.user == field_policy::pass)
    str_field("user", *r_.user);
  if (err_) return;

  if (r_.stream) {
    field("stream");
    jo::append_literal(out_, "true");
    // §10.3: always ask for usage upstream (billing); the client sees it only if it asked.
    const bool usage = t_.request_stream_usage || r_.wants_stream_usage();
    const bool include_usage = d_.stream_usage_option && usage;
    std::optional<bool> obfuscation;
    if (r_.stream_options && r_.stream_options->include_obfuscation) {
      if (d_.full_openai) obfuscation = *r_.stream_options->include_obfuscation;
      else warn("stream_options.include_obfuscation");
    }
    if (include_usage || obfuscation) {
      field("stream_options");
      bool first = true;
      out_.push_back('{');
      if (include_usage) {
        jo::append_key(out_, first, "include_usage");
        jo::append_literal(out_, "true");
      }
      if (obfuscation) {
        jo::append_key(out_, first, "include_obfuscation");
        jo::append_bool(out_, *obfuscation);
      }
      out_.push_back('}');
    }
  }
}

void encoder::tools() {
  if (!r_.tools.empty()) {
    field("tools");
    out_.push_back('[');
    for (std::size_t i = 0; i < r_.tools.size(); ++i) {
      const core::tool& t = r_.tools[i];
      if (i > 0) out_.push_back(',');
      if (d_.full_openai && t.raw.is_object()) {
        jo::append_value(out_, t.raw);
        continue;
      }
      if (t.type != "function") {
        fail("tools[" + std::to_string(i) + "].type", "tool type '" + t.type + "'");
        return;
      }
      jo::append_literal(out_, "{\"type\":\"function\",\"function\":{\"name\":");
      jo::append_string(out_, t.function.name);
      if (t.function.description) {
        jo::append_literal(out_, ",\"description\":");
        jo::append_string(out_, *t.function.description);
      }
      // §2.4: absent parameters means "no arguments"; upstreams want the explicit schema.
      jo::append_literal(out_, ",\"parameters\":");
      if (t.function.parameters) jo::append_value(out_, *t.function.parameters);
      else jo::append_literal(out_, "{\"type\":\"object\",\"properties\":{}}");
      if (t.function.strict) {
        jo::append_literal(out_, ",\"strict\":");
        jo::append_bool(out_, *t.function.strict);
      }
      jo::append_literal(out_, "}}");
    }
    out_.push_back(']');
  }
  const core::tool_choice& tc = r_.tool_choice;
  switch (tc.mode) {
    case core::tool_choice_mode::unset: break;
    case core::tool_choice_mode::none: str_field("tool_choice", "none"); break;
    case core::tool_choice_mode::auto_: str_field("tool_choice", "auto"); break;
    case core::tool_choice_mode::required:
      str_field("tool_choice", d_.tool_choice_required_as_any ? "any" : "required");
      break;
    case core::tool_choice_mode::function:
      field("tool_choice");
      jo::append_literal(out_, "{\"type\":\"function\",\"function\":{\"name\":");
      jo::append_string(out_, tc.name);
      jo::append_literal(out_, "}}");
      break;
    case core::tool_choice_mode::allowed_tools:
    case core::tool_choice_mode::custom:
      if (!d_.full_openai) {
        fail("tool_choice", tc.mode == core::tool_choice_mode::custom
                                ? "tool_choice of type 'custom'"
                                : "tool_choice of type 'allowed_tools'");
        return;
      }
      field("tool_choice");
      jo::append_value(out_, tc.raw);
      break;
  }
  if (r_.parallel_tool_calls) {
    if (*r_.parallel_tool_calls) {
      // true is every dialect's default; only OpenAI-shaped dialects that take it get it.
      if (d_.parallel_tool_calls_false == field_policy::pass) {
        field("parallel_tool_calls");
        jo::append_literal(out_, "true");
      }
    } else if (apply(d_.parallel_tool_calls_false, "parallel_tool_calls",
                     "parallel_tool_calls=false") &&
               d_.parallel_tool_calls_false == field_policy::pass) {
      field("parallel_tool_calls");
      jo::append_literal(out_, "false");
    }
  }
}

void encoder::response_format() {
  const core::response_format& rf = r_.response_format;
  switch (rf.type) {
    case core::response_format_type::unset: return;
    case core::response_format_type::text:
      field("response_format");
      jo::append_literal(out_, "{\"type\":\"text\"}");
      return;
    case core::response_format_type::json_object:
      field("response_format");
      jo::append_literal(out_, "{\"type\":\"json_object\"}");
      return;
    case core::response_format_type::json_schema:
      break;
  }
  field("response_format");
  if (!d_.json_schema_native) {
    // §7.3: degrade to json_object plus the instruction added in messages().
    jo::append_literal(out_, "{\"type\":\"json_object\"}");
    warn("response_format.json_schema", "emulated_with_json_object");
    return;
  }
  jo::append_literal(out_, "{\"type\":\"json_schema\",\"json_schema\":{\"name\":");
  jo::append_string(out_, rf.name);
  if (rf.description) {
    jo::append_literal(out_, ",\"description\":");
    jo::append_string(out_, *rf.description);
  }
  if (rf.schema) {
    jo::append_literal(out_, ",\"schema\":");
    jo::append_value(out_, *rf.schema);
  }
  if (rf.strict) {
    jo::append_literal(out_, ",\"strict\":");
    jo::append_bool(out_, *rf.strict);
  }
  jo::append_literal(out_, "}}");
}

void encoder::passthrough() {
  for (const auto& kv : r_.passthrough) {
    const std::string_view k = kv.key();
    if (d_.full_openai ||
        std::find(d_.extra_fields.begin(), d_.extra_fields.end(), k) != d_.extra_fields.end() ||
        (k == "prediction" && d_.prediction)) {
      // The decoder keeps only fields it does not model here; should a caller put a modelled
      // one in anyway, the typed value already written wins (no duplicate key on the wire).
      if (written(k)) continue;
      out_.push_back(',');
      jo::append_string(out_, k);
      out_.push_back(':');
      jo::append_value(out_, kv.value());
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

core::result<core::upstream_request> encode_request(const dialect& d,
                                                    const core::chat_request& req,
                                                    const target& tgt) {
  return encoder(d, req, tgt).run();
}

}  // namespace gi::providers::openai_compat
