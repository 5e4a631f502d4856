// ConverseStream events -> canonical stream events (providers.md §9.4, §12.3). The executor
// has already decoded the binary framing: each framed_event is one event-stream message
// (event = :event-type or :exception-type, message_type = :message-type, data = payload).

#include <map>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "providers/bedrock/codec.h"
#include "providers/tool_state_store.h"

namespace gi::providers::bedrock {

namespace json = boost::json;

namespace {

std::int64_t index_of(const json::object& o) {
  const json::value* v = o.if_contains("contentBlockIndex");
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  return 0;
}

const json::object* member(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v != nullptr ? v->if_object() : nullptr;
}

class decoder final : public stream_decoder {
 public:
  explicit decoder(const target& t) : model_(t.model), store_(t.tool_state), now_(t.now) {}
  void feed(const framed_event& ev, std::vector<core::stream_event>& out) override;
  std::optional<core::error> finish(std::vector<core::stream_event>& out) override;

 private:
  struct block {
    int tool_index = -1;  // OpenAI tool_calls index, -1 for text / reasoning blocks
    std::string reasoning_text;
    std::string signature;
    std::string redacted;
  };
  void start(std::vector<core::stream_event>& out) {
    if (started_) return;
    started_ = true;
    core::stream_start s;
    s.model = model_;
    out.emplace_back(std::move(s));
    out.emplace_back(core::role_delta{0});
  }
  void fail(core::error e, std::vector<core::stream_event>& out) {
    errored_ = true;
    out.emplace_back(core::stream_error{std::move(e)});
  }
  void end(std::vector<core::stream_event>& out) {
    out.emplace_back(core::finish{0, finish_});
    if (usage_) out.emplace_back(core::usage_report{*usage_});
    out.emplace_back(core::stream_end{});
    done_ = true;
    remember();
  }
  void remember();

