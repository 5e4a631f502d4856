#include "golden_io.h"

#include <sstream>

#include <boost/json/serialize.hpp>

namespace gi::test::golden {

namespace json = boost::json;

namespace {

std::optional<std::string> opt_str(const json::object& o, std::string_view k) {
  if (const json::value* v = o.if_contains(k); v && v->is_string())
    return std::string(v->get_string());
  return std::nullopt;
}
std::optional<std::int64_t> opt_int(const json::object& o, std::string_view k) {
  if (const json::value* v = o.if_contains(k); v && v->is_number())
    return v->to_number<std::int64_t>();
  return std::nullopt;
}
std::optional<double> opt_num(const json::object& o, std::string_view k) {
  if (const json::value* v = o.if_contains(k); v && v->is_number()) return v->to_number<double>();
  return std::nullopt;
}
std::optional<bool> opt_bool(const json::object& o, std::string_view k) {
  if (const json::value* v = o.if_contains(k); v && v->is_bool()) return v->get_bool();
  return std::nullopt;
}

core::role parse_role(std::string_view r) {
  if (r == "system") return core::role::system;
  if (r == "developer") return core::role::developer;
  if (r == "assistant") return core::role::assistant;
  if (r == "tool") return core::role::tool;
  if (r == "function") return core::role::function;
  return core::role::user;
}

core::message load_message(const json::object& o) {
  core::message m;
  for (const auto& kv : o) {
    const std::string_view k = kv.key();
    const json::value& v = kv.value();
    if (k == "role") {
      m.role = parse_role(v.as_string());
    } else if (k == "content") {
      if (v.is_string()) {
        m.content = std::string(v.get_string());
      } else if (v.is_array()) {
        std::vector<core::content_part> parts;
        for (const json::value& pv : v.get_array()) {
          const json::object& p = pv.as_object();
          const std::string type = opt_str(p, "type").value_or("text");
          if (type == "text") {
            parts.emplace_back(core::text_part{opt_str(p, "text").value_or("")});
          } else if (type == "image_url") {
            const json::object& iu = p.at("image_url").as_object();
            parts.emplace_back(
                core::image_part{opt_str(iu, "url").value_or(""), opt_str(iu, "detail").value_or("")});
          } else if (type == "input_audio") {
            const json::object& ia = p.at("input_audio").as_object();
            parts.emplace_back(core::audio_part{opt_str(ia, "data").value_or(""),
                                                opt_str(ia, "format").value_or("")});
          } else if (type == "file") {
            const json::object& f = p.at("file").as_object();
            parts.emplace_back(core::file_part{opt_str(f, "file_data").value_or(""),
                                               opt_str(f, "file_id").value_or(""),
                                               opt_str(f, "filename").value_or("")});
          } else if (type == "refusal") {
            parts.emplace_back(core::refusal_part{opt_str(p, "refusal").value_or("")});
          }
        }
        m.content = std::move(parts);
      }
    } else if (k == "name") {
      m.name = std::string(v.as_string());
    } else if (k == "refusal") {
      if (v.is_string()) m.refusal = std::string(v.get_string());
    } else if (k == "tool_calls") {
      for (const json::value& tv : v.as_array()) {
        const json::object& t = tv.as_object();
        core::tool_call tc;
        tc.id = opt_str(t, "id").value_or("");
        tc.type = opt_str(t, "type").value_or("function");
        const json::object& f = t.at("function").as_object();
        tc.name = opt_str(f, "name").value_or("");
        tc.arguments = opt_str(f, "arguments").value_or("");
        m.tool_calls.push_back(std::move(tc));
      }
    } else if (k == "tool_call_id") {
      m.tool_call_id = std::string(v.as_string());
    } else if (k == "reasoning_content") {
      if (v.is_string()) m.reasoning_content = std::string(v.get_string());
    } else {
      m.extra[k] = v;
    }
  }
  return m;
}

}  // namespace

core::chat_request load_request(const json::value& v) {
  const json::object& o = v.as_object();
  core::chat_request r;
  for (const auto& kv : o) {
    const std::string_view k = kv.key();
    const json::value& val = kv.value();
    if (k == "model") r.model = std::string(val.as_string());
    else if (k == "messages") {
      for (const json::value& mv : val.as_array()) r.messages.push_back(load_message(mv.as_object()));
    } else if (k == "max_completion_tokens") r.max_completion_tokens = val.to_number<std::int64_t>();
    else if (k == "max_tokens") {
      if (!o.contains("max_completion_tokens")) r.max_completion_tokens = val.to_number<std::int64_t>();
      r.max_tokens_legacy_field = true;
    } else if (k == "temperature") r.temperature = opt_num(o, k);
    else if (k == "top_p") r.top_p = opt_num(o, k);
    else if (k == "n") r.n = opt_int(o, k);
    else if (k == "stop") {
      if (val.is_string()) {
        r.stop.emplace_back(val.get_string());
        r.stop_was_string = true;
      } else if (val.is_array()) {
        for (const json::value& s : val.get_array()) r.stop.emplace_back(s.as_string());
      }
    } else if (k == "seed") r.seed = opt_int(o, k);
    else if (k == "frequency_penalty") r.frequency_penalty = opt_num(o, k);
    else if (k == "presence_penalty") r.presence_penalty = opt_num(o, k);
    else if (k == "logit_bias") r.logit_bias = val.as_object();
    else if (k == "logprobs") r.logprobs = opt_bool(o, k);
    else if (k == "top_logprobs") r.top_logprobs = opt_int(o, k);
    else if (k == "reasoning_effort") r.reasoning_effort = opt_str(o, k);
    else if (k == "verbosity") r.verbosity = opt_str(o, k);
    else if (k == "service_tier") r.service_tier = opt_str(o, k);
    else if (k == "user") r.user = opt_str(o, k);
    else if (k == "safety_identifier") r.safety_identifier = opt_str(o, k);
    else if (k == "prompt_cache_key") r.prompt_cache_key = opt_str(o, k);
    else if (k == "metadata") r.metadata = val.as_object();
    else if (k == "stream") r.stream = val.as_bool();
    else if (k == "stream_options") {
      core::stream_options so;
      so.include_usage = opt_bool(val.as_object(), "include_usage");
      so.include_obfuscation = opt_bool(val.as_object(), "include_obfuscation");
      r.stream_options = so;
    } else if (k == "tools") {
      for (const json::value& tv : val.as_array()) {
        const json::object& t = tv.as_object();
        core::tool tool;
        tool.type = opt_str(t, "type").value_or("function");
        tool.raw = tv;
        if (const json::value* f = t.if_contains("function")) {
          const json::object& fo = f->as_object();
          tool.function.name = opt_str(fo, "name").value_or("");
          tool.function.description = opt_str(fo, "description");
          if (const json::value* p = fo.if_contains("parameters")) tool.function.parameters = *p;
          tool.function.strict = opt_bool(fo, "strict");
        }
        r.tools.push_back(std::move(tool));
      }
    } else if (k == "tool_choice") {
      r.tool_choice.raw = val;
      if (val.is_string()) {
        const std::string_view s = val.get_string();
        r.tool_choice.mode = s == "none"       ? core::tool_choice_mode::none
                             : s == "required" ? core::tool_choice_mode::required
                                               : core::tool_choice_mode::auto_;
      } else {
        const json::object& tc = val.as_object();
        const std::string type = opt_str(tc, "type").value_or("function");
        if (type == "function") {
          r.tool_choice.mode = core::tool_choice_mode::function;
          r.tool_choice.name = opt_str(tc.at("function").as_object(), "name").value_or("");
        } else if (type == "custom") {
          r.tool_choice.mode = core::tool_choice_mode::custom;
          r.tool_choice.name = opt_str(tc.at("custom").as_object(), "name").value_or("");
        } else {
          r.tool_choice.mode = core::tool_choice_mode::allowed_tools;
        }
      }
    } else if (k == "parallel_tool_calls") r.parallel_tool_calls = opt_bool(o, k);
    else if (k == "response_format") {
      const json::object& rf = val.as_object();
      const std::string type = opt_str(rf, "type").value_or("text");
      if (type == "text") r.response_format.type = core::response_format_type::text;
      else if (type == "json_object") r.response_format.type = core::response_format_type::json_object;
      else {
        r.response_format.type = core::response_format_type::json_schema;
        const json::object& js = rf.at("json_schema").as_object();
        r.response_format.name = opt_str(js, "name").value_or("");
        r.response_format.description = opt_str(js, "description");
        if (const json::value* s = js.if_contains("schema")) r.response_format.schema = *s;
        r.response_format.strict = opt_bool(js, "strict");
      }
    } else {
      r.passthrough[k] = val;
    }
  }
  return r;
}

json::value to_json(const core::usage& u) {
  return json::object{{"prompt_tokens", u.prompt_tokens},
                      {"completion_tokens", u.completion_tokens},
                      {"cached_tokens", u.cached_tokens},
                      {"cache_write_tokens", u.cache_write_tokens},
                      {"reasoning_tokens", u.reasoning_tokens}};
}

json::value to_json(const core::chat_response& r) {
  json::object o{{"upstream_id", r.upstream_id}, {"model", r.model}, {"created", r.created}};
  if (r.system_fingerprint) o["system_fingerprint"] = *r.system_fingerprint;
  if (r.service_tier) o["service_tier"] = *r.service_tier;
  json::array choices;
  for (const core::choice& c : r.choices) {
    json::object co{{"index", c.index}, {"finish_reason", core::to_string(c.finish_reason)}};
    if (c.content) co["content"] = *c.content;
    if (c.refusal) co["refusal"] = *c.refusal;
    if (c.reasoning) co["reasoning"] = *c.reasoning;
    if (!c.logprobs.is_null()) co["logprobs"] = c.logprobs;
    json::array tcs;
    for (const core::tool_call& t : c.tool_calls)
      tcs.push_back(json::object{{"id", t.id}, {"type", t.type}, {"name", t.name}, {"arguments", t.arguments}});
    if (!tcs.empty()) co["tool_calls"] = std::move(tcs);
    choices.push_back(std::move(co));
  }
  o["choices"] = std::move(choices);
  if (r.usage) o["usage"] = to_json(*r.usage);
  return o;
}

json::value to_json(const core::error& e) {
  json::object o{{"kind", core::to_string(e.kind)},
                 {"message", e.message},
                 {"code", e.code},
                 {"param", e.param},
                 {"upstream_status", e.upstream_status},
                 {"fallback_allowed", e.fallback_allowed()}};
  o["retry_after_ms"] = e.retry_after ? json::value(e.retry_after->count()) : json::value(nullptr);
  return o;
}

json::value to_json(const core::stream_event& ev) {
  struct visitor {
    json::value operator()(const core::stream_start& s) const {
      json::object o{{"type", "start"}, {"upstream_id", s.upstream_id}, {"model", s.model}, {"created", s.created}};
      if (s.system_fingerprint) o["system_fingerprint"] = *s.system_fingerprint;
      return o;
    }
    json::value operator()(const core::role_delta& d) const {
      return json::object{{"type", "role"}, {"choice", d.choice}};
    }
    json::value operator()(const core::text_delta& d) const {
      return json::object{{"type", "text"}, {"choice", d.choice}, {"text", d.text}};
    }
    json::value operator()(const core::reasoning_delta& d) const {
      return json::object{{"type", "reasoning"}, {"choice", d.choice}, {"text", d.text}};
    }
    json::value operator()(const core::refusal_delta& d) const {
      return json::object{{"type", "refusal"}, {"choice", d.choice}, {"text", d.text}};
    }
    json::value operator()(const core::tool_call_start& d) const {
      return json::object{{"type", "tool_call_start"}, {"choice", d.choice}, {"index", d.index},
                          {"id", d.id}, {"name", d.name}, {"arguments", d.arguments}};
    }
    json::value operator()(const core::tool_call_delta& d) const {
      return json::object{{"type", "tool_call_delta"}, {"choice", d.choice}, {"index", d.index},
                          {"arguments", d.arguments}};
    }
    json::value operator()(const core::finish& d) const {
      return json::object{{"type", "finish"}, {"choice", d.choice}, {"reason", core::to_string(d.reason)}};
    }
    json::value operator()(const core::usage_report& d) const {
      return json::object{{"type", "usage"}, {"usage", to_json(d.usage)}};
    }
    json::value operator()(const core::stream_error& d) const {
      return json::object{{"type", "error"}, {"error", to_json(d.err)}};
    }
    json::value operator()(const core::stream_end&) const { return json::object{{"type", "end"}}; }
  };
  return std::visit(visitor{}, ev);
}

std::map<std::string, std::string> load_case(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto trim = [](std::string s) {
      while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) s.pop_back();
      std::size_t b = s.find_first_not_of(" \t");
      return b == std::string::npos ? std::string() : s.substr(b);
    };
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == '[') continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (key.size() >= 2 && key.front() == '"' && key.back() == '"') key = key.substr(1, key.size() - 2);
    out[key] = value;
  }
  return out;
}

