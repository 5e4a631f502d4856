// TLS (self-signed certificate generated in-test) and HTTP proxy paths of the client.
#include <boost/asio/connect.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include "support/test_support.h"
#include "test_server.h"
#include "upstream/client.h"

namespace gi::upstream {
namespace {

using namespace testing;
using boost::asio::awaitable;
using core::error_kind;

core::upstream_request post() {
  core::upstream_request r;
  r.path = "/chat/completions";
  r.body = R"({"model":"m"})";
  return r;
}

handler_fn echo_server() {
  return [](server_conn& c) -> awaitable<void> {
    while (auto req = co_await c.read_request()) {
      if (!co_await c.write(response(200, R"({"tls":true})"))) co_return;
    }
  };
}

target_url url(const std::string& s) {
  auto t = parse_target_url(s);
  EXPECT_TRUE(t.has_value()) << s;
  return *t;
}

struct TlsTest : ::testing::Test {
  TlsTest() : server_ctx(boost::asio::ssl::context::tls_server) {
    cert = make_self_signed();
    server_ctx.use_certificate_chain(boost::asio::buffer(cert.cert_pem));
    server_ctx.use_private_key(boost::asio::buffer(cert.key_pem), boost::asio::ssl::context::pem);
    ca_path = (dir.path() / "ca.pem").string();
    gi::test::write_file(ca_path, cert.cert_pem);
  }
  boost::asio::io_context io;
  self_signed cert;
  boost::asio::ssl::context server_ctx;
  gi::test::temp_dir dir;
  std::string ca_path;
};

TEST_F(TlsTest, VerifiedHandshakeByIpAndByNameWithKeepAlive) {
  test_server srv(io, echo_server(), &server_ctx);
  client_options o;
  o.ca_file = ca_path;
  client c{o};
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    const auto t = url("https://" + host + ":" + std::to_string(srv.port()) + "/v1");
    for (int i = 0; i < 2; ++i) {
      auto r = run_until_done(io, c.send(t, post(), phase_deadlines{}));
      ASSERT_TRUE(r.has_value()) << host << ": " << r.error().message;
      EXPECT_EQ(r->body, R"({"tls":true})");
      EXPECT_EQ(r->reused_connection, i == 1);
    }
  }
  EXPECT_EQ(srv.stats().accepted, 2);  // one per origin, reused
}

TEST_F(TlsTest, UntrustedCertificateIsTlsError) {
  test_server srv(io, echo_server(), &server_ctx);
  client c{client_options{}};  // system CAs only: the self-signed cert is untrusted
  const auto t = url("https://127.0.0.1:" + std::to_string(srv.port()));
  auto r = run_until_done(io, c.send(t, post(), phase_deadlines{}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, error_kind::tls);
  EXPECT_NE(r.error().message.find("certificate"), std::string::npos) << r.error().message;
  EXPECT_EQ(c.stats(t).inflight, 0u);
}

TEST_F(TlsTest, HostnameMismatchIsTlsError) {
  // A trusted certificate issued for another name only.
  const auto other = make_self_signed("DNS:other.example");
  boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_server);
  ctx.use_certificate_chain(boost::asio::buffer(other.cert_pem));
  ctx.use_private_key(boost::asio::buffer(other.key_pem), boost::asio::ssl::context::pem);
  const auto other_ca = (dir.path() / "other.pem").string();
  gi::test::write_file(other_ca, other.cert_pem);
  test_server srv(io, echo_server(), &ctx);
  client_options o;
  o.ca_file = other_ca;
  client c{o};
  auto t = url("https://127.0.0.1:" + std::to_string(srv.port()));
  auto r = run_until_done(io, c.send(t, post(), phase_deadlines{}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, error_kind::tls) << r.error().message;
}

TEST_F(TlsTest, VerifyOffAcceptsSelfSigned) {
  test_server srv(io, echo_server(), &server_ctx);
  client_options o;
  o.tls_verify = false;
  client c{o};
  auto r = run_until_done(
      io, c.send(url("https://127.0.0.1:" + std::to_string(srv.port())), post(), phase_deadlines{}));
  ASSERT_TRUE(r.has_value()) << r.error().message;
}

TEST_F(TlsTest, PlainServerBehindHttpsUrlIsTlsOrTruncated) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    co_await c.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    c.close();
  });
  client_options o;
  o.tls_verify = false;
  client c{o};
  auto r = run_until_done(
      io, c.send(url("https://127.0.0.1:" + std::to_string(srv.port())), post(), phase_deadlines{}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, error_kind::tls) << r.error().message;
}

TEST_F(TlsTest, TlsHandshakeTimeout) {
  // Accepts TCP but never speaks TLS.
  test_server srv(io, [](server_conn& c) -> awaitable<void> { co_await c.wait_eof(5s); });
  client c{client_options{}};
  phase_deadlines d;
  d.tls = 50ms;
  auto r = run_until_done(
      io, c.send(url("https://127.0.0.1:" + std::to_string(srv.port())), post(), d));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, error_kind::timeout);
  EXPECT_NE(r.error().message.find("tls-timeout"), std::string::npos) << r.error().message;
}

