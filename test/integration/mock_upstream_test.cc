// The mock upstream over real HTTP on a port-0 listener: each dialect's wire shapes, the stream
// grammar, keep-alive and every scripted fault as a client sees it on the socket.
#include <chrono>
#include <map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "mock/mock_server.h"

namespace gi::mock {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;

struct http_result {
  beast::error_code ec;  // of reading the response (connect/write errors too)
  bool got_header = false;
  int status = 0;
  mutable std::map<std::string, std::string> headers;  // lower-case names; operator[] in tests
  std::string body;  // de-chunked; what arrived even on error
};

std::string post(std::string_view path, std::string_view body, std::string_view extra = "Authorization: Bearer sk-test\r\n") {
  std::string r = "POST " + std::string(path) + " HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\n";
  r += extra;
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  r += body;
  return r;
}

// Sends the requests one after another on one connection.
std::vector<http_result> exchange(std::uint16_t port, std::vector<std::string> requests,
                                  std::chrono::milliseconds timeout = 10s) {
  std::vector<http_result> out;
  net::io_context ioc;
  net::co_spawn(
      ioc,
      [&]() -> net::awaitable<void> {
        beast::tcp_stream s(ioc);
        s.expires_after(timeout);
        auto [cec] = co_await s.async_connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                                              net::as_tuple(net::use_awaitable));
        beast::flat_buffer buf;
        for (auto& req : requests) {
          http_result r;
          if (cec) {
            r.ec = cec;
            out.push_back(r);
            co_return;
          }
          auto [wec, wn] = co_await net::async_write(s, net::buffer(req), net::as_tuple(net::use_awaitable));
          http::response_parser<http::string_body> p;
          p.body_limit(boost::none);
          auto [hec, hn] = co_await http::async_read_header(s, buf, p, net::as_tuple(net::use_awaitable));
          r.ec = wec ? wec : hec;
          if (!r.ec) {
            r.got_header = true;
            auto [rec, rn] = co_await http::async_read(s, buf, p, net::as_tuple(net::use_awaitable));
            r.ec = rec;
            r.status = static_cast<int>(p.get().result_int());
            for (const auto& f : p.get()) {
              std::string k(f.name_string());
              for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
              r.headers[k] = std::string(f.value());
            }
            r.body = p.get().body();
          }
          const bool stop = static_cast<bool>(r.ec);
          out.push_back(std::move(r));
          if (stop) co_return;
        }
      },
      net::detached);
  ioc.run();
  return out;
}

http_result one(std::uint16_t port, const std::string& req, std::chrono::milliseconds timeout = 10s) {
  auto r = exchange(port, {req}, timeout);
  return r.empty() ? http_result{} : r.front();
}

std::string chat(std::string_view model, bool stream, bool usage = false, std::string_view extra = "") {
  std::string b = R"({"model":")" + std::string(model) + R"(","messages":[{"role":"user","content":"Say hello to the mock"}])";
  if (stream) b += R"(,"stream":true)";
  if (usage) b += R"(,"stream_options":{"include_usage":true})";
  b += extra;
  b += "}";
  return b;
}

// SSE events of a body: data payloads (JSON or [DONE]) and comment lines, in order.
struct sse_event {
  bool comment = false;
  std::string data;
};
std::vector<sse_event> parse_sse(std::string_view body) {
  std::vector<sse_event> out;
  while (!body.empty()) {
    const auto end = body.find("\n\n");
    const std::string_view ev = body.substr(0, end);
    if (ev.starts_with(":")) out.push_back({true, std::string(ev)});
    else if (ev.starts_with("data: ")) out.push_back({false, std::string(ev.substr(6))});
    if (end == std::string_view::npos) break;
    body.remove_prefix(end + 2);
  }
  return out;
}

class mock_http : public ::testing::Test {
 protected:
  void SetUp() override {
    server_options o;
    o.created = 1700000000;
    auto p = server_.start(o);
    ASSERT_TRUE(p) << p.error().message;
    port_ = *p;
    ASSERT_NE(port_, 0);
  }
  mock_server server_;
  std::uint16_t port_ = 0;
};

