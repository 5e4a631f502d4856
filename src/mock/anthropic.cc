// `POST /v1/messages`: validates like the real Messages API (providers.md §3.1–§3.4,
// §13.3) and decides a deterministic answer. Behaviour (docs/mock-upstream.md, Anthropic):
// - auth: `x-api-key` or `Authorization: Bearer`, any value; missing -> 401.
// - `anthropic-version` required (2023-06-01 or 2026-10-21); under 2026-10-21 temperature,
//   top_p and top_k are a 400; on Claude >= 4.1 temperature together with top_p is a 400.
// - history rules: roles user/assistant only, tool_use ids ^[a-zA-Z0-9_-]+$, every tool_use
//   answered by a tool_result at the start of the next user turn, thinking blocks echoed
//   with the signature the mock issued, thinking on + forced tool_choice is a 400.
// - answer: thinking block (when `thinking` is enabled) + text "Mock answer to: …" or
//   tool_use blocks (forced by tool_choice any/tool, or the last user text mentions
//   "tool"); output_config.format json_schema -> the text is a minimal schema instance.

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>

#include "mock/anthropic.h"
#include "mock/dialect.h"
#include "mock/openai_answer.h"
#include "mock/schema_values.h"
#include "mock/wire_formats.h"

namespace gi::mock {
namespace {

namespace json = boost::json;
using anthropic_wire::answer;
using anthropic_wire::api_error;
using anthropic_wire::block;

const json::value* get(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it == o.end() ? nullptr : &it->value();
}
std::string_view str(const json::object& o, std::string_view k) {
  const json::value* v = get(o, k);
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view{};
}

api_error invalid(std::string message) { return api_error{400, "invalid_request_error", std::move(message), {}, {}}; }

bool has_bearer(std::string_view auth) {
  if (auth.size() < 8) return false;
  std::string scheme(auth.substr(0, 7));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return scheme == "bearer " && auth.substr(7).find_first_not_of(' ') != std::string_view::npos;
}

bool id_ok(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_' || c == '-';
  });
}

// Claude version from the model id: the first two 1–2 digit dash-separated tokens.
int claude_version(std::string_view model) {
  int v[2] = {0, 0}, n = 0;
  while (!model.empty() && n < 2) {
    auto p = model.find('-');
    std::string_view tok = model.substr(0, p);
    if (!tok.empty() && tok.size() <= 2 &&
        std::all_of(tok.begin(), tok.end(), [](unsigned char c) { return std::isdigit(c) != 0; }))
      v[n++] = std::stoi(std::string(tok));
    if (p == std::string_view::npos) break;
    model.remove_prefix(p + 1);
  }
  return v[0] * 10 + v[1];
}

