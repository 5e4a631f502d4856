// Bedrock Runtime Converse / ConverseStream in the mock (providers.md §9, §13.3): real
// paths, SigV4 verified on every request (403 with Bedrock's body on a mismatch), answers as
// Converse JSON or AWS event-stream frames (with the `p` padding member, text deltas without
// contentBlockStart, messageStop before metadata), faults as JSON errors with
// x-amzn-ErrorType before the stream or exception frames inside it. Deterministic.

#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "mock/bedrock_wire.h"
#include "mock/fault.h"
#include "mock/schema_values.h"
#include "mock/wire_formats.h"

namespace gi::mock {

namespace json = boost::json;

namespace {

std::string unescape_path(std::string_view s) {
  std::string o;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      o += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      o += s[i];
    }
  }
  return o;
}

response_plan error_plan(int status, std::string_view type, std::string_view message) {
  response_plan p;
  p.status = status;
  p.header("Content-Type", "application/json");
  p.header("x-amzn-RequestId", "mock-bedrock-request");
  p.header("x-amzn-ErrorType", std::string(type) + ":http://internal.amazon.com/coral/com.amazon.bedrock/");
  p.body = json::serialize(json::object{{"message", message}});
  return p;
}

std::string last_user_text(const json::array& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    const json::object* m = it->if_object();
    if (m == nullptr || !m->contains("role") || m->at("role") != "user") continue;
    const json::array* c = m->contains("content") ? m->at("content").if_array() : nullptr;
    if (c == nullptr) continue;
    std::string text;
    for (const auto& b : *c)
      if (const json::object* bo = b.if_object(); bo && bo->contains("text") && bo->at("text").is_string())
        text += std::string(bo->at("text").get_string()) + " ";
    if (c->size() > 0 && c->at(0).is_object() && c->at(0).as_object().contains("toolResult")) return "";
    return text;
  }
  return "";
}

bool has_tool_blocks(const json::array& messages) {
  for (const auto& m : messages) {
    const json::object* mo = m.if_object();
    const json::array* c = mo && mo->contains("content") ? mo->at("content").if_array() : nullptr;
    if (c == nullptr) continue;
    for (const auto& b : *c)
      if (const json::object* bo = b.if_object(); bo && (bo->contains("toolUse") || bo->contains("toolResult")))
        return true;
  }
  return false;
}

struct call {
  std::string id, name, input;
};

}  // namespace