const std::pair<const char*, const char*> paths[] = {
    {"openai", "/v1/chat/completions"},
    {"groq", "/groq/openai/v1/chat/completions"},
    {"mistral", "/mistral/v1/chat/completions"},
    {"deepseek", "/deepseek/v1/chat/completions"},
    {"xai", "/xai/v1/chat/completions"},
};

TEST_F(mock_http, non_stream_every_dialect) {
  for (const auto& [name, path] : paths) {
    SCOPED_TRACE(name);
    const auto r = one(port_, post(path, chat("any-model", false)));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["content-type"], "application/json");
    const auto b = json::parse(r.body);
    EXPECT_EQ(b.at("choices").at(0).at("message").at("content"), "Mock answer to: Say hello to the mock");
    EXPECT_EQ(b.at("model"), "any-model");
    EXPECT_EQ(b.at("created"), 1700000000);
    EXPECT_TRUE(b.at("usage").at("total_tokens").is_int64());
  }
}

TEST_F(mock_http, stream_every_dialect_role_first_done_last) {
  for (const auto& [name, path] : paths) {
    for (bool usage : {false, true}) {
      SCOPED_TRACE(std::string(name) + (usage ? " usage" : ""));
      const auto r = one(port_, post(path, chat("any-model", true, usage)));
      ASSERT_FALSE(r.ec) << r.ec.message();
      EXPECT_EQ(r.status, 200);
      EXPECT_EQ(r.headers["transfer-encoding"], "chunked");
      EXPECT_EQ(r.headers["content-type"].rfind("text/event-stream", 0), 0u);
      const auto ev = parse_sse(r.body);
      std::size_t i = 0;
      while (i < ev.size() && ev[i].comment) ++i;
      if (std::string_view(name) == "deepseek") EXPECT_EQ(i, 1u);  // ": keep-alive"
      else EXPECT_EQ(i, 0u);
      ASSERT_LT(i + 2, ev.size());
      const auto role = json::parse(ev[i].data);
      EXPECT_EQ(role.at("choices").at(0).at("delta").at("role"), "assistant");
      EXPECT_EQ(ev.back().data, "[DONE]");
      std::string text;
      bool usage_seen = false;
      bool finish_seen = false;
      for (std::size_t k = i; k + 1 < ev.size(); ++k) {
        const auto c = json::parse(ev[k].data).as_object();
        if (const auto* u = c.if_contains("usage"); u && u->is_object()) usage_seen = true;
        if (const auto* x = c.if_contains("x_groq"); x && x->as_object().contains("usage")) usage_seen = true;
        const auto& choices = c.at("choices").as_array();
        if (choices.empty()) continue;
        const auto& d = choices[0].at("delta").as_object();
        if (const auto* s = d.if_contains("content"); s && s->is_string()) text += s->as_string();
        if (!choices[0].at("finish_reason").is_null()) finish_seen = true;
      }
      EXPECT_EQ(text, "Mock answer to: Say hello to the mock");
      EXPECT_TRUE(finish_seen);
      // Usage without asking only where the provider always sends it (Groq, Mistral).
      const bool always = std::string_view(name) == "groq" || std::string_view(name) == "mistral";
      EXPECT_EQ(usage_seen, usage || always);
    }
  }
}

TEST_F(mock_http, tool_calls_over_http_with_dialect_ids) {
  const std::string tools =
      R"(,"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{"q":{"type":"string"},"n":{"type":"integer","minimum":1}},"required":["q","n"]}}}],"tool_choice":"required")";
  for (const auto& [name, path] : paths) {
    SCOPED_TRACE(name);
    const auto r = one(port_, post(path, chat("m", false, false, tools)));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto b = json::parse(r.body);
    const auto& call = b.at("choices").at(0).at("message").at("tool_calls").at(0);
    const std::string id(call.at("id").as_string());
    if (std::string_view(name) == "mistral") EXPECT_EQ(id.size(), 9u);
    else EXPECT_TRUE(id.starts_with("call_")) << id;
    const auto args = json::parse(call.at("function").at("arguments").as_string());
    EXPECT_EQ(args.at("q"), "mock-q");
    EXPECT_EQ(args.at("n"), 1);
  }
}

