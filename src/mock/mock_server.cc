#include "mock/mock_server.h"

#include <array>
#include <atomic>
#include <ctime>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "mock/router.h"

namespace gi::mock {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
constexpr auto tuple_awaitable = net::as_tuple(net::use_awaitable);

std::string_view reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 529: return "Site is overloaded";
    default: return "Status";
  }
}

void append_head(std::string& out, const response_plan& p, std::size_t content_length, bool close) {
  out += "HTTP/1.1 ";
  out += std::to_string(p.status);
  out += ' ';
  out += reason(p.status);
  out += "\r\n";
  for (const auto& [k, v] : p.headers) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  if (p.streaming) {
    out += "Transfer-Encoding: chunked\r\n";
  } else {
    out += "Content-Length: ";
    out += std::to_string(content_length);
    out += "\r\n";
  }
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
}

void append_chunk(std::string& out, std::string_view data) {
  if (data.empty()) return;  // an empty chunk would end the body
  char hex[20];
  const int n = std::snprintf(hex, sizeof hex, "%zx\r\n", data.size());
  out.append(hex, static_cast<std::size_t>(n));
  out += data;
  out += "\r\n";
}

net::awaitable<void> sleep_ms(std::uint32_t ms) {
  if (ms == 0) co_return;
  net::steady_timer t(co_await net::this_coro::executor);
  t.expires_after(std::chrono::milliseconds(ms));
  co_await t.async_wait(tuple_awaitable);
}

struct session_limits {
  std::size_t max_body_bytes;
  std::chrono::seconds idle_timeout;
  std::chrono::seconds write_timeout;
  std::function<void(const mock_request&)> on_request;
};

class session {
 public:
  session(tcp::socket sock, const session_limits& lim, const mock_context& ctx)
      : stream_(std::move(sock)), lim_(lim), ctx_(ctx) {
    out_.reserve(4096);
  }

  net::awaitable<void> run() {
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(lim_.max_body_bytes);
      parser.header_limit(64 * 1024);
      stream_.expires_after(lim_.idle_timeout);
      auto [ec, n] = co_await http::async_read_header(stream_, buf_, parser, tuple_awaitable);
      if (ec) co_return;
      // curl and others wait for a 100 Continue before sending a large body.
      if (auto e = parser.get()[http::field::expect]; !e.empty() && beast::iequals(e, "100-continue")) {
        static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [wec, wn] = co_await net::async_write(stream_, net::buffer(cont), tuple_awaitable);
        if (wec) co_return;
      }
      std::tie(ec, n) = co_await http::async_read(stream_, buf_, parser, tuple_awaitable);
      if (ec == http::error::body_limit) {
        response_plan p;
        p.status = 413;
        p.header("Content-Type", "application/json");
        p.body = R"({"error":{"message":"mock: request body too large","type":"invalid_request_error","param":null,"code":null}})";
        co_await execute(p, false);
        co_return;
      }
      if (ec) co_return;
      const auto& req = parser.get();
      mock_request mr;
      mr.method = req.method_string();
      mr.target = req.target();
      mr.body = req.body();
      mr.authorization = req[http::field::authorization];
      mr.content_type = req[http::field::content_type];
      mr.mock_fault = req["X-Mock-Fault"];
      mr.x_api_key = req["x-api-key"];
      mr.anthropic_version = req["anthropic-version"];
      mr.x_goog_api_key = req["x-goog-api-key"];
      mr.x_amz_date = req["x-amz-date"];
      mr.host = req[http::field::host];
      std::vector<std::pair<std::string_view, std::string_view>> all_headers;
      if (mr.target.starts_with("/model/")) {  // Bedrock: SigV4 needs every signed header
        for (const auto& f : req) all_headers.emplace_back(f.name_string(), f.value());
        mr.all_headers = &all_headers;
      }
      if (lim_.on_request) lim_.on_request(mr);
      const response_plan plan = route(mr, ctx_);
      const bool keep = co_await execute(plan, req.keep_alive());
      if (!keep) {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
      }
    }
  }

 private:
  net::awaitable<bool> flush() {
    if (out_.empty()) co_return true;
    stream_.expires_after(lim_.write_timeout);
    auto [ec, n] = co_await net::async_write(stream_, net::buffer(out_), tuple_awaitable);
    out_.clear();
    if (out_.capacity() > (1u << 20)) out_.shrink_to_fit();  // don't keep a huge buffer pooled
    co_return !ec;
  }

  // Returns whether the connection can serve another request.
  net::awaitable<bool> execute(const response_plan& p, bool keep_alive) {
    co_await sleep_ms(p.latency_ms);
    switch (p.ending) {
      case plan_ending::reset: {
        // SO_LINGER 0 + close sends RST instead of FIN.
        beast::error_code ec;
        stream_.socket().set_option(net::socket_base::linger(true, 0), ec);
        stream_.socket().close(ec);
        co_return false;
      }
      case plan_ending::hang: {
        // Say nothing; end when the client gives up or our own bound passes.
        stream_.expires_after(std::chrono::milliseconds(p.hang_ms));
        std::array<char, 512> sink;
        for (;;) {
          auto [ec, n] = co_await stream_.async_read_some(net::buffer(sink), tuple_awaitable);
          if (ec) break;
        }
        beast::error_code ec;
        stream_.socket().close(ec);
        co_return false;
      }
      case plan_ending::complete:
      case plan_ending::close:
      case plan_ending::truncate:
      case plan_ending::endless: break;
    }
    const bool close_after = !keep_alive || p.ending != plan_ending::complete;
    out_.clear();
    if (!p.streaming) {
      const std::string& body = p.shared_body ? *p.shared_body : p.body;
      append_head(out_, p, body.size() + p.missing_bytes, close_after);
      stream_.expires_after(lim_.write_timeout);
      const std::array<net::const_buffer, 2> bufs{net::buffer(out_), net::buffer(body)};
      auto [ec, n] = co_await net::async_write(stream_, bufs, tuple_awaitable);
      out_.clear();
      co_return !ec && !close_after;
    }

    append_head(out_, p, 0, close_after);
    const std::vector<std::string>& events = p.shared_events ? *p.shared_events : p.events;
    for (std::size_t i = 0; i < events.size(); ++i) {
      std::uint32_t delay = i == 0 ? 0 : p.chunk_ms;
      const bool ttft_here = i == p.first_content_event && p.ttft_ms > 0;
      if (delay > 0 || ttft_here) {
        if (!co_await flush()) co_return false;
      }
      if (ttft_here) {
        if (!co_await wait_ttft(p)) co_return false;
      }
      co_await sleep_ms(delay);
      if (p.split > 0) {
        if (!co_await flush()) co_return false;
        const std::string_view e = events[i];
        for (std::size_t off = 0; off < e.size(); off += p.split) {
          append_chunk(out_, e.substr(off, p.split));
          if (!co_await flush()) co_return false;
        }
      } else {
        append_chunk(out_, events[i]);
      }
    }
    switch (p.ending) {
      case plan_ending::complete:
        out_ += "0\r\n\r\n";
        co_return co_await flush() && !close_after;
      case plan_ending::endless: {
        if (!co_await flush()) co_return false;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(p.cap_ms);
        while (std::chrono::steady_clock::now() < deadline) {
          co_await sleep_ms(p.chunk_ms);
          append_chunk(out_, p.repeat_event);
          if (!co_await flush()) co_return false;
        }
        co_return false;
      }
      case plan_ending::close:
      case plan_ending::truncate:
      case plan_ending::reset:
      case plan_ending::hang:
        co_await flush();
        co_return false;
    }
    co_return false;
  }

  // Time to first token; DeepSeek-style upstreams send keep-alive comments meanwhile (§7.3).
  net::awaitable<bool> wait_ttft(const response_plan& p) {
    if (p.keepalive_event.empty()) {
      co_await sleep_ms(p.ttft_ms);
      co_return true;
    }
    constexpr std::uint32_t interval = 500;
    std::uint32_t left = p.ttft_ms;
    while (left > 0) {
      const std::uint32_t step = std::min(left, interval);
      co_await sleep_ms(step);
      left -= step;
      if (left > 0) {
        append_chunk(out_, p.keepalive_event);
        if (!co_await flush()) co_return false;
      }
    }
    co_return true;
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  std::string out_;
  const session_limits& lim_;
  const mock_context& ctx_;
};

}  // namespace

