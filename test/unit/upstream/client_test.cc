#include "upstream/client.h"
#include "upstream/detail/host_pool.h"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include "test_server.h"

namespace gi::upstream {
namespace {

using namespace testing;
using namespace std::chrono_literals;
using boost::asio::awaitable;
using core::error_kind;

phase_deadlines fast() {
  phase_deadlines d;
  d.connect = 2s;
  d.tls = 2s;
  d.write = 2s;
  d.ttfb = 2s;
  d.stall = 2s;
  d.total = 10s;
  return d;
}

core::upstream_request post(std::string body = R"({"model":"m"})", bool stream = false) {
  core::upstream_request r;
  r.path = "/chat/completions";
  r.body = std::move(body);
  r.stream = stream;
  r.headers = {{"X-Extra", "1"}};
  return r;
}

target_url local(std::uint16_t port, bool tls = false) {
  auto t = parse_target_url((tls ? "https://127.0.0.1:" : "http://127.0.0.1:") +
                            std::to_string(port) + "/v1");
  EXPECT_TRUE(t.has_value());
  return *t;
}

// Answers every request on a connection with a fixed JSON body (keep-alive).
handler_fn echo_server(std::string body = R"({"ok":true})") {
  return [body](server_conn& c) -> awaitable<void> {
    while (auto req = co_await c.read_request()) {
      if (!co_await c.write(response(200, body))) co_return;
    }
  };
}

struct ClientTest : ::testing::Test {
  boost::asio::io_context io;
};

TEST_F(ClientTest, ContentLengthBodyAndOutboundHeaders) {
  test_server srv(io, echo_server());
  client c{client_options{}};
  const auto t = local(srv.port());
  auto r = run_until_done(io, c.send(t, post(), fast()));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"ok":true})");
  EXPECT_FALSE(r->reused_connection);
  ASSERT_EQ(srv.stats().requests.size(), 1u);
  const auto& req = srv.stats().requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/v1/chat/completions");
  EXPECT_EQ(req.body, R"({"model":"m"})");
  EXPECT_EQ(req.header("host"), "127.0.0.1:" + std::to_string(srv.port()));
  EXPECT_EQ(req.header("user-agent").rfind("gammainfra/", 0), 0u);
  EXPECT_EQ(req.header("accept"), "application/json");
  EXPECT_EQ(req.header("content-type"), "application/json");
  EXPECT_EQ(req.header("x-extra"), "1");
}

TEST_F(ClientTest, KeepAliveReusesOneConnection) {
  test_server srv(io, echo_server());
  client c{client_options{}};
  const auto t = local(srv.port());
  for (int i = 0; i < 3; ++i) {
    auto r = run_until_done(io, c.send(t, post(), fast()));
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->reused_connection, i > 0);
  }
  EXPECT_EQ(srv.stats().accepted, 1);
  EXPECT_EQ(c.stats(t).connections_opened, 1u);
  EXPECT_EQ(c.stats(t).idle, 1u);
  EXPECT_EQ(c.stats(t).inflight, 0u);
}

TEST_F(ClientTest, ConnectionCloseIsNotPooled) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    while (auto req = co_await c.read_request()) {
      co_await c.write(response(200, "{}", "Connection: close\r\n"));
      c.close();
      co_return;
    }
  });
  client c{client_options{}};
  const auto t = local(srv.port());
  for (int i = 0; i < 2; ++i) {
    auto r = run_until_done(io, c.send(t, post(), fast()));
    ASSERT_TRUE(r.has_value()) << r.error().message;
  }
  EXPECT_EQ(srv.stats().accepted, 2);
  EXPECT_EQ(c.stats(t).idle, 0u);
}

TEST_F(ClientTest, ChunkedBodyIsDechunked) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    while (auto req = co_await c.read_request()) {
      co_await c.write(chunked_head(200, "application/json") + chunk("{\"a\":") + chunk("1}") +
                       last_chunk);
    }
  });
  client c{client_options{}};
  const auto t = local(srv.port());
  auto r = run_until_done(io, c.send(t, post(), fast()));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->body, "{\"a\":1}");
  EXPECT_EQ(c.stats(t).idle, 1u);  // a complete chunked response leaves a reusable connection
}

