// Canonical request -> Converse / ConverseStream request (providers.md §9.2, §10.1, §11).
// Nothing is dropped silently: dropped fields are reported as "field:reason" through
// target.warnings; what Bedrock cannot express fails with invalid_request naming the field.

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "providers/bedrock/codec.h"
#include "providers/tool_state_store.h"

namespace gi::providers::bedrock {

namespace json = boost::json;

namespace {

struct data_url {
  std::string mime;
  std::string base64;
};

std::optional<data_url> parse_data_url(std::string_view url) {
  if (!url.starts_with("data:")) return std::nullopt;
  auto comma = url.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  std::string_view meta = url.substr(5, comma - 5);
  if (!meta.ends_with(";base64")) return std::nullopt;
  return data_url{std::string(meta.substr(0, meta.size() - 7)), std::string(url.substr(comma + 1))};
}

// Claude family on Bedrock: base ids, inference profiles (us./eu./apac./global.) and ARNs.
bool is_claude(std::string_view model) { return model.find("anthropic.claude") != std::string_view::npos; }

class encoder {
 public:
  encoder(const core::chat_request& r, const target& t) : r_(r), t_(t) {}
  core::result<core::upstream_request> run();

 private:
  void warn(std::string_view field, std::string_view reason = "dropped") {
    std::string w = std::string(field) + ":" + std::string(reason);
    if (std::find(warnings_.begin(), warnings_.end(), w) == warnings_.end()) warnings_.push_back(std::move(w));
  }
  void fail(std::string message, std::string param, std::string code = "unsupported_parameter") {
    if (!err_) err_ = core::invalid_request(std::move(message), std::move(param), std::move(code));
  }
  void unsupported(std::string_view what, std::string param) {
    fail(std::string(what) + " is not supported by provider 'bedrock'", std::move(param));
  }

  void messages();
  bool user_parts(const core::message& m, std::size_t i, json::array& out);
  void push(std::string_view role, json::array blocks);
  void inference_config();
  void tools();
  void output_format();
  void extras();

