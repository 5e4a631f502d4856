#pragma once
// The only outbound I/O of the gateway (design §4.1): an HTTP/1.1 client over TCP and TLS
// with per-host keep-alive pools, an in-flight cap per host, per-phase deadlines and
// caller-driven cancellation. Provider codecs produce a core::upstream_request; this module
// sends it and hands back bytes. It never interprets status codes: a 429 or 500 is a
// successful transport outcome (http_response / response_head with that status) that the
// codec classifies. Only transport failures are errors:
//
//   kind        when                                                    message starts with
//   connect     DNS failure, refused/unreachable, proxy CONNECT refused  "connect"
//   tls         handshake or certificate/hostname verification failure  "tls"
//   timeout     a phase deadline passed: "connect-timeout", "tls-timeout", "write-timeout",
//               "ttfb-timeout", "stall-timeout" or "total-timeout"
//   overloaded  the per-host in-flight cap stayed full for `queue_timeout` ("inflight-cap")
//   truncated   the peer closed / reset before the response (or body) was complete
//   protocol    unparsable HTTP, or the body exceeded max_response_bytes ("response-too-large")
//   unknown     cancelled by the caller (code == cancelled_code); callers normally never look
//
// Cancellation (how a caller aborts an upstream request — a lost hedge, a client
// disconnect, a spent latency budget): use Asio per-operation cancellation on the awaiting
// coroutine. Every wait inside (resolve, in-flight queue, connect, TLS, write, head, body)
// observes the awaiting coroutine's cancellation slot, so any of these works:
//   * `co_await (c.send(...) || timer.async_wait(use_awaitable))` (awaitable_operators):
//     the losing branch is cancelled;
//   * `co_spawn(ex, c.open(...), bind_cancellation_slot(sig.slot(), handler))` and later
//     `sig.emit(cancellation_type::terminal)`;
//   * for an already opened stream: `response_stream::cancel()` or destroying it, or
//     cancelling the coroutine that is awaiting `read()`.
// On cancellation the upstream socket is closed (never returned to the pool) and the
// in-flight slot is released before the awaited operation completes.
//
// Thread safety: `client` is thread-safe: one per process, used concurrently from any
// number of threads/executors (pools are shared across executors). As for every Asio I/O
// object, the awaiting coroutine must run on a serialized executor (a strand, or an
// io_context run by one thread): deadline timers and socket operations of one request run on
// it. A `response_stream` belongs to one coroutine at a time (no concurrent read()s); call
// cancel() from that coroutine's executor.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/error.h"
#include "core/http_types.h"
#include "core/result.h"
#include "upstream/target_url.h"

namespace gi::upstream {

using std::chrono::milliseconds;

// `core::error::code` of an error produced because the caller cancelled.
inline constexpr std::string_view cancelled_code = "gi:cancelled";
bool is_cancelled(const core::error& e) noexcept;

// Per-attempt deadlines. Each phase gets a fresh deadline when it starts; `total` bounds the
// whole attempt from the call of send()/open() to the end of the body (streams included).
struct phase_deadlines {
  milliseconds connect{5'000};  // resolve + TCP connect (+ proxy CONNECT)
  milliseconds tls{5'000};      // TLS handshake
  milliseconds write{10'000};   // sending the request
  milliseconds ttfb{60'000};    // request written -> response head received
  milliseconds stall{30'000};   // max gap between body reads (stream chunks)
  milliseconds total{300'000};
};

struct client_options {
  std::string http_proxy;     // "http://host:port" or empty: CONNECT for https, absolute-form for http
  bool tls_verify = true;     // false only for tests
  std::string ca_file;        // extra PEM CA bundle to trust (tests); system store always loaded
  std::size_t pool_size_per_host = 64;        // idle keep-alive connections retained per origin
  std::size_t max_inflight_per_host = 512;    // concurrent requests per origin
  milliseconds queue_timeout{1'000};          // max wait for an in-flight slot -> overloaded
  milliseconds idle_timeout{30'000};          // pooled connections idle longer are dropped
  std::size_t max_response_bytes = 32 * 1024 * 1024;  // body cap (streams: total bytes)
  std::size_t max_header_bytes = 64 * 1024;
  std::string user_agent;     // empty = "gammainfra/<version>"
};

struct response_head {
  int status = 0;
  core::header_list headers;
  bool reused_connection = false;  // served over a pooled keep-alive connection
};

struct http_response {
  int status = 0;
  core::header_list headers;
  std::string body;
  bool reused_connection = false;
};

class client;

// A response whose head has arrived and whose body is read incrementally. Owns the
// connection and the in-flight slot until the body ends (then the connection goes back to
// the pool if reusable) or until cancel()/destruction (then the connection is closed).
class response_stream {
 public:
  ~response_stream();
  response_stream(const response_stream&) = delete;
  response_stream& operator=(const response_stream&) = delete;

  const response_head& head() const noexcept;
  // Moves the head out (its header list); head() is empty-headed afterwards.
  response_head take_head() noexcept;

  // The next piece of the body, already de-chunked. An empty view means the body ended
  // cleanly. The view stays valid until the next read()/read_all()/destruction. Deadline per
  // call: min(stall, remaining total). Errors: timeout ("stall-timeout"/"total-timeout"),
  // truncated, protocol ("response-too-large" past max_response_bytes), cancelled.
  boost::asio::awaitable<core::result<std::string_view>> read();
  // The rest of the body (same deadlines and cap). For error bodies of streamed requests.
  boost::asio::awaitable<core::result<std::string>> read_all();
  // Closes the connection now; later reads fail with a cancelled error. Idempotent.
  void cancel() noexcept;

  struct impl;
  explicit response_stream(std::unique_ptr<impl> p);

 private:
  std::unique_ptr<impl> impl_;
};

struct pool_stats {
  std::size_t connections_opened = 0;  // fresh connections established, ever
  std::size_t idle = 0;                // pooled connections now
  std::size_t inflight = 0;            // slots held now
  std::size_t waiting = 0;             // callers queued for a slot
};

class client {
 public:
  // An invalid `http_proxy` is reported by every send()/open() as a connect error (config
  // validation should reject it first). Destroy the client before the io_context(s) it ran on.
  explicit client(client_options opts);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Sends `req` and reads the whole response (any status) up to max_response_bytes.
  // Runs on the awaiting coroutine's executor.
  //
  // Lifetime: `req` is used by reference until the returned awaitable completes (the body
  // is written without a copy, and again on a stale-connection retry). That holds for
  // `co_await c.send(t, req, d)` and for `||`/`&&` races within one expression, even with a
  // temporary; a caller that co_spawns the awaitable must keep `req` alive itself.
  // `target` and `deadlines` are copied.
  boost::asio::awaitable<core::result<http_response>> send(target_url target,
                                                           const core::upstream_request& req,
                                                           phase_deadlines deadlines);

  // Sends `req` and completes once the response head has arrived (ttfb deadline). The body
  // is then read from the stream. A stale pooled connection that fails before anything
  // was received is retried once on a fresh connection (send() does the same).
  // Same lifetime rule for `req` as send(); after open() completes, the stream needs nothing
  // from the caller.
  boost::asio::awaitable<core::result<std::unique_ptr<response_stream>>> open(
      target_url target, const core::upstream_request& req, phase_deadlines deadlines);

  // Observability and tests.
  pool_stats stats(const target_url& target) const;
  // Drops every idle pooled connection (shutdown, tests).
  void close_idle();

  const client_options& options() const noexcept;

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace gi::upstream