struct mock_server::impl {
  net::io_context io;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  session_limits limits{};
  mock_context ctx;
  std::string host;
  std::uint16_t port = 0;
  bool stopped = false;

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, sock] = co_await acceptor->async_accept(net::make_strand(io), tuple_awaitable);
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor->is_open()) co_return;
        co_await sleep_ms(10);  // EMFILE and friends: back off instead of spinning
        continue;
      }
      beast::error_code ignored;
      sock.set_option(tcp::no_delay(true), ignored);
      auto exec = sock.get_executor();
      net::co_spawn(
          exec,
          [s = session(std::move(sock), limits, ctx)]() mutable -> net::awaitable<void> {
            co_await s.run();
          },
          net::detached);
    }
  }
};

mock_server::mock_server() : impl_(std::make_unique<impl>()) {}

mock_server::~mock_server() { stop(); }

core::result<std::uint16_t> mock_server::start(const std::string& host, std::uint16_t port) {
  server_options o;
  o.host = host;
  o.port = port;
  return start(o);
}

core::result<std::uint16_t> mock_server::start(const server_options& opts) {
  auto& s = *impl_;
  if (s.acceptor) return core::error(core::error_kind::internal, "mock server already started");
  s.limits = session_limits{opts.max_body_bytes, opts.idle_timeout, opts.write_timeout, opts.on_request};
  s.ctx.created = opts.created.value_or(static_cast<std::int64_t>(std::time(nullptr)));
  s.ctx.unix_now = [] { return static_cast<std::int64_t>(std::time(nullptr)); };  // SigV4 skew
  beast::error_code ec;
  const auto addr = net::ip::make_address(opts.host, ec);
  if (ec) return core::error(core::error_kind::internal, "mock: bad listen address '" + opts.host + "': " + ec.message());
  tcp::endpoint ep(addr, opts.port);
  s.acceptor.emplace(s.io);
  s.acceptor->open(ep.protocol(), ec);
  if (!ec) s.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(ep, ec);
  if (!ec) s.acceptor->listen(4096, ec);
  if (ec) {
    s.acceptor.reset();
    return core::error(core::error_kind::internal,
                       "mock: cannot listen on " + opts.host + ":" + std::to_string(opts.port) + ": " + ec.message());
  }
  s.host = opts.host;
  s.port = s.acceptor->local_endpoint().port();
  net::co_spawn(s.io, s.accept_loop(), net::detached);
  const unsigned n = opts.threads == 0 ? 1 : opts.threads;
  for (unsigned i = 0; i < n; ++i) s.threads.emplace_back([&s] { s.io.run(); });
  return s.port;
}

void mock_server::stop() {
  auto& s = *impl_;
  if (s.stopped || !s.acceptor) return;
  s.stopped = true;
  s.io.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
}

std::uint16_t mock_server::port() const noexcept { return impl_->port; }

std::string mock_server::base_url() const {
  const bool v6 = impl_->host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + impl_->host + "]" : impl_->host) + ":" + std::to_string(impl_->port);
}

}  // namespace gi::mock