std::optional<response_plan> handle_bedrock(const mock_request& req, const mock_context& ctx) {
  std::string_view path = req.target.substr(0, req.target.find('?'));
  if (!path.starts_with("/model/")) return std::nullopt;
  std::string_view rest = path.substr(7);
  const auto slash = rest.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view op = rest.substr(slash + 1);
  if (op != "converse" && op != "converse-stream") return std::nullopt;
  const bool stream = op == "converse-stream";
  const std::string model = unescape_path(rest.substr(0, slash));

  // Auth: a Bedrock API key (bearer) or SigV4 verified against the configured pair.
  if (!req.authorization.starts_with("Bearer ")) {
    bedrock_wire::verify_input vi{req.method, req.target, req.all_headers, req.body, ctx.aws_access_key_id,
                                  ctx.aws_secret_access_key, ctx.unix_now ? ctx.unix_now() : 0};
    if (auto fail = bedrock_wire::verify_sigv4(vi)) return error_plan(403, fail->error_type, fail->message);
  }

  auto fault = parse_model_fault(model);
  if (fault && !req.mock_fault.empty()) fault = apply_fault_header(*fault, req.mock_fault);
  if (fault) fault = realize(*fault, req.body);
  if (!fault) return error_plan(400, "ValidationException", fault.error().message);
  const fault_spec& f = *fault;

  boost::system::error_code ec;
  json::value root = json::parse(req.body, ec);
  if (ec || !root.is_object()) return error_plan(400, "ValidationException", "Malformed input request, please reformat your input and try again.");
  const json::object& body = root.as_object();
  const json::array* messages = body.contains("messages") ? body.at("messages").if_array() : nullptr;
  if (messages == nullptr || messages->empty())
    return error_plan(400, "ValidationException", "The messages field is required.");
  const json::object* tool_config = body.contains("toolConfig") ? body.at("toolConfig").if_object() : nullptr;
  if (tool_config == nullptr && has_tool_blocks(*messages))
    return error_plan(400, "ValidationException",
                      "The toolConfig field must be defined when using toolUse and toolResult content blocks.");

  switch (f.kind) {
    case fault_kind::rate_limit: {
      auto p = error_plan(429, "ThrottlingException", "Too many requests, please wait before trying again.");
      if (!f.retry_after_off) p.header("Retry-After", std::to_string(f.retry_after_s.value_or(1)));
      return p;
    }
    case fault_kind::insufficient_quota:
      return error_plan(400, "ServiceQuotaExceededException", "Your request exceeds the service quota for your account.");
    case fault_kind::context_length:
      return error_plan(400, "ValidationException", "Input is too long for requested model.");
    case fault_kind::overloaded: return error_plan(503, "ServiceUnavailableException", "Service is unavailable.");
    case fault_kind::server_error: return error_plan(500, "InternalServerException", "An internal server error occurred.");
    case fault_kind::http_status: {
      const int s = f.status;
      const char* type = s == 403 ? "AccessDeniedException" : s == 404 ? "ResourceNotFoundException"
                         : s == 408 ? "ModelTimeoutException" : s == 424 ? "ModelErrorException"
                         : s == 429 ? "ThrottlingException" : s == 503 ? "ServiceUnavailableException"
                         : s >= 500 ? "InternalServerException" : "ValidationException";
      return error_plan(s, type, std::string("mock: status ") + std::to_string(s));
    }
    case fault_kind::reset: {
      response_plan p;
      p.ending = plan_ending::reset;
      return p;
    }
    case fault_kind::hang: {
      response_plan p;
      p.ending = plan_ending::hang;
      p.hang_ms = f.hang_ms;
      return p;
    }
    case fault_kind::none:
    case fault_kind::close_mid_stream:
    case fault_kind::stream_error:
    case fault_kind::invalid_json:
    case fault_kind::wrong_content_type:
    case fault_kind::truncated:
    case fault_kind::endless:
    case fault_kind::oversized: break;
  }

  // The answer: tool calls when tools are offered and forced or asked for, else text.
  std::vector<call> calls;
  const std::string user = last_user_text(*messages);
  if (tool_config != nullptr && tool_config->contains("tools") && tool_config->at("tools").is_array()) {
    const json::object* choice = tool_config->contains("toolChoice") ? tool_config->at("toolChoice").if_object() : nullptr;
    std::string forced;
    const bool any = choice && choice->contains("any");
    if (choice && choice->contains("tool") && choice->at("tool").is_object())
      forced = std::string(choice->at("tool").as_object().at("name").as_string());
    if (any || !forced.empty() || user.find("tool") != std::string::npos) {
      int n = 0;
      for (const auto& t : tool_config->at("tools").as_array()) {
        const json::object* spec = t.is_object() && t.as_object().contains("toolSpec") ? t.as_object().at("toolSpec").if_object() : nullptr;
        if (spec == nullptr) continue;
        std::string name(spec->at("name").as_string());
        if (!forced.empty() && name != forced) continue;
        json::value schema = json::object{{"type", "object"}};
        if (spec->contains("inputSchema") && spec->at("inputSchema").is_object() &&
            spec->at("inputSchema").as_object().contains("json"))
          schema = spec->at("inputSchema").as_object().at("json");
        calls.push_back({"tooluse_mock" + std::to_string(n++) + "AbCdEfGhIjKlMn", name, json::serialize(minimal_instance(schema))});
      }
    }
  }
  std::string text;
  if (calls.empty()) {
    text = "Mock answer to:";
    std::size_t words = 0, p = 0;
    while (words < 8 && p < user.size()) {
      while (p < user.size() && user[p] == ' ') ++p;
      std::size_t e = user.find(' ', p);
      if (e == std::string::npos) e = user.size();
      if (e > p) {
        text += " " + user.substr(p, e - p);
        ++words;
      }
      p = e;
    }
    if (body.contains("outputConfig")) text = "{}";
  }
  const std::string stop = calls.empty() ? "end_turn" : "tool_use";
  const std::int64_t in_tokens = static_cast<std::int64_t>(req.body.size() / 4);
  const std::int64_t out_tokens = static_cast<std::int64_t>((text.size() + 3) / 4 + calls.size() * 8);
  const json::object usage{{"inputTokens", in_tokens}, {"outputTokens", out_tokens},
                           {"totalTokens", in_tokens + out_tokens}, {"cacheReadInputTokens", 0},
                           {"cacheWriteInputTokens", 0}};

  response_plan p;
  p.header("x-amzn-RequestId", "mock-bedrock-request");
  p.latency_ms = f.latency_ms;
  if (!stream) {
    json::array content;
    if (!text.empty()) content.push_back(json::object{{"text", text}});
    for (const auto& c : calls)
      content.push_back(json::object{{"toolUse", json::object{{"toolUseId", c.id}, {"name", c.name}, {"input", json::parse(c.input)}}}});
    p.header("Content-Type", "application/json");
    p.body = json::serialize(json::object{
        {"output", json::object{{"message", json::object{{"role", "assistant"}, {"content", std::move(content)}}}}},
        {"stopReason", stop}, {"usage", usage}, {"metrics", json::object{{"latencyMs", 42}}}});
    return p;
  }

  // Stream: padding `p` on every event, text deltas without contentBlockStart.
  std::vector<std::string> ev;
  int pad = 0;
  auto event = [&](std::string_view type, json::object payload) {
    payload["p"] = std::string("abcdefghijklmnopqrstuvwxyzABCDEF").substr(0, static_cast<std::size_t>(1 + (pad++ * 7) % 30));
    ev.push_back(bedrock_wire::event_frame(type, json::serialize(payload)));
  };
  event("messageStart", json::object{{"role", "assistant"}});
  int block = 0;
  if (!text.empty()) {
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t e = text.find(' ', pos + 1);
      if (e == std::string::npos) e = text.size();
      event("contentBlockDelta", json::object{{"contentBlockIndex", block}, {"delta", json::object{{"text", text.substr(pos, e - pos)}}}});
      pos = e;
    }
    event("contentBlockStop", json::object{{"contentBlockIndex", block}});
    ++block;
  }
  for (const auto& c : calls) {
    event("contentBlockStart", json::object{{"contentBlockIndex", block},
                                            {"start", json::object{{"toolUse", json::object{{"toolUseId", c.id}, {"name", c.name}}}}}});
    for (std::size_t pos = 0; pos < c.input.size(); pos += 7)
      event("contentBlockDelta", json::object{{"contentBlockIndex", block},
                                              {"delta", json::object{{"toolUse", json::object{{"input", c.input.substr(pos, 7)}}}}}});
    event("contentBlockStop", json::object{{"contentBlockIndex", block}});
    ++block;
  }
  event("messageStop", json::object{{"stopReason", stop}});
  event("metadata", json::object{{"usage", usage}, {"metrics", json::object{{"latencyMs", 42}}}});

  if (f.kind == fault_kind::stream_error) {
    const std::size_t keep = std::min<std::size_t>(f.after, ev.size());
    ev.resize(keep);
    ev.push_back(bedrock_wire::exception_frame("throttlingException",
                                               R"({"message":"Too many tokens, please wait before trying again."})"));
    p.ending = plan_ending::close;
  } else if (f.kind == fault_kind::close_mid_stream || f.kind == fault_kind::truncated) {
    ev.resize(std::min<std::size_t>(f.after, ev.size()));
    p.ending = plan_ending::close;
  } else if (f.kind == fault_kind::invalid_json) {
    // A frame whose message CRC is wrong: corrupt framing.
    std::string bad = ev.size() > 1 ? ev[1] : ev[0];
    bad[bad.size() - 1] = static_cast<char>(bad[bad.size() - 1] ^ 0x5A);
    ev.resize(1);
    ev.push_back(std::move(bad));
    p.ending = plan_ending::close;
  }
  p.header("Content-Type", f.kind == fault_kind::wrong_content_type ? "text/html" : "application/vnd.amazon.eventstream");
  p.streaming = true;
  p.events = std::move(ev);
  p.first_content_event = 1;
  p.ttft_ms = f.ttft_ms;
  p.chunk_ms = f.chunk_ms;
  p.split = f.split;
  return p;
}

}  // namespace gi::mock
