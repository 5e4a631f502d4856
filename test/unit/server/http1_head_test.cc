// core::http1's strict head scanner against Beast's parser, which it stands in front of.
// The contract: whatever the scanner accepts, Beast accepts too and reads the same way
// (method, target, version, fields, Content-Length, keep-alive, head size); everything
// else the scanner declines or waits for. Hand-picked cases first, then seeded generated
// heads with mutations, with counts that keep the generated test from passing vacuously.

#include "core/http1_head.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>

#include "server/request_parser.h"
#include "upstream/detail/response_parser.h"

namespace gi::core::http1 {
namespace {

namespace http = boost::beast::http;
constexpr std::size_t limit = 8192;

struct beast_reading {
  bool header_done = false;
  bool error = false;  // anything but need_more
  std::size_t used = 0;
  std::string method, target;
  int status = 0;
  int version = 0;
  header_list fields;
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
  bool keep_alive = false;
};

template <class Parser>
beast_reading run_beast(Parser& p, std::string_view in) {
  p.header_limit(static_cast<std::uint32_t>(limit));
  p.eager(false);
  boost::system::error_code ec;
  beast_reading r;
  r.used = p.put(boost::asio::buffer(in.data(), in.size()), ec);
  r.error = ec && ec != http::error::need_more;
  r.header_done = !ec && p.is_header_done();
  if (r.header_done) {
    if (auto cl = p.content_length()) r.content_length = *cl;
    r.chunked = p.chunked();
    r.keep_alive = p.keep_alive();
    r.fields = p.headers();
  }
  return r;
}

beast_reading beast_request(std::string_view in) {
  server::request_parser p;
  auto r = run_beast(p, in);
  if (r.header_done) {
    r.method = p.method();
    r.target = p.target();
    r.version = p.version();
  }
  return r;
}

beast_reading beast_response(std::string_view in) {
  upstream::detail::beast_response_parser p;
  auto r = run_beast(p, in);
  if (r.header_done) {
    r.status = p.status();
    r.version = p.version();
  }
  return r;
}

// The contract for one input; returns the scanner's answer.
scan_result check_request(const std::string& in) {
  head h;
  header_list fields{{"pre", "existing"}};
  const auto res = scan_request(in, limit, h, fields);
  const auto b = beast_request(in);
  if (res == scan_result::complete) {
    EXPECT_TRUE(b.header_done) << "scanner accepted what Beast did not: " << testing::PrintToString(in);
    if (!b.header_done) return res;
    EXPECT_EQ(h.method, b.method);
    EXPECT_EQ(h.target, b.target);
    EXPECT_EQ(h.version, b.version);
    EXPECT_EQ(h.size, b.used) << testing::PrintToString(in);
    EXPECT_EQ(fields.size(), b.fields.size() + 1);
    EXPECT_EQ(header_list(fields.begin() + 1, fields.end()), b.fields) << testing::PrintToString(in);
    EXPECT_EQ(h.has_content_length, b.content_length.has_value());
    if (b.content_length) {
      EXPECT_EQ(h.content_length, *b.content_length);
    }
    EXPECT_EQ(h.keep_alive, b.keep_alive) << testing::PrintToString(in);
  } else {
    // The caller's list is untouched when the scanner does not accept.
    EXPECT_EQ(fields, (header_list{{"pre", "existing"}}));
    if (res == scan_result::need_more) {
      EXPECT_FALSE(b.header_done) << "scanner waits for bytes Beast did not need: "
                                  << testing::PrintToString(in);
    }
  }
  return res;
}

scan_result check_response(const std::string& in) {
  head h;
  header_list fields;
  const auto res = scan_response(in, limit, h, fields);
  const auto b = beast_response(in);
  if (res == scan_result::complete) {
    EXPECT_TRUE(b.header_done) << "scanner accepted what Beast did not: " << testing::PrintToString(in);
    if (!b.header_done) return res;
    EXPECT_EQ(h.status, b.status);
    EXPECT_EQ(h.version, b.version);
    EXPECT_EQ(h.size, b.used);
    EXPECT_EQ(fields, b.fields) << testing::PrintToString(in);
    EXPECT_EQ(h.chunked, b.chunked) << testing::PrintToString(in);
    EXPECT_EQ(h.has_content_length, b.content_length.has_value());
    if (h.has_content_length) {
      EXPECT_EQ(h.content_length, b.content_length.value_or(~0ull));
    }
    EXPECT_EQ(h.keep_alive, b.keep_alive) << testing::PrintToString(in);
  } else if (res == scan_result::need_more) {
    EXPECT_FALSE(b.header_done) << testing::PrintToString(in);
  }
  return res;
}

const std::string typical_request =
    "POST /v1/chat/completions HTTP/1.1\r\n"
    "Host: 127.0.0.1:8080\r\n"
    "Authorization: Bearer sk-gammainfra-abc\r\n"
    "Content-Type: application/json\r\n"
    "X-Empty:\r\n"
    "X-Spaced: \t a b \t\r\n"
    "Content-Length: 2\r\n"
    "\r\n"
    "{}";

TEST(http1_head, typical_request_is_read_like_beast) {
  head h;
  header_list fields;
  ASSERT_EQ(scan_request(typical_request, limit, h, fields), scan_result::complete);
  EXPECT_EQ(h.method, "POST");
  EXPECT_EQ(h.target, "/v1/chat/completions");
  EXPECT_EQ(h.version, 11);
  EXPECT_EQ(h.size, typical_request.size() - 2);
  EXPECT_TRUE(h.has_content_length);
  EXPECT_EQ(h.content_length, 2u);
  EXPECT_TRUE(h.keep_alive);
  ASSERT_EQ(fields.size(), 6u);
  EXPECT_EQ(fields[3], (std::pair<std::string, std::string>("X-Empty", "")));
  EXPECT_EQ(fields[4], (std::pair<std::string, std::string>("X-Spaced", "a b")));
  EXPECT_EQ(check_request(typical_request), scan_result::complete);
}

TEST(http1_head, every_prefix_of_a_head_waits) {
  const std::size_t head_size = typical_request.size() - 2;
  for (std::size_t n = 0; n < head_size; ++n)
    EXPECT_EQ(check_request(typical_request.substr(0, n)), scan_result::need_more) << n;
  const std::string resp = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  for (std::size_t n = 0; n < resp.size(); ++n)
    EXPECT_EQ(check_response(resp.substr(0, n)), scan_result::need_more) << n;
  EXPECT_EQ(check_response(resp), scan_result::complete);
}

TEST(http1_head, keep_alive_follows_version_and_connection) {
  auto req = [](std::string version, std::string extra) {
    return "GET /healthz " + version + "\r\nHost: x\r\n" + extra + "\r\n";
  };
  struct tc {
    std::string version, extra;
    bool keep_alive;
  };
  for (const auto& c : std::vector<tc>{{"HTTP/1.1", "", true},
                                       {"HTTP/1.1", "Connection: close\r\n", false},
                                       {"HTTP/1.1", "connection: CLOSE\r\n", false},
                                       {"HTTP/1.1", "Connection: keep-alive\r\n", true},
                                       {"HTTP/1.0", "", false},
                                       {"HTTP/1.0", "Connection: Keep-Alive\r\n", true},
                                       {"HTTP/1.0", "Connection: close\r\n", false}}) {
    head h;
    header_list f;
    ASSERT_EQ(scan_request(req(c.version, c.extra), limit, h, f), scan_result::complete)
        << c.version << c.extra;
    EXPECT_EQ(h.keep_alive, c.keep_alive) << c.version << c.extra;
    EXPECT_EQ(check_request(req(c.version, c.extra)), scan_result::complete);
  }
}

TEST(http1_head, outside_the_subset_declines) {
  const std::string h = "Host: x\r\n";
  for (const std::string& in : std::vector<std::string>{
           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
           "POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n",
           "POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\n",
           "POST / HTTP/1.1\r\nContent-Length: +2\r\n\r\n",
           "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
           "GET / HTTP/1.1\r\nConnection: close, upgrade\r\n\r\n",
           "GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
           "GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n",
           "GET / HTTP/1.1\r\nX-Folded: a\r\n b\r\n\r\n",
           "GET / HTTP/1.1\r\nX-Obs: caf\xc3\xa9\r\n\r\n",
           "GET / HTTP/1.1\r\nX-Ctl: a\x01" "b\r\n\r\n",
           "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
           "GET / HTTP/1.1\r\n: empty-name\r\n\r\n",
           "GET / HTTP/1.1\r\nX-Bare: lf\n\r\n\r\n",
           "GET / HTTP/2.0\r\n" + h + "\r\n",
           "GET / http/1.1\r\n" + h + "\r\n",
           "GET  / HTTP/1.1\r\n" + h + "\r\n",
           "GET /caf\xc3\xa9 HTTP/1.1\r\n" + h + "\r\n",
           "\r\nGET / HTTP/1.1\r\n" + h + "\r\n",
           "GET / HTTP/1.1 \r\n" + h + "\r\n",
       }) {
    head out;
    header_list f;
    EXPECT_EQ(scan_request(in, limit, out, f), scan_result::decline) << testing::PrintToString(in);
    EXPECT_TRUE(f.empty());
    check_request(in);
  }
  for (const std::string& in : std::vector<std::string>{
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n",
           "HTTP/1.1 200 OK\r\n\r\n",  // close-delimited
           "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n",
           "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
           "HTTP/1.1 100 Continue\r\n\r\n",
           "HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n",
           "HTTP/1.1 200 caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n",
       }) {
    head out;
    header_list f;
    EXPECT_EQ(scan_response(in, limit, out, f), scan_result::decline) << testing::PrintToString(in);
    EXPECT_TRUE(f.empty());
    check_response(in);
  }
}

TEST(http1_head, a_head_at_the_limit_declines) {
  std::string in = "GET / HTTP/1.1\r\nX-Big: " + std::string(limit, 'a') + "\r\n\r\n";
  head h;
  header_list f;
  EXPECT_EQ(scan_request(in, limit, h, f), scan_result::decline);
  EXPECT_EQ(scan_request(in.substr(0, limit - 1), limit, h, f), scan_result::need_more);
  EXPECT_EQ(scan_request(in.substr(0, limit), limit, h, f), scan_result::decline);
  EXPECT_TRUE(beast_request(in).error);
}

TEST(http1_head, responses_read_like_beast) {
  const std::string in =
      "HTTP/1.1 429 Too Many Requests\r\nServer: nginx\r\nContent-Type: application/json\r\n"
      "Content-Length: 17\r\nConnection: keep-alive\r\nretry-after: 7\r\n\r\n{\"error\":\"slow\"}x";
  head h;
  header_list f;
  ASSERT_EQ(scan_response(in, limit, h, f), scan_result::complete);
  EXPECT_EQ(h.status, 429);
  EXPECT_EQ(h.content_length, 17u);
  EXPECT_TRUE(h.keep_alive);
  EXPECT_EQ(f.size(), 5u);
  EXPECT_EQ(check_response(in), scan_result::complete);
  EXPECT_EQ(check_response("HTTP/1.0 200 \r\nContent-Length: 0\r\n\r\n"), scan_result::complete);
}

// Heads built from valid and invalid pieces, then mutated byte-wise.
struct generator {
  std::mt19937_64 rng;
  explicit generator(std::uint64_t seed) : rng(seed) {}
  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }
  template <class T>
  const T& one(const std::vector<T>& v) { return v[pick(v.size())]; }

