// Anthropic named-event stream -> canonical stream events (providers.md §3.6, §12.1).
//
// Per content-block index state (TensorZero's per-index tool state): each tool_use block
// gets the next OpenAI tool_calls index in order of appearance, so parallel calls stream on
// distinct indexes even when a text or thinking block sits between them. The §3.7
// structured-output tool streams as content; thinking streams as reasoning and is kept
// (with its signature) for the side store (§11.4). Usage is cumulative: message_start's
// values, overwritten by each non-null field of later message_delta usage objects.

#include <map>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "providers/anthropic/codec.h"
#include "providers/openai_compat/wire.h"
#include "providers/tool_state_store.h"

namespace gi::providers::anthropic {

namespace json = boost::json;
namespace wire = openai_compat::wire;

namespace {

enum class block_kind : std::uint8_t { text, tool, json_answer, json_wrapped, thinking, redacted, other };

struct block {
  block_kind kind = block_kind::other;
  int tool_index = -1;
  std::string id;
  std::string buffer;  // tool arguments / wrapped json / thinking text
  std::string signature;
  json::object raw;  // redacted_thinking as received
  bool open = true;
};

class decoder final : public stream_decoder {
 public:
  explicit decoder(const target& t) : model_(t.model), store_(t.tool_state), now_(t.now) {}

  void feed(const framed_event& ev, std::vector<core::stream_event>& out) override;
  std::optional<core::error> finish(std::vector<core::stream_event>& out) override;

 private:
  void error(core::error e, std::vector<core::stream_event>& out) {
    errored_ = true;
    out.emplace_back(core::stream_error{std::move(e)});
  }
  void merge_usage(const json::object& u) {
    for (const auto& kv : u)
      if (!kv.value().is_null()) usage_raw_[kv.key()] = kv.value();
    have_usage_ = true;
  }
  void block_start(const json::object& o, std::vector<core::stream_event>& out);
  void block_delta(const json::object& o, std::vector<core::stream_event>& out);
  void block_stop(const json::object& o, std::vector<core::stream_event>& out);
  void message_stop(std::vector<core::stream_event>& out);

  std::string model_;
  tool_state_store* store_;
  std::chrono::system_clock::time_point now_;

