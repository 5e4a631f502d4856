#include "classify/model_fetch.h"

#include <fstream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include "classify/minilm_encoder.h"
#include "classify/model_store.h"
#include "classify/published_check.h"
#include "classify/wordpiece.h"

namespace gi::classify {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

core::error fail(std::string m) { return core::error(core::error_kind::unavailable, std::move(m)); }

struct target {
  std::string host, port, path;
};

core::result<target> parse_https(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u || u->scheme() != "https" || u->host().empty()) return fail("not an https URL: " + url);
  target t;
  t.host = std::string(u->host());
  t.port = u->has_port() ? std::string(u->port()) : "443";
  t.path = std::string(u->encoded_target());
  if (t.path.empty()) t.path = "/";
  return t;
}

// One GET attempt. Returns the redirect location in `redirect` (empty when the body was
// written). Appends to `part` when the server honours the Range request (206).
asio::awaitable<core::status<>> get_once(asio::ssl::context& tls, target t, std::filesystem::path part,
                                         const fetch_settings& s, std::string_view label, std::string& redirect) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(ex);
  beast::ssl_stream<beast::tcp_stream> stream(ex, tls);
  auto& tcp = beast::get_lowest_layer(stream);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), t.host.c_str())) co_return fail("TLS: cannot set SNI");
  stream.set_verify_mode(asio::ssl::verify_peer);
  stream.set_verify_callback(asio::ssl::host_name_verification(t.host));
  auto tup = asio::as_tuple(asio::use_awaitable);
  tcp.expires_after(s.io_timeout);
  auto [rec, eps] = co_await resolver.async_resolve(t.host, t.port, tup);
  if (rec) co_return fail("cannot resolve " + t.host + ": " + rec.message());
  auto [cec, ep] = co_await tcp.async_connect(eps, tup);
  if (cec) co_return fail("cannot connect to " + t.host + ":" + t.port + ": " + cec.message());
  tcp.expires_after(s.io_timeout);
  auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, tup);
  if (hec) co_return fail("TLS handshake with " + t.host + " failed: " + hec.message());

  std::error_code fec;
  std::uint64_t have = std::filesystem::exists(part) ? std::filesystem::file_size(part, fec) : 0;
  http::request<http::empty_body> req{http::verb::get, t.path, 11};
  req.set(http::field::host, t.host);
  req.set(http::field::user_agent, "gammainfra-model-fetch");
  if (have > 0) req.set(http::field::range, "bytes=" + std::to_string(have) + "-");
  tcp.expires_after(s.io_timeout);
  auto [wec, wn] = co_await http::async_write(stream, req, tup);
  if (wec) co_return fail("sending request to " + t.host + ": " + wec.message());

  beast::flat_buffer buf;
  http::response_parser<http::buffer_body> p;
  p.body_limit(std::numeric_limits<std::uint64_t>::max());
  tcp.expires_after(s.io_timeout);
  auto [rhec, rhn] = co_await http::async_read_header(stream, buf, p, tup);
  if (rhec) co_return fail("reading response from " + t.host + ": " + rhec.message());
  const unsigned status = p.get().result_int();
  if (status >= 300 && status < 400) {
    redirect = std::string(p.get()[http::field::location]);
    if (redirect.empty()) co_return fail("redirect without Location from " + t.host);
    if (redirect.front() == '/') redirect = "https://" + t.host + (t.port == "443" ? "" : ":" + t.port) + redirect;
    co_return core::ok;
  }
  if (status == 416 && have > 0) co_return core::ok;  // the .part is already complete
  if (status != 200 && status != 206)
    co_return fail("HTTP " + std::to_string(status) + " for https://" + t.host + t.path);
  std::ofstream out(part, std::ios::binary | (status == 206 ? std::ios::app : std::ios::trunc));
  if (!out) co_return fail("cannot write " + part.string());
  if (status == 200) have = 0;
  std::uint64_t total = 0;
  if (p.content_length()) total = have + *p.content_length();
  char chunk[1 << 16];
  std::uint64_t done = have;
  while (!p.is_done()) {
    p.get().body().data = chunk;
    p.get().body().size = sizeof chunk;
    tcp.expires_after(s.io_timeout);
    auto [ec, n] = co_await http::async_read(stream, buf, p, tup);
    const std::size_t got = sizeof chunk - p.get().body().size;
    out.write(chunk, static_cast<std::streamsize>(got));
    done += got;
    if (s.progress) s.progress(label, done, total);
    if (ec == http::error::need_buffer) continue;
    if (ec) {
      out.flush();
      co_return fail("download of " + std::string(label) + " interrupted after " + std::to_string(done) +
                     " bytes (" + ec.message() + "); run the command again to resume");
    }
  }
  out.flush();
  if (!out) co_return fail("write failed: " + part.string());
  co_return core::ok;
}

core::status<> copy_into(const std::filesystem::path& src, const std::filesystem::path& dst) {
  std::error_code ec;
  std::filesystem::copy_file(src, dst, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) return fail("cannot copy " + src.string() + ": " + ec.message());
  return core::ok;
}

}  // namespace