TEST_F(ClientTest, StreamingReadDeliversPiecesThenEnds) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    while (auto req = co_await c.read_request()) {
      co_await c.write(chunked_head());
      for (int i = 0; i < 5; ++i) {
        co_await c.sleep(5ms);
        co_await c.write(chunk("data: " + std::to_string(i) + "\n\n"));
      }
      co_await c.write(last_chunk);
    }
  });
  client c{client_options{}};
  const auto t = local(srv.port());
  auto body = run_until_done(io, [&]() -> awaitable<core::result<std::string>> {
    auto s = co_await c.open(t, post("{}", true), fast());
    if (!s) co_return s.error();
    EXPECT_EQ((*s)->head().status, 200);
    EXPECT_TRUE(core::find_header((*s)->head().headers, "content-type") == "text/event-stream");
    std::string all;
    int reads = 0;
    for (;;) {
      auto piece = co_await (*s)->read();
      if (!piece) co_return piece.error();
      if (piece->empty()) break;
      ++reads;
      all.append(*piece);
    }
    EXPECT_GE(reads, 2);  // delivered incrementally, not buffered to the end
    co_return all;
  }());
  ASSERT_TRUE(body.has_value()) << body.error().message;
  EXPECT_EQ(*body, "data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n");
  EXPECT_EQ(srv.stats().requests.at(0).header("accept"), "text/event-stream");
  EXPECT_EQ(c.stats(t).idle, 1u);
  EXPECT_EQ(c.stats(t).inflight, 0u);
}

TEST_F(ClientTest, BodyDelimitedByCloseIsReadToEofAndNotPooled) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    if (co_await c.read_request()) {
      co_await c.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"until\":\"eof\"}");
      c.close();
    }
  });
  client c{client_options{}};
  const auto t = local(srv.port());
  auto r = run_until_done(io, c.send(t, post(), fast()));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->body, R"({"until":"eof"})");
  EXPECT_EQ(c.stats(t).idle, 0u);
}

TEST_F(ClientTest, NonSuccessStatusIsAResponseNotAnError) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    while (auto req = co_await c.read_request())
      co_await c.write(response(429, R"({"error":{}})", "Retry-After: 3\r\n"));
  });
  client c{client_options{}};
  auto r = run_until_done(io, c.send(local(srv.port()), post(), fast()));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(core::find_header(r->headers, "retry-after"), "3");
}

TEST_F(ClientTest, NoBodyResponseReturnsConnection) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    while (auto req = co_await c.read_request())
      co_await c.write("HTTP/1.1 204 No Content\r\n\r\n");
  });
  client c{client_options{}};
  const auto t = local(srv.port());
  for (int i = 0; i < 2; ++i) {
    auto r = run_until_done(io, c.send(t, post(), fast()));
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->status, 204);
  }
  EXPECT_EQ(srv.stats().accepted, 1);
}

TEST_F(ClientTest, PoolKeepsAtMostPoolSizeIdle) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    while (auto req = co_await c.read_request()) {
      co_await c.sleep(30ms);  // overlap the three requests
      co_await c.write(response(200, "{}"));
    }
  });
  client_options o;
  o.pool_size_per_host = 1;
  client c{o};
  const auto t = local(srv.port());
  auto ok = run_until_done(io, [&]() -> awaitable<int> {
    using namespace boost::asio::experimental::awaitable_operators;
    auto [a, b, d] = co_await (c.send(t, post(), fast()) && c.send(t, post(), fast()) &&
                               c.send(t, post(), fast()));
    co_return int(a.has_value()) + int(b.has_value()) + int(d.has_value());
  }());
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(srv.stats().accepted, 3);
  EXPECT_EQ(c.stats(t).connections_opened, 3u);
  EXPECT_EQ(c.stats(t).idle, 1u);
}

