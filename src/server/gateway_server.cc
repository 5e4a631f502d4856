// The Beast-heavy part of the server: listener, sessions, deadlines, shutdown. Everything
// that does not need Beast (routing, header validation, readiness, models list) lives in
// other files so this is the one expensive translation unit of the module.
//
// Threading: one io_context per I/O thread. ONE acceptor (on thread 0) hands each accepted
// socket round-robin to the next thread's io_context, rather than one SO_REUSEPORT listener
// per thread: LLM clients hold few long-lived keep-alive connections, and the kernel's
// SO_REUSEPORT hash can put two of them on the same thread while others idle; round-robin
// spreads them evenly. It also gives one place to enforce max_connections and to stop
// accepting at shutdown, and port 0 needs no bind dance across sockets. The accept rate of
// a gateway is low (connections are reused), so a single acceptor is not a bottleneck.
//
// Deadlines: a per-session steady_timer "watchdog" cancels the socket when a phase (TLS
// handshake, idle wait, request read, response write) overruns. Beast's tcp_stream closes
// the socket on timeout instead, which would make the 408 response impossible.

#include "server/gateway_server.h"

#include <sched.h>

#include <array>
#include <charconv>
#include <atomic>
#include <ctime>
#include <random>
#include <thread>
#include <unordered_set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http.hpp>

#include "asio_impl/send_now.h"
#include "auth/authenticator.h"
#include "core/ids.h"
#include "openai_api/openai_api.h"
#include "server/default_handler.h"
#include "server/headers.h"
#include "server/request_headers.h"
#include "server/request_parser.h"
#include "server/router.h"
#include "telemetry/access_log.h"

namespace gi::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using namespace std::string_view_literals;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// "Wed, 25 Nov 2026 18:00:00 GMT", formatted at most once per second per thread.
std::string_view http_date() {
  thread_local std::time_t cached_second = 0;
  thread_local char buf[64];
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return buf;
}

class session_base {
 public:
  virtual ~session_base() = default;
  virtual void close_if_idle() = 0;
  virtual void force_close() = 0;
};

// State of one I/O thread. Touched only from its own thread, except construction/joins.
struct io_thread {
  // Declared before `ioc`: sessions destroyed while the io_context is torn down still find
  // the set alive when they unregister.
  std::unordered_set<session_base*> sessions;
  std::unique_ptr<core::ulid_source> ids;
  // Metric cells cached per thread: route x status counters and route latency.
  std::array<std::array<telemetry::scalar_cell*, 600>, static_cast<std::size_t>(route_id::count_)>
      status_cells{};
  std::array<telemetry::histogram_cell*, static_cast<std::size_t>(route_id::count_)>
      latency_cells{};
  asio::io_context ioc{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread thread;
};

}  // namespace

struct gateway_server::impl {
  server_options opts;
  const config::server_config& cfg;
  const core::clock& clock;
  std::shared_ptr<telemetry::metrics_registry> metrics;
  std::shared_ptr<readiness_registry> readiness;
  std::unique_ptr<request_router> router;
  std::unique_ptr<telemetry::access_log> access;
  std::optional<ssl::context> tls;
  std::vector<std::unique_ptr<io_thread>> threads;
  std::optional<tcp::acceptor> acceptor;
  std::uint16_t port = 0;
  std::size_t next_thread = 0;
  std::atomic<std::size_t> open_connections{0};
  std::atomic<bool> draining{false};
  std::atomic<bool> stop_requested{false};
  bool started = false;
  bool joined = false;
  telemetry::scalar_cell* in_flight = nullptr;
  telemetry::scalar_cell* open_gauge = nullptr;
  telemetry::scalar_cell* rejected = nullptr;
  // The blocking executor of router_deps: the account API's store calls and the deep
  // readiness checks. Joined in ~impl, before the I/O contexts the completions go back to
  // are destroyed.
  asio::thread_pool blocking{2};
  ~impl() { blocking.join(); }

