// The Gemini wire format of the mock (providers.md §4, §13.3): `POST
// /{v1beta|v1|v1alpha}/models/{model}:generateContent` and `:streamGenerateContent`
// (`?alt=sse`: CRLF-terminated SSE, no [DONE]; without it: one JSON array written
// incrementally). Any key, given as `x-goog-api-key` or `?key=`; none is 403
// PERMISSION_DENIED. Errors are google.rpc.Status bodies; faults as in fault.h.

#include <algorithm>

#include <boost/json.hpp>

#include "core/ascii.h"
#include "mock/dialect.h"
#include "mock/gemini_answer.h"
#include "mock/openai_answer.h"
#include "mock/wire_formats.h"

namespace gi::mock {
namespace {

namespace json = boost::json;

constexpr std::size_t oversized_piece = 16 * 1024;

struct gemini_target {
  std::string model;
  bool stream = false;
  bool sse = false;
  std::string query_key;
};

std::optional<gemini_target> parse_target(std::string_view target) {
  std::string_view path = target, query;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  std::string_view rest;
  for (std::string_view prefix : {"/v1beta/models/", "/v1/models/", "/v1alpha/models/"}) {
    if (path.starts_with(prefix)) rest = path.substr(prefix.size());
  }
  if (rest.empty()) return std::nullopt;
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view method = rest.substr(colon + 1);
  gemini_target t;
  if (method == "generateContent") t.stream = false;
  else if (method == "streamGenerateContent") t.stream = true;
  else return std::nullopt;
  t.model = core::percent_decode(rest.substr(0, colon));
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    if (item == "alt=sse") t.sse = true;
    if (item.starts_with("key=")) t.query_key = core::percent_decode(item.substr(4));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return t;
}

std::string_view status_word(int code) {
  switch (code) {
    case 400: return "INVALID_ARGUMENT";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 409: return "ABORTED";
    case 429: return "RESOURCE_EXHAUSTED";
    case 499: return "CANCELLED";
    case 500: return "INTERNAL";
    case 501: return "NOT_IMPLEMENTED";
    case 503: return "UNAVAILABLE";
    case 504: return "DEADLINE_EXCEEDED";
    default: return "UNKNOWN";
  }
}

json::object status_body(const gemini_status& s) {
  json::object e{{"code", s.code}, {"message", s.message}, {"status", s.status}};
  if (!s.details.empty()) e["details"] = s.details;
  return json::object{{"error", std::move(e)}};
}

response_plan error_plan(const gemini_status& s, std::uint32_t latency_ms = 0) {
  response_plan p;
  p.status = s.code;
  p.latency_ms = latency_ms;
  p.header("Content-Type", "application/json; charset=UTF-8");
  p.body = json::serialize(status_body(s));
  return p;
}

gemini_status make_status(int code, std::string message) {
  gemini_status s;
  s.code = code;
  s.status = std::string(status_word(code));
  s.message = std::move(message);
  return s;
}

std::optional<gemini_status> status_fault(const fault_spec& f, std::string_view model) {
  switch (f.kind) {
    case fault_kind::rate_limit: {
      gemini_status s = make_status(429, "Resource has been exhausted (e.g. check quota).");
      s.details.push_back(json::object{
          {"@type", "type.googleapis.com/google.rpc.QuotaFailure"},
          {"violations", json::array{json::object{
                             {"quotaMetric", "generativelanguage.googleapis.com/generate_content_requests"},
                             {"quotaId", "GenerateRequestsPerMinutePerProjectPerModel"}}}}});
      if (!f.retry_after_off)
        s.details.push_back(json::object{{"@type", "type.googleapis.com/google.rpc.RetryInfo"},
                                         {"retryDelay", std::to_string(f.retry_after_s.value_or(1)) + "s"}});
      return s;
    }
    case fault_kind::insufficient_quota: {
      gemini_status s = make_status(429, "You exceeded your current quota, please check your plan and billing details.");
      s.details.push_back(json::object{
          {"@type", "type.googleapis.com/google.rpc.QuotaFailure"},
          {"violations", json::array{json::object{
                             {"quotaMetric", "generativelanguage.googleapis.com/generate_content_free_tier_requests"},
                             {"quotaId", "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}}}}});
      return s;
    }
    case fault_kind::context_length:
      return make_status(400, "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).");
    case fault_kind::overloaded: return make_status(503, "The model is overloaded. Please try again later.");
    case fault_kind::server_error:
      return make_status(500, "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting");
    case fault_kind::http_status: {
      if (f.status == 401 || f.status == 400) {
        gemini_status s = make_status(400, "API key not valid. Please pass a valid API key.");
        s.details.push_back(json::object{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                                         {"reason", "API_KEY_INVALID"},
                                         {"domain", "googleapis.com"}});
        if (f.status == 400) s = make_status(400, "Request contains an invalid argument.");
        return s;
      }
      if (f.status == 404)
        return make_status(404, "models/" + std::string(model) + " is not found for API version v1beta, or is not supported for generateContent.");
      return make_status(f.status, "mock: scripted status " + std::to_string(f.status));
    }
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
  return std::nullopt;
}

json::object usage_json(const gemini_answer& a, bool final) {
  json::object u{{"promptTokenCount", a.prompt_tokens}};
  std::uint32_t total = a.prompt_tokens;
  if (final) {
    const std::uint32_t cands = a.candidate_tokens * static_cast<std::uint32_t>(a.candidates);
    u["candidatesTokenCount"] = cands;
    total += cands + a.thought_tokens;
    if (a.thought_tokens > 0) u["thoughtsTokenCount"] = a.thought_tokens;
  }
  if (a.cached_tokens > 0) u["cachedContentTokenCount"] = a.cached_tokens;
  u["totalTokenCount"] = total;
  u["promptTokensDetails"] = json::array{json::object{{"modality", "TEXT"}, {"tokenCount", a.prompt_tokens}}};
  return u;
}

json::array safety_ratings(bool blocked) {
  json::array r;
  for (const char* c : {"HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_DANGEROUS_CONTENT",
                        "HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_SEXUALLY_EXPLICIT"}) {
    json::object o{{"category", c}, {"probability", "NEGLIGIBLE"}};
    if (blocked && std::string_view(c) == "HARM_CATEGORY_DANGEROUS_CONTENT") {
      o["probability"] = "HIGH";
      o["blocked"] = true;
    }
    r.push_back(std::move(o));
  }
  return r;
}

json::object envelope(const gemini_answer& a, json::array candidates, json::object usage) {
  json::object o;
  if (!candidates.empty()) o["candidates"] = std::move(candidates);
  o["usageMetadata"] = std::move(usage);
  o["modelVersion"] = a.model;
  o["responseId"] = a.response_id;
  return o;
}

json::object blocked_prompt(const gemini_answer& a) {
  json::object o{{"promptFeedback", json::object{{"blockReason", "SAFETY"}, {"safetyRatings", safety_ratings(true)}}}};
  json::object usage = usage_json(a, false);
  o["usageMetadata"] = std::move(usage);
  o["modelVersion"] = a.model;
  o["responseId"] = a.response_id;
  return o;
}

json::array call_parts(const gemini_answer& a) {
  json::array parts;
  for (const auto& c : a.calls) {
    json::object p{{"functionCall", json::object{{"name", c.name}, {"args", c.args}}}};
    if (!c.signature.empty()) p["thoughtSignature"] = c.signature;
    parts.push_back(std::move(p));
  }
  return parts;
}

json::object candidate(int index, json::array parts, std::string_view finish, bool blocked) {
  json::object c;
  if (!parts.empty() || finish.empty()) c["content"] = json::object{{"parts", std::move(parts)}, {"role", "model"}};
  if (!finish.empty()) {
    c["finishReason"] = finish;
    c["safetyRatings"] = safety_ratings(blocked);
  }
  c["index"] = index;
  return c;
}

json::object full_body(const gemini_answer& a) {
  if (a.prompt_blocked) return blocked_prompt(a);
  json::array cands;
  for (int i = 0; i < a.candidates; ++i) {
    json::array parts;
    std::string thought, text;
    for (const auto& t : a.thought_pieces) thought += t;
    for (const auto& t : a.text_pieces) text += t;
    if (!thought.empty()) parts.push_back(json::object{{"text", thought}, {"thought", true}});
    if (!text.empty() && !a.output_blocked) parts.push_back(json::object{{"text", text}});
    for (auto& p : call_parts(a)) parts.push_back(std::move(p));
    cands.push_back(candidate(i, std::move(parts), a.finish, a.output_blocked));
  }
  return envelope(a, std::move(cands), usage_json(a, true));
}

// One JSON object per stream event (the same list serves SSE and the array form).
std::vector<json::object> stream_chunks(const gemini_answer& a, std::size_t& first_content) {
  std::vector<json::object> out;
  first_content = 0;
  if (a.prompt_blocked) {
    out.push_back(blocked_prompt(a));
    return out;
  }
  auto fan = [&](const json::array& parts, std::string_view finish, bool last) {
    json::array cands;
    for (int i = 0; i < a.candidates; ++i) cands.push_back(candidate(i, parts, finish, a.output_blocked));
    out.push_back(envelope(a, std::move(cands), usage_json(a, last)));
  };
  for (const auto& t : a.thought_pieces) fan(json::array{json::object{{"text", t}, {"thought", true}}}, {}, false);
  const bool calls = !a.calls.empty();
  for (std::size_t i = 0; i < a.text_pieces.size(); ++i) {
    // Normally the last text piece carries finishReason; an output block sends a separate
    // SAFETY chunk with no parts (§13.3).
    const bool last = i + 1 == a.text_pieces.size() && !calls && !a.output_blocked;
    fan(json::array{json::object{{"text", a.text_pieces[i]}}}, last ? std::string_view(a.finish) : std::string_view{}, last);
  }
  if (calls) fan(call_parts(a), a.finish, true);  // calls arrive whole (§4.5)
  if (a.output_blocked || (a.text_pieces.empty() && !calls)) fan(json::array{}, a.finish, true);
  return out;
}

std::string sse(const json::object& o) { return "data: " + json::serialize(o) + "\r\n\r\n"; }

response_plan render(gemini_answer& a, const gemini_target& t, const fault_spec& f) {
  response_plan p;
  apply_timing(p, f);
  if (f.kind == fault_kind::wrong_content_type) {
    render_wrong_content_type(p);
    return p;
  }
  if (f.kind == fault_kind::oversized) {
    std::string big(f.size, 'x');
    a.text_pieces = t.stream ? split_utf8(big, oversized_piece) : std::vector<std::string>{std::move(big)};
    a.calls.clear();
    a.thought_pieces.clear();
    a.finish = "STOP";
  }
  if (!t.stream) {
    p.latency_ms += p.ttft_ms;
    p.header("Content-Type", "application/json; charset=UTF-8");
    render_body_fault(
        p, f,
        {.endless_prefix = R"({"candidates":[{"content":{"parts":[{"text":")",
         .unterminated = R"({"candidates":[{"content":{"parts":[{"text":"unterminated)",
         .error_body = [] { return json::serialize(status_body(make_status(500, "An internal error has occurred."))); },
         .full_body = [&] { return json::serialize(full_body(a)); }});
    return p;
  }

  std::size_t first = 0;
  std::vector<json::object> chunks = stream_chunks(a, first);
  p.streaming = true;
  p.first_content_event = 0;
  if (!t.sse) {
    // Without alt=sse: one JSON array, written element by element (§4.1).
    p.header("Content-Type", "application/json; charset=UTF-8");
    for (std::size_t i = 0; i < chunks.size(); ++i)
      p.events.push_back((i == 0 ? "[" : ",\r\n") + json::serialize(chunks[i]));
    p.events.emplace_back("]");
    return p;
  }
  p.header("Content-Type", "text/event-stream");
  p.header("Cache-Control", "no-cache");
  for (const auto& c : chunks) p.events.push_back(sse(c));
  render_stream_fault(
      p, f,
      {// §4.5: a Status in a data line, then the connection closes.
       .error_event = [] { return sse(status_body(make_status(500, "An internal error has occurred."))); },
       .close_after_error = true,
       .invalid_json =
           [](std::vector<std::string>& events) {
             // Before any content, so a gateway can still fall back (Gemini has no role-only event).
             events.clear();
             events.emplace_back("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"bro\r\n\r\n");
           },
       .endless =
           [&](response_plan& plan) {
             plan.events.resize(std::min<std::size_t>(1, plan.events.size()));
             json::array cands{candidate(0, json::array{json::object{{"text", " more"}}}, {}, false)};
             plan.repeat_event = sse(envelope(a, std::move(cands), usage_json(a, false)));
           }});
  return p;
}

}  // namespace

std::optional<response_plan> handle_gemini(const mock_request& req, const mock_context& /*ctx*/) {
  auto t = parse_target(req.target);
  if (!t) return std::nullopt;
  if (req.method != "POST") {
    response_plan p = error_plan(make_status(404, "mock: only POST is served on " + std::string(req.target)));
    p.status = 405;
    p.header("Allow", "POST");
    return p;
  }
  const std::uint64_t seed = hash64(req.body, 0x6e6d);
  if (req.x_goog_api_key.empty() && t->query_key.empty()) {
    return error_plan(make_status(
        403, "Method doesn't allow unregistered callers (callers without established identity). "
             "Please use API Key or other form of API consumer identity to call this API."));
  }
  auto fault = parse_model_fault(t->model);
  if (fault && !req.mock_fault.empty()) fault = apply_fault_header(std::move(fault).value(), req.mock_fault);
  if (fault) fault = realize(std::move(fault).value(), req.body);
  if (!fault) return error_plan(make_status(400, fault.error().message));
  const fault_spec& f = fault.value();
  if (f.kind == fault_kind::reset || f.kind == fault_kind::hang) {
    response_plan p;
    apply_timing(p, f);
    p.ending = f.kind == fault_kind::reset ? plan_ending::reset : plan_ending::hang;
    return p;
  }
  if (auto s = status_fault(f, f.base_model)) return error_plan(*s, f.latency_ms);

  boost::system::error_code ec;
  json::value body = json::parse(req.body, ec);
  if (ec || !body.is_object())
    return error_plan(make_status(400, "Invalid JSON payload received. Unexpected token."));
  auto answer = decide_gemini_answer(f.base_model, body.get_object(), f, seed);
  if (!answer) return error_plan(answer.error(), f.latency_ms);
  return render(answer.value(), *t, f);
}

}  // namespace gi::mock