TEST_F(ClientTest, InflightCapRejectsAfterQueueTimeout) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    while (auto req = co_await c.read_request()) {
      co_await c.sleep(300ms);
      co_await c.write(response(200, "{}"));
    }
  });
  client_options o;
  o.max_inflight_per_host = 1;
  o.queue_timeout = 30ms;
  client c{o};
  const auto t = local(srv.port());
  auto [first, second] = run_until_done(io, [&]() -> awaitable<std::pair<bool, core::error>> {
    using namespace boost::asio::experimental::awaitable_operators;
    auto [a, b] = co_await (c.send(t, post(), fast()) && c.send(t, post(), fast()));
    co_return std::pair{a.has_value(), b ? core::error{} : b.error()};
  }());
  EXPECT_TRUE(first);
  EXPECT_EQ(second.kind, error_kind::overloaded);
  EXPECT_NE(second.message.find("inflight-cap"), std::string::npos);
  EXPECT_EQ(srv.stats().accepted, 1);
  EXPECT_EQ(c.stats(t).inflight, 0u);
  EXPECT_EQ(c.stats(t).waiting, 0u);
}

TEST_F(ClientTest, InflightCapQueuesWithinQueueTimeout) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    while (auto req = co_await c.read_request()) {
      co_await c.sleep(20ms);
      co_await c.write(response(200, "{}"));
    }
  });
  client_options o;
  o.max_inflight_per_host = 1;
  o.queue_timeout = 5s;
  client c{o};
  const auto t = local(srv.port());
  auto both = run_until_done(io, [&]() -> awaitable<int> {
    using namespace boost::asio::experimental::awaitable_operators;
    auto [a, b] = co_await (c.send(t, post(), fast()) && c.send(t, post(), fast()));
    co_return int(a.has_value()) + int(b.has_value());
  }());
  EXPECT_EQ(both, 2);
  // Serialised by the cap: the second reused the first's connection.
  EXPECT_EQ(srv.stats().accepted, 1);
}

TEST_F(ClientTest, TtfbTimeoutWhenServerNeverAnswers) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    if (co_await c.read_request()) co_await c.wait_eof(5s);
  });
  client c{client_options{}};
  auto d = fast();
  d.ttfb = 50ms;
  const auto t = local(srv.port());
  auto r = run_until_done(io, c.send(t, post(), d));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, error_kind::timeout);
  EXPECT_NE(r.error().message.find("ttfb-timeout"), std::string::npos) << r.error().message;
  pump(io, 50ms);
  EXPECT_EQ(srv.stats().eof_seen, 1);  // the timed-out connection was closed
  EXPECT_EQ(c.stats(t).inflight, 0u);
  EXPECT_EQ(c.stats(t).idle, 0u);
}

TEST_F(ClientTest, StallTimeoutBetweenChunks) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    if (co_await c.read_request()) {
      co_await c.write(chunked_head() + chunk("data: 1\n\n"));
      co_await c.wait_eof(5s);
    }
  });
  client c{client_options{}};
  auto d = fast();
  d.stall = 50ms;
  const auto t = local(srv.port());
  auto err = run_until_done(io, [&]() -> awaitable<core::error> {
    auto s = co_await c.open(t, post("{}", true), d);
    if (!s) co_return s.error();
    auto first = co_await (*s)->read();
    EXPECT_TRUE(first.has_value() && *first == "data: 1\n\n");
    auto second = co_await (*s)->read();
    if (second) co_return core::error{};
    co_return second.error();
  }());
  EXPECT_EQ(err.kind, error_kind::timeout);
  EXPECT_NE(err.message.find("stall-timeout"), std::string::npos) << err.message;
  pump(io, 50ms);
  EXPECT_EQ(srv.stats().eof_seen, 1);
  EXPECT_EQ(c.stats(t).inflight, 0u);
}