  // Half of the heads use only the valid pieces (the first ones of each list), so that a
  // good share is accepted and compared field by field.
  bool valid = false;
  template <class T>
  const T& piece(const std::vector<T>& v, std::size_t valid_count) {
    return v[pick(valid ? valid_count : v.size())];
  }

  std::string eol() { return valid || pick(10) != 0 ? "\r\n" : one<std::string>({"\n", "\r", "\r\r\n", " \r\n"}); }

  std::string fields() {
    static const std::vector<std::string> pool = {
        // valid (16)
        "Host: 127.0.0.1", "Content-Type: application/json", "Authorization: Bearer sk-x",
        "Content-Length: 2", "Content-Length: 02", "Content-Length:2", "Content-Length: 2 ",
        "Connection: close", "Connection: keep-alive", "Connection: Keep-Alive", "X-A:",
        "X-B: a\tb", "X-C:   spaced   ", "X-E: q\"uo\\te", "x-gammainfra-preference: cost",
        "!#$%&'*+-.^_`|~: ok",
        // outside the subset or invalid
        "Content-Length: 2, 2", "Content-Length: 3", "Content-Length: -1", "Content-Length:",
        "Transfer-Encoding: chunked", "Transfer-Encoding: gzip",
        "connection: close, keep-alive", "Connection: upgrade", "Upgrade: h2c",
        "Proxy-Connection: keep-alive", "X-D: \x80\x81", " folded", "\tfolded", "Bad Name: x",
        "X-F : x", "X-G;: x", "X-H: a\x7f", "Expect: 100-continue", "X-I: " + std::string(40, 'z')};
    std::string out;
    const std::size_t n = pick(7);
    for (std::size_t i = 0; i < n; ++i) out += piece(pool, 16) + eol();
    return out;
  }

