// Canonical (OpenAI) request -> Anthropic `POST /v1/messages` (providers.md §3.2–§3.4,
// §3.7, §10.1, §11). Nothing is dropped silently: dropped fields are reported as
// "field:reason" in target.warnings; fields Anthropic cannot express (n > 1, logprobs, audio
// input, custom tools, …) fail the encode with an invalid_request naming the field, which
// makes the endpoint incapable for that request.

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "providers/anthropic/codec.h"
#include "providers/tool_state_store.h"

namespace gi::providers::anthropic {

namespace json = boost::json;

namespace {

// reasoning_effort -> thinking budget (§10.1). The budget counts toward max_tokens.
std::optional<std::int64_t> budget_for(std::string_view effort) {
  if (effort == "low") return 2048;
  if (effort == "medium") return 8192;
  if (effort == "high" || effort == "xhigh" || effort == "max") return 24576;
  return std::nullopt;  // none / minimal: no thinking
}

const char* json_object_instruction =
    "Respond with a single valid JSON object and nothing else: no prose, no code fences.";

struct turn {
  std::string role;  // user | assistant
  json::array blocks;
  // For the §3.3 pairing check: tool_use ids of an assistant turn and the message index
  // that produced each.
  std::vector<std::pair<std::string, std::size_t>> tool_uses;
};

class encoder {
 public:
  encoder(const core::chat_request& r, const target& t) : r_(r), t_(t) {}
  core::result<core::upstream_request> run();

 private:
  void warn(std::string_view field, std::string_view reason = "dropped") {
    std::string w = std::string(field) + ":" + std::string(reason);
    if (std::find(warnings_.begin(), warnings_.end(), w) == warnings_.end())
      warnings_.push_back(std::move(w));
  }
  void fail(std::string param, std::string what) {
    if (err_) return;
    err_ = core::invalid_request(what + " is not supported by provider 'anthropic'",
                                 std::move(param), "unsupported_parameter");
  }
  void bad(std::string param, std::string message) {
    if (err_) return;
    err_ = core::invalid_request(std::move(message), std::move(param));
  }

  void unsupported();
  void decide_thinking();
  void messages();
  bool user_blocks(const core::message& m, std::size_t i, json::array& out);
  bool assistant_blocks(const core::message& m, std::size_t i, turn& t);
  std::optional<json::value> tool_result_content(const core::message& m, std::size_t i);
  std::optional<json::object> image_block(const core::image_part& img, const std::string& at);
  void push_turn(turn t, bool results);
  void check_pairing();
  void sampling();
  void tools();
  void structured_output();
  void finish_thinking();
  void passthrough();

  const core::chat_request& r_;
  const target& t_;
  model_traits traits_;
  json::object body_;
  std::vector<std::string> warnings_;
  std::optional<core::error> err_;

  std::vector<std::string> system_;
  std::vector<turn> turns_;
  std::unordered_map<std::string, std::string> call_ids_;  // canonical -> upstream
  bool tool_turn_without_thinking_ = false;

