#include "mock/openai_answer.h"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>

#include "mock/schema_values.h"

namespace gi::mock {
namespace {

namespace json = boost::json;

constexpr std::size_t answer_words = 8;

const json::value* get(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it == o.end() ? nullptr : &it->value();
}

std::string_view str(const json::object& o, std::string_view k) {
  const json::value* v = get(o, k);
  return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view{};
}

// Text of a message's content: a string, or the text parts of an array joined by spaces.
std::string content_text(const json::value* content) {
  if (content == nullptr) return {};
  if (content->is_string()) return std::string(content->as_string());
  std::string out;
  if (!content->is_array()) return out;
  for (const auto& part : content->as_array()) {
    if (!part.is_object()) continue;
    const auto& p = part.as_object();
    if (str(p, "type") != "text") continue;
    if (!out.empty()) out += ' ';
    out += str(p, "text");
  }
  return out;
}

std::vector<std::string> words_of(std::string_view s, std::size_t limit) {
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

bool mentions_tool(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("tool") != std::string::npos;
}

bool is_reasoning_model(dialect d, std::string_view model) {
  switch (d) {
    case dialect::deepseek: return model.find("reasoner") != std::string_view::npos;
    case dialect::xai: return model.starts_with("grok-3-mini");
    case dialect::openai:
    case dialect::groq:
    case dialect::mistral: return false;
  }
  return false;
}

// xAI reasoning models reject penalties and stop (§8.2).
bool xai_rejects_sampling(std::string_view model) {
  return model.starts_with("grok-3-mini") || model.starts_with("grok-4");
}

// o-series and gpt-5 reject the deprecated max_tokens (§2.2).
bool openai_reasoning_family(std::string_view model) {
  return model.starts_with("o1") || model.starts_with("o3") || model.starts_with("o4") ||
         model.starts_with("gpt-5");
}

bool mistral_id_ok(std::string_view id) {
  return id.size() == 9 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
           return std::isalnum(c) != 0;
         });
}

error_detail problem(error_case c, std::string message, std::string param = {}) {
  return error_detail{c, 0, std::move(message), std::move(param)};
}

// Pieces for the content: one per word (with the leading space), or `chunks` pieces.
std::vector<std::string> pieces_of(const std::string& text, std::optional<std::uint32_t> chunks) {
  if (!chunks) {
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
  std::string padded = text;
  while (padded.size() < *chunks) padded += " more";
  const std::size_t n = *chunks;
  const std::size_t per = std::max<std::size_t>(1, padded.size() / n);
  std::vector<std::string> out = split_utf8(padded, per);
  // Merge the tail so there are exactly n pieces.
  while (out.size() > n) {
    out[out.size() - 2] += out.back();
    out.pop_back();
  }
  return out;
}

std::uint32_t approx_tokens(std::size_t bytes) { return static_cast<std::uint32_t>((bytes + 3) / 4); }

struct tool_def {
  std::string_view name;
  const json::value* parameters;
};

}  // namespace

std::string chat_answer::content() const {
  std::string out;
  for (const auto& p : content_pieces) out += p;
  return out;
}

std::string chat_answer::reasoning() const {
  std::string out;
  for (const auto& p : reasoning_pieces) out += p;
  return out;
}

std::vector<std::string> split_utf8(std::string_view s, std::size_t n) {
  std::vector<std::string> out;
  if (n == 0) n = 1;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = std::min(s.size(), i + n);
    // Never cut inside a code point: back off over continuation bytes (10xxxxxx).
    while (j < s.size() && j > i + 1 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
    if (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) {
      while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
    }
    out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

core::result<chat_answer, error_detail> decide_answer(dialect d, const json::object& req,
                                                      const fault_spec& fault, std::uint64_t seed) {
  chat_answer a;
  a.seed = seed;
  a.id = completion_id(d, seed);
  a.model = fault.base_model;
  if (a.model.empty()) return problem(error_case::invalid_request, "you must provide a model parameter", "model");

  const json::value* msgs = get(req, "messages");
  if (msgs == nullptr || !msgs->is_array() || msgs->as_array().empty()) {
    return problem(error_case::invalid_request, "'messages' must be a non-empty array", "messages");
  }
  const json::value* stream = get(req, "stream");
  a.stream = stream && stream->is_bool() && stream->as_bool();
  if (const json::value* so = get(req, "stream_options"); so && so->is_object()) {
    if (!a.stream && d == dialect::openai) {
      return problem(error_case::invalid_request,
                     "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                     "stream_options");
    }
    const json::value* iu = get(so->as_object(), "include_usage");
    a.include_usage = iu && iu->is_bool() && iu->as_bool();
  }

  // --- dialect-specific rejections (what the real API answers 400 to) ---
  const bool reasoning = is_reasoning_model(d, a.model);
  switch (d) {
    case dialect::groq:  // §6.2
      for (std::string_view f : {"logprobs", "logit_bias", "top_logprobs"}) {
        if (const auto* v = get(req, f); v && !v->is_null() && !(v->is_bool() && !v->as_bool())) {
          return problem(error_case::unsupported_param, "property '" + std::string(f) + "' is unsupported", std::string(f));
        }
      }
      if (const auto* n = get(req, "n"); n && n->is_int64() && n->as_int64() != 1) {
        return problem(error_case::invalid_request, "'n' : number must be at most 1", "n");
      }
      break;
    case dialect::deepseek:  // §7.3
      if (reasoning && get(req, "logprobs")) {
        return problem(error_case::unsupported_param, "logprobs is not supported for deepseek-reasoner", "logprobs");
      }
      break;
    case dialect::xai:  // §8.2
      if (xai_rejects_sampling(a.model)) {
        for (std::string_view f : {"presence_penalty", "frequency_penalty", "stop"}) {
          if (get(req, f)) {
            return problem(error_case::unsupported_param,
                           "Argument not supported on this model: " + std::string(f), std::string(f));
          }
        }
      }
      break;
    case dialect::openai:  // §2.2
      if (openai_reasoning_family(a.model) && get(req, "max_tokens")) {
        return problem(error_case::unsupported_param,
                       "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                       "'max_completion_tokens' instead.",
                       "max_tokens");
      }
      break;
    case dialect::mistral: break;
  }

  // --- messages: prompt size, last user text, per-dialect history rules ---
  std::size_t prompt_bytes = 0;
  std::string last_user;
  bool last_is_user = false;
  const auto& arr = msgs->as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_object()) {
      return problem(error_case::invalid_request, "messages[" + std::to_string(i) + "] must be an object", "messages");
    }
    const auto& m = arr[i].as_object();
    const std::string_view role = str(m, "role");
    if (role.empty()) {
      return problem(error_case::invalid_request, "messages[" + std::to_string(i) + "].role is required", "messages");
    }
    const std::string text = content_text(get(m, "content"));
    prompt_bytes += text.size() + 16;
    if (d == dialect::groq && get(m, "name")) {  // §6.2
      return problem(error_case::unsupported_param, "'messages." + std::to_string(i) + "' : property 'name' is unsupported",
                     "messages");
    }
    if (d == dialect::mistral) {  // §5.2 hard tool-id rule
      if (role == "tool") {
        const std::string_view id = str(m, "tool_call_id");
        if (!mistral_id_ok(id)) {
          return problem(error_case::mistral_tool_id, "Tool call id was " + std::string(id) +
                                                         " but must be a-z, A-Z, 0-9, with a length of 9.");
        }
      }
      if (const auto* tcs = get(m, "tool_calls"); role == "assistant" && tcs && tcs->is_array()) {
        for (const auto& tc : tcs->as_array()) {
          const std::string_view id = tc.is_object() ? str(tc.as_object(), "id") : "";
          if (!mistral_id_ok(id)) {
            return problem(error_case::mistral_tool_id, "Tool call id was " + std::string(id) +
                                                           " but must be a-z, A-Z, 0-9, with a length of 9.");
          }
        }
      }
    }
    last_is_user = role == "user";
    if (last_is_user) last_user = text;
  }
  a.prompt_tokens = std::max<std::uint32_t>(1, approx_tokens(prompt_bytes));

  // --- tools ---
  std::vector<tool_def> tools;
  if (const auto* tv = get(req, "tools"); tv && tv->is_array()) {
    for (const auto& t : tv->as_array()) {
      if (!t.is_object() || str(t.as_object(), "type") != "function") continue;
      const auto* fn = get(t.as_object(), "function");
      if (!fn || !fn->is_object()) continue;
      const std::string_view name = str(fn->as_object(), "name");
      if (name.empty()) return problem(error_case::invalid_request, "tools[].function.name is required", "tools");
      tools.push_back({name, get(fn->as_object(), "parameters")});
    }
  }
  bool force = false;
  bool allow = !tools.empty();
  std::string_view named;
  std::vector<std::string_view> allowed;
  if (const auto* tc = get(req, "tool_choice"); tc && !tools.empty()) {
    if (tc->is_string()) {
      const std::string_view c = tc->as_string();
      if (c == "none") allow = false;
      force = c == "required" || c == "any";
    } else if (tc->is_object()) {
      const auto& o = tc->as_object();
      if (str(o, "type") == "function") {
        const auto* fn = get(o, "function");
        named = fn && fn->is_object() ? str(fn->as_object(), "name") : "";
        force = true;
      } else if (str(o, "type") == "allowed_tools") {
        const auto* at = get(o, "allowed_tools");
        if (at && at->is_object()) {
          force = str(at->as_object(), "mode") == "required";
          if (const auto* list = get(at->as_object(), "tools"); list && list->is_array()) {
            for (const auto& e : list->as_array()) {
              const auto* fn = e.is_object() ? get(e.as_object(), "function") : nullptr;
              if (fn && fn->is_object()) allowed.push_back(str(fn->as_object(), "name"));
            }
          }
        }
      }
    }
  }
  const bool call_tools = allow && (force || (last_is_user && mentions_tool(last_user)));
  if (call_tools) {
    std::vector<const tool_def*> chosen;
    if (!named.empty()) {
      auto it = std::find_if(tools.begin(), tools.end(), [&](const tool_def& t) { return t.name == named; });
      if (it == tools.end()) {
        return problem(error_case::invalid_request,
                       "Invalid value for 'tool_choice': function '" + std::string(named) + "' not found in 'tools'.",
                       "tool_choice");
      }
      chosen.push_back(&*it);
    } else {
      for (const auto& t : tools) {
        if (allowed.empty() || std::find(allowed.begin(), allowed.end(), t.name) != allowed.end()) chosen.push_back(&t);
      }
      const auto* ptc = get(req, "parallel_tool_calls");
      if (ptc && ptc->is_bool() && !ptc->as_bool() && chosen.size() > 1) chosen.erase(chosen.begin() + 1, chosen.end());
    }
    std::size_t arg_bytes = 0;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      static const json::value no_params;
      mock_tool_call c;
      c.id = tool_call_id(d, seed, i);
      c.name = std::string(chosen[i]->name);
      c.arguments = json::serialize(minimal_instance(chosen[i]->parameters ? *chosen[i]->parameters : no_params));
      arg_bytes += c.arguments.size() + c.name.size();
      a.tool_calls.push_back(std::move(c));
    }
    if (!a.tool_calls.empty()) {
      a.finish_reason = "tool_calls";
      a.completion_tokens = std::max<std::uint32_t>(1, approx_tokens(arg_bytes));
      return a;
    }
  }

  // --- text or structured output ---
  const std::vector<std::string> words = words_of(last_user, answer_words);
  std::string text = "Mock answer to:";
  if (words.empty()) text = "Mock answer.";
  for (const auto& w : words) text += " " + w;
  if (const auto* rf = get(req, "response_format"); rf && rf->is_object()) {
    const std::string_view type = str(rf->as_object(), "type");
    if (type == "json_schema") {
      const auto* js = get(rf->as_object(), "json_schema");
      const auto* schema = js && js->is_object() ? get(js->as_object(), "schema") : nullptr;
      static const json::value none;
      text = json::serialize(minimal_instance(schema ? *schema : none));
    } else if (type == "json_object") {
      text = json::serialize(json::object{{"answer", text}});
    }
  }
  a.content_pieces = pieces_of(text, fault.chunks);
  if (reasoning) {
    a.reasoning_pieces = pieces_of("Thinking about how to answer: " + text, std::nullopt);
    a.reasoning_tokens = static_cast<std::uint32_t>(a.reasoning_pieces.size());
  }
  std::optional<std::int64_t> max_tokens;
  for (std::string_view k : {"max_completion_tokens", "max_tokens"}) {
    if (const auto* v = get(req, k); v && v->is_int64()) {
      max_tokens = v->as_int64();
      break;
    }
  }
  if (max_tokens && *max_tokens >= 0 &&
      static_cast<std::size_t>(*max_tokens) < a.content_pieces.size() + a.reasoning_pieces.size()) {
    // Reasoning counts against the limit first (§2.2: the limit includes reasoning).
    std::size_t budget = static_cast<std::size_t>(*max_tokens);
    if (a.reasoning_pieces.size() > budget) a.reasoning_pieces.resize(budget);
    budget -= a.reasoning_pieces.size();
    a.reasoning_tokens = static_cast<std::uint32_t>(a.reasoning_pieces.size());
    a.content_pieces.resize(std::min(a.content_pieces.size(), budget));
    a.finish_reason = "length";
  }
  a.completion_tokens = static_cast<std::uint32_t>(a.content_pieces.size()) + a.reasoning_tokens;
  return a;
}

}  // namespace gi::mock
