// Graceful shutdown (the SIGTERM path of `serve` calls gateway_server::stop()).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "support/http_client.h"
#include "support/test_server.h"

namespace gi::test {
namespace {

using namespace std::chrono_literals;

// Answers after `delay`, counting handlers that started and finished.
class slow_handler final : public server::chat_handler {
 public:
  explicit slow_handler(std::chrono::milliseconds delay) : delay_(delay) {}
  boost::asio::awaitable<void> handle(server::chat_call& call) override {
    started.fetch_add(1);
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, delay_);
    co_await t.async_wait(boost::asio::use_awaitable);
    core::header_list h{{"Content-Type", "application/json"}};
    std::string body(R"({"done":true})");
    co_await call.writer.send(200, std::move(h), std::move(body));
    finished.fetch_add(1);
  }
  std::atomic<int> started{0};
  std::atomic<int> finished{0};

 private:
  std::chrono::milliseconds delay_;
};

bool wait_for(const std::function<bool()>& cond, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return cond();
}

TEST(server_shutdown, drain_lets_in_flight_request_finish_and_refuses_new_connections) {
  auto cfg = test_config();
  cfg->server.shutdown_grace = 10s;
  auto handler = std::make_shared<slow_handler>(600ms);
  server::server_options o;
  o.config = cfg;
  o.handler = handler;
  server::gateway_server srv(o);
  auto port = srv.start();
  ASSERT_TRUE(port);

  raw_connection idle(*port);  // an idle keep-alive connection: closed at once on drain
  ASSERT_TRUE(idle.send(make_request("GET", "/healthz")));
  ASSERT_TRUE(idle.read_response());

  raw_connection busy(*port);
  ASSERT_TRUE(busy.send(make_request("POST", "/v1/chat/completions", chat_body(),
                                     auth_header() + "Content-Type: application/json\r\n")));
  ASSERT_TRUE(wait_for([&] { return handler->started.load() == 1; }, 5s));

  srv.stop();
  EXPECT_TRUE(wait_for([&] { return !can_connect(*port); }, 2s)) << "listener still open";
  EXPECT_TRUE(idle.wait_closed(2s));
  EXPECT_EQ(handler->finished.load(), 0);  // still in flight while the listener is closed

  auto r = busy.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"done":true})");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(busy.wait_closed(2s));
  srv.wait();
  EXPECT_EQ(handler->finished.load(), 1);
}

TEST(server_shutdown, grace_period_expiry_cancels_stuck_requests) {
  auto cfg = test_config();
  cfg->server.shutdown_grace = 200ms;
  auto handler = std::make_shared<slow_handler>(60s);
  server::server_options o;
  o.config = cfg;
  o.handler = handler;
  server::gateway_server srv(o);
  auto port = srv.start();
  ASSERT_TRUE(port);
  raw_connection busy(*port);
  ASSERT_TRUE(busy.send(make_request("POST", "/v1/chat/completions", chat_body(),
                                     auth_header() + "Content-Type: application/json\r\n")));
  ASSERT_TRUE(wait_for([&] { return handler->started.load() == 1; }, 5s));
  auto t0 = std::chrono::steady_clock::now();
  srv.stop();
  srv.wait();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_TRUE(busy.wait_closed(2s));
  EXPECT_EQ(handler->finished.load(), 0);
}

TEST(server_shutdown, stop_is_idempotent_and_destructor_stops) {
  auto s = std::make_unique<running_server>(test_config());
  s->server().stop();
  s->server().stop();
  s.reset();  // destructor: stop + wait again
  SUCCEED();
}

}  // namespace
}  // namespace gi::test