// The phase deadline is armed lazily (one timer that re-waits when the deadline moved
// later): chunks arriving faster than `stall` keep the stream alive well past the first
// stall and write deadlines, and a real stall still fails with stall-timeout.
TEST_F(ClientTest, StallDeadlineMovesWithEachChunk) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    if (co_await c.read_request()) {
      co_await c.write(chunked_head());
      for (int i = 0; i < 8; ++i) {
        co_await c.sleep(40ms);
        if (!co_await c.write(chunk("data: " + std::to_string(i) + "\n\n"))) co_return;
      }
      co_await c.wait_eof(5s);  // then silence
    }
  });
  client c{client_options{}};
  auto d = fast();
  d.write = 60ms;
  d.ttfb = 100ms;
  d.stall = 100ms;
  int pieces = 0;
  auto err = run_until_done(io, [&]() -> awaitable<core::error> {
    auto s = co_await c.open(local(srv.port()), post("{}", true), d);
    if (!s) co_return s.error();
    for (;;) {
      auto piece = co_await (*s)->read();
      if (!piece) co_return piece.error();
      if (piece->empty()) co_return core::error{};
      ++pieces;
    }
  }());
  EXPECT_EQ(pieces, 8);  // 320 ms of chunks, each gap well inside the 100 ms stall deadline
  EXPECT_EQ(err.kind, error_kind::timeout);
  EXPECT_NE(err.message.find("stall-timeout"), std::string::npos) << err.message;
}

TEST_F(ClientTest, TotalTimeoutOnEndlessStream) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    if (co_await c.read_request()) {
      co_await c.write(chunked_head());
      for (;;) {
        co_await c.sleep(5ms);
        if (!co_await c.write(chunk(": keep-alive\n\n"))) co_return;
      }
    }
  });
  client c{client_options{}};
  auto d = fast();
  d.stall = 1s;
  d.total = 100ms;
  auto err = run_until_done(io, [&]() -> awaitable<core::error> {
    auto s = co_await c.open(local(srv.port()), post("{}", true), d);
    if (!s) co_return s.error();
    for (;;) {
      auto piece = co_await (*s)->read();
      if (!piece) co_return piece.error();
      if (piece->empty()) co_return core::error{};
    }
  }());
  EXPECT_EQ(err.kind, error_kind::timeout);
  EXPECT_NE(err.message.find("total-timeout"), std::string::npos) << err.message;
}

TEST_F(ClientTest, ConnectionResetIsTruncated) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    if (co_await c.read_request()) c.reset();
  });
  client c{client_options{}};
  auto r = run_until_done(io, c.send(local(srv.port()), post(), fast()));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, error_kind::truncated) << r.error().message;
}

TEST_F(ClientTest, CloseMidBodyIsTruncated) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    if (co_await c.read_request()) {
      co_await c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\":");
      c.close();
    }
  });
  client c{client_options{}};
  const auto t = local(srv.port());
  auto r = run_until_done(io, c.send(t, post(), fast()));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, error_kind::truncated) << r.error().message;
  EXPECT_EQ(c.stats(t).idle, 0u);
  EXPECT_EQ(c.stats(t).inflight, 0u);
}

TEST_F(ClientTest, GarbageIsProtocolError) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    if (co_await c.read_request()) {
      co_await c.write("SMTP ready\r\n\r\n");
      co_await c.wait_eof(5s);
    }
  });
  client c{client_options{}};
  auto r = run_until_done(io, c.send(local(srv.port()), post(), fast()));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, error_kind::protocol) << r.error().message;
}

TEST_F(ClientTest, ResponseOverCapIsProtocolError) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    while (auto req = co_await c.read_request()) {
      if (req->body == "chunked") {
        co_await c.write(chunked_head());
        for (int i = 0; i < 10; ++i) co_await c.write(chunk(std::string(500, 'y')));
        co_await c.write(last_chunk);
      } else {
        co_await c.write(response(200, std::string(5000, 'x')));
      }
    }
  });
  client_options o;
  o.max_response_bytes = 1000;
  client c{o};
  const auto t = local(srv.port());
  auto r = run_until_done(io, c.send(t, post("plain"), fast()));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, error_kind::protocol);
  EXPECT_NE(r.error().message.find("response-too-large"), std::string::npos);
  auto r2 = run_until_done(io, c.send(t, post("chunked"), fast()));
  ASSERT_FALSE(r2.has_value());
  EXPECT_EQ(r2.error().kind, error_kind::protocol);
  EXPECT_EQ(c.stats(t).idle, 0u);
}

