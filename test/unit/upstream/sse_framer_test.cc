#include "upstream/sse_framer.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gi::upstream {

// gtest printer (found by ADL).
void PrintTo(const sse_event& e, std::ostream* os) {
  *os << "{event=" << e.event << " data=" << e.data << " id=" << e.id << "}";
}

namespace {

struct sse_case {
  const char* name;
  std::string input;
  std::vector<sse_event> expected;
  bool clean_end = true;
};

std::vector<sse_case> corpus() {
  using namespace std::string_literals;
  return {
      {"lf", "data: a\n\ndata: b\n\n", {{"", "a", ""}, {"", "b", ""}}},
      {"crlf", "data: a\r\n\r\ndata: b\r\n\r\n", {{"", "a", ""}, {"", "b", ""}}},
      {"cr", "data: a\r\rdata: b\r\r", {{"", "a", ""}, {"", "b", ""}}},
      {"mixed_terminators", "data: a\r\ndata: b\rdata: c\n\r\n", {{"", "a\nb\nc", ""}}},
      {"multiline_data", "data: line1\ndata: line2\ndata:line3\n\n", {{"", "line1\nline2\nline3", ""}}},
      {"event_names",
       "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
       "event: ping\ndata: {}\n\n",
       {{"message_start", "{\"type\":\"message_start\"}", ""}, {"ping", "{}", ""}}},
      {"comments_ignored", ": keep-alive\n\n: another\ndata: x\n: mid\n\n", {{"", "x", ""}}},
      {"one_space_stripped", "data:  two spaces\ndata:none\ndata: \n\n",
       {{"", " two spaces\nnone\n", ""}}},
      {"empty_data_line", "data\n\ndata:\n\n", {{"", "", ""}, {"", "", ""}}},
      {"id_persists", "id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n",
       {{"", "a", "7"}, {"", "b", "7"}, {"", "c", ""}}},
      {"event_without_data_dropped", "event: ping\n\ndata: after\n\n", {{"", "after", ""}}},
      {"event_name_reset", "event: a\ndata: 1\n\ndata: 2\n\n", {{"a", "1", ""}, {"", "2", ""}}},
      {"unknown_fields_and_retry", "retry: 1000\nfoo: bar\ndata: z\n\n", {{"", "z", ""}}},
      {"colon_in_value", "data: {\"a\":\"b:c\"}\n\n", {{"", "{\"a\":\"b:c\"}", ""}}},
      {"done_sentinel", "data: {\"x\":1}\n\ndata: [DONE]\n\n", {{"", "{\"x\":1}", ""}, {"", "[DONE]", ""}}},
      {"bom", "\xEF\xBB\xBF" "data: bom\n\n", {{"", "bom", ""}}},
      {"utf8_payload", "data: h\xC3\xA9llo \xE2\x9C\x93\n\n", {{"", "h\xC3\xA9llo \xE2\x9C\x93", ""}}},
      {"nul_in_data", "data: a\0b\n\n"s, {{"", "a\0b"s, ""}}},
      {"crlf_then_cr_blank", "data: a\r\n\r", {{"", "a", ""}}},
      {"truncated_line", "data: a\n\ndata: partial", {{"", "a", ""}, {"", "partial", ""}}, false},
      {"truncated_event", "data: a\n\ndata: b\n", {{"", "a", ""}, {"", "b", ""}}, false},
      {"trailing_comment_is_clean", "data: a\n\n: bye\n", {{"", "a", ""}}},
      {"gemini_crlf",
       "data: {\"candidates\":[]}\r\n\r\ndata: {\"usageMetadata\":{}}\r\n\r\n",
       {{"", "{\"candidates\":[]}", ""}, {"", "{\"usageMetadata\":{}}", ""}}},
  };
}

std::vector<sse_event> run(const std::vector<std::string_view>& pieces, bool* clean) {
  sse_framer f;
  std::vector<sse_event> out;
  for (auto p : pieces) f.feed(p, out);
  *clean = f.finish(out);
  return out;
}

TEST(SseFramer, WholeByteByByteAndRandomSplitsAgree) {
  for (const auto& c : corpus()) {
    SCOPED_TRACE(c.name);
    bool clean = false;
    EXPECT_EQ(run({c.input}, &clean), c.expected);
    EXPECT_EQ(clean, c.clean_end);

    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < c.input.size(); ++i) bytes.emplace_back(c.input.data() + i, 1);
    EXPECT_EQ(run(bytes, &clean), c.expected);
    EXPECT_EQ(clean, c.clean_end);

    for (unsigned seed = 1; seed <= 50; ++seed) {
      std::mt19937 rng(seed);
      std::vector<std::string_view> pieces;
      std::size_t at = 0;
      while (at < c.input.size()) {
        const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 7)(rng);
        const std::size_t take = std::min(n, c.input.size() - at);
        pieces.emplace_back(c.input.data() + at, take);  // empty feeds are allowed too
        at += take;
      }
      EXPECT_EQ(run(pieces, &clean), c.expected) << "seed " << seed;
      EXPECT_EQ(clean, c.clean_end) << "seed " << seed;
    }
  }
}

TEST(SseFramer, CrAtEndOfFeedThenLfIsOneTerminator) {
  sse_framer f;
  std::vector<sse_event> out;
  f.feed("data: a\r", out);
  f.feed("\ndata: b\r", out);
  f.feed("\n\r", out);
  EXPECT_TRUE(out.size() == 1);
  f.feed("\n", out);  // CRLF: still the same blank line, no extra event
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data, "a\nb");
  EXPECT_TRUE(f.finish(out));
}

TEST(SseFramer, CrLfSplitDoesNotCreateBlankLine) {
  // "data: a\r" + "\n" + "data: b\r\n\r\n": the LF after the CR must not end the event.
  sse_framer f;
  std::vector<sse_event> out;
  f.feed("data: a\r", out);
  f.feed("\n", out);
  f.feed("data: b\r\n\r\n", out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data, "a\nb");
}

TEST(SseFramer, BufferedGrowsWithAnEndlessLineAndResets) {
  sse_framer f;
  std::vector<sse_event> out;
  const std::string chunk(1000, 'x');
  f.feed("data: ", out);
  for (int i = 0; i < 10; ++i) f.feed(chunk, out);
  EXPECT_GE(f.buffered(), 10'000u);
  f.feed("\n", out);
  EXPECT_GE(f.buffered(), 10'000u);  // the event's data is still pending
  f.feed("\n", out);
  EXPECT_EQ(f.buffered(), 0u);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data.size(), 10'000u);
}

TEST(SseFramer, FinishWithNothingIsClean) {
  sse_framer f;
  std::vector<sse_event> out;
  EXPECT_TRUE(f.finish(out));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace gi::upstream
