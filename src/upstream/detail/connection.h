#pragma once
// One upstream connection (TCP, or TLS over TCP, possibly through an HTTP proxy) and the
// coroutine that establishes it. Owned by exactly one exchange at a time, or idle in its
// host pool.
//
// Thread safety: none; one owner at a time.

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "core/result.h"
#include "upstream/client.h"
#include "upstream/detail/watchdog.h"
#include "upstream/target_url.h"

namespace gi::upstream::detail {

struct connection {
  // Beast reads max(512, free capacity) bytes per socket read, so an empty buffer means
  // 512-byte reads (3 per 1 KB answer, ~13 per 6 KB stream). Reserving once per connection
  // makes it one read per arrived segment.
  static constexpr std::size_t read_buffer_bytes = 16 * 1024;
  explicit connection(boost::asio::any_io_executor ex) : sock(std::move(ex)) {
    buffer.reserve(read_buffer_bytes);
  }

  boost::asio::ip::tcp::socket sock;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls;
  boost::beast::flat_buffer buffer;  // bytes read past the previous response (kept empty)
  std::chrono::steady_clock::time_point idle_since{};
  bool via_proxy = false;  // plain-HTTP requests use absolute-form targets

  // Cheap liveness probe for a pooled connection: an idle keep-alive connection must have
  // nothing to read. EOF, an error or unexpected bytes (a TLS close_notify) mean stale.
  bool idle_alive() noexcept;

  // Runs `f(stream)` with the TLS stream or the plain socket.
  template <class F>
  auto with_stream(F&& f) {
    return tls ? f(*tls) : f(sock);
  }
};

struct proxy_address {
  std::string host;
  std::uint16_t port = 0;
};

// Resolves, connects (directly or to the proxy, then CONNECT for https) and does the TLS
// handshake with SNI and hostname verification. Deadlines: `connect` covers resolve, TCP
// connect and the proxy CONNECT exchange; `tls` the handshake. Errors: connect, tls,
// timeout ("connect-timeout", "tls-timeout", "total-timeout"), cancelled.
boost::asio::awaitable<core::result<std::unique_ptr<connection>>> establish(
    const target_url& target, const proxy_address* proxy, boost::asio::ssl::context* tls_ctx,
    bool tls_verify, const phase_deadlines& deadlines, watchdog& wd);

// Error helpers shared by the client.
core::error cancelled_error();
core::error timeout_error(std::string_view phase, const target_url& target);

}  // namespace gi::upstream::detail