  explicit impl(server_options o)
      : opts(std::move(o)),
        cfg(opts.config->server),
        clock(opts.clock ? *opts.clock : core::system_clock_source::instance()),
        metrics(opts.metrics ? opts.metrics : std::make_shared<telemetry::metrics_registry>()),
        readiness(opts.readiness ? opts.readiness : std::make_shared<readiness_registry>()) {
    readiness->add("config", [] { return std::string(); });
    if (!opts.handler) opts.handler = std::make_shared<model_not_found_handler>();
    router_deps d;
    d.config = opts.config;
    d.auth = opts.auth ? opts.auth : std::make_shared<const auth::authenticator>(opts.config->auth);
    d.accounts_api = opts.accounts_api;
    d.handler = opts.handler;
    d.metrics = metrics;
    d.readiness = readiness;
    d.deep_readiness = opts.deep_readiness;
    d.blocking = blocking.get_executor();
    d.models_created = core::unix_seconds(clock.system_now());
    router = std::make_unique<request_router>(std::move(d));
    access = std::make_unique<telemetry::access_log>(opts.config->logging.access_log,
                                                     opts.access_log_sink);
    in_flight = &metrics->http_requests_in_flight.get();
    open_gauge = &metrics->http_open_connections.get();
    rejected = &metrics->http_rejected_connections_total.get();
    int n = cfg.threads > 0 ? cfg.threads : affinity_cpu_count();
    for (int i = 0; i < n; ++i) threads.push_back(std::make_unique<io_thread>());
  }

  void record(io_thread& t, route_id route, int status, double seconds) {
    auto r = static_cast<std::size_t>(route);
    auto s = static_cast<std::size_t>(status >= 100 && status < 600 ? status : 0);
    auto*& cell = t.status_cells[r][s];
    if (!cell)
      cell = &metrics->http_requests_total.with(
          {std::string(route_label(route)), std::to_string(status)});
    cell->inc();
    auto*& lat = t.latency_cells[r];
    if (!lat) lat = &metrics->http_request_duration_seconds.with({std::string(route_label(route))});
    lat->observe(seconds);
  }

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> drain();
  void reject(tcp::socket& s);
};

namespace {

template <class Stream>
class session final : public session_base,
                      public response_writer,
                      public std::enable_shared_from_this<session<Stream>> {
 public:
  static constexpr bool is_tls = !std::is_same_v<Stream, tcp::socket>;

  session(gateway_server::impl& srv, io_thread& t, Stream stream)
      : srv_(srv), thread_(t), stream_(std::move(stream)), timer_(t.ioc) {}

  ~session() override {
    if (registered_) thread_.sessions.erase(this);
    srv_.open_connections.fetch_sub(1, std::memory_order_relaxed);
    srv_.open_gauge->dec();
  }

  asio::awaitable<void> run() {
    thread_.sessions.insert(this);
    registered_ = true;
    try {
      co_await serve();
    } catch (const std::exception&) {
      // A bug in a handler must not take the process down; the connection is dropped.
    }
    co_await close();
    thread_.sessions.erase(this);
    registered_ = false;
    timer_.cancel();
  }

  void close_if_idle() override {
    if (idle_) cancel_socket();
  }
  void force_close() override {
    error_code ig;
    beast::get_lowest_layer(stream_).close(ig);
  }

  // --- response_writer ---
  // Response heads are serialized by hand into a buffer reused per connection (Beast's
  // basic_fields allocates per field), and a stream's head waits for its first chunk so that
  // head + first events leave in one write (bench/README.md, "Profiling findings").
  asio::awaitable<bool> send(int status, core::header_list headers, std::string body) override {
    if (responded_ || gone_) co_return false;
    responded_ = true;
    status_ = status;
    build_head(status, headers);
    // RFC 9110 §8.6: no Content-Length in 1xx/204 answers; 304 keeps the body-less framing.
    if (status >= 200 && status != 204 && status != 304) {
      head_ += "Content-Length: "sv;
      char digits[24];
      const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, body.size());
      (void)ec;  // 24 digits always fit
      head_.append(digits, static_cast<std::size_t>(end - digits));
      head_ += "\r\n"sv;
    }
    head_ += "\r\n"sv;
    std::array<asio::const_buffer, 2> bufs{asio::buffer(head_), asio::buffer(body)};
    std::size_t sent = 0;
    if (write_now(bufs, sent)) co_return !gone_;
    co_return co_await write_rest(bufs, sent);
  }

  asio::awaitable<bool> begin_stream(int status, core::header_list headers,
                                     std::vector<std::string> trailer_names) override {
    stage_stream(status, headers, trailer_names);
    const core::header_list none;
    co_return begin_staged_stream(none);
  }

