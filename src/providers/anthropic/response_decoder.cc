// Non-stream Anthropic `message` -> canonical response (providers.md §3.5, §3.7, §10.2,
// §10.3, §11.4).

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "providers/anthropic/codec.h"
#include "providers/openai_compat/wire.h"
#include "providers/tool_state_store.h"

namespace gi::providers::anthropic {

namespace json = boost::json;
namespace wire = openai_compat::wire;

namespace {

core::error protocol(std::string what) {
  return core::error(core::error_kind::protocol, "anthropic: " + what, {},
                     "anthropic:invalid_response");
}

// §3.7: the structured-output tool's input is the answer (unwrapped for non-object
// schemas).
std::string json_tool_text(std::string_view name, const json::value& input) {
  if (name == json_tool_wrapped) {
    if (const json::object* o = input.if_object())
      if (const json::value* v = o->if_contains("value")) return json::serialize(*v);
  }
  return json::serialize(input);
}

}  // namespace

core::result<core::chat_response> decode_response(const target& tgt, std::string_view body) {
  boost::system::error_code ec;
  json::value root = json::parse(body, ec);
  if (ec || !root.is_object()) {
    return core::error(core::error_kind::protocol, "anthropic: response body is not a JSON object",
                       {}, "anthropic:invalid_json");
  }
  const json::object& o = root.get_object();
  if (wire::str(o, "type") == std::optional<std::string_view>("error")) {
    if (const json::value* e = o.if_contains("error")) return classify_inline(*e);
  }
  const json::value* content = o.if_contains("content");
  if (content == nullptr || !content->is_array()) return protocol("response has no content array");

  core::chat_response r;
  r.upstream_id = std::string(wire::str(o, "id").value_or(""));
  r.model = std::string(wire::str(o, "model").value_or(tgt.model));
  if (auto st = wire::str(o, "service_tier")) r.service_tier = std::string(*st);

  core::choice c;
  std::string text, reasoning;
  bool has_text = false, json_answer = false;
  json::array thinking_blocks;
  for (const json::value& bv : content->get_array()) {
    const json::object* b = bv.if_object();
    if (b == nullptr) continue;
    const std::string_view type = wire::str(*b, "type").value_or("");
    if (type == "text") {
      text += wire::str(*b, "text").value_or("");
      has_text = true;
    } else if (type == "thinking") {
      reasoning += wire::str(*b, "thinking").value_or("");
      thinking_blocks.push_back(*b);
    } else if (type == "redacted_thinking") {
      thinking_blocks.push_back(*b);
    } else if (type == "tool_use") {
      const std::string_view name = wire::str(*b, "name").value_or("");
      const json::value* input = b->if_contains("input");
      const json::value in = input != nullptr ? *input : json::value(json::object{});
      if (name == json_tool || name == json_tool_wrapped) {
        text += json_tool_text(name, in);
        has_text = true;
        json_answer = true;
        continue;
      }
      core::tool_call tc;
      tc.id = std::string(wire::str(*b, "id").value_or(""));  // identity (§11.2)
      tc.name = std::string(name);
      tc.arguments = json::serialize(in);
      c.tool_calls.push_back(std::move(tc));
    }
    // server_tool_use / web_search_tool_result and future block types: ignored (§3.3).
  }
  if (has_text) c.content = std::move(text);
  if (!reasoning.empty()) c.reasoning = std::move(reasoning);
  const std::string_view stop = wire::str(o, "stop_reason").value_or("end_turn");
  c.finish_reason = finish_reason(stop);
  // §10.2: the forced JSON tool is an ordinary answer.
  if (json_answer && c.tool_calls.empty() && c.finish_reason == core::finish_reason::tool_calls)
    c.finish_reason = core::finish_reason::stop;
  if (const json::object* u = wire::obj(o, "usage")) r.usage = usage_from(*u);

  // §11.4: keep the turn's thinking blocks for the tool calls they belong to.
  if (tgt.tool_state != nullptr && !thinking_blocks.empty() && !c.tool_calls.empty()) {
    const std::string data = encode_thinking_state(thinking_blocks);
    for (const core::tool_call& tc : c.tool_calls) {
      (void)tgt.tool_state->put(
          tc.id, tool_state{core::provider_kind::anthropic, r.model, tool_state_type::thinking_blocks, data},
          tgt.now);
    }
  }
  r.choices.push_back(std::move(c));
  return r;
}

}  // namespace gi::providers::anthropic
