// OpenAI-family stream decoder (providers.md §2.7, §12.4): chat.completion.chunk events ->
// canonical stream events, with per-(choice, index) tool-call state, usage buffered from
// whichever chunk carries it (xAI/Mistral put it on non-final chunks, Groq in
// `x_groq.usage`) and emitted once before the end, and mid-stream errors (`{"error":…}`,
// Groq `x_groq.error`) turned into stream_error events.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <simdjson.h>

#include "providers/openai_compat/codec.h"
#include "providers/openai_compat/stream_chunk.h"
#include "providers/openai_compat/wire.h"
#include "providers/tool_state_store.h"

namespace gi::providers::openai_compat {

namespace json = boost::json;

namespace {

class decoder final : public stream_decoder {
 public:
  decoder(const dialect& d, const target& t, bool fast_path)
      : d_(d), model_(t.model), store_(t.tool_state), now_(t.now), fast_path_(fast_path) {}

  void feed(const framed_event& ev, std::vector<core::stream_event>& out) override;
  std::optional<core::error> finish(std::vector<core::stream_event>& out) override;

 private:
  struct tool_state_entry {
    std::string id;
    std::string arguments;
  };
  struct choice_state {
    bool role_sent = false;
    bool finished = false;
    std::string reasoning;  // DeepSeek side store
  };

  void chunk(const json::object& o, std::vector<core::stream_event>& out);
  bool fast_chunk(std::string_view data, std::vector<core::stream_event>& out);
  void choice(const json::object& c, int position, std::vector<core::stream_event>& out);
  void error(core::error e, std::vector<core::stream_event>& out) {
    errored_ = true;
    out.emplace_back(core::stream_error{std::move(e)});
  }
  void flush_usage(std::vector<core::stream_event>& out) {
    if (usage_) out.emplace_back(core::usage_report{*usage_});
    usage_.reset();
  }
  void remember_reasoning();
  // choices_[ci], remembering the last one found: a stream's chunks are almost always all
  // for choice 0 (map nodes never move, so the pointer stays good).
  choice_state& state(int ci) {
    if (last_state_ == nullptr || last_choice_ != ci) {
      last_state_ = &choices_[ci];
      last_choice_ = ci;
    }
    return *last_state_;
  }

  const dialect& d_;
  std::string model_;
  tool_state_store* store_;
  std::chrono::system_clock::time_point now_;
  bool fast_path_;
  chunk_memo memo_;  // the previous chunks, for scan_chunk
  fast_chunk_view view_;  // only used inside fast_chunk