  std::optional<std::int64_t> budget_;  // thinking enabled with this budget
  std::optional<json::value> thinking_passthrough_;
  bool forced_tool_ = false;            // tool_choice any / tool (ours or the client's)
  bool json_tool_ = false;              // §3.7 forced-tool emulation in use
};

core::result<core::upstream_request> encoder::run() {
  traits_ = traits_for(t_.model);
  body_["model"] = t_.model;
  unsupported();
  if (!err_) decide_thinking();
  if (!err_) messages();
  if (!err_) sampling();
  if (!err_) tools();
  if (!err_) structured_output();
  if (!err_) finish_thinking();
  if (!err_) passthrough();
  if (err_) return std::move(*err_);

  if (!system_.empty()) {
    if (system_.size() == 1) {
      body_["system"] = system_.front();
    } else {
      json::array blocks;
      for (auto& s : system_) blocks.push_back(json::object{{"type", "text"}, {"text", s}});
      body_["system"] = std::move(blocks);
    }
  }
  // Re-order so the body reads like the API reference (cosmetic; JSON is unordered).
  json::object ordered;
  for (const char* k : {"model", "max_tokens", "system", "messages"})
    if (auto* v = body_.if_contains(k)) ordered[k] = std::move(*v);
  for (auto& kv : body_)
    if (!ordered.contains(kv.key())) ordered[kv.key()] = std::move(kv.value());

  core::upstream_request out;
  out.method = "POST";
  out.path = t_.path_prefix + std::string(messages_path);
  out.stream = r_.stream;
  out.headers.emplace_back("content-type", "application/json");
  out.headers.emplace_back("accept", r_.stream ? "text/event-stream" : "application/json");
  out.headers.emplace_back("anthropic-version", t_.api_version.empty()
                                                    ? std::string(default_api_version)
                                                    : t_.api_version);
  out.body = json::serialize(ordered);
  if (t_.warnings != nullptr)
    t_.warnings->insert(t_.warnings->end(), warnings_.begin(), warnings_.end());
  return out;
}

void encoder::unsupported() {
  // §10.1: no equivalents.
  if (r_.n && *r_.n > 1) return fail("n", "n > 1");
  if (r_.logprobs && *r_.logprobs) return fail("logprobs", "logprobs");
  if (r_.top_logprobs && *r_.top_logprobs > 0) return fail("top_logprobs", "top_logprobs");
  if (r_.logprobs) warn("logprobs");
  if (r_.top_logprobs) warn("top_logprobs");
  if (r_.seed) warn("seed");
  if (r_.frequency_penalty) warn("frequency_penalty");
  if (r_.presence_penalty) warn("presence_penalty");
  if (r_.logit_bias) warn("logit_bias");
  if (r_.verbosity) warn("verbosity");
  if (r_.service_tier) warn("service_tier");
  if (r_.prompt_cache_key) warn("prompt_cache_key");
  if (r_.metadata) warn("metadata");
  if (r_.stream_options && r_.stream_options->include_obfuscation)
    warn("stream_options.include_obfuscation");
}

void encoder::decide_thinking() {
  if (const json::value* th = r_.passthrough.if_contains("thinking")) {
    // The client sent Anthropic's own `thinking` object: forward it (validated lightly).
    const json::object* o = th->if_object();
    const json::value* type = o != nullptr ? o->if_contains("type") : nullptr;
    if (type == nullptr || !type->is_string())
      return bad("thinking", "thinking must be an object with a string `type`");
    if (type->get_string() == "enabled") {
      const json::value* b = o->if_contains("budget_tokens");
      if (b == nullptr || !b->is_number() || b->to_number<std::int64_t>() < 1024)
        return bad("thinking.budget_tokens", "thinking.budget_tokens must be an integer >= 1024");
      budget_ = b->to_number<std::int64_t>();
    }
    thinking_passthrough_ = *th;
    if (r_.reasoning_effort) warn("reasoning_effort", "overridden_by_thinking");
    return;
  }
  if (!r_.reasoning_effort) return;
  auto budget = budget_for(*r_.reasoning_effort);
  if (!budget) return;  // none / minimal
  if (!traits_.thinking) return warn("reasoning_effort", "unsupported_by_model");
  budget_ = *budget;
}

void encoder::messages() {
  for (std::size_t i = 0; i < r_.messages.size() && !err_; ++i) {
    const core::message& m = r_.messages[i];
    const std::string at = "messages[" + std::to_string(i) + "]";
    switch (m.role) {
      case core::role::system:
      case core::role::developer: {
        // §3.2: hoisted to the top-level `system`, in order.
        if (auto* parts = std::get_if<std::vector<core::content_part>>(&m.content)) {
          for (std::size_t k = 0; k < parts->size(); ++k)
            if (!std::holds_alternative<core::text_part>((*parts)[k]))
              return fail(at + ".content[" + std::to_string(k) + "]",
                          "non-text content in a system message");
        }
        std::string text = m.joined_text();
        if (!text.empty()) system_.push_back(std::move(text));
        break;
      }
      case core::role::user: {
        turn t{"user", {}, {}};
        if (!user_blocks(m, i, t.blocks)) return;
        push_turn(std::move(t), false);
        break;
      }
      case core::role::assistant: {
        turn t{"assistant", {}, {}};
        if (!assistant_blocks(m, i, t)) return;
        push_turn(std::move(t), false);
        break;
      }
      case core::role::tool: {
        auto it = call_ids_.find(m.tool_call_id);
        if (it == call_ids_.end())
          return bad(at + ".tool_call_id", "tool_call_id '" + m.tool_call_id +
                                               "' does not match any earlier tool call");
        auto content = tool_result_content(m, i);
        if (!content) return;
        json::object block{{"type", "tool_result"}, {"tool_use_id", it->second},
                           {"content", std::move(*content)}};
        turn t{"user", {}, {}};
        t.blocks.push_back(std::move(block));
        push_turn(std::move(t), true);
        break;
      }
      case core::role::function:
        return fail(at + ".role", "the legacy 'function' role");
    }
    if (m.name) {
      // §10.1: `name` on messages has no equivalent; dropped (no warning, as in the table).
    }
  }
  if (err_) return;
  check_pairing();
  if (err_) return;
  if (turns_.empty()) return bad("messages", "at least one user or assistant message is required");

  json::array out;
  for (turn& t : turns_) {
    json::value content;
    // A lone text block reads more naturally as a string (same meaning to the API).
    if (t.blocks.size() == 1 && t.blocks[0].as_object().at("type") == "text")
      content = t.blocks[0].as_object().at("text");
    else
      content = std::move(t.blocks);
    out.push_back(json::object{{"role", t.role}, {"content", std::move(content)}});
  }
  body_["messages"] = std::move(out);
}

std::optional<json::object> encoder::image_block(const core::image_part& img,
                                                  const std::string& at) {
  std::string_view url = img.url;
  if (url.starts_with("data:")) {
    // data:<media type>;base64,<data>  (§3.3: the data without the prefix)
    auto comma = url.find(',');
    auto meta = url.substr(5, comma == std::string_view::npos ? 0 : comma - 5);
    if (comma == std::string_view::npos || !meta.ends_with(";base64")) {
      bad(at + ".image_url.url", "image data URLs must be base64 encoded");
      return std::nullopt;
    }
    std::string media(meta.substr(0, meta.size() - 7));
    if (media != "image/jpeg" && media != "image/png" && media != "image/gif" &&
        media != "image/webp") {
      fail(at + ".image_url.url", "image media type '" + media + "'");
      return std::nullopt;
    }
    return json::object{{"type", "image"},
                        {"source", json::object{{"type", "base64"},
                                                {"media_type", media},
                                                {"data", url.substr(comma + 1)}}}};
  }
  if (url.starts_with("https://") || url.starts_with("http://")) {
    return json::object{{"type", "image"},
                        {"source", json::object{{"type", "url"}, {"url", url}}}};
  }
  bad(at + ".image_url.url", "image_url.url must be an http(s) URL or a base64 data URL");
  return std::nullopt;
}

bool encoder::user_blocks(const core::message& m, std::size_t i, json::array& out) {
  const std::string at = "messages[" + std::to_string(i) + "].content";
  if (const auto* s = std::get_if<std::string>(&m.content)) {
    if (!s->empty()) out.push_back(json::object{{"type", "text"}, {"text", *s}});
    return true;
  }
  const auto* parts = std::get_if<std::vector<core::content_part>>(&m.content);
  if (parts == nullptr) return true;
  for (std::size_t k = 0; k < parts->size(); ++k) {
    const std::string pat = at + "[" + std::to_string(k) + "]";
    const core::content_part& p = (*parts)[k];
    if (const auto* t = std::get_if<core::text_part>(&p)) {
      // The API rejects empty text blocks.
      if (!t->text.empty()) out.push_back(json::object{{"type", "text"}, {"text", t->text}});
    } else if (const auto* img = std::get_if<core::image_part>(&p)) {
      auto b = image_block(*img, pat);
      if (!b) return false;
      out.push_back(std::move(*b));
    } else if (std::holds_alternative<core::audio_part>(p)) {
      fail(pat, "audio input");
      return false;
    } else if (const auto* f = std::get_if<core::file_part>(&p)) {
      // §10.1: PDF file data -> document block; file ids have no equivalent.
      constexpr std::string_view pdf = "data:application/pdf;base64,";
      if (!f->file_data.starts_with(pdf)) {
        fail(pat, f->file_data.empty() ? "file_id references" : "non-PDF file input");
        return false;
      }
      out.push_back(json::object{
          {"type", "document"},
          {"source", json::object{{"type", "base64"},
                                  {"media_type", "application/pdf"},
                                  {"data", std::string_view(f->file_data).substr(pdf.size())}}}});
    } else {
      const auto& rf = std::get<core::refusal_part>(p);
      if (!rf.refusal.empty()) out.push_back(json::object{{"type", "text"}, {"text", rf.refusal}});
    }
  }
  return true;
}

bool encoder::assistant_blocks(const core::message& m, std::size_t i, turn& t) {
  const std::string at = "messages[" + std::to_string(i) + "]";
  // §11.4: thinking blocks that preceded these tool calls, from the side store, when the
  // same model family answers again.
  if (!m.tool_calls.empty()) {
    bool attached = false;
    if (t_.tool_state != nullptr) {
      for (const core::tool_call& tc : m.tool_calls) {
        auto st = t_.tool_state->get(tc.id, t_.now);
        if (!st || st->provider != core::provider_kind::anthropic ||
            st->type != tool_state_type::thinking_blocks ||
            model_family(st->model) != model_family(t_.model))
          continue;
        if (auto blocks = decode_thinking_state(st->data)) {
          for (auto& b : *blocks) t.blocks.push_back(std::move(b));
          attached = true;
          break;
        }
      }
    }
    if (!attached) tool_turn_without_thinking_ = true;
  }
  if (const auto* s = std::get_if<std::string>(&m.content)) {
    if (!s->empty()) t.blocks.push_back(json::object{{"type", "text"}, {"text", *s}});
  } else if (const auto* parts = std::get_if<std::vector<core::content_part>>(&m.content)) {
    for (std::size_t k = 0; k < parts->size(); ++k) {
      std::string text;
      if (const auto* tp = std::get_if<core::text_part>(&(*parts)[k])) text = tp->text;
      else if (const auto* rp = std::get_if<core::refusal_part>(&(*parts)[k])) text = rp->refusal;
      else {
        fail(at + ".content[" + std::to_string(k) + "]", "non-text content in an assistant message");
        return false;
      }
      if (!text.empty()) t.blocks.push_back(json::object{{"type", "text"}, {"text", text}});
    }
  }
  if (m.refusal && !m.refusal->empty()) {
    t.blocks.push_back(json::object{{"type", "text"}, {"text", *m.refusal}});
  }
  for (std::size_t k = 0; k < m.tool_calls.size(); ++k) {
    const core::tool_call& tc = m.tool_calls[k];
    const std::string tat = at + ".tool_calls[" + std::to_string(k) + "]";
    if (tc.type != "function") {
      fail(tat + ".type", "a custom tool call");
      return false;
    }
    // §3.3: `input` is an object; OpenAI arguments are its JSON text.
    json::value input = json::object{};
    if (!tc.arguments.empty()) {
      boost::system::error_code ec;
      input = json::parse(tc.arguments, ec);
      if (ec || !input.is_object()) {
        bad(tat + ".function.arguments", "tool call arguments must be a JSON object");
        return false;
      }
    }
    std::string id = upstream_tool_id(tc.id);
    call_ids_[tc.id] = id;
    t.tool_uses.emplace_back(id, i);
    t.blocks.push_back(json::object{
        {"type", "tool_use"}, {"id", id}, {"name", tc.name}, {"input", std::move(input)}});
  }
  if (!m.extra.empty()) {
    for (const auto& kv : m.extra) {
      if (kv.key() == "function_call") {
        fail(at + ".function_call", "the legacy function_call message field");
        return false;
      }
      warn(at + "." + std::string(kv.key()));
    }
  }
  if (m.reasoning_content) warn(at + ".reasoning_content");
  return true;
}

std::optional<json::value> encoder::tool_result_content(const core::message& m, std::size_t i) {
  const std::string at = "messages[" + std::to_string(i) + "].content";
  const auto* parts = std::get_if<std::vector<core::content_part>>(&m.content);
  if (parts == nullptr) return json::value(m.joined_text());
  const bool all_text = std::all_of(parts->begin(), parts->end(), [](const auto& p) {
    return std::holds_alternative<core::text_part>(p);
  });
  if (all_text) return json::value(m.joined_text());
  json::array blocks;
  for (std::size_t k = 0; k < parts->size(); ++k) {
    const std::string pat = at + "[" + std::to_string(k) + "]";
    if (const auto* t = std::get_if<core::text_part>(&(*parts)[k])) {
      if (!t->text.empty()) blocks.push_back(json::object{{"type", "text"}, {"text", t->text}});
    } else if (const auto* img = std::get_if<core::image_part>(&(*parts)[k])) {
      auto b = image_block(*img, pat);
      if (!b) return std::nullopt;
      blocks.push_back(std::move(*b));
    } else {
      fail(pat, "this content type in a tool result");
      return std::nullopt;
    }
  }
  return json::value(std::move(blocks));
}

void encoder::push_turn(turn t, bool results) {
  // §3.2 consecutive same-role turns are merged; §3.3 tool_result blocks come first in
  // their user turn, so results merged into a user turn go after any earlier results but
  // before its other blocks.
  if (turns_.empty() || turns_.back().role != t.role) {
    turns_.push_back(std::move(t));
    return;
  }
  turn& last = turns_.back();
  if (results) {
    std::size_t pos = 0;
    while (pos < last.blocks.size() && last.blocks[pos].as_object().at("type") == "tool_result")
      ++pos;
    for (auto& b : t.blocks) {
      last.blocks.insert(last.blocks.begin() + static_cast<std::ptrdiff_t>(pos), std::move(b));
      ++pos;
    }
  } else {
    for (auto& b : t.blocks) last.blocks.push_back(std::move(b));
  }
  for (auto& u : t.tool_uses) last.tool_uses.push_back(std::move(u));
}

void encoder::check_pairing() {
  // §3.3 / §11.3: every tool_use needs its tool_result in the very next user turn; the
  // default policy rejects (the API would, with a less clear message).
  for (std::size_t k = 0; k < turns_.size(); ++k) {
    if (turns_[k].tool_uses.empty()) continue;
    std::unordered_set<std::string> answered;
    if (k + 1 < turns_.size()) {
      for (const auto& b : turns_[k + 1].blocks) {
        const json::object& o = b.as_object();
        if (o.at("type") == "tool_result") answered.insert(std::string(o.at("tool_use_id").as_string()));
      }
    }
    for (const auto& [id, msg] : turns_[k].tool_uses) {
      if (answered.count(id) != 0) continue;
      std::string canonical = id;
      for (const auto& [c, u] : call_ids_)
        if (u == id) canonical = c;
      return bad("messages[" + std::to_string(msg) + "].tool_calls",
                 "tool call '" + canonical +
                     "' has no tool message answering it before the next turn");
    }
  }
}

void encoder::sampling() {
  // §3.2: max_tokens is required; a per-model default when the client gives none.
  body_["max_tokens"] = r_.max_completion_tokens.value_or(traits_.default_max_tokens);
  const bool version_2026 = !t_.api_version.empty() && t_.api_version != default_api_version;
  std::optional<double> temperature = r_.temperature;
  std::optional<double> top_p = r_.top_p;
  if ((temperature || top_p) && version_2026) {
    // §3.1: 2026-10-21 removed the sampling parameters.
    if (temperature) warn("temperature", "unsupported_by_api_version");
    if (top_p) warn("top_p", "unsupported_by_api_version");
    temperature.reset();
    top_p.reset();
  }
  if (temperature && *temperature > 1.0) {
    warn("temperature", "clamped_to_1");  // Anthropic's range is 0–1 (§10.1)
    temperature = 1.0;
  }
  if (temperature && top_p && traits_.sampling_exclusive) {
    warn("top_p", "dropped_with_temperature");  // §3.2: both is a 400 on Opus 4.1+
    top_p.reset();
  }
  if (temperature) body_["temperature"] = *temperature;
  if (top_p) body_["top_p"] = *top_p;
  if (!r_.stop.empty()) {
    json::array a;
    for (const auto& s : r_.stop) a.emplace_back(s);
    body_["stop_sequences"] = std::move(a);
  }
  if (r_.user) {
    body_["metadata"] = json::object{{"user_id", *r_.user}};
    if (r_.safety_identifier) warn("safety_identifier");
  } else if (r_.safety_identifier) {
    body_["metadata"] = json::object{{"user_id", *r_.safety_identifier}};
  }
  if (r_.stream) body_["stream"] = true;  // usage always arrives in the stream (§10.1)
}

void encoder::tools() {
  if (!r_.tools.empty()) {
    json::array arr;
    for (std::size_t i = 0; i < r_.tools.size(); ++i) {
      const core::tool& t = r_.tools[i];
      const std::string at = "tools[" + std::to_string(i) + "]";
      if (t.type != "function") return fail(at + ".type", "tool type '" + t.type + "'");
      if (t.function.name == json_tool || t.function.name == json_tool_wrapped)
        return fail(at + ".function.name", "the reserved tool name '" + t.function.name + "'");
      json::object o{{"name", t.function.name}};
      if (t.function.description) o["description"] = *t.function.description;
      json::value schema = t.function.parameters
                               ? *t.function.parameters
                               : json::value(json::object{{"type", "object"},
                                                          {"properties", json::object{}}});
      const json::object* so = schema.if_object();
      const json::value* type = so != nullptr ? so->if_contains("type") : nullptr;
      if (so == nullptr || (type != nullptr && *type != "object"))
        return fail(at + ".function.parameters", "a non-object parameters schema");
      if (type == nullptr) schema.as_object()["type"] = "object";  // §3.4: must be "object"
      o["input_schema"] = std::move(schema);
      if (t.function.strict) {
        if (traits_.native_json_schema) o["strict"] = *t.function.strict;
        else warn(at + ".function.strict", "unsupported_by_model");
      }
      arr.push_back(std::move(o));
    }
    body_["tools"] = std::move(arr);
  }
  const bool no_parallel = r_.parallel_tool_calls && !*r_.parallel_tool_calls;
  json::object choice;
  switch (r_.tool_choice.mode) {
    case core::tool_choice_mode::unset:
      if (no_parallel && !r_.tools.empty()) choice["type"] = "auto";
      break;
    case core::tool_choice_mode::none: choice["type"] = "none"; break;
    case core::tool_choice_mode::auto_: choice["type"] = "auto"; break;
    case core::tool_choice_mode::required:
      choice["type"] = "any";
      forced_tool_ = true;
      break;
    case core::tool_choice_mode::function:
      choice["type"] = "tool";
      choice["name"] = r_.tool_choice.name;
      forced_tool_ = true;
      break;
    case core::tool_choice_mode::allowed_tools:
    case core::tool_choice_mode::custom:
      return fail("tool_choice", r_.tool_choice.mode == core::tool_choice_mode::custom
                                     ? "tool_choice of type 'custom'"
                                     : "tool_choice of type 'allowed_tools'");
  }
  if (choice.empty()) return;
  if (r_.tools.empty()) return warn("tool_choice", "dropped_without_tools");
  if (no_parallel && choice["type"] != "none") choice["disable_parallel_tool_use"] = true;
  body_["tool_choice"] = std::move(choice);
}

void encoder::structured_output() {
  const core::response_format& rf = r_.response_format;
  switch (rf.type) {
    case core::response_format_type::unset:
    case core::response_format_type::text: return;
    case core::response_format_type::json_object:
      // §3.7: no native JSON mode; instruct through the system prompt.
      system_.emplace_back(json_object_instruction);
      warn("response_format.json_object", "emulated_with_instruction");
      return;
    case core::response_format_type::json_schema: break;
  }
  json::value schema = rf.schema ? *rf.schema : json::value(json::object{{"type", "object"}});
  if (traits_.native_json_schema) {
    json::object oc;
    if (auto* existing = body_.if_contains("output_config")) oc = existing->as_object();
    oc["format"] = json::object{{"type", "json_schema"}, {"schema", std::move(schema)}};
    body_["output_config"] = std::move(oc);
    return;
  }
  // §3.7 forced tool: the answer is the tool's input, returned as content.
  const json::object* so = schema.if_object();
  const json::value* type = so != nullptr ? so->if_contains("type") : nullptr;
  const bool object = type != nullptr && *type == "object";
  std::string_view name = object ? json_tool : json_tool_wrapped;
  json::value input_schema =
      object ? std::move(schema)
             : json::value(json::object{{"type", "object"},
                                        {"properties", json::object{{"value", std::move(schema)}}},
                                        {"required", json::array{"value"}}});
  json::object tool{{"name", name},
                    {"description", rf.description ? *rf.description
                                                   : std::string("Respond with the final answer")},
                    {"input_schema", std::move(input_schema)}};
  json::array tools_arr;
  if (auto* existing = body_.if_contains("tools")) tools_arr = existing->as_array();
  const bool client_tools = !tools_arr.empty();
  tools_arr.push_back(std::move(tool));
  body_["tools"] = std::move(tools_arr);
  json_tool_ = true;
  // With the client's own tools on offer (and not forced or disabled), the model may call
  // them or answer through json_output: `any`. Otherwise json_output is forced.
  const auto mode = r_.tool_choice.mode;
  if (mode == core::tool_choice_mode::function || mode == core::tool_choice_mode::required) return;
  json::object choice;
  if (client_tools && mode != core::tool_choice_mode::none) {
    choice = json::object{{"type", "any"}};
  } else {
    choice = json::object{{"type", "tool"}, {"name", name}};
  }
  if (r_.parallel_tool_calls && !*r_.parallel_tool_calls) choice["disable_parallel_tool_use"] = true;
  body_["tool_choice"] = std::move(choice);
  forced_tool_ = true;
  warn("response_format.json_schema", "emulated_with_forced_tool");
}

void encoder::finish_thinking() {
  if (!budget_ && !thinking_passthrough_) return;
  const bool enabled = budget_.has_value() ||
                       (thinking_passthrough_ && thinking_passthrough_->as_object().at("type") != "disabled");
  if (enabled) {
    // §3.2: thinking forbids forced tool choice; §11.4: a tool turn without its thinking
    // block is a 400 while thinking is on. Both: answer without thinking (availability).
    std::string_view reason;
    if (forced_tool_) reason = "dropped_with_forced_tool_choice";
    else if (tool_turn_without_thinking_) reason = "dropped_missing_thinking_signature";
    std::int64_t max_tokens = body_.at("max_tokens").to_number<std::int64_t>();
    if (reason.empty() && budget_ && *budget_ >= max_tokens) {
      if (max_tokens > 1024) budget_ = max_tokens - 1;  // thinking counts toward max_tokens
      else reason = "dropped_max_tokens_too_small";
    }
    const char* field = thinking_passthrough_ ? "thinking" : "reasoning_effort";
    if (!reason.empty()) return warn(field, reason);
    // Thinking is incompatible with modified sampling (Anthropic docs); keep the answer.
    for (const char* k : {"temperature", "top_p"}) {
      if (body_.erase(k) != 0) warn(k, "dropped_with_thinking");
    }
  }
  if (thinking_passthrough_) {
    json::value th = *thinking_passthrough_;
    if (budget_ && th.as_object().contains("budget_tokens")) th.as_object()["budget_tokens"] = *budget_;
    body_["thinking"] = std::move(th);
  } else {
    body_["thinking"] = json::object{{"type", "enabled"}, {"budget_tokens", *budget_}};
  }
}

void encoder::passthrough() {
  for (const auto& kv : r_.passthrough) {
    const std::string_view k = kv.key();
    if (k == "thinking") continue;  // decide_thinking()
    if (k == "top_k") {
      body_["top_k"] = kv.value();  // Anthropic's own sampling knob, passed through
      continue;
    }
    if (k == "audio") return fail("audio", "audio output");
    if (k == "functions" || k == "function_call")
      return fail(std::string(k), "the legacy '" + std::string(k) + "' field (use tools)");
    if (k == "modalities") {
      const json::array* a = kv.value().if_array();
      const bool text_only = a != nullptr && std::all_of(a->begin(), a->end(), [](const json::value& v) {
                               return v.is_string() && v.get_string() == "text";
                             });
      if (!text_only) return fail("modalities", "output modalities other than text");
    }
    warn(k);  // store, prediction, web_search_options, unknown fields (§10.1)
  }
}

}  // namespace

core::result<core::upstream_request> encode_request(const core::chat_request& req,
                                                    const target& tgt) {
  return encoder(req, tgt).run();
}

core::result<core::upstream_request> codec::encode(const core::chat_request& req,
                                                   const target& tgt) const {
  return encode_request(req, tgt);
}

}  // namespace gi::providers::anthropic