json::value aggregate(const std::vector<json::value>& events) {
  json::object text, reasoning, tools, tool_ids;
  json::value usage = nullptr;
  json::array finishes, errors;
  int ends = 0;
  for (const json::value& ev : events) {
    const json::object& o = ev.as_object();
    const std::string type(o.at("type").as_string());
    auto choice_key = [&] { return std::to_string(o.at("choice").as_int64()); };
    if (type == "text") {
      std::string cur = text.contains(choice_key()) ? std::string(text[choice_key()].as_string()) : "";
      text[choice_key()] = cur + std::string(o.at("text").as_string());
    } else if (type == "reasoning") {
      std::string cur = reasoning.contains(choice_key()) ? std::string(reasoning[choice_key()].as_string()) : "";
      reasoning[choice_key()] = cur + std::string(o.at("text").as_string());
    } else if (type == "tool_call_start" || type == "tool_call_delta") {
      const std::string key = choice_key() + "/" + std::to_string(o.at("index").as_int64());
      std::string cur = tools.contains(key) ? std::string(tools[key].as_string()) : "";
      tools[key] = cur + std::string(o.at("arguments").as_string());
      if (type == "tool_call_start")
        tool_ids[key] = json::array{o.at("id"), o.at("name")};
    } else if (type == "usage") {
      usage = o.at("usage");
    } else if (type == "finish") {
      finishes.push_back(json::array{o.at("choice"), o.at("reason")});
    } else if (type == "error") {
      errors.push_back(o.at("error").as_object().at("kind"));
    } else if (type == "end") {
      ++ends;
    }
  }
  return json::object{{"text", text},       {"reasoning", reasoning}, {"tool_arguments", tools},
                      {"tool_ids", tool_ids}, {"usage", usage},       {"finishes", finishes},
                      {"errors", errors},   {"ends", ends}};
}

}  // namespace gi::test::golden