  void stage_stream(int status, const core::header_list& headers,
                    const std::vector<std::string>& trailer_names) override {
    head_staged_ = false;
    if (responded_ || gone_) return;
    // HTTP/1.0 has no chunked coding: the body is delimited by closing the connection and
    // trailers are dropped (the final SSE event carries the same data). Date and Connection
    // are decided when the stream begins (finish_head): until then an error answer may
    // still come, and draining may start.
    build_head(status, headers, false);
    if (version_ >= 11) {
      head_ += "Transfer-Encoding: chunked\r\n"sv;
      if (!trailer_names.empty()) {
        head_ += "Trailer: "sv;
        for (std::size_t i = 0; i < trailer_names.size(); ++i) {
          if (i) head_ += ", "sv;
          head_ += trailer_names[i];
        }
        head_ += "\r\n"sv;
      }
    }
    staged_status_ = status;
    head_staged_ = true;
  }

  bool begin_staged_stream(const core::header_list& late) override {
    if (responded_ || gone_ || !head_staged_) return false;
    head_staged_ = false;
    responded_ = true;
    streaming_ = true;
    status_ = staged_status_;
    close_delimited_ = version_ < 11;
    if (close_delimited_) keep_alive_ = false;
    for (const auto& [k, v] : late) append_field(head_, k, v);
    finish_head();
    head_ += "\r\n"sv;
    // Sent with the first chunk (or the end of the stream), which follows at once: the
    // executor commits when it has an event to forward.
    head_pending_ = true;
    return true;
  }

  asio::awaitable<bool> write_chunk(std::string_view data) override {
    if (!streaming_ || stream_ended_ || gone_) co_return false;
    if (data.empty()) co_return true;  // an empty chunk would be the terminating chunk
    const asio::const_buffer head = take_pending_head();
    if (close_delimited_) {
      std::array<asio::const_buffer, 2> bufs{head, asio::buffer(data)};
      std::size_t sent = 0;
      if (write_now(bufs, sent)) co_return !gone_;
      co_return co_await write_rest(bufs, sent);
    }
    const auto size_line = chunk_size_line(data.size());
    std::array<asio::const_buffer, 4> bufs{head, asio::buffer(size_line.data(), size_line.size()),
                                           asio::buffer(data), asio::buffer("\r\n", 2)};
    std::size_t sent = 0;
    if (write_now(bufs, sent)) co_return !gone_;
    co_return co_await write_rest(bufs, sent);
  }

  asio::awaitable<bool> end_stream(core::header_list trailers) override {
    if (!streaming_ || stream_ended_ || gone_) co_return false;
    stream_ended_ = true;
    const asio::const_buffer head = take_pending_head();
    if (close_delimited_) {
      // The close ends the body; a head still pending goes out first.
      if (head.size() == 0) co_return true;
      std::array<asio::const_buffer, 1> bufs{head};
      std::size_t sent = 0;
      if (write_now(bufs, sent)) co_return !gone_;
      co_return co_await write_rest(bufs, sent);
    }
    tail_.assign("0\r\n"sv);
    for (const auto& [k, v] : trailers) append_field(tail_, k, v);
    tail_ += "\r\n"sv;
    std::array<asio::const_buffer, 2> bufs{head, asio::buffer(tail_)};
    std::size_t sent = 0;
    if (write_now(bufs, sent)) co_return !gone_;
    co_return co_await write_rest(bufs, sent);
  }

  bool client_gone() const override { return gone_; }

 private:
  // Literals as string_views: `+= "…"` on a std::string is a strlen call each time, and the
  // head is a few dozen appends (callgrind: ~1.7k instructions per response).
  static void append_field(std::string& out, std::string_view k, std::string_view v) {
    out += k;
    out += ": "sv;
    out += v;
    out += "\r\n"sv;
  }

  // Status line and header fields, without framing fields and the final empty line;
  // `finish` = false leaves Date and Connection to finish_head().
  void build_head(int status, const core::header_list& headers, bool finish = true) {
    head_.clear();
    head_ += version_ >= 11 ? "HTTP/1.1 "sv : "HTTP/1.0 "sv;
    if (status >= 100 && status <= 999) {
      const char code[4] = {static_cast<char>('0' + status / 100),
                            static_cast<char>('0' + status / 10 % 10),
                            static_cast<char>('0' + status % 10), ' '};
      head_.append(code, 4);
    } else {
      head_ += std::to_string(status);
      head_ += ' ';
    }
    head_ += http::obsolete_reason(static_cast<http::status>(status));
    head_ += "\r\n"sv;
    for (const auto& [k, v] : headers) append_field(head_, k, v);
    append_field(head_, headers::request_id, request_id_);
    if (finish) finish_head();
  }

