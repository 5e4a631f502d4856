// The gateway's HTTP surface against a real server on port 0: routes, errors in OpenAI
// shape, keep-alive, pipelining, metrics, models.
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/error.h"
#include "server/gateway_server.h"
#include "server/headers.h"
#include "support/http_client.h"
#include "support/test_server.h"
#include "support/test_support.h"

namespace gi::test {
namespace {

namespace json = boost::json;

json::object error_of(const http_response& r) {
  auto v = json::parse(r.body);
  return v.as_object().at("error").as_object();
}

TEST(server_http, healthz_ok_with_request_id) {
  running_server s(test_config());
  auto r = simple_request(s.port(), "GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(json_equal(R"({"status":"ok"})", r->body));
  EXPECT_EQ(r->header("x-gammainfra-request-id").rfind("gi-", 0), 0u);
  EXPECT_EQ(r->header("content-type"), "application/json");
}

TEST(server_http, readyz_reports_components) {
  running_server s(test_config());
  auto r = simple_request(s.port(), "GET", "/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(json_equal(R"({"status":"ready","components":{"config":"ok"}})", r->body));
  s.server().readiness().add("store", [] { return std::string("unreachable"); });
  r = simple_request(s.port(), "GET", "/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_TRUE(json_equal(
      R"({"status":"not_ready","components":{"config":"ok","store":"unreachable"}})", r->body));
}

// The deep checks may block (bounded store I/O); they run on the registry's own thread, so
// the server's only I/O thread answers other requests meanwhile.
TEST(server_http, deep_readyz_does_not_block_the_io_thread) {
  auto cfg = test_config();
  cfg->server.threads = 1;
  std::atomic<bool> release{false}, deep_entered{false};
  auto deep = std::make_shared<server::readiness_registry>();
  deep->add("slow", [&] {
    deep_entered = true;
    // Held until the test releases it (with a deadline, so a broken test cannot hang).
    for (int i = 0; i < 1000 && !release; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return std::string();
  });
  server::server_options o;
  o.config = cfg;
  o.deep_readiness = deep;
  server::gateway_server srv(std::move(o));
  auto port = srv.start();
  ASSERT_TRUE(port);
  std::atomic<bool> deep_done{false};
  std::optional<http_response> deep_r;
  std::thread t([&] {
    deep_r = simple_request(*port, "GET", "/readyz?deep=1");
    deep_done = true;
  });
  for (int i = 0; i < 500 && !deep_entered; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(deep_entered);
  auto health = simple_request(*port, "GET", "/healthz");
  const bool deep_done_before = deep_done.load();
  release = true;
  t.join();
  srv.stop();
  srv.wait();
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_FALSE(deep_done_before);
  ASSERT_TRUE(deep_r);
  EXPECT_EQ(deep_r->status, 200);
  EXPECT_TRUE(json_equal(R"({"status":"ready","components":{"config":"ok","slow":"ok"}})", deep_r->body))
      << deep_r->body;
}

TEST(server_http, keep_alive_reuses_the_connection) {
  running_server s(test_config());
  raw_connection c(s.port());
  ASSERT_TRUE(c.send(make_request("GET", "/healthz")));
  auto a = c.read_response();
  ASSERT_TRUE(a);
  ASSERT_TRUE(c.send(make_request("GET", "/healthz")));
  auto b = c.read_response();
  ASSERT_TRUE(b);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(b->status, 200);
  EXPECT_NE(a->header("x-gammainfra-request-id"), b->header("x-gammainfra-request-id"));
  EXPECT_NE(b->header("connection"), "close");
}

TEST(server_http, pipelined_requests_are_answered_in_order) {
  running_server s(test_config());
  raw_connection c(s.port());
  ASSERT_TRUE(c.send(make_request("GET", "/v1/models", "", auth_header()) +
                     make_request("GET", "/healthz") + make_request("GET", "/nope")));
  auto a = c.read_response();
  auto b = c.read_response();
  auto d = c.read_response();
  ASSERT_TRUE(a && b && d);
  EXPECT_EQ(a->status, 200);
  EXPECT_NE(a->body.find("\"object\":\"list\""), std::string::npos);
  EXPECT_EQ(b->status, 200);
  EXPECT_TRUE(json_equal(R"({"status":"ok"})", b->body));
  EXPECT_EQ(d->status, 404);
}

TEST(server_http, unknown_route_is_json_404) {
  running_server s(test_config());
  auto r = simple_request(s.port(), "GET", "/v2/whatever");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  auto e = error_of(*r);
  EXPECT_EQ(std::string(e.at("type").as_string()),
            std::string(core::traits(core::error_kind::not_found).type));
  EXPECT_NE(std::string(e.at("message").as_string()).find("/v2/whatever"), std::string::npos);
  EXPECT_FALSE(r->header("x-gammainfra-request-id").empty());
}

TEST(server_http, wrong_method_is_405_with_allow) {
  running_server s(test_config());
  auto r = simple_request(s.port(), "POST", "/healthz", "{}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("allow"), "GET");
  EXPECT_TRUE(error_of(*r).contains("message"));
  r = simple_request(s.port(), "GET", "/v1/chat/completions", "", auth_header());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("allow"), "POST");
}

TEST(server_http, v1_requires_a_valid_key) {
  running_server s(test_config());
  auto ct = std::string("Content-Type: application/json\r\n");
  for (auto hdr : {std::string(), std::string("Authorization: Bearer sk-gammainfra-wrong\r\n"),
                   std::string("Authorization: Basic abc\r\n")}) {
    auto r = simple_request(s.port(), "POST", "/v1/chat/completions", chat_body(), ct + hdr);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << hdr;
    auto e = error_of(*r);
    EXPECT_TRUE(e.contains("type") && e.contains("message") && e.contains("param") &&
                e.contains("code"))
        << r->body;
  }
  auto m = simple_request(s.port(), "GET", "/v1/models");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 401);
}

TEST(server_http, wrong_content_type_is_415) {
  running_server s(test_config());
  auto r = simple_request(s.port(), "POST", "/v1/chat/completions", chat_body(),
                          auth_header() + "Content-Type: text/plain\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_EQ(error_of(*r).at("param"), "Content-Type");
  // A charset parameter is fine: the request gets past the content-type check.
  r = simple_request(s.port(), "POST", "/v1/chat/completions", chat_body(),
                     auth_header() + "Content-Type: application/json; charset=utf-8\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);  // the default handler: unknown model
}

TEST(server_http, malformed_json_is_400_naming_the_problem) {
  running_server s(test_config());
  auto hdrs = auth_header() + "Content-Type: application/json\r\n";
  auto r = simple_request(s.port(), "POST", "/v1/chat/completions", "{\"model\": ", hdrs);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(error_of(*r).at("type"), "invalid_request_error");
  EXPECT_FALSE(error_of(*r).at("message").as_string().empty());
  r = simple_request(s.port(), "POST", "/v1/chat/completions",
                     R"({"model":"m","messages":[{"role":"user"}]})", hdrs);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  auto param = error_of(*r).at("param");
  ASSERT_TRUE(param.is_string()) << r->body;
  EXPECT_NE(std::string(param.as_string()).find("messages[0]"), std::string::npos) << r->body;
}

TEST(server_http, bad_gateway_header_is_400_naming_it) {
  running_server s(test_config());
  auto r = simple_request(s.port(), "POST", "/v1/chat/completions", chat_body(),
                          auth_header() + "Content-Type: application/json\r\n" +
                              "X-GammaInfra-Max-Latency-Ms: soon\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(std::string(error_of(*r).at("param").as_string()),
            std::string(server::headers::max_latency_ms));
  EXPECT_NE(std::string(error_of(*r).at("message").as_string())
                .find(std::string(server::headers::max_latency_ms)),
            std::string::npos);
}

TEST(server_http, default_handler_names_the_unknown_model) {
  running_server s(test_config());
  auto r = simple_request(s.port(), "POST", "/v1/chat/completions", chat_body("no-such-model"),
                          auth_header() + "Content-Type: application/json\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  auto e = error_of(*r);
  EXPECT_EQ(e.at("code"), "model_not_found");
  EXPECT_NE(std::string(e.at("message").as_string()).find("no-such-model"), std::string::npos);
}

class deadline_echo final : public server::chat_handler {
 public:
  boost::asio::awaitable<void> handle(server::chat_call& call) override {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    call.ctx.remaining(std::chrono::steady_clock::now()))
                    .count();
    std::string body = R"({"model":")" + call.request.model + R"(","remaining_ms":)" +
                       std::to_string(left) + R"(,"key":")" + call.ctx.key_id +
                       R"(","traceparent":")" + call.ctx.traceparent + R"(","xrid":")" +
                       call.ctx.client_request_id + R"("})";
    core::header_list h{{"Content-Type", "application/json"}};
    co_await call.writer.send(200, std::move(h), std::move(body));
  }
};

TEST(server_http, handler_gets_decoded_request_deadline_and_trace_ids) {
  running_server s(test_config(), std::make_shared<deadline_echo>());
  auto r = simple_request(
      s.port(), "POST", "/v1/chat/completions", chat_body("haiku"),
      auth_header() + "Content-Type: application/json\r\nX-GammaInfra-Max-Latency-Ms: 5000\r\n" +
          "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n" +
          "X-Request-Id: client-42\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto o = json::parse(r->body).as_object();
  EXPECT_EQ(o.at("model"), "haiku");
  EXPECT_EQ(o.at("key"), "test-key");
  EXPECT_EQ(o.at("traceparent"), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_EQ(o.at("xrid"), "client-42");
  auto left = o.at("remaining_ms").to_number<std::int64_t>();
  EXPECT_GT(left, 0);
  EXPECT_LE(left, 5000);
}

TEST(server_http, metrics_count_requests) {
  running_server s(test_config());
  ASSERT_TRUE(simple_request(s.port(), "GET", "/healthz"));
  ASSERT_TRUE(simple_request(s.port(), "GET", "/nope"));
  // A request is counted after its response is written, so the client can be faster than the
  // counter: scrape until both earlier requests show (bounded wait), then check everything.
  auto r = simple_request(s.port(), "GET", "/metrics");
  auto counted = [&] {
    return r->body.find(R"(route="other",status="404"} 1)") != std::string::npos &&
           r->body.find(R"(route="/healthz",status="200"} 1)") != std::string::npos;
  };
  for (int i = 0; i < 200 && r && !counted(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    r = simple_request(s.port(), "GET", "/metrics");
  }
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type").rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_NE(r->body.find(R"(gammainfra_http_requests_total{route="/healthz",status="200"} 1)"),
            std::string::npos)
      << r->body;
  EXPECT_NE(r->body.find(R"(gammainfra_http_requests_total{route="other",status="404"} 1)"),
            std::string::npos);
  EXPECT_NE(r->body.find(R"(gammainfra_http_request_duration_seconds_count{route="/healthz"} 1)"),
            std::string::npos);
  // Open connections: at least this one (the earlier ones close asynchronously).
  EXPECT_EQ(r->body.find("gammainfra_http_open_connections 0\n"), std::string::npos);
  EXPECT_NE(r->body.find("gammainfra_http_open_connections "), std::string::npos);
  EXPECT_NE(r->body.find("gammainfra_http_requests_in_flight 1\n"), std::string::npos);
}

TEST(server_http, models_lists_auto_tasks_endpoints_and_aliases) {
  running_server s(test_config());
  auto r = simple_request(s.port(), "GET", "/v1/models", "", auth_header());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto o = json::parse(r->body).as_object();
  EXPECT_EQ(o.at("object"), "list");
  std::vector<std::string> ids;
  for (const auto& m : o.at("data").as_array()) {
    const auto& mo = m.as_object();
    EXPECT_EQ(mo.at("object"), "model");
    EXPECT_TRUE(mo.at("created").is_int64());
    EXPECT_TRUE(mo.at("owned_by").is_string());
    ids.emplace_back(mo.at("id").as_string());
  }
  std::vector<std::string> expected = {"auto",
                                       "auto:reasoning",
                                       "auto:code",
                                       "auto:creative",
                                       "auto:rewrite",
                                       "auto:chat",
                                       "auto:extraction",
                                       "auto:summarize",
                                       "auto:translation",
                                       "openai/gpt-4o-mini",
                                       "gpt-4o-mini",
                                       "anthropic/claude-haiku-4-5",
                                       "claude-haiku-4-5",
                                       "haiku"};
  EXPECT_EQ(ids, expected);
}

}  // namespace
}  // namespace gi::test
