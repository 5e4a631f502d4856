// core::http1::chunked_decoder: payloads survive any split of input and output, malformed
// framing fails, and on generated (and mutated) bodies it never reads a body differently
// from Beast's chunked parser.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include <boost/asio/buffer.hpp>

#include "core/http1_head.h"
#include "upstream/detail/response_parser.h"

namespace gi::core::http1 {
namespace {

struct decoded {
  std::string out;
  bool done = false;
  bool failed = false;
  std::size_t used = 0;
};

// Feeds `in` in pieces of at most `in_step` bytes into an output of at most `room` bytes
// per call (0 = all at once).
decoded run(std::string_view in, std::size_t in_step, std::size_t room) {
  chunked_decoder d;
  decoded r;
  std::string buf(room ? room : in.size() + 1, '\0');
  std::size_t at = 0;
  for (int guard = 0; guard < 1'000'000 && !d.done() && !d.failed(); ++guard) {
    const std::size_t n = std::min(in.size() - at, in_step ? in_step : in.size());
    const auto s = d.decode(in.substr(at, n), buf.data(), buf.size());
    r.out.append(buf.data(), s.produced);
    at += s.used;
    if (s.used == 0 && s.produced == 0) break;  // input exhausted
  }
  r.done = d.done();
  r.failed = d.failed();
  r.used = at;
  return r;
}

decoded run_beast(std::string_view body) {
  upstream::detail::beast_response_parser p;
  p.eager(true);
  std::string out(body.size() + 1, '\0');
  p.set_buffer(out.data(), out.size());
  const std::string in = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(body);
  boost::system::error_code ec;
  std::size_t at = 0;
  decoded r;
  while (at < in.size() && !p.is_done()) {
    const std::size_t used = p.put(boost::asio::buffer(in.data() + at, in.size() - at), ec);
    at += used;
    if (ec || used == 0) break;
  }
  r.failed = ec && ec != boost::beast::http::error::need_more;
  r.done = !ec && p.is_done();
  r.out.assign(out.data(), out.size() + 1 - p.remaining() - 1);
  return r;
}

std::string encode(std::mt19937_64& rng, const std::string& payload, bool extras) {
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  std::string out;
  std::size_t at = 0;
  while (at < payload.size()) {
    const std::size_t n = std::min(payload.size() - at, 1 + pick(300));
    char size[32];
    std::snprintf(size, sizeof size, pick(2) ? "%zx" : "%zX", n);
    out += (pick(4) == 0 ? "00" : "") + std::string(size);
    if (extras && pick(4) == 0) out += ";name=value";
    out += "\r\n" + payload.substr(at, n) + "\r\n";
    at += n;
  }
  out += "0";
  if (extras && pick(3) == 0) out += ";last";
  out += "\r\n";
  if (extras && pick(3) == 0) out += "X-Cost: 0.01\r\nX-Trailer: a b\r\n";
  out += "\r\n";
  return out;
}

std::string sse_payload(std::mt19937_64& rng) {
  std::string p;
  const int events = 1 + static_cast<int>(rng() % 30);
  for (int i = 0; i < events; ++i)
    p += "data: {\"choices\":[{\"delta\":{\"content\":\"tok" + std::to_string(rng() % 1000) +
         "\r\n\"}}]}\n\n";
  return p;
}

TEST(http1_chunked, any_split_gives_the_payload) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 200; ++i) {
    const std::string payload = sse_payload(rng);
    const std::string body = encode(rng, payload, true);
    const std::string in = body + "HTTP/1.1 200 OK\r\n";  // the next answer is not consumed
    for (auto [in_step, room] : {std::pair<std::size_t, std::size_t>{0, 0}, {1, 0}, {0, 1},
                                 {1, 7}, {1 + rng() % 64, 1 + rng() % 64}}) {
      const auto r = run(in, in_step, room);
      ASSERT_TRUE(r.done) << i << " " << in_step << " " << room;
      EXPECT_EQ(r.out, payload);
      EXPECT_EQ(r.used, body.size());
    }
    const auto b = run_beast(body);
    ASSERT_TRUE(b.done);
    EXPECT_EQ(b.out, payload);
  }
}

TEST(http1_chunked, malformed_framing_fails) {
  for (std::string_view bad : {"5\r\nhello0\r\n\r\n", "x\r\n", "\r\n", "5\nhello\r\n0\r\n\r\n",
                               "5\r\nhello\r\r\n", "1234567890abcdef0\r\n", "5 \r\nhello\r\n",
                               "0\r\nX-T: a\n\r\n", "0\r\n\rx", "5;ext\n"}) {
    const auto r = run(bad, 0, 0);
    EXPECT_TRUE(r.failed) << testing::PrintToString(bad);
    EXPECT_FALSE(r.done);
    EXPECT_FALSE(run(bad, 1, 1).done) << testing::PrintToString(bad);
    EXPECT_FALSE(run_beast(bad).done) << testing::PrintToString(bad);
  }
  // Incomplete is neither done nor failed: more bytes may come.
  const auto r = run("5\r\nhel", 0, 0);
  EXPECT_FALSE(r.done);
  EXPECT_FALSE(r.failed);
  EXPECT_EQ(r.out, "hel");
}

TEST(http1_chunked, mutated_bodies_never_read_differently_from_beast) {
  std::mt19937_64 rng(7);
  // No ';': the decoder skips a chunk extension up to its CRLF without judging its grammar
  // (Beast rejects e.g. an empty one); the framing is the same either way.
  const std::string bytes = std::string("\r\n0aF:x ", 8) + std::string(1, '\0');
  int both_done = 0, failed = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string body = encode(rng, sse_payload(rng).substr(0, 1 + rng() % 200), false);
    const int mutations = 1 + static_cast<int>(rng() % 2);
    for (int m = 0; m < mutations; ++m) {
      const std::size_t at = rng() % body.size();
      switch (rng() % 3) {
        case 0: body[at] = bytes[rng() % bytes.size()]; break;
        case 1: body.insert(body.begin() + static_cast<std::ptrdiff_t>(at), bytes[rng() % bytes.size()]); break;
        default: body.erase(at, 1); break;
      }
    }
    const auto ours = run(body, 0, 0);
    const auto theirs = run_beast(body);
    if (ours.done) {
      ASSERT_TRUE(theirs.done) << testing::PrintToString(body);
      ASSERT_EQ(ours.out, theirs.out) << testing::PrintToString(body);
      ++both_done;
    }
    failed += ours.failed;
  }
  EXPECT_GT(both_done, 500);
  EXPECT_GT(failed, 2000);
}

}  // namespace
}  // namespace gi::core::http1