core::status<> download(const std::string& url, const std::filesystem::path& dest, const fetch_settings& s,
                        std::string_view label) {
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_default_verify_paths();
  if (!s.ca_file.empty()) {
    boost::system::error_code ec;
    tls.load_verify_file(s.ca_file, ec);
    if (ec) return fail("cannot load CA file " + s.ca_file + ": " + ec.message());
  }
  const auto part = std::filesystem::path(dest.string() + ".part");
  std::string next = url;
  for (int hop = 0; hop <= s.max_redirects; ++hop) {
    auto t = parse_https(next);
    if (!t) return std::move(t).error();
    asio::io_context io;
    std::string redirect;
    core::status<> result = fail("no result");
    asio::co_spawn(io, get_once(tls, *t, part, s, label, redirect),
                   [&](std::exception_ptr e, core::status<> r) {
                     result = e ? core::status<>(fail("download failed (internal error)")) : std::move(r);
                   });
    io.run();
    if (!result) return result;
    if (redirect.empty()) {
      std::error_code ec;
      std::filesystem::rename(part, dest, ec);
      if (ec) return fail("cannot move " + part.string() + " into place: " + ec.message());
      return core::ok;
    }
    next = redirect;
  }
  return fail("too many redirects for " + url);
}

core::status<> install_verified(const std::filesystem::path& staging, const std::filesystem::path& model_dir,
                                const install_settings& s, std::string_view revision) {
  const auto vocab = staging / "vocab.txt";
  if (!s.expected_vocab_sha256.empty()) {
    auto h = sha256_file(vocab);
    if (!h) return std::move(h).error();
    if (*h != s.expected_vocab_sha256)
      return fail("checksum mismatch: vocab.txt has sha256 " + *h + ", the pinned revision's is " +
                  s.expected_vocab_sha256 + "; nothing was installed");
  }
  auto tok = wordpiece_tokenizer::load(vocab);
  if (!tok) return std::move(tok).error();
  auto enc = minilm_encoder::load(staging / "config.json", staging / "model.safetensors");
  if (!enc) return fail(enc.error().message + "; nothing was installed");
  const std::string_view checks = s.published_checks_json.empty() ? builtin_published_checks() : s.published_checks_json;
  if (auto v = verify_published(*enc, *tok, checks); !v) return fail(v.error().message + "; nothing was installed");
  std::error_code ec;
  std::filesystem::create_directories(model_dir, ec);
  if (ec) return fail("cannot create " + model_dir.string() + ": " + ec.message());
  std::filesystem::remove(model_dir / std::string(minilm_lock_name), ec);  // invalid until rewritten
  for (auto name : minilm_files) {
    std::filesystem::rename(staging / std::string(name), model_dir / std::string(name), ec);
    if (ec) {
      if (auto c = copy_into(staging / std::string(name), model_dir / std::string(name)); !c) return c;
    }
  }
  return write_lock(model_dir, revision);
}

core::status<> fetch_minilm(const std::filesystem::path& data_dir, const fetch_settings& f, const install_settings& s) {
  const minilm_layout layout{data_dir};
  const auto staging = layout.model_dir().string() + ".download";
  std::error_code ec;
  std::filesystem::create_directories(staging, ec);
  if (ec) return fail("cannot create " + staging + ": " + ec.message());
  const std::string repo = f.repo.empty() ? std::string(minilm_repo) : f.repo;
  const std::string rev = f.revision.empty() ? std::string(minilm_revision) : f.revision;
  for (auto name : minilm_files) {
    const auto dest = std::filesystem::path(staging) / std::string(name);
    if (std::filesystem::exists(dest)) continue;  // finished in an earlier run
    const std::string url = f.base_url + "/" + repo + "/resolve/" + rev + "/" + std::string(name);
    if (auto d = download(url, dest, f, name); !d) {
      d.error().message = "model fetch: " + d.error().message +
                          ". The lexical classifier keeps serving; retry when the network is reachable, or install "
                          "a local copy with `gammainfra model fetch --from DIR`";
      return d;
    }
  }
  auto r = install_verified(staging, layout.model_dir(), s, rev);
  if (r) std::filesystem::remove_all(staging, ec);
  return r;
}

core::status<> install_minilm_from(const std::filesystem::path& src, const std::filesystem::path& data_dir,
                                   const install_settings& s) {
  const minilm_layout layout{data_dir};
  const auto staging = std::filesystem::path(layout.model_dir().string() + ".staging");
  std::error_code ec;
  std::filesystem::remove_all(staging, ec);
  std::filesystem::create_directories(staging, ec);
  if (ec) return fail("cannot create " + staging.string() + ": " + ec.message());
  for (auto name : minilm_files) {
    if (!std::filesystem::exists(src / std::string(name)))
      return fail("--from " + src.string() + ": missing " + std::string(name));
    if (auto c = copy_into(src / std::string(name), staging / std::string(name)); !c) return c;
  }
  auto r = install_verified(staging, layout.model_dir(), s, minilm_revision);
  std::filesystem::remove_all(staging, ec);
  return r;
}

}  // namespace gi::classify