  std::string request() {
    static const std::vector<std::string> methods = {"GET", "POST", "PUT", "OPTIONS", "BREW",
                                                     "", "GE T", "G\x01T", "post"};
    static const std::vector<std::string> targets = {"/", "/v1/chat/completions", "/x?y=1&z=%20",
                                                     "*", "http://h/p", "", "/a b", "/\x80"};
    static const std::vector<std::string> versions = {"HTTP/1.1", "HTTP/1.0", "HTTP/1.1",
                                                      "HTTP/2.0", "HTTP/1.2", "http/1.1", "HTTP/1.10", "HTTP/1"};
    valid = pick(2) == 0;
    return piece(methods, 5) + " " + piece(targets, 5) + " " + piece(versions, 3) + eol() +
           fields() + eol() + "{}";
  }

  std::string response() {
    static const std::vector<std::string> lines = {
        "HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.0 200 OK", "HTTP/1.1 404 Not Found",
        "HTTP/1.1 503 ", "HTTP/1.1 200", "HTTP/1.1 100 Continue", "HTTP/1.1 204 No Content",
        "HTTP/1.1 600 Odd", "HTTP/1.1 2x0 OK", "HTTP/2 200 OK", "HTTP/1.1 200 \x80"};
    valid = pick(2) == 0;
    std::string f = fields();
    if (valid && f.find("Content-Length") == std::string::npos && f.find("chunked") == std::string::npos)
      f += pick(2) ? "Content-Length: 2\r\n" : "Transfer-Encoding: Chunked\r\n";
    return piece(lines, 5) + eol() + f + eol() + "{}";
  }

