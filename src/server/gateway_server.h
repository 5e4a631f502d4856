#pragma once
// The gateway's HTTP/1.1 server (design §3, §4.3 step 1): Boost.Beast over Asio C++20
// coroutines, one io_context per I/O thread, optional TLS, keep-alive and pipelining,
// read/idle deadlines, size limits, max connections, and a two-phase graceful shutdown.
//
// Use in-process (tests, `demo`):
//   server::server_options o;
//   o.config = snap;
//   o.handler = my_handler;           // null = model_not_found_handler
//   server::gateway_server srv(std::move(o));
//   auto port = srv.start();          // binds (port 0 = ephemeral), starts the threads
//   ... talk HTTP to 127.0.0.1:*port ...
//   srv.stop();                       // graceful: stop accepting, drain, then cancel
//   srv.wait();                       // joins the I/O threads
//
// Thread safety: start() once; stop() from any thread (also repeatedly); wait() from one
// thread. The metrics and readiness registries are shared and thread-safe.

#include <cstdint>
#include <memory>

#include "auth/authenticator.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/result.h"
#include "server/api_handler.h"
#include "server/chat_handler.h"
#include "server/readiness.h"
#include "telemetry/metrics.h"

namespace spdlog::sinks {
class sink;
}

namespace gi::server {

struct server_options {
  config::snapshot_ptr config;  // required
  // The pipeline. Null = model_not_found_handler (issue 3 state).
  std::shared_ptr<chat_handler> handler;
  // Shared with the rest of the application (upstream attempt counters). Null = own.
  std::shared_ptr<telemetry::metrics_registry> metrics;
  // Null = own; the server registers "config" in it either way.
  std::shared_ptr<readiness_registry> readiness;
  // Checks run only for `/readyz?deep=1` (e.g. the store's integrity check under a short
  // deadline). Null = none.
  std::shared_ptr<readiness_registry> deep_readiness;
  // Where access-log lines go (null = stdout); ignored when config logging.access_log is off.
  std::shared_ptr<spdlog::sinks::sink> access_log_sink;
  // Wall clock for /v1/models `created` and request ids. Null = the system clock.
  const core::clock* clock = nullptr;
  // Key source for `/v1/*`. Null = the config-listed keys (config.auth).
  std::shared_ptr<const auth::authenticator> auth;
  // /v1/account, /v1/usage, /v1/signup, /admin/* (issue 10). Null = 404.
  std::shared_ptr<api_handler> accounts_api;
};

class gateway_server {
 public:
  explicit gateway_server(server_options opts);
  ~gateway_server();  // stop() + wait()
  gateway_server(const gateway_server&) = delete;
  gateway_server& operator=(const gateway_server&) = delete;

  // Binds host:port, starts the I/O threads and returns the bound port. Errors: bad
  // address, port in use, TLS certificate/key unreadable.
  core::result<std::uint16_t> start();
  std::uint16_t port() const noexcept;
  // Number of I/O threads (config `threads`, 0 = CPUs in the affinity mask).
  int threads() const noexcept;

  // Graceful shutdown, phase 1: close the listener (new connections are refused), close idle
  // keep-alive connections, let in-flight requests finish (their responses carry
  // `Connection: close`). Phase 2, after `server.shutdown_grace`: cancel everything.
  // Non-blocking; safe from any thread, idempotent.
  void stop();
  // Blocks until every I/O thread has exited (after stop()).
  void wait();

  telemetry::metrics_registry& metrics() noexcept;
  readiness_registry& readiness() noexcept;

  // Implementation detail (named by the sessions in gateway_server.cc).
  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

// CPUs the process may run on (sched_getaffinity), at least 1.
int affinity_cpu_count() noexcept;

}  // namespace gi::server
