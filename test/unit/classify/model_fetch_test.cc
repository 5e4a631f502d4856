// `model fetch` against a local HTTPS server (self-signed, port 0) serving the synthetic
// fixture: redirect, interrupted download resumed with Range, checksum mismatch, the
// published-value refusal, lock file written and enforced, no network.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <mutex>
#include <thread>

#include "classify/minilm_classifier.h"
#include "classify/model_fetch.h"
#include "classify/model_store.h"
#include "classify/published_check.h"
#include "support/test_support.h"

namespace gi::classify {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

struct self_signed {
  std::string cert_pem, key_pem;
};

self_signed make_self_signed() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
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

// Serves /<repo>/resolve/<rev>/<name> as a 302 to /cdn/<name> (as the hub does), and
// /cdn/<name> from `files` with Range support. `interrupt` names a file whose first
// transfer stops half way (connection closed).
class hub_server {
 public:
  explicit hub_server(const self_signed& cert) : tls_(asio::ssl::context::tls_server), acc_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    tls_.use_certificate_chain(asio::buffer(cert.cert_pem));
    tls_.use_private_key(asio::buffer(cert.key_pem), asio::ssl::context::pem);
  }
  ~hub_server() {
    io_.stop();
    if (th_.joinable()) th_.join();
  }
  void start() {
    asio::co_spawn(io_, accept_loop(), asio::detached);
    th_ = std::thread([this] { io_.run(); });
  }
  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(acc_.local_endpoint().port()); }

  std::map<std::string, std::string> files;
  std::string interrupt;
  std::vector<std::string> ranges() {
    std::lock_guard lk(mu_);
    return ranges_;
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, sock] = co_await acc_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      asio::co_spawn(io_, session(std::move(sock)), asio::detached);
    }
  }
  asio::awaitable<void> session(tcp::socket sock) {
    auto tup = asio::as_tuple(asio::use_awaitable);
    asio::ssl::stream<tcp::socket> s(std::move(sock), tls_);
    auto [hec] = co_await s.async_handshake(asio::ssl::stream_base::server, tup);
    if (hec) co_return;
    boost::beast::flat_buffer buf;
    http::request<http::string_body> req;
    auto [rec, rn] = co_await http::async_read(s, buf, req, tup);
    if (rec) co_return;
    const std::string path(req.target());
    std::string resp;
    bool cut = false;
    if (auto pos = path.find("/resolve/"); pos != std::string::npos) {
      resp = "HTTP/1.1 302 Found\r\nLocation: /cdn/" + path.substr(path.rfind('/') + 1) +
             "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    } else if (path.rfind("/cdn/", 0) == 0 && files.count(path.substr(5))) {
      const std::string name = path.substr(5);
      const std::string& body = files[name];
      std::size_t from = 0;
      if (auto r = req.find(http::field::range); r != req.end()) {
        std::lock_guard lk(mu_);
        ranges_.emplace_back(r->value());
        from = std::stoul(std::string(r->value().substr(6)));
      }
      const std::string part = body.substr(std::min(from, body.size()));
      resp = std::string(from > 0 ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n") +
             "Content-Length: " + std::to_string(part.size()) + "\r\nConnection: close\r\n\r\n";
      if (name == interrupt && !interrupted_) {
        interrupted_ = true;
        cut = true;
        resp += part.substr(0, part.size() / 2);
      } else {
        resp += part;
      }
    } else {
      resp = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }
    co_await asio::async_write(s, asio::buffer(resp), tup);
    if (cut) {
      boost::system::error_code ignored;
      s.lowest_layer().close(ignored);  // abrupt: no TLS close_notify, body short
      co_return;
    }
    co_await s.async_shutdown(tup);
  }

  asio::io_context io_;
  asio::ssl::context tls_;
  tcp::acceptor acc_;
  std::thread th_;
  std::mutex mu_;
  std::vector<std::string> ranges_;
  bool interrupted_ = false;
};

std::filesystem::path fixture() { return test::source_dir() / "test/data/minilm-synthetic-test"; }

// Published checks made from the synthetic encoder itself, so a correct install passes.
std::string synthetic_checks() {
  auto enc = minilm_encoder::load(fixture() / "config.json", fixture() / "model.safetensors").value();
  auto tok = wordpiece_tokenizer::load(test::source_dir() / "models/all-MiniLM-L6-v2/vocab.txt").value();
  boost::json::array items;
  for (const char* t : {"This is an example sentence", ""}) {
    auto e = enc.embed(tok.encode(t));
    boost::json::array prefix;
    for (int i = 0; i < 6; ++i) prefix.push_back(static_cast<double>(e[static_cast<std::size_t>(i)]));
    items.push_back(boost::json::object{{"text", t}, {"embedding_prefix", prefix}});
  }
  return boost::json::serialize(boost::json::object{{"items", items}});
}

struct fetch_fixture : ::testing::Test {
  self_signed cert = make_self_signed();
  hub_server hub{cert};
  test::temp_dir dir;
  fetch_settings fs;
  void SetUp() override {
    hub.files["config.json"] = test::read_file(fixture() / "config.json");
    hub.files["vocab.txt"] = test::read_file(test::source_dir() / "models/all-MiniLM-L6-v2/vocab.txt");
    hub.files["model.safetensors"] = test::read_file(fixture() / "model.safetensors");
    test::write_file(dir.path() / "ca.pem", cert.cert_pem);
    fs.base_url = hub.base_url();
    fs.ca_file = (dir.path() / "ca.pem").string();
    fs.io_timeout = std::chrono::seconds(20);
  }
};

