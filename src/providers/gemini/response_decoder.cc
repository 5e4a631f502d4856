// Non-stream generateContent body -> canonical response (providers.md §4.4, §10.2, §10.3).

#include <boost/json/parse.hpp>

#include "providers/gemini/codec.h"
#include "providers/gemini/wire.h"

namespace gi::providers::gemini {

namespace json = boost::json;

core::result<core::chat_response> decode_response(const target& tgt, std::string_view body) {
  boost::system::error_code ec;
  json::value root = json::parse(body, ec);
  // A stream-less `:streamGenerateContent` answers with an array; accept its single element.
  if (!ec && root.is_array() && root.get_array().size() == 1) root = root.get_array()[0];
  if (ec || !root.is_object()) {
    return core::error(core::error_kind::protocol, "gemini: response body is not a JSON object",
                       {}, "gemini:invalid_json");
  }
  const json::object& o = root.get_object();
  if (const json::value* err = o.if_contains("error"); err != nullptr && !err->is_null())
    return classify_inline(*err);

  const json::array* cands = wire::arr(o, "candidates");
  if (cands == nullptr || cands->empty()) {
    // §4.4: a blocked prompt is a 200 with no candidates and promptFeedback.blockReason.
    if (const json::object* pf = wire::obj(o, "promptFeedback")) {
      if (auto reason = wire::str(*pf, "blockReason"))
        return wire::prompt_blocked(*reason, wire::str(*pf, "blockReasonMessage").value_or(""));
    }
    return core::error(core::error_kind::protocol, "gemini: response has no candidates", {},
                       "gemini:invalid_response");
  }

  core::chat_response r;
  r.upstream_id = std::string(wire::str(o, "responseId").value_or(""));
  r.model = std::string(wire::str(o, "modelVersion").value_or(tgt.model));
  int position = 0;
  for (const json::value& cv : *cands) {
    const json::object* co = cv.if_object();
    if (co == nullptr) continue;
    core::choice c;
    c.index = static_cast<int>(wire::integer(*co, "index").value_or(position));
    ++position;
    wire::parts_view pv = wire::read_parts(*co, r.upstream_id, c.index, 0);
    if (!pv.reasoning.empty()) c.reasoning = std::move(pv.reasoning);
    for (const wire::call& k : pv.calls)
      c.tool_calls.push_back(core::tool_call{k.id, "function", k.name, k.arguments});
    const auto fr = wire::str(*co, "finishReason");
    c.finish_reason = wire::finish_reason(fr.value_or("STOP"), !pv.calls.empty());
    // An output block with nothing produced still answers (finish_reason content_filter,
    // §4.4) with content null; a call-only turn has content null as on OpenAI.
    if (pv.has_text) c.content = std::move(pv.text);
    else if (pv.calls.empty() && c.finish_reason != core::finish_reason::content_filter)
      c.content = std::string();
    if (const json::value* lp = co->if_contains("logprobsResult")) c.logprobs = *lp;
    wire::remember_signatures(tgt, r.model, pv.calls);
    r.choices.push_back(std::move(c));
  }
  if (const json::object* u = wire::obj(o, "usageMetadata")) r.usage = wire::usage(*u);
  return r;
}

}  // namespace gi::providers::gemini