TEST_F(ClientTest, ConnectRefusedIsConnectError) {
  std::uint16_t port = 0;
  {
    tcp::acceptor a(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }
  client c{client_options{}};
  auto r = run_until_done(io, c.send(local(port), post(), fast()));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, error_kind::connect) << r.error().message;
}

TEST_F(ClientTest, UnresolvableHostIsConnectError) {
  client c{client_options{}};
  auto t = parse_target_url("http://name.invalid:9/");
  ASSERT_TRUE(t.has_value());
  auto r = run_until_done(io, c.send(*t, post(), fast()));
  ASSERT_FALSE(r.has_value());
  // RFC 6761: .invalid never resolves. Offline resolvers may time out instead.
  EXPECT_TRUE(r.error().kind == error_kind::connect || r.error().kind == error_kind::timeout)
      << r.error().message;
}

TEST_F(ClientTest, StalePooledConnectionIsRetriedOnceOnAFreshOne) {
  // Each connection answers its first request, then closes on the next without answering:
  // the pooled connection looks alive but dies on reuse.
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    if (auto req = co_await c.read_request()) co_await c.write(response(200, "{}"));
    if (auto req = co_await c.read_request()) c.close();
  });
  client c{client_options{}};
  const auto t = local(srv.port());
  auto r1 = run_until_done(io, c.send(t, post(), fast()));
  ASSERT_TRUE(r1.has_value()) << r1.error().message;
  auto r2 = run_until_done(io, c.send(t, post(), fast()));
  ASSERT_TRUE(r2.has_value()) << r2.error().message;
  EXPECT_FALSE(r2->reused_connection);
  EXPECT_EQ(srv.stats().accepted, 2);
  EXPECT_EQ(srv.stats().requests.size(), 3u);  // the stale attempt reached the socket only
}

// The liveness probe (a syscall) is skipped for connections idle under a second; both ways a
// connection the server closed while idle costs the caller nothing.
TEST_F(ClientTest, ServerClosedIdleConnectionIsProbedOnlyAfterASecond) {
  // Each connection answers one request, then half-closes (FIN) and records whatever the
  // client still writes to it.
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    if (auto req = co_await c.read_request()) co_await c.write(response(200, "{}"));
    boost::system::error_code ec;
    c.socket().shutdown(tcp::socket::shutdown_send, ec);
    co_await c.read_request();
  });
  client c{client_options{}};
  const auto t = local(srv.port());
  ASSERT_TRUE(run_until_done(io, c.send(t, post(), fast())).has_value());
  pump(io, 50ms);  // the FIN has arrived; the pooled connection is dead
  auto quick = run_until_done(io, c.send(t, post(), fast()));
  ASSERT_TRUE(quick.has_value()) << quick.error().message;
  EXPECT_FALSE(quick->reused_connection);
  // Not probed: the request went out on the dead connection first, then on a fresh one.
  EXPECT_EQ(srv.stats().accepted, 2);
  EXPECT_EQ(srv.stats().requests.size(), 3u);
  pump(io, detail::host_pool::probe_after_idle + 100ms);
  auto later = run_until_done(io, c.send(t, post(), fast()));
  ASSERT_TRUE(later.has_value()) << later.error().message;
  EXPECT_FALSE(later->reused_connection);
  // Probed: the dead connection was dropped before anything was written to it.
  EXPECT_EQ(srv.stats().accepted, 3);
  EXPECT_EQ(srv.stats().requests.size(), 4u);
}

TEST_F(ClientTest, FreshConnectionFailureIsNotRetried) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    if (co_await c.read_request()) c.close();
  });
  client c{client_options{}};
  auto r = run_until_done(io, c.send(local(srv.port()), post(), fast()));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, error_kind::truncated);
  EXPECT_EQ(srv.stats().accepted, 1);
}