TEST_F(fetch_fixture, interrupted_download_resumes_then_synthetic_weights_are_refused) {
  hub.interrupt = "model.safetensors";
  hub.start();
  const auto data = dir.path() / "data";
  auto first = fetch_minilm(data, fs, {});
  ASSERT_FALSE(first.has_value());
  EXPECT_NE(first.error().message.find("interrupted"), std::string::npos) << first.error().message;
  EXPECT_NE(first.error().message.find("lexical classifier keeps serving"), std::string::npos);
  const minilm_layout layout{data};
  const auto part = std::filesystem::path(layout.model_dir().string() + ".download") / "model.safetensors.part";
  ASSERT_TRUE(std::filesystem::exists(part));
  const auto half = std::filesystem::file_size(part);
  EXPECT_GT(half, 0u);
  EXPECT_LT(half, hub.files["model.safetensors"].size());

  auto second = fetch_minilm(data, fs, {});  // resumes, then the self-check refuses random weights
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.error().message.find("refusing"), std::string::npos) << second.error().message;
  auto ranges = hub.ranges();
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0], "bytes=" + std::to_string(half) + "-");
  EXPECT_FALSE(std::filesystem::exists(layout.lock()));
  EXPECT_FALSE(std::filesystem::exists(layout.weights()));
}

TEST_F(fetch_fixture, verified_install_writes_lock_that_later_loads_enforce) {
  hub.start();
  const auto data = dir.path() / "data";
  install_settings is;
  is.published_checks_json = synthetic_checks();
  auto r = fetch_minilm(data, fs, is);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const minilm_layout layout{data};
  ASSERT_TRUE(std::filesystem::exists(layout.lock()));
  EXPECT_TRUE(verify_lock(layout.model_dir()).has_value());
  EXPECT_EQ(sha256_file(layout.weights()).value(), sha256_hex(hub.files["model.safetensors"]));
  minilm_options mo;
  mo.self_check = false;
  EXPECT_TRUE(minilm_encoder_bundle::load(layout, mo).has_value());

  // Corrupt one byte: the lock refuses the weights.
  std::string w = test::read_file(layout.weights());
  w[w.size() - 3] ^= 1;
  test::write_file(layout.weights(), w);
  auto bad = minilm_encoder_bundle::load(layout, mo);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("differs from the lock"), std::string::npos) << bad.error().message;
}

TEST_F(fetch_fixture, vocab_checksum_mismatch_installs_nothing) {
  hub.files["vocab.txt"] += "extra\n";
  hub.start();
  const auto data = dir.path() / "data";
  install_settings is;
  is.published_checks_json = synthetic_checks();
  auto r = fetch_minilm(data, fs, is);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("checksum mismatch: vocab.txt"), std::string::npos) << r.error().message;
  EXPECT_FALSE(std::filesystem::exists(minilm_layout{data}.lock()));
}

TEST_F(fetch_fixture, untrusted_certificate_is_a_clear_error) {
  hub.start();
  fs.ca_file.clear();
  auto r = fetch_minilm(dir.path() / "data", fs, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("TLS handshake"), std::string::npos) << r.error().message;
}

TEST(model_fetch, unreachable_hub_fails_clearly) {
  test::temp_dir dir;
  asio::io_context io;
  tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = a.local_endpoint().port();
  a.close();  // nothing listens there now
  fetch_settings fs;
  fs.base_url = "https://127.0.0.1:" + std::to_string(port);
  fs.io_timeout = std::chrono::seconds(5);
  auto r = fetch_minilm(dir.path(), fs, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("cannot connect"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("--from DIR"), std::string::npos);
}

TEST(model_fetch, install_from_local_dir) {
  test::temp_dir dir;
  const auto src = dir.path() / "src";
  std::filesystem::create_directories(src);
  std::filesystem::copy_file(fixture() / "config.json", src / "config.json");
  std::filesystem::copy_file(test::source_dir() / "models/all-MiniLM-L6-v2/vocab.txt", src / "vocab.txt");
  auto missing = install_minilm_from(src, dir.path() / "data", {});
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("missing model.safetensors"), std::string::npos);
  std::filesystem::copy_file(fixture() / "model.safetensors", src / "model.safetensors");
  // The real published values refuse the synthetic weights …
  EXPECT_FALSE(install_minilm_from(src, dir.path() / "data", {}).has_value());
  // … values that match them are accepted.
  install_settings is;
  is.published_checks_json = synthetic_checks();
  auto ok = install_minilm_from(src, dir.path() / "data", is);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_TRUE(verify_lock(minilm_layout{dir.path() / "data"}.model_dir()).has_value());
}

TEST(model_fetch, builtin_published_checks_match_the_repo_file) {
  EXPECT_EQ(builtin_published_checks(), test::read_file(test::source_dir() / "models/all-MiniLM-L6-v2/published_checks.json"));
}

}  // namespace
}  // namespace gi::classify