  void mutate(std::string& s) {
    if (s.empty()) return;
    static const std::string bytes = std::string("\r\n \t:,;\"\\\x00\x7f\x80\xff", 14) + "aZ09-/";
    const std::size_t at = pick(s.size());
    switch (pick(3)) {
      case 0: s[at] = bytes[pick(bytes.size())]; break;
      case 1: s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), bytes[pick(bytes.size())]); break;
      default: s.erase(at, 1); break;
    }
  }
};

TEST(http1_head, generated_requests_never_disagree_with_beast) {
  generator g(20261126);
  int complete = 0, declined = 0, waiting = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string in = g.request();
    if (g.pick(3) == 0) g.mutate(in);
    switch (check_request(in)) {
      case scan_result::complete: ++complete; break;
      case scan_result::decline: ++declined; break;
      case scan_result::need_more: ++waiting; break;
    }
    if (testing::Test::HasFailure()) break;
  }
  EXPECT_GT(complete, 4000) << declined << " " << waiting;
  EXPECT_GT(declined, 4000);
  EXPECT_GT(waiting, 100);
}

TEST(http1_head, generated_responses_never_disagree_with_beast) {
  generator g(7);
  int complete = 0, declined = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string in = g.response();
    if (g.pick(3) == 0) g.mutate(in);
    const auto r = check_response(in);
    complete += r == scan_result::complete;
    declined += r == scan_result::decline;
    if (testing::Test::HasFailure()) break;
  }
  EXPECT_GT(complete, 2000) << declined;
  EXPECT_GT(declined, 4000);
}

}  // namespace
}  // namespace gi::core::http1