  const core::chat_request& r_;
  const target& t_;
  json::object body_;
  json::array system_;
  json::array messages_;
  json::object additional_;
  std::vector<std::string> warnings_;
  std::optional<core::error> err_;
  bool tool_history_ = false;
  std::set<std::string> history_tool_names_;
};

void encoder::push(std::string_view role, json::array blocks) {
  if (blocks.empty()) return;
  // Roles must alternate (§9.2): merge consecutive same-role messages.
  if (!messages_.empty()) {
    json::object& last = messages_.back().as_object();
    if (last.at("role").as_string() == role) {
      json::array& c = last.at("content").as_array();
      for (auto& b : blocks) c.push_back(std::move(b));
      return;
    }
  }
  messages_.push_back(json::object{{"role", role}, {"content", std::move(blocks)}});
}

bool encoder::user_parts(const core::message& m, std::size_t i, json::array& out) {
  if (const auto* s = std::get_if<std::string>(&m.content)) {
    if (!s->empty()) out.push_back(json::object{{"text", *s}});
    return true;
  }
  const auto* parts = std::get_if<std::vector<core::content_part>>(&m.content);
  if (parts == nullptr) return true;
  for (std::size_t k = 0; k < parts->size(); ++k) {
    const std::string at = "messages[" + std::to_string(i) + "].content[" + std::to_string(k) + "]";
    const auto& p = (*parts)[k];
    if (const auto* t = std::get_if<core::text_part>(&p)) {
      if (!t->text.empty()) out.push_back(json::object{{"text", t->text}});
    } else if (const auto* rf = std::get_if<core::refusal_part>(&p)) {
      if (!rf->refusal.empty()) out.push_back(json::object{{"text", rf->refusal}});
    } else if (const auto* img = std::get_if<core::image_part>(&p)) {
      auto d = parse_data_url(img->url);
      // §9.2: HTTP URLs are not accepted; the codec does no I/O, so only inline data.
      if (!d) {
        fail("image URLs are not supported by provider 'bedrock'; send the image inline as a base64 data URL",
             at + ".image_url.url", "unsupported_image_url");
        return false;
      }
      std::string fmt = d->mime.starts_with("image/") ? d->mime.substr(6) : "";
      if (fmt == "jpg") fmt = "jpeg";
      if (fmt != "png" && fmt != "jpeg" && fmt != "gif" && fmt != "webp") {
        fail("image type '" + d->mime + "' is not supported by provider 'bedrock' (png, jpeg, gif, webp)",
             at + ".image_url.url", "unsupported_image_type");
        return false;
      }
      out.push_back(json::object{
          {"image", json::object{{"format", fmt}, {"source", json::object{{"bytes", d->base64}}}}}});
    } else if (const auto* f = std::get_if<core::file_part>(&p)) {
      auto d = parse_data_url(f->file_data);
      static const std::unordered_map<std::string_view, std::string_view> formats = {
          {"application/pdf", "pdf"}, {"text/csv", "csv"}, {"text/html", "html"},
          {"text/plain", "txt"}, {"text/markdown", "md"}, {"application/msword", "doc"},
          {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
          {"application/vnd.ms-excel", "xls"},
          {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"}};
      auto it = d ? formats.find(d->mime) : formats.end();
      if (it == formats.end()) {
        unsupported("this file input (only inline pdf, csv, doc, docx, xls, xlsx, html, txt, md)", at + ".file");
        return false;
      }
      // Document names: alphanumerics, single spaces, hyphens, parentheses, brackets.
      std::string name;
      for (char c : f->filename.empty() ? std::string("document") : f->filename.substr(0, f->filename.rfind('.'))) {
        const auto uc = static_cast<unsigned char>(c);
        name.push_back(std::isalnum(uc) != 0 || c == '-' || c == '(' || c == ')' || c == '[' || c == ']' ? c : ' ');
      }
      if (name.empty()) name = "document";
      out.push_back(json::object{{"document", json::object{{"format", it->second},
                                                            {"name", name},
                                                            {"source", json::object{{"bytes", d->base64}}}}}});
    } else {
      unsupported("audio input", at);
      return false;
    }
  }
  return true;
}

void encoder::messages() {
  std::unordered_map<std::string, std::string> call_names;  // canonical id -> name
  for (std::size_t i = 0; i < r_.messages.size() && !err_; ++i) {
    const core::message& m = r_.messages[i];
    const std::string at = "messages[" + std::to_string(i) + "]";
    if (m.name) warn("messages[].name");
    switch (m.role) {
      case core::role::system:
      case core::role::developer: {
        std::string text = m.joined_text();
        if (!text.empty()) system_.push_back(json::object{{"text", std::move(text)}});
        break;
      }
      case core::role::user: {
        json::array blocks;
        if (!user_parts(m, i, blocks)) return;
        push("user", std::move(blocks));
        break;
      }
      case core::role::assistant: {
        json::array blocks;
        // §11.4: re-attach this turn's reasoning (with its signature) when the same
        // provider and model produced it; otherwise continue without it.
        if (!m.tool_calls.empty() && t_.tool_state != nullptr) {
          for (const auto& tc : m.tool_calls) {
            auto st = t_.tool_state->get(tc.id, t_.now);
            if (!st || st->provider != core::provider_kind::bedrock ||
                st->type != tool_state_type::thinking_blocks || st->model != t_.model)
              continue;
            boost::system::error_code ec;
            json::value v = json::parse(st->data, ec);
            if (!ec && v.is_array())
              for (auto& b : v.as_array()) blocks.push_back(std::move(b));
            break;
          }
        }
        std::string text = m.joined_text();
        if (!text.empty()) blocks.push_back(json::object{{"text", std::move(text)}});
        if (m.reasoning_content) warn(at + ".reasoning_content");
        for (std::size_t k = 0; k < m.tool_calls.size(); ++k) {
          const auto& tc = m.tool_calls[k];
          const std::string tat = at + ".tool_calls[" + std::to_string(k) + "]";
          if (tc.type != "function") {
            unsupported("a custom tool call", tat + ".type");
            return;
          }
          json::value input = json::object{};
          if (!tc.arguments.empty()) {
            boost::system::error_code ec;
            input = json::parse(tc.arguments, ec);
            if (ec || !input.is_object()) {
              fail("tool call arguments must be a JSON object for provider 'bedrock'",
                   tat + ".function.arguments", "invalid_tool_arguments");
              return;
            }
          }
          call_names[tc.id] = tc.name;
          history_tool_names_.insert(tc.name);
          tool_history_ = true;
          blocks.push_back(json::object{{"toolUse", json::object{{"toolUseId", to_upstream_id(tc.id)},
                                                                  {"name", tc.name},
                                                                  {"input", std::move(input)}}}});
        }
        push("assistant", std::move(blocks));
        break;
      }
      case core::role::tool: {
        if (call_names.find(m.tool_call_id) == call_names.end()) {
          // §11.3: Bedrock would reject it anyway, with a less clear error.
          fail("tool_call_id '" + m.tool_call_id + "' does not match any earlier tool call",
               at + ".tool_call_id", "");
          return;
        }
        tool_history_ = true;
        json::array content;
        content.push_back(json::object{{"text", m.joined_text()}});
        push("user", json::array{json::object{
                         {"toolResult", json::object{{"toolUseId", to_upstream_id(m.tool_call_id)},
                                                     {"content", std::move(content)},
                                                     {"status", "success"}}}}});
        break;
      }
      case core::role::function:
        unsupported("the legacy 'function' role", at + ".role");
        return;
    }
  }
  if (err_) return;
  if (messages_.empty()) {
    fail("at least one user message is required by provider 'bedrock'", "messages", "");
    return;
  }
  if (!system_.empty()) body_["system"] = std::move(system_);
  body_["messages"] = std::move(messages_);
}

void encoder::inference_config() {
  json::object ic;
  if (r_.max_completion_tokens) ic["maxTokens"] = *r_.max_completion_tokens;
  if (r_.temperature) ic["temperature"] = *r_.temperature;
  if (r_.top_p) ic["topP"] = *r_.top_p;
  if (!r_.stop.empty()) {
    json::array a;
    for (const auto& s : r_.stop) a.emplace_back(s);
    ic["stopSequences"] = std::move(a);
  }
  if (!ic.empty()) body_["inferenceConfig"] = std::move(ic);
  if (r_.n && *r_.n > 1) {
    unsupported("n > 1", "n");
    return;
  }
  if (r_.seed) warn("seed");
  if (r_.user) warn("user");
  if (r_.safety_identifier) warn("safety_identifier");
  if (r_.frequency_penalty) warn("frequency_penalty");
  if (r_.presence_penalty) warn("presence_penalty");
  if (r_.logit_bias) warn("logit_bias");
  if (r_.logprobs) warn("logprobs");
  if (r_.top_logprobs) warn("top_logprobs");
  if (r_.verbosity) warn("verbosity");
  if (r_.service_tier) warn("service_tier");
  if (r_.prompt_cache_key) warn("prompt_cache_key");
  if (r_.metadata) warn("metadata");
  if (r_.stream_options && r_.stream_options->include_obfuscation) warn("stream_options.include_obfuscation");
  if (r_.reasoning_effort) {
    // §10.1: Claude extended thinking through additionalModelRequestFields.
    if (is_claude(t_.model)) {
      const std::string& e = *r_.reasoning_effort;
      std::int64_t budget = e == "minimal" || e == "low" ? 1024 : e == "medium" ? 4096 : 16384;
      if (e == "none") {
        additional_["thinking"] = json::object{{"type", "disabled"}};
      } else {
        additional_["thinking"] = json::object{{"type", "enabled"}, {"budget_tokens", budget}};
      }
    } else {
      warn("reasoning_effort", "unsupported_by_model");
    }
  }
}

void encoder::tools() {
  const core::tool_choice& tc = r_.tool_choice;
  json::array specs;
  std::set<std::string> offered;
  for (std::size_t i = 0; i < r_.tools.size(); ++i) {
    const core::tool& t = r_.tools[i];
    if (t.type != "function") {
      unsupported("tool type '" + t.type + "'", "tools[" + std::to_string(i) + "].type");
      return;
    }
    json::object spec{{"name", t.function.name}};
    if (t.function.description && !t.function.description->empty())
      spec["description"] = *t.function.description;
    spec["inputSchema"] = json::object{
        {"json", t.function.parameters ? *t.function.parameters
                                       : json::value(json::object{{"type", "object"}, {"properties", json::object{}}})}};
    if (t.function.strict) spec["strict"] = *t.function.strict;
    offered.insert(t.function.name);
    specs.push_back(json::object{{"toolSpec", std::move(spec)}});
  }
  json::object choice;
  switch (tc.mode) {
    case core::tool_choice_mode::unset:
    case core::tool_choice_mode::auto_: break;
    case core::tool_choice_mode::required: choice["any"] = json::object{}; break;
    case core::tool_choice_mode::function: choice["tool"] = json::object{{"name", tc.name}}; break;
    case core::tool_choice_mode::none:
      // §9.2: no `none`. Without tool history the tools are simply not offered; with it,
      // toolConfig must stay (auto).
      if (!tool_history_) {
        if (!specs.empty()) warn("tool_choice", "none_emulated_by_omitting_tools");
        return;
      }
      warn("tool_choice", "none_unsupported");
      break;
    case core::tool_choice_mode::allowed_tools:
    case core::tool_choice_mode::custom:
      unsupported(tc.mode == core::tool_choice_mode::custom ? "tool_choice of type 'custom'"
                                                            : "tool_choice of type 'allowed_tools'",
                  "tool_choice");
      return;
  }
  if (r_.parallel_tool_calls && !*r_.parallel_tool_calls) warn("parallel_tool_calls");
  // §9.2: toolUse / toolResult history needs a toolConfig; declare the tools it names.
  for (const auto& name : history_tool_names_) {
    if (offered.count(name) != 0) continue;
    specs.push_back(json::object{{"toolSpec", json::object{{"name", name},
                                                           {"inputSchema", json::object{{"json", json::object{{"type", "object"}}}}}}}});
  }
  if (specs.empty()) return;
  json::object cfg{{"tools", std::move(specs)}};
  if (!choice.empty()) cfg["toolChoice"] = std::move(choice);
  body_["toolConfig"] = std::move(cfg);
}

void encoder::output_format() {
  const core::response_format& rf = r_.response_format;
  switch (rf.type) {
    case core::response_format_type::unset:
    case core::response_format_type::text: return;
    case core::response_format_type::json_object: {
      // §10.1: no JSON mode; an instruction in the system prompt.
      json::array& sys = body_["system"].is_array() ? body_["system"].as_array()
                                                    : body_["system"].emplace_array();
      sys.push_back(json::object{{"text", "Respond only with a single valid JSON object and nothing else."}});
      return;
    }
    case core::response_format_type::json_schema: break;
  }
  // §9.2: structure.jsonSchema.schema is a JSON *string*.
  json::object js{{"schema", json::serialize(rf.schema ? *rf.schema : json::value(json::object{}))}};
  if (!rf.name.empty()) js["name"] = rf.name;
  if (rf.description) js["description"] = *rf.description;
  body_["outputConfig"] = json::object{
      {"textFormat", json::object{{"type", "json_schema"}, {"structure", json::object{{"jsonSchema", std::move(js)}}}}}};
}

void encoder::extras() {
  for (const auto& kv : r_.passthrough) {
    const std::string_view k = kv.key();
    // Model-specific parameters go to additionalModelRequestFields verbatim (§9.2).
    if (k == "additionalModelRequestFields" && kv.value().is_object()) {
      for (const auto& a : kv.value().as_object()) additional_[a.key()] = a.value();
    } else if (k == "top_k") {
      additional_["top_k"] = kv.value();
    } else if (k == "thinking" && is_claude(t_.model)) {
      additional_["thinking"] = kv.value();
    } else if (k == "audio" || k == "functions" || k == "function_call") {
      std::string what = "the '";
      what.append(k).append("' field");
      unsupported(what, std::string(k));
      return;
    } else {
      warn(k);
    }
  }
  if (!additional_.empty()) body_["additionalModelRequestFields"] = std::move(additional_);
}

core::result<core::upstream_request> encoder::run() {
  messages();
  if (!err_) inference_config();
  if (!err_) tools();
  if (!err_) output_format();
  if (!err_) extras();
  if (err_) return std::move(*err_);

  core::upstream_request out;
  out.method = "POST";
  out.path = t_.path_prefix + model_path(t_.model, r_.stream);
  out.stream = r_.stream;
  out.headers.emplace_back("host", t_.host.empty() ? default_host(t_.region) : t_.host);
  out.headers.emplace_back("content-type", "application/json");
  out.headers.emplace_back("accept", r_.stream ? "application/vnd.amazon.eventstream" : "application/json");
  out.body = json::serialize(body_);
  if (t_.warnings != nullptr) t_.warnings->insert(t_.warnings->end(), warnings_.begin(), warnings_.end());
  return out;
}

}  // namespace

core::result<core::upstream_request> encode_request(const core::chat_request& req, const target& tgt) {
  return encoder(req, tgt).run();
}

}  // namespace gi::providers::bedrock
