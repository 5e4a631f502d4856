#include "mock/openai_family.h"

#include <algorithm>

#include <boost/json.hpp>

#include "mock/bench_fixtures.h"
#include "mock/openai_answer.h"
#include "mock/openai_errors.h"

namespace gi::mock {
namespace {

namespace json = boost::json;

constexpr std::size_t arg_fragment_bytes = 7;  // odd size: fragments end mid-token (§13.3)
constexpr std::size_t oversized_piece = 16 * 1024;

std::string sse(const json::value& v) {
  std::string out = "data: ";
  out += json::serialize(v);
  out += "\n\n";
  return out;
}

bool has_bearer(std::string_view auth) {
  if (auth.size() < 7) return false;
  std::string scheme(auth.substr(0, 7));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "bearer ") return false;
  auth.remove_prefix(7);
  return auth.find_first_not_of(' ') != std::string_view::npos;
}

json::object usage_of(dialect d, const chat_answer& a) {
  const std::uint32_t total = a.prompt_tokens + a.completion_tokens;
  switch (d) {
    case dialect::openai:
      return json::object{
          {"prompt_tokens", a.prompt_tokens},
          {"completion_tokens", a.completion_tokens},
          {"total_tokens", total},
          {"prompt_tokens_details", json::object{{"cached_tokens", 0}, {"audio_tokens", 0}}},
          {"completion_tokens_details",
           json::object{{"reasoning_tokens", a.reasoning_tokens}, {"audio_tokens", 0},
                        {"accepted_prediction_tokens", 0}, {"rejected_prediction_tokens", 0}}}};
    case dialect::groq:  // timing extensions (§6.2), deterministic values
      return json::object{{"queue_time", 0.001},        {"prompt_tokens", a.prompt_tokens},
                          {"prompt_time", 0.002},       {"completion_tokens", a.completion_tokens},
                          {"completion_time", 0.003},   {"total_tokens", total},
                          {"total_time", 0.005}};
    case dialect::mistral:
      return json::object{{"prompt_tokens", a.prompt_tokens},
                          {"completion_tokens", a.completion_tokens},
                          {"total_tokens", total}};
    case dialect::deepseek:  // cache hit + miss == prompt (§7.3)
      return json::object{{"prompt_tokens", a.prompt_tokens},
                          {"completion_tokens", a.completion_tokens},
                          {"total_tokens", total},
                          {"prompt_tokens_details", json::object{{"cached_tokens", 0}}},
                          {"completion_tokens_details", json::object{{"reasoning_tokens", a.reasoning_tokens}}},
                          {"prompt_cache_hit_tokens", 0},
                          {"prompt_cache_miss_tokens", a.prompt_tokens}};
    case dialect::xai:
      return json::object{
          {"prompt_tokens", a.prompt_tokens},
          {"completion_tokens", a.completion_tokens},
          {"total_tokens", total},
          {"prompt_tokens_details", json::object{{"text_tokens", a.prompt_tokens}, {"audio_tokens", 0},
                                                 {"image_tokens", 0}, {"cached_tokens", 0}}},
          {"completion_tokens_details",
           json::object{{"reasoning_tokens", a.reasoning_tokens}, {"audio_tokens", 0},
                        {"accepted_prediction_tokens", 0}, {"rejected_prediction_tokens", 0}}},
          {"num_sources_used", 0}};
  }
  return {};
}

json::array tool_calls_json(dialect d, const chat_answer& a) {
  json::array out;
  for (std::size_t i = 0; i < a.tool_calls.size(); ++i) {
    const auto& c = a.tool_calls[i];
    json::object o{{"id", c.id},
                   {"type", "function"},
                   {"function", json::object{{"name", c.name}, {"arguments", c.arguments}}}};
    if (d == dialect::mistral) o["index"] = i;
    out.push_back(std::move(o));
  }
  return out;
}

std::string groq_request_id(const chat_answer& a) { return "req_" + alnum_id(a.seed ^ 0x9e0, 26); }

// --- non-stream -----------------------------------------------------------------------------

json::object completion_body(dialect d, const chat_answer& a, const mock_context& ctx) {
  const bool tools = !a.tool_calls.empty();
  json::object msg{{"role", "assistant"}};
  switch (d) {
    case dialect::openai:
      msg["content"] = tools ? json::value(nullptr) : json::value(a.content());
      msg["refusal"] = nullptr;
      msg["annotations"] = json::array{};
      break;
    case dialect::mistral:
      msg["content"] = tools ? std::string() : a.content();  // Mistral sends "" beside tool calls
      msg["tool_calls"] = nullptr;
      break;
    case dialect::deepseek:
      msg["content"] = tools ? std::string() : a.content();
      if (!a.reasoning_pieces.empty()) msg["reasoning_content"] = a.reasoning();
      break;
    case dialect::xai:
      msg["content"] = tools ? std::string() : a.content();
      if (!a.reasoning_pieces.empty()) msg["reasoning_content"] = a.reasoning();
      msg["refusal"] = nullptr;
      break;
    case dialect::groq:
      msg["content"] = tools ? json::value(nullptr) : json::value(a.content());
      break;
  }
  if (tools) msg["tool_calls"] = tool_calls_json(d, a);
  json::object choice{{"index", 0}, {"message", std::move(msg)}};
  if (d != dialect::mistral) choice["logprobs"] = nullptr;
  choice["finish_reason"] = a.finish_reason;
  json::object body{{"id", a.id}, {"object", "chat.completion"}, {"created", ctx.created},
                    {"model", a.model}, {"choices", json::array{std::move(choice)}},
                    {"usage", usage_of(d, a)}};
  const auto& t = traits(d);
  if (!t.system_fingerprint.empty()) body["system_fingerprint"] = t.system_fingerprint;
  if (d == dialect::openai) body["service_tier"] = "default";
  if (d == dialect::groq) body["x_groq"] = json::object{{"id", groq_request_id(a)}};
  return body;
}

// --- stream ---------------------------------------------------------------------------------

class chunk_writer {
 public:
  chunk_writer(dialect d, const chat_answer& a, const mock_context& ctx) : d_(d), a_(a), t_(traits(d)) {
    base_ = json::object{{"id", a.id}, {"object", "chat.completion.chunk"}, {"created", ctx.created},
                         {"model", a.model}};
    if (!t_.system_fingerprint.empty()) base_["system_fingerprint"] = t_.system_fingerprint;
  }