  bool started_ = false;
  bool stopped_ = false;
  bool errored_ = false;
  bool json_answer_ = false;
  int next_tool_ = 0;
  std::string stop_reason_;
  json::object usage_raw_;
  bool have_usage_ = false;
  std::map<std::int64_t, block> blocks_;
  std::vector<std::string> tool_ids_;
  json::array thinking_;
};

void decoder::feed(const framed_event& ev, std::vector<core::stream_event>& out) {
  if (stopped_ || errored_) return;
  if (ev.data.empty()) return;
  boost::system::error_code ec;
  json::value v = json::parse(ev.data, ec);
  if (ec || !v.is_object()) {
    return error(core::error(core::error_kind::protocol,
                             "anthropic: stream event is not a JSON object", {},
                             "anthropic:invalid_json"),
                 out);
  }
  const json::object& o = v.get_object();
  // The JSON's `type` repeats the SSE event name (§3.6); prefer it, fall back to the name.
  std::string_view type = wire::str(o, "type").value_or(ev.event);
  if (type == "ping") return;
  if (type == "error") {
    const json::value* e = o.if_contains("error");
    return error(classify_inline(e != nullptr ? *e : json::value(json::object{})), out);
  }
  if (type == "message_start") {
    if (started_) return;
    started_ = true;
    const json::object* m = wire::obj(o, "message");
    core::stream_start s;
    if (m != nullptr) {
      s.upstream_id = std::string(wire::str(*m, "id").value_or(""));
      s.model = std::string(wire::str(*m, "model").value_or(model_));
      if (const json::object* u = wire::obj(*m, "usage")) merge_usage(*u);
    } else {
      s.model = model_;
    }
    if (!s.model.empty()) model_ = s.model;
    out.emplace_back(std::move(s));
    out.emplace_back(core::role_delta{0});
    return;
  }
  if (!started_) {
    return error(core::error(core::error_kind::protocol,
                             "anthropic: stream event '" + std::string(type) +
                                 "' before message_start",
                             {}, "anthropic:invalid_stream"),
                 out);
  }
  if (type == "content_block_start") return block_start(o, out);
  if (type == "content_block_delta") return block_delta(o, out);
  if (type == "content_block_stop") return block_stop(o, out);
  if (type == "message_delta") {
    if (const json::object* d = wire::obj(o, "delta"))
      if (auto sr = wire::str(*d, "stop_reason")) stop_reason_ = std::string(*sr);
    if (const json::object* u = wire::obj(o, "usage")) merge_usage(*u);
    return;
  }
  if (type == "message_stop") return message_stop(out);
  // Unknown event types are ignored (§1.1 leniency).
}

void decoder::block_start(const json::object& o, std::vector<core::stream_event>& out) {
  const std::int64_t index = wire::integer(o, "index").value_or(-1);
  const json::object* cb = wire::obj(o, "content_block");
  if (cb == nullptr) return;
  block b;
  const std::string_view type = wire::str(*cb, "type").value_or("");
  if (type == "text") {
    b.kind = block_kind::text;
    if (auto t = wire::str(*cb, "text"); t && !t->empty()) out.emplace_back(core::text_delta{0, std::string(*t)});
  } else if (type == "tool_use") {
    const std::string_view name = wire::str(*cb, "name").value_or("");
    if (name == json_tool || name == json_tool_wrapped) {
      b.kind = name == json_tool ? block_kind::json_answer : block_kind::json_wrapped;
      json_answer_ = true;
    } else {
      b.kind = block_kind::tool;
      b.tool_index = next_tool_++;
      b.id = std::string(wire::str(*cb, "id").value_or(""));  // identity (§11.2)
      tool_ids_.push_back(b.id);
      out.emplace_back(core::tool_call_start{0, b.tool_index, b.id, std::string(name), ""});
    }
  } else if (type == "thinking") {
    b.kind = block_kind::thinking;
    if (auto t = wire::str(*cb, "thinking"); t && !t->empty()) {
      b.buffer = std::string(*t);
      out.emplace_back(core::reasoning_delta{0, b.buffer});
    }
    b.signature = std::string(wire::str(*cb, "signature").value_or(""));
  } else if (type == "redacted_thinking") {
    b.kind = block_kind::redacted;
    b.raw = *cb;
  }
  blocks_[index] = std::move(b);
}

void decoder::block_delta(const json::object& o, std::vector<core::stream_event>& out) {
  auto it = blocks_.find(wire::integer(o, "index").value_or(-1));
  const json::object* d = wire::obj(o, "delta");
  if (it == blocks_.end() || d == nullptr) return;
  block& b = it->second;
  const std::string_view type = wire::str(*d, "type").value_or("");
  if (type == "text_delta") {
    if (auto t = wire::str(*d, "text"); t && !t->empty()) out.emplace_back(core::text_delta{0, std::string(*t)});
  } else if (type == "input_json_delta") {
    const std::string_view piece = wire::str(*d, "partial_json").value_or("");
    if (piece.empty()) return;  // §3.6: the first fragment may be ""
    b.buffer += piece;
    if (b.kind == block_kind::tool) {
      out.emplace_back(core::tool_call_delta{0, b.tool_index, std::string(piece)});
    } else if (b.kind == block_kind::json_answer) {
      out.emplace_back(core::text_delta{0, std::string(piece)});  // §3.7 step 4
    }
  } else if (type == "thinking_delta") {
    if (auto t = wire::str(*d, "thinking"); t && !t->empty()) {
      b.buffer += *t;
      out.emplace_back(core::reasoning_delta{0, std::string(*t)});
    }
  } else if (type == "signature_delta") {
    b.signature += wire::str(*d, "signature").value_or("");
  }
  // citations_delta: no OpenAI equivalent.
}

void decoder::block_stop(const json::object& o, std::vector<core::stream_event>& out) {
  auto it = blocks_.find(wire::integer(o, "index").value_or(-1));
  if (it == blocks_.end() || !it->second.open) return;
  block& b = it->second;
  b.open = false;
  switch (b.kind) {
    case block_kind::tool:
      // §3.6: a tool with empty input streams no deltas; OpenAI clients need "{}".
      if (b.buffer.empty()) out.emplace_back(core::tool_call_delta{0, b.tool_index, "{}"});
      break;
    case block_kind::json_answer:
      if (b.buffer.empty()) out.emplace_back(core::text_delta{0, "{}"});
      break;
    case block_kind::json_wrapped: {
      // The {"value": …} wrapper of a non-object schema: the answer is the inner value,
      // which needs the whole input (sent as one content delta).
      boost::system::error_code ec;
      json::value v = json::parse(b.buffer, ec);
      const json::object* vo = ec ? nullptr : v.if_object();
      const json::value* inner = vo != nullptr ? vo->if_contains("value") : nullptr;
      out.emplace_back(core::text_delta{0, inner != nullptr ? json::serialize(*inner) : b.buffer});
      break;
    }
    case block_kind::thinking:
      thinking_.push_back(json::object{{"type", "thinking"}, {"thinking", b.buffer}, {"signature", b.signature}});
      break;
    case block_kind::redacted:
      thinking_.push_back(b.raw);
      break;
    case block_kind::text:
    case block_kind::other: break;
  }
}

void decoder::message_stop(std::vector<core::stream_event>& out) {
  stopped_ = true;
  core::finish_reason fr = finish_reason(stop_reason_.empty() ? "end_turn" : stop_reason_);
  if (json_answer_ && next_tool_ == 0 && fr == core::finish_reason::tool_calls)
    fr = core::finish_reason::stop;  // §10.2: the forced JSON tool is an ordinary answer
  out.emplace_back(core::finish{0, fr});
  if (have_usage_) out.emplace_back(core::usage_report{usage_from(usage_raw_)});
  out.emplace_back(core::stream_end{});
  if (store_ != nullptr && !thinking_.empty()) {
    const std::string data = encode_thinking_state(thinking_);
    for (const std::string& id : tool_ids_)
      (void)store_->put(id, tool_state{core::provider_kind::anthropic, model_, tool_state_type::thinking_blocks, data},
                        now_);
  }
}

std::optional<core::error> decoder::finish(std::vector<core::stream_event>& out) {
  if (errored_ || stopped_) return std::nullopt;
  std::string why = started_ ? "stream ended without message_stop" : "stream ended without message_start";
  for (const auto& [index, b] : blocks_) {
    if (b.open && (b.kind == block_kind::tool || b.kind == block_kind::json_answer ||
                   b.kind == block_kind::json_wrapped)) {
      why += " (tool input of block " + std::to_string(index) + " unfinished)";
      break;
    }
  }
  // Usage seen before the cut still counts for billing.
  if (have_usage_) out.emplace_back(core::usage_report{usage_from(usage_raw_)});
  return core::error(core::error_kind::truncated, "anthropic: " + why, {}, "anthropic:stream_truncated");
}

}  // namespace

std::unique_ptr<stream_decoder> new_stream_decoder(const target& tgt) {
  return std::make_unique<decoder>(tgt);
}

}  // namespace gi::providers::anthropic