TEST_F(mock_http, keep_alive_serves_several_requests_on_one_connection) {
  const auto rs = exchange(port_, {post("/v1/chat/completions", chat("a", false)),
                                   post("/v1/chat/completions", chat("b", true)),
                                   post("/mistral/v1/chat/completions", chat("c", false))});
  ASSERT_EQ(rs.size(), 3u);
  for (const auto& r : rs) {
    EXPECT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.status, 200);
  }
}

TEST_F(mock_http, split_writes_give_the_same_stream) {
  const auto whole = one(port_, post("/v1/chat/completions", chat("m", true, true)));
  const auto split = one(port_, post("/v1/chat/completions", chat("m@split=3,chunk_ms=1", true, true)));
  ASSERT_FALSE(split.ec) << split.ec.message();
  // Ids derive from the request bytes, which differ by the fault suffix: blank them.
  auto blank_ids = [](std::string b) {
    const auto id = json::parse(parse_sse(b).front().data).at("id").as_string();
    for (std::size_t pos; (pos = b.find(id.c_str())) != std::string::npos;) b.replace(pos, id.size(), "ID");
    return b;
  };
  EXPECT_EQ(blank_ids(whole.body), blank_ids(split.body));
}

TEST_F(mock_http, unknown_path_missing_key_and_healthz) {
  EXPECT_EQ(one(port_, post("/v2/nothing", "{}")).status, 404);
  const auto noauth = one(port_, post("/v1/chat/completions", chat("m", false), ""));
  EXPECT_EQ(noauth.status, 401);
  EXPECT_TRUE(json::parse(noauth.body).at("error").is_object());
  const auto h = one(port_, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok\n");
}

TEST_F(mock_http, status_faults_by_model_and_header) {
  const auto r = one(port_, post("/v1/chat/completions", chat("mock-fault-429", true)));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers["retry-after"], "1");
  EXPECT_EQ(json::parse(r.body).at("error").at("code"), "rate_limit_exceeded");
  const auto h = one(port_, post("/groq/openai/v1/chat/completions", chat("m", false),
                                 "Authorization: Bearer k\r\nX-Mock-Fault: fault=503,retry_after=9\r\n"));
  EXPECT_EQ(h.status, 503);
  EXPECT_EQ(h.headers["retry-after"], "9");
  EXPECT_EQ(one(port_, post("/v1/chat/completions", chat("m@fault=500,latency_ms=20", false))).status, 500);
  EXPECT_EQ(one(port_, post("/deepseek/v1/chat/completions", chat("mock-fault-quota", false))).status, 402);
  EXPECT_EQ(one(port_, post("/v1/chat/completions", chat("mock-fault-context_length", false))).status, 400);
}

TEST_F(mock_http, reset_before_response) {
  const auto r = one(port_, post("/v1/chat/completions", chat("mock-fault-reset", false)));
  EXPECT_FALSE(r.got_header);
  EXPECT_TRUE(r.ec == net::error::connection_reset || r.ec == net::error::eof ||
              r.ec == http::error::end_of_stream) << r.ec.message();
}

TEST_F(mock_http, close_mid_stream_has_no_done) {
  const auto r = one(port_, post("/v1/chat/completions", chat("m@close,after=3", true)));
  EXPECT_TRUE(r.got_header);
  EXPECT_TRUE(r.ec) << "the chunked body must end abruptly";
  const auto ev = parse_sse(r.body);
  EXPECT_EQ(ev.size(), 3u);
  for (const auto& e : ev) EXPECT_NE(e.data, "[DONE]");
}

TEST_F(mock_http, stream_error_event_then_clean_end) {
  const auto r = one(port_, post("/v1/chat/completions", chat("m@stream_error,after=2", true)));
  EXPECT_FALSE(r.ec) << r.ec.message();
  const auto ev = parse_sse(r.body);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_TRUE(json::parse(ev.back().data).at("error").is_object());
}