  bool started_ = false;
  bool done_ = false;
  bool errored_ = false;
  std::optional<core::usage> usage_;
  std::map<int, choice_state> choices_;
  int last_choice_ = 0;
  choice_state* last_state_ = nullptr;
  std::map<std::pair<int, int>, tool_state_entry> tools_;  // (choice, index)
};

void decoder::feed(const framed_event& ev, std::vector<core::stream_event>& out) {
  if (done_) return;  // nothing after [DONE] is meaningful
  if (ev.data.empty()) return;
  if (ev.data == "[DONE]") {
    done_ = true;
    flush_usage(out);
    remember_reasoning();
    out.emplace_back(core::stream_end{});
    return;
  }
  if (fast_path_ && fast_chunk(ev.data, out)) return;
  // Each chunk's tree is dropped after this call (strings are copied out), so it lives in a
  // stack-seeded arena: per-chunk cost stays flat and allocation-free for typical chunks.
  unsigned char arena[4096];
  json::monotonic_resource mr(arena, sizeof arena);
  boost::system::error_code ec;
  json::value v = json::parse(ev.data, ec, &mr);
  if (ec || !v.is_object()) {
    error(core::error(core::error_kind::protocol,
                      std::string(d_.name) + ": stream chunk is not a JSON object", {},
                      std::string(d_.name) + ":invalid_json"),
          out);
    return;
  }
  const json::object& o = v.get_object();
  if (const json::value* err = o.if_contains("error"); err != nullptr && !err->is_null()) {
    error(classify_inline(d_, *err), out);
    return;
  }
  chunk(o, out);
}

// A text event built in its slot of `out` (no temporary event, no string move): one per
// streamed token.
template <class T>
void emplace_text(std::vector<core::stream_event>& out, int choice, std::string_view text) {
  T& e = std::get<T>(out.emplace_back(std::in_place_type<T>));
  e.choice = choice;
  e.text.assign(text);
}

// Fast path for the common chunk shape (stream_chunk.h): building a Boost.JSON tree per chunk
// was ~40% of a streamed request's gateway CPU (callgrind, bench/micro/callgrind-e2e.sh), and
// simdjson's per-document work then still ~25%. A chunk is read into views by scan_chunk
// (a purpose-built scanner), or when it declines by scan_chunk_simd; apply below mirrors
// chunk()/choice() exactly for that subset. Anything neither reads goes to the general path.
bool decoder::fast_chunk(std::string_view data, std::vector<core::stream_event>& out) {
  // Kept across chunks: a fresh view's arrays cost more to construct than a text chunk
  // costs to read.
  fast_chunk_view& v = view_;
  v.clear();
  // Unescaped strings land here; chunks are small, so usually on the stack.
  char stack[1024];
  std::unique_ptr<char[]> heap;
  char* scratch = stack;
  if (data.size() > sizeof stack) scratch = (heap = std::make_unique<char[]>(data.size())).get();
  if (!scan_chunk(data, scratch, v, &memo_)) {
    v.clear();
    // One parser per I/O thread: its buffers are reused across chunks and requests; nothing
    // parsed outlives this call.
    thread_local simdjson::dom::parser parser;
    if (!scan_chunk_simd(parser, data, v)) return false;
  }

  if (!started_) {
    started_ = true;
    core::stream_start s;
    s.upstream_id = std::string(v.id.value_or(""));
    s.model = std::string(v.model.value_or(model_));
    s.created = v.created;
    if (v.fingerprint) s.system_fingerprint = std::string(*v.fingerprint);
    if (!s.model.empty()) model_ = s.model;
    out.emplace_back(std::move(s));
  }
  for (std::size_t position = 0; position < v.choice_count; ++position) {
    const fast_choice& c = v.choices[position];
    if (!c.object) continue;
    const int ci = c.index_kind > 0 ? static_cast<int>(c.index) : static_cast<int>(position);
    choice_state& st = state(ci);
    if (c.delta) {
      if (!st.role_sent && c.role) {
        st.role_sent = true;
        out.emplace_back(core::role_delta{ci});
      }
      if (c.reasoning_content || c.reasoning) {
        std::string reasoning;
        if (c.reasoning_content) reasoning += *c.reasoning_content;
        if (c.reasoning) reasoning += *c.reasoning;
        if (!reasoning.empty()) {
          if (d_.echo == reasoning_echo::deepseek) st.reasoning += reasoning;
          out.emplace_back(core::reasoning_delta{ci, std::move(reasoning)});
        }
      }
      if (c.content && !c.content->empty())
        emplace_text<core::text_delta>(out, ci, *c.content);
      if (c.refusal && !c.refusal->empty())
        emplace_text<core::refusal_delta>(out, ci, *c.refusal);
      for (std::size_t k = 0; k < c.tool_count; ++k) {
        const fast_tool& t = v.tools[c.first_tool + k];
        // `index` is the join key; id/name come only on a call's first delta (§2.7).
        const int idx = t.index_kind > 0 ? static_cast<int>(t.index)
                                         : static_cast<int>(tools_.size() + k);
        auto key = std::make_pair(ci, idx);
        auto it = tools_.find(key);
        if (it == tools_.end()) {
          core::tool_call_start s;
          s.choice = ci;
          s.index = idx;
          s.id = std::string(t.id.value_or(""));
          if (t.function) s.name = std::string(t.name.value_or(""));
          s.arguments = std::string(t.arguments);
          tools_.emplace(key, tool_state_entry{s.id, s.arguments});
          out.emplace_back(std::move(s));
        } else if (!t.arguments.empty()) {
          it->second.arguments += t.arguments;
          out.emplace_back(core::tool_call_delta{ci, idx, std::string(t.arguments)});
        }
      }
    }
    if (c.finish_reason) {
      st.finished = true;
      out.emplace_back(core::finish{ci, wire::finish_reason(*c.finish_reason)});
    }
  }
  // Usage may sit on any chunk (§8.2, §5.3); the last one seen wins.
  if (v.usage) usage_ = v.usage;
  return true;
}

void decoder::chunk(const json::object& o, std::vector<core::stream_event>& out) {
  if (!started_) {
    started_ = true;
    core::stream_start s;
    s.upstream_id = std::string(wire::str(o, "id").value_or(""));
    s.model = std::string(wire::str(o, "model").value_or(model_));
    s.created = wire::integer(o, "created").value_or(0);
    if (auto fp = wire::str(o, "system_fingerprint")) s.system_fingerprint = std::string(*fp);
    if (!s.model.empty()) model_ = s.model;
    out.emplace_back(std::move(s));
  }
  if (const json::value* cs = o.if_contains("choices"); cs && cs->is_array()) {
    int position = 0;
    for (const json::value& c : cs->get_array()) {
      if (const json::object* co = c.if_object()) choice(*co, position, out);
      ++position;
    }
  }
  // Usage may sit on any chunk (§8.2, §5.3); the last one seen wins.
  if (const json::value* u = o.if_contains("usage"); u && u->is_object()) usage_ = wire::usage(*u);
  if (const json::object* xg = wire::obj(o, "x_groq")) {
    if (const json::value* xu = xg->if_contains("usage"); xu && xu->is_object())
      usage_ = wire::usage(*xu);
    // §6.2: x_groq.error is a string explaining why the stream stopped early.
    if (const json::value* xe = xg->if_contains("error"); xe && !xe->is_null())
      error(classify_inline(d_, *xe), out);
  }
}

void decoder::choice(const json::object& c, int position, std::vector<core::stream_event>& out) {
  const int ci = static_cast<int>(wire::integer(c, "index").value_or(position));
  choice_state& st = choices_[ci];
  if (const json::object* delta = wire::obj(c, "delta")) {
    if (!st.role_sent && delta->if_contains("role") != nullptr) {
      st.role_sent = true;
      out.emplace_back(core::role_delta{ci});
    }
    std::string reasoning;
    for (const char* key : {"reasoning_content", "reasoning"})
      if (auto r = wire::str(*delta, key)) reasoning += *r;
    if (!reasoning.empty()) {
      if (d_.echo == reasoning_echo::deepseek) st.reasoning += reasoning;
      out.emplace_back(core::reasoning_delta{ci, std::move(reasoning)});
    }
    if (const json::value* cnt = delta->if_contains("content"); cnt && !cnt->is_null()) {
      std::string text, thinking;
      wire::content(*cnt, text, thinking);  // Mistral may send chunk arrays (§5.3)
      if (!thinking.empty()) out.emplace_back(core::reasoning_delta{ci, std::move(thinking)});
      if (!text.empty()) out.emplace_back(core::text_delta{ci, std::move(text)});
    }
    if (auto rf = wire::str(*delta, "refusal"); rf && !rf->empty())
      out.emplace_back(core::refusal_delta{ci, std::string(*rf)});
    if (const json::value* tcs = delta->if_contains("tool_calls"); tcs && tcs->is_array()) {
      int tpos = 0;
      for (const json::value& tv : tcs->get_array()) {
        const json::object* to = tv.if_object();
        if (to == nullptr) continue;
        // `index` is the join key; id/name come only on a call's first delta (§2.7).
        // Mistral sends whole calls, sometimes without index: fall back to the position.
        const int idx = static_cast<int>(wire::integer(*to, "index").value_or(
            static_cast<std::int64_t>(tools_.size()) + tpos));
        ++tpos;
        const json::object* f = wire::obj(*to, "function");
        std::string args = f != nullptr ? wire::arguments(*f) : std::string();
        auto key = std::make_pair(ci, idx);
        auto it = tools_.find(key);
        if (it == tools_.end()) {
          core::tool_call_start s;
          s.choice = ci;
          s.index = idx;
          s.id = std::string(wire::str(*to, "id").value_or(""));  // identity (§11.2)
          if (f != nullptr) s.name = std::string(wire::str(*f, "name").value_or(""));
          s.arguments = args;
          tools_.emplace(key, tool_state_entry{s.id, args});
          out.emplace_back(std::move(s));
        } else if (!args.empty()) {
          it->second.arguments += args;
          out.emplace_back(core::tool_call_delta{ci, idx, std::move(args)});
        }
      }
    }
  }
  if (auto fr = wire::str(c, "finish_reason")) {
    st.finished = true;
    out.emplace_back(core::finish{ci, wire::finish_reason(*fr)});
  }
}

void decoder::remember_reasoning() {
  // §7.2 / §11.4: DeepSeek thinking mode needs this turn's reasoning echoed with its tool
  // calls in later requests.
  if (d_.echo != reasoning_echo::deepseek || store_ == nullptr) return;
  for (const auto& [key, tool] : tools_) {
    auto it = choices_.find(key.first);
    if (it == choices_.end() || it->second.reasoning.empty() || tool.id.empty()) continue;
    store_->put(tool.id,
                tool_state{d_.kind, model_, tool_state_type::reasoning_content,
                           it->second.reasoning},
                now_);
  }
}

std::optional<core::error> decoder::finish(std::vector<core::stream_event>& out) {
  if (errored_) return std::nullopt;  // already reported as a stream_error
  std::string why;
  if (!done_) {
    why = "stream ended without [DONE]";
  } else {
    for (const auto& [ci, st] : choices_) {
      if (!st.finished) {
        why = "stream ended without a finish_reason for choice " + std::to_string(ci);
        break;
      }
    }
    if (why.empty() && !started_) why = "stream ended without any chunk";
  }
  if (why.empty()) return std::nullopt;
  // Usage seen before the cut still counts for billing.
  flush_usage(out);
  if (!done_) {
    for (const auto& [key, tool] : tools_) {
      if (!choices_[key.first].finished) {
        why += " (tool call " + std::to_string(key.second) + " arguments unfinished)";
        break;
      }
    }
  }
  return core::error(core::error_kind::truncated, std::string(d_.name) + ": " + why, {},
                     std::string(d_.name) + ":stream_truncated");
}

}  // namespace

std::unique_ptr<stream_decoder> new_stream_decoder(const dialect& d, const target& tgt,
                                                   bool fast_path) {
  return std::make_unique<decoder>(d, tgt, fast_path);
}

}  // namespace gi::providers::openai_compat