std::vector<std::string> words(std::string_view s, std::size_t limit) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size() && out.size() < limit) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<std::string> pieces(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = text.find(' ', i + 1);
    if (j == std::string::npos) j = text.size();
    out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

struct history {
  std::string last_user_text;
  bool last_is_tool_result = false;
  std::size_t bytes = 0;
  bool cache_control = false;
};

std::optional<api_error> check_messages(const json::array& msgs, bool thinking_on, history& h) {
  std::vector<std::string> pending;  // tool_use ids of the previous assistant turn
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    const std::string at = "messages." + std::to_string(i);
    if (!msgs[i].is_object()) return invalid(at + ": Input should be an object");
    const auto& m = msgs[i].as_object();
    const std::string_view role = str(m, "role");
    if (role != "user" && role != "assistant")
      return invalid(at + ".role: Input should be 'user' or 'assistant'");
    const json::value* content = get(m, "content");
    if (content == nullptr) return invalid(at + ".content: Field required");
    json::array blocks;
    if (content->is_string()) {
      blocks.push_back(json::object{{"type", "text"}, {"text", content->as_string()}});
    } else if (content->is_array()) {
      blocks = content->as_array();
    } else {
      return invalid(at + ".content: Input should be a valid string or list");
    }
    std::vector<std::string> answered;
    bool seen_other = false;
    std::string text;
    bool tool_use_seen = false, first_is_thinking = false;
    for (std::size_t k = 0; k < blocks.size(); ++k) {
      if (!blocks[k].is_object()) return invalid(at + ".content." + std::to_string(k) + ": Input should be an object");
      const auto& b = blocks[k].as_object();
      const std::string_view type = str(b, "type");
      if (get(b, "cache_control")) h.cache_control = true;
      h.bytes += json::serialize(b).size();
      const std::string bat = at + ".content." + std::to_string(k);
      if (type == "text") {
        if (str(b, "text").empty()) return invalid(bat + ".text: text content blocks must be non-empty");
        if (!text.empty()) text += ' ';
        text += str(b, "text");
        seen_other = true;
      } else if (type == "image" || type == "document") {
        if (role != "user") return invalid(bat + ": `" + std::string(type) + "` blocks are only allowed in user messages");
        seen_other = true;
      } else if (type == "tool_use") {
        if (role != "assistant") return invalid(bat + ": `tool_use` blocks are only allowed in assistant messages");
        if (!id_ok(str(b, "id"))) return invalid(bat + ".id: String should match pattern '^[a-zA-Z0-9_-]+$'");
        const json::value* in = get(b, "input");
        if (in == nullptr || !in->is_object()) return invalid(bat + ".input: Input should be a valid dictionary");
        tool_use_seen = true;
      } else if (type == "tool_result") {
        if (role != "user") return invalid(bat + ": `tool_result` blocks are only allowed in user messages");
        if (seen_other)
          return invalid(at + ": tool_result blocks must come first in the user message, before any other content");
        answered.emplace_back(str(b, "tool_use_id"));
      } else if (type == "thinking") {
        if (role != "assistant") return invalid(bat + ": `thinking` blocks are only allowed in assistant messages");
        if (str(b, "signature") != anthropic_wire::signature_for(str(b, "thinking")))
          return invalid(bat + ": Invalid `signature` in `thinking` block");
        if (k == 0) first_is_thinking = true;
      } else if (type == "redacted_thinking") {
        if (k == 0) first_is_thinking = true;
      } else {
        return invalid(bat + ".type: unknown content block type '" + std::string(type) + "'");
      }
    }
    // §3.3: every tool_use of the previous assistant turn answered here.
    for (const auto& id : pending) {
      if (std::find(answered.begin(), answered.end(), id) == answered.end())
        return invalid(at + ": `tool_use` ids were found without `tool_result` blocks immediately after: " + id +
                       ". Each `tool_use` block must have a corresponding `tool_result` block in the next message.");
    }
    for (const auto& id : answered) {
      if (std::find(pending.begin(), pending.end(), id) == pending.end())
        return invalid(at + ": unexpected `tool_use_id` found in `tool_result` blocks: " + id +
                       ". Each `tool_result` block must have a corresponding `tool_use` block in the previous message.");
    }
    pending.clear();
    if (role == "assistant") {
      for (const auto& b : blocks)
        if (str(b.as_object(), "type") == "tool_use") pending.emplace_back(str(b.as_object(), "id"));
      if (thinking_on && tool_use_seen && !first_is_thinking && i + 2 >= msgs.size())
        return invalid(at + ".content.0.type: Expected `thinking` or `redacted_thinking`, but found `" +
                       std::string(str(blocks[0].as_object(), "type")) +
                       "`. When `thinking` is enabled, a final `assistant` message must start with a thinking block.");
    }
    if (role == "user") {
      h.last_user_text = text;
      h.last_is_tool_result = !answered.empty() && text.empty();
    }
  }
  if (!pending.empty())
    return invalid("messages: the final assistant message has `tool_use` blocks without results");
  return std::nullopt;
}

struct tool_def {
  std::string name;
  json::value schema;
};

