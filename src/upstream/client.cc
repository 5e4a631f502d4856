#include "upstream/client.h"

#include <array>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>

#include "asio_impl/send_now.h"
#include "upstream/detail/connection.h"
#include "upstream/detail/host_pool.h"
#include "upstream/detail/response_parser.h"
#include "upstream/detail/watchdog.h"

#ifndef GI_VERSION
#define GI_VERSION "0.0.0"
#endif

namespace gi::upstream {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
using detail::cancelled_error;
using detail::timeout_error;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t read_chunk_bytes = 16 * 1024;

using response_parser = detail::response_parser;

bool is_http_error(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_version).category();
}

// The peer went away before the message was complete.
bool is_truncation(const error_code& ec) {
  return ec == asio::error::eof || ec == http::error::end_of_stream ||
         ec == http::error::partial_message || ec == asio::ssl::error::stream_truncated ||
         ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
         ec == asio::error::broken_pipe || ec == asio::error::not_connected;
}

// Maps an I/O failure after the connection was established (design §4.4 kinds).
core::error map_io_error(const error_code& ec, std::string_view during,
                         const detail::watchdog& wd, const target_url& t) {
  if (!wd.expired().empty()) return timeout_error(wd.expired(), t);
  if (ec == asio::error::operation_aborted) return cancelled_error();
  const std::string where = std::string(during) + " from " + t.origin() + ": " + ec.message();
  if (ec == http::error::body_limit) {
    return core::error(core::error_kind::protocol, "response-too-large: " + where);
  }
  if (is_truncation(ec)) return core::error(core::error_kind::truncated, "truncated " + where);
  if (is_http_error(ec)) return core::error(core::error_kind::protocol, "bad HTTP " + where);
  if (ec.category() == asio::error::get_ssl_category()) {
    return core::error(core::error_kind::protocol, "tls record error " + where);
  }
  return core::error(core::error_kind::truncated, "truncated " + where);
}

// Body read buffers, recycled per thread: a 16 KiB malloc/free (and zero fill) per request
// showed up in the allocator profile (bench/README.md, "Profiling findings": glibc's
// malloc_consolidate runs when a freed chunk next to the heap top makes ≥ 64 KiB).
class chunk_buffer {
 public:
  chunk_buffer() {
    if (auto* c = cache(); c != nullptr && !c->free.empty()) {
      p_ = std::move(c->free.back());
      c->free.pop_back();
    } else {
      p_ = std::make_unique_for_overwrite<char[]>(read_chunk_bytes);
    }
  }
  ~chunk_buffer() {
    if (auto* c = cache(); c != nullptr && c->free.size() < max_cached) c->free.push_back(std::move(p_));
  }
  chunk_buffer(const chunk_buffer&) = delete;
  chunk_buffer& operator=(const chunk_buffer&) = delete;
  char* data() const noexcept { return p_.get(); }
  static constexpr std::size_t size() noexcept { return read_chunk_bytes; }

 private:
  static constexpr std::size_t max_cached = 64;
  struct free_list {
    std::vector<std::unique_ptr<char[]>> free;
    ~free_list() { gone = true; }
    static inline thread_local bool gone = false;  // trivially destructible: safe to read late
  };
  // Null once this thread's cache is destroyed (a stream destroyed during thread exit).
  static free_list* cache() {
    if (free_list::gone) return nullptr;
    thread_local free_list f;
    return &f;
  }
  std::unique_ptr<char[]> p_;
};

std::string_view buffered(const boost::beast::flat_buffer& b) {
  return {static_cast<const char*>(b.data().data()), b.size()};
}

bool is_hop_by_hop_or_managed(std::string_view name) {
  return core::iequals(name, "host") || core::iequals(name, "content-length") ||
         core::iequals(name, "transfer-encoding") || core::iequals(name, "connection") ||
         core::iequals(name, "keep-alive") || core::iequals(name, "te") ||
         core::iequals(name, "upgrade") || core::iequals(name, "proxy-connection");
}

}  // namespace

bool is_cancelled(const core::error& e) noexcept { return e.code == cancelled_code; }

// ---------------------------------------------------------------------------------------
// client::impl

