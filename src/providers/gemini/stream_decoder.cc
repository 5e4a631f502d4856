// streamGenerateContent?alt=sse -> canonical stream events (providers.md §4.5, §12.2). Each
// SSE event is a whole partial GenerateContentResponse: new text only, functionCall parts
// complete in one event, finishReason on a candidate's last event, usageMetadata repeated
// (the last one wins). There is no [DONE]: the stream just closes, so a stream that closes
// before every started candidate reported a finishReason is truncated.

#include <map>

#include <boost/json/parse.hpp>

#include "providers/gemini/codec.h"
#include "providers/gemini/wire.h"

namespace gi::providers::gemini {

namespace json = boost::json;

namespace {

class decoder final : public stream_decoder {
 public:
  explicit decoder(const target& t) : tgt_(t), model_(t.model) {}

  void feed(const framed_event& ev, std::vector<core::stream_event>& out) override;
  std::optional<core::error> finish(std::vector<core::stream_event>& out) override;

 private:
  struct candidate_state {
    bool finished = false;
    int calls = 0;  // OpenAI tool_calls index of the next call
  };
  void error(core::error e, std::vector<core::stream_event>& out) {
    errored_ = true;
    out.emplace_back(core::stream_error{std::move(e)});
  }
  void chunk(const json::object& o, std::vector<core::stream_event>& out);

  target tgt_;  // a copy: the caller's target need not outlive the decoder
  std::string model_;
  std::string response_id_;
  bool started_ = false;
  bool errored_ = false;
  std::optional<core::usage> usage_;
  std::map<int, candidate_state> candidates_;
};

void decoder::feed(const framed_event& ev, std::vector<core::stream_event>& out) {
  if (errored_ || ev.data.empty()) return;
  boost::system::error_code ec;
  json::value v = json::parse(ev.data, ec);
  if (ec || !v.is_object()) {
    error(core::error(core::error_kind::protocol, "gemini: stream event is not a JSON object",
                      {}, "gemini:invalid_json"),
          out);
    return;
  }
  const json::object& o = v.get_object();
  // §4.5: a mid-stream error is `data: {"error":{…}}`, then the connection closes.
  if (const json::value* err = o.if_contains("error"); err != nullptr && !err->is_null()) {
    error(classify_inline(*err), out);
    return;
  }
  chunk(o, out);
}

void decoder::chunk(const json::object& o, std::vector<core::stream_event>& out) {
  if (!started_) {
    started_ = true;
    core::stream_start s;
    response_id_ = std::string(wire::str(o, "responseId").value_or(""));
    s.upstream_id = response_id_;
    s.model = std::string(wire::str(o, "modelVersion").value_or(model_));
    if (!s.model.empty()) model_ = s.model;
    out.emplace_back(std::move(s));
  }
  if (const json::object* u = wire::obj(o, "usageMetadata")) usage_ = wire::usage(*u);

  const json::array* cands = wire::arr(o, "candidates");
  if (cands == nullptr || cands->empty()) {
    // §12.2 step 2: a blocked prompt is one event with promptFeedback.blockReason and no
    // candidates. Nothing was produced, so it is an error before commit (content_policy).
    if (const json::object* pf = wire::obj(o, "promptFeedback")) {
      if (auto reason = wire::str(*pf, "blockReason"))
        error(wire::prompt_blocked(*reason, wire::str(*pf, "blockReasonMessage").value_or("")), out);
    }
    return;
  }
  int position = 0;
  for (const json::value& cv : *cands) {
    const json::object* co = cv.if_object();
    if (co == nullptr) continue;
    const int ci = static_cast<int>(wire::integer(*co, "index").value_or(position));
    ++position;
    auto [it, fresh] = candidates_.try_emplace(ci);
    candidate_state& st = it->second;
    if (fresh) out.emplace_back(core::role_delta{ci});
    if (st.finished) continue;  // nothing after a candidate's finishReason is meaningful
    wire::parts_view pv = wire::read_parts(*co, response_id_, ci, st.calls);
    if (!pv.reasoning.empty()) out.emplace_back(core::reasoning_delta{ci, std::move(pv.reasoning)});
    if (!pv.text.empty()) out.emplace_back(core::text_delta{ci, std::move(pv.text)});
    for (wire::call& c : pv.calls) {
      // §12.2 step 3: one delta with id, name and the whole arguments.
      core::tool_call_start s;
      s.choice = ci;
      s.index = st.calls++;
      s.id = c.id;
      s.name = c.name;
      s.arguments = c.arguments;
      out.emplace_back(std::move(s));
    }
    wire::remember_signatures(tgt_, model_, pv.calls);
    if (auto fr = wire::str(*co, "finishReason")) {
      st.finished = true;
      out.emplace_back(core::finish{ci, wire::finish_reason(*fr, st.calls > 0)});
    }
  }
}

std::optional<core::error> decoder::finish(std::vector<core::stream_event>& out) {
  if (errored_) return std::nullopt;  // already reported as a stream_error
  std::string why;
  if (!started_) {
    why = "stream ended without any event";
  } else if (candidates_.empty()) {
    why = "stream ended without a candidate";
  } else {
    for (const auto& [ci, st] : candidates_) {
      if (!st.finished) {
        why = "stream ended without a finishReason for candidate " + std::to_string(ci);
        break;
      }
    }
  }
  // Usage seen before a cut still counts for billing.
  if (usage_) out.emplace_back(core::usage_report{*usage_});
  usage_.reset();
  if (why.empty()) {
    out.emplace_back(core::stream_end{});
    return std::nullopt;
  }
  return core::error(core::error_kind::truncated, "gemini: " + why, {}, "gemini:stream_truncated");
}

}  // namespace

std::unique_ptr<stream_decoder> new_stream_decoder(const target& tgt) {
  return std::make_unique<decoder>(tgt);
}

}  // namespace gi::providers::gemini
