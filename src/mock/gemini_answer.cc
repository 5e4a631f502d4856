#include "mock/gemini_answer.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <boost/json/serialize.hpp>

#include "mock/dialect.h"
#include "mock/schema_values.h"

namespace gi::mock {

namespace json = boost::json;

namespace {

constexpr std::size_t answer_words = 8;
constexpr std::string_view sentinel = "skip_thought_signature_validator";

std::string_view sv(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

// proto JSON accepts lowerCamelCase and the original snake_case names.
const json::value* field(const json::object& o, std::string_view camel, std::string_view snake) {
  if (const json::value* v = o.if_contains(camel)) return v;
  return o.if_contains(snake);
}

gemini_status bad(std::string message) {
  gemini_status s;
  s.message = std::move(message);
  return s;
}

gemini_status unknown_name(std::string_view name, std::string_view at) {
  return bad("Invalid JSON payload received. Unknown name \"" + std::string(name) + "\" at '" +
             std::string(at) + "': Cannot find field.");
}

std::optional<gemini_status> only_known(const json::object& o, std::string_view at,
                                        std::initializer_list<std::string_view> known) {
  for (const auto& kv : o)
    if (std::find(known.begin(), known.end(), kv.key()) == known.end())
      return unknown_name(kv.key(), at);
  return std::nullopt;
}

bool thinking_model(std::string_view m) {
  return m.starts_with("gemini-2.5") || m.starts_with("gemini-3");
}

std::string base64(std::string_view in) {
  static constexpr char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
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

std::vector<std::string> pieces_of(const std::string& text) {
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

bool contains_ci(std::string_view hay, std::string_view needle) {
  std::string h(hay);
  std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return h.find(needle) != std::string::npos;
}

// OpenAPI Schema (`parameters`, `responseSchema`): only its own field names, upper-case types.
std::optional<gemini_status> check_openapi_schema(const json::value& v, const std::string& at) {
  const json::object* o = v.if_object();
  if (o == nullptr) return bad("Invalid value at '" + at + "': expected a Schema object.");
  static const std::set<std::string_view> known = {
      "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems",
      "properties", "required", "minProperties", "maxProperties", "minLength", "maxLength",
      "pattern", "example", "anyOf", "propertyOrdering", "default", "items", "minimum", "maximum"};
  for (const auto& kv : *o) {
    if (!known.contains(kv.key())) return unknown_name(kv.key(), at);
  }
  if (auto t = sv(*o, "type"); !t.empty()) {
    static const std::set<std::string_view> types = {"STRING", "NUMBER", "INTEGER", "BOOLEAN",
                                                     "ARRAY", "OBJECT", "NULL", "TYPE_UNSPECIFIED"};
    if (!types.contains(t))
      return bad("Invalid value at '" + at + ".type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), \"" +
                 std::string(t) + "\"");
  }
  if (const json::value* p = o->if_contains("properties"); p && p->is_object())
    for (const auto& kv : p->get_object())
      if (auto e = check_openapi_schema(kv.value(), at + ".properties[" + std::string(kv.key()) + "].value")) return e;
  if (const json::value* i = o->if_contains("items"))
    if (auto e = check_openapi_schema(*i, at + ".items")) return e;
  if (const json::value* a = o->if_contains("anyOf"); a && a->is_array())
    for (std::size_t k = 0; k < a->get_array().size(); ++k)
      if (auto e = check_openapi_schema(a->get_array()[k], at + ".any_of[" + std::to_string(k) + "]")) return e;
  return std::nullopt;
}

// OpenAPI Schema -> JSON Schema, enough for minimal_instance.
json::value lower_schema(const json::value& v) {
  if (const json::object* o = v.if_object()) {
    json::object out;
    for (const auto& kv : *o) {
      if (kv.key() == "type" && kv.value().is_string()) {
        std::string t(kv.value().get_string());
        std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        out["type"] = t;
      } else {
        out[kv.key()] = lower_schema(kv.value());
      }
    }
    return out;
  }
  if (const json::array* a = v.if_array()) {
    json::array out;
    for (const auto& e : *a) out.push_back(lower_schema(e));
    return out;
  }
  return v;
}

struct declaration {
  std::string name;
  json::value schema;  // JSON Schema (lowered from `parameters` if needed); null = none
};

std::string last_user_text(const json::array& contents) {
  for (auto it = contents.rbegin(); it != contents.rend(); ++it) {
    const json::object* c = it->if_object();
    if (c == nullptr || sv(*c, "role") == "model") continue;
    std::string text;
    if (const json::value* parts = c->if_contains("parts"); parts && parts->is_array())
      for (const auto& p : parts->get_array())
        if (const json::object* po = p.if_object(); po && po->contains("text")) {
          if (!text.empty()) text += ' ';
          text += sv(*po, "text");
        }
    if (!text.empty()) return text;
  }
  return {};
}

}  // namespace

std::string gemini_mock_signature(std::string_view name, const json::object& args) {
  std::string key = "mock-sig:" + std::string(name);
  std::vector<std::string> keys;
  for (const auto& kv : args) keys.emplace_back(kv.key());
  std::sort(keys.begin(), keys.end());
  for (const auto& k : keys) key += ":" + k;
  return base64("mocksig-" + alnum_id(hash64(key), 16));
}

core::result<gemini_answer, gemini_status> decide_gemini_answer(std::string_view model,
                                                                const json::object& req,
                                                                const fault_spec& fault,
                                                                std::uint64_t seed) {
  if (auto e = only_known(req, "", {"contents", "systemInstruction", "system_instruction", "tools",
                                    "toolConfig", "tool_config", "safetySettings", "safety_settings",
                                    "generationConfig", "generation_config", "cachedContent",
                                    "cached_content", "labels", "model"}))
    return *e;
  const json::value* contents_v = req.if_contains("contents");
  if (contents_v == nullptr || !contents_v->is_array() || contents_v->get_array().empty())
    return bad("* GenerateContentRequest.contents: contents is not specified\n");
  const json::array& contents = contents_v->get_array();

  gemini_answer a;
  a.model = fault.base_model.empty() ? std::string(model) : fault.base_model;
  a.response_id = alnum_id(seed ^ 0x6e6d, 22);

  // --- contents: roles, parts, function call bookkeeping, signatures ---
  std::set<std::string> called;
  int verified = 0, skipped = 0;
  std::vector<std::string> last_results;
  for (std::size_t i = 0; i < contents.size(); ++i) {
    const std::string at = "contents[" + std::to_string(i) + "]";
    const json::object* c = contents[i].if_object();
    if (c == nullptr) return bad("Invalid value at '" + at + "': expected an object.");
    if (auto e = only_known(*c, at, {"role", "parts"})) return *e;
    const std::string_view role = sv(*c, "role");
    if (!role.empty() && role != "user" && role != "model" && role != "function")
      return bad("Please use a valid role: user, model.");
    const json::value* parts = c->if_contains("parts");
    if (parts == nullptr || !parts->is_array() || parts->get_array().empty())
      return bad("* GenerateContentRequest." + at + ".parts: contents.parts must not be empty.\n");
    bool first_call = true;
    std::vector<std::string> results;
    for (std::size_t k = 0; k < parts->get_array().size(); ++k) {
      const std::string pat = at + ".parts[" + std::to_string(k) + "]";
      const json::object* p = parts->get_array()[k].if_object();
      if (p == nullptr) return bad("Invalid value at '" + pat + "'.");
      int data = 0;
      for (const auto& kv : *p) {
        const std::string_view key = kv.key();
        if (key == "text" || key == "inlineData" || key == "inline_data" || key == "fileData" ||
            key == "file_data" || key == "functionCall" || key == "function_call" ||
            key == "functionResponse" || key == "function_response" || key == "executableCode" ||
            key == "codeExecutionResult")
          ++data;
        else if (key != "thought" && key != "thoughtSignature" && key != "thought_signature" &&
                 key != "videoMetadata" && key != "partMetadata")
          return unknown_name(key, pat);
      }
      if (data != 1)
        return bad("* GenerateContentRequest." + pat +
                   ".data: required oneof field 'data' must have one initialized field\n");
      if (const json::value* fc = field(*p, "functionCall", "function_call")) {
        if (role != "model") return bad("Please ensure that function call turns come from the model.");
        const json::object* fo = fc->if_object();
        const std::string name(fo ? sv(*fo, "name") : "");
        if (name.empty()) return bad("* " + pat + ".function_call.name: Name cannot be empty.\n");
        called.insert(name);
        const std::string_view sig = sv(*p, "thoughtSignature").empty() ? sv(*p, "thought_signature")
                                                                        : sv(*p, "thoughtSignature");
        json::object args;
        if (const json::value* av = fo->if_contains("args"); av && av->is_object()) args = av->get_object();
        if (first_call) {
          first_call = false;
          if (sig.empty()) {
            if (model.starts_with("gemini-3"))
              return bad("Function call is missing a thought_signature in functionCall parts. This is "
                         "required for tools to work correctly, and missing thought_signature may lead to "
                         "degraded model performance. Additional data, function call `default_api:" + name +
                         "` , position " + std::to_string(k + 1) + ". Please refer to "
                         "https://ai.google.dev/gemini-api/docs/thought-signatures for more details.");
          } else if (sig == sentinel) {
            ++skipped;
          } else if (sig == gemini_mock_signature(name, args)) {
            ++verified;
          } else {
            return bad("Corrupted thought signature.");
          }
        } else if (!sig.empty() && sig != sentinel && sig != gemini_mock_signature(name, args)) {
          return bad("Corrupted thought signature.");
        }
      }
      if (const json::value* fr = field(*p, "functionResponse", "function_response")) {
        const json::object* fo = fr->if_object();
        const std::string name(fo ? sv(*fo, "name") : "");
        if (!called.contains(name))
          return bad("* GenerateContentRequest." + pat + ".function_response.name: function response "
                     "name '" + name + "' does not match any function call in the previous turns.\n");
        const json::value* resp = fo->if_contains("response");
        if (resp == nullptr || !resp->is_object())
          return bad("Invalid value at '" + pat + ".function_response.response' (type.googleapis.com/"
                     "google.protobuf.Struct), expected an object.");
        results.push_back(name);
      }
    }
    last_results = std::move(results);
  }

  // --- tools and tool config ---
  std::vector<declaration> decls;
  if (const json::value* tools = req.if_contains("tools")) {
    if (!tools->is_array()) return bad("Invalid value at 'tools': expected a list.");
    for (std::size_t t = 0; t < tools->get_array().size(); ++t) {
      const json::object* to = tools->get_array()[t].if_object();
      if (to == nullptr) continue;
      const json::value* fds = field(*to, "functionDeclarations", "function_declarations");
      if (fds == nullptr || !fds->is_array()) continue;
      for (std::size_t k = 0; k < fds->get_array().size(); ++k) {
        const std::string at = "tools[" + std::to_string(t) + "].function_declarations[" + std::to_string(k) + "]";
        const json::object* fd = fds->get_array()[k].if_object();
        if (fd == nullptr) continue;
        if (auto e = only_known(*fd, at, {"name", "description", "parameters", "parametersJsonSchema",
                                          "parameters_json_schema", "response", "responseJsonSchema", "behavior"}))
          return *e;
        declaration d;
        d.name = std::string(sv(*fd, "name"));
        if (d.name.empty()) return bad("* GenerateContentRequest." + at + ".name: Name cannot be empty.\n");
        const json::value* legacy = fd->if_contains("parameters");
        const json::value* js = field(*fd, "parametersJsonSchema", "parameters_json_schema");
        if (legacy && js)
          return bad("* GenerateContentRequest." + at + ": parameters and parameters_json_schema are mutually exclusive.\n");
        if (legacy) {
          if (auto e = check_openapi_schema(*legacy, at + ".parameters")) return *e;
          d.schema = lower_schema(*legacy);
        } else if (js) {
          d.schema = *js;
        }
        decls.push_back(std::move(d));
      }
    }
  }
  std::string mode = "AUTO";
  std::vector<std::string> allowed;
  if (const json::value* tc = field(req, "toolConfig", "tool_config"); tc && tc->is_object()) {
    if (auto e = only_known(tc->get_object(), "tool_config", {"functionCallingConfig", "function_calling_config",
                                                              "retrievalConfig", "retrieval_config"}))
      return *e;
    if (const json::value* fcc = field(tc->get_object(), "functionCallingConfig", "function_calling_config");
        fcc && fcc->is_object()) {
      if (auto e = only_known(fcc->get_object(), "tool_config.function_calling_config",
                              {"mode", "allowedFunctionNames", "allowed_function_names"}))
        return *e;
      if (auto m = sv(fcc->get_object(), "mode"); !m.empty()) mode = std::string(m);
      if (mode != "AUTO" && mode != "ANY" && mode != "NONE" && mode != "VALIDATED" && mode != "MODE_UNSPECIFIED")
        return bad("Invalid value at 'tool_config.function_calling_config.mode', \"" + mode + "\"");
      if (const json::value* names = field(fcc->get_object(), "allowedFunctionNames", "allowed_function_names");
          names && names->is_array())
        for (const auto& n : names->get_array())
          if (n.is_string()) allowed.emplace_back(n.get_string());
    }
  }

  // --- generationConfig ---
  json::object gen;
  if (const json::value* g = field(req, "generationConfig", "generation_config"); g && g->is_object()) gen = g->get_object();
  if (auto e = only_known(gen, "generation_config",
                          {"temperature", "topP", "top_p", "topK", "top_k", "candidateCount", "candidate_count",
                           "maxOutputTokens", "max_output_tokens", "stopSequences", "stop_sequences", "seed",
                           "presencePenalty", "presence_penalty", "frequencyPenalty", "frequency_penalty",
                           "responseMimeType", "response_mime_type", "responseSchema", "response_schema",
                           "responseJsonSchema", "response_json_schema", "responseLogprobs", "response_logprobs",
                           "logprobs", "thinkingConfig", "thinking_config", "responseModalities",
                           "response_modalities", "mediaResolution", "media_resolution"}))
    return *e;
  const json::value* resp_schema = field(gen, "responseSchema", "response_schema");
  const json::value* resp_json_schema = field(gen, "responseJsonSchema", "response_json_schema");
  const std::string_view mime = sv(gen, "responseMimeType").empty() ? sv(gen, "response_mime_type")
                                                                    : sv(gen, "responseMimeType");
  if (resp_schema && resp_json_schema)
    return bad("response_schema and response_json_schema are mutually exclusive.");
  if ((resp_schema || resp_json_schema) && mime.empty())
    return bad("response_mime_type must be set when a response schema is given.");
  if (resp_schema)
    if (auto e = check_openapi_schema(*resp_schema, "generation_config.response_schema")) return *e;
  if (const json::value* stops = field(gen, "stopSequences", "stop_sequences"); stops && stops->is_array() &&
                                                                                stops->get_array().size() > 5)
    return bad("* GenerateContentRequest.generation_config.stop_sequences: at most 5 stop sequences are allowed.\n");
  if (const json::value* cc = field(gen, "candidateCount", "candidate_count"); cc && cc->is_number()) {
    const auto n = cc->to_number<std::int64_t>();
    if (n < 1 || n > 8) return bad("* GenerateContentRequest.generation_config.candidate_count: must be between 1 and 8.\n");
    a.candidates = static_cast<int>(n);
  }
  bool include_thoughts = false;
  std::int64_t budget = -1;
  if (const json::value* tc = field(gen, "thinkingConfig", "thinking_config"); tc && tc->is_object()) {
    if (auto e = only_known(tc->get_object(), "generation_config.thinking_config",
                            {"includeThoughts", "include_thoughts", "thinkingBudget", "thinking_budget",
                             "thinkingLevel", "thinking_level"}))
      return *e;
    if (const json::value* it = field(tc->get_object(), "includeThoughts", "include_thoughts"); it && it->is_bool())
      include_thoughts = it->get_bool();
    if (const json::value* b = field(tc->get_object(), "thinkingBudget", "thinking_budget"); b && b->is_number())
      budget = b->to_number<std::int64_t>();
  }

  // --- decide ---
  const std::string user_text = last_user_text(contents);
  a.prompt_tokens = static_cast<std::uint32_t>(json::serialize(req).size() / 4 + 1);
  if (field(req, "cachedContent", "cached_content") != nullptr) a.cached_tokens = a.prompt_tokens / 2;
  if (contains_ci(user_text, "mock-block-prompt") && last_results.empty()) {
    a.prompt_blocked = true;
    return a;
  }
  const bool thinking = thinking_model(model) && budget != 0;
  if (thinking) a.thought_tokens = 16;
  const std::vector<std::string> words = words_of(user_text, answer_words);
  if (include_thoughts && thinking) {
    a.thought_pieces = {"**Considering the request**\n\n", "The user asked about: " +
                                                               (words.empty() ? std::string("nothing") : words.front()) + "."};
  }

  if (!last_results.empty()) {
    std::string text = "Mock answer after " + std::to_string(last_results.size()) + " tool result(s):";
    for (std::size_t i = 0; i < last_results.size(); ++i) text += (i ? ", " : " ") + last_results[i];
    text += "; thought signatures verified=" + std::to_string(verified) + " skipped=" + std::to_string(skipped);
    a.text_pieces = pieces_of(text);
  } else if (!decls.empty() && mode != "NONE" && (mode == "ANY" || contains_ci(user_text, "tool"))) {
    std::vector<const declaration*> chosen;
    for (const auto& d : decls)
      if (allowed.empty() || std::find(allowed.begin(), allowed.end(), d.name) != allowed.end()) chosen.push_back(&d);
    for (const declaration* d : chosen) {
      gemini_call c;
      c.name = d->name;
      json::value inst = minimal_instance(d->schema);
      if (inst.is_object()) c.args = inst.get_object();
      if (thinking && a.calls.empty()) c.signature = gemini_mock_signature(c.name, c.args);
      a.calls.push_back(std::move(c));
    }
  }
  if (a.calls.empty() && a.text_pieces.empty()) {
    std::string text;
    if (!mime.empty() && mime == "application/json") {
      if (resp_json_schema) text = json::serialize(minimal_instance(*resp_json_schema));
      else if (resp_schema) text = json::serialize(minimal_instance(lower_schema(*resp_schema)));
      else {
        std::string t = "Mock answer to:";
        for (const auto& w : words) t += " " + w;
        text = json::serialize(json::object{{"answer", t}});
      }
      a.text_pieces = {text};
    } else {
      text = words.empty() ? "Mock answer." : "Mock answer to:";
      for (const auto& w : words) text += " " + w;
      a.text_pieces = pieces_of(text);
    }
  }
  if (fault.chunks && a.text_pieces.size() == 1 && *fault.chunks > 1) {
    // chunks=N: split one piece (e.g. JSON) into N parts for stream tests.
    const std::string whole = a.text_pieces[0];
    a.text_pieces.clear();
    const std::size_t n = *fault.chunks;
    const std::size_t per = std::max<std::size_t>(1, whole.size() / n);
    for (std::size_t i = 0; i < whole.size(); i += per) a.text_pieces.push_back(whole.substr(i, per));
  }
  if (contains_ci(user_text, "mock-block-output") && last_results.empty()) {
    a.output_blocked = true;
    a.finish = "SAFETY";
    if (a.text_pieces.size() > 2) a.text_pieces.resize(2);
    a.calls.clear();
  }
  if (const json::value* mt = field(gen, "maxOutputTokens", "max_output_tokens"); mt && mt->is_number()) {
    const auto limit = static_cast<std::size_t>(std::max<std::int64_t>(0, mt->to_number<std::int64_t>()));
    if (a.calls.empty() && limit < a.text_pieces.size()) {
      a.text_pieces.resize(limit);
      a.finish = "MAX_TOKENS";
    }
  }
  a.candidate_tokens = static_cast<std::uint32_t>(a.text_pieces.size() + 4 * a.calls.size());
  return a;
}

}  // namespace gi::mock
