#pragma once
// The provider adapter interface (design §4.4, style.md §2). Adapters are CODECS, not
// clients: every member is deterministic, does no I/O, no logging and reads no clock (time
// is an input). One stateless singleton per provider kind (registry.h), shared by all
// threads.
//
// Call sequence for one attempt (executor):
//   auto req = a.encode(chat, tgt);                 // once per dialect; reusable for N sends
//   a.authorize(*req, creds, clock.system_now());   // adds credential headers
//   ...send...
//   non-stream 2xx:  a.decode(tgt, status, headers, body)
//   stream 2xx:      auto d = a.make_stream_decoder(tgt);
//                    for each framed event: d->feed(ev, out);  at EOF: d->finish(out)
//   non-2xx:         a.classify_error(status, headers, body)
//
// Thread safety: `adapter` is immutable and thread-safe. A `stream_decoder` belongs to one
// stream (one strand). `target` is plain data; the pointers it carries (tool_state_store,
// warnings) must outlive the call / the decoder.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/chat_request.h"
#include "core/chat_response.h"
#include "core/error.h"
#include "core/http_types.h"
#include "core/provider_kind.h"
#include "core/result.h"
#include "core/stream_event.h"

namespace gi::providers {

class tool_state_store;  // providers/tool_state_store.h

enum class json_schema_support : std::uint8_t {
  none,      // neither native schema nor a usable emulation (requests are rejected)
  emulated,  // degraded: json_object + instruction, or a forced tool
  native,    // response_format json_schema is sent as-is
};

// Which tool-call ids the upstream accepts back in history (providers.md §11.1). The codec
// translates ids itself (statelessly, §11.2); the router only reads this for the matrix.
enum class tool_id_rule : std::uint8_t {
  any,             // opaque strings (OpenAI, Groq, DeepSeek, xAI)
  word_1_64,       // ^[a-zA-Z0-9_-]{1,64}$ (Anthropic, Bedrock)
  alnum_9,         // ^[a-zA-Z0-9]{9}$ exactly (Mistral)
  not_sent,        // correlation by name/position (Gemini)
};

// How a 2xx stream body is framed (the executor picks the framer by this).
enum class stream_framing : std::uint8_t {
  sse,               // text/event-stream (every provider but Bedrock)
  aws_event_stream,  // application/vnd.amazon.eventstream (Bedrock ConverseStream, §9.4)
};

struct capabilities {
  bool streaming = true;
  bool tools = true;
  bool parallel_tools = true;
  json_schema_support json_schema = json_schema_support::native;
  bool vision = false;
  bool documents = false;
  bool reasoning = false;          // reasoning text comes back (reasoning_delta / choice.reasoning)
  bool reasoning_signatures = false;  // opaque reasoning state must be echoed (side store, §11.4)
  bool stream_usage = true;        // usage is available at the end of a stream
  int max_stop_sequences = 4;      // 0 = stop sequences not supported
  tool_id_rule tool_ids = tool_id_rule::any;
  providers::stream_framing stream_framing = providers::stream_framing::sse;
};

// Where and how one attempt is sent. Endpoint fields come from the catalog; the per-request
// fields at the bottom are optional.
struct target {
  std::string model;        // upstream model id
  std::string path_prefix;  // prepended to the provider path ("" for most; base URL holds /v1)
  std::string api_version;  // e.g. Anthropic version, Bedrock; unused by the OpenAI family
  std::string region;       // Bedrock / regional hosts; unused by the OpenAI family
  // The Host header the request will carry ("host[:port]"); Bedrock signs it (§9.3).
  // Empty = the provider's default host for `region`.
  std::string host;
  // Ask the upstream for usage in streams even when the client did not (billing needs it,
  // providers.md §10.3). The client still only sees usage if it asked.
  bool request_stream_usage = true;

  // --- per request (optional) ---
  // Side store for provider-only state attached to tool calls (providers.md §11.4). encode
  // reads it, decode / stream decoders write it. Null = stateless (nothing stored, nothing
  // re-attached).
  tool_state_store* tool_state = nullptr;
  // Wall time for the side store's TTL (passed in: codecs read no clock).
  std::chrono::system_clock::time_point now{};
  // encode appends one "field:reason" per parameter it dropped with a warning
  // (providers.md §10 "drop+warn"; surfaced as a response header / log by the caller).
  std::vector<std::string>* warnings = nullptr;
};

// Secrets. Never part of golden files: authorize() is the only place they enter a request.
struct credentials {
  std::string api_key;  // bearer token / x-api-key
  // OpenAI optional organisation / project headers.
  std::string organization;
  std::string project;
  // Bedrock SigV4.
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string region;  // SigV4 credential-scope region (the endpoint's aws_region)
};

// One framed upstream event: an SSE event (event name + joined data) or, for Bedrock, one
// event-stream message (":event-type" / ":message-type" headers + payload). Plain views so
// providers/ does not depend on upstream/.
struct framed_event {
  std::string_view event;         // SSE `event:` or event-stream :event-type / :exception-type
  std::string_view data;          // SSE data, or the event-stream payload
  std::string_view message_type;  // event-stream :message-type ("event" | "exception"); "" for SSE
};

// Per-request stream state machine (per-index tool state, buffered usage).
class stream_decoder {
 public:
  virtual ~stream_decoder() = default;
  // Appends zero or more canonical events for one framed event. Upstream errors inside the
  // stream become `core::stream_error` events (the decoder keeps accepting input but the
  // caller should treat the stream as failed). Malformed JSON in a data event becomes a
  // stream_error of kind `protocol`.
  virtual void feed(const framed_event& ev, std::vector<core::stream_event>& out) = 0;
  // End of input. May append final events (e.g. buffered usage). Returns a `truncated`
  // error if the stream ended without its terminal event or with unfinished tool JSON;
  // nullopt on a clean end (including after a stream_error was reported).
  virtual std::optional<core::error> finish(std::vector<core::stream_event>& out) = 0;
};

class adapter {
 public:
  virtual ~adapter() = default;

  virtual core::provider_kind kind() const noexcept = 0;
  virtual const providers::capabilities& capabilities() const noexcept = 0;

  // Canonical request -> upstream request (method, path, non-secret headers, body, stream
  // flag). A request the provider cannot express is an `invalid_request` error whose message
  // and `param` name the field; nothing is clamped or dropped silently (dropped fields are
  // reported through target.warnings).
  virtual core::result<core::upstream_request> encode(const core::chat_request& req,
                                                      const target& tgt) const = 0;

  // Adds credential headers (bearer, x-api-key, SigV4 with `now`). Error if a needed
  // credential is missing.
  virtual core::status<> authorize(core::upstream_request& req, const credentials& creds,
                                   std::chrono::system_clock::time_point now) const = 0;

  // A complete non-stream response. 2xx with an unparsable body -> `protocol`; non-2xx ->
  // classify_error(...).
  virtual core::result<core::chat_response> decode(const target& tgt, int status,
                                                   const core::header_list& headers,
                                                   std::string_view body) const = 0;

  virtual std::unique_ptr<stream_decoder> make_stream_decoder(const target& tgt) const = 0;

  // A non-2xx upstream answer -> error with kind (decides retry / fallback through
  // core::traits), retry_after (from retry-after-ms / retry-after), `code` as
  // "<provider>:<upstream code or type>", upstream message and upstream_status.
  virtual core::error classify_error(int status, const core::header_list& headers,
                                     std::string_view body) const = 0;
};

}  // namespace gi::providers
