#pragma once
// A tiny scripted HTTP/1.1 server (plain or TLS) and helpers for the upstream client tests.
// Everything runs on one io_context driven by the test thread; ports are bound on
// 127.0.0.1:0. Each accepted connection runs the test's handler coroutine.

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <gtest/gtest.h>

namespace gi::upstream::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using namespace std::chrono_literals;

inline constexpr auto tup = asio::as_tuple(asio::use_awaitable);

// Runs `aw` on `io` until it completes (other coroutines keep running meanwhile). Fails the
// test instead of hanging if it takes longer than a generous 20 s.
template <class T>
T run_until_done(asio::io_context& io, asio::awaitable<T> aw) {
  std::optional<T> out;
  std::exception_ptr ep;
  bool done = false;
  asio::co_spawn(io, std::move(aw), [&](std::exception_ptr e, T v) {
    ep = e;
    if (!e) out.emplace(std::move(v));
    done = true;
  });
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  io.restart();
  while (!done && std::chrono::steady_clock::now() < give_up) io.run_one_for(50ms);
  if (ep) std::rethrow_exception(ep);
  if (!done) throw std::runtime_error("test coroutine did not finish within 20 s");
  return std::move(*out);
}

// Lets pending handlers run for about `d` (the server observing EOF, etc.).
inline void pump(asio::io_context& io, std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  io.restart();
  while (std::chrono::steady_clock::now() < until) io.run_one_for(5ms);
}

struct self_signed {
  std::string cert_pem;
  std::string key_pem;
};

// EC P-256 self-signed certificate for CN=localhost with the given subjectAltName.
inline self_signed make_self_signed(const char* san = "DNS:localhost,IP:127.0.0.1") {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, san},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, key, EVP_sha256());
  auto to_string = [](BIO* b) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    std::string s(data, static_cast<std::size_t>(n));
    BIO_free(b);
    return s;
  };
  BIO* cb = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cb, x);
  BIO* kb = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(kb, key, nullptr, nullptr, 0, nullptr, nullptr);
  self_signed out{to_string(cb), to_string(kb)};
  X509_free(x);
  EVP_PKEY_free(key);
  return out;
}

struct recorded_request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string header(std::string_view n) const {
    for (const auto& [k, v] : headers)
      if (boost::beast::iequals(k, n)) return v;
    return {};
  }
};

struct server_stats {
  int accepted = 0;
  int eof_seen = 0;  // connections on which the handler observed the peer closing
  std::vector<recorded_request> requests;
};

class server_conn {
 public:
  server_conn(tcp::socket s, asio::ssl::context* ctx, server_stats& st)
      : sock_(std::move(s)), stats_(st) {
    if (ctx != nullptr) tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(sock_, *ctx);
  }

  template <class F>
  auto with(F&& f) {
    return tls_ ? f(*tls_) : f(sock_);
  }

  asio::awaitable<bool> handshake() {
    if (!tls_) co_return true;
    auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, tup);
    co_return !ec;
  }

  // Reads one request; nullopt on EOF or error.
  asio::awaitable<std::optional<recorded_request>> read_request() {
    http::request<http::string_body> req;
    auto [ec, n] = co_await with([&](auto& s) { return http::async_read(s, buf_, req, tup); });
    (void)n;
    if (ec) {
      if (ec == http::error::end_of_stream || ec == asio::error::eof ||
          ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_reset) {
        ++stats_.eof_seen;
      }
      co_return std::nullopt;
    }
    recorded_request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    for (const auto& f : req) r.headers.emplace_back(f.name_string(), f.value());
    r.body = req.body();
    stats_.requests.push_back(r);
    co_return r;
  }

  asio::awaitable<bool> write(std::string data) {
    auto [ec, n] = co_await with([&](auto& s) { return asio::async_write(s, asio::buffer(data), tup); });
    (void)n;
    co_return !ec;
  }

  asio::awaitable<void> sleep(std::chrono::milliseconds d) {
    asio::steady_timer t(sock_.get_executor(), d);
    co_await t.async_wait(tup);
  }

  // Reads and discards until the peer closes (returns true) or `d` passes (false).
  asio::awaitable<bool> wait_eof(std::chrono::milliseconds d) {
    const auto until = std::chrono::steady_clock::now() + d;
    char tmp[512];
    while (std::chrono::steady_clock::now() < until) {
      asio::steady_timer t(sock_.get_executor(), until);
      bool fired = false;
      t.async_wait([&](boost::system::error_code ec) {
        if (!ec) {
          fired = true;
          sock_.cancel();
        }
      });
      auto [ec, n] = co_await sock_.async_read_some(asio::buffer(tmp), tup);
      (void)n;
      t.cancel();
      if (fired) co_return false;
      if (ec) {
        ++stats_.eof_seen;
        co_return true;
      }
    }
    co_return false;
  }

  // Abortive close: the client sees ECONNRESET.
  void reset() {
    boost::system::error_code ec;
    sock_.set_option(asio::socket_base::linger(true, 0), ec);
    sock_.close(ec);
  }
  void close() {
    boost::system::error_code ec;
    sock_.shutdown(tcp::socket::shutdown_both, ec);
    sock_.close(ec);
  }
  tcp::socket& socket() { return sock_; }
  boost::beast::flat_buffer& buffer() { return buf_; }

 private:
  tcp::socket sock_;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_;
  boost::beast::flat_buffer buf_;
  server_stats& stats_;
};

using handler_fn = std::function<asio::awaitable<void>(server_conn&)>;

class test_server {
 public:
  test_server(asio::io_context& io, handler_fn h, asio::ssl::context* tls = nullptr)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        handler_(std::move(h)),
        tls_(tls) {
    asio::co_spawn(io, accept_loop(), asio::detached);
  }
  ~test_server() {
    boost::system::error_code ec;
    acceptor_.close(ec);
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  server_stats& stats() { return *stats_; }

 private:
  asio::awaitable<void> accept_loop() {
    auto stats = stats_;
    for (;;) {
      auto [ec, s] = co_await acceptor_.async_accept(tup);
      if (ec) co_return;
      ++stats->accepted;
      asio::co_spawn(acceptor_.get_executor(), serve(std::move(s), stats), asio::detached);
    }
  }
  asio::awaitable<void> serve(tcp::socket s, std::shared_ptr<server_stats> stats) {
    server_conn c(std::move(s), tls_, *stats);
    if (!co_await c.handshake()) co_return;
    co_await handler_(c);
  }

  tcp::acceptor acceptor_;
  handler_fn handler_;
  asio::ssl::context* tls_;
  std::shared_ptr<server_stats> stats_ = std::make_shared<server_stats>();
};

inline std::string response(int status, std::string_view body,
                            std::string_view extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n" + std::string(extra_headers) +
         "\r\n" + std::string(body);
}

inline std::string chunked_head(int status = 200,
                                std::string_view content_type = "text/event-stream") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " +
         std::string(content_type) + "\r\nTransfer-Encoding: chunked\r\n\r\n";
}

inline std::string chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return std::string(size) + std::string(data) + "\r\n";
}

inline const std::string last_chunk = "0\r\n\r\n";

}  // namespace gi::upstream::testing
