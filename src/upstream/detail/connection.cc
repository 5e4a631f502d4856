#include "upstream/detail/connection.h"

#include <sys/socket.h>

#include <cerrno>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

namespace gi::upstream::detail {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

core::error connect_error(const target_url& t, std::string_view what, const error_code& ec) {
  core::error e(core::error_kind::connect, "connect " + t.origin() + ": " + std::string(what) +
                                               (ec ? ": " + ec.message() : std::string()));
  return e;
}

// getaddrinfo cannot be cancelled per operation, so the resolve runs detached and the
// coroutine waits on a timer that the resolver's completion cuts short. The shared state
// keeps the resolver alive if the deadline or the caller gives up first.
struct resolve_state {
  explicit resolve_state(const asio::any_io_executor& ex) : resolver(ex), timer(ex) {}
  tcp::resolver resolver;
  asio::steady_timer timer;
  bool done = false;
  error_code ec;
  std::vector<tcp::endpoint> endpoints;
};

enum class wait_outcome { done, timed_out, cancelled };

asio::awaitable<wait_outcome> resolve_with_deadline(std::shared_ptr<resolve_state> st,
                                                    const std::string& host, std::uint16_t port,
                                                    std::chrono::steady_clock::time_point at) {
  auto ex = co_await asio::this_coro::executor;
  st->timer.expires_at(at);
  st->resolver.async_resolve(
      host, std::to_string(port),
      asio::bind_executor(ex, [st](error_code ec, tcp::resolver::results_type results) {
        st->done = true;
        st->ec = ec;
        for (const auto& r : results) st->endpoints.push_back(r.endpoint());
        st->timer.cancel();
      }));
  if (!st->done) {
    auto [ec] = co_await st->timer.async_wait(tuple_awaitable);
    if (!st->done) {
      st->resolver.cancel();
      co_return ec == asio::error::operation_aborted ? wait_outcome::cancelled
                                                     : wait_outcome::timed_out;
    }
  }
  co_return wait_outcome::done;
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

std::chrono::steady_clock::time_point min_deadline(std::chrono::milliseconds d,
                                                   std::chrono::steady_clock::time_point total) {
  const auto at = std::chrono::steady_clock::now() + d;
  return at < total ? at : total;
}

}  // namespace

core::error cancelled_error() {
  return core::error(core::error_kind::unknown, "upstream request cancelled", {},
                     std::string(cancelled_code));
}

core::error timeout_error(std::string_view phase, const target_url& target) {
  return core::error(core::error_kind::timeout,
                     std::string(phase) + " talking to " + target.origin());
}

bool connection::idle_alive() noexcept {
  if (!sock.is_open()) return false;
  char byte = 0;
  const ssize_t n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

asio::awaitable<core::result<std::unique_ptr<connection>>> establish(
    const target_url& target, const proxy_address* proxy, asio::ssl::context* tls_ctx,
    bool tls_verify, const phase_deadlines& deadlines, watchdog& wd) {
  auto ex = co_await asio::this_coro::executor;
  const std::string& host = proxy != nullptr ? proxy->host : target.host;
  const std::uint16_t port = proxy != nullptr ? proxy->port : target.port;
  const auto connect_started = std::chrono::steady_clock::now();

  std::vector<tcp::endpoint> endpoints;
  error_code addr_ec;
  const auto addr = asio::ip::make_address(host, addr_ec);
  if (!addr_ec) {
    endpoints.emplace_back(addr, port);
  } else {
    auto st = std::make_shared<resolve_state>(ex);
    const auto at = min_deadline(deadlines.connect, wd.total_deadline());
    const auto outcome = co_await resolve_with_deadline(st, host, port, at);
    switch (outcome) {
      case wait_outcome::cancelled:
        co_return cancelled_error();
      case wait_outcome::timed_out:
        co_return timeout_error(at == wd.total_deadline() ? "total-timeout" : "connect-timeout",
                                target);
      case wait_outcome::done:
        break;
    }
    if (st->ec || st->endpoints.empty()) {
      co_return connect_error(target, "resolve " + host, st->ec);
    }
    endpoints = std::move(st->endpoints);
  }

  auto conn = std::make_unique<connection>(ex);
  // The connect phase budget covers resolve + connect (+ proxy CONNECT).
  const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - connect_started);
  const auto left = deadlines.connect > spent ? deadlines.connect - spent
                                              : std::chrono::milliseconds(0);
  wd.arm("connect-timeout", left, conn->sock);
  error_code ec = asio::error::host_not_found;
  for (const auto& ep : endpoints) {
    error_code ignored;
    if (conn->sock.is_open()) conn->sock.close(ignored);
    conn->sock.open(ep.protocol(), ec);
    if (ec) continue;
    std::tie(ec) = co_await conn->sock.async_connect(ep, tuple_awaitable);
    if (!ec || ec == asio::error::operation_aborted) break;
  }
  if (ec) {
    wd.disarm();
    if (!wd.expired().empty()) co_return timeout_error(wd.expired(), target);
    if (ec == asio::error::operation_aborted) co_return cancelled_error();
    co_return connect_error(target, proxy != nullptr ? "proxy" : "tcp", ec);
  }
  {
    // Requests are written whole (one gather write); Nagle would only delay a small write
    // that follows an unacknowledged one (the TLS handshake, a proxy CONNECT).
    error_code ignored;
    conn->sock.set_option(tcp::no_delay(true), ignored);
  }
  error_code ignored;
  conn->sock.set_option(tcp::no_delay(true), ignored);

  if (proxy != nullptr && target.tls) {
    // CONNECT tunnel (RFC 9110 §9.3.6); the TLS handshake then runs end-to-end with the
    // upstream through it.
    const std::string origin = target.origin();  // "https://host:port"
    const std::string authority = origin.substr(origin.find("://") + 3);
    std::string req = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n";
    auto [wec, wn] = co_await asio::async_write(conn->sock, asio::buffer(req), tuple_awaitable);
    (void)wn;
    if (!wec) {
      http::response_parser<http::empty_body> p;
      p.skip(true);  // a 2xx answer to CONNECT has no body
      p.header_limit(16 * 1024);
      std::tie(wec, wn) =
          co_await http::async_read_header(conn->sock, conn->buffer, p, tuple_awaitable);
      if (!wec) {
        const int status = static_cast<int>(p.get().result_int());
        if (status < 200 || status > 299) {
          wd.disarm();
          co_return connect_error(target, "proxy CONNECT refused with " + std::to_string(status),
                                  {});
        }
        if (conn->buffer.size() != 0) {
          wd.disarm();
          co_return connect_error(target, "proxy sent bytes after CONNECT", {});
        }
      }
    }
    if (wec) {
      wd.disarm();
      if (!wd.expired().empty()) co_return timeout_error(wd.expired(), target);
      if (wec == asio::error::operation_aborted) co_return cancelled_error();
      co_return connect_error(target, "proxy CONNECT", wec);
    }
  }
  conn->via_proxy = proxy != nullptr && !target.tls;

  if (target.tls) {
    conn->tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(conn->sock, *tls_ctx);
    // SNI is for names only (RFC 6066 §3).
    if (!is_ip_literal(target.host)) {
      if (SSL_set_tlsext_host_name(conn->tls->native_handle(), target.host.c_str()) != 1) {
        wd.disarm();
        co_return core::error(core::error_kind::tls, "tls: cannot set SNI for " + target.host);
      }
    }
    if (tls_verify) {
      conn->tls->set_verify_mode(asio::ssl::verify_peer);
      conn->tls->set_verify_callback(asio::ssl::host_name_verification(target.host));
    } else {
      conn->tls->set_verify_mode(asio::ssl::verify_none);
    }
    wd.arm("tls-timeout", deadlines.tls, conn->sock);
    auto [hec] = co_await conn->tls->async_handshake(asio::ssl::stream_base::client,
                                                     tuple_awaitable);
    wd.disarm();
    if (hec) {
      if (!wd.expired().empty()) co_return timeout_error(wd.expired(), target);
      if (hec == asio::error::operation_aborted) co_return cancelled_error();
      std::string msg = "tls handshake with " + target.origin() + ": " + hec.message();
      const long verify = SSL_get_verify_result(conn->tls->native_handle());
      if (verify != X509_V_OK) {
        msg += " (certificate: ";
        msg += X509_verify_cert_error_string(verify);
        msg += ")";
      }
      co_return core::error(core::error_kind::tls, std::move(msg));
    }
  } else {
    wd.disarm();
  }
  co_return std::move(conn);
}

}  // namespace gi::upstream::detail
