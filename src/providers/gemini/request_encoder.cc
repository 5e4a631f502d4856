// Canonical request -> Gemini generateContent request (providers.md §4.2, §4.3, §10.1,
// §11.4). Nothing is dropped silently: dropped fields go to target.warnings as
// "field:dropped"; a field Gemini cannot express fails the encode with an invalid_request
// error whose `param` names it (the router then skips the endpoint as incapable, §10).

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "providers/gemini/codec.h"
#include "providers/gemini/schema.h"
#include "providers/tool_state_store.h"

namespace gi::providers::gemini {

namespace json = boost::json;

bool legacy_schema_model(std::string_view model) noexcept {
  return model.starts_with("gemini-1.") || model.starts_with("gemini-2.0") ||
         model.starts_with("gemini-pro");
}

namespace {

constexpr int max_stop_sequences = 5;  // generationConfig.stopSequences limit

// Gemini 3 takes thinkingLevel; 2.5 takes a token budget (§10.1 reasoning_effort).
bool thinking_level_model(std::string_view model) {
  return model.starts_with("gemini-3") || model.starts_with("gemini-4");
}

// §4.2: function names start with a letter or underscore; letters, digits, _ . : -; ≤ 128.
bool valid_function_name(std::string_view n) {
  if (n.empty() || n.size() > 128) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(n.front())) return false;
  return std::all_of(n.begin(), n.end(), [&](char c) {
    return alpha(c) || (c >= '0' && c <= '9') || c == '.' || c == ':' || c == '-';
  });
}

// Percent-encodes a model id for the path segment (model names never contain '/', §4.1).
std::string path_segment(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      std::string_view("-._~!$&'()*+,;=@").find(static_cast<char>(c)) !=
                          std::string_view::npos;
    if (keep) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

struct data_url {
  std::string mime;
  std::string data;
};
// data:<mime>;base64,<data>
std::optional<data_url> parse_data_url(std::string_view url) {
  if (!url.starts_with("data:")) return std::nullopt;
  url.remove_prefix(5);
  const auto comma = url.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  std::string_view meta = url.substr(0, comma);
  if (!meta.ends_with(";base64")) return std::nullopt;
  meta.remove_suffix(7);
  if (auto semi = meta.find(';'); semi != std::string_view::npos) meta = meta.substr(0, semi);
  if (meta.empty()) return std::nullopt;
  return data_url{std::string(meta), std::string(url.substr(comma + 1))};
}

// Files API / Cloud Storage URIs Gemini reads itself (fileData, §4.2).
bool gemini_file_uri(std::string_view url) {
  return url.starts_with("gs://") ||
         url.starts_with("https://generativelanguage.googleapis.com/") ||
         url.starts_with("files/");
}

std::string mime_from_extension(std::string_view url) {
  auto q = url.find_first_of("?#");
  if (q != std::string_view::npos) url = url.substr(0, q);
  auto dot = url.rfind('.');
  if (dot == std::string_view::npos) return {};
  std::string ext(url.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "webp") return "image/webp";
  if (ext == "gif") return "image/gif";
  if (ext == "heic") return "image/heic";
  if (ext == "heif") return "image/heif";
  if (ext == "pdf") return "application/pdf";
  return {};
}

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
    err_ = core::invalid_request(std::move(what), std::move(param), "unsupported_parameter");
  }
  void fail_unsupported(std::string param, std::string_view what) {
    fail(std::move(param), std::string(what) + " is not supported by provider 'gemini'");
  }

  void messages();
  std::optional<json::array> user_parts(const core::message& m, std::size_t i);
  void assistant(const core::message& m, std::size_t i);
  void tool_results(std::size_t& i);
  void push(std::string_view role, json::array parts);
  void generation_config();
  void tools();
  void passthrough();
  std::optional<json::value> schema(const json::value& s, const std::string& param);

