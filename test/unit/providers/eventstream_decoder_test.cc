// The AWS event-stream decoder (providers.md §9.4) on the frames in
// test/data/bedrock-eventstream/ (encoded by the project, checked with botocore): whole,
// byte by byte, seeded random splits; corrupted CRCs, bad lengths and truncation; every
// header type round-trips through the encoder.

#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include "providers/bedrock/event_stream.h"
#include "support/test_support.h"

namespace gi {
namespace {

namespace es = providers::bedrock::event_stream;
namespace fs = std::filesystem;

std::string frames(const char* name) {
  return test::read_file(test::source_dir() / "test" / "data" / "bedrock-eventstream" / name);
}

struct run_result {
  std::vector<es::message> msgs;
  es::decode_error err = es::decode_error::none;
  bool partial = false;
};

run_result run(std::string_view bytes, const std::vector<std::size_t>& cuts) {
  es::decoder d;
  run_result r;
  std::size_t pos = 0;
  for (std::size_t c : cuts) {
    if (auto e = d.feed(bytes.substr(pos, c - pos), r.msgs); e != es::decode_error::none) r.err = e;
    pos = c;
  }
  if (auto e = d.feed(bytes.substr(pos), r.msgs); e != es::decode_error::none) r.err = e;
  r.partial = d.has_partial();
  return r;
}

std::string describe(const std::vector<es::message>& ms) {
  std::string out;
  for (const auto& m : ms) {
    for (const auto& h : m.headers) {
      out += h.name + "=";
      if (auto* s = std::get_if<std::string>(&h.value)) out += *s;
      out += ";";
    }
    out += "|" + m.payload + "\n";
  }
  return out;
}

TEST(eventstream, crc32_matches_zlib) {
  EXPECT_EQ(es::crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(es::crc32(""), 0u);
}

TEST(eventstream, single_worked_frame) {
  const std::string bin = frames("single-contentBlockDelta.bin");
  ASSERT_EQ(bin.size(), 148u);
  auto r = run(bin, {});
  ASSERT_EQ(r.err, es::decode_error::none);
  ASSERT_EQ(r.msgs.size(), 1u);
  EXPECT_EQ(r.msgs[0].string_header(":event-type"), "contentBlockDelta");
  EXPECT_EQ(r.msgs[0].string_header(":message-type"), "event");
  EXPECT_EQ(r.msgs[0].string_header(":content-type"), "application/json");
  EXPECT_EQ(r.msgs[0].payload, R"({"contentBlockIndex":0,"delta":{"text":"Hi"}})");
  EXPECT_FALSE(r.partial);
  // Our encoder reproduces the reference bytes exactly.
  EXPECT_EQ(es::encode(r.msgs[0]), bin);
}

TEST(eventstream, text_and_tool_whole_bytewise_and_random_splits) {
  const std::string bin = frames("converse-stream-text-and-tool.bin");
  auto whole = run(bin, {});
  ASSERT_EQ(whole.err, es::decode_error::none);
  ASSERT_EQ(whole.msgs.size(), 10u);
  EXPECT_EQ(whole.msgs.front().string_header(":event-type"), "messageStart");
  EXPECT_EQ(whole.msgs.back().string_header(":event-type"), "metadata");
  const std::string expected = describe(whole.msgs);

  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < bin.size(); ++i) every.push_back(i);
  auto bytes = run(bin, every);
  EXPECT_EQ(bytes.err, es::decode_error::none);
  EXPECT_EQ(describe(bytes.msgs), expected);

  for (std::uint32_t seed : {1u, 7u, 42u, 1234u, 99991u}) {
    std::mt19937 rng(seed);
    std::vector<std::size_t> cuts;
    for (std::size_t p = 0;;) {
      p += 1 + rng() % 97;
      if (p >= bin.size()) break;
      cuts.push_back(p);
    }
    auto rr = run(bin, cuts);
    EXPECT_EQ(rr.err, es::decode_error::none) << seed;
    EXPECT_EQ(describe(rr.msgs), expected) << seed;
  }
}

TEST(eventstream, exception_frame) {
  auto r = run(frames("converse-stream-throttling-exception.bin"), {});
  ASSERT_EQ(r.err, es::decode_error::none);
  ASSERT_FALSE(r.msgs.empty());
  const auto& m = r.msgs.back();
  EXPECT_EQ(m.string_header(":message-type"), "exception");
  EXPECT_EQ(m.string_header(":exception-type"), "throttlingException");
}

TEST(eventstream, corrupted_message_crc_is_an_error) {
  std::string bin = frames("single-contentBlockDelta.bin");
  bin[100] ^= 0x01;  // inside the payload
  auto r = run(bin, {});
  EXPECT_EQ(r.err, es::decode_error::message_crc);
  EXPECT_TRUE(r.msgs.empty());
}

TEST(eventstream, corrupted_prelude_fails_before_the_body_arrives) {
  std::string bin = frames("single-contentBlockDelta.bin");
  bin[2] ^= 0x7F;  // total length
  auto r = run(bin.substr(0, 12), {});
  EXPECT_EQ(r.err, es::decode_error::prelude_crc);
}

TEST(eventstream, corruption_in_a_later_frame_keeps_the_earlier_ones) {
  std::string bin = frames("converse-stream-text-and-tool.bin");
  bin[bin.size() - 1] ^= 0x55;  // the last message CRC
  auto r = run(bin, {});
  EXPECT_EQ(r.err, es::decode_error::message_crc);
  EXPECT_EQ(r.msgs.size(), 9u);
  // Further input is ignored once failed.
  es::decoder d;
  std::vector<es::message> out;
  EXPECT_EQ(d.feed(bin, out), es::decode_error::message_crc);
  EXPECT_EQ(d.feed(frames("single-contentBlockDelta.bin"), out), es::decode_error::message_crc);
}

TEST(eventstream, truncated_frame_is_left_partial) {
  const std::string bin = frames("converse-stream-text-and-tool.bin");
  auto r = run(bin.substr(0, bin.size() - 5), {});
  EXPECT_EQ(r.err, es::decode_error::none);
  EXPECT_EQ(r.msgs.size(), 9u);
  EXPECT_TRUE(r.partial);
}

TEST(eventstream, bad_lengths) {
  auto frame_with = [](std::uint32_t total, std::uint32_t hlen) {
    std::string s;
    for (std::uint32_t v : {total, hlen})
      for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>((v >> (i * 8)) & 0xFF));
    std::uint32_t c = es::crc32(s);
    for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>((c >> (i * 8)) & 0xFF));
    return s;
  };
  EXPECT_EQ(run(frame_with(15, 0), {}).err, es::decode_error::bad_length);
  EXPECT_EQ(run(frame_with(17u << 20, 0), {}).err, es::decode_error::bad_length);
  EXPECT_EQ(run(frame_with(100, 200), {}).err, es::decode_error::bad_length);
}

