// Non-stream OpenAI-family response body -> canonical response (providers.md §2.6, §5.3,
// §6.2, §7.2, §8.2).

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "providers/openai_compat/codec.h"
#include "providers/openai_compat/wire.h"
#include "providers/tool_state_store.h"

namespace gi::providers::openai_compat {

namespace json = boost::json;

core::result<core::chat_response> decode_response(const dialect& d, const target& tgt,
                                                  std::string_view body) {
  // The parsed tree dies with this call (everything kept is copied out), so it lives in an
  // arena seeded from the stack: one bulk release instead of a free per node.
  unsigned char arena[8192];
  json::monotonic_resource mr(arena, sizeof arena);
  boost::system::error_code ec;
  json::value root = json::parse(body, ec, &mr);
  if (ec || !root.is_object()) {
    core::error e(core::error_kind::protocol,
                  std::string(d.name) + ": response body is not a JSON object", {},
                  std::string(d.name) + ":invalid_json");
    return e;
  }
  const json::object& o = root.get_object();
  // Some upstreams answer 200 with an error object (OpenAI-style, or xAI's string form).
  if (const json::value* err = o.if_contains("error"); err != nullptr && !err->is_null())
    return classify_inline(d, *err);
  const json::value* choices_v = o.if_contains("choices");
  if (choices_v == nullptr || !choices_v->is_array()) {
    return core::error(core::error_kind::protocol,
                       std::string(d.name) + ": response has no choices array", {},
                       std::string(d.name) + ":invalid_response");
  }

  core::chat_response r;
  r.upstream_id = std::string(wire::str(o, "id").value_or(""));
  r.model = std::string(wire::str(o, "model").value_or(tgt.model));
  r.created = wire::integer(o, "created").value_or(0);
  if (auto fp = wire::str(o, "system_fingerprint")) r.system_fingerprint = std::string(*fp);
  if (auto st = wire::str(o, "service_tier")) r.service_tier = std::string(*st);

  int position = 0;
  for (const json::value& cv : choices_v->get_array()) {
    const json::object* co = cv.if_object();
    if (co == nullptr) continue;
    core::choice c;
    c.index = static_cast<int>(wire::integer(*co, "index").value_or(position));
    ++position;
    if (auto fr = wire::str(*co, "finish_reason")) c.finish_reason = wire::finish_reason(*fr);
    if (const json::value* lp = co->if_contains("logprobs")) c.logprobs = *lp;
    if (const json::object* m = wire::obj(*co, "message")) {
      std::string text, reasoning;
      bool has_content = false;
      if (const json::value* cnt = m->if_contains("content"); cnt && !cnt->is_null()) {
        wire::content(*cnt, text, reasoning);
        has_content = true;
      }
      if (has_content) c.content = std::move(text);
      // DeepSeek / xAI `reasoning_content`, Groq `reasoning` (§6.2, §7.2, §8.2).
      for (const char* key : {"reasoning_content", "reasoning"})
        if (auto rc = wire::str(*m, key)) reasoning += *rc;
      if (!reasoning.empty()) c.reasoning = std::move(reasoning);
      if (auto rf = wire::str(*m, "refusal")) c.refusal = std::string(*rf);
      if (const json::value* tcs = m->if_contains("tool_calls"); tcs && tcs->is_array()) {
        for (const json::value& tv : tcs->get_array()) {
          const json::object* to = tv.if_object();
          if (to == nullptr) continue;
          core::tool_call tc;
          tc.id = std::string(wire::str(*to, "id").value_or(""));  // identity (§11.2)
          tc.type = std::string(wire::str(*to, "type").value_or("function"));
          if (const json::object* f = wire::obj(*to, "function")) {
            tc.name = std::string(wire::str(*f, "name").value_or(""));
            tc.arguments = wire::arguments(*f);
          }
          c.tool_calls.push_back(std::move(tc));
        }
      }
    }
    r.choices.push_back(std::move(c));
  }

  if (const json::value* u = o.if_contains("usage"); u && u->is_object()) {
    r.usage = wire::usage(*u);
  } else if (const json::object* xg = wire::obj(o, "x_groq")) {
    if (const json::value* xu = xg->if_contains("usage")) r.usage = wire::usage(*xu);
  }

  // §7.2 / §11.4: keep DeepSeek's reasoning for the tool-call turn it belongs to.
  if (d.echo == reasoning_echo::deepseek && tgt.tool_state != nullptr) {
    for (const core::choice& c : r.choices) {
      if (!c.reasoning || c.tool_calls.empty()) continue;
      for (const core::tool_call& tc : c.tool_calls) {
        tgt.tool_state->put(tc.id,
                            tool_state{d.kind, r.model, tool_state_type::reasoning_content,
                                       *c.reasoning},
                            tgt.now);
      }
    }
  }
  return r;
}

}  // namespace gi::providers::openai_compat
