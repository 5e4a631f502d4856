// Anthropic answers, errors and faults as bytes (providers.md §3.5, §3.6, §3.8, §13.3):
// the `message` object, the named-event stream with its exact grammar (message_start,
// block groups with a ping after the first start, message_delta with cumulative usage,
// message_stop), tool inputs streamed as an empty first input_json_delta plus 7-byte
// fragments (none at all for `{}`), and `{"type":"error",…}` bodies.

#include <algorithm>

#include <boost/json.hpp>

#include "mock/anthropic.h"
#include "mock/dialect.h"
#include "mock/openai_answer.h"

namespace gi::mock::anthropic_wire {
namespace {

namespace json = boost::json;

constexpr std::size_t arg_fragment_bytes = 7;

std::string event(std::string_view name, const json::object& data) {
  std::string out = "event: ";
  out += name;
  out += "\ndata: ";
  out += json::serialize(data);
  out += "\n\n";
  return out;
}

std::string joined(const std::vector<std::string>& pieces) {
  std::string out;
  for (const auto& p : pieces) out += p;
  return out;
}

json::object usage(const answer& a, bool start) {
  return json::object{{"input_tokens", a.input_tokens},
                      {"cache_creation_input_tokens", a.cache_write},
                      {"cache_read_input_tokens", a.cache_read},
                      {"cache_creation", json::object{{"ephemeral_5m_input_tokens", a.cache_write},
                                                      {"ephemeral_1h_input_tokens", 0}}},
                      {"output_tokens", start ? 1u : a.output_tokens},
                      {"service_tier", "standard"}};
}

json::object message_body(const answer& a) {
  json::array content;
  for (const auto& b : a.blocks) {
    if (b.type == "text") {
      content.push_back(json::object{{"type", "text"}, {"text", joined(b.pieces)}});
    } else if (b.type == "thinking") {
      content.push_back(json::object{{"type", "thinking"}, {"thinking", joined(b.pieces)}, {"signature", b.signature}});
    } else {
      content.push_back(json::object{{"type", "tool_use"}, {"id", b.id}, {"name", b.name}, {"input", json::parse(b.input)}});
    }
  }
  return json::object{{"id", a.id},
                      {"type", "message"},
                      {"role", "assistant"},
                      {"model", a.model},
                      {"content", std::move(content)},
                      {"stop_reason", a.stop_reason},
                      {"stop_sequence", nullptr},
                      {"usage", usage(a, false)}};
}

std::vector<std::string> stream_events(const answer& a, std::size_t& first_content) {
  std::vector<std::string> ev;
  json::object start = message_body(a);
  start["content"] = json::array{};
  start["stop_reason"] = nullptr;
  start["usage"] = usage(a, true);
  ev.push_back(event("message_start", json::object{{"type", "message_start"}, {"message", std::move(start)}}));
  first_content = ev.size();
  for (std::size_t i = 0; i < a.blocks.size(); ++i) {
    const block& b = a.blocks[i];
    auto delta = [&](json::object d) {
      ev.push_back(event("content_block_delta",
                         json::object{{"type", "content_block_delta"}, {"index", i}, {"delta", std::move(d)}}));
    };
    json::object cb;
    if (b.type == "text") cb = json::object{{"type", "text"}, {"text", ""}};
    else if (b.type == "thinking") cb = json::object{{"type", "thinking"}, {"thinking", ""}, {"signature", ""}};
    else cb = json::object{{"type", "tool_use"}, {"id", b.id}, {"name", b.name}, {"input", json::object{}}};
    ev.push_back(event("content_block_start",
                       json::object{{"type", "content_block_start"}, {"index", i}, {"content_block", std::move(cb)}}));
    if (i == 0) ev.push_back(event("ping", json::object{{"type", "ping"}}));
    if (b.type == "text") {
      for (const auto& p : b.pieces) delta(json::object{{"type", "text_delta"}, {"text", p}});
    } else if (b.type == "thinking") {
      for (const auto& p : b.pieces) delta(json::object{{"type", "thinking_delta"}, {"thinking", p}});
      delta(json::object{{"type", "signature_delta"}, {"signature", b.signature}});
    } else if (b.input != "{}") {
      delta(json::object{{"type", "input_json_delta"}, {"partial_json", ""}});
      for (auto& frag : split_utf8(b.input, arg_fragment_bytes))
        delta(json::object{{"type", "input_json_delta"}, {"partial_json", frag}});
    }
    ev.push_back(event("content_block_stop", json::object{{"type", "content_block_stop"}, {"index", i}}));
  }
  ev.push_back(event("message_delta",
                     json::object{{"type", "message_delta"},
                                  {"delta", json::object{{"stop_reason", a.stop_reason}, {"stop_sequence", nullptr}}},
                                  {"usage", json::object{{"output_tokens", a.output_tokens}}}}));
  ev.push_back(event("message_stop", json::object{{"type", "message_stop"}}));
  return ev;
}

std::string error_json(const api_error& e, std::uint64_t seed) {
  json::object err{{"type", e.type}, {"message", e.message}};
  if (!e.error_code.empty()) err["details"] = json::object{{"error_code", e.error_code}};
  return json::serialize(json::object{{"type", "error"}, {"error", std::move(err)},
                                      {"request_id", "req_011" + alnum_id(seed ^ 0xe77, 21)}});
}

}  // namespace

std::string signature_for(std::string_view thinking) {
  // Deterministic and checkable: the mock recomputes it when the block is echoed back.
  return "mocksig_" + alnum_id(hash64(thinking, 0x5167), 40);
}

api_error fault_error(const fault_spec& f) {
  if (f.kind == fault_kind::rate_limit)
    return {429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", {}, 1};
  if (f.kind == fault_kind::insufficient_quota)  // §3.8: a spend cap, not worth retrying
    return {429, "rate_limit_error", "You have reached your specified API usage limits.", "enforced_spend_limit_reached", {}};
  if (f.kind == fault_kind::context_length)
    return {400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum", {}, {}};
  if (f.kind == fault_kind::overloaded) return {529, "overloaded_error", "Overloaded", {}, 1};
  if (f.kind == fault_kind::server_error) return {500, "api_error", "Internal server error", {}, {}};
  api_error e;
  e.status = f.status;
  switch (f.status) {
    case 401: e.type = "authentication_error"; e.message = "invalid x-api-key"; break;
    case 402: e.type = "billing_error"; e.message = "Your credit balance is too low"; break;
    case 403: e.type = "permission_error"; e.message = "Your API key does not have permission to use the specified resource."; break;
    case 404: e.type = "not_found_error"; e.message = "model: " + f.base_model; break;
    case 409: e.type = "conflict_error"; e.message = "Conflict"; break;
    case 413: e.type = "request_too_large"; e.message = "Request exceeds the maximum allowed number of bytes."; break;
    case 429: e.type = "rate_limit_error"; e.message = "Rate limited"; e.retry_after_s = 1; break;
    case 504: e.type = "timeout_error"; e.message = "Request timed out"; break;
    case 503:
    case 529: e.type = "overloaded_error"; e.message = "Overloaded"; e.retry_after_s = 1; break;
    default:
      e.type = f.status >= 500 ? "api_error" : "invalid_request_error";
      e.message = "mock: status " + std::to_string(f.status);
  }
  return e;
}

response_plan render_error(const api_error& e, std::uint64_t seed, const fault_spec* f) {
  response_plan p;
  if (f != nullptr) apply_timing(p, *f);
  p.latency_ms += p.ttft_ms;
  p.status = e.status;
  p.header("Content-Type", "application/json");
  p.header("request-id", "req_011" + alnum_id(seed ^ 0xe77, 21));
  std::optional<std::uint32_t> ra = e.retry_after_s;
  if (f != nullptr && f->retry_after_s) ra = f->retry_after_s;
  if (f != nullptr && f->retry_after_off) ra.reset();
  if (ra) p.header("retry-after", std::to_string(*ra));
  if (e.status == 429) {
    p.header("anthropic-ratelimit-requests-remaining", "0");
    p.header("x-should-retry", e.error_code.empty() ? "true" : "false");
  }
  p.body = error_json(e, seed);
  return p;
}

response_plan render_answer(answer& a, const fault_spec& f) {
  response_plan p;
  apply_timing(p, f);
  p.header("request-id", "req_011" + alnum_id(a.seed ^ 0xe11, 21));
  p.header("anthropic-ratelimit-requests-remaining", "999");
  p.header("anthropic-ratelimit-tokens-remaining", "99999");
  if (f.kind == fault_kind::wrong_content_type) {
    render_wrong_content_type(p);
    return p;
  }
  if (f.kind == fault_kind::oversized) {
    std::string big(f.size, 'x');
    a.blocks.clear();
    a.blocks.push_back(block{"text", a.stream ? split_utf8(big, 16 * 1024) : std::vector<std::string>{std::move(big)}, {}, {}, {}, {}});
    a.stop_reason = "end_turn";
  }
  if (!a.stream) {
    p.latency_ms += p.ttft_ms;
    p.header("Content-Type", "application/json");
    render_body_fault(
        p, f,
        {.endless_prefix = R"({"id":")" + a.id + R"(","type":"message","content":[)",
         .unterminated = R"({"id":")" + a.id + R"(","type":"message","content":[{"type":"text","text":"unterminated)",
         .error_body = [&] { return error_json(api_error{529, "overloaded_error", "Overloaded", {}, {}}, a.seed); },
         .full_body = [&] { return json::serialize(message_body(a)); }});
    return p;
  }

  p.streaming = true;
  p.header("Content-Type", "text/event-stream; charset=utf-8");
  p.header("Cache-Control", "no-cache");
  std::size_t first = 1;
  p.events = stream_events(a, first);
  p.first_content_event = first;
  render_stream_fault(
      p, f,
      {// §3.6: after an error event the stream ends without message_stop.
       .error_event =
           [] {
             return event("error", json::object{{"type", "error"},
                                                {"error", json::object{{"type", "overloaded_error"},
                                                                       {"message", "Overloaded"}}}});
           },
       .invalid_json =
           [&](std::vector<std::string>& events) {
             events.resize(first);
             events.push_back(
                 "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"bro\n\n");
             events.push_back(event("message_stop", json::object{{"type", "message_stop"}}));
           },
       .endless =
           [&](response_plan& plan) {
             plan.events.resize(first);
             plan.events.push_back(event("content_block_start",
                                         json::object{{"type", "content_block_start"}, {"index", 0},
                                                      {"content_block", json::object{{"type", "text"}, {"text", ""}}}}));
             plan.repeat_event = event("content_block_delta",
                                       json::object{{"type", "content_block_delta"}, {"index", 0},
                                                    {"delta", json::object{{"type", "text_delta"}, {"text", " more"}}}});
           }});
  return p;
}

}  // namespace gi::mock::anthropic_wire