TEST(eventstream, every_header_type_round_trips) {
  es::message m;
  es::uuid u;
  for (int i = 0; i < 16; ++i) u.bytes[i] = static_cast<std::uint8_t>(i * 7);
  m.headers = {{"t", true},
               {"f", false},
               {"i8", std::int8_t{-5}},
               {"i16", std::int16_t{-300}},
               {"i32", std::int32_t{-70000}},
               {"i64", std::int64_t{-5'000'000'000}},
               {"bytes", es::byte_array{std::string("\0\1\2", 3)}},
               {"str", std::string("hé")},
               {"ts", es::timestamp{1'700'000'000'123}},
               {"id", u}};
  m.payload = "{}";
  auto r = run(es::encode(m), {});
  ASSERT_EQ(r.err, es::decode_error::none);
  ASSERT_EQ(r.msgs.size(), 1u);
  ASSERT_EQ(r.msgs[0].headers.size(), m.headers.size());
  for (std::size_t i = 0; i < m.headers.size(); ++i) {
    EXPECT_EQ(r.msgs[0].headers[i].name, m.headers[i].name);
    EXPECT_TRUE(r.msgs[0].headers[i].value == m.headers[i].value) << m.headers[i].name;
  }
}

TEST(eventstream, unknown_header_type_is_an_error) {
  es::message m;
  m.headers = {{"x", std::string("y")}};
  std::string bin = es::encode(m);
  bin[12 + 2] = 42;  // the type byte of header "x"
  // Fix the message CRC so only the header is wrong.
  std::string body = bin.substr(0, bin.size() - 4);
  std::uint32_t c = es::crc32(body);
  for (int i = 3; i >= 0; --i) body.push_back(static_cast<char>((c >> (i * 8)) & 0xFF));
  EXPECT_EQ(run(body, {}).err, es::decode_error::bad_header);
}

TEST(eventstream, random_garbage_never_crashes) {
  std::mt19937 rng(5);
  for (int n = 0; n < 2000; ++n) {
    std::string s(rng() % 64, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    es::decoder d;
    std::vector<es::message> out;
    (void)d.feed(s, out);
  }
  // Valid prefix + random bytes: mutations of a real frame.
  const std::string bin = frames("converse-stream-text-and-tool.bin");
  for (int n = 0; n < 500; ++n) {
    std::string s = bin;
    s[rng() % s.size()] = static_cast<char>(rng());
    es::decoder d;
    std::vector<es::message> out;
    (void)d.feed(s, out);
    EXPECT_LE(out.size(), 10u);
  }
}

}  // namespace
}  // namespace gi
