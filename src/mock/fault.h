#pragma once
// Scripted, deterministic faults for the mock upstream. Selected by the model name or by the
// `X-Mock-Fault` request header; the grammar is documented in docs/mock-upstream.md.
//
//   model  := base ['@' spec]            e.g. gpt-4o-mini@fault=429,retry_after=3
//           | 'mock-fault-' kind         e.g. mock-fault-429, mock-fault-reset
//   spec   := item ((',' | ';') item)*   item := key ['=' value]
//
// Pure: no I/O. The wire-format modules turn a fault into a response plan; the server
// executes the plan.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

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
  // The model name with any `@spec` suffix removed (what the response's `model` echoes).
  std::string base_model;
};

// Parses the model name. Unknown keys or bad values are an error (a test that typos a fault
// must not silently get a normal answer); the error message names the offending item.
core::result<fault_spec> parse_model_fault(std::string_view model);

// Parses an `X-Mock-Fault` header value (a bare spec, no '@') over `base`, overriding what
// the model name selected.
core::result<fault_spec> apply_fault_header(fault_spec base, std::string_view header);

}  // namespace gi::mock