  // Date and Connection: both decided the moment the response starts (a staged stream
  // head is built earlier, and draining may begin in between).
  void finish_head() {
    if (srv_.draining.load(std::memory_order_relaxed)) keep_alive_ = false;
    append_field(head_, "Date", http_date());
    // Beast's keep_alive() semantics: HTTP/1.1 is persistent unless "close", HTTP/1.0 only
    // with "keep-alive".
    if (version_ >= 11 && !keep_alive_) head_ += "Connection: close\r\n"sv;
    if (version_ < 11 && keep_alive_) head_ += "Connection: keep-alive\r\n"sv;
  }

  asio::const_buffer take_pending_head() {
    if (!head_pending_) return {};
    head_pending_ = false;
    return asio::buffer(head_);
  }

  // "1a2f\r\n": the chunk-size line of RFC 9112 §7.1.
  struct size_line {
    std::array<char, 20> buf;
    std::size_t len;
    const char* data() const { return buf.data(); }
    std::size_t size() const { return len; }
  };
  static size_line chunk_size_line(std::size_t n) {
    char tmp[16];
    std::size_t i = 0;
    do {
      tmp[i++] = "0123456789abcdef"[n & 0xf];
      n >>= 4;
    } while (n != 0);
    size_line l{};
    while (i > 0) l.buf[l.len++] = tmp[--i];
    l.buf[l.len++] = '\r';
    l.buf[l.len++] = '\n';
    return l;
  }

  // The part of a gather write the socket takes now (plain TCP; send_now.h): usually all
  // of it, with no completion round trip. True when nothing is left to write (or the client
  // is gone); else `sent` says how much went and write_rest() writes the rest.
  // Why a plain function: the hot writers (send, write_chunk, end_stream) call it inline and
  // only await write_rest() when the socket is full, instead of a coroutine frame per write.
  template <class Buffers>
  bool write_now(const Buffers& bufs, std::size_t& sent) {
    sent = 0;
    if constexpr (!is_tls) {
      error_code sec;
      sent = asio_impl::send_now(stream_.native_handle(), bufs, sec);
      bytes_out_ += sent;
      if (sec) {
        gone_ = true;
        return true;
      }
      return sent == asio::buffer_size(bufs);
    }
    return false;
  }

  // The rest of a gather write, after `sent` bytes, under the write deadline. False once
  // the client is gone.
  template <class Buffers>
  asio::awaitable<bool> write_rest(const Buffers& bufs, std::size_t sent) {
    beast::buffers_suffix<Buffers> rest(bufs);
    rest.consume(sent);
    arm(srv_.cfg.read_timeout);
    auto [ec, n] = co_await asio::async_write(stream_, rest, use_tuple);
    disarm();
    bytes_out_ += n;
    if (ec) gone_ = true;
    co_return !gone_;
  }

  void cancel_socket() {
    error_code ig;
    beast::get_lowest_layer(stream_).cancel(ig);
  }

  // The watchdog: cancels the socket's pending operations when the phase overruns. Lazy:
  // arm() records the deadline and restarts the timer only when the new deadline is earlier
  // than the one it already waits for; when the timer fires before the current deadline it
  // waits again; disarm() only clears the deadline. Re-starting the timer per phase cost a
  // cancelled-handler post and often a timerfd_settime per phase (4-8 per request).
  void arm(std::chrono::milliseconds d) {
    timed_out_ = false;
    deadline_ = std::chrono::steady_clock::now() + d;
    if (!timer_waiting_ || deadline_ < timer_at_) start_timer(deadline_);
  }
  void disarm() { deadline_ = std::chrono::steady_clock::time_point::max(); }
  void start_timer(std::chrono::steady_clock::time_point at) {
    timer_at_ = at;
    timer_waiting_ = true;
    auto gen = ++gen_;
    timer_.expires_at(at);  // cancels a pending wait; its handler sees a stale generation
    timer_.async_wait([w = this->weak_from_this(), gen](error_code ec) {
      auto s = w.lock();
      if (!s || s->gen_ != gen) return;
      s->timer_waiting_ = false;
      if (ec || s->deadline_ == std::chrono::steady_clock::time_point::max()) return;
      if (std::chrono::steady_clock::now() < s->deadline_) {
        s->start_timer(s->deadline_);
        return;
      }
      s->timed_out_ = true;
      s->cancel_socket();
    });
  }

