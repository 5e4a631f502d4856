#pragma once
// In-process mock provider server: every wire format at its real path on one port (design
// §2, `gammainfra mock-upstream`). Beast + C++20 coroutines, HTTP/1.1 keep-alive, a fixed
// number of I/O threads (default 1: it shares a core with what it benchmarks), no per-request
// logging or threads.
//
// Thread safety: start() and stop() are called from one controlling thread; the server runs
// on its own threads. One-shot: after stop() the object can only be destroyed.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"

#include "mock/mock_request.h"

namespace gi::mock {

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = a free port
  unsigned threads = 1;
  std::size_t max_body_bytes = 32u << 20;
  std::chrono::seconds idle_timeout{300};   // keep-alive connections (nginx mock: 300 s)
  std::chrono::seconds write_timeout{30};   // a client that stops reading
  std::optional<std::int64_t> created;      // `created` of responses; default: start time
  // Test hook: called (on an I/O thread) with every request before it is answered, e.g. to
  // check which credential a gateway sent upstream (BYOK tests). Views are valid only
  // during the call.
  std::function<void(const mock_request&)> on_request;
};

class mock_server {
 public:
  mock_server();
  ~mock_server();
  mock_server(const mock_server&) = delete;
  mock_server& operator=(const mock_server&) = delete;

  // Binds, listens and starts the I/O threads. Returns the bound port.
  core::result<std::uint16_t> start(const server_options& opts);
  core::result<std::uint16_t> start(const std::string& host, std::uint16_t port);
  // Stops accepting, abandons open connections, joins the threads. Idempotent.
  void stop();

  std::uint16_t port() const noexcept;
  // "http://127.0.0.1:PORT"
  std::string base_url() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace gi::mock