TEST_F(ClientTest, CancelMidStreamViaOperatorOrClosesUpstreamAndFreesSlot) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    if (co_await c.read_request()) {
      co_await c.write(chunked_head() + chunk("data: first\n\n"));
      co_await c.wait_eof(5s);  // never sends more
    }
  });
  client_options o;
  o.max_inflight_per_host = 1;
  client c{o};
  const auto t = local(srv.port());
  auto lost = run_until_done(io, [&]() -> awaitable<bool> {
    using namespace boost::asio::experimental::awaitable_operators;
    auto s = co_await c.open(t, post("{}", true), fast());
    if (!s) co_return false;
    auto first = co_await (*s)->read();
    EXPECT_TRUE(first.has_value());
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 30ms);
    // The hedge/disconnect pattern: the timer wins, the pending read is cancelled.
    auto winner = co_await ((*s)->read() || timer.async_wait(boost::asio::use_awaitable));
    co_return winner.index() == 1;
  }());
  EXPECT_TRUE(lost);
  pump(io, 50ms);
  EXPECT_EQ(srv.stats().eof_seen, 1);
  EXPECT_EQ(c.stats(t).inflight, 0u);
  EXPECT_EQ(c.stats(t).idle, 0u);
}

TEST_F(ClientTest, CancelWhileWaitingForHeadViaSignal) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    if (co_await c.read_request()) co_await c.wait_eof(5s);
  });
  client c{client_options{}};
  const auto t = local(srv.port());
  boost::asio::cancellation_signal sig;
  std::optional<core::result<std::unique_ptr<response_stream>>> out;
  const auto req = post("{}", true);  // co_spawn: the caller keeps the request alive
  boost::asio::co_spawn(io, c.open(t, req, fast()),
                        boost::asio::bind_cancellation_slot(
                            sig.slot(), [&](std::exception_ptr, auto r) { out.emplace(std::move(r)); }));
  pump(io, 30ms);
  ASSERT_FALSE(out.has_value());
  EXPECT_EQ(c.stats(t).inflight, 1u);
  sig.emit(boost::asio::cancellation_type::terminal);
  pump(io, 50ms);
  ASSERT_TRUE(out.has_value());
  ASSERT_FALSE(out->has_value());
  EXPECT_TRUE(is_cancelled(out->error())) << out->error().message;
  EXPECT_EQ(srv.stats().eof_seen, 1);
  EXPECT_EQ(c.stats(t).inflight, 0u);
}

TEST_F(ClientTest, StreamCancelAndDestroyCloseConnection) {
  test_server srv(io, [](server_conn& c) -> awaitable<void> {
    if (co_await c.read_request()) {
      co_await c.write(chunked_head() + chunk("data: first\n\n"));
      co_await c.wait_eof(5s);
    }
  });
  client c{client_options{}};
  const auto t = local(srv.port());
  auto s = run_until_done(io, c.open(t, post("{}", true), fast()));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(c.stats(t).inflight, 1u);
  (*s)->cancel();
  EXPECT_EQ(c.stats(t).inflight, 0u);
  auto after = run_until_done(io, (*s)->read());
  ASSERT_FALSE(after.has_value());
  EXPECT_TRUE(is_cancelled(after.error()));
  pump(io, 50ms);
  EXPECT_EQ(srv.stats().eof_seen, 1);

  // Destroying an unfinished stream does the same.
  auto s2 = run_until_done(io, c.open(t, post("{}", true), fast()));
  ASSERT_TRUE(s2.has_value());
  s2->reset();
  pump(io, 50ms);
  EXPECT_EQ(srv.stats().eof_seen, 2);
  EXPECT_EQ(c.stats(t).inflight, 0u);
  EXPECT_EQ(c.stats(t).idle, 0u);
}

TEST_F(ClientTest, InvalidProxyIsReportedPerCall) {
  client_options o;
  o.http_proxy = "not a url";
  client c{o};
  auto r = run_until_done(io, c.send(local(1), post(), fast()));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, error_kind::connect);
}

}  // namespace
}  // namespace gi::upstream