  const core::chat_request& r_;
  const target& t_;
  json::object body_;
  json::array contents_;
  json::object gen_;
  std::vector<std::string> warnings_;
  std::optional<core::error> err_;
  // Canonical tool-call id -> (function name, position in its assistant turn) (§4.3).
  std::map<std::string, std::pair<std::string, std::size_t>> calls_;
};

core::result<core::upstream_request> encoder::run() {
  messages();
  if (!err_) tools();
  if (!err_) generation_config();
  if (!err_) passthrough();
  if (err_) return std::move(*err_);

  core::upstream_request out;
  out.method = "POST";
  out.path = t_.path_prefix + "/models/" + path_segment(t_.model) +
             (r_.stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
  out.stream = r_.stream;
  out.headers.emplace_back("content-type", "application/json");
  out.headers.emplace_back("accept", r_.stream ? "text/event-stream" : "application/json");
  out.body = json::serialize(body_);
  if (t_.warnings != nullptr)
    t_.warnings->insert(t_.warnings->end(), warnings_.begin(), warnings_.end());
  return out;
}

void encoder::push(std::string_view role, json::array parts) {
  if (parts.empty()) return;
  // Consecutive turns of one role become one Content (tool results followed by a user
  // message, two user messages in a row): Gemini expects turns to alternate.
  if (!contents_.empty()) {
    json::object& last = contents_.back().as_object();
    if (last["role"].as_string() == role) {
      json::array& lp = last["parts"].as_array();
      for (auto& p : parts) lp.push_back(std::move(p));
      return;
    }
  }
  contents_.push_back(json::object{{"role", role}, {"parts", std::move(parts)}});
}

std::optional<json::array> encoder::user_parts(const core::message& m, std::size_t i) {
  const std::string at = "messages[" + std::to_string(i) + "].content";
  json::array parts;
  if (const auto* s = std::get_if<std::string>(&m.content)) {
    if (!s->empty()) parts.push_back(json::object{{"text", *s}});
    return parts;
  }
  if (std::holds_alternative<std::monostate>(m.content)) return parts;
  const auto& cps = std::get<std::vector<core::content_part>>(m.content);
  for (std::size_t k = 0; k < cps.size(); ++k) {
    const std::string pat = at + "[" + std::to_string(k) + "]";
    if (const auto* t = std::get_if<core::text_part>(&cps[k])) {
      parts.push_back(json::object{{"text", t->text}});
    } else if (const auto* rf = std::get_if<core::refusal_part>(&cps[k])) {
      parts.push_back(json::object{{"text", rf->refusal}});
    } else if (const auto* img = std::get_if<core::image_part>(&cps[k])) {
      if (!img->detail.empty()) warn(pat + ".image_url.detail");
      if (auto d = parse_data_url(img->url)) {
        parts.push_back(json::object{
            {"inlineData", json::object{{"mimeType", d->mime}, {"data", d->data}}}});
      } else if (gemini_file_uri(img->url)) {
        json::object fd{{"fileUri", img->url}};
        if (auto mime = mime_from_extension(img->url); !mime.empty()) fd["mimeType"] = mime;
        parts.push_back(json::object{{"fileData", std::move(fd)}});
      } else {
        // §4.2: generateContent does not fetch https images and codecs do no I/O.
        fail(pat + ".image_url.url",
             "image URLs other than data: URLs, gs:// and Gemini Files API URIs are not "
             "supported by provider 'gemini' (it does not fetch https images)");
        return std::nullopt;
      }
    } else if (const auto* au = std::get_if<core::audio_part>(&cps[k])) {
      const std::string mime = au->format == "mp3" ? "audio/mp3" : "audio/" + au->format;
      parts.push_back(json::object{{"inlineData", json::object{{"mimeType", mime}, {"data", au->data}}}});
    } else {
      const auto& f = std::get<core::file_part>(cps[k]);
      if (auto d = parse_data_url(f.file_data)) {
        parts.push_back(json::object{
            {"inlineData", json::object{{"mimeType", d->mime}, {"data", d->data}}}});
      } else if (!f.file_id.empty() && gemini_file_uri(f.file_id)) {
        json::object fd{{"fileUri", f.file_id}};
        if (auto mime = mime_from_extension(f.filename); !mime.empty()) fd["mimeType"] = mime;
        parts.push_back(json::object{{"fileData", std::move(fd)}});
      } else {
        fail(pat + ".file", "file input other than a data: URL or a Gemini Files API id is "
                            "not supported by provider 'gemini'");
        return std::nullopt;
      }
    }
  }
  return parts;
}

void encoder::assistant(const core::message& m, std::size_t i) {
  const std::string at = "messages[" + std::to_string(i) + "]";
  json::array parts;
  std::string text = m.joined_text();
  if (std::holds_alternative<std::vector<core::content_part>>(m.content)) {
    text.clear();  // joined_text joins text parts only; refusals are text the model wrote
    for (const auto& p : std::get<std::vector<core::content_part>>(m.content)) {
      if (const auto* t = std::get_if<core::text_part>(&p)) text += t->text;
      else if (const auto* rf = std::get_if<core::refusal_part>(&p)) text += rf->refusal;
    }
  }
  if (m.refusal && text.empty()) text = *m.refusal;
  if (!text.empty()) parts.push_back(json::object{{"text", text}});
  if (m.reasoning_content) warn(at + ".reasoning_content");

  bool first_signed = false;
  for (std::size_t k = 0; k < m.tool_calls.size(); ++k) {
    const core::tool_call& tc = m.tool_calls[k];
    const std::string tat = at + ".tool_calls[" + std::to_string(k) + "]";
    if (tc.type != "function") {
      fail_unsupported(tat + ".type", "a custom tool call");
      return;
    }
    json::value args = json::object{};
    if (!tc.arguments.empty()) {
      boost::system::error_code ec;
      args = json::parse(tc.arguments, ec);
      if (ec || !args.is_object()) {
        fail(tat + ".function.arguments",
             "tool call arguments must be a JSON object for provider 'gemini'");
        return;
      }
    }
    calls_[tc.id] = {tc.name, k};
    json::object part{{"functionCall", json::object{{"name", tc.name}, {"args", std::move(args)}}}};
    // §11.4: re-attach the signature the same model family produced for this call.
    if (t_.tool_state != nullptr) {
      auto st = t_.tool_state->get(tc.id, t_.now);
      if (st && st->provider == core::provider_kind::gemini &&
          st->type == tool_state_type::thought_signature && st->model == t_.model) {
        part["thoughtSignature"] = st->data;
        if (k == 0) first_signed = true;
      }
    }
    parts.push_back(std::move(part));
  }
  if (!m.tool_calls.empty() && !first_signed) {
    // §4.3 / §11.4 fallback: the history came from another provider or model, another
    // replica, or the entry expired. Gemini 3 rejects a step without a signature; the
    // sentinel on the step's first functionCall tells it to skip validation.
    for (auto& p : parts) {
      if (json::object& po = p.as_object(); po.contains("functionCall")) {
        po["thoughtSignature"] = skip_signature_sentinel;
        break;
      }
    }
    warn(at + ".tool_calls[0].thought_signature", "missing");
  }
  push("model", std::move(parts));
}

// Consecutive tool messages -> one user Content of functionResponse parts in call order
// (§4.3). Advances `i` past the last tool message.
void encoder::tool_results(std::size_t& i) {
  std::vector<std::pair<std::size_t, json::object>> results;
  for (; i < r_.messages.size() && r_.messages[i].role == core::role::tool; ++i) {
    const core::message& m = r_.messages[i];
    const std::string at = "messages[" + std::to_string(i) + "]";
    auto it = calls_.find(m.tool_call_id);
    if (it == calls_.end()) {
      // §11.3: the name for functionResponse comes from this lookup.
      err_ = core::invalid_request(
          "tool_call_id '" + m.tool_call_id + "' does not match any earlier tool call",
          at + ".tool_call_id");
      return;
    }
    const std::string text = m.joined_text();
    boost::system::error_code ec;
    json::value parsed = json::parse(text, ec);
    json::value response;
    if (!ec && parsed.is_object()) response = std::move(parsed);  // used as is
    else if (!ec) response = json::object{{"output", std::move(parsed)}};
    else response = json::object{{"output", text}};
    if (m.name) warn(at + ".name");
    results.emplace_back(it->second.second,
                         json::object{{"functionResponse",
                                       json::object{{"name", it->second.first},
                                                    {"response", std::move(response)}}}});
  }
  --i;  // the caller's loop increments
  std::stable_sort(results.begin(), results.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  json::array parts;
  for (auto& r : results) parts.push_back(std::move(r.second));
  push("user", std::move(parts));
}

void encoder::messages() {
  json::array system_parts;
  for (std::size_t i = 0; i < r_.messages.size() && !err_; ++i) {
    const core::message& m = r_.messages[i];
    const std::string at = "messages[" + std::to_string(i) + "]";
    switch (m.role) {
      case core::role::system:
      case core::role::developer: {
        // §4.2: every system / developer message goes into systemInstruction, in order.
        if (auto* parts = std::get_if<std::vector<core::content_part>>(&m.content)) {
          for (std::size_t k = 0; k < parts->size(); ++k) {
            if (!std::holds_alternative<core::text_part>((*parts)[k])) {
              fail_unsupported(at + ".content[" + std::to_string(k) + "]",
                               "a non-text part in a system message");
              return;
            }
          }
        }
        std::string text = m.joined_text();
        if (!text.empty()) system_parts.push_back(json::object{{"text", std::move(text)}});
        if (m.name) warn(at + ".name");
        break;
      }
      case core::role::user: {
        auto parts = user_parts(m, i);
        if (!parts) return;
        if (m.name) warn(at + ".name");
        push("user", std::move(*parts));
        break;
      }
      case core::role::assistant:
        if (m.name) warn(at + ".name");
        assistant(m, i);
        break;
      case core::role::tool:
        tool_results(i);
        break;
      case core::role::function:
        fail_unsupported(at + ".role", "the legacy 'function' role");
        return;
    }
    for (const auto& kv : m.extra) {
      if (kv.key() == "function_call") {
        fail_unsupported(at + ".function_call", "the legacy function_call message field");
        return;
      }
      warn(at + "." + std::string(kv.key()));
    }
  }
  if (err_) return;
  if (contents_.empty()) {
    fail("messages", "provider 'gemini' needs at least one user or assistant message besides "
                     "system messages");
    return;
  }
  body_["contents"] = std::move(contents_);
  if (!system_parts.empty())
    body_["systemInstruction"] = json::object{{"parts", std::move(system_parts)}};
}

std::optional<json::value> encoder::schema(const json::value& s, const std::string& param) {
  auto out = legacy_schema_model(t_.model) ? to_openapi_schema(s, param, warnings_)
                                           : to_json_schema(s, param, warnings_);
  if (!out) {
    if (!err_) err_ = std::move(out).error();
    return std::nullopt;
  }
  return std::move(out).value();
}

void encoder::tools() {
  const bool legacy = legacy_schema_model(t_.model);
  if (!r_.tools.empty()) {
    json::array decls;
    for (std::size_t i = 0; i < r_.tools.size(); ++i) {
      const core::tool& t = r_.tools[i];
      const std::string at = "tools[" + std::to_string(i) + "]";
      if (t.type != "function") {
        fail_unsupported(at + ".type", "tool type '" + t.type + "'");
        return;
      }
      if (!valid_function_name(t.function.name)) {
        fail(at + ".function.name",
             "function name '" + t.function.name +
                 "' is not valid for provider 'gemini' (start with a letter or underscore; "
                 "letters, digits, _ . : -; at most 128 characters)");
        return;
      }
      json::object f{{"name", t.function.name}};
      if (t.function.description) f["description"] = *t.function.description;
      if (t.function.parameters) {
        auto s = schema(*t.function.parameters, at + ".function.parameters");
        if (!s) return;
        // §4.2: parametersJsonSchema takes JSON Schema; legacy models need `parameters`.
        f[legacy ? "parameters" : "parametersJsonSchema"] = std::move(*s);
      }
      if (t.function.strict) warn(at + ".function.strict");
      decls.push_back(std::move(f));
    }
    body_["tools"] = json::array{json::object{{"functionDeclarations", std::move(decls)}}};
  }

  const core::tool_choice& tc = r_.tool_choice;
  json::object fcc;
  switch (tc.mode) {
    case core::tool_choice_mode::unset: break;
    case core::tool_choice_mode::none: fcc["mode"] = "NONE"; break;
    case core::tool_choice_mode::auto_: fcc["mode"] = "AUTO"; break;
    case core::tool_choice_mode::required: fcc["mode"] = "ANY"; break;
    case core::tool_choice_mode::function:
      fcc["mode"] = "ANY";
      fcc["allowedFunctionNames"] = json::array{json::value(tc.name)};
      break;
    case core::tool_choice_mode::allowed_tools: {
      // {"type":"allowed_tools","allowed_tools":{"mode":"auto"|"required","tools":[…]}}:
      // Gemini restricts names only in ANY / VALIDATED mode; VALIDATED still lets the model
      // answer in text, which is OpenAI's "auto".
      const json::object* at = nullptr;
      if (const json::object* raw = tc.raw.if_object())
        if (const json::value* v = raw->if_contains("allowed_tools")) at = v->if_object();
      json::array names;
      std::string mode = "auto";
      if (at != nullptr) {
        if (const json::value* mv = at->if_contains("mode"); mv && mv->is_string())
          mode = std::string(mv->get_string());
        if (const json::value* tv = at->if_contains("tools"); tv && tv->is_array()) {
          for (const json::value& t : tv->get_array()) {
            const json::object* to = t.if_object();
            const json::value* fn = to ? to->if_contains("function") : nullptr;
            const json::value* nm = fn && fn->is_object() ? fn->get_object().if_contains("name") : nullptr;
            if (nm && nm->is_string()) names.push_back(*nm);
          }
        }
      }
      fcc["mode"] = mode == "required" ? "ANY" : "VALIDATED";
      if (!names.empty()) fcc["allowedFunctionNames"] = std::move(names);
      break;
    }
    case core::tool_choice_mode::custom:
      fail_unsupported("tool_choice", "tool_choice of type 'custom'");
      return;
  }
  if (!fcc.empty()) {
    if (r_.tools.empty()) warn("tool_choice");
    else body_["toolConfig"] = json::object{{"functionCallingConfig", std::move(fcc)}};
  }
  // §4.2: no native switch; the model may still return several calls, all are kept.
  if (r_.parallel_tool_calls && !*r_.parallel_tool_calls) warn("parallel_tool_calls");
}

void encoder::generation_config() {
  if (r_.temperature) gen_["temperature"] = *r_.temperature;
  if (r_.top_p) gen_["topP"] = *r_.top_p;
  if (r_.max_completion_tokens) gen_["maxOutputTokens"] = *r_.max_completion_tokens;
  if (r_.n) gen_["candidateCount"] = *r_.n;
  if (!r_.stop.empty()) {
    if (static_cast<int>(r_.stop.size()) > max_stop_sequences) {
      fail_unsupported("stop", "more than " + std::to_string(max_stop_sequences) + " stop sequences");
      return;
    }
    json::array a;
    for (const auto& s : r_.stop) a.emplace_back(s);
    gen_["stopSequences"] = std::move(a);
  }
  if (r_.seed) gen_["seed"] = *r_.seed;
  if (r_.presence_penalty) gen_["presencePenalty"] = *r_.presence_penalty;
  if (r_.frequency_penalty) gen_["frequencyPenalty"] = *r_.frequency_penalty;
  if (r_.logprobs) gen_["responseLogprobs"] = *r_.logprobs;
  if (r_.top_logprobs) gen_["logprobs"] = *r_.top_logprobs;
  if (r_.logit_bias) warn("logit_bias");

  if (r_.reasoning_effort) {
    const std::string& e = *r_.reasoning_effort;
    json::object tc;
    if (thinking_level_model(t_.model)) {
      // Gemini 3: thinkingLevel low | high (Pro has no lower level; §10.1).
      tc["thinkingLevel"] = (e == "none" || e == "minimal" || e == "low") ? "low" : "high";
    } else {
      std::int64_t budget = 8192;
      if (e == "none") budget = 0;
      else if (e == "minimal") budget = 512;
      else if (e == "low") budget = 1024;
      else if (e == "high" || e == "xhigh") budget = 24576;
      // 2.5 Pro cannot switch thinking off; 128 is its smallest budget.
      if (budget == 0 && t_.model.find("pro") != std::string::npos) budget = 128;
      tc["thinkingBudget"] = budget;
    }
    // Reasoning was asked for: return the thought summaries as the reasoning channel.
    if (e != "none") tc["includeThoughts"] = true;
    gen_["thinkingConfig"] = std::move(tc);
  }

  const core::response_format& rf = r_.response_format;
  switch (rf.type) {
    case core::response_format_type::unset:
    case core::response_format_type::text:
      break;
    case core::response_format_type::json_object:
      gen_["responseMimeType"] = "application/json";
      break;
    case core::response_format_type::json_schema:
      gen_["responseMimeType"] = "application/json";
      if (rf.schema) {
        auto s = schema(*rf.schema, "response_format.json_schema.schema");
        if (!s) return;
        gen_[legacy_schema_model(t_.model) ? "responseSchema" : "responseJsonSchema"] = std::move(*s);
      }
      if (rf.strict) warn("response_format.json_schema.strict");
      break;
  }

  // Bookkeeping / OpenAI-only fields have no Gemini equivalent (§10.1: drop+warn); usage
  // always arrives in streams, so stream_options.include_usage needs nothing.
  if (r_.user) warn("user");
  if (r_.safety_identifier) warn("safety_identifier");
  if (r_.metadata) warn("metadata");
  if (r_.service_tier) warn("service_tier");
  if (r_.verbosity) warn("verbosity");
  if (r_.prompt_cache_key) warn("prompt_cache_key");
  if (r_.stream_options && r_.stream_options->include_obfuscation)
    warn("stream_options.include_obfuscation");
}

void encoder::passthrough() {
  for (const auto& kv : r_.passthrough) {
    const std::string_view k = kv.key();
    // Gemini-native extras a client may send through the OpenAI SDK's extra_body.
    if (k == "safetySettings" || k == "safety_settings") {
      body_["safetySettings"] = kv.value();
    } else if (k == "cachedContent" || k == "cached_content") {
      body_["cachedContent"] = kv.value();
    } else if (k == "top_k" || k == "topK") {
      gen_["topK"] = kv.value();
    } else if (k == "audio") {
      fail_unsupported("audio", "audio output");
      return;
    } else if (k == "modalities") {
      const json::array* a = kv.value().if_array();
      const bool text_only = a != nullptr && std::all_of(a->begin(), a->end(), [](const json::value& v) {
        return v.is_string() && v.get_string() == "text";
      });
      if (!text_only) {
        fail_unsupported("modalities", "output modalities other than text");
        return;
      }
      warn("modalities");
    } else if (k == "functions" || k == "function_call") {
      fail_unsupported(std::string(k), "the legacy '" + std::string(k) + "' field (use tools)");
      return;
    } else {
      warn(k);  // store, prediction, web_search_options, unknown fields
    }
  }
  if (!gen_.empty()) body_["generationConfig"] = std::move(gen_);
}

}  // namespace

core::result<core::upstream_request> encode_request(const core::chat_request& req,
                                                    const target& tgt) {
  return encoder(req, tgt).run();
}

}  // namespace gi::providers::gemini