  asio::awaitable<void> serve() {
    if constexpr (is_tls) {
      arm(srv_.cfg.read_timeout);
      auto [ec] = co_await stream_.async_handshake(ssl::stream_base::server, use_tuple);
      disarm();
      if (ec) co_return;
    }
    bool first = true;
    while (co_await serve_one(first)) first = false;
  }

  asio::awaitable<void> close() {
    if (gone_) {
      force_close();
      co_return;
    }
    if constexpr (is_tls) {
      arm(std::chrono::milliseconds(1000));
      co_await stream_.async_shutdown(use_tuple);
      disarm();
    } else {
      error_code ig;
      stream_.shutdown(tcp::socket::shutdown_send, ig);
    }
    force_close();
  }

  // Feeds what is already buffered to the parser (no I/O). Stops at the end of the head and
  // when it needs more bytes; `ec` is set only for a malformed or over-limit request.
  std::size_t consume_buffered(request_parser& parser, error_code& ec) {
    std::size_t used_total = 0;
    while (buf_.size() > 0 && !parser.is_done()) {
      const bool had_header = parser.is_header_done();
      const std::size_t used = parser.put(buf_.data(), ec);
      buf_.consume(used);
      used_total += used;
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      if (ec || used == 0) break;
      if (!had_header && parser.is_header_done()) break;  // the caller checks the head first
    }
    return used_total;
  }

  // Reads one request with Beast's parser: a head outside the fast path's subset, a request
  // still arriving, Expect: 100-continue. False when the request was rejected (answered, or
  // the client is gone) and the connection must close.
  asio::awaitable<bool> read_request(request_parser& parser,
                                     std::chrono::steady_clock::time_point started) {
    parser.header_limit(static_cast<std::uint32_t>(srv_.cfg.max_header_bytes));
    parser.body_limit(srv_.cfg.max_body_bytes);
    // What is buffered is parsed in place; the async read (a completion round trip even when
    // nothing needs reading) only when more must arrive.
    error_code ec;
    bytes_in_ = consume_buffered(parser, ec);
    // The whole request (headers and body) must arrive within read_timeout: a slowloris
    // client trickling bytes cannot hold the connection longer than that. Armed only when
    // there is something to wait for: moving the deadline cancels the timer's pending wait,
    // one more completion round trip per request.
    if (!ec && !parser.is_done()) arm(srv_.cfg.read_timeout);
    if (!ec && !parser.is_header_done()) {
      auto [rec, header_bytes] = co_await http::async_read_header(stream_, buf_, parser, use_tuple);
      ec = rec;
      bytes_in_ += header_bytes;
    }
    if (ec) {
      disarm();
      co_await reject_read(ec, started);
      co_return false;
    }
    version_ = parser.version();
    if (auto cl = parser.content_length(); cl && *cl > srv_.cfg.max_body_bytes) {
      disarm();
      co_await reject_read(http::error::body_limit, started);
      co_return false;
    }
    if (beast::iequals(parser.field("Expect"), "100-continue")) {
      http::response<http::empty_body> cont(http::status::continue_, version_);
      co_await http::async_write(stream_, cont, use_tuple);
    }
    if (!parser.is_done()) bytes_in_ += consume_buffered(parser, ec);
    if (!ec && !parser.is_done()) {
      auto [ec2, body_bytes] = co_await http::async_read(stream_, buf_, parser, use_tuple);
      bytes_in_ += body_bytes;
      ec = ec2;
    }
    if (ec) {
      disarm();
      co_await reject_read(ec, started);
      co_return false;
    }
    disarm();
    co_return true;
  }