  std::string model_;
  tool_state_store* store_;
  std::chrono::system_clock::time_point now_;
  bool started_ = false, stopped_ = false, done_ = false, errored_ = false;
  core::finish_reason finish_ = core::finish_reason::stop;
  std::optional<core::usage> usage_;
  std::map<std::int64_t, block> blocks_;
  std::vector<std::string> tool_ids_;
};

void decoder::feed(const framed_event& ev, std::vector<core::stream_event>& out) {
  if (done_ || errored_) return;
  if (ev.message_type == "exception" || ev.message_type == "error") {
    std::string message;
    boost::system::error_code ec;
    json::value v = json::parse(ev.data, ec);
    if (!ec && v.is_object()) {
      for (const char* k : {"message", "Message"})
        if (const json::value* m = v.as_object().if_contains(k); m && m->is_string()) message = std::string(m->get_string());
    }
    fail(classify_exception(ev.event.empty() ? std::string_view("unknownException") : ev.event, message, 0), out);
    return;
  }
  boost::system::error_code ec;
  json::value v = json::parse(ev.data, ec);
  if (ec || !v.is_object()) {
    fail(core::error(core::error_kind::protocol, "bedrock: stream event payload is not a JSON object", {},
                     "bedrock:invalid_json"),
         out);
    return;
  }
  const json::object& o = v.get_object();  // unknown members (the "p" padding) are ignored
  if (ev.event == "messageStart") {
    start(out);
  } else if (ev.event == "contentBlockStart") {
    start(out);
    block& b = blocks_[index_of(o)];
    const json::object* st = member(o, "start");
    if (const json::object* tu = st ? member(*st, "toolUse") : nullptr) {
      core::tool_call_start s;
      s.index = static_cast<int>(tool_ids_.size());
      if (const json::value* id = tu->if_contains("toolUseId"); id && id->is_string()) s.id = std::string(id->get_string());
      if (const json::value* n = tu->if_contains("name"); n && n->is_string()) s.name = std::string(n->get_string());
      b.tool_index = s.index;
      tool_ids_.push_back(s.id);
      out.emplace_back(std::move(s));
    }
  } else if (ev.event == "contentBlockDelta") {
    start(out);  // text blocks usually have no contentBlockStart (§9.4)
    block& b = blocks_[index_of(o)];
    const json::object* d = member(o, "delta");
    if (d == nullptr) return;
    if (const json::value* t = d->if_contains("text"); t && t->is_string()) {
      if (!t->get_string().empty()) out.emplace_back(core::text_delta{0, std::string(t->get_string())});
    } else if (const json::object* tu = member(*d, "toolUse")) {
      if (b.tool_index < 0) {
        fail(core::error(core::error_kind::protocol, "bedrock: toolUse delta without a contentBlockStart", {},
                         "bedrock:invalid_stream"),
             out);
        return;
      }
      if (const json::value* in = tu->if_contains("input"); in && in->is_string() && !in->get_string().empty())
        out.emplace_back(core::tool_call_delta{0, b.tool_index, std::string(in->get_string())});
    } else if (const json::object* rc = member(*d, "reasoningContent")) {
      if (const json::value* t2 = rc->if_contains("text"); t2 && t2->is_string()) {
        b.reasoning_text += t2->get_string();
        if (!t2->get_string().empty()) out.emplace_back(core::reasoning_delta{0, std::string(t2->get_string())});
      }
      if (const json::value* s = rc->if_contains("signature"); s && s->is_string()) b.signature += s->get_string();
      if (const json::value* r = rc->if_contains("redactedContent"); r && r->is_string()) b.redacted += r->get_string();
    }
  } else if (ev.event == "contentBlockStop") {
    // A tool block that received no input deltas still has valid (empty) arguments.
    auto it = blocks_.find(index_of(o));
    (void)it;
  } else if (ev.event == "messageStop") {
    start(out);
    stopped_ = true;
    if (const json::value* s = o.if_contains("stopReason"); s && s->is_string()) finish_ = map_stop_reason(s->get_string());
    if (finish_ == core::finish_reason::stop && !tool_ids_.empty()) finish_ = core::finish_reason::tool_calls;
  } else if (ev.event == "metadata") {
    // The last event: usage, then the end (§12.3).
    if (const json::object* u = member(o, "usage")) usage_ = map_usage(*u);
    start(out);
    end(out);
  }
}

void decoder::remember() {
  if (store_ == nullptr || tool_ids_.empty()) return;
  json::array blocks;
  for (const auto& [idx, b] : blocks_) {
    if (!b.reasoning_text.empty() || !b.signature.empty()) {
      json::object rt{{"text", b.reasoning_text}};
      if (!b.signature.empty()) rt["signature"] = b.signature;
      blocks.push_back(json::object{{"reasoningContent", json::object{{"reasoningText", std::move(rt)}}}});
    } else if (!b.redacted.empty()) {
      blocks.push_back(json::object{{"reasoningContent", json::object{{"redactedContent", b.redacted}}}});
    }
  }
  if (blocks.empty()) return;
  const std::string data = json::serialize(blocks);
  for (const auto& id : tool_ids_)
    if (!id.empty()) store_->put(id, tool_state{core::provider_kind::bedrock, model_, tool_state_type::thinking_blocks, data}, now_);
}

std::optional<core::error> decoder::finish(std::vector<core::stream_event>& out) {
  if (done_ || errored_) return std::nullopt;
  if (stopped_) {
    // §12.3: cut after messageStop but before metadata: finish without usage.
    end(out);
    return std::nullopt;
  }
  return core::error(core::error_kind::truncated,
                     started_ ? "bedrock: stream ended without messageStop" : "bedrock: stream ended without any event",
                     {}, "bedrock:stream_truncated");
}

}  // namespace

std::unique_ptr<stream_decoder> new_stream_decoder(const target& tgt) { return std::make_unique<decoder>(tgt); }

}  // namespace gi::providers::bedrock