// A minimal CONNECT proxy: records the CONNECT target, then pipes bytes both ways.
struct connect_proxy {
  explicit connect_proxy(boost::asio::io_context& io, int refuse_status = 0)
      : acceptor(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)),
        refuse(refuse_status) {
    boost::asio::co_spawn(io, accept_loop(), boost::asio::detached);
  }
  std::uint16_t port() const { return acceptor.local_endpoint().port(); }

  awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, s] = co_await acceptor.async_accept(tup);
      if (ec) co_return;
      boost::asio::co_spawn(acceptor.get_executor(), tunnel(std::move(s)), boost::asio::detached);
    }
  }
  static awaitable<void> pipe(tcp::socket& from, tcp::socket& to) {
    char buf[4096];
    for (;;) {
      auto [ec, n] = co_await from.async_read_some(boost::asio::buffer(buf), tup);
      if (ec) break;
      auto [wec, wn] = co_await boost::asio::async_write(to, boost::asio::buffer(buf, n), tup);
      (void)wn;
      if (wec) break;
    }
    boost::system::error_code ig;
    to.shutdown(tcp::socket::shutdown_send, ig);
  }
  awaitable<void> tunnel(tcp::socket client_sock) {
    boost::beast::flat_buffer buf;
    http::request_parser<http::empty_body> p;
    auto [ec, n] = co_await http::async_read(client_sock, buf, p, tup);
    (void)n;
    if (ec) co_return;
    methods.push_back(std::string(p.get().method_string()));
    targets.push_back(std::string(p.get().target()));
    if (refuse != 0) {
      co_await boost::asio::async_write(
          client_sock,
          boost::asio::buffer("HTTP/1.1 " + std::to_string(refuse) +
                              " Forbidden\r\nContent-Length: 0\r\n\r\n"),
          tup);
      co_return;
    }
    const std::string target(p.get().target());
    const auto colon = target.rfind(':');
    std::string host = target.substr(0, colon);
    if (host == "localhost") host = "127.0.0.1";
    tcp::socket upstream(client_sock.get_executor());
    auto [cec] = co_await upstream.async_connect(
        tcp::endpoint(boost::asio::ip::make_address(host),
                      static_cast<std::uint16_t>(std::stoi(target.substr(colon + 1)))),
        tup);
    if (cec) co_return;
    co_await boost::asio::async_write(
        client_sock, boost::asio::buffer(std::string("HTTP/1.1 200 Connection established\r\n\r\n")),
        tup);
    using namespace boost::asio::experimental::awaitable_operators;
    co_await (pipe(client_sock, upstream) && pipe(upstream, client_sock));
  }

  tcp::acceptor acceptor;
  int refuse;
  std::vector<std::string> methods;
  std::vector<std::string> targets;
};

TEST_F(TlsTest, HttpsThroughConnectProxy) {
  test_server srv(io, echo_server(), &server_ctx);
  connect_proxy proxy(io);
  client_options o;
  o.ca_file = ca_path;
  o.http_proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  client c{o};
  const auto t = url("https://localhost:" + std::to_string(srv.port()) + "/v1");
  for (int i = 0; i < 2; ++i) {
    auto r = run_until_done(io, c.send(t, post(), phase_deadlines{}));
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->body, R"({"tls":true})");
  }
  ASSERT_EQ(proxy.targets.size(), 1u);  // the tunnel is kept alive and reused
  EXPECT_EQ(proxy.methods[0], "CONNECT");
  EXPECT_EQ(proxy.targets[0], "localhost:" + std::to_string(srv.port()));
  EXPECT_EQ(srv.stats().requests.at(0).target, "/v1/chat/completions");
  EXPECT_EQ(srv.stats().requests.at(0).header("host"), "localhost:" + std::to_string(srv.port()));
}

TEST_F(TlsTest, ProxyRefusingConnectIsConnectError) {
  connect_proxy proxy(io, 403);
  client_options o;
  o.http_proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  client c{o};
  auto r = run_until_done(io, c.send(url("https://localhost:1/v1"), post(), phase_deadlines{}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, error_kind::connect);
  EXPECT_NE(r.error().message.find("403"), std::string::npos) << r.error().message;
}

TEST_F(TlsTest, PlainHttpThroughProxyUsesAbsoluteForm) {
  // The "proxy" answers itself; what matters is the request line it receives.
  test_server proxy(io, echo_server());
  client_options o;
  o.http_proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  client c{o};
  auto r = run_until_done(io, c.send(url("http://upstream.example:8080/v1"), post(), phase_deadlines{}));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(proxy.stats().requests.size(), 1u);
  EXPECT_EQ(proxy.stats().requests[0].target, "http://upstream.example:8080/v1/chat/completions");
  EXPECT_EQ(proxy.stats().requests[0].header("host"), "upstream.example:8080");
}

}  // namespace
}  // namespace gi::upstream
