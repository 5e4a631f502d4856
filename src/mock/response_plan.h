#pragma once
// What one mock response does on the wire, as data: built by a wire-format module (pure),
// executed by the server (timing, writes, faults at the connection level). Keeping the two
// apart lets each format live in its own file and be unit-tested without sockets.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gi::mock {

enum class plan_ending : std::uint8_t {
  complete,     // every event/the whole body is sent; keep-alive honoured
  close,        // stop after `events` (already cut by the builder) and close the connection
  reset,        // RST before any byte of the response
  hang,         // send nothing; wait until the client closes or hang_ms passes
  truncate,     // declare Content-Length = body + missing_bytes, send the body, close
  endless,      // repeat `repeat_event` every chunk_ms until the client leaves or cap_ms
};

struct response_plan {
  int status = 200;
  // Headers other than Content-Length / Transfer-Encoding / Connection / Date.
  std::vector<std::pair<std::string, std::string>> headers;
  bool streaming = false;  // chunked transfer encoding, `events` written one by one
  std::string body;        // non-streaming body
  std::vector<std::string> events;  // streaming: raw bytes per event ("data: …\n\n")
  // Prebuilt, shared stream bodies (benchmark fixtures): sent as-is without copying.
  std::shared_ptr<const std::vector<std::string>> shared_events;
  std::shared_ptr<const std::string> shared_body;
  // Which event index is the first content event (ttft delay goes before it).
  std::size_t first_content_event = 1;
  std::uint32_t latency_ms = 0;
  std::uint32_t ttft_ms = 0;
  std::uint32_t chunk_ms = 0;
  std::uint32_t split = 0;        // write events in pieces of this many bytes
  bool coalesce = false;          // write all events in one write (no pacing)
  plan_ending ending = plan_ending::complete;
  std::uint32_t hang_ms = 60'000;
  std::uint32_t cap_ms = 60'000;
  std::size_t missing_bytes = 0;  // truncate
  std::string repeat_event;       // endless
  // Comment lines (": keep-alive\n\n") sent while waiting for ttft (DeepSeek, §7.3).
  std::string keepalive_event;

  void header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

}  // namespace gi::mock