struct client::impl {
  client_options opts;
  std::string user_agent;
  std::optional<core::error> init_error;
  std::optional<detail::proxy_address> proxy;
  asio::ssl::context tls_ctx{asio::ssl::context::tls_client};
  mutable std::mutex mu;
  // Declared after tls_ctx: pooled TLS connections go before the context.
  std::unordered_map<std::string, std::shared_ptr<detail::host_pool>> pools;

  std::shared_ptr<detail::host_pool> pool_for(const target_url& t) {
    std::string key = t.origin();
    std::lock_guard lock(mu);
    auto& p = pools[key];
    if (!p) {
      p = std::make_shared<detail::host_pool>(opts.pool_size_per_host,
                                              std::max<std::size_t>(1, opts.max_inflight_per_host),
                                              opts.idle_timeout);
    }
    return p;
  }
};

// ---------------------------------------------------------------------------------------
// response_stream

struct response_stream::impl {
  impl(std::shared_ptr<client::impl> o, std::shared_ptr<detail::host_pool> p,
       detail::slot_lease l, const asio::any_io_executor& ex, const target_url& t,
       const phase_deadlines& d, std::chrono::steady_clock::time_point total_deadline)
      : owner(std::move(o)),
        pool(std::move(p)),
        lease(std::move(l)),
        wd(ex, total_deadline),
        target(t),
        deadlines(d) {}

  // Member order matters for destruction: the watchdog stops first, the connection closes
  // before the slot is released.
  std::shared_ptr<client::impl> owner;
  std::shared_ptr<detail::host_pool> pool;
  detail::slot_lease lease;
  std::unique_ptr<detail::connection> conn;
  std::unique_ptr<response_parser> parser;
  detail::watchdog wd;
  target_url target;
  phase_deadlines deadlines;
  response_head head;
  chunk_buffer chunk;
  std::optional<core::error> failure;
  bool done = false;
  bool cancelled = false;
  bool reading = false;

  // Body complete: the connection is reusable if the server keeps it alive and nothing
  // unread follows the response.
  void finish_ok() {
    done = true;
    wd.disarm();
    if (conn && parser->keep_alive() && !parser->need_eof() && conn->buffer.size() == 0) {
      pool->put_idle(std::move(conn));
    }
    conn.reset();
    lease.release();
  }

  core::error fail(core::error e) {
    wd.disarm();
    conn.reset();  // never pooled mid-body
    lease.release();
    failure = e;
    return e;
  }
};