  json::object delta_chunk(json::object delta, std::string_view finish = {}) const {
    json::object c = base_;
    json::object choice{{"index", 0}, {"delta", std::move(delta)}};
    if (d_ != dialect::mistral) choice["logprobs"] = nullptr;
    choice["finish_reason"] = finish.empty() ? json::value(nullptr) : json::value(finish);
    c["choices"] = json::array{std::move(choice)};
    if (t_.null_usage_on_chunks && a_.include_usage) c["usage"] = nullptr;
    return c;
  }

  json::object usage_chunk() const {
    json::object c = base_;
    c["choices"] = json::array{};
    c["usage"] = usage_of(d_, a_);
    return c;
  }

 private:
  dialect d_;
  const chat_answer& a_;
  const dialect_traits& t_;
  json::object base_;
};

json::object role_delta(dialect d, const chat_answer& a) {
  json::object delta{{"role", "assistant"}};
  if (d == dialect::deepseek && !a.reasoning_pieces.empty()) {
    delta["content"] = nullptr;
    delta["reasoning_content"] = "";
    return delta;
  }
  delta["content"] = "";
  if (d == dialect::openai) delta["refusal"] = nullptr;
  return delta;
}

// The whole event list of a successful stream, [DONE] included. `first_content` receives the
// index of the first event carrying content, reasoning or a tool call.
std::vector<std::string> stream_events(dialect d, const chat_answer& a, const mock_context& ctx,
                                       std::size_t& first_content) {
  const auto& t = traits(d);
  chunk_writer w(d, a, ctx);
  std::vector<std::string> ev;
  if (t.keepalive_comment) ev.emplace_back(": keep-alive\n\n");  // DeepSeek queueing (§7.3)
  {
    json::object role = w.delta_chunk(role_delta(d, a));
    if (d == dialect::groq) role["x_groq"] = json::object{{"id", groq_request_id(a)}};
    ev.push_back(sse(role));
  }
  first_content = ev.size();
  std::vector<json::object> deltas;
  for (const auto& r : a.reasoning_pieces) {
    json::object delta{{"reasoning_content", r}};
    if (d == dialect::deepseek) delta["content"] = nullptr;
    deltas.push_back(std::move(delta));
  }
  for (const auto& p : a.content_pieces) deltas.push_back(json::object{{"content", p}});
  if (t.tools == tool_delta_style::whole && !a.tool_calls.empty()) {
    deltas.push_back(json::object{{"tool_calls", tool_calls_json(d, a)}});
  } else {
    for (std::size_t i = 0; i < a.tool_calls.size(); ++i) {
      const auto& c = a.tool_calls[i];
      // Header delta: id, type and name appear only here (§2.7).
      deltas.push_back(json::object{
          {"tool_calls", json::array{json::object{
                             {"index", i}, {"id", c.id}, {"type", "function"},
                             {"function", json::object{{"name", c.name}, {"arguments", ""}}}}}}});
      for (auto& frag : split_utf8(c.arguments, arg_fragment_bytes)) {
        deltas.push_back(json::object{
            {"tool_calls", json::array{json::object{
                               {"index", i}, {"function", json::object{{"arguments", frag}}}}}}});
      }
    }
  }
  if (t.usage == stream_usage_style::on_finish_chunk) {
    // Mistral: the last delta carries finish_reason and usage (§5.3).
    if (deltas.empty()) deltas.push_back(json::object{{"content", ""}});
    for (std::size_t i = 0; i + 1 < deltas.size(); ++i) ev.push_back(sse(w.delta_chunk(std::move(deltas[i]))));
    json::object last = w.delta_chunk(std::move(deltas.back()), a.finish_reason);
    last["usage"] = usage_of(d, a);
    ev.push_back(sse(last));
  } else {
    for (auto& delta : deltas) ev.push_back(sse(w.delta_chunk(std::move(delta))));
    json::object fin = w.delta_chunk(json::object{}, a.finish_reason);
    switch (t.usage) {
      case stream_usage_style::x_groq:  // always, only here (§6.2, §13.3)
        fin["x_groq"] = json::object{{"id", groq_request_id(a)}, {"usage", usage_of(d, a)}};
        ev.push_back(sse(fin));
        break;
      case stream_usage_style::on_finish_and_trailing:  // xAI (§8.2)
        if (a.include_usage) fin["usage"] = usage_of(d, a);
        ev.push_back(sse(fin));
        if (a.include_usage) ev.push_back(sse(w.usage_chunk()));
        break;
      case stream_usage_style::trailing_chunk:
        ev.push_back(sse(fin));
        if (a.include_usage) ev.push_back(sse(w.usage_chunk()));
        break;
      case stream_usage_style::on_finish_chunk: break;
    }
  }
  ev.emplace_back("data: [DONE]\n\n");
  return ev;
}

std::string mid_stream_error(dialect d, const chat_answer& a, const mock_context& ctx) {
  if (d == dialect::groq) {
    // Groq reports why a stream stopped in x_groq.error (§1.2, §6.2).
    json::object c{{"id", a.id}, {"object", "chat.completion.chunk"}, {"created", ctx.created},
                   {"model", a.model}, {"choices", json::array{}},
                   {"x_groq", json::object{{"id", groq_request_id(a)},
                                           {"error", "stream stopped: internal server error"}}}};
    return sse(c);
  }
  return sse(json::object{{"error", json::object{{"message", "The server had an error while processing your request."},
                                                 {"type", "server_error"},
                                                 {"param", nullptr},
                                                 {"code", nullptr}}}});
}

response_plan method_not_allowed() {
  response_plan p;
  p.status = 405;
  p.header("Content-Type", "application/json");
  p.header("Allow", "POST");
  p.body = R"({"error":{"message":"mock: method not allowed","type":"invalid_request_error","param":null,"code":null}})";
  return p;
}

std::optional<error_case> status_fault(const fault_spec& f) {
  switch (f.kind) {
    case fault_kind::rate_limit: return error_case::rate_limit;
    case fault_kind::insufficient_quota: return error_case::insufficient_quota;
    case fault_kind::context_length: return error_case::context_length;
    case fault_kind::overloaded: return error_case::overloaded;
    case fault_kind::server_error: return error_case::server_error;
    case fault_kind::http_status: return f.status == 401 ? error_case::invalid_key : error_case::generic_status;
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

response_plan render(dialect d, chat_answer& a, const fault_spec& f, const mock_context& ctx) {
  response_plan p;
  apply_timing(p, f);
  p.header("x-request-id", "req_" + alnum_id(a.seed ^ 0xe11, 24));

  if (f.kind == fault_kind::wrong_content_type) {
    render_wrong_content_type(p);
    return p;
  }
  if (f.kind == fault_kind::oversized) {
    std::string big(f.size, 'x');
    a.content_pieces = a.stream ? split_utf8(big, oversized_piece) : std::vector<std::string>{std::move(big)};
    a.tool_calls.clear();
    a.reasoning_pieces.clear();
    a.finish_reason = "stop";
  }

  if (!a.stream) {
    p.latency_ms += p.ttft_ms;
    p.header("Content-Type", "application/json");
    render_body_fault(
        p, f,
        {.endless_prefix = R"({"id":")" + a.id + R"(","object":"chat.completion","choices":[)",
         .unterminated = R"({"id":")" + a.id +
                         R"(","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"unterminated)",
         // A 200 whose body is an error object (some proxies answer like this).
         .error_body = [] {
           return R"({"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}})";
         },
         .full_body = [&] { return json::serialize(completion_body(d, a, ctx)); }});
    return p;
  }

  p.streaming = true;
  p.header("Content-Type", "text/event-stream; charset=utf-8");
  p.header("Cache-Control", "no-cache");
  if (traits(d).keepalive_comment) p.keepalive_event = ": keep-alive\n\n";
  std::size_t first = 1;
  p.events = stream_events(d, a, ctx, first);
  p.first_content_event = first;
  render_stream_fault(
      p, f,
      {.error_event = [&] { return mid_stream_error(d, a, ctx); },
       .invalid_json =
           [&](std::vector<std::string>& events) {
             events.resize(first);
             events.push_back("data: {\"id\":\"" + a.id + "\",\"choices\":[{\"delta\":{\"content\":\"bro\n\n");
             events.emplace_back("data: [DONE]\n\n");
           },
       .endless =
           [&](response_plan& plan) {
             plan.events.resize(first);
             chunk_writer w(d, a, ctx);
             plan.repeat_event = sse(w.delta_chunk(json::object{{"content", " more"}}));
           }});
  return p;
}

}  // namespace

