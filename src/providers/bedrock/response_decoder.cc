// Converse response -> canonical response (providers.md §9.2, §10.2, §10.3, §11.4).

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "providers/bedrock/codec.h"
#include "providers/tool_state_store.h"

namespace gi::providers::bedrock {

namespace json = boost::json;

core::result<core::chat_response> decode_response(const target& tgt, const core::header_list& headers,
                                                  std::string_view body) {
  auto protocol = [](std::string what) {
    return core::error(core::error_kind::protocol, "bedrock: " + what, {}, "bedrock:invalid_response");
  };
  boost::system::error_code ec;
  json::value root = json::parse(body, ec);
  if (ec || !root.is_object()) return protocol("response body is not a JSON object");
  const json::object& o = root.get_object();
  const json::object* output = o.contains("output") ? o.at("output").if_object() : nullptr;
  const json::object* msg = output && output->contains("message") ? output->at("message").if_object() : nullptr;
  const json::array* content = msg && msg->contains("content") ? msg->at("content").if_array() : nullptr;
  if (content == nullptr) return protocol("response has no output.message.content");

  core::chat_response r;
  if (auto id = core::find_header(headers, "x-amzn-requestid")) r.upstream_id = std::string(*id);
  r.model = tgt.model;
  core::choice c;
  std::string text, reasoning;
  bool has_text = false;
  json::array reasoning_blocks;  // echoed with the tool calls of this turn (§11.4)
  for (const json::value& bv : *content) {
    const json::object* b = bv.if_object();
    if (b == nullptr) continue;
    if (const json::value* t = b->if_contains("text"); t && t->is_string()) {
      text += t->get_string();
      has_text = true;
    } else if (const json::value* tu = b->if_contains("toolUse"); tu && tu->is_object()) {
      const json::object& u = tu->get_object();
      core::tool_call tc;
      if (const json::value* id = u.if_contains("toolUseId"); id && id->is_string()) tc.id = std::string(id->get_string());
      if (const json::value* n = u.if_contains("name"); n && n->is_string()) tc.name = std::string(n->get_string());
      const json::value* in = u.if_contains("input");
      tc.arguments = in != nullptr && !in->is_null() ? json::serialize(*in) : "{}";
      c.tool_calls.push_back(std::move(tc));
    } else if (const json::value* rc = b->if_contains("reasoningContent"); rc && rc->is_object()) {
      reasoning_blocks.push_back(json::object{{"reasoningContent", *rc}});
      if (const json::value* rt = rc->as_object().if_contains("reasoningText"); rt && rt->is_object())
        if (const json::value* t2 = rt->as_object().if_contains("text"); t2 && t2->is_string()) reasoning += t2->get_string();
    }
  }
  if (has_text || c.tool_calls.empty()) c.content = std::move(text);
  if (!reasoning.empty()) c.reasoning = std::move(reasoning);
  std::string_view stop;
  if (const json::value* s = o.if_contains("stopReason"); s && s->is_string()) stop = s->get_string();
  c.finish_reason = map_stop_reason(stop);
  if (c.finish_reason == core::finish_reason::stop && !c.tool_calls.empty() && stop.empty())
    c.finish_reason = core::finish_reason::tool_calls;
  if (const json::value* u = o.if_contains("usage"); u && u->is_object()) r.usage = map_usage(u->get_object());

  if (tgt.tool_state != nullptr && !reasoning_blocks.empty()) {
    const std::string data = json::serialize(reasoning_blocks);
    for (const auto& tc : c.tool_calls)
      tgt.tool_state->put(tc.id, tool_state{core::provider_kind::bedrock, tgt.model, tool_state_type::thinking_blocks, data},
                          tgt.now);
  }
  r.choices.push_back(std::move(c));
  return r;
}

}  // namespace gi::providers::bedrock