response_stream::response_stream(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
response_stream::~response_stream() = default;

const response_head& response_stream::head() const noexcept { return impl_->head; }
response_head response_stream::take_head() noexcept { return std::move(impl_->head); }

void response_stream::cancel() noexcept {
  auto& s = *impl_;
  if (s.done || s.failure) return;
  s.cancelled = true;
  if (s.reading) {
    // The pending read completes with operation_aborted and fails the stream.
    error_code ignored;
    if (s.conn) s.conn->sock.close(ignored);
  } else {
    s.fail(cancelled_error());
  }
}

// Asio throws operation_aborted at the next co_await once the caller's coroutine has been
// cancelled (this_coro::throw_if_cancelled defaults to true). Errors are values at this
// module's boundary, so the public coroutines catch it; RAII has already closed the socket
// and released the slot by then.
// (The catch is in the same coroutine as the reads, not in a wrapper around it: a wrapper
// cost a second coroutine frame per upstream chunk.)
asio::awaitable<core::result<std::string_view>> response_stream::read() {
  auto& s = *impl_;
  if (s.failure) co_return *s.failure;
  if (s.done) co_return std::string_view();
  // Parses what is already buffered (no I/O) into the rest of the chunk buffer. A
  // non-eager parser stops after each chunk of a chunked body, so one async_read_some
  // returned one SSE event at a time even when all of them arrived in one segment — and
  // each read() became one client write. (Eager parsing is no substitute: async_read_some
  // would then wait on the socket for more instead of returning what it has.)
  auto drain = [&s]() -> error_code {
    while (!s.parser->is_done() && s.parser->remaining() > 0 && s.conn->buffer.size() > 0) {
      error_code pec;
      const std::size_t used = s.parser->put(s.conn->buffer.data(), pec);
      s.conn->buffer.consume(used);
      if (pec == http::error::need_more || pec == http::error::need_buffer) break;
      if (pec) return pec;
      if (used == 0) break;
    }
    return {};
  };
  try {
    for (;;) {
      s.parser->set_buffer(s.chunk.data(), s.chunk.size());
      // Bytes that came with the head (a small answer arrives whole) or with the previous
      // read are parsed in place: no async read, whose completion is a scheduler round trip
      // even when it needs no I/O.
      if (auto pec = drain()) co_return s.fail(map_io_error(pec, "reading body", s.wd, s.target));
      if (s.parser->remaining() == s.chunk.size() && !s.parser->is_done()) {
        s.wd.arm("stall-timeout", s.deadlines.stall, s.conn->sock);
        s.reading = true;
        // A Content-Length body (fast path) needs no parsing: read straight into the chunk,
        // never past the body's end. A chunked one (fast path) is decoded by drain().
        // (Statements, not a conditional expression: GCC 12 miscompiles co_await inside ?:.)
        error_code ec;
        std::size_t n = 0;
        if (!s.parser->fast()) {
          std::tie(ec, n) = co_await s.conn->with_stream([&](auto& stream) {
            return http::async_read_some(stream, s.conn->buffer, s.parser->beast(), tuple_awaitable);
          });
        } else if (s.parser->fast_length()) {
          const auto want = std::min<std::uint64_t>(s.parser->remaining(), s.parser->body_left());
          std::tie(ec, n) = co_await s.conn->with_stream([&](auto& stream) {
            return stream.async_read_some(asio::buffer(s.parser->next(), static_cast<std::size_t>(want)),
                                          tuple_awaitable);
          });
          s.parser->advance(n);
        } else {
          std::tie(ec, n) = co_await s.conn->with_stream([&](auto& stream) {
            return stream.async_read_some(s.conn->buffer.prepare(read_chunk_bytes), tuple_awaitable);
          });
          s.conn->buffer.commit(n);
        }
        s.reading = false;
        s.wd.disarm();
        if (s.cancelled) co_return s.fail(cancelled_error());
        if (ec == http::error::need_buffer) ec = {};
        if (ec) co_return s.fail(map_io_error(ec, "reading body", s.wd, s.target));
        if (auto pec = drain()) co_return s.fail(map_io_error(pec, "reading body", s.wd, s.target));
      }
      const std::size_t produced = s.chunk.size() - s.parser->remaining();
      if (s.parser->is_done()) s.finish_ok();
      if (produced > 0) co_return std::string_view(s.chunk.data(), produced);
      if (s.done) co_return std::string_view();
    }
  } catch (const boost::system::system_error&) {
    co_return s.fail(cancelled_error());
  }
}

asio::awaitable<core::result<std::string>> response_stream::read_all() {
  std::string out;
  for (;;) {
    std::optional<core::result<std::string_view>> piece;
    try {
      piece.emplace(co_await read());
    } catch (const boost::system::system_error&) {
      co_return impl_->fail(cancelled_error());
    }
    if (!*piece) co_return std::move(*piece).error();
    if ((*piece)->empty()) co_return out;
    out.append(**piece);
  }
}

// ---------------------------------------------------------------------------------------
// client

client::client(client_options opts) : impl_(std::make_shared<impl>()) {
  impl_->opts = std::move(opts);
  impl_->user_agent = impl_->opts.user_agent.empty() ? std::string("gammainfra/") + GI_VERSION
                                                     : impl_->opts.user_agent;
  error_code ec;
  impl_->tls_ctx.set_options(asio::ssl::context::default_workarounds |
                                 asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                                 asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1,
                             ec);
  impl_->tls_ctx.set_default_verify_paths(ec);  // the system CA bundle
  if (!impl_->opts.ca_file.empty()) {
    impl_->tls_ctx.load_verify_file(impl_->opts.ca_file, ec);
    if (ec) {
      impl_->init_error = core::error(core::error_kind::tls, "tls: cannot load ca_file " +
                                                                 impl_->opts.ca_file + ": " +
                                                                 ec.message());
    }
  }
  if (!impl_->opts.http_proxy.empty()) {
    auto p = parse_target_url(impl_->opts.http_proxy);
    if (!p || p->tls) {
      impl_->init_error = core::error(core::error_kind::connect,
                                      "connect: invalid http_proxy (want http://host:port): " +
                                          impl_->opts.http_proxy);
    } else {
      impl_->proxy = detail::proxy_address{p->host, p->port};
    }
  }
}

client::~client() = default;

const client_options& client::options() const noexcept { return impl_->opts; }

pool_stats client::stats(const target_url& target) const {
  return impl_->pool_for(target)->stats();
}

void client::close_idle() {
  std::vector<std::shared_ptr<detail::host_pool>> pools;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [k, p] : impl_->pools) pools.push_back(p);
  }
  for (auto& p : pools) p->clear_idle();
}