core::result<answer, api_error> decide(const json::object& req, const fault_spec& f,
                                       std::string_view version, std::uint64_t seed) {
  answer a;
  a.seed = seed;
  a.id = "msg_01" + alnum_id(seed, 22);
  a.model = f.base_model;
  if (a.model.empty()) return invalid("model: Field required");
  const json::value* mt = get(req, "max_tokens");
  if (mt == nullptr || !mt->is_number()) return invalid("max_tokens: Field required");
  const std::int64_t max_tokens = mt->to_number<std::int64_t>();
  if (max_tokens < 1) return invalid("max_tokens: Input should be greater than or equal to 1");
  const json::value* msgs = get(req, "messages");
  if (msgs == nullptr || !msgs->is_array() || msgs->as_array().empty())
    return invalid("messages: at least one message is required");
  const json::value* stream = get(req, "stream");
  a.stream = stream && stream->is_bool() && stream->as_bool();

  // §3.1 / §3.2 sampling rules.
  if (version == "2026-10-21") {
    for (std::string_view k : {"temperature", "top_p", "top_k"})
      if (get(req, k)) return invalid(std::string(k) + ": Extra inputs are not permitted");
  }
  if (get(req, "temperature") && get(req, "top_p") && claude_version(a.model) >= 41)
    return invalid("`temperature` and `top_p` cannot both be specified for this model. Please use only one.");
  if (const json::value* t = get(req, "temperature"); t && (!t->is_number() || t->to_number<double>() > 1.0))
    return invalid("temperature: Input should be less than or equal to 1");

  // Thinking.
  bool thinking_on = false;
  if (const json::value* th = get(req, "thinking"); th && th->is_object()) {
    const std::string_view type = str(th->as_object(), "type");
    if (type == "enabled") {
      const json::value* b = get(th->as_object(), "budget_tokens");
      if (b == nullptr || !b->is_number() || b->to_number<std::int64_t>() < 1024)
        return invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
      if (b->to_number<std::int64_t>() >= max_tokens)
        return invalid("`max_tokens` must be greater than `thinking.budget_tokens`");
      thinking_on = true;
    } else if (type == "adaptive") {
      thinking_on = true;
    } else if (type != "disabled") {
      return invalid("thinking.type: Input should be 'enabled', 'disabled' or 'adaptive'");
    }
  }

  // Tools.
  std::vector<tool_def> tools;
  if (const json::value* tv = get(req, "tools"); tv && tv->is_array()) {
    for (std::size_t i = 0; i < tv->as_array().size(); ++i) {
      const json::value& t = tv->as_array()[i];
      const json::object* to = t.if_object();
      const json::value* schema = to ? get(*to, "input_schema") : nullptr;
      if (to == nullptr || str(*to, "name").empty()) return invalid("tools." + std::to_string(i) + ".name: Field required");
      if (schema == nullptr || !schema->is_object() || str(schema->as_object(), "type") != "object")
        return invalid("tools." + std::to_string(i) + ".input_schema.type: Input should be 'object'");
      tools.push_back(tool_def{std::string(str(*to, "name")), *schema});
    }
  }
  std::string choice = "auto", chosen_name;
  bool no_parallel = false;
  if (const json::value* tc = get(req, "tool_choice"); tc && tc->is_object()) {
    choice = std::string(str(tc->as_object(), "type"));
    chosen_name = std::string(str(tc->as_object(), "name"));
    if (const json::value* d = get(tc->as_object(), "disable_parallel_tool_use"); d && d->is_bool())
      no_parallel = d->as_bool();
    if (choice != "auto" && choice != "any" && choice != "none" && choice != "tool")
      return invalid("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
    if (tools.empty() && choice != "none") return invalid("tool_choice may only be specified while providing tools.");
    if (choice == "tool" && std::none_of(tools.begin(), tools.end(), [&](const tool_def& t) { return t.name == chosen_name; }))
      return invalid("tool_choice.name: tool '" + chosen_name + "' not found in tools");
  }
  if (thinking_on && (choice == "any" || choice == "tool"))
    return invalid("Thinking may not be enabled when tool_choice forces tool use.");

  history h;
  if (auto e = check_messages(msgs->as_array(), thinking_on, h)) return *e;
  if (const json::value* s = get(req, "system")) h.bytes += json::serialize(*s).size();
  if (const json::value* s = get(req, "system"); s && s->is_array())
    for (const auto& b : s->as_array())
      if (b.is_object() && get(b.as_object(), "cache_control")) h.cache_control = true;

  // Decide.
  const std::vector<std::string> w = words(h.last_user_text, 8);
  std::string topic;
  for (const auto& x : w) topic += (topic.empty() ? "" : " ") + x;
  if (thinking_on) {
    block b{"thinking", pieces("Mock thinking about: " + (topic.empty() ? std::string("the request") : topic)), {}, {}, {}, {}};
    std::string all;
    for (const auto& p : b.pieces) all += p;
    b.signature = anthropic_wire::signature_for(all);
    a.blocks.push_back(std::move(b));
  }
  std::string lower = h.last_user_text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool wants_tools = !tools.empty() && choice != "none" &&
                           (choice == "any" || choice == "tool" ||
                            (!h.last_is_tool_result && lower.find("tool") != std::string::npos));
  if (wants_tools) {
    std::vector<const tool_def*> chosen;
    for (const auto& t : tools) {
      if (no_parallel && !chosen.empty()) break;  // disable_parallel_tool_use: one call
      if (choice != "tool" || t.name == chosen_name) chosen.push_back(&t);
    }
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      block b{"tool_use", {}, {}, "toolu_01" + alnum_id(seed ^ (0x70 + i), 22), chosen[i]->name,
              json::serialize(minimal_instance(chosen[i]->schema))};
      a.blocks.push_back(std::move(b));
    }
    a.stop_reason = "tool_use";
  } else {
    std::string text = "Mock answer to: " + topic;
    if (topic.empty()) text = "Mock answer.";
    const json::object* oc = get(req, "output_config") ? get(req, "output_config")->if_object() : nullptr;
    const json::value* fmt = oc ? get(*oc, "format") : nullptr;
    if (fmt && fmt->is_object() && str(fmt->as_object(), "type") == "json_schema") {
      const json::value* schema = get(fmt->as_object(), "schema");
      text = json::serialize(minimal_instance(schema ? *schema : json::value(json::object{{"type", "object"}})));
    }
    block b{"text", f.chunks ? split_utf8(text, std::max<std::size_t>(1, text.size() / *f.chunks)) : pieces(text),
            {}, {}, {}, {}};
    if (static_cast<std::int64_t>(b.pieces.size()) > max_tokens) {
      b.pieces.resize(static_cast<std::size_t>(max_tokens));
      a.stop_reason = "max_tokens";
    }
    a.blocks.push_back(std::move(b));
  }
  if (const json::value* ss = get(req, "stop_sequences"); ss && !ss->is_array())
    return invalid("stop_sequences: Input should be a valid list");

  const std::uint32_t prompt = static_cast<std::uint32_t>((h.bytes + 3) / 4) + 8;
  // Prompt caching: a request with cache_control reads most of its prompt from cache.
  if (h.cache_control) {
    a.cache_read = prompt / 2;
    a.input_tokens = prompt - a.cache_read;
  } else {
    a.input_tokens = prompt;
  }
  for (const auto& b : a.blocks) a.output_tokens += static_cast<std::uint32_t>(b.pieces.size() + (b.input.size() + 3) / 4);
  a.output_tokens = std::max<std::uint32_t>(1, a.output_tokens);
  return a;
}

}  // namespace

