// Chunked streaming through response_writer (with trailers) and the TLS listener.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "server/headers.h"
#include "support/http_client.h"
#include "support/test_server.h"
#include "support/test_support.h"

namespace gi::test {
namespace {

using namespace std::chrono_literals;

class streaming_handler final : public server::chat_handler {
 public:
  boost::asio::awaitable<void> handle(server::chat_call& call) override {
    core::header_list h{{"Content-Type", "text/event-stream"},
                        {std::string(server::headers::endpoint), "test/echo"}};
    std::vector<std::string> trailer_names{std::string(server::headers::cost_usd),
                                           std::string(server::headers::fallback_chain)};
    if (!co_await call.writer.begin_stream(200, std::move(h), std::move(trailer_names))) co_return;
    for (std::string part : {"data: one\n\n", "", "data: two\n\n", "data: [DONE]\n\n"})
      if (!co_await call.writer.write_chunk(part)) co_return;
    core::header_list t{{std::string(server::headers::cost_usd), "0.000412"},
                        {std::string(server::headers::fallback_chain), "test/echo;ok;ms=1"}};
    co_await call.writer.end_stream(std::move(t));
  }
};

TEST(server_stream, chunked_response_with_trailers) {
  running_server s(test_config(), std::make_shared<streaming_handler>());
  raw_connection c(s.port());
  for (int i = 0; i < 2; ++i) {  // twice: the connection stays usable after a stream
    ASSERT_TRUE(c.send(make_request("POST", "/v1/chat/completions", chat_body(),
                                    auth_header() + "Content-Type: application/json\r\n")));
    auto r = c.read_response(5s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(r->chunked);
    EXPECT_EQ(r->body, "data: one\n\ndata: two\n\ndata: [DONE]\n\n");
    EXPECT_EQ(r->header("trailer"), "X-GammaInfra-Cost-USD, X-GammaInfra-Fallback-Chain");
    EXPECT_EQ(r->header("x-gammainfra-endpoint"), "test/echo");
    EXPECT_FALSE(r->header("x-gammainfra-request-id").empty());
    EXPECT_EQ(r->trailers["x-gammainfra-cost-usd"], "0.000412");
    EXPECT_EQ(r->trailers["x-gammainfra-fallback-chain"], "test/echo;ok;ms=1");
  }
}

TEST(server_stream, http10_client_gets_a_close_delimited_stream) {
  running_server s(test_config(), std::make_shared<streaming_handler>());
  raw_connection c(s.port());
  auto body = chat_body();
  ASSERT_TRUE(c.send("POST /v1/chat/completions HTTP/1.0\r\n" + auth_header() +
                     "Content-Type: application/json\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n" + body));
  std::string raw;
  char buf[4096];
  for (;;) {
    auto n = ::recv(c.fd(), buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  EXPECT_EQ(raw.rfind("HTTP/1.0 200", 0), 0u) << raw;
  EXPECT_EQ(raw.find("chunked"), std::string::npos) << raw;
  auto sep = raw.find("\r\n\r\n");
  ASSERT_NE(sep, std::string::npos);
  EXPECT_EQ(raw.substr(sep + 4), "data: one\n\ndata: two\n\ndata: [DONE]\n\n");
}

// A self-signed certificate for "localhost", generated in-process with the OpenSSL 3 API.
void write_self_signed(const std::filesystem::path& cert, const std::filesystem::path& key) {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  ASSERT_NE(pkey, nullptr);
  X509* x = X509_new();
  ASSERT_NE(x, nullptr);
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, pkey);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  ASSERT_GT(X509_sign(x, pkey, EVP_sha256()), 0);
  BIO* cb = BIO_new_file(cert.c_str(), "w");
  PEM_write_bio_X509(cb, x);
  BIO_free(cb);
  BIO* kb = BIO_new_file(key.c_str(), "w");
  PEM_write_bio_PrivateKey(kb, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  BIO_free(kb);
  X509_free(x);
  EVP_PKEY_free(pkey);
}

TEST(server_tls, serves_https_with_a_self_signed_certificate) {
  temp_dir dir;
  auto cert = dir.path() / "cert.pem";
  auto key = dir.path() / "key.pem";
  write_self_signed(cert, key);
  auto cfg = test_config();
  cfg->server.tls = config::tls_listener{cert.string(), key.string()};
  running_server s(cfg);

  namespace asio = boost::asio;
  namespace http = boost::beast::http;
  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(cert.string());  // trust exactly our certificate
  ctx.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<asio::ip::tcp::socket> stream(ioc, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
  stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), s.port()});
  stream.handshake(asio::ssl::stream_base::client);
  for (int i = 0; i < 2; ++i) {  // keep-alive over TLS
    http::request<http::empty_body> req(http::verb::get, "/healthz", 11);
    req.set(http::field::host, "localhost");
    http::write(stream, req);
    boost::beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream, buf, res);
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_TRUE(json_equal(R"({"status":"ok"})", res.body()));
  }
  // Plain HTTP to the TLS port is not answered as HTTP.
  raw_connection plain(s.port());
  plain.send(make_request("GET", "/healthz"));
  auto r = plain.read_response(3s);
  EXPECT_FALSE(r && r->status == 200);
}

TEST(server_tls, unreadable_certificate_fails_start) {
  auto cfg = test_config();
  cfg->server.tls = config::tls_listener{"/nonexistent/cert.pem", "/nonexistent/key.pem"};
  server::server_options o;
  o.config = cfg;
  server::gateway_server srv(o);
  auto p = srv.start();
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("cert_file"), std::string::npos);
}

}  // namespace
}  // namespace gi::test