// The body runs inside one try (a wrapper coroutine around it cost a second frame per
// attempt): Asio's operation_aborted after a cancellation becomes a cancelled error.
asio::awaitable<core::result<std::unique_ptr<response_stream>>> client::open(
    target_url target, const core::upstream_request& req, phase_deadlines deadlines) {
  try {
    std::shared_ptr<impl> self = impl_;
    if (self->init_error) co_return *self->init_error;
    auto ex = co_await asio::this_coro::executor;
    const auto total_deadline = std::chrono::steady_clock::now() + deadlines.total;
    auto pool = self->pool_for(target);
    auto lease = co_await pool->acquire(self->opts.queue_timeout, total_deadline, target.origin());
    if (!lease) co_return std::move(lease).error();

    auto st = std::make_unique<response_stream::impl>(self, pool, std::move(*lease), ex, target,
                                                      deadlines, total_deadline);

    // The message is built once and may be written twice (stale keep-alive retry).
    const bool absolute_form = self->proxy.has_value() && !target.tls;
    // The head is serialized by hand (Beast's basic_fields allocates per field) and written
    // together with the body in one gather write.
    std::string head;
    head.reserve(256 + req.path.size() + req.body.size() / 16);
    head += req.method;
    head += ' ';
    head += absolute_form ? target.origin() + target.request_target(req.path)
                          : target.request_target(req.path);
    head += " HTTP/1.1\r\n";
    auto field = [&head](std::string_view k, std::string_view v) {
      head += k;
      head += ": ";
      head += v;
      head += "\r\n";
    };
    field("Host", target.host_header());
    for (const auto& [name, value] : req.headers) {
      if (!is_hop_by_hop_or_managed(name)) field(name, value);
    }
    // providers.md §1.3: the gateway's own identity and the media types it expects.
    if (!core::find_header(req.headers, "user-agent")) field("User-Agent", self->user_agent);
    if (!core::find_header(req.headers, "accept")) {
      field("Accept", req.stream ? "text/event-stream" : "application/json");
    }
    if (!req.body.empty() && !core::find_header(req.headers, "content-type")) {
      field("Content-Type", "application/json");
    }
    // Beast's prepare_payload rule: a length for any body, and 0 for the methods that
    // normally carry one. HTTP/1.1 is persistent by default: no Connection header.
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT" ||
        req.method == "OPTIONS") {
      field("Content-Length", std::to_string(req.body.size()));
    }
    head += "\r\n";
    const std::array<asio::const_buffer, 2> request_bytes{asio::buffer(head),
                                                          asio::buffer(req.body)};

    const detail::proxy_address* proxy = self->proxy ? &*self->proxy : nullptr;
    for (int attempt = 0;; ++attempt) {
      std::unique_ptr<detail::connection> conn = attempt == 0 ? pool->take_idle() : nullptr;
      const bool reused = conn != nullptr;
      if (!conn) {
        auto c = co_await detail::establish(target, proxy, &self->tls_ctx, self->opts.tls_verify,
                                            deadlines, st->wd);
        if (!c) co_return std::move(c).error();
        conn = std::move(*c);
        pool->note_opened();
      }

      // Write.
      // Plain TCP: send directly first; the async write (a completion round trip even when
      // the socket takes everything at once) only for what is left (asio_impl/send_now.h).
      error_code wec;
      std::size_t sent = 0;
      if (!conn->tls) sent = asio_impl::send_now(conn->sock.native_handle(), request_bytes, wec);
      if (!wec && sent < head.size() + req.body.size()) {
        boost::beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(request_bytes);
        rest.consume(sent);
        st->wd.arm("write-timeout", deadlines.write, conn->sock);
        auto [aec, wn] = co_await conn->with_stream(
            [&](auto& stream) { return asio::async_write(stream, rest, tuple_awaitable); });
        (void)wn;
        wec = aec;
      }
      error_code ec = wec;
      bool received_any = false;
      std::unique_ptr<response_parser> parser;
      if (!ec) {
        // Head (time to first byte). 1xx interim responses are skipped.
        for (;;) {
          parser = std::make_unique<response_parser>(self->opts.max_header_bytes,
                                                     self->opts.max_response_bytes,
                                                     req.method == "HEAD");
          st->wd.arm("ttfb-timeout", deadlines.ttfb, conn->sock);
          // A plain head is read and scanned here (response_parser.h); Beast reads the rest,
          // starting from the bytes already buffered.
          auto scan = core::http1::scan_result::need_more;
          for (;;) {
            scan = parser->scan_head(buffered(conn->buffer));
            if (scan != core::http1::scan_result::need_more) break;
            auto [rec, n] = co_await conn->with_stream([&](auto& stream) {
              return stream.async_read_some(conn->buffer.prepare(read_chunk_bytes), tuple_awaitable);
            });
            conn->buffer.commit(n);
            if (rec) {
              received_any = received_any || conn->buffer.size() != 0;
              ec = rec;
              break;
            }
          }
          if (ec) break;
          if (scan == core::http1::scan_result::complete) {
            conn->buffer.consume(parser->head_size());
            received_any = true;
            break;
          }
          auto [hec, hn] = co_await conn->with_stream([&](auto& stream) {
            return http::async_read_header(stream, conn->buffer, parser->beast(), tuple_awaitable);
          });
          (void)hn;
          received_any = received_any || parser->got_some() || conn->buffer.size() != 0;
          ec = hec;
          if (ec) break;
          const int status = parser->status();
          if (status >= 100 && status < 200 && status != 101) continue;
          break;
        }
      }
      st->wd.disarm();
      if (ec) {
        auto err = map_io_error(ec, wec ? "writing request" : "reading response head", st->wd,
                                target);
        // A pooled connection the server had already closed fails on write or with EOF before
        // any response byte; that request never reached the application, so one retry on a
        // fresh connection is safe (the rule Go's net/http applies to reused connections).
        const bool stale = reused && attempt == 0 && !received_any &&
                           err.kind == core::error_kind::truncated;
        if (stale) continue;
        co_return err;
      }

      st->head.status = parser->status();
      st->head.reused_connection = reused;
      st->head.headers = parser->take_headers();
      st->conn = std::move(conn);
      st->parser = std::move(parser);
      if (st->parser->is_done()) st->finish_ok();  // no body (204, 304, HEAD, length 0)
      co_return std::make_unique<response_stream>(std::move(st));
    }
  } catch (const boost::system::system_error&) {
    co_return cancelled_error();
  }
}

asio::awaitable<core::result<http_response>> client::send(target_url target,
                                                          const core::upstream_request& req,
                                                          phase_deadlines deadlines) {
  auto stream = co_await open(std::move(target), req, deadlines);
  if (!stream) co_return std::move(stream).error();
  std::optional<core::result<std::string>> body;
  try {
    body.emplace(co_await (*stream)->read_all());
  } catch (const boost::system::system_error&) {
    co_return cancelled_error();
  }
  if (!*body) co_return std::move(*body).error();
  auto head = (*stream)->take_head();
  http_response r;
  r.status = head.status;
  r.headers = std::move(head.headers);
  r.reused_connection = head.reused_connection;
  r.body = std::move(**body);
  co_return r;
}

}  // namespace gi::upstream
