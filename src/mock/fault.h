#pragma once
// Scripted, deterministic faults for the mock upstream. Selected by the model name or by the
// `X-Mock-Fault` request header; the grammar is documented in docs/mock-upstream.md.
//
//   model  := base ['@' spec]            e.g. gpt-4o-mini@fault=429,retry_after=3
//           | 'mock-fault-' kind         e.g. mock-fault-429, mock-fault-reset
//   spec   := item ((',' | ';') item)*   item := key ['=' value]
//
// Pure: no I/O. The wire-format modules turn a fault into a response plan with the shared
// helpers at the end of this file (each format supplies only its own bytes: error events,
// broken JSON); the server executes the plan.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "mock/response_plan.h"

namespace gi::mock {

enum class fault_kind : std::uint8_t {
  none,
  http_status,         // respond `status` with the dialect's error body for it
  rate_limit,          // 429 rate limit (retryable, Retry-After)
  insufficient_quota,  // 429 OpenAI insufficient_quota (not retryable); 402 on DeepSeek
  context_length,      // 400 context_length_exceeded in the dialect's shape
  overloaded,          // 503 with Retry-After
  server_error,        // 500
  reset,               // TCP RST before any response byte
  close_mid_stream,    // stream: close after `after` events, no [DONE]; non-stream: half a body
  stream_error,        // stream: an in-band error event after `after` events, then close
  hang,                // no response until the client gives up (bounded by hang_ms)
  invalid_json,        // 200 with a body that is not JSON (stream: a data line that is not JSON)
  wrong_content_type,  // 200 text/html body
  truncated,           // Content-Length larger than the bytes sent, then close
  endless,             // stream that never finishes (bounded by cap_ms), no [DONE]
  oversized,           // 200 with a valid body of about `size` bytes
};

std::string_view to_string(fault_kind k) noexcept;

struct fault_spec {
  fault_kind kind = fault_kind::none;
  int status = 0;                        // for http_status (and the resolved status of others)
  std::uint32_t latency_ms = 0;          // before the status line
  std::uint32_t ttft_ms = 0;             // after the headers, before the first content event
  std::uint32_t chunk_ms = 0;            // between stream events
  std::optional<std::uint32_t> chunks;   // number of content deltas (default: one per word)
  std::uint32_t after = 3;               // events before close_mid_stream / stream_error
  std::optional<std::uint32_t> retry_after_s;  // Retry-After seconds (default per fault)
  bool retry_after_off = false;          // retry_after=none: omit the header
  std::uint32_t hang_ms = 60'000;        // the mock's own give-up bound for hang
  std::uint32_t cap_ms = 60'000;         // bound of an endless stream
  std::uint64_t size = 16u << 20;        // oversized body bytes
  std::uint32_t split = 0;               // write each stream event in pieces of N bytes
  // Latency distributions and intermittent faults (router simulations, the demo). Drawn by
  // realize() from a hash of the request body: reproducible per request, varied across
  // requests whose bodies differ.
  std::uint32_t jitter_ms = 0;           // + uniform [0, jitter_ms) on latency_ms
  std::uint32_t tail_pct = 0;            // this % of requests get + tail_ms on latency_ms
  std::uint32_t tail_ms = 0;
  std::uint32_t fault_pct = 100;         // the fault applies to this % of requests (else none)
  // The model name with any `@spec` suffix removed (what the response's `model` echoes).
  std::string base_model;
};

// Parses the model name. Unknown keys or bad values are an error (a test that typos a fault
// must not silently get a normal answer); the error message names the offending item.
core::result<fault_spec> parse_model_fault(std::string_view model);

// Parses an `X-Mock-Fault` header value (a bare spec, no '@') over `base`, overriding what
// the model name selected.
core::result<fault_spec> apply_fault_header(fault_spec base, std::string_view header);

// Resolves the random parts (jitter_ms, tail_pct/tail_ms, fault_pct) for one request from a
// hash of `seed` (the request body). Pure and deterministic.
fault_spec realize(fault_spec f, std::string_view seed);

// --- Fault -> response plan, shared by the wire formats -------------------------------

// Latency, ttft, pacing, split writes and the hang / endless bounds of `f`.
void apply_timing(response_plan& p, const fault_spec& f);

// wrong_content_type: the HTML page a misconfigured proxy answers with (200 text/html).
void render_wrong_content_type(response_plan& p);

// What a wire format supplies for the faults of a non-stream answer.
struct body_fault_parts {
  std::string endless_prefix;  // the opening of a JSON body that then never ends (endless)
  std::string unterminated;    // a body cut inside a string (invalid_json)
  std::function<std::string()> error_body;  // stream_error: an error object with the 200
  std::function<std::string()> full_body;   // the normal answer
};

// A non-stream answer under `f` (Content-Type already set): endless, invalid_json,
// stream_error, else the full body — cut in half with a longer Content-Length for
// truncated and close_mid_stream.
void render_body_fault(response_plan& p, const fault_spec& f, const body_fault_parts& parts);

// What a wire format supplies for the faults of a stream.
struct stream_fault_parts {
  std::function<std::string()> error_event;  // stream_error: the in-band error event
  bool close_after_error = false;            // the connection closes after it (Gemini §4.5)
  // invalid_json: rewrite the events so one data line is not JSON.
  std::function<void(std::vector<std::string>& events)> invalid_json;
  // endless: leave the opening events and set the repeated one.
  std::function<void(response_plan& p)> endless;
};

// Applies `f` to the complete stream in `p.events`: close_mid_stream and stream_error after
// `f.after` events (clamped to the last), truncated = half of that event, invalid_json and
// endless by the format's parts; other kinds leave the stream as it is.
void render_stream_fault(response_plan& p, const fault_spec& f, const stream_fault_parts& parts);

}  // namespace gi::mock