  // Reads and answers one request. Returns whether the connection stays open.
  asio::awaitable<bool> serve_one(bool first) {
    // Idle phase: wait for the first byte of the next request. A keep-alive connection
    // that stays silent is closed quietly; the first request of a connection is bounded by
    // the read deadline so a connect-and-wait client cannot pin it.
    if (buf_.size() == 0) {
      idle_ = true;
      if (srv_.draining.load()) co_return false;
      arm(first ? srv_.cfg.read_timeout : srv_.cfg.idle_timeout);
      auto [ec, n] = co_await stream_.async_read_some(buf_.prepare(8192), use_tuple);
      disarm();
      idle_ = false;
      if (ec || n == 0) co_return false;
      buf_.commit(n);
    }
    idle_ = false;
    reset_request();
    auto started = std::chrono::steady_clock::now();
    core::request_context ctx;
    ctx.request_id = request_id_;
    ctx.received_at = srv_.clock.steady_now();

    request_parser parser;
    const std::string_view buffered(static_cast<const char*>(buf_.data().data()), buf_.size());
    // Usually the whole request came with the first read and its head is plain: taken in
    // place by the strict scanner (core/http1_head.h). Anything else goes through Beast.
    if (const std::size_t used =
            parser.take_whole(buffered, srv_.cfg.max_header_bytes, srv_.cfg.max_body_bytes)) {
      buf_.consume(used);
      bytes_in_ = used;
      version_ = static_cast<unsigned>(parser.version());
    } else if (!co_await read_request(parser, started)) {
      co_return false;
    }

    if (auto tp = parser.field(headers::traceparent); is_valid_traceparent(tp)) ctx.traceparent = tp;
    if (auto rid = parser.field(headers::request_id_in); is_valid_client_request_id(rid))
      ctx.client_request_id = rid;
    keep_alive_ = parser.keeps_alive() && !srv_.draining.load();

    auto route = request_router::match(parser.target());
    if (remote_.empty()) {
      error_code rec;
      auto ep = beast::get_lowest_layer(stream_).remote_endpoint(rec);
      if (!rec) remote_ = ep.address().to_string();
    }
    incoming_request in{parser.method(), parser.target(), parser.headers(),
                        std::move(parser.body()), remote_};
    srv_.in_flight->inc();
    bool failed = false;
    try {
      co_await srv_.router->handle(route, in, ctx, *this);
    } catch (const std::exception&) {
      failed = true;
    }
    srv_.in_flight->dec();
    if (!responded_ && !gone_) {
      keep_alive_ = false;
      core::error e(core::error_kind::internal,
                    std::string(failed ? "internal error while handling the request"
                                       : "the request produced no response"));
      co_await send_error(*this, e);
    }
    if (head_pending_ && !gone_) {
      // A stream that ended without a single chunk: the head still goes out.
      std::array<asio::const_buffer, 1> bufs{take_pending_head()};
      std::size_t sent = 0;
      if (!write_now(bufs, sent)) co_await write_rest(bufs, sent);
    }
    if (streaming_ && !stream_ended_) keep_alive_ = false;  // framing is broken
    finish(route, parser.method(), parser.target(), ctx, started);
    co_return keep_alive_ && !gone_ && !srv_.draining.load();
  }