TEST_F(mock_http, hang_is_bounded_by_the_mock) {
  const auto r = one(port_, post("/v1/chat/completions", chat("m@hang,hang_ms=150", false)), 10s);
  EXPECT_FALSE(r.got_header);
  EXPECT_TRUE(r.ec);
  EXPECT_NE(r.ec, beast::error::timeout) << "the mock, not the client, must give up";
}

TEST_F(mock_http, client_giving_up_on_hang_frees_it) {
  const auto r = one(port_, post("/v1/chat/completions", chat("mock-fault-hang", false)), 200ms);
  EXPECT_EQ(r.ec, beast::error::timeout);
  EXPECT_EQ(one(port_, post("/v1/chat/completions", chat("m", false))).status, 200);  // still serving
}

TEST_F(mock_http, truncated_body_is_short_of_content_length) {
  const auto r = one(port_, post("/v1/chat/completions", chat("mock-fault-truncated", false)));
  EXPECT_TRUE(r.got_header);
  EXPECT_EQ(r.ec, http::error::partial_message) << r.ec.message();
  const auto t = one(port_, post("/v1/chat/completions", chat("mock-fault-truncated", true)));
  EXPECT_TRUE(t.ec);
}

TEST_F(mock_http, invalid_json_and_wrong_content_type) {
  const auto j = one(port_, post("/v1/chat/completions", chat("mock-fault-invalid_json", false)));
  EXPECT_EQ(j.status, 200);
  boost::system::error_code ec;
  json::parse(j.body, ec);
  EXPECT_TRUE(ec);
  const auto h = one(port_, post("/v1/chat/completions", chat("mock-fault-wrong_content_type", true)));
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.headers["content-type"].rfind("text/html", 0), 0u);
}

TEST_F(mock_http, endless_stream_is_capped) {
  const auto r = one(port_, post("/v1/chat/completions", chat("m@endless,chunk_ms=2,cap_ms=150", true)));
  EXPECT_TRUE(r.got_header);
  EXPECT_TRUE(r.ec);  // closed without the terminating chunk
  const auto ev = parse_sse(r.body);
  EXPECT_GT(ev.size(), 3u);
  for (const auto& e : ev) EXPECT_NE(e.data, "[DONE]");
}

TEST_F(mock_http, oversized_response) {
  const auto r = one(port_, post("/v1/chat/completions", chat("m@oversized,size=3000000", false)));
  ASSERT_FALSE(r.ec) << r.ec.message();
  EXPECT_GT(r.body.size(), 3000000u);
  EXPECT_TRUE(json::parse(r.body).is_object());
}

TEST_F(mock_http, deepseek_keepalive_comments_during_ttft) {
  const auto r = one(port_, post("/deepseek/v1/chat/completions", chat("deepseek-chat@ttft_ms=700", true)));
  ASSERT_FALSE(r.ec);
  std::size_t comments = 0;
  for (const auto& e : parse_sse(r.body)) comments += e.comment ? 1 : 0;
  EXPECT_EQ(comments, 2u);  // the initial one + one while "queued"
}

TEST_F(mock_http, bench_names_serve_the_reference_fixtures) {
  const auto c = one(port_, post("/v1/chat/completions", chat("mock-chat", false), ""));
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(c.body.size(), 880u);
  EXPECT_EQ(c.headers["x-request-id"], "req_bench0001");
  for (const char* m : {"mock-stream", "mock-paced"}) {
    const auto s = one(port_, post("/v1/chat/completions", chat(m, true, true)));
    EXPECT_EQ(s.status, 200);
    const auto ev = parse_sse(s.body);
    ASSERT_EQ(ev.size(), 21u) << m;
    EXPECT_EQ(ev.back().data, "[DONE]");
    EXPECT_NE(s.body.find("jittered"), std::string::npos);
  }
}

}  // namespace
}  // namespace gi::mock