std::optional<response_plan> handle_anthropic(const mock_request& req, const mock_context&) {
  std::string_view path = req.target.substr(0, req.target.find('?'));
  if (path != "/v1/messages") return std::nullopt;
  const std::uint64_t seed = hash64(req.body, 0xa17);
  if (req.method != "POST") {
    auto p = anthropic_wire::render_error(api_error{405, "invalid_request_error", "Method not allowed", {}, {}}, seed, nullptr);
    p.header("Allow", "POST");
    return p;
  }
  if (req.x_api_key.empty() && !has_bearer(req.authorization))
    return anthropic_wire::render_error(
        api_error{401, "authentication_error", "x-api-key header is required", {}, {}}, seed, nullptr);
  if (req.anthropic_version.empty())
    return anthropic_wire::render_error(invalid("anthropic-version: header is required"), seed, nullptr);
  if (req.anthropic_version != "2023-06-01" && req.anthropic_version != "2026-10-21")
    return anthropic_wire::render_error(
        invalid("anthropic-version: invalid version '" + std::string(req.anthropic_version) + "'"), seed, nullptr);

  boost::system::error_code ec;
  json::value body = json::parse(req.body, ec);
  if (ec || !body.is_object())
    return anthropic_wire::render_error(invalid("There was an error parsing the body: not valid JSON"), seed, nullptr);
  const json::object& o = body.as_object();
  const std::string_view model = str(o, "model");
  auto fault = parse_model_fault(model);
  if (fault && !req.mock_fault.empty()) fault = apply_fault_header(std::move(fault).value(), req.mock_fault);
  if (fault) fault = realize(std::move(fault).value(), req.body);
  if (!fault) return anthropic_wire::render_error(invalid("model: " + fault.error().message), seed, nullptr);
  const fault_spec& f = fault.value();
  if (f.kind == fault_kind::reset || f.kind == fault_kind::hang) {
    response_plan p;
    p.latency_ms = f.latency_ms;
    p.hang_ms = f.hang_ms;
    p.ending = f.kind == fault_kind::reset ? plan_ending::reset : plan_ending::hang;
    return p;
  }
  switch (f.kind) {
    case fault_kind::http_status:
    case fault_kind::rate_limit:
    case fault_kind::insufficient_quota:
    case fault_kind::context_length:
    case fault_kind::overloaded:
    case fault_kind::server_error:
      return anthropic_wire::render_error(anthropic_wire::fault_error(f), seed, &f);
    case fault_kind::none:
    case fault_kind::reset:
    case fault_kind::close_mid_stream:
    case fault_kind::stream_error:
    case fault_kind::hang:
    case fault_kind::invalid_json:
    case fault_kind::wrong_content_type:
    case fault_kind::truncated:
    case fault_kind::endless:
    case fault_kind::oversized: break;
  }
  auto a = decide(o, f, req.anthropic_version, seed);
  if (!a) return anthropic_wire::render_error(a.error(), seed, &f);
  return anthropic_wire::render_answer(a.value(), f);
}

}  // namespace gi::mock