response_plan handle_openai_family(dialect d, const mock_request& req, const mock_context& ctx) {
  if (req.method != "POST") return method_not_allowed();
  const std::uint64_t seed = hash64(req.body);
  boost::system::error_code ec;
  json::value body = json::parse(req.body, ec);
  const json::value* model = !ec && body.is_object() ? body.as_object().if_contains("model") : nullptr;
  const std::string_view model_name =
      model && model->is_string() ? std::string_view(model->as_string()) : std::string_view{};
  // The benchmark names behave exactly like the reference nginx mock, which ignores the key
  // (a gateway may reach it with `auth: none`).
  if (req.mock_fault.empty()) {
    if (auto fixture = bench_fixture_for(model_name)) return *fixture;
  }
  if (!has_bearer(req.authorization)) {
    return error_plan(d, error_detail{error_case::missing_key, 0, {}, {}}, "", seed, nullptr);
  }
  if (ec || !body.is_object()) {
    return error_plan(d, error_detail{error_case::bad_json, 0, {}, {}}, "", seed, nullptr);
  }
  const json::object& o = body.as_object();
  auto fault = parse_model_fault(model_name);
  if (fault && !req.mock_fault.empty()) fault = apply_fault_header(std::move(fault).value(), req.mock_fault);
  if (fault) fault = realize(std::move(fault).value(), req.body);
  if (!fault) {
    return error_plan(d, error_detail{error_case::invalid_request, 0, fault.error().message, "model"},
                      model_name, seed, nullptr);
  }
  const fault_spec& f = fault.value();

  if (f.kind == fault_kind::reset || f.kind == fault_kind::hang) {
    response_plan p;
    apply_timing(p, f);
    p.ending = f.kind == fault_kind::reset ? plan_ending::reset : plan_ending::hang;
    return p;
  }
  if (auto c = status_fault(f)) {
    return error_plan(d, error_detail{*c, f.status, {}, {}}, f.base_model, seed, &f);
  }
  auto answer = decide_answer(d, o, f, seed);
  if (!answer) return error_plan(d, answer.error(), f.base_model, seed, &f);
  return render(d, answer.value(), f, ctx);
}

}  // namespace gi::mock
