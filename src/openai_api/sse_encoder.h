#pragma once
// Canonical stream events -> OpenAI `chat.completion.chunk` server-sent events
// (providers.md §2.7, design §3.3). Pure: appends bytes to a caller-owned buffer, so the
// server can reuse one std::string per stream. Per-event work is proportional to the
// event's own payload, never to the length of the stream so far.
//
// Thread safety: one instance per stream; not thread-safe.

#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/chat_response.h"
#include "core/error.h"
#include "core/stream_event.h"
#include "openai_api/openai_api.h"

namespace gi::openai_api {

class sse_encoder {
 public:
  // `include_usage` is the client's `stream_options.include_usage`: it adds `"usage":null`
  // to every chunk and the final usage chunk (§2.7 step 6).
  sse_encoder(response_meta meta, bool include_usage);

  // Appends zero or more `data: {…}\n\n` events for `ev`:
  //  - stream_start records system_fingerprint (emitted on every later chunk); no output.
  //  - role_delta emits the role chunk `{"role":"assistant","content":"","refusal":null}`
  //    once per choice; content, reasoning, refusal and tool deltas emit it first themselves
  //    when the upstream sent none.
  //  - text/reasoning/refusal deltas -> delta.content / delta.reasoning_content /
  //    delta.refusal; empty ones are dropped (after the role chunk).
  //  - tool_call_start -> tool_calls[{index,id,type,function{name,arguments}}];
  //    tool_call_delta -> tool_calls[{index,function{arguments}}].
  //  - finish is HELD until finish_stream(): the last finish chunk must carry x_gammainfra,
  //    which is only known once the attempt is billed.
  //  - usage_report is remembered as the usage for finish_stream().
  //  - stream_error is written as an error event (same as error()).
  //  - stream_end: no output (the caller calls finish_stream()).
  void on_event(const core::stream_event& ev, std::string& out);

  // Ends a successful stream: the held finish chunk(s) in arrival order, the last one with
  // `x_gammainfra` (argument, else meta.x_gammainfra); then, only with include_usage, the
  // usage chunk `"choices":[]` with full usage (`usage` argument, else the last
  // usage_report, else zeros) and `cost_usd` copied from x_gammainfra when present — it
  // repeats `x_gammainfra` so the literal last chunk carries it too (design §3.3); then
  // `data: [DONE]`. If no finish event was seen, x_gammainfra rides on a `"choices":[]`
  // chunk instead of inventing a finish_reason. Call at most once.
  void finish_stream(std::optional<core::usage> usage,
                     std::optional<boost::json::object> x_gammainfra, std::string& out);

  // Ends a failed stream: `data: {"error":{…}}\n\n`, no [DONE] (§2.7 mid-stream errors).
  void error(const core::error& e, std::string& out);

  // True once any chunk carrying content, reasoning, a refusal or a tool call was written.
  bool has_content() const { return has_content_; }

 private:
  // prefix_ (and head0_) for the current meta_ and system_fingerprint_.
  const std::string& prefix();
  void ensure_role(int choice, std::string& out);
  // `data: <prefix>,"choices":[{"index":C,"delta":` — caller appends the delta object.
  void open_chunk(int choice, std::string& out);
  // `,"logprobs":null,"finish_reason":R}]` + usage:null + `}\n\n`.
  void close_chunk(std::string& out, std::string_view finish_reason = {},
                   const boost::json::object* x_gammainfra = nullptr) const;
  // `opener` is the delta object up to the text value, e.g. `{"content":`.
  void text_chunk(int choice, std::string_view opener, std::string_view text, std::string& out);

  response_meta meta_;
  bool include_usage_;
  std::optional<std::string> system_fingerprint_;
  // `{"id":…,"object":"chat.completion.chunk","created":…,"model":…[,"system_fingerprint":…]`
  // precomputed once: every chunk repeats it byte-for-byte (§2.7: same id/created/model).
  // Built on first use: a stream_start with a fingerprint changes it before any chunk.
  std::string prefix_;
  // prefix_ + `,"choices":[{"index":0,"delta":`, the head of nearly every chunk.
  std::string head0_;
  bool prefix_stale_ = true;
  std::vector<bool> role_sent_;  // per choice index
  struct held_finish {
    int choice;
    core::finish_reason reason;
  };
  std::vector<held_finish> held_;
  std::optional<core::usage> last_usage_;
  bool has_content_ = false;
  bool done_ = false;
};

}  // namespace gi::openai_api