  // The error answer for a failed request read (nullopt = the client is gone, no answer).
  std::optional<std::pair<int, core::error>> read_error(error_code ec) const {
    using core::error_kind;
    if (ec == http::error::body_limit)
      return std::pair{413, core::error(error_kind::payload_too_large,
                                        "Request body exceeds the limit of " +
                                            std::to_string(srv_.cfg.max_body_bytes) + " bytes.",
                                        std::string(), std::string("request_too_large"))};
    if (ec == http::error::header_limit)
      // 431 (RFC 6585) with an invalid_request body: the taxonomy has no own kind for it.
      return std::pair{431, core::invalid_request("Request header fields exceed the limit of " +
                                                      std::to_string(srv_.cfg.max_header_bytes) +
                                                      " bytes.",
                                                  std::string(),
                                                  std::string("request_header_fields_too_large"))};
    if (timed_out_)
      return std::pair{408, core::error(error_kind::request_timeout,
                                        "The request was not received within " +
                                            std::to_string(srv_.cfg.read_timeout.count()) +
                                            " ms.",
                                        std::string(), std::string("request_timeout"))};
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
        ec == ssl::error::stream_truncated)
      return std::nullopt;
    return std::pair{400, core::invalid_request("Malformed HTTP request: " + ec.message(),
                                                std::string(), std::string("bad_http_request"))};
  }

  asio::awaitable<void> reject_read(error_code ec, std::chrono::steady_clock::time_point started) {
    keep_alive_ = false;
    auto answer = read_error(ec);
    if (!answer) {
      gone_ = true;  // the client went away mid-request; nobody to answer
      co_return;
    }
    // The watchdog may have cancelled the socket; the write below arms a fresh deadline.
    core::header_list h{{std::string(headers::content_type), std::string(headers::json_content_type)}};
    co_await send(answer->first, std::move(h), openai_api::encode_error(answer->second));
    core::request_context ctx;
    ctx.request_id = request_id_;
    finish(route_id::not_found, "-", "-", ctx, started);
  }

  void finish(route_id route, std::string_view method, std::string_view target,
              const core::request_context& ctx, std::chrono::steady_clock::time_point started) {
    auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    srv_.record(thread_, route, status_, secs);
    if (srv_.access->enabled()) {
      telemetry::access_record r;
      r.request_id = request_id_;
      r.method = method;
      r.path = target;
      r.status = status_;
      r.bytes_in = bytes_in_;
      r.bytes_out = bytes_out_;
      r.duration_ms = secs * 1000.0;
      r.key_id = ctx.key_id;
      r.traceparent = ctx.traceparent;
      r.client_request_id = ctx.client_request_id;
      r.remote = remote_;
      srv_.access->log(r);
    }
  }

  void reset_request() {
    request_id_ = thread_.ids->next_request_id();
    status_ = 0;
    bytes_in_ = bytes_out_ = 0;
    responded_ = streaming_ = stream_ended_ = close_delimited_ = head_pending_ = head_staged_ = false;
    keep_alive_ = true;
    version_ = 11;
  }

  gateway_server::impl& srv_;
  io_thread& thread_;
  Stream stream_;
  std::string remote_;  // peer address (signup limits, access log)
  asio::steady_timer timer_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  std::chrono::steady_clock::time_point timer_at_{};
  bool timer_waiting_ = false;
  beast::flat_buffer buf_;
  std::string head_;  // response head being sent (reused per connection)
  std::string tail_;  // last chunk + trailers
  bool head_pending_ = false;
  bool head_staged_ = false;  // stage_stream() built head_; begin_staged_stream() completes it
  int staged_status_ = 0;
  std::uint64_t gen_ = 0;
  bool registered_ = false;
  bool idle_ = true;
  bool timed_out_ = false;
  bool gone_ = false;
  // Per request.
  std::string request_id_;
  int status_ = 0;
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
  bool responded_ = false;
  bool streaming_ = false;
  bool stream_ended_ = false;
  bool close_delimited_ = false;
  bool keep_alive_ = true;
  unsigned version_ = 11;
};

}  // namespace

void gateway_server::impl::reject(tcp::socket& s) {
  // Over the limit: a best-effort 503 without reading the request, then close. Plain
  // non-blocking write: the kernel buffer of a fresh socket always takes these bytes.
  // Runs on thread 0 (the accept loop), so thread 0's id source is safe to use.
  rejected->inc();
  static constexpr std::string_view body =
      R"({"error":{"message":"The server is at its connection limit; retry later.","type":"server_error","param":null,"code":"too_many_connections"}})";
  std::string msg = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                    "Connection: close\r\nRetry-After: 1\r\n" + std::string(headers::request_id) +
                    ": " + threads[0]->ids->next_request_id() + "\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
  error_code ig;
  if (!tls) {
    s.non_blocking(true, ig);
    s.write_some(asio::buffer(msg), ig);
  }
  s.shutdown(tcp::socket::shutdown_both, ig);
  s.close(ig);
}

asio::awaitable<void> gateway_server::impl::accept_loop() {
  for (;;) {
    auto& target = *threads[next_thread];
    next_thread = (next_thread + 1) % threads.size();
    auto [ec, raw] = co_await acceptor->async_accept(target.ioc, use_tuple);
    if (ec) {
      if (!acceptor->is_open() || ec == asio::error::operation_aborted) co_return;
      // EMFILE/ENFILE and similar: back off briefly instead of spinning.
      asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(10));
      co_await t.async_wait(use_tuple);
      continue;
    }
    tcp::socket sock(std::move(raw));
    if (open_connections.load() >= cfg.max_connections) {
      reject(sock);
      continue;
    }
    open_connections.fetch_add(1);
    open_gauge->inc();
    error_code ig;
    sock.set_option(tcp::no_delay(true), ig);
    if (tls) {
      auto s = std::make_shared<session<ssl::stream<tcp::socket>>>(
          *this, target, ssl::stream<tcp::socket>(std::move(sock), *tls));
      asio::co_spawn(target.ioc, [s]() { return s->run(); }, asio::detached);
    } else {
      auto s = std::make_shared<session<tcp::socket>>(*this, target, std::move(sock));
      asio::co_spawn(target.ioc, [s]() { return s->run(); }, asio::detached);
    }
  }
}

asio::awaitable<void> gateway_server::impl::drain() {
  // Phase 1 (graceful): listener closed by the caller; idle connections closed here; busy
  // ones finish their current request and close (draining => Connection: close).
  for (auto& t : threads)
    asio::post(t->ioc, [th = t.get()] {
      for (auto* s : th->sessions) s->close_if_idle();
    });
  auto deadline = std::chrono::steady_clock::now() + cfg.shutdown_grace;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (open_connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(5));
    co_await timer.async_wait(use_tuple);
    // A connection that was mid-read when draining began may have turned idle since.
    for (auto& t : threads)
      asio::post(t->ioc, [th = t.get()] {
        for (auto* s : th->sessions) s->close_if_idle();
      });
  }
  // Phase 2 (forced): close every socket and stop the loops. Handlers still waiting are
  // destroyed with their io_context.
  for (auto& t : threads)
    asio::post(t->ioc, [th = t.get()] {
      for (auto* s : th->sessions) s->force_close();
      th->guard.reset();
      th->ioc.stop();
    });
}

gateway_server::gateway_server(server_options opts)
    : impl_(std::make_unique<impl>(std::move(opts))) {}

gateway_server::~gateway_server() {
  stop();
  wait();
}

core::result<std::uint16_t> gateway_server::start() {
  auto& im = *impl_;
  if (im.started) return im.port;
  auto fail = [](std::string msg) { return core::error(core::error_kind::internal, std::move(msg)); };
  if (im.cfg.tls) {
    im.tls.emplace(ssl::context::tls_server);
    im.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                        ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    error_code ec;
    im.tls->use_certificate_chain_file(im.cfg.tls->cert_file, ec);
    if (ec) return fail("server.tls.cert_file " + im.cfg.tls->cert_file + ": " + ec.message());
    im.tls->use_private_key_file(im.cfg.tls->key_file, ssl::context::pem, ec);
    if (ec) return fail("server.tls.key_file " + im.cfg.tls->key_file + ": " + ec.message());
  }
  error_code ec;
  auto addr = asio::ip::make_address(im.cfg.host, ec);
  if (ec) return fail("server.host '" + im.cfg.host + "' is not an IP address: " + ec.message());
  tcp::endpoint ep(addr, im.cfg.port);
  im.acceptor.emplace(im.threads[0]->ioc);
  if (im.acceptor->open(ep.protocol(), ec); ec) return fail("socket: " + ec.message());
  im.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (im.acceptor->bind(ep, ec); ec)
    return fail("cannot listen on " + im.cfg.host + ":" + std::to_string(im.cfg.port) + ": " +
                ec.message());
  if (im.acceptor->listen(asio::socket_base::max_listen_connections, ec); ec)
    return fail("listen: " + ec.message());
  im.port = im.acceptor->local_endpoint().port();
  asio::co_spawn(im.threads[0]->ioc, im.accept_loop(), asio::detached);
  std::random_device rd;
  for (auto& t : im.threads) {
    t->ids = std::make_unique<core::ulid_source>(im.clock, (std::uint64_t(rd()) << 32) | rd());
    t->guard.emplace(t->ioc.get_executor());
    t->thread = std::thread([th = t.get()] { th->ioc.run(); });
  }
  im.started = true;
  return im.port;
}

std::uint16_t gateway_server::port() const noexcept { return impl_->port; }
int gateway_server::threads() const noexcept { return static_cast<int>(impl_->threads.size()); }

void gateway_server::stop() {
  auto& im = *impl_;
  if (!im.started || im.stop_requested.exchange(true)) return;
  asio::post(im.threads[0]->ioc, [&im] {
    im.draining.store(true);
    error_code ig;
    im.acceptor->close(ig);
    asio::co_spawn(im.threads[0]->ioc, im.drain(), asio::detached);
  });
}

void gateway_server::wait() {
  auto& im = *impl_;
  if (!im.started || im.joined) return;
  for (auto& t : im.threads)
    if (t->thread.joinable()) t->thread.join();
  im.joined = true;
  im.access->flush();
}

telemetry::metrics_registry& gateway_server::metrics() noexcept { return *impl_->metrics; }
readiness_registry& gateway_server::readiness() noexcept { return *impl_->readiness; }

int affinity_cpu_count() noexcept {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  int n = CPU_COUNT(&set);
  return n > 0 ? n : 1;
}

}  // namespace gi::server
